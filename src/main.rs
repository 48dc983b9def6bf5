//! The `sockcat` binary: parse the command line, run it, turn the outcome into
//! an exit status. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sockcat::cli::Cli::parse();
    match sockcat::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sockcat: {err:#}");
            ExitCode::from(sockcat::error::exit_status(&err))
        }
    }
}

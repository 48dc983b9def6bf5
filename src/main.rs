//! The `sockcat` binary: parse the command line, run it, turn the outcome into
//! an exit status. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sockcat::cli::Cli::parse();
    let reporter = cli.reporter();
    match sockcat::run(cli, reporter) {
        Ok(code) => code,
        Err(err) => {
            let status = sockcat::error::exit_status(&err);
            reporter.failure(&err, status);
            ExitCode::from(status)
        }
    }
}

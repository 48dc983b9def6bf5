//! sockcat: a netcat for Unix and IPC work.
//!
//! The flow of a run: the command line (`cli`) gives a verb and the address as
//! text; `addr::parse` turns text and flags into an `Addr`; `socket` resolves
//! it to candidate socket addresses, opens, binds, connects or accepts, and
//! hands back an `OwnedFd`; `relay` pumps bytes between that descriptor and
//! stdin/stdout until the session ends, and returns an `Ending`; `run` maps
//! the ending (or the `error::Failure`/`error::Usage` on the way) to the exit
//! status. `signals` turns SIGINT and SIGTERM into events of the same loop.

#![forbid(unsafe_code)]

pub mod cli;
pub mod docs;
pub mod error;
pub mod icmp;
pub mod ping;
pub mod report;

use std::process::ExitCode;

use cli::{Cli, Verb};
use report::Reporter;

/// Run one parsed command line and say how it ended.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let reporter = Reporter::new(cli.verbose);
    match cli.verb {
        Verb::Ping(args) => ping::run(&args, reporter),
        Verb::Completions(args) => docs::run_completions(&args),
        Verb::Man(args) => docs::run_man(&args),
        Verb::Connect(_) | Verb::Listen(_) | Verb::Send(_) => {
            anyhow::bail!("this verb is being built")
        }
    }
}

//! Man pages and completions, both generated from `Cli::command()`.

use std::process::ExitCode;

use crate::cli::{CompletionsArgs, ManArgs};

pub fn run_completions(_args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("completions are being built")
}

pub fn run_man(_args: &ManArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("man pages are being built")
}

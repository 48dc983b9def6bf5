//! What `-v` tells the user on stderr. Every step a verb reports goes through
//! a `Reporter`, so that a machine-readable form can replace the words later
//! without touching the verbs.

use std::fmt::Display;

/// Where progress reports go: nowhere, or stderr as `sockcat: …` lines.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reporter {
    verbose: bool,
}

impl Reporter {
    pub fn new(verbose: bool) -> Self {
        Reporter { verbose }
    }

    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// One `sockcat: …` line on stderr when `-v` was given.
    pub fn say(&self, line: impl Display) {
        if self.verbose {
            eprintln!("sockcat: {line}");
        }
    }
}

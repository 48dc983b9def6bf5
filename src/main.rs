//! The `sockcat` binary: parse the command line, run it, turn the outcome into
//! an exit status. Everything else lives in the library.
//!
//! `main` is the C entry point, not Rust's `fn main`: before calling that,
//! std asks glibc for the main thread's stack bounds (glibc reads and parses
//! `/proc/self/maps`) and sets up a stack-overflow handler on an alternate
//! stack. That is a measurable share of a one-line exchange, whose time
//! bench/run compares with nc's. Of what std's start-up does, sockcat needs
//! two things, done here: file descriptors 0-2 open, and SIGPIPE ignored, so
//! that a closed stdout is an `EPIPE` error to report rather than a silent
//! death. The arguments are taken from `argv` as the C
//! runtime passes them (std's own copy is filled only on glibc); a stack
//! overflow is a plain SIGSEGV.

#![no_main]
#![deny(unsafe_code)]

use std::ffi::{CStr, OsStr, OsString};
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::raw::{c_char, c_int};
use std::os::unix::ffi::OsStrExt;

use clap::{CommandFactory, FromArgMatches};
use nix::fcntl::{OFlag, open};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::stat::Mode;
use sockcat::cli::{Cli, nc};

#[allow(unsafe_code)] // The entry point must be unmangled for the C runtime to find it.
#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    open_standard_descriptors();
    ignore_sigpipe();
    let cli = parse_command_line(arguments(argc, argv));
    let reporter = cli.reporter();
    let status = match sockcat::run(cli, reporter) {
        Ok(status) => status,
        Err(err) => {
            let status = sockcat::error::exit_status(&err);
            reporter.failure(&err, status);
            status
        }
    };
    // Returning skips std's exit path, which would flush this.
    let _ = std::io::stdout().flush();
    c_int::from(status)
}

/// The command line, as the C runtime passed it to `main`.
#[allow(unsafe_code)]
fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
    (0..usize::try_from(argc).unwrap_or(0))
        .map(|i| {
            // SAFETY: the C runtime passes `argc` NUL-terminated strings in
            // `argv`, alive for the whole run.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsStr::from_bytes(arg.to_bytes()).to_owned()
        })
        .collect()
}

/// `Cli::parse`, except that clap's description of the command line is
/// kept, not freed: it lives until exit anyway, and freeing its few hundred
/// allocations is ~3% of a one-line exchange. Errors (and --help) exit the
/// way `parse` does; a command line written the nc way gets its sockcat
/// form as the error's tip.
fn parse_command_line(args: Vec<OsString>) -> Cli {
    let command = Box::leak(Box::new(Cli::command()));
    let mut matches = command
        .try_get_matches_from_mut(&args)
        .unwrap_or_else(|e| nc::with_hint(e, &args).exit());
    let cli = Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.format(command).exit());
    std::mem::forget(matches);
    cli
}

/// A closed 0, 1 or 2 would be the next socket we open, and stdout writes
/// would go to the peer: fill the gaps with /dev/null, as std does.
fn open_standard_descriptors() {
    loop {
        match open("/dev/null", OFlag::O_RDWR, Mode::empty()) {
            Ok(fd) if fd.as_raw_fd() <= 2 => std::mem::forget::<OwnedFd>(fd),
            _ => break,
        }
    }
}

#[allow(unsafe_code)] // Sets no handler, so nothing can run in signal context.
fn ignore_sigpipe() {
    // SAFETY: SIG_IGN installs no function, so no signal-safety rules apply.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
}

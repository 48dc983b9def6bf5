//! sockcat: a netcat for Unix and IPC work.
//!
//! The flow of a run: the command line (`cli`) gives a verb, and
//! `cli::options` turns its flags into that verb's plain `Options` (the
//! address still as text), which `run` hands to the verb; below the cli
//! layer no module sees a clap type. The verb's `addr::parse` turns text and
//! flags into an `Addr`; `socket` resolves it to candidate socket addresses;
//! `dial` opens an outgoing socket (a state machine an event loop can
//! advance, or driven to the end by `dial::dial`) and `listener` binds one
//! to accept on (its Unix socket file is `socket_file`'s), each handing back
//! an `OwnedFd`; `relay` pumps bytes between that descriptor and
//! stdin/stdout until the session ends, and returns an `Ending`; `run` maps
//! the ending (or the `error::Failure`/`error::Usage` on the way) to the exit
//! status. `signals` turns SIGINT and SIGTERM into events of the same loop.
//! A listener with `-k`, `-e`/`-c` or `--broker`, and `forward`, hand their
//! bound socket to `server` instead: many peers (or forward pairs) on the
//! one `event_loop`, with `access` deciding who is served and `exec`
//! starting and reaping a child per peer; `forward` between datagram
//! sockets keeps a session per sender (`forward::datagram`). Every
//! direction of bytes, everywhere, is a `pump::Pump`; `--frame`'s codec is
//! `frame`'s.

#![deny(unsafe_code)]

pub mod access;
pub mod addr;
pub mod buffer;
pub mod cli;
pub mod connect;
pub mod dial;
pub mod docs;
pub mod error;
pub mod escape;
pub mod event_loop;
pub mod exec;
pub mod forward;
pub mod frame;
pub mod hexdump;
pub mod icmp;
pub mod listen;
pub mod listener;
pub mod ping;
pub mod probe;
pub mod pump;
pub mod relay;
pub mod report;
pub mod send;
pub mod server;
pub mod signals;
pub mod socket;
pub mod socket_file;

use cli::{Cli, Verb, options};
use report::Reporter;
use signals::{Interrupted, Signals};

/// Run one parsed command line and return its exit status. An interruption
/// by SIGINT or SIGTERM, once everything is cleaned up, is 128 + the signal.
pub fn run(cli: Cli, reporter: Reporter) -> anyhow::Result<u8> {
    // A forced relay route that is not one is refused before anything opens.
    buffer::forced_route()?;
    let result = match cli.verb {
        Verb::Ping(args) => ping::run(&options::ping(&args), reporter),
        Verb::Completions(args) => docs::run_completions(&args),
        Verb::Man(args) => docs::run_man(&args),
        Verb::Connect(args) if args.zero_io => {
            probe::run(&options::probe(&args), reporter, &Signals::block()?)
        }
        Verb::Connect(args) => connect::run(&options::connect(&args), reporter, &Signals::block()?),
        Verb::Listen(args) => {
            options::listen(&args).and_then(|opts| listen::run(&opts, reporter, &Signals::block()?))
        }
        Verb::Send(args) => send::run(&options::send(&args), reporter, &Signals::block()?),
        Verb::Forward(args) => forward::run(&options::forward(&args), reporter, &Signals::block()?),
    };
    match result {
        Err(err) if err.is::<Interrupted>() => {
            let status = err
                .downcast_ref::<Interrupted>()
                .map_or(1, Interrupted::exit_status);
            Ok(status)
        }
        other => other,
    }
}

/// How many inputs each generated-input (proptest) test tries: a few
/// thousand in a normal `cargo test`; `PROPTEST_CASES=N` (which proptest
/// reads itself) for a longer run.
#[cfg(test)]
pub(crate) fn generated_cases() -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 2000;
    }
    config
}

//! A session between stdin/stdout and one socket, which `connect` and
//! `listen` both drive (every datagram listener too, `-k` included).
//!
//! Contract: `relay` returns when the session has ended, cleanly (`Ending`)
//! or not (an error naming the socket or stdio and the reason). Every
//! descriptor is non-blocking and registered once on the `EventLoop`
//! together with the signal descriptor, so neither direction can block the
//! other and SIGINT or SIGTERM unwinds as an `Interrupted` error. It closes
//! nothing itself: the caller owns the socket; a stream's write side is
//! half-closed (`SHUT_WR`) when stdin ends, unless told otherwise. A peer's
//! end of file ends only what the peer sends (see `session::ended`). It
//! counts the bytes moved each way. A failure loses nothing already read:
//! bytes taken from the socket still reach stdout and bytes taken from
//! stdin still reach the socket, wherever that end still works, before the
//! error is returned (`Failing`). Each direction is a `pump::Pump`, the one
//! type every verb moves bytes with.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};

use crate::access::Access;
use crate::addr::{Addr, Kind};
use crate::buffer::Route;
use crate::error::Failure;
use crate::event_loop::EventLoop;
use crate::hexdump::Hexdump;
use crate::report::{Counts, Event, Reporter};
use crate::signals::{Interrupted, Signals};

mod session;

use session::Session;

/// How a session runs and when it ends.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// End with an error after this long with no data either way.
    pub idle: Option<Duration>,
    /// After stdin ends: streams stop this long after; datagram sessions stop
    /// after this much silence.
    pub quit_after: Option<Duration>,
    /// Half-close a connection when stdin ends.
    pub shutdown_on_eof: bool,
    /// End the session at the peer's EOF even while stdin has more
    /// (`--exit-on-peer-eof`); a terminal as stdin does the same.
    pub exit_on_peer_eof: bool,
    /// Read stdin at all.
    pub read_stdin: bool,
    /// Read the socket at all; without it the session ends once stdin is sent.
    pub read_socket: bool,
    /// LF becomes CRLF on the way to the socket.
    pub crlf: bool,
    /// Message sockets: one message per input line, without its newline.
    pub lines: bool,
    /// `--frame`: each line of stdin one message behind a length prefix,
    /// each message received a line; and `--max-frame`.
    pub frame: Option<(crate::frame::Format, usize)>,
}

/// The socket side of a session.
pub struct Peer<'a> {
    pub fd: &'a OwnedFd,
    pub kind: Kind,
    /// Its canonical address, for messages.
    pub name: Addr,
    /// Who the peer of an unconnected datagram socket is.
    pub adopt: Adopt,
    /// Datagram listeners: the rules each sender must pass (by address, and
    /// for Unix senders by the credentials on each datagram, which the
    /// socket must have been asked for with `SO_PASSCRED`); a datagram that
    /// fails them is dropped and reported.
    pub admit: Option<&'a Access>,
}

/// `--frame` on an address that keeps message boundaries already is exit
/// 2, said before anything is opened (the session checks again for an
/// inherited socket, whose type is known only then).
pub fn check_frame(opts: &Options, addr: &Addr) -> anyhow::Result<()> {
    match addr.kind() {
        Some(Kind::Datagram | Kind::Seqpacket) if opts.frame.is_some() => Err(crate::usage!(
            "--frame needs a stream socket; {addr} keeps message boundaries already"
        )),
        _ => Ok(()),
    }
}

/// Who the peer of an unconnected datagram socket (a datagram listener)
/// is; a connected socket's peer is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adopt {
    /// Connected already.
    Fixed,
    /// `listen`: the first sender with an address becomes the peer, and the
    /// socket is connected to it.
    First,
    /// `listen -k`: every sender is heard, the socket stays unconnected and
    /// stdin goes to the latest sender with an address. A reply that cannot
    /// reach it is reported and dropped; the listener goes on.
    Latest,
}

/// How a session ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Both sides done as the options say.
    Finished,
    /// Whoever reads our stdout went away (`| head`): quiet, status 0.
    StdoutClosed,
}

/// `relay`, reporting the session's end (`closed`, with byte counts and
/// duration) whichever way it ended.
pub fn session(
    peer: &mut Peer<'_>,
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
    dump: Option<&mut Hexdump>,
) -> anyhow::Result<Ending> {
    let start = Instant::now();
    let mut counts = Counts::default();
    let result = relay(peer, opts, signals, reporter, dump, &mut counts);
    // An error is reported once, by whoever prints it (`main`); only an
    // interruption, which ends quietly, is told here.
    let reason = result
        .as_ref()
        .err()
        .filter(|e| e.is::<Interrupted>())
        .map(|e| format!("{e:#}"));
    reporter.report(Event::Closed {
        peer: &peer.name,
        counts: Some(counts),
        duration: start.elapsed(),
        reason,
    });
    result
}

/// Pump stdin to the peer and the peer to stdout until the session ends;
/// `counts` holds the bytes moved, however it ended.
pub fn relay(
    peer: &mut Peer<'_>,
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
    dump: Option<&mut Hexdump>,
    counts: &mut Counts,
) -> anyhow::Result<Ending> {
    let _stdio = NonBlockingStdio::set();
    let mut session = Session::new(peer, opts, reporter, dump)?;
    let mut events = EventLoop::new(signals)?;
    let result = session.run(&mut events);
    *counts = session.counts();
    let (to_peer, from_peer) = session.routes();
    reporter.report(Event::Relayed {
        peer: &peer.name,
        to_peer: to_peer.map(Route::name),
        from_peer: from_peer.map(Route::name),
    });
    result
}

/// A read of stdin that failed. A descriptor open only for writing (or an
/// `O_PATH` one) reads as EBADF: not an end of input, an error to report.
pub fn stdin_failure(errno: Errno) -> anyhow::Error {
    let failure = Failure::new("read", "stdin", errno);
    match errno {
        Errno::EBADF => failure.hint("it is not open for reading").into(),
        _ => failure.into(),
    }
}

/// Puts stdin and stdout in non-blocking mode and restores their flags on
/// drop, so a terminal or a pipe shared with the shell is left as found.
pub(crate) struct NonBlockingStdio {
    saved: Vec<(bool, OFlag)>,
}

impl NonBlockingStdio {
    pub(crate) fn set() -> NonBlockingStdio {
        let mut saved = Vec::new();
        let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
        for (is_stdin, fd) in [(true, stdin.as_fd()), (false, stdout.as_fd())] {
            if let Ok(bits) = fcntl(fd, FcntlArg::F_GETFL) {
                let flags = OFlag::from_bits_truncate(bits);
                if fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).is_ok() {
                    saved.push((is_stdin, flags));
                }
            }
        }
        NonBlockingStdio { saved }
    }
}

impl Drop for NonBlockingStdio {
    fn drop(&mut self) {
        let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
        for (is_stdin, flags) in &self.saved {
            let fd = if *is_stdin {
                stdin.as_fd()
            } else {
                stdout.as_fd()
            };
            let _ = fcntl(fd, FcntlArg::F_SETFL(*flags));
        }
    }
}

//! The one full-duplex pump between stdin/stdout and a socket, which
//! `connect` and `listen` both drive.
//!
//! Contract: `relay` returns when the session has ended, cleanly (`Ending`)
//! or not (an error naming the socket or stdio and the reason). Every
//! descriptor is non-blocking and waited on in one `poll` together with the
//! signal descriptor, so neither direction can block the other and SIGINT or
//! SIGTERM unwinds as an `Interrupted` error. It closes nothing itself: the
//! caller owns the socket; a stream's write side is half-closed (`SHUT_WR`)
//! when stdin ends, unless told otherwise. It counts the bytes moved each
//! way. Each direction is a `Pipe` (a source, a sink, one buffer allocated
//! once), so a socket-to-socket pump can reuse them.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, poll};
use nix::sys::socket::{self, MsgFlags, Shutdown, SockaddrStorage};

use crate::addr::{Addr, Kind};
use crate::cli::SessionFlags;
use crate::error::Failure;
use crate::report::Reporter;
use crate::signals::{Signals, timeout_until};

/// Bytes per read or write on a stream: large calls are what make loopback
/// TCP fast (16 KiB moves about half of what 256 KiB does).
const STREAM_CHUNK: usize = 256 * 1024;
/// The largest UDP payload: 65535 - 20 (IP) - 8 (UDP).
const UDP_MAX: usize = 65507;
/// Room the kernel keeps in a Unix socket's send buffer for its own
/// bookkeeping (`unix_dgram_sendmsg` refuses `len > sk_sndbuf - 32`).
const UNIX_MESSAGE_OVERHEAD: usize = 64;
/// Directions take turns after this many calls, so one busy side cannot
/// starve the other.
const TURNS: usize = 16;

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
    /// Go on sending stdin after the peer half-closed.
    pub keep_sending: bool,
    /// Read stdin at all.
    pub read_stdin: bool,
    /// Read the socket at all; without it the session ends once stdin is sent.
    pub read_socket: bool,
    /// LF becomes CRLF on the way to the socket.
    pub crlf: bool,
    /// Message sockets: one message per input line, without its newline.
    pub lines: bool,
}

impl Options {
    /// The options of `connect` and `listen`. `datagram_quit` is how long a
    /// datagram session waits for replies after stdin ends when `-q` is not
    /// given (`None`: it keeps receiving).
    pub fn new(flags: &SessionFlags, kind: Kind, datagram_quit: Option<Duration>) -> Options {
        let quit_after = match kind {
            Kind::Datagram => flags.quit_after.or(datagram_quit),
            _ => flags.quit_after,
        };
        Options {
            idle: flags.idle_timeout,
            quit_after,
            // -d leaves the write side open; --recv-only closes it at once.
            shutdown_on_eof: !flags.no_shutdown && !flags.no_stdin,
            keep_sending: flags.keep_sending,
            read_stdin: !flags.no_stdin && !flags.recv_only,
            read_socket: !flags.send_only,
            crlf: flags.crlf,
            lines: flags.lines,
        }
    }
}

/// The socket side of a session.
pub struct Peer<'a> {
    pub fd: &'a OwnedFd,
    pub kind: Kind,
    /// Its canonical address, for messages.
    pub name: Addr,
    /// An unconnected datagram socket with no peer yet: the first sender with
    /// an address becomes the peer, and the socket is connected to it.
    pub adopt_first_sender: bool,
}

/// How a session ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Both sides done as the options say.
    Finished,
    /// Whoever reads our stdout went away (`| head`): quiet, status 0.
    StdoutClosed,
}

/// Bytes moved during a session.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Received from the peer.
    pub rx: u64,
    /// Sent to the peer.
    pub tx: u64,
}

/// Pump stdin to the peer and the peer to stdout until the session ends.
pub fn relay(
    peer: &mut Peer<'_>,
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
) -> anyhow::Result<(Ending, Counts)> {
    let _stdio = NonBlockingStdio::set();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let messages = peer.kind != Kind::Stream;
    let connection = peer.kind != Kind::Datagram;
    let datagram_max = largest_message(peer);
    let line_mode = messages && opts.lines;

    let mut out = Pipe::new(if opts.read_stdin { STREAM_CHUNK } else { 0 });
    let mut inn = Pipe::new(if opts.read_socket { STREAM_CHUNK } else { 0 });
    let mut scratch = if opts.crlf {
        vec![0u8; STREAM_CHUNK / 2]
    } else {
        Vec::new()
    };
    out.open = opts.read_stdin;
    inn.open = opts.read_socket;
    let mut counts = Counts::default();
    let mut peer_known = !peer.adopt_first_sender;
    let mut warned_unnamed = false;
    let mut stdin_ended: Option<Instant> = None;
    let mut last_activity = Instant::now();
    let mut last_rx: Option<Instant> = None;

    if !opts.read_stdin && connection && !opts.read_socket {
        return Ok((Ending::Finished, counts));
    }

    loop {
        // stdin -> socket
        for _ in 0..TURNS {
            if let Some(chunk) = out.next_chunk(line_mode) {
                let len = chunk.len();
                let sent = match socket::send(peer.fd.as_raw_fd(), chunk, MsgFlags::MSG_NOSIGNAL) {
                    Ok(n) => n,
                    Err(Errno::EAGAIN) => break,
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(send_failure(&peer.name, e, len)),
                };
                counts.tx += sent as u64;
                last_activity = Instant::now();
                out.consume_chunk(sent, line_mode);
            } else if out.open && peer_known {
                out.compact();
                if !read_stdin(
                    &stdin,
                    &mut out,
                    &mut scratch,
                    messages && !line_mode,
                    datagram_max,
                    opts.crlf,
                )? {
                    break;
                }
                last_activity = Instant::now();
            } else {
                break;
            }
        }

        // socket -> stdout
        for _ in 0..TURNS {
            if inn.pending() {
                match nix::unistd::write(stdout.as_fd(), inn.data()) {
                    Ok(n) => inn.consume(n),
                    Err(Errno::EAGAIN) => break,
                    Err(Errno::EINTR) => continue,
                    Err(Errno::EPIPE) => return Ok((Ending::StdoutClosed, counts)),
                    Err(e) => return Err(Failure::new("write", "stdout", e).into()),
                }
            } else if inn.open {
                inn.compact();
                let received = if messages {
                    receive_message(peer, &mut inn.buf)
                } else {
                    nix::unistd::read(peer.fd, &mut inn.buf).map(|n| (n, None))
                };
                match received {
                    Ok((0, _)) if connection => inn.open = false,
                    Ok((n, from)) => {
                        if let Some(from) = from.filter(|_| !peer_known) {
                            if is_unnamed(&from) {
                                if !warned_unnamed {
                                    reporter.say("datagram from a sender with no address: replies cannot reach it");
                                    warned_unnamed = true;
                                }
                            } else {
                                socket::connect(peer.fd.as_raw_fd(), &from)
                                    .map_err(|e| Failure::new("connect", &peer.name, e))?;
                                peer.name = Addr::from_sockaddr(peer.kind, &from);
                                reporter.say(format_args!("accepted {}", peer.name));
                                peer_known = true;
                            }
                        }
                        inn.end = n;
                        counts.rx += n as u64;
                        last_activity = Instant::now();
                        last_rx = Some(last_activity);
                    }
                    Err(Errno::EAGAIN) => break,
                    Err(Errno::EINTR) => continue,
                    Err(Errno::EMSGSIZE) => {
                        return Err(anyhow::anyhow!(
                            "receive from {}: message larger than the {} byte buffer; refusing to cut it",
                            peer.name,
                            inn.buf.len()
                        ));
                    }
                    Err(e) => return Err(Failure::new("receive from", &peer.name, e).into()),
                }
            } else {
                break;
            }
        }

        // What has ended, and what that ends.
        if !out.open && !out.pending() && stdin_ended.is_none() {
            stdin_ended = Some(Instant::now());
            if connection && opts.shutdown_on_eof {
                match socket::shutdown(peer.fd.as_raw_fd(), Shutdown::Write) {
                    Ok(()) | Err(Errno::ENOTCONN) => {}
                    Err(e) => return Err(Failure::new("shut down", &peer.name, e).into()),
                }
            }
        }
        let sent_all = stdin_ended.is_some();
        if !opts.read_socket && sent_all {
            return Ok((Ending::Finished, counts));
        }
        if connection && !inn.open && !inn.pending() && (!opts.keep_sending || sent_all) {
            return Ok((Ending::Finished, counts));
        }
        let quit_at = match (stdin_ended, opts.quit_after) {
            (Some(eof), Some(wait)) if opts.read_stdin || !connection => {
                let base = if connection {
                    eof
                } else {
                    last_rx.map_or(eof, |rx| rx.max(eof))
                };
                Some(base + wait)
            }
            _ => None,
        };
        let idle_at = opts.idle.map(|idle| last_activity + idle);
        let now = Instant::now();
        if quit_at.is_some_and(|t| now >= t) && !inn.pending() {
            return Ok((Ending::Finished, counts));
        }
        if let (Some(idle), Some(idle_at)) = (opts.idle, idle_at)
            && now >= idle_at
        {
            return Err(anyhow::anyhow!(
                "session with {}: no data for {} (idle timeout)",
                peer.name,
                humantime::format_duration(idle)
            ));
        }

        // Wait for whatever can move next.
        let mut sock_events = PollFlags::empty();
        let mut fds = vec![PollFd::new(signals.fd(), PollFlags::POLLIN)];
        if out.next_chunk(line_mode).is_some() {
            sock_events |= PollFlags::POLLOUT;
        } else if out.open && peer_known {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        if inn.pending() {
            fds.push(PollFd::new(stdout.as_fd(), PollFlags::POLLOUT));
        } else if inn.open {
            sock_events |= PollFlags::POLLIN;
        }
        if !sock_events.is_empty() {
            fds.push(PollFd::new(peer.fd.as_fd(), sock_events));
        }
        let deadline = [quit_at, idle_at].into_iter().flatten().min();
        match poll(&mut fds, timeout_until(deadline)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::new("poll", "descriptors", e).into()),
        }
        if fds[0].any().unwrap_or(false) {
            signals.check()?;
        }
    }
}

/// Read stdin into the outbound pipe. Returns false when stdin would block.
fn read_stdin(
    stdin: &std::io::Stdin,
    out: &mut Pipe,
    scratch: &mut [u8],
    one_read_one_message: bool,
    datagram_max: usize,
    crlf: bool,
) -> anyhow::Result<bool> {
    // A message socket takes one read as one message, so it reads only into
    // an empty buffer and no more than a datagram can carry.
    let room = if one_read_one_message {
        datagram_max.min(out.buf.len())
    } else {
        out.buf.len() - out.end
    };
    let result = if crlf {
        let take = (room / 2).min(scratch.len());
        nix::unistd::read(stdin.as_fd(), &mut scratch[..take]).inspect(|&n| {
            for &b in &scratch[..n] {
                if b == b'\n' {
                    out.buf[out.end] = b'\r';
                    out.end += 1;
                }
                out.buf[out.end] = b;
                out.end += 1;
            }
        })
    } else {
        let end = out.end;
        nix::unistd::read(stdin.as_fd(), &mut out.buf[end..end + room]).inspect(|&n| out.end += n)
    };
    match result {
        Ok(0) | Err(Errno::EBADF) => {
            out.open = false;
            Ok(true)
        }
        Ok(_) => Ok(true),
        Err(Errno::EAGAIN) => Ok(false),
        Err(Errno::EINTR) => Ok(true),
        Err(e) => Err(Failure::new("read", "stdin", e).into()),
    }
}

/// How much one read of stdin may take when it becomes one message: a UDP
/// payload's limit, or for Unix sockets what the send buffer can hold (the
/// kernel refuses a message above `SO_SNDBUF` less its own overhead).
fn largest_message(peer: &Peer<'_>) -> usize {
    if matches!(peer.name, Addr::Inet { .. }) {
        return UDP_MAX;
    }
    let sndbuf = socket::getsockopt(peer.fd, socket::sockopt::SndBuf).unwrap_or(UDP_MAX);
    sndbuf
        .saturating_sub(UNIX_MESSAGE_OVERHEAD)
        .clamp(1, STREAM_CHUNK)
}

/// One datagram or seqpacket record, whole: a message the kernel had to cut
/// (`MSG_TRUNC`) is an error, never a silently shortened message.
fn receive_message(
    peer: &Peer<'_>,
    buf: &mut [u8],
) -> nix::Result<(usize, Option<SockaddrStorage>)> {
    let mut iov = [std::io::IoSliceMut::new(buf)];
    let msg = socket::recvmsg::<SockaddrStorage>(
        peer.fd.as_raw_fd(),
        &mut iov,
        None,
        MsgFlags::MSG_TRUNC,
    )?;
    if msg.flags.contains(MsgFlags::MSG_TRUNC) {
        return Err(Errno::EMSGSIZE);
    }
    Ok((msg.bytes, msg.address))
}

fn is_unnamed(sa: &SockaddrStorage) -> bool {
    sa.as_unix_addr().is_some_and(|un| un.is_unnamed())
}

fn send_failure(peer: &Addr, errno: Errno, len: usize) -> anyhow::Error {
    match errno {
        Errno::EMSGSIZE => anyhow::anyhow!(
            "send to {peer}: a {len} byte datagram is larger than the socket can carry"
        ),
        Errno::ECONNREFUSED => Failure::new("send to", peer, errno)
            .hint("nothing is receiving there")
            .into(),
        _ => Failure::new("send to", peer, errno).into(),
    }
}

/// One direction's buffer: bytes `start..end` are read and not yet written.
struct Pipe {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The source may still give data.
    open: bool,
}

impl Pipe {
    fn new(capacity: usize) -> Pipe {
        Pipe {
            buf: vec![0; capacity],
            start: 0,
            end: 0,
            open: true,
        }
    }

    fn pending(&self) -> bool {
        self.start < self.end
    }

    fn full(&self) -> bool {
        self.start == 0 && self.end == self.buf.len()
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Move pending bytes to the front, making room to read more.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// What to send next: all pending bytes, or in line mode the next
    /// complete line without its newline (at the end of input, or when a
    /// line fills the whole buffer, what is there counts as a line).
    fn next_chunk(&self, line_mode: bool) -> Option<&[u8]> {
        let data = self.data();
        if !line_mode {
            return (!data.is_empty()).then_some(data);
        }
        match data.iter().position(|&b| b == b'\n') {
            Some(i) => Some(&data[..i]),
            None if (!self.open && !data.is_empty()) || self.full() => Some(data),
            None => None,
        }
    }

    /// Drop what was sent, and in line mode the newline after it.
    fn consume_chunk(&mut self, sent: usize, line_mode: bool) {
        let newline = line_mode && self.data().get(sent) == Some(&b'\n');
        self.consume(sent + usize::from(newline));
    }
}

/// Puts stdin and stdout in non-blocking mode and restores their flags on
/// drop, so a terminal or a pipe shared with the shell is left as found.
struct NonBlockingStdio {
    saved: Vec<(bool, OFlag)>,
}

impl NonBlockingStdio {
    fn set() -> NonBlockingStdio {
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

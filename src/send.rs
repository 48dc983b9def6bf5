//! The `send` verb: build the payload (DATA, `-f FILE` or stdin; `-E`,
//! `-n`), open the socket with `connect::dial`, hand the whole payload to
//! the kernel, optionally print the reply, and exit. A stream gets all the
//! bytes and a half-close; a datagram socket gets exactly one datagram per
//! message, never a cut one; a seqpacket socket one record per message.
//! Escapes are `escape.rs`'s; sockets and errno are `socket.rs`'s.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::PollFlags;

use crate::addr::{self, Addr, Kind};
use crate::buffer::{Sink, write_parts};
use crate::dial::{self, Dialed, dial};
use crate::error::{Failure, quote};
use crate::escape::{self, BadEscape};
use crate::frame::{Collector, Format, Frame};
use crate::hexdump::{Destination, Direction, Hexdump, show};
use crate::report::{Reporter, TimedOut};
use crate::signals::Signals;
use crate::socket::{self, MessageLimit};
use crate::usage;

/// Bytes per read of the payload, a stream reply or a discarded answer.
const CHUNK: usize = 256 * 1024;
/// A datagram reply buffer: more than the 65507 bytes of the largest UDP
/// datagram, and room for a Unix datagram from a default-sized send buffer
/// (212992 less 32), so that `MSG_TRUNC` means something really is odd.
const REPLY_BUF: usize = 256 * 1024;

/// How one send ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Sent,
    /// Whoever reads our stdout went away: quiet, status 0, no more rounds.
    StdoutClosed,
}

/// What `send` is asked to do.
pub struct Options {
    /// ADDR as given; parsed here with `addr_flags`.
    pub addr: String,
    pub addr_flags: addr::Flags,
    /// DATA, joined by single spaces (escapes interpreted with `escapes`).
    pub data: Vec<String>,
    /// `-f FILE` (`-` is stdin); stdin when neither DATA nor a file is given.
    pub file: Option<PathBuf>,
    pub escapes: bool,
    /// Append a newline to the payload.
    pub newline: bool,
    /// Message sockets: one message per line.
    pub lines: bool,
    /// `--frame` on a stream: the payload (or each line) one message behind
    /// a length prefix, and `-r` waits for one whole message; `--max-frame`.
    pub frame: Option<(Format, usize)>,
    /// Wait for the reply and print it.
    pub reply: bool,
    /// `-W`: how long to wait for the reply.
    pub wait: Option<Duration>,
    pub count: u64,
    pub interval: Option<Duration>,
    pub dial: dial::Options,
    pub dump: Option<Destination>,
}

pub fn run(opts: &Options, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let addr = addr::parse(&opts.addr, opts.addr_flags)?;
    check_flags(opts, &addr)?;
    if let Some(kind) = addr.kind() {
        check_kind(opts, kind, &addr)?;
    }
    let payload = payload(opts, signals)?;
    // Framed before anything is opened: a message that cannot be framed is
    // refused with nothing sent.
    let framed = match opts.frame {
        Some((format, max)) => {
            let bodies: Vec<&[u8]> = if opts.lines {
                crate::pump::lines(&payload).collect()
            } else {
                vec![&payload]
            };
            let frames = frame_all(&bodies, format, max, &addr)?;
            Some((bodies, frames))
        }
        None => None,
    };
    let mut dump = Hexdump::open(opts.dump.as_ref())?;
    for round in 0..opts.count {
        if round > 0
            && let Some(interval) = opts.interval
        {
            signals.wait(None, PollFlags::empty(), Some(Instant::now() + interval))?;
        }
        let dialed = dial("send", &addr, &opts.dial, signals, reporter)?;
        check_kind(opts, dialed.kind, &dialed.peer)?;
        let (messages, frames) = match &framed {
            Some((bodies, frames)) => (bodies.clone(), Some(frames.as_slice())),
            None => (messages(&payload, dialed.kind, opts.lines), None),
        };
        let ending = match dialed.kind {
            Kind::Datagram => {
                send_datagrams(&dialed, &messages, opts, signals, reporter, &mut dump)?
            }
            Kind::Stream | Kind::Seqpacket => {
                let out = Outgoing {
                    messages: &messages,
                    frames,
                };
                send_connected(&dialed, out, opts, signals, reporter, &mut dump)?
            }
        };
        if ending == Ending::StdoutClosed {
            break;
        }
    }
    Ok(0)
}

/// Each message's frame (its prefix and trailer; the message itself is not
/// copied), or the first that cannot be framed (too long for the format,
/// or over `--max-frame`) as the error, before a byte goes.
fn frame_all(
    messages: &[&[u8]],
    format: Format,
    max: usize,
    peer: &Addr,
) -> anyhow::Result<Vec<Frame>> {
    messages
        .iter()
        .map(|message| {
            format
                .frame(message.len(), max)
                .map_err(|e| anyhow::anyhow!("send to {peer}: {e}"))
        })
        .collect()
}

/// What one connection sends: the messages, and with `--frame` the frame
/// of each, written around it in one vectored write.
struct Outgoing<'m> {
    messages: &'m [&'m [u8]],
    frames: Option<&'m [Frame]>,
}

/// What the flags cannot mean together, caught before anything is read or sent.
fn check_flags(opts: &Options, addr: &Addr) -> anyhow::Result<()> {
    if opts.count == 0 {
        return Err(usage!("--count 0 would send nothing; give 1 or more"));
    }
    if opts.wait.is_some() && !opts.reply {
        return Err(usage!("-W/--wait bounds the wait for a reply; add -r"));
    }
    if opts.escapes && opts.data.is_empty() {
        return Err(usage!(
            "-E interprets escapes in DATA; a file or stdin is sent as it is"
        ));
    }
    if matches!(addr, Addr::Fd(_)) && opts.count > 1 {
        return Err(usage!(
            "--count repeats on a new socket each time, and {addr} is one socket"
        ));
    }
    Ok(())
}

/// `--lines` cuts the payload into messages, which a stream does not keep.
fn check_kind(opts: &Options, kind: Kind, addr: &Addr) -> anyhow::Result<()> {
    if opts.frame.is_some() && kind != Kind::Stream {
        return Err(usage!(
            "--frame needs a stream socket; {addr} keeps message boundaries already"
        ));
    }
    if opts.lines && kind == Kind::Stream && opts.frame.is_none() {
        return Err(usage!(
            "--lines sends one message per line, but {addr} is a stream, which keeps no boundaries; use a datagram or seqpacket address"
        ));
    }
    Ok(())
}

/// The bytes to send: DATA, the file of `-f`, or stdin, then `-n`'s newline.
fn payload(opts: &Options, signals: &Signals) -> anyhow::Result<Vec<u8>> {
    let mut payload = if !opts.data.is_empty() {
        join(&opts.data, opts.escapes)
            .map_err(|bad| usage!("{}", bad.message("DATA", "-E knows")))?
    } else {
        match &opts.file {
            Some(path) if path.as_os_str() != "-" => read_file(path, signals)?,
            _ => read_all(
                std::io::stdin().as_fd(),
                signals,
                crate::relay::stdin_failure,
            )?,
        }
    };
    if opts.newline {
        payload.push(b'\n');
    }
    Ok(payload)
}

/// DATA arguments joined by single spaces, each one's escapes interpreted
/// on its own with `-E` (so a trailing backslash is named as such, never
/// read as an escaped space).
pub fn join(data: &[String], escapes: bool) -> Result<Vec<u8>, BadEscape> {
    let mut out = Vec::new();
    for (i, arg) in data.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if escapes {
            out.extend(escape::unescape(arg)?);
        } else {
            out.extend_from_slice(arg.as_bytes());
        }
    }
    Ok(out)
}

/// The messages of one send. A stream's payload is one run of bytes; a
/// message socket's is one message, or with `--lines` one per line without
/// its newline (an empty line is an empty message; a last line without a
/// newline is a message too; an empty payload has no lines).
pub fn messages(payload: &[u8], kind: Kind, lines: bool) -> Vec<&[u8]> {
    if !lines || kind == Kind::Stream {
        return vec![payload];
    }
    crate::pump::lines(payload).collect()
}

fn read_file(path: &std::path::Path, signals: &Signals) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let name = quote(path.as_os_str().as_bytes());
    // A file that cannot be opened, or is a directory, is an argument that
    // cannot work as written; a read failing halfway is the world failing.
    let file = std::fs::File::open(path).map_err(|e| {
        let errno = Errno::from_raw(e.raw_os_error().unwrap_or(0));
        usage!("{}", Failure::new("read file", &name, errno))
    })?;
    read_all(file.as_fd(), signals, |e| match e {
        Errno::EISDIR => usage!("{}", Failure::new("read file", &name, e)),
        _ => Failure::new("read file", &name, e).into(),
    })
}

/// Read `fd` to its end. Each read waits for readiness together with the
/// signal descriptor, so Ctrl-C ends a wait on a terminal or an idle pipe
/// even though SIGINT is blocked. A closed stdin reads as empty (the Rust
/// runtime opens /dev/null in its place); EBADF means one open only for
/// writing, an error.
fn read_all(
    fd: BorrowedFd<'_>,
    signals: &Signals,
    failure: impl Fn(Errno) -> anyhow::Error,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0; CHUNK];
    loop {
        signals.wait(Some(fd), PollFlags::POLLIN, None)?;
        match nix::unistd::read(fd, &mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(e) => return Err(failure(e)),
        }
    }
}

/// Stream and seqpacket: write every message (a stream may take a message
/// in parts), half-close, and with `-r` print what comes back until the
/// peer closes. The socket is read all along, so a peer that answers while
/// we still write (an echo) cannot stall us both; an answer nobody prints
/// (no `-r`, or stdout closed) is dropped, and `settle` says when the
/// socket may be closed without losing the payload.
fn send_connected(
    dialed: &Dialed,
    out: Outgoing<'_>,
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
    dump: &mut Option<Hexdump>,
) -> anyhow::Result<Ending> {
    let fd = &dialed.fd;
    let peer = &dialed.peer;
    let Outgoing { messages, frames } = out;
    let records = dialed.kind == Kind::Seqpacket;
    if records {
        check_limit(fd, messages, dialed.kind, peer)?;
    }
    let mut next = 0;
    let mut offset = 0;
    let mut sent = 0u64;
    let mut buf = vec![0; CHUNK];
    let mut received = 0u64;
    let mut deadline = None;
    let mut shut = false;
    let mut peer_done = false;
    let mut printing = opts.reply;
    // --frame -r: the write side stays open until one whole message is back.
    let mut collector = match (opts.frame, opts.reply) {
        (Some((format, max)), true) => Some(Collector::new(format, max)),
        _ => None,
    };
    let mut waiting = false;
    loop {
        while let Some(message) = messages.get(next) {
            let frame = frames.map(|frames| &frames[next]);
            let result = match frame {
                Some(frame) => write_parts(fd.as_fd(), Sink::Socket, &frame.parts(message), offset),
                None => socket::send(fd, &message[offset..]),
            };
            match result {
                Ok(n) => {
                    // Framed, a message is dumped whole once it is out.
                    if frame.is_none() {
                        show(
                            dump.as_mut(),
                            Direction::Sent,
                            peer,
                            &message[offset..offset + n],
                        );
                    }
                    sent += n as u64;
                    offset += n;
                    let whole = frame.map_or(message.len(), |f| f.wire_len() as usize);
                    if offset == whole || records {
                        if let (Some(dump), Some(_)) = (dump.as_mut(), frame) {
                            dump.message(Direction::Sent, peer, message);
                        }
                        next += 1;
                        offset = 0;
                    }
                }
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR) => {}
                Err(e) => return Err(send_failure(peer, dialed.kind, message.len(), e, None)),
            }
        }
        if next == messages.len() && !shut && !waiting {
            reporter.notice(format_args!("sent {sent} bytes to {peer}"));
            deadline = opts.wait.map(|wait| Instant::now() + wait);
            if collector.is_some() {
                waiting = true;
            } else {
                socket::shutdown_write(fd).map_err(|e| Failure::new("shut down", peer, e))?;
                shut = true;
            }
        }
        // A stdout closed early ends sockcat quietly, but only once the
        // payload is safe.
        if shut && !printing {
            settle(dialed, signals)?;
            return Ok(if opts.reply {
                Ending::StdoutClosed
            } else {
                Ending::Sent
            });
        }
        while !peer_done {
            // A record nobody prints may be cut: only a printed one must be whole.
            let got = if records && printing {
                socket::receive(fd, &mut buf, true)
            } else {
                nix::unistd::read(fd, &mut buf)
            };
            match got {
                Ok(0) => {
                    peer_done = true;
                    if let Some(collector) = &collector {
                        collector
                            .finish()
                            .map_err(|e| anyhow::anyhow!("receive from {peer}: {e}"))?;
                        return Err(no_reply(peer, opts.wait, received));
                    }
                }
                Ok(n) if collector.is_some() => {
                    received += n as u64;
                    let collector = collector.as_mut().expect("framing");
                    let (_, message) = collector
                        .push(&buf[..n])
                        .map_err(|e| anyhow::anyhow!("receive from {peer}: {e}"))?;
                    if let Some(mut message) = message {
                        if let Some(dump) = dump.as_mut() {
                            dump.message(Direction::Received, peer, &message);
                        }
                        // Exactly one message: what came after it is not ours.
                        message.push(b'\n');
                        write_stdout(&message, signals)?;
                        let _ = socket::shutdown_write(fd);
                        reporter.notice(format_args!(
                            "received a message of {} bytes from {peer}",
                            message.len() - 1
                        ));
                        return Ok(Ending::Sent);
                    }
                }
                Ok(n) => {
                    show(dump.as_mut(), Direction::Received, peer, &buf[..n]);
                    received += n as u64;
                    if printing && !write_stdout(&buf[..n], signals)? {
                        printing = false;
                    }
                }
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR) => {}
                Err(e) => return Err(receive_failure(peer, e)),
            }
        }
        if shut && peer_done && printing {
            reporter.notice(format_args!("received {received} bytes from {peer}"));
            if received == 0 {
                return Err(anyhow::anyhow!(
                    "send {peer}: the peer closed without replying"
                ));
            }
            settle(dialed, signals)?;
            return Ok(Ending::Sent);
        }
        let mut events = PollFlags::empty();
        if !shut && !waiting {
            events |= PollFlags::POLLOUT;
        }
        if !peer_done {
            events |= PollFlags::POLLIN;
        }
        if !signals.wait(Some(fd.as_fd()), events, deadline)? {
            return Err(no_reply(peer, opts.wait, received));
        }
    }
}

/// Datagrams: one per message, each whole or not at all, then with `-r` the
/// first datagram back.
fn send_datagrams(
    dialed: &Dialed,
    messages: &[&[u8]],
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
    dump: &mut Option<Hexdump>,
) -> anyhow::Result<Ending> {
    let fd = &dialed.fd;
    let peer = &dialed.peer;
    let limit = check_limit(fd, messages, dialed.kind, peer)?;
    let mut sent = 0u64;
    for (i, message) in messages.iter().enumerate() {
        loop {
            match socket::send(fd, message) {
                Ok(n) if n == message.len() => {
                    show(dump.as_mut(), Direction::Sent, peer, message);
                    break;
                }
                Ok(n) => {
                    return Err(anyhow::anyhow!(
                        "send to {peer}: the kernel took {n} of a {} byte datagram",
                        message.len()
                    ));
                }
                // A full send buffer, or a Unix receiver's full queue.
                Err(Errno::EAGAIN) => {
                    signals.wait(Some(fd.as_fd()), PollFlags::POLLOUT, None)?;
                }
                Err(Errno::EINTR) => {}
                Err(e) => {
                    let nothing_sent = (i == 0).then_some(limit).flatten();
                    return Err(send_failure(
                        peer,
                        dialed.kind,
                        message.len(),
                        e,
                        nothing_sent,
                    ));
                }
            }
        }
        sent += message.len() as u64;
    }
    let count = messages.len();
    let plural = if count == 1 { "" } else { "s" };
    reporter.notice(format_args!(
        "sent {sent} bytes to {peer} ({count} datagram{plural})"
    ));
    if !opts.reply {
        return Ok(Ending::Sent);
    }
    let deadline = opts.wait.map(|wait| Instant::now() + wait);
    let mut buf = vec![0; REPLY_BUF];
    loop {
        match socket::receive(fd, &mut buf, true) {
            Ok(n) => {
                show(dump.as_mut(), Direction::Received, peer, &buf[..n]);
                reporter.notice(format_args!("received {n} bytes from {peer}"));
                return Ok(if write_stdout(&buf[..n], signals)? {
                    Ending::Sent
                } else {
                    Ending::StdoutClosed
                });
            }
            Err(Errno::EAGAIN) => {
                if !signals.wait(Some(fd.as_fd()), PollFlags::POLLIN, deadline)? {
                    return Err(no_reply(peer, opts.wait, 0));
                }
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EMSGSIZE) => {
                return Err(anyhow::anyhow!(
                    "receive from {peer}: the reply is larger than the {REPLY_BUF} byte buffer; refusing to cut it"
                ));
            }
            Err(e) => return Err(receive_failure(peer, e)),
        }
    }
}

/// Refuse, before anything is sent, a message larger than one send can
/// carry, so a `--lines` payload is never half sent. Returns the limit for
/// the messages of a kernel that refuses anyway.
fn check_limit(
    fd: &OwnedFd,
    messages: &[&[u8]],
    kind: Kind,
    peer: &Addr,
) -> anyhow::Result<Option<MessageLimit>> {
    let Ok(limit) = socket::message_limit(fd) else {
        return Ok(None);
    };
    match messages.iter().map(|m| m.len()).max() {
        Some(largest) if largest > limit.bytes => {
            Err(too_large(peer, kind, largest, Some(limit), true))
        }
        _ => Ok(Some(limit)),
    }
}

fn too_large(
    peer: &Addr,
    kind: Kind,
    len: usize,
    limit: Option<MessageLimit>,
    nothing_sent: bool,
) -> anyhow::Error {
    let what = if kind == Kind::Datagram {
        "datagram"
    } else {
        "record"
    };
    let limit = limit
        .map(|l| format!(" (limit {} bytes {})", l.bytes, l.why))
        .unwrap_or_default();
    let nothing = if nothing_sent {
        "; nothing was sent"
    } else {
        ""
    };
    anyhow::anyhow!(
        "send to {peer}: a {len} byte {what} is larger than the socket can carry{limit}{nothing}"
    )
}

fn send_failure(
    peer: &Addr,
    kind: Kind,
    len: usize,
    errno: Errno,
    nothing_sent: Option<MessageLimit>,
) -> anyhow::Error {
    match errno {
        Errno::EMSGSIZE => too_large(peer, kind, len, nothing_sent, nothing_sent.is_some()),
        // UDP learns of a missing receiver from an earlier datagram's ICMP
        // port unreachable, reported on the next call.
        Errno::ECONNREFUSED => Failure::new("send to", peer, errno)
            .hint("nothing is receiving there")
            .into(),
        _ => Failure::new("send to", peer, errno).into(),
    }
}

fn receive_failure(peer: &Addr, errno: Errno) -> anyhow::Error {
    match errno {
        Errno::ECONNREFUSED => Failure::new("receive from", peer, errno)
            .hint("nothing is receiving there")
            .into(),
        Errno::EMSGSIZE => anyhow::anyhow!(
            "receive from {peer}: a reply record is larger than the {REPLY_BUF} byte buffer; refusing to cut it"
        ),
        _ => Failure::new("receive from", peer, errno).into(),
    }
}

fn no_reply(peer: &Addr, wait: Option<Duration>, received: u64) -> anyhow::Error {
    let wait = wait
        .map(|w| humantime::format_duration(w).to_string())
        .unwrap_or_default();
    let message = if received == 0 {
        format!("send {peer}: no reply within {wait}")
    } else {
        format!("send {peer}: the reply did not end within {wait} ({received} bytes came)")
    };
    TimedOut(message).into()
}

/// Wait until closing cannot lose what was sent. A TCP socket closed with
/// unread data, or receiving data once closed, resets the connection and
/// drops its unsent queue; so until the peer has acknowledged every byte and
/// our FIN, whatever it sends is read and dropped. A Unix peer already holds
/// all of it in its own queue: dropping what has arrived is enough there.
/// No timer: a peer that never acknowledges is waited for until Ctrl-C or
/// TCP gives up.
fn settle(dialed: &Dialed, signals: &Signals) -> anyhow::Result<()> {
    let fd = &dialed.fd;
    let tcp = matches!(dialed.peer, Addr::Inet { .. });
    let mut buf = vec![0; CHUNK];
    let mut peer_done = false;
    // Acknowledgements raise no poll event, so look again after a pause
    // that grows from 1 ms (loopback) to 100 ms (a slow path).
    let mut pause = Duration::from_millis(1);
    loop {
        while !peer_done {
            match nix::unistd::read(fd, &mut buf) {
                Ok(0) => peer_done = true,
                Ok(_) | Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => break,
                Err(e) => {
                    return Err(Failure::new("send to", &dialed.peer, e)
                        .hint("the peer went away before it had all of it")
                        .into());
                }
            }
        }
        if !tcp || !matches!(socket::unacknowledged(fd), Ok(n) if n > 0) {
            return Ok(());
        }
        // Once both directions are shut, poll reports POLLHUP at once; a
        // plain pause is what is wanted then.
        let readable = (!peer_done).then(|| fd.as_fd());
        signals.wait(readable, PollFlags::POLLIN, Some(Instant::now() + pause))?;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// Write all of `data` to stdout. False when its reader went away (EPIPE),
/// which ends sockcat quietly.
fn write_stdout(data: &[u8], signals: &Signals) -> anyhow::Result<bool> {
    let stdout = std::io::stdout();
    let mut rest = data;
    while !rest.is_empty() {
        match nix::unistd::write(stdout.as_fd(), rest) {
            Ok(n) => rest = &rest[n..],
            // A stdout left non-blocking by whoever shares it.
            Err(Errno::EAGAIN) => {
                signals.wait(Some(stdout.as_fd()), PollFlags::POLLOUT, None)?;
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EPIPE) => return Ok(false),
            Err(e) => return Err(Failure::new("write", "stdout", e).into()),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn data_joins_with_single_spaces() {
        assert_eq!(
            join(&strings(&["a", "b  c", ""]), false).unwrap(),
            b"a b  c "
        );
        assert_eq!(join(&strings(&[r"a\n"]), false).unwrap(), br"a\n");
        assert_eq!(join(&strings(&[]), false).unwrap(), b"");
    }

    #[test]
    fn escapes_apply_to_each_argument() {
        assert_eq!(join(&strings(&[r"PING\r\n"]), true).unwrap(), b"PING\r\n");
        assert_eq!(join(&strings(&[r"\x41", r"\t"]), true).unwrap(), b"A \t");
        // A trailing backslash is named, not read as an escaped space.
        let bad = join(&strings(&[r"a\", "b"]), true).unwrap_err();
        assert_eq!(bad.sequence, r"\");
        let bad = join(&strings(&["ok", r"\q"]), true).unwrap_err();
        assert_eq!(bad.sequence, r"\q");
    }

    #[test]
    fn a_stream_payload_is_one_run() {
        assert_eq!(
            messages(b"a\nb\n", Kind::Stream, true),
            vec![&b"a\nb\n"[..]]
        );
        assert_eq!(messages(b"", Kind::Stream, false), vec![&b""[..]]);
    }

    #[test]
    fn a_datagram_payload_is_one_message() {
        assert_eq!(
            messages(b"a\nb\n", Kind::Datagram, false),
            vec![&b"a\nb\n"[..]]
        );
        assert_eq!(messages(b"", Kind::Datagram, false), vec![&b""[..]]);
    }

    #[test]
    fn lines_are_messages_without_newlines() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"a\nb\n", &[b"a", b"b"]),
            (b"a\nb", &[b"a", b"b"]),
            (b"a\n\nb\n", &[b"a", b"", b"b"]),
            (b"\n", &[b""]),
            (b"a\r\n", &[b"a\r"]),
            (b"", &[]),
        ];
        for (payload, want) in cases {
            assert_eq!(
                messages(payload, Kind::Datagram, true),
                want.to_vec(),
                "payload {payload:?}"
            );
            assert_eq!(messages(payload, Kind::Seqpacket, true), want.to_vec());
        }
    }
}

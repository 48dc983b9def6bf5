//! One relay run: the state of both directions between stdin/stdout and
//! the socket, what moves them, and what ends the session. `relay` in the
//! parent module is its only user.

use std::io::{Stdin, Stdout};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, poll};
use nix::sys::socket::{self, MsgFlags, Shutdown};

use super::{Ending, Options, Peer, stdin_failure};
use crate::addr::{Addr, Kind};
use crate::buffer::{self, Buffer, CAPACITY, End, Memory, Path, Sink};
use crate::error::Failure;
use crate::hexdump::{self, Hexdump, show};
use crate::report::{Counts, Event, Reporter, TimedOut};
use crate::signals::{Signals, timeout_until};
use crate::socket::{
    Received, SockAddr, message_limit as socket_limit, receive_from as socket_receive,
};

/// Directions take turns after this many calls, so one busy side cannot
/// starve the other.
const TURNS: usize = 16;

/// One direction: its buffer and whether its source may give more.
struct Direction {
    buf: Buffer,
    open: bool,
}

impl Direction {
    fn new(enabled: bool, buf: Buffer) -> Direction {
        Direction { buf, open: enabled }
    }

    fn memory(&mut self) -> &mut Memory {
        match &mut self.buf {
            Buffer::Memory(m) => m,
            Buffer::Kernel(_) => {
                unreachable!("messages, CRLF and the hex dump are given memory buffers")
            }
        }
    }
}

/// Where a session broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broke {
    Stdin,
    SocketRead,
    SocketWrite,
}

/// The error that ends a session, held until what was already read has
/// been delivered where it can still go.
struct Failing {
    error: anyhow::Error,
    /// A send failed on a connection: what the kernel had already received
    /// from the peer (a reset comes after the data it follows) is read too.
    drain_socket: bool,
}

/// The state of one relay run.
pub(super) struct Session<'p, 'a> {
    peer: &'p mut Peer<'a>,
    opts: &'p Options,
    reporter: Reporter,
    stdin: Stdin,
    stdout: Stdout,
    out: Direction,
    inn: Direction,
    /// Datagram or seqpacket: one read is one message.
    messages: bool,
    /// Stream or seqpacket: there is an EOF and a half-close.
    connection: bool,
    line_mode: bool,
    largest_message: usize,
    scratch: Vec<u8>,
    peer_known: bool,
    warned_unnamed: bool,
    stdin_ended: Option<Instant>,
    last_activity: Instant,
    last_rx: Option<Instant>,
    pub(super) counts: Counts,
    dump: Option<&'p mut Hexdump>,
    /// The first failure, once there is one.
    failing: Option<Failing>,
    /// Nothing more can be sent: the socket failed.
    socket_broken: bool,
    /// The last read of the socket into an empty buffer found nothing.
    socket_dry: bool,
    /// The peer's EOF ends the session, not only its direction: stdin is a
    /// terminal (a person, who is done when the peer is) or
    /// `--exit-on-peer-eof` asked for it.
    end_at_peer_eof: bool,
    /// The kernel says the peer is gone altogether (`POLLHUP`: a Unix peer
    /// that closed), so nothing more of stdin can reach it.
    peer_gone: bool,
}

impl<'p, 'a> Session<'p, 'a> {
    pub(super) fn new(
        peer: &'p mut Peer<'a>,
        opts: &'p Options,
        reporter: Reporter,
        dump: Option<&'p mut Hexdump>,
    ) -> Self {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let messages = peer.kind != Kind::Stream;
        // Bytes we look at (messages, CRLF, the hex dump) need memory; plain
        // streams take the fastest path for what stdio is.
        let path_for = |end: End, looked_at: bool| {
            if looked_at {
                Path::Copy
            } else {
                buffer::choose(end)
            }
        };
        let dumped = dump.is_some();
        let (stdin_end, stdout_end) = (End::of(stdin.as_fd()), End::of(stdout.as_fd()));
        // A direction that never runs gets an empty memory buffer: no pipe.
        let direction = |enabled: bool, fd: BorrowedFd<'_>, end: End, looked_at: bool| {
            if !enabled {
                return Direction::new(false, Buffer::new(Path::Copy, 0));
            }
            let path = path_for(end, looked_at);
            if path == Path::Splice && end == End::Pipe {
                let _ = buffer::grow_pipe(fd, CAPACITY);
            }
            Direction::new(true, Buffer::new(path, CAPACITY))
        };
        let out = direction(
            opts.read_stdin,
            stdin.as_fd(),
            stdin_end,
            messages || opts.crlf || dumped,
        );
        let inn = direction(
            opts.read_socket,
            stdout.as_fd(),
            stdout_end,
            messages || dumped,
        );
        // Only messages have a size limit (a stream's writes may be partial).
        let largest_message = if messages {
            largest_message(peer)
        } else {
            CAPACITY
        };
        let end_at_peer_eof = opts.exit_on_peer_eof || stdin_end == End::Terminal;
        Session {
            end_at_peer_eof,
            peer_gone: false,
            largest_message,
            scratch: if opts.crlf {
                vec![0u8; CAPACITY / 2]
            } else {
                Vec::new()
            },
            messages,
            connection: peer.kind != Kind::Datagram,
            line_mode: messages && opts.lines,
            peer_known: !peer.adopt_first_sender,
            peer,
            opts,
            reporter,
            stdin,
            stdout,
            out,
            inn,
            warned_unnamed: false,
            stdin_ended: None,
            last_activity: Instant::now(),
            last_rx: None,
            counts: Counts::default(),
            dump,
            failing: None,
            socket_broken: false,
            socket_dry: false,
        }
    }

    pub(super) fn run(&mut self, signals: &Signals) -> anyhow::Result<Ending> {
        loop {
            self.send()?;
            if let Some(ending) = self.receive()? {
                return match self.failing.take() {
                    Some(failing) => Err(failing.error),
                    None => Ok(ending),
                };
            }
            if self.settled()
                && let Some(failing) = self.failing.take()
            {
                return Err(failing.error);
            }
            if let Some(ending) = self.ended()? {
                return Ok(ending);
            }
            // A wait that saw nothing ready for the whole idle time ends it
            // there, as in nc: trying the sockets first could move a few
            // bytes into buffers that grew while nobody read them, and
            // restart the timer.
            if !self.wait(signals)? && self.idle_passed() {
                return Err(self
                    .failing
                    .take()
                    .map_or_else(|| self.idle_error(), |failing| failing.error));
            }
        }
    }

    fn idle_passed(&self) -> bool {
        self.opts
            .idle
            .is_some_and(|idle| Instant::now() >= self.last_activity + idle)
    }

    fn idle_error(&self) -> anyhow::Error {
        let idle = self.opts.idle.unwrap_or_default();
        TimedOut(format!(
            "session with {}: no data for {} (idle timeout)",
            self.peer.name,
            humantime::format_duration(idle)
        ))
        .into()
    }

    fn sock(&self) -> BorrowedFd<'a> {
        self.peer.fd.as_fd()
    }

    /// Record a failure; the first one is the one reported. The broken
    /// side stops, the rest drains (see `settled`).
    fn fail(&mut self, error: anyhow::Error, broke: Broke) {
        self.out.open = false;
        match broke {
            Broke::Stdin => {}
            Broke::SocketRead => {
                self.inn.open = false;
                self.socket_broken = true;
            }
            Broke::SocketWrite => self.socket_broken = true,
        }
        if self.failing.is_none() {
            self.failing = Some(Failing {
                error,
                drain_socket: broke == Broke::SocketWrite && self.connection,
            });
        }
    }

    /// Whether a failed session has delivered all it can: no bytes held for
    /// an end that still works, and after a failed send on a connection,
    /// the socket read until it ends or has nothing more.
    fn settled(&self) -> bool {
        let Some(failing) = &self.failing else {
            return false;
        };
        let out_waits = !self.socket_broken && self.out.buf.pending();
        let socket_waits = failing.drain_socket && self.inn.open && !self.socket_dry;
        !out_waits && !self.inn.buf.pending() && !socket_waits
    }

    /// Move what can move from stdin to the socket without blocking.
    fn send(&mut self) -> anyhow::Result<()> {
        if self.socket_broken {
            return Ok(());
        }
        let looked_at = self.messages || self.opts.crlf;
        for _ in 0..TURNS {
            let moved = if looked_at {
                self.send_message()?
            } else {
                self.send_stream()?
            };
            if !moved {
                break;
            }
            self.last_activity = Instant::now();
        }
        Ok(())
    }

    fn send_stream(&mut self) -> anyhow::Result<bool> {
        let mut moved = false;
        if self.out.buf.pending() {
            let sock = self.sock();
            let (peer, dump) = (&self.peer.name, &mut self.dump);
            let mut seen =
                |bytes: &[u8]| show(dump.as_deref_mut(), hexdump::Direction::Sent, peer, bytes);
            match self.out.buf.drain_seen(sock, Sink::Socket, &mut seen) {
                Ok(n) => {
                    self.counts.tx += n as u64;
                    moved = true;
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(e) => {
                    self.fail(send_failure(&self.peer.name, e, 0), Broke::SocketWrite);
                    return Ok(false);
                }
            }
        }
        if self.out.open
            && self.out.buf.has_room()
            && (!self.out.buf.pending() || self.out.buf.is_kernel())
        {
            match self.out.buf.fill(self.stdin.as_fd()) {
                Ok(0) => self.out.open = false,
                Ok(_) => moved = true,
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(e) => {
                    self.fail(stdin_failure(e), Broke::Stdin);
                    // What was read before still goes out.
                    return Ok(true);
                }
            }
        }
        Ok(moved)
    }

    /// Message sockets and CRLF: the bytes pass through our memory, a whole
    /// message (or line) per send.
    fn send_message(&mut self) -> anyhow::Result<bool> {
        let line_mode = self.line_mode;
        let at_end = !self.out.open;
        let sock = self.sock().as_raw_fd();
        if let Some(chunk) = next_chunk(self.out.memory(), line_mode, at_end) {
            let len = chunk.len();
            return match socket::send(sock, chunk, MsgFlags::MSG_NOSIGNAL) {
                Ok(sent) => {
                    self.counts.tx += sent as u64;
                    if let Buffer::Memory(memory) = &self.out.buf {
                        show(
                            self.dump.as_deref_mut(),
                            hexdump::Direction::Sent,
                            &self.peer.name,
                            &memory.data()[..sent],
                        );
                    }
                    let memory = self.out.memory();
                    let newline = line_mode && memory.data().get(sent) == Some(&b'\n');
                    memory.consume(sent + usize::from(newline));
                    Ok(true)
                }
                Err(Errno::EAGAIN | Errno::EINTR) => Ok(false),
                Err(e) => {
                    self.fail(send_failure(&self.peer.name, e, len), Broke::SocketWrite);
                    Ok(false)
                }
            };
        }
        if !self.out.open || !self.peer_known {
            return Ok(false);
        }
        // One read is one message unless lines split them, so it reads into
        // an empty buffer and no more than a message can carry.
        let room = if self.messages && !line_mode {
            self.largest_message
        } else {
            usize::MAX
        };
        let result = if self.opts.crlf {
            read_crlf(
                self.stdin.as_fd(),
                self.out.memory(),
                &mut self.scratch,
                room,
            )
        } else {
            let spare = self.out.memory().spare();
            let take = spare.len().min(room);
            nix::unistd::read(self.stdin.as_fd(), &mut spare[..take])
                .inspect(|&n| self.out.memory().commit(n))
        };
        match result {
            Ok(0) => {
                self.out.open = false;
                Ok(true)
            }
            Ok(_) => Ok(true),
            Err(Errno::EAGAIN | Errno::EINTR) => Ok(false),
            Err(e) => {
                self.fail(stdin_failure(e), Broke::Stdin);
                Ok(true)
            }
        }
    }

    /// Move what can move from the socket to stdout without blocking.
    fn receive(&mut self) -> anyhow::Result<Option<Ending>> {
        for _ in 0..TURNS {
            let mut moved = false;
            if self.inn.buf.pending() {
                match self.inn.buf.drain(self.stdout.as_fd(), Sink::Stdio) {
                    Ok(_) => moved = true,
                    Err(Errno::EAGAIN | Errno::EINTR) => {}
                    Err(Errno::EPIPE) => return Ok(Some(Ending::StdoutClosed)),
                    Err(e) => return Err(Failure::new("write", "stdout", e).into()),
                }
            }
            let empty = !self.inn.buf.pending();
            let may_fill = empty || (!self.messages && self.inn.buf.is_kernel());
            if self.inn.open && self.inn.buf.has_room() && may_fill {
                let received = if self.messages {
                    self.receive_message()
                } else {
                    let sock = self.sock();
                    let (peer, dump) = (&self.peer.name, &mut self.dump);
                    let mut seen = |bytes: &[u8]| {
                        show(
                            dump.as_deref_mut(),
                            hexdump::Direction::Received,
                            peer,
                            bytes,
                        )
                    };
                    self.inn.buf.fill_seen(sock, &mut seen)
                };
                match received {
                    Ok(0) if self.connection => self.inn.open = false,
                    Ok(n) => {
                        self.counts.rx += n as u64;
                        self.last_rx = Some(Instant::now());
                        self.socket_dry = false;
                        moved = true;
                    }
                    Err(Errno::EAGAIN) => self.socket_dry |= empty,
                    Err(Errno::EINTR) => {}
                    // Whatever came before the error is still written out.
                    Err(Errno::EMSGSIZE) => {
                        let error = anyhow::anyhow!(
                            "receive from {}: a message larger than the {} byte buffer; refusing to cut it",
                            self.peer.name,
                            self.inn.memory().capacity()
                        );
                        self.fail(error, Broke::SocketRead);
                    }
                    Err(e) => {
                        let error = Failure::new("receive from", &self.peer.name, e).into();
                        self.fail(error, Broke::SocketRead);
                    }
                }
            }
            if !moved {
                break;
            }
            self.last_activity = Instant::now();
        }
        Ok(None)
    }

    /// One datagram or seqpacket record, whole: a message the kernel had to
    /// cut (`MSG_TRUNC`) is an error, never a silently shortened message. The
    /// first sender with an address becomes the peer when we are to adopt one.
    fn receive_message(&mut self) -> nix::Result<usize> {
        let sock = self.sock();
        let unix = matches!(self.peer.name, Addr::Unix { .. });
        let admit = self.peer.admit;
        let with_credentials = admit.is_some_and(|a| a.has_unix_rules());
        let spare = self.inn.memory().spare();
        let Received {
            len: n,
            from,
            credentials: cred,
        } = socket_receive(sock, unix, spare, with_credentials)?;
        // EINTR below means "nothing delivered, try again".
        if let Some(access) = admit {
            let name = from
                .as_ref()
                .map_or_else(|| self.peer.name.clone(), |sa| sa.to_addr(self.peer.kind));
            if let Err(why) = access.check(&name, cred) {
                let who = cred.map(|c| format!(" ({c})")).unwrap_or_default();
                self.reporter
                    .notice(format_args!("dropped a datagram from {name}{who}: {why}"));
                return Err(Errno::EINTR);
            }
        }
        if let Some(from) = &from
            && !self.peer_known
        {
            self.adopt(from)?;
        } else if let Some(from) = &from
            && self.peer.adopt_first_sender
            && from.to_addr(self.peer.kind) != self.peer.name
        {
            // Queued by someone else before we adopted our peer (the connect
            // that filters others came too late for it): dropped.
            return Err(Errno::EINTR);
        }
        self.inn.memory().commit(n);
        if let Buffer::Memory(memory) = &self.inn.buf {
            show(
                self.dump.as_deref_mut(),
                hexdump::Direction::Received,
                &self.peer.name,
                memory.data(),
            );
        }
        Ok(n)
    }

    fn adopt(&mut self, from: &SockAddr) -> nix::Result<()> {
        if from.is_unnamed() {
            if !self.warned_unnamed {
                self.reporter.report(Event::Notice {
                    message: "datagram from a sender with no address: replies cannot reach it"
                        .into(),
                });
                self.warned_unnamed = true;
            }
            return Ok(());
        }
        // Connected, the kernel drops datagrams from anyone else.
        socket::connect(self.sock().as_raw_fd(), from.as_dyn())?;
        self.peer.name = from.to_addr(self.peer.kind);
        self.reporter.report(Event::Accepted {
            peer: &self.peer.name,
            credentials: None,
        });
        self.peer_known = true;
        Ok(())
    }

    /// What has ended, and what that ends.
    fn ended(&mut self) -> anyhow::Result<Option<Ending>> {
        let opts = self.opts;
        if self.failing.is_some() {
            // Draining before an error: only the idle timer can end it sooner.
            let idle = self.idle_passed();
            return match self.failing.take_if(|_| idle) {
                Some(failing) => Err(failing.error),
                None => Ok(None),
            };
        }
        if !self.out.open && !self.out.buf.pending() && self.stdin_ended.is_none() {
            self.stdin_ended = Some(Instant::now());
            if self.connection && opts.shutdown_on_eof {
                match socket::shutdown(self.sock().as_raw_fd(), Shutdown::Write) {
                    Ok(()) | Err(Errno::ENOTCONN) => {}
                    Err(e) => return Err(Failure::new("shut down", &self.peer.name, e).into()),
                }
            }
        }
        let sent_all = self.stdin_ended.is_some();
        // A socket we never read (--send-only) has not ended: only stdin can
        // end such a session.
        let received_all = opts.read_socket && !self.inn.open && !self.inn.buf.pending();
        // The peer's EOF ends only what the peer sends; stdin goes on to it
        // (a file sent to a receiver whose own stdin is /dev/null must arrive
        // whole), unless nothing more of stdin can be meant for it.
        let peer_done = received_all && (sent_all || self.end_at_peer_eof || self.peer_gone);
        if (!opts.read_socket && sent_all) || (self.connection && peer_done) {
            return Ok(Some(Ending::Finished));
        }
        let now = Instant::now();
        if self.quit_at().is_some_and(|t| now >= t) && !self.inn.buf.pending() {
            return Ok(Some(Ending::Finished));
        }
        if self.idle_passed() {
            return Err(self.idle_error());
        }
        Ok(None)
    }

    /// When `-q` ends the session: a stream that long after stdin ended, a
    /// datagram session after that much silence since then.
    fn quit_at(&self) -> Option<Instant> {
        let (eof, wait) = (self.stdin_ended?, self.opts.quit_after?);
        if self.connection && !self.opts.read_stdin {
            return None;
        }
        let base = if self.connection {
            eof
        } else {
            self.last_rx.map_or(eof, |rx| rx.max(eof))
        };
        Some(base + wait)
    }

    /// Sleep until something can move, a timer is due or a signal arrives;
    /// says whether a descriptor (other than the signals') was ready.
    fn wait(&mut self, signals: &Signals) -> anyhow::Result<bool> {
        let mut sock_events = PollFlags::empty();
        let mut fds = vec![PollFd::new(signals.fd(), PollFlags::POLLIN)];
        let out_pending = if self.messages || self.opts.crlf {
            next_chunk_ready(&self.out, self.line_mode)
        } else {
            self.out.buf.pending()
        };
        if out_pending && !self.socket_broken {
            sock_events |= PollFlags::POLLOUT;
        }
        if self.out.open
            && self.peer_known
            && self.out.buf.has_room()
            && (!out_pending || self.out.buf.is_kernel())
        {
            fds.push(PollFd::new(self.stdin.as_fd(), PollFlags::POLLIN));
        }
        if self.inn.buf.pending() {
            fds.push(PollFd::new(self.stdout.as_fd(), PollFlags::POLLOUT));
        }
        if self.inn.open
            && self.inn.buf.has_room()
            && (!self.inn.buf.pending() || (!self.messages && self.inn.buf.is_kernel()))
        {
            sock_events |= PollFlags::POLLIN;
        }
        // After the peer's EOF the socket stays watched for its hang-up
        // (reported whatever the events asked), which says the peer is gone.
        let watch_hangup =
            self.connection && self.opts.read_socket && !self.inn.open && !self.peer_gone;
        let sock_at = fds.len();
        if !sock_events.is_empty() || watch_hangup {
            fds.push(PollFd::new(self.sock(), sock_events));
        }
        let idle_at = self.opts.idle.map(|idle| self.last_activity + idle);
        let deadline = [self.quit_at(), idle_at].into_iter().flatten().min();
        match poll(&mut fds, timeout_until(deadline)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::new("poll", "descriptors", e).into()),
        }
        if fds[0].any().unwrap_or(false) {
            signals.check()?;
        }
        let hung_up = fds
            .get(sock_at)
            .and_then(PollFd::revents)
            .is_some_and(|r| r.contains(PollFlags::POLLHUP));
        let ready = fds[1..].iter().any(|fd| fd.any().unwrap_or(false));
        drop(fds);
        self.peer_gone |= hung_up;
        Ok(ready)
    }
}

/// What to send next from a memory buffer: all pending bytes, or in line
/// mode the next complete line without its newline (at the end of input,
/// or when a line fills the whole buffer, what is there counts as a line).
fn next_chunk(memory: &Memory, line_mode: bool, at_end: bool) -> Option<&[u8]> {
    let data = memory.data();
    if !line_mode {
        return (!data.is_empty()).then_some(data);
    }
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => Some(&data[..i]),
        None if (at_end && !data.is_empty()) || memory.full() => Some(data),
        None => None,
    }
}

fn next_chunk_ready(out: &Direction, line_mode: bool) -> bool {
    match &out.buf {
        Buffer::Memory(m) => next_chunk(m, line_mode, !out.open).is_some(),
        Buffer::Kernel(_) => out.buf.pending(),
    }
}

/// Read stdin into `memory`, LF becoming CRLF, at most `room` bytes after expansion.
fn read_crlf(
    stdin: BorrowedFd<'_>,
    memory: &mut Memory,
    scratch: &mut [u8],
    room: usize,
) -> nix::Result<usize> {
    let spare = memory.spare().len().min(room);
    let take = (spare / 2).min(scratch.len());
    let n = nix::unistd::read(stdin, &mut scratch[..take])?;
    let written = super::crlf(&scratch[..n], memory.spare());
    memory.commit(written);
    Ok(n)
}

/// How much one read of stdin may take when it becomes one message.
fn largest_message(peer: &Peer<'_>) -> usize {
    socket_limit(peer.fd)
        .map_or(CAPACITY, |limit| limit.bytes)
        .clamp(1, CAPACITY)
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

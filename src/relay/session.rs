//! One relay run: two `Pump`s (stdin to the peer, the peer to stdout)
//! driven by one `EventLoop`, what a datagram peer is and who it may be,
//! and what ends the session. `relay` in the parent module is its only
//! user.

use std::io::{Stdin, Stdout};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Instant;

use nix::errno::Errno;

use super::{Adopt, Ending, Options, Peer, stdin_failure};
use crate::addr::{Addr, Kind};
use crate::buffer::{self, CAPACITY, End, Route};
use crate::error::Failure;
use crate::event_loop::{EventLoop, Readiness, Token};
use crate::hexdump::{self, Hexdump, show};
use crate::pump::{Pump, Sink, Transform};
use crate::report::{Counts, Event, Reporter, TimedOut};
use crate::socket::{self, Received, SockAddr};

/// Rounds of both directions before the loop looks at its descriptors
/// (and signals) again, so a transfer that never waits still hears SIGINT.
const TURNS: usize = 16;

const STDIN: Token = 1;
const STDOUT: Token = 2;
const SOCKET: Token = 3;

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
    /// How much more of the socket is read first.
    drain: Drain,
}

/// What a failing session still reads from the socket before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drain {
    /// Nothing more.
    Nothing,
    /// A send failed on a connection: what the kernel had already received
    /// from the peer (a reset comes after the data it follows).
    Received,
    /// `--frame` refused a line: stdin ended there, and the peer is heard
    /// out as at any end of stdin, until it closes.
    ToEnd,
}

/// What the loop last heard of each descriptor.
#[derive(Default)]
struct Ready {
    stdin: Readiness,
    stdout: Readiness,
    socket: Readiness,
}

/// A datagram socket's peer as it becomes known (see `Adopt`).
struct Sender {
    /// There is a peer to send stdin to.
    known: bool,
    warned_unnamed: bool,
    /// `Adopt::Latest`: where stdin goes now, and its name.
    latest: Option<(SockAddr, Addr)>,
}

/// The state of one relay run.
pub(super) struct Session<'p, 'a> {
    peer: &'p mut Peer<'a>,
    opts: &'p Options,
    reporter: Reporter,
    stdin: Stdin,
    stdout: Stdout,
    to_peer: Pump,
    from_peer: Pump,
    ready: Ready,
    /// Stream or seqpacket: there is an EOF and a half-close.
    connection: bool,
    /// Datagram or seqpacket: one read of the socket is one message.
    messages: bool,
    sender: Sender,
    /// The peer's EOF ends the session, not only its direction: stdin is a
    /// terminal (a person, who is done when the peer is) or
    /// `--exit-on-peer-eof` asked for it.
    end_at_peer_eof: bool,
    stdin_ended: Option<Instant>,
    last_activity: Instant,
    last_rx: Option<Instant>,
    dump: Option<&'p mut Hexdump>,
    /// The first failure, once there is one.
    failing: Option<Failing>,
    /// Nothing more can be sent: the socket failed.
    socket_broken: bool,
    /// The last read of the socket into an empty buffer found nothing.
    socket_dry: bool,
}

impl<'p, 'a> Session<'p, 'a> {
    pub(super) fn new(
        peer: &'p mut Peer<'a>,
        opts: &'p Options,
        reporter: Reporter,
        dump: Option<&'p mut Hexdump>,
    ) -> anyhow::Result<Self> {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let messages = peer.kind != Kind::Stream;
        let (stdin_end, stdout_end) = (End::of(stdin.as_fd()), End::of(stdout.as_fd()));
        let forced = buffer::forced_route()?;
        let route_for = |fd: BorrowedFd<'_>, end: End| {
            let route = forced.unwrap_or_else(|| buffer::choose(end));
            if route == Route::Splice && end == End::Pipe {
                let _ = buffer::grow_pipe(fd, CAPACITY);
            }
            route
        };
        // The hex dump must see the bytes: memory.
        let dumped = dump.is_some();
        if opts.frame.is_some() && messages {
            return Err(crate::usage!(
                "--frame needs a stream socket; {} keeps message boundaries already",
                peer.name
            ));
        }
        let to_peer = if let (Some((format, max)), true) = (opts.frame, opts.read_stdin) {
            Pump::framing(format, max)
        } else if opts.read_stdin {
            let transform = match (opts.crlf, messages && opts.lines) {
                (true, _) => Transform::Crlf,
                (false, true) => Transform::SplitLines,
                (false, false) => Transform::Plain,
            };
            let route = if dumped {
                Route::Copy
            } else {
                route_for(stdin.as_fd(), stdin_end)
            };
            let pump = Pump::new(route, CAPACITY, transform, messages);
            // One read of stdin is one message: no more than one can carry.
            if messages {
                pump.with_limit(largest_message(peer))
            } else {
                pump
            }
        } else {
            Pump::idle()
        };
        let from_peer = if let (Some((format, max)), true) = (opts.frame, opts.read_socket) {
            Pump::unframing(format, max, CAPACITY)
        } else if opts.read_socket {
            let transform = if messages && opts.lines {
                Transform::TerminateLines
            } else {
                Transform::Plain
            };
            let route = if dumped {
                Route::Copy
            } else {
                route_for(stdout.as_fd(), stdout_end)
            };
            Pump::new(route, CAPACITY, transform, messages)
        } else {
            Pump::idle()
        };
        Ok(Session {
            end_at_peer_eof: opts.exit_on_peer_eof || stdin_end == End::Terminal,
            messages,
            connection: peer.kind != Kind::Datagram,
            sender: Sender {
                known: peer.adopt == Adopt::Fixed,
                warned_unnamed: false,
                latest: None,
            },
            peer,
            opts,
            reporter,
            stdin,
            stdout,
            to_peer,
            from_peer,
            ready: Ready::default(),
            stdin_ended: None,
            last_activity: Instant::now(),
            last_rx: None,
            dump,
            failing: None,
            socket_broken: false,
            socket_dry: false,
        })
    }

    /// Bytes moved so far: received from and sent to the peer.
    pub(super) fn counts(&self) -> Counts {
        Counts {
            rx: self.from_peer.received,
            tx: self.to_peer.sent,
            // Messages written out of the unframing pump are the ones
            // received; out of the framing pump, the ones sent.
            messages: self
                .opts
                .frame
                .map(|_| (self.from_peer.whole_messages, self.to_peer.whole_messages)),
        }
    }

    /// The routes the directions took (they can fall back to copies on the
    /// way), for `-v`: to the peer, from the peer.
    pub(super) fn routes(&self) -> (Option<Route>, Option<Route>) {
        let route = |pump: &Pump, used: bool| used.then(|| pump.route());
        (
            route(&self.to_peer, self.opts.read_stdin),
            route(&self.from_peer, self.opts.read_socket),
        )
    }

    pub(super) fn run(&mut self, events: &mut EventLoop<'_>) -> anyhow::Result<Ending> {
        if self.opts.read_stdin {
            self.ready.stdin = events.add(self.stdin.as_fd(), STDIN, "stdin")?;
        }
        if self.opts.read_socket {
            self.ready.stdout = events.add(self.stdout.as_fd(), STDOUT, "stdout")?;
        }
        self.ready.socket = events.add(self.sock(), SOCKET, &self.peer.name.to_string())?;
        loop {
            let mut moved = false;
            for _ in 0..TURNS {
                let sent = self.send();
                let received = match self.receive()? {
                    Ok(received) => received,
                    Err(ending) => {
                        return match self.failing.take() {
                            Some(failing) => Err(failing.error),
                            None => Ok(ending),
                        };
                    }
                };
                if !(sent || received) {
                    break;
                }
                moved = true;
            }
            if moved {
                self.last_activity = Instant::now();
            }
            if self.settled()
                && let Some(failing) = self.failing.take()
            {
                return Err(failing.error);
            }
            if let Some(ending) = self.ended()? {
                return Ok(ending);
            }
            let deadline = if self.can_move() {
                Some(Instant::now())
            } else {
                self.deadline()
            };
            events.wait(deadline)?;
            let mut news = false;
            for (token, flags) in events.events() {
                news = true;
                match token {
                    STDIN => self.ready.stdin.update(flags),
                    STDOUT => self.ready.stdout.update(flags),
                    SOCKET => self.ready.socket.update(flags),
                    _ => {}
                }
            }
            // A wait that saw nothing for the whole idle time ends it there,
            // as in nc.
            if !news && !moved && self.idle_passed() {
                return Err(self
                    .failing
                    .take()
                    .map_or_else(|| self.idle_error(), |failing| failing.error));
            }
        }
    }

    /// Whether a direction can move without waiting for the kernel.
    fn can_move(&self) -> bool {
        let send = !self.socket_broken
            && ((self.to_peer.ready() && self.ready.socket.writable)
                || (self.to_peer.wants_fill() && self.sender.known && self.ready.stdin.readable));
        let receive = (self.from_peer.holds() && self.ready.stdout.writable)
            || (self.from_peer.wants_fill() && self.ready.socket.readable);
        send || receive
    }

    /// When the loop must wake with nothing to read or write: `-q`, `-i`.
    fn deadline(&self) -> Option<Instant> {
        let idle_at = self.opts.idle.map(|idle| self.last_activity + idle);
        [self.quit_at(), idle_at].into_iter().flatten().min()
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
        self.to_peer.open = false;
        match broke {
            Broke::Stdin => {}
            Broke::SocketRead => {
                self.from_peer.open = false;
                self.socket_broken = true;
            }
            Broke::SocketWrite => self.socket_broken = true,
        }
        if self.failing.is_none() {
            let drain = if broke == Broke::SocketWrite && self.connection {
                Drain::Received
            } else {
                Drain::Nothing
            };
            self.failing = Some(Failing { error, drain });
        }
    }

    /// `--frame`: a line that cannot be a message ends stdin there. None of
    /// it is sent; the write side is shut as at any end of stdin, so the
    /// peer learns there is no more; what it sends is printed until it
    /// closes (replies to the lines before may still be on their way);
    /// then the session fails with `error`. Waiting only for what had
    /// already arrived would print those replies or not by a race, and
    /// would wait for nothing at all from a peer that stays silent.
    fn refuse_line(&mut self, error: anyhow::Error) {
        self.to_peer.open = false;
        self.socket_broken = true;
        if self.connection && self.opts.shutdown_on_eof {
            let _ = socket::shutdown_write(self.peer.fd);
        }
        if self.failing.is_none() {
            self.failing = Some(Failing {
                error,
                drain: Drain::ToEnd,
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
        let out_waits = !self.socket_broken && self.to_peer.holds();
        let socket_waits = match failing.drain {
            Drain::Nothing => false,
            Drain::Received => self.from_peer.open && !self.socket_dry,
            Drain::ToEnd => self.from_peer.open,
        };
        !out_waits && !self.from_peer.holds() && !socket_waits
    }

    /// One step from stdin to the peer: write what is held, then read more.
    /// Says whether anything moved.
    fn send(&mut self) -> bool {
        if self.socket_broken {
            return false;
        }
        let mut moved = false;
        if self.to_peer.ready() && self.ready.socket.writable {
            let len = self.to_peer.next_len();
            let sock = self.sock();
            let latest = self.sender.latest.as_ref();
            let peer = latest.map_or(&self.peer.name, |(_, name)| name);
            let dump = &mut self.dump;
            let framed = self.opts.frame.is_some();
            let mut seen = |bytes: &[u8]| match dump.as_deref_mut() {
                Some(dump) if framed => dump.message(hexdump::Direction::Sent, peer, bytes),
                dump => show(dump, hexdump::Direction::Sent, peer, bytes),
            };
            let result = match latest {
                Some((to, _)) => self
                    .to_peer
                    .drain_message(|chunk| socket::send_to(sock, chunk, to), &mut seen),
                None => self.to_peer.drain(sock, Sink::Socket, &mut seen),
            };
            match result {
                Ok(_) => moved = true,
                Err(Errno::EAGAIN) => self.ready.socket.filled(),
                Err(Errno::EINTR) => {}
                // --frame: a line too long to be a message; none of it went.
                Err(Errno::EMSGSIZE) if self.opts.frame.is_some() => {
                    let why = self.to_peer.take_refusal().map(|e| e.to_string());
                    let error = anyhow::anyhow!(
                        "send to {}: {}",
                        self.peer.name,
                        why.unwrap_or_else(|| "message too long".into())
                    );
                    self.refuse_line(error);
                    return false;
                }
                // A sender that went away costs only its reply.
                Err(e) if latest.is_some() => {
                    let name = latest.map(|(_, name)| name.to_string()).unwrap_or_default();
                    self.reporter.notice(format_args!(
                        "send to {name}: {}",
                        crate::error::describe(e)
                    ));
                    self.to_peer.skip_message();
                    moved = true;
                }
                Err(e) => {
                    let error = send_failure(&self.peer.name, e, len);
                    self.fail(error, Broke::SocketWrite);
                    return false;
                }
            }
        }
        if self.to_peer.wants_fill() && self.sender.known && self.ready.stdin.readable {
            match self.to_peer.fill(self.stdin.as_fd(), &mut |_| {}) {
                Ok(_) => moved = true,
                Err(Errno::EAGAIN) => self.ready.stdin.drained(),
                Err(Errno::EINTR) => {}
                Err(e) => {
                    self.fail(stdin_failure(e), Broke::Stdin);
                    // What was read before still goes out.
                    moved = true;
                }
            }
        }
        moved
    }

    /// One step from the peer to stdout: write what is held, then read
    /// more. `Err` is an ending (stdout closed).
    fn receive(&mut self) -> anyhow::Result<Result<bool, Ending>> {
        let mut moved = false;
        // --frame: a stream that went wrong ends the session once the whole
        // messages before the fault are out.
        if self.failing.is_none()
            && let Some(e) = self.from_peer.unframe_error()
        {
            let error = anyhow::anyhow!("receive from {}: {e}", self.peer.name);
            self.fail(error, Broke::SocketRead);
        }
        if self.from_peer.holds() && self.ready.stdout.writable {
            // Only --frame shows bytes here (one message per chunk); plain
            // bytes were shown as they came from the socket.
            let (peer, dump) = (&self.peer.name, &mut self.dump);
            let framed = self.opts.frame.is_some();
            let mut seen = |bytes: &[u8]| match dump.as_deref_mut() {
                Some(dump) if framed => dump.message(hexdump::Direction::Received, peer, bytes),
                _ => {}
            };
            match self
                .from_peer
                .drain(self.stdout.as_fd(), Sink::Stdio, &mut seen)
            {
                Ok(_) => moved = true,
                Err(Errno::EAGAIN) => self.ready.stdout.filled(),
                Err(Errno::EINTR) => {}
                Err(Errno::EPIPE) => return Ok(Err(Ending::StdoutClosed)),
                Err(e) => return Err(Failure::new("write", "stdout", e).into()),
            }
        }
        if !(self.from_peer.wants_fill() && self.ready.socket.readable) {
            return Ok(Ok(moved));
        }
        let empty = !self.from_peer.holds();
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
                );
            };
            if self.ready.socket.urgent {
                self.from_peer.fill_past_urgent(sock, &mut seen)
            } else {
                self.from_peer.fill(sock, &mut seen)
            }
        };
        match received {
            Ok(n) => {
                if n > 0 {
                    self.last_rx = Some(Instant::now());
                }
                self.socket_dry = false;
                moved = true;
            }
            Err(Errno::EAGAIN) => {
                self.ready.socket.drained();
                self.socket_dry |= empty;
            }
            // A datagram dropped (refused sender) was still taken: read on.
            Err(Errno::EINTR) => moved = self.messages,
            // A reply of ours that bounced (ICMP port unreachable): the
            // sender it was for has gone, the listener goes on.
            Err(Errno::ECONNREFUSED) if self.peer.adopt == Adopt::Latest => moved = true,
            // Whatever came before the error is still written out.
            Err(Errno::EMSGSIZE) => {
                let why = socket::too_large(self.from_peer.capacity());
                let error = anyhow::anyhow!("receive from {}: {why}", self.peer.name);
                self.fail(error, Broke::SocketRead);
            }
            Err(e) => {
                let error = Failure::new("receive from", &self.peer.name, e).into();
                self.fail(error, Broke::SocketRead);
            }
        }
        Ok(Ok(moved))
    }

    /// One datagram or seqpacket record, whole: a message the kernel had to
    /// cut (`MSG_TRUNC`) is an error, never a silently shortened message.
    /// Senders the access rules refuse are dropped (`EINTR`: nothing
    /// delivered, read on); the first sender with an address becomes the
    /// peer when we are to adopt one. On seqpacket an empty record is the
    /// end: it cannot be told from one.
    fn receive_message(&mut self) -> nix::Result<usize> {
        let sock = self.sock();
        let unix = matches!(self.peer.name, Addr::Unix { .. });
        let admit = self.peer.admit;
        // A listener's socket asked for them (`SO_PASSCRED`): who sent is
        // shown, and checked when there are rules.
        let with_credentials = unix && self.peer.adopt != Adopt::Fixed;
        let (name, kind, reporter) = (&self.peer.name, self.peer.kind, self.reporter);
        let adopting = self.peer.adopt == Adopt::First;
        let known = self.sender.known;
        let mut sender = None;
        let mut who = None;
        let n = self.from_peer.fill_message(
            |spare| {
                let Received {
                    len,
                    from,
                    credentials,
                } = socket::receive_from(sock, unix, spare, with_credentials)?;
                let from_name = from.as_ref().map(|sa| sa.to_addr(kind));
                if let Some(access) = admit {
                    let shown = from_name.as_ref().unwrap_or(name);
                    if let Err(why) = access.check(shown, credentials) {
                        let who = credentials.map(|c| format!(" ({c})")).unwrap_or_default();
                        reporter
                            .notice(format_args!("dropped a datagram from {shown}{who}: {why}"));
                        return Err(Errno::EINTR);
                    }
                }
                who = credentials;
                // Queued by someone else before we adopted our peer (the
                // connect that filters others came too late for it): dropped.
                if adopting && known && from_name.as_ref().is_some_and(|f| f != name) {
                    return Err(Errno::EINTR);
                }
                sender = from;
                Ok(len)
            },
            &mut |_| {},
        )?;
        if n == 0 && self.connection {
            self.from_peer.open = false;
        }
        match (self.peer.adopt, sender) {
            (Adopt::First, Some(from)) if !self.sender.known => self.adopt(&from, who),
            (Adopt::Latest, Some(from)) => self.follow(from, who),
            _ => {}
        }
        let message = self.from_peer.last_message();
        show(
            self.dump.as_deref_mut(),
            hexdump::Direction::Received,
            &self.peer.name,
            message,
        );
        Ok(n)
    }

    /// The first sender with an address becomes the peer: the socket is
    /// connected to it, so the kernel drops datagrams from anyone else and
    /// stdin goes to it. A sender that is already gone (a one-shot `send`)
    /// cannot be connected to: its datagram was printed all the same, and
    /// the next sender is tried.
    fn adopt(&mut self, from: &SockAddr, who: Option<crate::access::Credentials>) {
        let name = from.to_addr(self.peer.kind);
        if self.unnamed(from) {
            return;
        }
        if let Err(e) = socket::connect_to(self.sock(), from) {
            self.reporter.notice(format_args!(
                "cannot reply to {name}: {}; the next sender becomes the peer",
                crate::error::describe(e)
            ));
            return;
        }
        self.peer.name = name;
        self.reporter.report(Event::Accepted {
            peer: &self.peer.name,
            credentials: who,
        });
        self.sender.known = true;
    }

    /// A sender with no address (`logger -u`) cannot be replied to: said
    /// once with `-v`.
    fn unnamed(&mut self, from: &SockAddr) -> bool {
        if from.is_unnamed() && !self.sender.warned_unnamed {
            self.reporter
                .notice("datagram from a sender with no address: replies cannot reach it");
            self.sender.warned_unnamed = true;
        }
        from.is_unnamed()
    }

    /// `Adopt::Latest`: stdin goes to the latest sender with an address
    /// (`-v` says so when it changes).
    fn follow(&mut self, from: SockAddr, who: Option<crate::access::Credentials>) {
        if self.unnamed(&from) {
            return;
        }
        let name = from.to_addr(self.peer.kind);
        if self
            .sender
            .latest
            .as_ref()
            .is_some_and(|(_, old)| *old == name)
        {
            return;
        }
        match who {
            Some(cred) => self
                .reporter
                .notice(format_args!("stdin now goes to {name} ({cred})")),
            None => self
                .reporter
                .notice(format_args!("stdin now goes to {name}")),
        }
        self.sender.latest = Some((from, name));
        self.sender.known = true;
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
        if self.to_peer.finished() && self.stdin_ended.is_none() {
            self.stdin_ended = Some(Instant::now());
            if self.connection && opts.shutdown_on_eof {
                socket::shutdown_write(self.peer.fd)
                    .map_err(|e| Failure::new("shut down", &self.peer.name, e))?;
            }
        }
        let sent_all = self.stdin_ended.is_some();
        // A socket we never read (--send-only) has not ended: only stdin can
        // end such a session.
        let received_all = opts.read_socket && self.from_peer.finished();
        // The peer's EOF ends only what the peer sends; stdin goes on to it
        // (a file sent to a receiver whose own stdin is /dev/null must arrive
        // whole), unless nothing more of stdin can be meant for it: the
        // kernel says the peer is gone altogether (`EPOLLHUP`, a Unix peer
        // that closed), or the session was asked to end with the peer.
        let peer_gone = self.ready.socket.hung_up;
        let peer_done = received_all && (sent_all || self.end_at_peer_eof || peer_gone);
        if (!opts.read_socket && sent_all) || (self.connection && peer_done) {
            return Ok(Some(Ending::Finished));
        }
        let now = Instant::now();
        if self.quit_at().is_some_and(|t| now >= t) && !self.from_peer.holds() {
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
}

/// How much one read of stdin may take when it becomes one message.
fn largest_message(peer: &Peer<'_>) -> usize {
    socket::message_limit(peer.fd)
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

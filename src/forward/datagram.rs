//! `forward` between datagram sockets (`udp:`, `unix-dgram:` on both
//! sides): a session per sender, each with an upstream socket of its own
//! connected to the target (a Unix one autobinds, so nothing is left to
//! remove), so that the target's replies come back on it and go to that
//! sender, from the listening address. A session expires after `-i` of
//! silence (default 60s); past `-m` sessions (default 1024) the longest
//! idle one is dropped. A sender with no address (`logger -u`) is
//! forwarded, and replies to it are dropped.
//!
//! The loop is `event_loop`'s and the bytes move in `Pump`s: one for what
//! the listening socket receives (each datagram held until its session's
//! upstream takes it) and one per session for the replies.

use std::collections::HashMap;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use crate::access::Access;
use crate::addr::{Addr, Kind, UnixName};
use crate::buffer::Route;
use crate::dial::{self, Dial, Progress};
use crate::error::describe;
use crate::event_loop::{EventLoop, Readiness, Token};
use crate::hexdump::{self, Hexdump};
use crate::listener::Listener;
use crate::pump::{Pump, Transform};
use crate::report::{Event, Reporter};
use crate::signals::Signals;
use crate::socket::{self, SockAddr};

/// A session idle this long expires when `-i` does not say otherwise.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// Sessions at once when `-m` does not say otherwise.
pub const DEFAULT_MAX: usize = 1024;
/// The largest datagram: UDP's, and far more than a Unix datagram usually is.
const DATAGRAM: usize = 64 << 10;
/// Datagrams taken per turn of the loop, each way.
const TURNS: usize = 64;

const LISTENER: Token = 1;
const FIRST_SESSION: Token = 2;

/// How the datagram forwarder runs.
pub struct Settings<'a> {
    pub target: &'a socket::Resolved,
    pub dial: &'a dial::Options,
    pub access: &'a Access,
    pub idle: Duration,
    pub max: usize,
}

struct Session {
    number: u64,
    generation: u32,
    /// Who sent: replies go there (none for a sender with no address).
    sender: Option<SockAddr>,
    name: Addr,
    upstream: OwnedFd,
    ready: Readiness,
    /// Replies from the target, one datagram at a time.
    down: Pump,
    up: u64,
    started: Instant,
    last: Instant,
}

struct Forwarder<'a> {
    settings: Settings<'a>,
    reporter: Reporter,
    events: EventLoop<'a>,
    listener: Listener,
    ready: Readiness,
    /// What the listening socket received, held until its session's
    /// upstream takes it (`for_session`).
    inbox: Pump,
    for_session: Option<usize>,
    sessions: Vec<Option<Session>>,
    free: Vec<usize>,
    by_sender: HashMap<String, usize>,
    count: usize,
    generation: u32,
    opened: u64,
    runnable: Vec<usize>,
    dump: Option<Hexdump>,
}

pub fn serve(
    listener: Listener,
    settings: Settings<'_>,
    dump: Option<Hexdump>,
    reporter: Reporter,
    signals: &Signals,
) -> anyhow::Result<u8> {
    let events = EventLoop::new(signals)?;
    let ready = events.add(listener.fd.as_fd(), LISTENER, &listener.local.to_string())?;
    let mut forwarder = Forwarder {
        settings,
        reporter,
        events,
        listener,
        ready,
        inbox: Pump::new(Route::Copy, DATAGRAM, Transform::Plain, true),
        for_session: None,
        sessions: Vec::new(),
        free: Vec::new(),
        by_sender: HashMap::new(),
        count: 0,
        generation: 0,
        opened: 0,
        runnable: Vec::new(),
        dump,
    };
    forwarder.run()
}

impl Forwarder<'_> {
    fn run(&mut self) -> anyhow::Result<u8> {
        let mut news = Vec::new();
        loop {
            let mut busy = false;
            for _ in 0..TURNS {
                let moved = self.deliver()? | self.receive()?;
                if !moved {
                    break;
                }
                busy = true;
            }
            for idx in std::mem::take(&mut self.runnable) {
                busy |= self.reply(idx)?;
            }
            let now = Instant::now();
            self.expire(now);
            let deadline = if busy || self.can_move() {
                Some(now)
            } else {
                self.next_expiry()
            };
            self.events.wait(deadline)?;
            news.extend(self.events.events());
            for (token, flags) in news.drain(..) {
                if token == LISTENER {
                    self.ready.update(flags);
                } else if let Some(idx) = self.slot_of(token) {
                    if let Some(session) = self.sessions[idx].as_mut() {
                        session.ready.update(flags);
                    }
                    self.runnable.push(idx);
                }
            }
        }
    }

    fn can_move(&self) -> bool {
        (self.inbox.wants_fill() && self.ready.readable)
            || self.for_session.is_some_and(|idx| {
                self.sessions[idx]
                    .as_ref()
                    .is_some_and(|s| s.ready.writable)
            })
    }

    fn token(idx: usize, generation: u32) -> Token {
        FIRST_SESSION + ((generation as u64) << 32 | idx as u64)
    }

    fn slot_of(&self, token: Token) -> Option<usize> {
        let raw = token - FIRST_SESSION;
        let (idx, generation) = ((raw & 0xffff_ffff) as usize, (raw >> 32) as u32);
        match self.sessions.get(idx) {
            Some(Some(s)) if s.generation == generation => Some(idx),
            _ => None,
        }
    }

    /// Take one datagram from the listening socket: dropped if its sender
    /// is refused, else held for its session (opened for a new sender).
    fn receive(&mut self) -> anyhow::Result<bool> {
        if !(self.inbox.wants_fill() && self.ready.readable) {
            return Ok(false);
        }
        let fd = self.listener.fd.as_fd();
        let unix = matches!(self.listener.local, Addr::Unix { .. });
        let credentials = self.settings.access.has_unix_rules();
        let mut from = None;
        let mut cred = None;
        let received = self.inbox.fill_message(
            |spare| {
                let got = socket::receive_from(fd, unix, spare, credentials)?;
                from = got.from;
                cred = got.credentials;
                Ok(got.len)
            },
            &mut |_| {},
        );
        match received {
            Ok(_) => {}
            Err(Errno::EAGAIN) => {
                self.ready.drained();
                return Ok(false);
            }
            // A reply of ours that bounced, a datagram too large: the
            // forwarder goes on.
            Err(e) => {
                self.reporter.notice(format_args!(
                    "receive on {}: {}",
                    self.listener.local,
                    describe(e)
                ));
                return Ok(true);
            }
        }
        let kind = Kind::Datagram;
        let named = from.filter(|sa| !sa.is_unnamed());
        let name = named.as_ref().map_or(
            Addr::Unix {
                kind,
                name: UnixName::Unnamed,
            },
            |sa| sa.to_addr(kind),
        );
        if let Err(why) = self.settings.access.check(&name, cred) {
            let who = cred.map(|c| format!(" ({c})")).unwrap_or_default();
            self.reporter
                .notice(format_args!("dropped a datagram from {name}{who}: {why}"));
            self.inbox.skip_message();
            return Ok(true);
        }
        let key = name.to_string();
        let idx = match self.by_sender.get(&key) {
            Some(&idx) => idx,
            None => match self.open(named, name)? {
                Some(idx) => idx,
                None => {
                    self.inbox.skip_message();
                    return Ok(true);
                }
            },
        };
        self.for_session = Some(idx);
        Ok(true)
    }

    /// Send the held datagram up its session's socket.
    fn deliver(&mut self) -> anyhow::Result<bool> {
        let Some(idx) = self.for_session else {
            return Ok(false);
        };
        let Some(session) = self.sessions[idx].as_mut() else {
            self.inbox.skip_message();
            self.for_session = None;
            return Ok(true);
        };
        if !session.ready.writable {
            return Ok(false);
        }
        let upstream = session.upstream.as_fd();
        let (number, name) = (session.number, &session.name);
        let dump = &mut self.dump;
        let offset = session.up;
        let mut seen = |bytes: &[u8]| {
            if let Some(dump) = dump.as_mut() {
                dump.pair_chunk(number, hexdump::Direction::Sent, offset, name, bytes);
            }
        };
        let sent = self
            .inbox
            .drain_message(|chunk| socket::send(upstream, chunk), &mut seen);
        match sent {
            Ok(n) => {
                session.up += n as u64;
                session.last = Instant::now();
            }
            Err(Errno::EAGAIN) => {
                session.ready.filled();
                return Ok(false);
            }
            // The target is not there (ICMP port unreachable, no socket
            // file): this datagram is lost, the session goes on.
            Err(e) => {
                self.reporter.notice(format_args!(
                    "send to {}: {}",
                    self.settings.target.addr(),
                    describe(e)
                ));
                self.inbox.skip_message();
            }
        }
        self.for_session = None;
        Ok(true)
    }

    /// Replies from one session's target go back to its sender.
    fn reply(&mut self, idx: usize) -> anyhow::Result<bool> {
        let listener = self.listener.fd.as_fd();
        let mut moved = false;
        for _ in 0..TURNS {
            let Some(session) = self.sessions[idx].as_mut() else {
                return Ok(moved);
            };
            if session.down.holds() {
                if !self.ready.writable {
                    return Ok(moved);
                }
                let sender = session.sender.as_ref();
                let result = session.down.drain_message(
                    |chunk| match sender {
                        Some(to) => socket::send_to(listener, chunk, to),
                        // Nobody to reply to: dropped.
                        None => Ok(chunk.len()),
                    },
                    &mut |_| {},
                );
                match result {
                    Ok(_) => moved = true,
                    Err(Errno::EAGAIN) => {
                        self.ready.filled();
                        self.runnable.push(idx);
                        return Ok(moved);
                    }
                    Err(e) => {
                        let name = session.name.to_string();
                        session.down.skip_message();
                        self.reporter
                            .notice(format_args!("send to {name}: {}", describe(e)));
                    }
                }
                continue;
            }
            if !session.ready.readable {
                return Ok(moved);
            }
            let upstream = session.upstream.as_fd();
            let (number, name, dump) = (session.number, &session.name, &mut self.dump);
            let offset = session.down.received;
            let mut seen = |bytes: &[u8]| {
                if let Some(dump) = dump.as_mut() {
                    dump.pair_chunk(number, hexdump::Direction::Received, offset, name, bytes);
                }
            };
            let got = session.down.fill_message(
                |spare| socket::receive_from(upstream, false, spare, false).map(|r| r.len),
                &mut seen,
            );
            match got {
                Ok(_) => {
                    session.last = Instant::now();
                    moved = true;
                }
                Err(Errno::EAGAIN) => {
                    session.ready.drained();
                    return Ok(moved);
                }
                Err(e) => {
                    let why = describe(e);
                    self.reporter.notice(format_args!(
                        "receive from {}: {why}",
                        self.settings.target.addr()
                    ));
                    moved = true;
                }
            }
        }
        self.runnable.push(idx);
        Ok(moved)
    }

    /// A session for a new sender: its own upstream socket to the target.
    /// At `-m` the longest idle session makes room.
    fn open(&mut self, sender: Option<SockAddr>, name: Addr) -> anyhow::Result<Option<usize>> {
        if self.count >= self.settings.max
            && let Some(oldest) = self.longest_idle()
        {
            self.close(oldest, "dropped for a new sender (-m)");
        }
        self.reporter.report(Event::Accepted {
            peer: &name,
            credentials: None,
        });
        let targets = self.settings.target.targets()?;
        let dialed = match Dial::start(
            self.settings.target.addr(),
            targets,
            self.settings.dial,
            self.reporter,
        ) {
            Progress::Done(dialed) => dialed,
            Progress::Failed(e) => {
                self.reporter
                    .notice(format_args!("dropped a datagram from {name}: {e:#}"));
                return Ok(None);
            }
            // Datagram sockets connect at once; nothing to wait for.
            Progress::Dialing(_) => return Ok(None),
        };
        self.generation = self.generation.wrapping_add(1);
        let idx = self.free.pop().unwrap_or_else(|| {
            self.sessions.push(None);
            self.sessions.len() - 1
        });
        let ready = self.events.add(
            dialed.fd.as_fd(),
            Self::token(idx, self.generation),
            &dialed.peer.to_string(),
        )?;
        self.opened += 1;
        let now = Instant::now();
        self.by_sender.insert(name.to_string(), idx);
        self.sessions[idx] = Some(Session {
            number: self.opened,
            generation: self.generation,
            sender,
            name,
            upstream: dialed.fd,
            ready,
            down: Pump::new(Route::Copy, DATAGRAM, Transform::Plain, true),
            up: 0,
            started: now,
            last: now,
        });
        self.count += 1;
        Ok(Some(idx))
    }

    fn longest_idle(&self) -> Option<usize> {
        self.sessions
            .iter()
            .enumerate()
            .filter_map(|(idx, s)| s.as_ref().map(|s| (s.last, idx)))
            .min()
            .map(|(_, idx)| idx)
    }

    fn close(&mut self, idx: usize, why: &str) {
        let Some(session) = self.sessions[idx].take() else {
            return;
        };
        self.free.push(idx);
        self.count -= 1;
        self.by_sender.remove(&session.name.to_string());
        if self.for_session == Some(idx) {
            self.inbox.skip_message();
            self.for_session = None;
        }
        let Session {
            number,
            name,
            upstream,
            up,
            down,
            started,
            ..
        } = session;
        drop(upstream);
        self.reporter.report(Event::PairClosed {
            pair: number,
            peer: &name,
            target: Some(self.settings.target.addr()),
            up,
            down: down.sent,
            duration: started.elapsed(),
            reason: Some(why.to_string()),
        });
    }

    /// Sessions silent for `-i` expire.
    fn expire(&mut self, now: Instant) {
        let idle = self.settings.idle;
        let due: Vec<usize> = self
            .sessions
            .iter()
            .enumerate()
            .filter_map(|(idx, s)| s.as_ref().filter(|s| now >= s.last + idle).map(|_| idx))
            .collect();
        let text = format!(
            "no data for {} (idle timeout)",
            humantime::format_duration(idle)
        );
        for idx in due {
            self.close(idx, &text);
        }
    }

    fn next_expiry(&self) -> Option<Instant> {
        self.sessions
            .iter()
            .flatten()
            .map(|s| s.last + self.settings.idle)
            .min()
    }
}

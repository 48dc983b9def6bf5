//! The one event loop every verb that moves bytes waits in: an
//! edge-triggered epoll set holding the signal descriptor and each
//! descriptor a session or a server moves bytes through.
//!
//! Contract: a descriptor is registered once, for reading and writing at
//! once (`EPOLLET`), and the loop never changes its interest again; what the
//! kernel last said about it is kept in its `Readiness`, which the code that
//! reads or writes clears on `EAGAIN`. So waiting costs one `epoll_wait` and
//! no `epoll_ctl` calls however often a direction stops and starts (a full
//! pipe, a slow peer), and a many-peer server pays for the peers that moved,
//! not for all of them. A descriptor epoll cannot watch (a regular file,
//! `/dev/null`: `EPERM`) is always ready, which is what `poll` says of it.
//! SIGINT and SIGTERM arrive as an `Interrupted` error from `wait`; SIGCHLD,
//! when a server asked for it, as `Woken::children`.

use std::os::fd::BorrowedFd;
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};

use crate::error::Failure;
use crate::signals::{Signals, timeout_until};

/// Names a registered descriptor in the events `wait` returns.
pub type Token = u64;

/// The signal descriptor's token; callers number theirs from 1.
const SIGNALS: Token = 0;

/// What is known about one descriptor: whether a read or a write may make
/// progress now. Set by events, cleared by the code that hit `EAGAIN`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Readiness {
    pub readable: bool,
    pub writable: bool,
    /// The kernel reports the other end gone altogether (`EPOLLHUP`: for a
    /// Unix stream, a peer that closed; for TCP, a reset or both sides shut).
    pub hung_up: bool,
    /// Not pollable (a regular file or `/dev/null`): always ready.
    pub always: bool,
    /// TCP urgent data is waiting (`EPOLLPRI`): a splice stops at its mark,
    /// so the socket is read with read(2) until it is drained.
    pub urgent: bool,
}

impl Readiness {
    fn always() -> Readiness {
        Readiness {
            readable: true,
            writable: true,
            hung_up: false,
            always: true,
            urgent: false,
        }
    }

    /// Take in what an event says. Errors and hang-ups make both ways ready:
    /// the next read or write is what reports them.
    pub fn update(&mut self, flags: EpollFlags) {
        let broken = EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP;
        if flags.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP | broken) {
            self.readable = true;
        }
        if flags.intersects(EpollFlags::EPOLLOUT | broken) {
            self.writable = true;
        }
        if flags.contains(EpollFlags::EPOLLHUP) {
            self.hung_up = true;
        }
        if flags.contains(EpollFlags::EPOLLPRI) {
            self.readable = true;
            self.urgent = true;
        }
    }

    /// A read found nothing (`EAGAIN`): wait for the next edge.
    pub fn drained(&mut self) {
        self.readable = self.always;
        self.urgent = false;
    }

    /// A write found no room (`EAGAIN`): wait for the next edge.
    pub fn filled(&mut self) {
        self.writable = self.always;
    }
}

/// What woke `wait`, besides descriptors.
#[derive(Debug, Default, Clone, Copy)]
pub struct Woken {
    /// SIGCHLD arrived: children to reap.
    pub children: bool,
}

pub struct EventLoop<'s> {
    epoll: Epoll,
    signals: &'s Signals,
    events: Vec<EpollEvent>,
    ready: usize,
}

impl<'s> EventLoop<'s> {
    pub fn new(signals: &'s Signals) -> anyhow::Result<EventLoop<'s>> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)
            .map_err(|e| Failure::new("create", "an epoll set", e))?;
        epoll
            .add(signals.fd(), EpollEvent::new(EpollFlags::EPOLLIN, SIGNALS))
            .map_err(|e| Failure::new("watch", "signals", e))?;
        Ok(EventLoop {
            epoll,
            signals,
            events: vec![EpollEvent::empty(); 256],
            ready: 0,
        })
    }

    /// Watch `fd` for the rest of its life (or until `remove`), both ways.
    /// `token` must not be 0. A new registration reports readiness at once
    /// if there is any, so the first `wait` after it does not miss a thing.
    pub fn add(&self, fd: BorrowedFd<'_>, token: Token, what: &str) -> anyhow::Result<Readiness> {
        debug_assert_ne!(token, SIGNALS);
        let flags = EpollFlags::EPOLLIN
            | EpollFlags::EPOLLPRI
            | EpollFlags::EPOLLOUT
            | EpollFlags::EPOLLRDHUP
            | EpollFlags::EPOLLET;
        match self.epoll.add(fd, EpollEvent::new(flags, token)) {
            Ok(()) => Ok(Readiness::default()),
            Err(Errno::EPERM) => Ok(Readiness::always()),
            Err(e) => Err(Failure::new("watch", what, e).into()),
        }
    }

    /// Stop watching `fd` (closing it does that too, unless it was dup'ed).
    pub fn remove(&self, fd: BorrowedFd<'_>) {
        let _ = self.epoll.delete(fd);
    }

    /// Sleep until a descriptor has news, `deadline` passes or a signal
    /// arrives (SIGINT/SIGTERM: an `Interrupted` error). `events` then
    /// yields the news as (token, flags).
    pub fn wait(&mut self, deadline: Option<Instant>) -> anyhow::Result<Woken> {
        self.ready = 0;
        let n = match self.epoll.wait(&mut self.events, timeout_until(deadline)) {
            Ok(n) => n,
            Err(Errno::EINTR) => 0,
            Err(e) => return Err(Failure::new("wait on", "descriptors", e).into()),
        };
        let mut woken = Woken::default();
        if self.events[..n].iter().any(|e| e.data() == SIGNALS) {
            woken.children = self.signals.take()?;
        }
        self.ready = n;
        Ok(woken)
    }

    /// The descriptors' news from the last `wait`.
    pub fn events(&self) -> impl Iterator<Item = (Token, EpollFlags)> + '_ {
        self.events[..self.ready]
            .iter()
            .filter(|e| e.data() != SIGNALS)
            .map(|e| (e.data(), e.events()))
    }
}

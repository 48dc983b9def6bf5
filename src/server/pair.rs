//! `forward`: one accepted client and the target opened for it, a `Pump`
//! each way (`up`: client to target, `down`: target to client) on the
//! server's event loop. What it promises: each direction ends on its own
//! (the end of one side's bytes becomes `shutdown(SHUT_WR)` on the other),
//! the pair is done when both have ended, and a reset on one side is passed
//! on as a reset (`SO_LINGER` 0) to the other, never as a clean close.

use std::os::fd::{AsFd, OwnedFd};
use std::time::Instant;

use nix::errno::Errno;

use crate::addr::Addr;
use crate::dial::{Dial, Dialed};
use crate::event_loop::Readiness;
use crate::hexdump::{self, Hexdump};
use crate::pump::{Pump, Sink};
use crate::socket;

/// Rounds of both directions per turn of the loop, so a busy pair cannot
/// starve the others.
const TURNS: usize = 8;

/// The target side of a pair.
pub enum Target {
    /// Being opened: `attempt` is the dial's socket the loop watches, and
    /// `ready` what it said of it; `news` that it said something.
    Dialing {
        dial: Box<Dial>,
        attempt: u32,
        ready: Readiness,
        news: bool,
    },
    Open {
        dialed: Dialed,
        ready: Readiness,
    },
    /// Failed, or taken out while a dial moves on.
    Gone,
}

impl Target {
    /// The target's name once it is open.
    pub fn name(&self) -> Option<&Addr> {
        match self {
            Target::Open { dialed, .. } => Some(&dialed.peer),
            Target::Dialing { .. } | Target::Gone => None,
        }
    }
}

pub struct Pair {
    /// The pair's number, for `-x` and the events: 1 for the first client.
    pub number: u64,
    pub target: Target,
    /// Client to target.
    pub up: Pump,
    /// Target to client.
    pub down: Pump,
    /// `shutdown(SHUT_WR)` sent to the target (`up` ended) and to the
    /// client (`down` ended).
    up_shut: bool,
    down_shut: bool,
    pub last_activity: Instant,
}

/// What a step of a pair came to.
pub enum Step {
    /// Both ways still going, or waiting for the kernel.
    Going,
    /// Both directions ended: close both sockets.
    Done,
    /// One side failed: `reset` the other (a reset passed on) and close
    /// both; `why` says what happened, for the closed event.
    Broken { reset_client: bool, why: String },
}

/// Which end of a direction failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Source,
    Sink,
}

impl Pair {
    pub fn new(number: u64, target: Target, up: Pump, down: Pump) -> Pair {
        Pair {
            number,
            target,
            up,
            down,
            up_shut: false,
            down_shut: false,
            last_activity: Instant::now(),
        }
    }

    /// The loop's news of the target's socket.
    pub fn target_news(&mut self, flags: nix::sys::epoll::EpollFlags) {
        match &mut self.target {
            Target::Dialing { ready, news, .. } => {
                ready.update(flags);
                *news = true;
            }
            Target::Open { ready, .. } => ready.update(flags),
            Target::Gone => {}
        }
    }

    /// The target is still being opened.
    pub fn is_dialing(&self) -> bool {
        matches!(self.target, Target::Dialing { .. })
    }

    /// Move what can move both ways without blocking.
    pub fn step(
        &mut self,
        client: &OwnedFd,
        client_ready: &mut Readiness,
        peer: &Addr,
        mut dump: Option<&mut Hexdump>,
    ) -> Step {
        let Target::Open { dialed, ready } = &mut self.target else {
            return Step::Going;
        };
        let (target, target_ready) = (dialed.fd.as_fd(), ready);
        let number = self.number;
        for _ in 0..TURNS {
            let mut moved = false;
            // Up: client to target.
            let result = pump_once(
                &mut self.up,
                (client.as_fd(), &mut *client_ready),
                (target, &mut *target_ready),
                &mut |bytes, offset| {
                    if let Some(dump) = dump.as_deref_mut() {
                        dump.pair_chunk(number, hexdump::Direction::Sent, offset, peer, bytes);
                    }
                },
            );
            match result {
                Ok(m) => moved |= m,
                Err((end, errno)) => return broken(end == End::Source, errno),
            }
            // Down: target to client.
            let result = pump_once(
                &mut self.down,
                (target, &mut *target_ready),
                (client.as_fd(), &mut *client_ready),
                &mut |bytes, offset| {
                    if let Some(dump) = dump.as_deref_mut() {
                        dump.pair_chunk(number, hexdump::Direction::Received, offset, peer, bytes);
                    }
                },
            );
            match result {
                Ok(m) => moved |= m,
                Err((end, errno)) => return broken(end == End::Sink, errno),
            }
            // Both ended: the close that follows says what half-closes would
            // (every byte was read from both, so it is a FIN, not a reset).
            if self.up.finished() && self.down.finished() {
                return Step::Done;
            }
            // Each direction ends on its own: its end becomes a half-close.
            if self.up.finished() && !self.up_shut {
                self.up_shut = true;
                if let Err(e) = socket::shutdown_write(&dialed.fd) {
                    return broken(false, e);
                }
            }
            if self.down.finished() && !self.down_shut {
                self.down_shut = true;
                if let Err(e) = socket::shutdown_write(client) {
                    return broken(true, e);
                }
            }
            if !moved {
                break;
            }
            self.last_activity = Instant::now();
        }
        Step::Going
    }

    /// Whether a step could move something now, without news.
    pub fn can_move(&self, client_ready: &Readiness) -> bool {
        let Target::Open { ready, .. } = &self.target else {
            return false;
        };
        let up =
            (self.up.ready() && ready.writable) || (self.up.wants_fill() && client_ready.readable);
        let down = (self.down.ready() && client_ready.writable)
            || (self.down.wants_fill() && ready.readable);
        up || down
    }
}

/// One drain and one fill of `pump` from `from` to `to`; `seen` is shown
/// the bytes that left with their offset in the direction. Says whether
/// anything moved, or which side failed.
fn pump_once(
    pump: &mut Pump,
    from: (std::os::fd::BorrowedFd<'_>, &mut Readiness),
    to: (std::os::fd::BorrowedFd<'_>, &mut Readiness),
    seen: &mut dyn FnMut(&[u8], u64),
) -> Result<bool, (End, Errno)> {
    let (from_fd, from_ready) = from;
    let (to_fd, to_ready) = to;
    let mut moved = false;
    if pump.ready() && to_ready.writable {
        let offset = pump.sent;
        match pump.drain(to_fd, Sink::Socket, &mut |bytes| seen(bytes, offset)) {
            Ok(_) => moved = true,
            Err(Errno::EAGAIN) => to_ready.filled(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err((End::Sink, e)),
        }
    }
    if pump.wants_fill() && from_ready.readable {
        // A seqpacket record is taken whole (never cut to fit) and one at a
        // time; an empty one is the end, as it cannot be told from it.
        let filled = if pump.keeps_messages() {
            let got = pump.fill_message(|spare| socket::receive(from_fd, spare, true), &mut |_| {});
            if got == Ok(0) {
                pump.open = false;
            }
            got
        } else {
            if from_ready.urgent {
                pump.fill_past_urgent(from_fd, &mut |_| {})
            } else {
                pump.fill(from_fd, &mut |_| {})
            }
        };
        match filled {
            Ok(_) => moved = true,
            Err(Errno::EAGAIN) => from_ready.drained(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err((End::Source, e)),
        }
    }
    Ok(moved)
}

/// A failure of one side: the other is reset, the failure named.
fn broken(client_failed: bool, errno: Errno) -> Step {
    let who = if client_failed { "client" } else { "target" };
    Step::Broken {
        reset_client: !client_failed,
        why: format!("{who}: {}", crate::error::describe(errno)),
    }
}

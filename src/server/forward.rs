//! The server's side of `forward`: a pair opened for each admitted peer
//! (its target dialed without blocking the loop), pairs stepped when they
//! have news, `-w` and `-i` timers, and how a pair ends: a clean close, a
//! reset passed on, or a target that could not be opened.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use super::pair::{Pair, Step, Target};
use super::peer::Role;
use super::{Forwarding, Server};
use crate::addr::{Addr, Kind};
use crate::buffer::{CAPACITY, Route};
use crate::dial::{Dial, Progress};
use crate::event_loop::Readiness;
use crate::pump::{Pump, Transform};
use crate::report::Event;
use crate::socket;

/// Each direction of a stream pair: a kernel pipe of this size (the
/// default pipe), or this much memory with `-x`. A thousand pairs are 128
/// MiB of pipes in the kernel and nothing of ours; 1 MiB a direction, as
/// the one-peer relay has, would not fit many pairs, so only a direction
/// that keeps its pipe full grows it to that.
pub(super) const PAIR_BUFFER: usize = 64 << 10;

impl Server<'_> {
    /// The pair for a peer just admitted into slot `idx`: its target dialed
    /// (connected already for a Unix socket, under way for TCP). `None`
    /// when the target cannot be opened: reported, and the peer is closed.
    pub(super) fn open_pair(
        &mut self,
        idx: usize,
        generation: u32,
        fwd: &Forwarding,
        peer: &Addr,
    ) -> anyhow::Result<Option<Pair>> {
        self.pairs += 1;
        let number = self.pairs;
        let started = Instant::now();
        let targets = match fwd.target.targets() {
            Ok(targets) => targets,
            Err(e) => {
                self.pair_failed(number, peer, started, &format!("{e:#}"));
                return Ok(None);
            }
        };
        let target = match Dial::start(fwd.target.addr(), targets, &fwd.dial, self.reporter) {
            Progress::Done(dialed) => {
                let token = Self::target_token(idx, generation);
                let ready = self
                    .events
                    .add(dialed.fd.as_fd(), token, &dialed.peer.to_string())?;
                Target::Open { dialed, ready }
            }
            Progress::Dialing(dial) => {
                let ready = match dial.fd() {
                    Some(fd) => {
                        let token = Self::target_token(idx, generation);
                        self.events.add(fd, token, &fwd.target.addr().to_string())?
                    }
                    None => Readiness::default(),
                };
                let attempt = dial.attempt();
                self.dialing += 1;
                Target::Dialing {
                    dial,
                    attempt,
                    ready,
                    news: false,
                }
            }
            Progress::Failed(e) => {
                self.pair_failed(number, peer, started, &format!("{e:#}"));
                return Ok(None);
            }
        };
        Ok(Some(Pair::new(
            number,
            target,
            self.pair_pump(),
            self.pair_pump(),
        )))
    }

    /// One direction of a new pair: a pipe from the pool, which grows to
    /// the relay's size if the pair moves bulk; memory where the bytes are
    /// looked at (`-x`) or records must stay whole (seqpacket), or when no
    /// pipe can be had.
    fn pair_pump(&mut self) -> Pump {
        let messages = self.kind == Kind::Seqpacket;
        let capacity = if messages { CAPACITY } else { PAIR_BUFFER };
        if !messages
            && self.dump.is_none()
            && let Ok(pipe) = self.pipes.take()
        {
            return Pump::spliced(pipe).growing_to(CAPACITY);
        }
        Pump::new(Route::Copy, capacity, Transform::Plain, messages)
    }

    /// A target that could not be opened closes its peer: said with `-v`.
    fn pair_failed(&mut self, number: u64, peer: &Addr, started: Instant, why: &str) {
        self.reporter.report(Event::PairClosed {
            pair: number,
            peer,
            target: None,
            up: 0,
            down: 0,
            duration: started.elapsed(),
            reason: Some(why.to_string()),
        });
    }

    /// Act on a pair's news: advance its dial, then move bytes both ways.
    pub(super) fn run_pair(&mut self, idx: usize) -> anyhow::Result<()> {
        self.advance_dial(idx)?;
        let dump = self.dump.as_mut();
        let Some(peer) = self.peers[idx].as_mut() else {
            return Ok(());
        };
        let Role::Forward(pair) = &mut peer.role else {
            return Ok(());
        };
        match pair.step(&peer.fd, &mut peer.ready, &peer.name, dump) {
            Step::Going => {
                if pair.can_move(&peer.ready) {
                    let generation = peer.generation;
                    self.runnable.push((idx, generation));
                }
                Ok(())
            }
            Step::Done => self.close_peer(idx, None),
            Step::Broken { reset_client, why } => {
                // A reset is passed on as a reset, never as a clean close.
                if reset_client {
                    let _ = socket::reset_on_close(&peer.fd);
                } else if let Target::Open { dialed, .. } = &pair.target {
                    let _ = socket::reset_on_close(&dialed.fd);
                }
                self.close_peer(idx, Some(why))
            }
        }
    }

    /// A dial with news, or past its deadline, goes one step on.
    fn advance_dial(&mut self, idx: usize) -> anyhow::Result<()> {
        let peer = self.peer(idx);
        let generation = peer.generation;
        let Role::Forward(pair) = &mut peer.role else {
            return Ok(());
        };
        let due = match &pair.target {
            Target::Dialing { dial, news, .. } => {
                *news || dial.deadline().is_some_and(|d| Instant::now() >= d)
            }
            _ => false,
        };
        if !due {
            return Ok(());
        }
        let Target::Dialing {
            dial,
            attempt,
            ready,
            news,
        } = std::mem::replace(&mut pair.target, Target::Gone)
        else {
            unreachable!("dialing, as matched above")
        };
        let target = match dial.advance(news) {
            Progress::Dialing(dial) => {
                // A new attempt is a new socket to watch.
                let ready = match dial.fd() {
                    Some(fd) if dial.attempt() != attempt => {
                        let token = Self::target_token(idx, generation);
                        let what = self.settings_target();
                        self.events.add(fd, token, &what)?
                    }
                    _ => ready,
                };
                Target::Dialing {
                    attempt: dial.attempt(),
                    dial,
                    ready,
                    news: false,
                }
            }
            // The socket that connected is the one already watched.
            Progress::Done(dialed) => {
                self.dialing -= 1;
                Target::Open { dialed, ready }
            }
            Progress::Failed(e) => {
                self.dialing -= 1;
                // Reported once, by the close: no target, and why.
                return self.close_peer(idx, Some(format!("{e:#}")));
            }
        };
        if let Role::Forward(pair) = &mut self.peer(idx).role {
            pair.target = target;
        }
        Ok(())
    }

    fn settings_target(&self) -> String {
        self.settings
            .forward
            .as_ref()
            .map(|f| f.target.addr().to_string())
            .unwrap_or_default()
    }

    /// The earliest timer of any pair: a dial's `-w` or pause, or `-i`.
    pub(super) fn pairs_deadline(&self) -> Option<Instant> {
        self.settings.forward.as_ref()?;
        let idle = self.settings.opts.idle;
        // Without -i only dials have timers: no scan when none is under way.
        if idle.is_none() && self.dialing == 0 {
            return None;
        }
        self.peers
            .iter()
            .flatten()
            .filter_map(|peer| match &peer.role {
                Role::Forward(pair) => pair_deadline(pair, idle),
                _ => None,
            })
            .min()
    }

    /// Pairs whose timer is due: a dial goes on, an idle pair is closed.
    pub(super) fn pairs_due(&mut self, now: Instant) -> anyhow::Result<()> {
        let idle = self.settings.opts.idle;
        if self.settings.forward.is_none() || (idle.is_none() && self.dialing == 0) {
            return Ok(());
        }
        let mut due = Vec::new();
        let mut idle_out = Vec::new();
        for (idx, peer) in self.peers.iter().enumerate() {
            let Some(peer) = peer else { continue };
            let Role::Forward(pair) = &peer.role else {
                continue;
            };
            if let Target::Dialing { dial, .. } = &pair.target
                && dial.deadline().is_some_and(|d| now >= d)
            {
                due.push((idx, peer.generation));
            }
            if let Some(idle) = idle
                && matches!(pair.target, Target::Open { .. })
                && now >= pair.last_activity + idle
            {
                idle_out.push(idx);
            }
        }
        self.runnable.extend(due);
        for idx in idle_out {
            let idle = humantime::format_duration(idle.unwrap_or_default());
            self.close_peer(idx, Some(format!("no data for {idle} (idle timeout)")))?;
        }
        Ok(())
    }
}

fn pair_deadline(pair: &Pair, idle: Option<Duration>) -> Option<Instant> {
    match &pair.target {
        Target::Dialing { dial, .. } => dial.deadline(),
        Target::Open { .. } => idle.map(|idle| pair.last_activity + idle),
        Target::Gone => None,
    }
}

//! Peers arriving and leaving: the listener watched while there is room,
//! each connection admitted (or refused by the access rules or `-m`) into a
//! slot, closed with a report, and children reaped.

use std::collections::VecDeque;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::socket::{self as nixsock, Shutdown};

use super::pair::Pair;
use super::peer::{Peer, Role};
use super::{ACCEPT_BATCH, EMFILE_RETRY, Server};
use crate::access::Credentials;
use crate::addr::{Addr, UnixName};
use crate::error::{Failure, describe};
use crate::event_loop::Readiness;
use crate::exec;
use crate::pump::Pump;
use crate::report::{Counts, Event};
use crate::socket;

impl Server<'_> {
    pub(super) fn at_max(&self) -> bool {
        self.settings.max.is_some_and(|max| self.count >= max)
    }

    /// Whether to accept now: not past `-m` (without `--refuse-extra`, so
    /// that the next peer waits in the backlog) and not out of descriptors.
    pub(super) fn may_accept(&self) -> bool {
        self.listener.is_some()
            && self.starved.is_none()
            && (self.settings.refuse_extra || !self.at_max())
    }

    pub(super) fn accept(&mut self) -> anyhow::Result<()> {
        for _ in 0..ACCEPT_BATCH {
            let Some(listener) = &self.listener else {
                break;
            };
            if self.at_max() && !self.settings.refuse_extra {
                break;
            }
            match socket::accept(listener) {
                Ok(fd) => self.admit(fd)?,
                Err(Errno::EAGAIN) => {
                    self.listener_ready.drained();
                    break;
                }
                Err(Errno::ECONNABORTED | Errno::EINTR | Errno::EPROTO | Errno::EPERM) => {}
                Err(e @ (Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM)) => {
                    // Waiting peers stay in the backlog; polling a listener
                    // we cannot accept on would spin.
                    self.reporter.notice(format_args!(
                        "accept on {}: {}; pausing until a peer leaves",
                        self.local,
                        describe(e)
                    ));
                    self.starved = Some(Instant::now() + EMFILE_RETRY);
                    self.pipes.clear();
                    break;
                }
                Err(e) => return Err(Failure::new("accept on", &self.local, e).into()),
            }
        }
        Ok(())
    }

    /// A new connection: refuse it before reading a byte, or serve it.
    pub(super) fn admit(&mut self, fd: OwnedFd) -> anyhow::Result<()> {
        let name = socket::peer_addr(&fd)
            .map(|sa| Addr::from_sockaddr(self.kind, &sa))
            .unwrap_or(Addr::Unix {
                kind: self.kind,
                name: UnixName::Unnamed,
            });
        let cred = match name {
            Addr::Unix { .. } => socket::peer_credentials(&fd).map(Credentials::from),
            _ => None,
        };
        if let Err(why) = self.settings.access.check(&name, cred) {
            self.reporter.report(Event::Refused {
                peer: &name,
                credentials: cred,
                reason: why.to_string(),
            });
            return Ok(());
        }
        if self.at_max() {
            let max = self.settings.max.unwrap_or_default();
            let reason = format!("--max-conns {max} reached");
            self.reporter.report(Event::Refused {
                peer: &name,
                credentials: cred,
                reason,
            });
            return Ok(());
        }
        self.reporter.report(Event::Accepted {
            peer: &name,
            credentials: cred,
        });
        self.served += 1;
        if !self.settings.keep_open {
            // One peer: stop accepting, so later clients are refused rather
            // than queued (as the one-session listener does).
            if let Some(listener) = self.listener.take() {
                self.events.remove(listener.as_fd());
            }
        }
        let role = match &self.settings.program {
            Some(program) => match program.spawn(&fd, &name, &self.local, cred) {
                Ok(pid) => Role::Child(pid),
                Err(e) => {
                    self.reporter.notice(format_args!(
                        "closed {name}: cannot run {}: {}",
                        program.shown(),
                        describe(e)
                    ));
                    return Ok(());
                }
            },
            None => Role::Stdio,
        };
        self.generation = self.generation.wrapping_add(1);
        let idx = self.free.pop().unwrap_or_else(|| {
            self.peers.push(None);
            self.peers.len() - 1
        });
        let role = match (role, &self.settings.forward) {
            (Role::Stdio, Some(fwd)) => match self.open_pair(idx, self.generation, fwd, &name) {
                Ok(Some(pair)) => Role::Forward(Box::new(pair)),
                Ok(None) => {
                    self.free.push(idx);
                    return Ok(());
                }
                Err(e) => {
                    self.free.push(idx);
                    return Err(e);
                }
            },
            (role, _) => role,
        };
        // A child's socket is the child's: only a peer we serve is watched.
        let ready = match role {
            Role::Stdio | Role::Forward(_) => {
                let token = Self::token(idx, self.generation);
                match self.events.add(fd.as_fd(), token, &name.to_string()) {
                    Ok(ready) => ready,
                    Err(e) => {
                        self.free.push(idx);
                        return Err(e);
                    }
                }
            }
            Role::Child(_) => Readiness::default(),
        };
        let from_peer = match role {
            Role::Stdio => self.unframer(),
            Role::Child(_) | Role::Forward(_) => None,
        };
        let peer = Peer {
            fd,
            name,
            credentials: cred,
            generation: self.generation,
            role,
            to_peer: Pump::chunks(),
            from_peer,
            has_turn: false,
            message_ends: VecDeque::new(),
            messages_sent: 0,
            ready,
            reading: true,
            shut: false,
            paused: false,
            counts: Counts::default(),
            started: Instant::now(),
        };
        let hungry = peer.hungry();
        self.peers[idx] = Some(peer);
        self.count += 1;
        if hungry {
            self.hungry += 1;
        }
        if let Role::Child(pid) = self.peer(idx).role {
            self.children.insert(pid, idx);
            return Ok(());
        }
        self.settle(idx)
    }

    /// Close a peer (its descriptor goes with the slot) and accept again if
    /// its leaving makes room.
    pub(super) fn close_peer(&mut self, idx: usize, why: Option<String>) -> anyhow::Result<()> {
        let Some(mut peer) = self.peers[idx].take() else {
            return Ok(());
        };
        self.free.push(idx);
        self.count -= 1;
        if peer.hungry() {
            self.hungry -= 1;
        }
        if let Role::Child(pid) = peer.role {
            self.children.remove(&pid);
        }
        // A child's traffic does not pass through us: its counts are unknown.
        let counted = matches!(peer.role, Role::Stdio);
        let sent = peer.count_sent();
        let Peer {
            fd,
            name,
            mut counts,
            started,
            to_peer,
            role,
            from_peer,
            has_turn,
            generation,
            ..
        } = peer;
        counts.messages = from_peer.as_ref().map(|p| (p.whole_messages, sent));
        if let Some(pump) = from_peer.filter(|_| has_turn) {
            self.leave_turn(idx, generation, pump);
        }
        counts.tx = to_peer.sent;
        // Closed before it is reported, so that whoever reads the report
        // finds the descriptor gone.
        drop(fd);
        let duration = started.elapsed();
        if let Role::Forward(pair) = role {
            if pair.is_dialing() {
                self.dialing -= 1;
            }
            let Pair {
                number,
                target,
                up,
                down,
                ..
            } = *pair;
            let (sent_up, sent_down) = (up.sent, down.sent);
            let target_name = target.name().cloned();
            // Both sockets closed before the report, as above; empty pipes
            // are kept for the next pair.
            drop(target);
            for pump in [up, down] {
                if let Some(pipe) = pump.into_pipe() {
                    self.pipes.give(pipe);
                }
            }
            self.reporter.report(Event::PairClosed {
                pair: number,
                peer: &name,
                target: target_name.as_ref(),
                up: sent_up,
                down: sent_down,
                duration,
                reason: why,
            });
        } else {
            self.reporter.report(Event::Closed {
                peer: &name,
                counts: counted.then_some(counts),
                duration,
                reason: why,
            });
        }
        if self.starved.take().is_some() {
            self.reporter
                .notice(format_args!("accepting on {} again", self.local));
        }
        Ok(())
    }

    /// Collect the children that exited and close their peers. A child
    /// that leaves the socket to a grandchild still ends its peer: the
    /// shutdown reaches every copy of the descriptor.
    pub(super) fn reap(&mut self) -> anyhow::Result<()> {
        for (pid, status) in exec::reap() {
            let Some(&idx) = self.children.get(&pid) else {
                continue;
            };
            let fd = self.peer(idx).fd.as_raw_fd();
            let _ = nixsock::shutdown(fd, Shutdown::Both);
            let why = format!("child {pid} {}", exec::describe(&status));
            self.close_peer(idx, Some(why))?;
        }
        Ok(())
    }
}

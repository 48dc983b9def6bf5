//! `--frame` on the many-peer server (`listen -k`, `--broker`): messages
//! rather than bytes, on the same loop and the same queues, with the pump's
//! own framing transforms.
//!
//! stdin is framed once, by one framing pump, and its whole messages
//! become shared chunks (short ones together, a long one alone) fanned out
//! to every peer: a chunk holds whole messages only, so a `--broker` relay
//! queued between two chunks cannot split a message.
//!
//! Each peer's stream is unframed by a pump of its own (its own decoder, its
//! own byte offsets), whose read buffer exists only while it holds bytes,
//! so an idle peer still costs no buffer. It holds at most one whole message
//! waiting for stdout, and a peer whose message waits is not read: a slow
//! stdout stops the reading, peer by peer. stdout is taken in turns: the
//! peer at the front of `turns` writes its message to the end, over as many
//! writes as stdout needs, before any byte of the next peer's, so two peers'
//! messages never interleave; it then goes to the back if it has another.
//! With `--broker` a message is relayed to the other peers, framed again,
//! as it reaches stdout.
//!
//! A peer whose stream goes wrong (a length over `--max-frame`, a malformed
//! prefix, a message cut short by its end of file) ends alone: its whole
//! messages before the fault are written, then it is closed and the fault
//! is said on stderr, naming the peer, the byte offset and what was wrong.
//! A peer's bytes are its own to get wrong, and the server is there for the
//! others; one peer that lost its boundaries says nothing about theirs. A
//! peer closed for any other reason (a reset, a send that failed) still has
//! the whole messages it sent written (`Turn::Left`). A line of stdin that
//! cannot be framed is the server's own input gone wrong: exit 1, as with
//! one peer.

use std::collections::VecDeque;
use std::os::fd::AsFd;
use std::rc::Rc;

use nix::errno::Errno;

use super::peer::Peer;
use super::{CHUNK, Server};
use crate::error::{Failure, describe};
use crate::pump::{Chunk, Pump, Sink};
use crate::relay::Ending;

/// Whose whole message goes to stdout next.
pub(super) enum Turn {
    /// A live peer (slot and generation) with a whole message waiting.
    Peer(usize, u32),
    /// The whole messages a closed peer sent before it went, still to be
    /// written.
    Left(Box<Pump>),
}

/// The turns to stdout, in order.
pub(super) type Turns = VecDeque<Turn>;

impl Server<'_> {
    /// The pump that unframes a new stdio peer's stream, with `--frame`.
    pub(super) fn unframer(&self) -> Option<Pump> {
        let (format, max) = self.settings.opts.frame?;
        Some(Pump::unframing_on_demand(format, max, CHUNK))
    }

    /// One read of stdin through the framer, and each whole line it
    /// completes, framed once, to every peer. False when stdin has nothing
    /// now or has ended.
    pub(super) fn read_stdin_framed(&mut self) -> anyhow::Result<bool> {
        let Some(framer) = self.framer.as_mut() else {
            return Ok(false);
        };
        match framer.fill(self.stdin.as_fd(), &mut |_| {}) {
            Ok(_) => {}
            Err(Errno::EAGAIN) => {
                self.stdin_ready.drained();
                return Ok(false);
            }
            Err(Errno::EINTR) => return Ok(false),
            Err(Errno::EBADF) => return self.end_stdin().map(|()| false),
            Err(e) => return Err(Failure::new("read", "stdin", e).into()),
        }
        for (chunk, messages) in self.frame_lines()? {
            self.fan_out(chunk, messages, None)?;
        }
        if self.framer.as_ref().is_some_and(Pump::finished) {
            self.end_stdin()?;
            return Ok(false);
        }
        Ok(true)
    }

    /// The whole lines of stdin the framer holds, each framed, in chunks
    /// with how many messages each holds; or why a line cannot be a message
    /// (too long for its prefix or over `--max-frame`). Short messages
    /// share a chunk of up to `CHUNK` bytes, so a queue of many small
    /// messages costs what their bytes do; a longer one is a chunk alone,
    /// copied once.
    fn frame_lines(&mut self) -> anyhow::Result<Vec<(Chunk, u64)>> {
        let Some(framer) = self.framer.as_mut() else {
            return Ok(Vec::new());
        };
        let mut chunks = Vec::new();
        let mut batch = Vec::new();
        let mut batched = 0;
        while framer.ready() {
            let taken = framer.drain_frame(
                |parts, _| {
                    let len = parts.iter().map(|p| p.len()).sum();
                    if batch.len() + len > CHUNK && batched > 0 {
                        chunks.push((Chunk::from(&batch[..]), batched));
                        batch.clear();
                        batched = 0;
                    }
                    if len > CHUNK {
                        chunks.push((chunk_of(parts), 1));
                    } else {
                        parts.iter().for_each(|p| batch.extend_from_slice(p));
                        batched += 1;
                    }
                    Ok(len)
                },
                &mut |_| {},
            );
            if let Err(e) = taken {
                let why = framer
                    .take_refusal()
                    .map_or_else(|| describe(e), |r| r.to_string());
                return Err(anyhow::anyhow!("frame a line of stdin: {why}"));
            }
        }
        if batched > 0 {
            chunks.push((Chunk::from(&batch[..]), batched));
        }
        Ok(chunks)
    }

    /// One read of a framed peer into its own pump.
    pub(super) fn read_framed(&mut self, idx: usize) -> anyhow::Result<()> {
        let Peer {
            fd,
            from_peer,
            counts,
            ready,
            ..
        } = self.peer(idx);
        let Some(pump) = from_peer.as_mut() else {
            return Ok(());
        };
        match pump.fill(fd.as_fd(), &mut |_| {}) {
            Ok(n) => counts.rx += n as u64,
            Err(Errno::EAGAIN) => {
                ready.drained();
                return Ok(());
            }
            Err(Errno::EINTR) => return Ok(()),
            Err(e) => return self.close_peer(idx, Some(describe(e))),
        }
        self.framed_news(idx)
    }

    /// After a framed peer's pump moved: close the peer at a fault (said on
    /// stderr) or at its end, once what it sent whole is written; give it
    /// a turn when a message waits.
    fn framed_news(&mut self, idx: usize) -> anyhow::Result<()> {
        let reporter = self.reporter;
        let peer = self.peer(idx);
        let Some(pump) = peer.from_peer.as_ref() else {
            return Ok(());
        };
        if let Some(fault) = pump.unframe_error() {
            let why = fault.to_string();
            let who = peer
                .credentials
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            reporter.peer_failure(format_args!("receive from {}{who}: {why}", peer.name));
            return self.close_peer(idx, Some(why));
        }
        if pump.finished() {
            peer.reading = false;
            return self.settle(idx);
        }
        if pump.holds() && !peer.has_turn {
            peer.has_turn = true;
            let generation = peer.generation;
            self.turns.push_back(Turn::Peer(idx, generation));
        }
        Ok(())
    }

    /// Write whole messages to stdout in turns, while it takes them; see
    /// the module doc.
    pub(super) fn flush_turns(&mut self) -> anyhow::Result<()> {
        let relaying = self.settings.broker;
        let framing = self.settings.opts.frame;
        while self.ending.is_none() && self.stdout_ready.writable && !self.out.holds() {
            let Some(turn) = self.turns.front_mut() else {
                break;
            };
            let (pump, sender) = match turn {
                Turn::Peer(idx, generation) => {
                    let live = self.peers[*idx]
                        .as_mut()
                        .filter(|p| p.generation == *generation);
                    match live.and_then(|p| p.from_peer.as_mut()) {
                        Some(pump) => (pump, Some(*idx)),
                        None => {
                            self.turns.pop_front();
                            continue;
                        }
                    }
                }
                Turn::Left(pump) => (&mut **pump, None),
            };
            let before = pump.whole_messages;
            let mut relay = None;
            let mut seen = |message: &[u8]| {
                if let Some((format, max)) = framing.filter(|_| relaying)
                    && let Ok(frame) = format.frame(message.len(), max)
                {
                    relay = Some(chunk_of(&frame.parts(message)));
                }
            };
            match pump.drain(self.stdout.as_fd(), Sink::Stdio, &mut seen) {
                Ok(_) => {}
                Err(Errno::EAGAIN) => {
                    self.stdout_ready.filled();
                    break;
                }
                Err(Errno::EINTR) => break,
                Err(Errno::EPIPE) => {
                    self.ending = Some(Ending::StdoutClosed);
                    self.turns.clear();
                    break;
                }
                Err(e) => return Err(Failure::new("write", "stdout", e).into()),
            }
            if pump.whole_messages == before {
                // Part of a message: the same turn goes on.
                continue;
            }
            let more = pump.holds();
            match self.turns.pop_front() {
                Some(Turn::Left(pump)) if more => self.turns.push_back(Turn::Left(pump)),
                Some(Turn::Peer(idx, _)) => self.next_turn(idx)?,
                _ => {}
            }
            if let Some(message) = relay {
                self.fan_out(message, 1, sender)?;
            }
        }
        Ok(())
    }

    /// A peer's message is out: its next one (already in its buffer) takes
    /// a turn at the back, or it is read again.
    fn next_turn(&mut self, idx: usize) -> anyhow::Result<()> {
        let peer = self.peer(idx);
        peer.has_turn = false;
        let (readable, generation) = (peer.ready.readable, peer.generation);
        let wants = peer.from_peer.as_ref().is_some_and(Pump::wants_fill);
        if wants && readable {
            self.runnable.push((idx, generation));
        }
        self.framed_news(idx)
    }

    /// A framed peer is being closed: whole messages it has waiting keep
    /// their turn, written as if it were still there.
    pub(super) fn leave_turn(&mut self, idx: usize, generation: u32, pump: Pump) {
        let at = self
            .turns
            .iter()
            .position(|t| matches!(t, Turn::Peer(i, g) if *i == idx && *g == generation));
        if let Some(at) = at {
            self.turns[at] = Turn::Left(Box::new(pump));
        }
    }
}

/// Bytes in `parts`, one after another, as one chunk: one allocation of
/// exactly their length, shared by every peer it is queued for.
fn chunk_of(parts: &[&[u8]]) -> Chunk {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut chunk: Chunk = std::iter::repeat_n(0, len).collect();
    if let Some(bytes) = Rc::get_mut(&mut chunk) {
        let mut at = 0;
        for part in parts {
            bytes[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_holds_its_parts_in_order() {
        let chunk = chunk_of(&[b"\x00\x02", b"hi", b""]);
        assert_eq!(&chunk[..], b"\x00\x02hi");
        assert!(chunk_of(&[]).is_empty());
    }
}

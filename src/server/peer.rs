//! One peer of the server loop and the queue of bytes waiting for it (or
//! for stdout). A queue holds shared chunks, so what stdin gave once is
//! queued for every peer without a copy, and an idle peer holds no buffer.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::rc::Rc;

use nix::unistd::Pid;

use super::STDIN_LOW;
use crate::addr::Addr;
use crate::event_loop::Readiness;
use crate::report::Counts;

/// Chunks shared by every peer they are queued for: stdin is read once
/// whatever the number of peers.
pub type Chunk = Rc<[u8]>;

/// Bytes waiting for one descriptor, the front chunk partly written.
#[derive(Default)]
pub struct Queue {
    chunks: VecDeque<Chunk>,
    head: usize,
    pub bytes: usize,
}

impl Queue {
    pub fn push(&mut self, chunk: Chunk) {
        self.bytes += chunk.len();
        self.chunks.push_back(chunk);
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Write until empty or `write` says `EAGAIN` (or fails).
    pub fn flush(&mut self, mut write: impl FnMut(&[u8]) -> nix::Result<usize>) -> nix::Result<()> {
        while let Some(front) = self.chunks.front() {
            let n = write(&front[self.head..])?;
            self.head += n;
            self.bytes -= n;
            if self.head == front.len() {
                self.chunks.pop_front();
                self.head = 0;
            }
        }
        // An idle peer keeps no allocation.
        self.chunks = VecDeque::new();
        Ok(())
    }
}

/// What a peer is served by.
pub enum Role {
    /// stdin (and `--broker` peers) in, stdout out.
    Stdio,
    /// A child of ours has the socket as its stdin and stdout.
    Child(Pid),
}

pub struct Peer {
    pub fd: OwnedFd,
    pub name: Addr,
    pub generation: u32,
    pub role: Role,
    /// Queued for the peer.
    pub queue: Queue,
    /// What the event loop last said of its socket (a child's socket is
    /// never watched: it is the child's).
    pub ready: Readiness,
    /// The peer may still send.
    pub reading: bool,
    /// Our write side is shut down.
    pub shut: bool,
    /// Not read until stdout drains.
    pub paused: bool,
    /// Bytes received from and sent to the peer by us (a child's own
    /// traffic is not ours to count).
    pub counts: Counts,
    pub started: std::time::Instant,
}

impl Peer {
    /// Counts toward "some peer wants more of stdin".
    pub fn hungry(&self) -> bool {
        matches!(self.role, Role::Stdio) && !self.shut && self.queue.bytes < STDIN_LOW
    }
}

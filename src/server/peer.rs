//! One peer of the server loop. What waits for it is a chunks `Pump`:
//! what stdin gave once is queued for every peer without a copy, and an
//! idle peer holds no buffer. With `--frame`, what it sends goes through
//! a pump of its own that unframes it (`frames`).

use std::collections::VecDeque;
use std::os::fd::OwnedFd;

use nix::unistd::Pid;

use super::STDIN_LOW;
use crate::access::Credentials;
use crate::addr::Addr;
use crate::event_loop::Readiness;
use crate::pump::{Chunk, Pump};

use super::pair::Pair;
use crate::report::Counts;

/// What a peer is served by.
pub enum Role {
    /// stdin (and `--broker` peers) in, stdout out.
    Stdio,
    /// A child of ours has the socket as its stdin and stdout.
    Child(Pid),
    /// `forward`: a target opened for this peer, and a pump each way.
    Forward(Box<Pair>),
}

pub struct Peer {
    pub fd: OwnedFd,
    pub name: Addr,
    /// A Unix peer's pid, uid and gid, which name it better than its
    /// (often empty) address.
    pub credentials: Option<Credentials>,
    pub generation: u32,
    pub role: Role,
    /// stdin (and with `--broker` the other peers) to this peer.
    pub to_peer: Pump,
    /// `--frame`: what the peer sends, unframed, whole messages waiting
    /// for stdout.
    pub from_peer: Option<Pump>,
    /// `--frame`: a whole message of its waits in the server's turns.
    pub has_turn: bool,
    /// `--frame`: where each chunk queued for it ends in what it is sent,
    /// and the whole messages it holds, from the first not yet sent whole;
    /// and how many messages went whole before that.
    pub message_ends: VecDeque<(u64, u64)>,
    pub messages_sent: u64,
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
    /// Worth a read now: it may send more, stdout is not full, and with
    /// `--frame` no whole message of its still waits for stdout.
    pub fn wants_read(&self) -> bool {
        self.reading && !self.paused && self.from_peer.as_ref().is_none_or(Pump::wants_fill)
    }

    /// Queue `chunk` for the peer; with `--frame` it holds `messages`
    /// whole messages.
    pub fn queue(&mut self, chunk: Chunk, messages: u64) {
        if self.from_peer.is_some() {
            self.count_sent();
            let end = self.to_peer.received + chunk.len() as u64;
            self.message_ends.push_back((end, messages));
        }
        self.to_peer.push(chunk);
    }

    /// `--frame`: the messages sent whole so far (a chunk's are counted
    /// once all of it is sent).
    pub fn count_sent(&mut self) -> u64 {
        while let Some(&(end, messages)) = self.message_ends.front()
            && end <= self.to_peer.sent
        {
            self.message_ends.pop_front();
            self.messages_sent += messages;
        }
        self.messages_sent
    }

    /// Counts toward "some peer wants more of stdin".
    pub fn hungry(&self) -> bool {
        matches!(self.role, Role::Stdio) && !self.shut && self.to_peer.queued() < STDIN_LOW
    }
}

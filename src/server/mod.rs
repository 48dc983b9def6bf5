//! The many-peer listener: `listen -k`, `-e`/`-c`, `--broker`, `-m` and the
//! access rules, on the one event loop with no thread per peer.
//!
//! Contract: `serve` runs until interrupted (an `Interrupted` error, after
//! every child has been stopped and reaped), until stdout is closed
//! (`Ending::StdoutClosed`), or, without `-k`, until its one peer is done.
//! Each peer is a slot in a slab whose index and generation make its event
//! loop token, so an event for a peer that has gone can never reach its
//! successor. The loop is `event_loop`'s, edge-triggered: every descriptor
//! is registered once, and a peer with news it has not acted on waits in
//! `runnable`, so the loop pays for the peers that moved. A peer is either
//! fed from stdin (and, with `--broker`, from the other peers) through a
//! queue of shared chunks, or handed to a child (`Role::Child`) and left
//! alone until the child exits. An idle peer costs its slot and its
//! descriptor: buffers exist only while bytes are queued. A `forward` peer
//! (`Role::Forward`) is a pair: a target dialed without blocking the loop
//! and a `pump::Pump` each way (`pair`, `forward`).
//!
//! Flow control: stdin is read while some peer has less than `STDIN_LOW`
//! queued, that is at the pace of the fastest peer; a peer that falls
//! `BACKLOG_LIMIT` behind is dropped. Peers are read while stdout has less
//! than `STDOUT_HIGH` queued; each read reaches stdout whole, as one queued
//! chunk, so the output of two peers never interleaves inside a read. With
//! `--frame` the unit is the message, and each peer holds at most one whole
//! message for stdout (`frames`).
//! Accepting pauses at `-m` and when the process is out of descriptors
//! (`EMFILE`), and resumes when a peer leaves.
//!
//! Here: the loop, its tokens and the peers' traffic. `accept`: peers
//! arriving (admitted or refused) and leaving, and children reaped. `stdio`:
//! stdin fanned out, stdout fed. `peer`: a peer's state and queue.
//! `frames`: `--frame`, whole messages each way, stdout taken in turns.
//! A datagram socket has no peers to accept: `listen -k` on one is a relay
//! session that follows the latest sender (`relay::Adopt::Latest`).

mod accept;
mod forward;
mod frames;
mod pair;
mod peer;
mod stdio;

use std::collections::HashMap;
use std::io::{Stdin, Stdout};
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::epoll::EpollFlags;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::Pid;

use self::peer::{Peer, Role};
use crate::access::Access;
use crate::addr::{Addr, Kind};
use crate::buffer::Pipes;
use crate::error::describe;
use crate::event_loop::{EventLoop, Readiness, Token};
use crate::exec::{self, Program};
use crate::hexdump::Hexdump;
use crate::listener::Listener;
use crate::pump::{Chunk, Pump, Sink};
use crate::relay::{Ending, NonBlockingStdio, Options};
use crate::report::Reporter;
use crate::signals::Signals;
use crate::socket_file::SocketFile;

const LISTENER: Token = 1;
const STDIN: Token = 2;
const STDOUT: Token = 3;
const FIRST_PEER: Token = 4;
/// The bit of a token that says it is a pair's target socket.
const TARGET_SIDE: Token = 1 << 31;

/// A peer this far behind is dropped: enough for bursts, small enough that
/// a stalled peer costs bounded memory.
pub const BACKLOG_LIMIT: usize = 4 << 20;
/// stdin is read while some peer has less than this queued.
const STDIN_LOW: usize = 256 << 10;
/// Peers are read while stdout has less than this queued.
const STDOUT_HIGH: usize = 1 << 20;
/// One read of stdin or of a stream peer.
const CHUNK: usize = 64 << 10;
/// One seqpacket record, read whole (as `relay` does).
const RECORD: usize = crate::buffer::CAPACITY;
/// Accepts per wakeup, so a flood of connections cannot starve the peers
/// already served.
const ACCEPT_BATCH: usize = 64;
/// How long accepting stays paused after `EMFILE` when no peer leaves to
/// free a descriptor (another part of the process may hold them).
const EMFILE_RETRY: Duration = Duration::from_secs(1);
/// Reads of stdin per turn of the loop.
const TURNS: usize = 16;

/// How the server runs, from the command line.
pub struct Settings {
    pub keep_open: bool,
    pub max: Option<usize>,
    pub refuse_extra: bool,
    pub broker: bool,
    pub access: Access,
    pub program: Option<Program>,
    pub opts: Options,
    pub timeout: Option<Duration>,
    /// `forward`: each peer gets this target, pumped both ways.
    pub forward: Option<Forwarding>,
}

/// What `forward` opens for each accepted peer.
pub struct Forwarding {
    pub target: crate::socket::Resolved,
    pub dial: crate::dial::Options,
}

/// Serve `listener` as `settings` say; see the module's contract.
pub fn serve(
    listener: Listener,
    settings: &Settings,
    dump: Option<Hexdump>,
    reporter: Reporter,
    signals: &Signals,
) -> anyhow::Result<u8> {
    if settings.keep_open {
        raise_descriptor_limit(reporter);
    }
    if settings.program.is_some() {
        signals.watch_children()?;
    }
    let _stdio = NonBlockingStdio::set();
    let events = EventLoop::new(signals)?;
    let mut server = Server::new(listener, settings, reporter, events)?;
    server.dump = dump;
    // Either ending (done, or stdout closed) is a clean exit.
    server.run()?;
    Ok(0)
}

/// Raise the soft limit on open descriptors to the hard one: each peer is a
/// descriptor, and 1024 is a small soft limit for a server.
fn raise_descriptor_limit(reporter: Reporter) {
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft < hard
        && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_err()
    {
        reporter.notice(format_args!(
            "could not raise the open file limit from {soft} to {hard}"
        ));
    }
}

struct Server<'a> {
    settings: &'a Settings,
    reporter: Reporter,
    events: EventLoop<'a>,
    listener: Option<OwnedFd>,
    listener_ready: Readiness,
    /// The socket file stays until we exit, even once the listener is closed.
    _file: Option<SocketFile>,
    kind: Kind,
    local: Addr,
    /// Accepting paused by `EMFILE` until a peer leaves or this time.
    starved: Option<Instant>,
    peers: Vec<Option<Peer>>,
    free: Vec<usize>,
    generation: u32,
    count: usize,
    /// Peers that would take more of stdin.
    hungry: usize,
    served: u64,
    children: HashMap<Pid, usize>,
    stdin: Stdin,
    stdout: Stdout,
    stdin_ready: Readiness,
    stdin_open: bool,
    stdout_ready: Readiness,
    /// What peers sent, for stdout: each read a chunk, written whole.
    out: Pump,
    /// `--frame`: stdin framed once for every peer.
    framer: Option<Pump>,
    /// `--frame`: whose whole message goes to stdout next.
    turns: frames::Turns,
    /// Peers left unread while stdout is full.
    paused: Vec<(usize, u32)>,
    /// Peers with news not yet acted on (edge-triggered: an event comes
    /// once, so a peer read once and still readable waits here).
    runnable: Vec<(usize, u32)>,
    scratch: Vec<u8>,
    ending: Option<Ending>,
    deadline: Option<Instant>,
    /// `-x` of `forward`'s pairs.
    dump: Option<Hexdump>,
    /// Pairs opened so far (`forward`), for their numbers.
    pairs: u64,
    /// Pairs whose target is still being dialed: the timers to look at.
    dialing: usize,
    /// Empty pipes left by closed pairs, for new ones.
    pipes: Pipes,
}

impl<'a> Server<'a> {
    fn new(
        listener: Listener,
        settings: &'a Settings,
        reporter: Reporter,
        events: EventLoop<'a>,
    ) -> anyhow::Result<Server<'a>> {
        let listener_ready =
            events.add(listener.fd.as_fd(), LISTENER, &listener.local.to_string())?;
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let stdin_ready = if settings.opts.read_stdin {
            events.add(stdin.as_fd(), STDIN, "stdin")?
        } else {
            Readiness::default()
        };
        let stdout_ready = events.add(stdout.as_fd(), STDOUT, "stdout")?;
        let scratch = vec![
            0u8;
            if listener.kind == Kind::Seqpacket {
                RECORD
            } else {
                CHUNK
            }
        ];
        Ok(Server {
            settings,
            reporter,
            events,
            listener: Some(listener.fd),
            listener_ready,
            _file: listener._file,
            kind: listener.kind,
            local: listener.local,
            starved: None,
            peers: Vec::new(),
            free: Vec::new(),
            generation: 0,
            count: 0,
            hungry: 0,
            served: 0,
            children: HashMap::new(),
            stdin_ready,
            stdout_ready,
            stdin_open: settings.opts.read_stdin,
            stdin,
            stdout,
            out: Pump::chunks(),
            framer: settings
                .opts
                .frame
                .filter(|_| settings.opts.read_stdin)
                .map(|(format, max)| Pump::framing(format, max)),
            turns: frames::Turns::new(),
            paused: Vec::new(),
            runnable: Vec::new(),
            scratch,
            ending: None,
            deadline: settings.timeout.map(|d| Instant::now() + d),
            dump: None,
            pairs: 0,
            dialing: 0,
            pipes: Pipes::new(forward::PAIR_BUFFER),
        })
    }

    fn run(&mut self) -> anyhow::Result<Ending> {
        let mut news = Vec::new();
        loop {
            self.pump()?;
            if let Some(ending) = self.ending {
                return Ok(ending);
            }
            if !self.settings.keep_open && self.served > 0 && self.count == 0 {
                return Ok(Ending::Finished);
            }
            let woken = self.events.wait(self.deadline())?;
            if woken.children {
                self.reap()?;
            }
            news.extend(self.events.events());
            for (token, flags) in news.drain(..) {
                self.dispatch(token, flags)?;
            }
            let now = Instant::now();
            if self.served == 0 && self.deadline.is_some_and(|d| now >= d) {
                return Err(crate::listener::no_peer(&self.local, self.settings.timeout));
            }
            if self.starved.is_some_and(|t| now >= t) {
                self.starved = None;
            }
            self.pairs_due(now)?;
        }
    }

    /// When the loop must wake with no news: at once when something can
    /// move now (edge-triggered readiness is kept, not repeated); else at
    /// the `-w` deadline or the `EMFILE` retry.
    fn deadline(&self) -> Option<Instant> {
        let pairs = self.pairs_deadline();
        let busy = !self.runnable.is_empty()
            || (self.wants_stdin() && self.stdin_ready.readable)
            || ((self.out.holds() || !self.turns.is_empty()) && self.stdout_ready.writable)
            || (self.listener_ready.readable && self.may_accept());
        if busy {
            return Some(Instant::now());
        }
        let deadline = if self.served == 0 {
            self.deadline
        } else {
            None
        };
        [deadline, self.starved, pairs].into_iter().flatten().min()
    }

    fn dispatch(&mut self, token: Token, flags: EpollFlags) -> anyhow::Result<()> {
        match token {
            LISTENER => self.listener_ready.update(flags),
            STDIN => self.stdin_ready.update(flags),
            STDOUT => self.stdout_ready.update(flags),
            _ => {
                let Some((idx, target)) = self.slot_of(token) else {
                    return Ok(());
                };
                let peer = self.peer(idx);
                match (&mut peer.role, target) {
                    (Role::Forward(pair), true) => pair.target_news(flags),
                    _ => peer.ready.update(flags),
                }
                let generation = peer.generation;
                self.runnable.push((idx, generation));
            }
        }
        Ok(())
    }

    /// Act on a peer's readiness: send what is queued, read what it sent.
    /// A peer still readable after one read (it may have more) runs again
    /// next turn, after the others.
    fn run_peer(&mut self, idx: usize) -> anyhow::Result<()> {
        if matches!(self.peer(idx).role, Role::Forward(_)) {
            return self.run_pair(idx);
        }
        let peer = self.peer(idx);
        if peer.ready.writable && peer.to_peer.holds() {
            self.flush_peer(idx)?;
        }
        let read_socket = self.settings.opts.read_socket;
        let Some(peer) = self.peers[idx].as_mut() else {
            return Ok(());
        };
        if peer.ready.readable && read_socket && peer.wants_read() {
            self.read_peer(idx)?;
            if let Some(peer) = self.peers[idx].as_mut()
                && peer.ready.readable
                && peer.wants_read()
            {
                let generation = peer.generation;
                self.runnable.push((idx, generation));
            }
        }
        Ok(())
    }

    /// A peer's token: its slot, its generation, and which of its sockets
    /// (a `forward` pair has two).
    fn token(idx: usize, generation: u32) -> u64 {
        FIRST_PEER + ((generation as u64) << 32 | idx as u64)
    }

    fn target_token(idx: usize, generation: u32) -> u64 {
        Self::token(idx, generation) | TARGET_SIDE
    }

    /// The live slot a token names, and whether it names a pair's target.
    fn slot_of(&self, token: u64) -> Option<(usize, bool)> {
        let raw = token - FIRST_PEER;
        let target = raw & TARGET_SIDE != 0;
        let raw = raw & !TARGET_SIDE;
        let (idx, generation) = ((raw & 0xffff_ffff) as usize, (raw >> 32) as u32);
        match self.peers.get(idx) {
            Some(Some(peer)) if peer.generation == generation => Some((idx, target)),
            _ => None,
        }
    }

    fn peer(&mut self, idx: usize) -> &mut Peer {
        self.peers[idx].as_mut().expect("a live slot")
    }

    /// Move what can move without blocking: stdout's queue, the peers with
    /// news, stdin to the peers, new peers.
    fn pump(&mut self) -> anyhow::Result<()> {
        self.flush_stdout()?;
        if self.out.queued() < STDOUT_HIGH && !self.paused.is_empty() {
            for (idx, generation) in std::mem::take(&mut self.paused) {
                if let Some(peer) = self.peers[idx].as_mut()
                    && peer.generation == generation
                {
                    peer.paused = false;
                    self.runnable.push((idx, generation));
                }
            }
        }
        for (idx, generation) in std::mem::take(&mut self.runnable) {
            if self.peers[idx]
                .as_ref()
                .is_some_and(|p| p.generation == generation)
            {
                self.run_peer(idx)?;
            }
        }
        for _ in 0..TURNS {
            if !self.wants_stdin() || !self.stdin_ready.readable || !self.read_stdin()? {
                break;
            }
        }
        if self.listener_ready.readable && self.may_accept() {
            self.accept()?;
        }
        Ok(())
    }

    /// Queue `chunk` for every stdio peer but `except`, dropping those it
    /// would put past the limit. With `--frame` it holds `messages` whole
    /// messages (plain bytes: 0).
    fn fan_out(
        &mut self,
        chunk: Chunk,
        messages: u64,
        except: Option<usize>,
    ) -> anyhow::Result<()> {
        let mut dropped = Vec::new();
        for idx in 0..self.peers.len() {
            let Some(peer) = self.peers[idx].as_mut() else {
                continue;
            };
            if Some(idx) == except || !matches!(peer.role, Role::Stdio) || peer.shut {
                continue;
            }
            // An empty queue takes any one chunk: a --frame message may be
            // larger than the limit on its own.
            let queued = peer.to_peer.queued();
            if queued > 0 && queued + chunk.len() > BACKLOG_LIMIT {
                dropped.push(idx);
                continue;
            }
            let was_hungry = peer.hungry();
            peer.queue(chunk.clone(), messages);
            if was_hungry && !peer.hungry() {
                self.hungry -= 1;
            }
            self.flush_peer(idx)?;
        }
        for idx in dropped {
            let limit = BACKLOG_LIMIT >> 20;
            self.close_peer(idx, Some(format!("dropped: more than {limit} MiB behind")))?;
        }
        Ok(())
    }

    /// Send what is queued for a peer, if its socket has room; on an error
    /// the peer goes.
    fn flush_peer(&mut self, idx: usize) -> anyhow::Result<()> {
        let peer = self.peer(idx);
        if !peer.to_peer.holds() || !peer.ready.writable {
            return self.settle(idx);
        }
        let was_hungry = peer.hungry();
        let fd = peer.fd.as_fd();
        let mut result = Ok(());
        while peer.to_peer.holds() {
            if let Err(e) = peer.to_peer.drain(fd, Sink::Socket, &mut |_| {}) {
                result = Err(e);
                break;
            }
        }
        if result == Err(Errno::EAGAIN) {
            peer.ready.filled();
        }
        let now_hungry = peer.hungry();
        if now_hungry && !was_hungry {
            self.hungry += 1;
        }
        match result {
            Ok(()) | Err(Errno::EAGAIN | Errno::EINTR) => self.settle(idx),
            Err(e) => self.close_peer(idx, Some(describe(e))),
        }
    }

    /// After a change: shut the write side once stdin has ended and the
    /// queue is sent; close a peer that has nothing left either way.
    fn settle(&mut self, idx: usize) -> anyhow::Result<()> {
        let stdin_open = self.stdin_open;
        let opts = &self.settings.opts;
        // A broker's peers still hear each other after stdin ends.
        let shutdown_on_eof = opts.shutdown_on_eof && !self.settings.broker;
        let peer = self.peer(idx);
        if !matches!(peer.role, Role::Stdio) {
            return Ok(());
        }
        let sent_all = !stdin_open && !peer.to_peer.holds();
        if sent_all && !peer.shut && shutdown_on_eof {
            let was_hungry = peer.hungry();
            peer.shut = true;
            if was_hungry {
                self.hungry -= 1;
            }
            if let Err(e) = crate::socket::shutdown_write(&self.peer(idx).fd) {
                return self.close_peer(idx, Some(describe(e)));
            }
        }
        let peer = self.peer(idx);
        // A -k peer is closed at its EOF: stdin is shared, and a peer that
        // has said all it will is done.
        if !peer.reading {
            return self.close_peer(idx, None);
        }
        Ok(())
    }

    /// One read from a peer; what came goes to stdout whole (and with
    /// `--broker` to the other peers).
    fn read_peer(&mut self, idx: usize) -> anyhow::Result<()> {
        if self.peer(idx).from_peer.is_some() {
            return self.read_framed(idx);
        }
        if self.out.queued() >= STDOUT_HIGH {
            let peer = self.peer(idx);
            peer.paused = true;
            let generation = peer.generation;
            self.paused.push((idx, generation));
            return Ok(());
        }
        let mut buf = std::mem::take(&mut self.scratch);
        let whole = self.kind == Kind::Seqpacket;
        let fd = self.peer(idx).fd.as_fd();
        let result = crate::socket::receive(fd, &mut buf, whole);
        let result = match result {
            Err(Errno::EMSGSIZE) => {
                self.scratch = buf;
                return self.close_peer(idx, Some(crate::socket::too_large(RECORD)));
            }
            // 0 is EOF, on seqpacket too: an empty record cannot be told
            // from the end, and ending is the safe reading.
            Ok(0) => {
                self.scratch = buf;
                self.peer(idx).reading = false;
                return self.settle(idx);
            }
            Ok(n) => {
                let data = Rc::<[u8]>::from(&buf[..n]);
                self.scratch = buf;
                self.peer(idx).counts.rx += n as u64;
                Ok(data)
            }
            Err(e) => {
                self.scratch = buf;
                Err(e)
            }
        };
        match result {
            Ok(data) => {
                if self.settings.broker {
                    self.fan_out(data.clone(), 0, Some(idx))?;
                }
                self.print(data)
            }
            Err(Errno::EAGAIN) => {
                self.peer(idx).ready.drained();
                Ok(())
            }
            Err(Errno::EINTR) => Ok(()),
            Err(e) => self.close_peer(idx, Some(describe(e))),
        }
    }
}

impl Drop for Server<'_> {
    /// However the loop ends, no child is left running or unreaped.
    fn drop(&mut self) {
        let pids: Vec<Pid> = self.children.keys().copied().collect();
        exec::stop(&pids);
    }
}

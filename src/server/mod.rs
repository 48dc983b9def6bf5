//! The many-peer listener: `listen -k`, `-e`/`-c`, `--broker`, `-m` and the
//! access rules, on one epoll loop with no thread per peer.
//!
//! Contract: `serve` runs until interrupted (an `Interrupted` error, after
//! every child has been stopped and reaped), until stdout is closed
//! (`Ending::StdoutClosed`), or, without `-k`, until its one peer is done.
//! Each peer is a slot in a slab whose index and generation make its epoll
//! token, so an event for a peer that has gone can never reach its
//! successor. A peer is either fed from stdin (and, with `--broker`, from the
//! other peers) through a queue of shared chunks, or handed to a child
//! (`Role::Child`) and left alone until the child exits. An idle peer costs
//! its slot and its descriptor: buffers exist only while bytes are queued.
//! `forward` will add a role that pumps to a target with `relay`'s buffers.
//!
//! Flow control: stdin is read while some peer has less than `STDIN_LOW`
//! queued, that is at the pace of the fastest peer; a peer that falls
//! `BACKLOG_LIMIT` behind is dropped. Peers are read while stdout has less
//! than `STDOUT_HIGH` queued; each read reaches stdout whole, as one queued
//! chunk, so the output of two peers never interleaves inside a read.
//! Accepting pauses at `-m` and when the process is out of descriptors
//! (`EMFILE`), and resumes when a peer leaves.
//!
//! Here: the loop, its tokens and the peers' traffic. `accept`: peers
//! arriving (admitted or refused) and leaving, and children reaped. `stdio`:
//! stdin fanned out, stdout fed. `peer`: a peer's state and queue.
//! `datagram`: `-k` on a datagram socket, which has no peers to accept.

mod accept;
mod datagram;
mod peer;
mod stdio;

use std::collections::HashMap;
use std::io::{Stdin, Stdout};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::rc::Rc;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::socket::{self as nixsock, MsgFlags, Shutdown};
use nix::unistd::Pid;

use self::peer::{Chunk, Peer, Queue, Role};
use self::stdio::StdioEnd;
use crate::access::Access;
use crate::addr::{Addr, Kind};
use crate::error::{Failure, describe};
use crate::exec::{self, Program};
use crate::listener::Listener;
use crate::relay::{Ending, NonBlockingStdio, Options};
use crate::report::Reporter;
use crate::signals::{Signals, timeout_until};
use crate::socket_file::SocketFile;

const SIGNALS: u64 = 0;
const LISTENER: u64 = 1;
const STDIN: u64 = 2;
const STDOUT: u64 = 3;
const FIRST_PEER: u64 = 4;

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
}

/// Serve `listener` as `settings` say; see the module's contract.
pub fn serve(
    listener: Listener,
    settings: &Settings,
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
    if listener.kind == Kind::Datagram {
        return datagram::serve(listener, settings, reporter, signals);
    }
    let mut server = Server::new(listener, settings, reporter, signals)?;
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
    signals: &'a Signals,
    epoll: Epoll,
    listener: Option<OwnedFd>,
    /// The socket file stays until we exit, even once the listener is closed.
    _file: Option<SocketFile>,
    kind: Kind,
    local: Addr,
    listener_armed: bool,
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
    stdin_end: StdioEnd,
    stdin_open: bool,
    stdout_end: StdioEnd,
    out: Queue,
    /// Peers left unread while stdout is full.
    paused: Vec<(usize, u32)>,
    scratch: Vec<u8>,
    ending: Option<Ending>,
    deadline: Option<Instant>,
}

impl<'a> Server<'a> {
    fn new(
        listener: Listener,
        settings: &'a Settings,
        reporter: Reporter,
        signals: &'a Signals,
    ) -> anyhow::Result<Server<'a>> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        epoll.add(signals.fd(), EpollEvent::new(EpollFlags::EPOLLIN, SIGNALS))?;
        epoll.add(
            listener.fd.as_fd(),
            EpollEvent::new(EpollFlags::EPOLLIN, LISTENER),
        )?;
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
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
            signals,
            epoll,
            listener: Some(listener.fd),
            _file: listener._file,
            kind: listener.kind,
            local: listener.local,
            listener_armed: true,
            starved: None,
            peers: Vec::new(),
            free: Vec::new(),
            generation: 0,
            count: 0,
            hungry: 0,
            served: 0,
            children: HashMap::new(),
            stdin_end: StdioEnd::new(),
            stdout_end: StdioEnd::new(),
            stdin_open: settings.opts.read_stdin,
            stdin,
            stdout,
            out: Queue::default(),
            paused: Vec::new(),
            scratch,
            ending: None,
            deadline: settings.timeout.map(|d| Instant::now() + d),
        })
    }

    fn run(&mut self) -> anyhow::Result<Ending> {
        let mut events = vec![EpollEvent::empty(); 256];
        loop {
            self.pump()?;
            if let Some(ending) = self.ending {
                return Ok(ending);
            }
            if !self.settings.keep_open && self.served > 0 && self.count == 0 {
                return Ok(Ending::Finished);
            }
            let n = match self.epoll.wait(&mut events, self.timeout()) {
                Ok(n) => n,
                Err(Errno::EINTR) => 0,
                Err(e) => return Err(Failure::new("wait on", "descriptors", e).into()),
            };
            for event in &events[..n] {
                self.dispatch(event.data(), event.events())?;
            }
            let now = Instant::now();
            if self.served == 0 && self.deadline.is_some_and(|d| now >= d) {
                return Err(crate::listener::no_peer(&self.local, self.settings.timeout));
            }
            if self.starved.is_some_and(|t| now >= t) {
                self.starved = None;
                self.arm_listener()?;
            }
        }
    }

    /// How long epoll may sleep: not at all when stdio that epoll cannot
    /// watch has work; else until the `-w` deadline or the `EMFILE` retry.
    fn timeout(&self) -> nix::sys::epoll::EpollTimeout {
        let busy = (self.wants_stdin() && !self.stdin_end.pollable)
            || (!self.out.is_empty() && !self.stdout_end.pollable);
        if busy {
            return timeout_until(Some(Instant::now()));
        }
        let deadline = if self.served == 0 {
            self.deadline
        } else {
            None
        };
        timeout_until([deadline, self.starved].into_iter().flatten().min())
    }

    fn dispatch(&mut self, token: u64, flags: EpollFlags) -> anyhow::Result<()> {
        match token {
            SIGNALS => {
                if self.signals.take()? {
                    self.reap()?;
                }
            }
            LISTENER => self.accept()?,
            STDIN | STDOUT => {} // handled by `pump`
            _ => {
                let Some(idx) = self.slot_of(token) else {
                    return Ok(());
                };
                if flags.intersects(EpollFlags::EPOLLOUT | EpollFlags::EPOLLERR) {
                    self.flush_peer(idx)?;
                }
                let readable = EpollFlags::EPOLLIN | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR;
                if flags.intersects(readable) && self.peers[idx].is_some() {
                    self.read_peer(idx)?;
                }
            }
        }
        Ok(())
    }

    fn token(idx: usize, generation: u32) -> u64 {
        FIRST_PEER + ((generation as u64) << 32 | idx as u64)
    }

    fn slot_of(&self, token: u64) -> Option<usize> {
        let raw = token - FIRST_PEER;
        let (idx, generation) = ((raw & 0xffff_ffff) as usize, (raw >> 32) as u32);
        match self.peers.get(idx) {
            Some(Some(peer)) if peer.generation == generation => Some(idx),
            _ => None,
        }
    }

    fn peer(&mut self, idx: usize) -> &mut Peer {
        self.peers[idx].as_mut().expect("a live slot")
    }

    /// Move what can move without blocking: stdout's queue, then stdin to
    /// the peers.
    fn pump(&mut self) -> anyhow::Result<()> {
        self.flush_stdout()?;
        if self.out.bytes < STDOUT_HIGH && !self.paused.is_empty() {
            for (idx, generation) in std::mem::take(&mut self.paused) {
                if let Some(peer) = self.peers[idx].as_mut()
                    && peer.generation == generation
                {
                    peer.paused = false;
                    self.rearm(idx)?;
                }
            }
        }
        for _ in 0..TURNS {
            if !self.wants_stdin() || !self.read_stdin()? {
                break;
            }
        }
        self.arm_stdin()
    }

    /// Queue `chunk` for every stdio peer but `except`, dropping those it
    /// would put past the limit.
    fn fan_out(&mut self, chunk: Chunk, except: Option<usize>) -> anyhow::Result<()> {
        let mut dropped = Vec::new();
        for idx in 0..self.peers.len() {
            let Some(peer) = self.peers[idx].as_mut() else {
                continue;
            };
            if Some(idx) == except || !matches!(peer.role, Role::Stdio) || peer.shut {
                continue;
            }
            if peer.queue.bytes + chunk.len() > BACKLOG_LIMIT {
                dropped.push(idx);
                continue;
            }
            let was_hungry = peer.hungry();
            peer.queue.push(chunk.clone());
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

    /// Send what is queued for a peer; on an error the peer goes.
    fn flush_peer(&mut self, idx: usize) -> anyhow::Result<()> {
        let peer = self.peer(idx);
        if peer.queue.is_empty() {
            return self.settle(idx);
        }
        let was_hungry = peer.hungry();
        let fd = peer.fd.as_raw_fd();
        let mut sent = 0;
        let result = peer.queue.flush(|bytes| {
            nixsock::send(fd, bytes, MsgFlags::MSG_NOSIGNAL).inspect(|n| sent += *n as u64)
        });
        peer.counts.tx += sent;
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
    /// queue is sent; close a peer that has nothing left either way; set
    /// the epoll interest to what the peer now needs.
    fn settle(&mut self, idx: usize) -> anyhow::Result<()> {
        let stdin_open = self.stdin_open;
        let opts = &self.settings.opts;
        // A broker's peers still hear each other after stdin ends.
        let shutdown_on_eof = opts.shutdown_on_eof && !self.settings.broker;
        let peer = self.peer(idx);
        if !matches!(peer.role, Role::Stdio) {
            return Ok(());
        }
        let sent_all = !stdin_open && peer.queue.is_empty();
        if sent_all && !peer.shut && shutdown_on_eof {
            let was_hungry = peer.hungry();
            peer.shut = true;
            if was_hungry {
                self.hungry -= 1;
            }
            let peer = self.peer(idx);
            match nixsock::shutdown(peer.fd.as_raw_fd(), Shutdown::Write) {
                Ok(()) | Err(Errno::ENOTCONN) => {}
                Err(e) => return self.close_peer(idx, Some(describe(e))),
            }
        }
        let peer = self.peer(idx);
        // A -k peer is closed at its EOF: stdin is shared, and a peer that
        // has said all it will is done.
        if !peer.reading {
            return self.close_peer(idx, None);
        }
        self.rearm(idx)
    }

    fn rearm(&mut self, idx: usize) -> anyhow::Result<()> {
        let read_socket = self.settings.opts.read_socket;
        let peer = self.peers[idx].as_mut().expect("a live slot");
        let mut want = EpollFlags::empty();
        if matches!(peer.role, Role::Stdio) {
            if peer.reading && read_socket && !peer.paused {
                want |= EpollFlags::EPOLLIN;
            }
            if !peer.queue.is_empty() {
                want |= EpollFlags::EPOLLOUT;
            }
        }
        if want == peer.interest {
            return Ok(());
        }
        let token = Self::token(idx, peer.generation);
        // An fd registered with no interest would still report HUP and ERR
        // over and over; one that wants nothing is taken out instead.
        let result = if peer.interest.is_empty() {
            self.epoll.add(&peer.fd, EpollEvent::new(want, token))
        } else if want.is_empty() {
            self.epoll.delete(&peer.fd)
        } else {
            self.epoll
                .modify(&peer.fd, &mut EpollEvent::new(want, token))
        };
        peer.interest = want;
        result.map_err(|e| Failure::new("watch", &peer.name, e).into())
    }

    /// One read from a peer; what came goes to stdout whole (and with
    /// `--broker` to the other peers).
    fn read_peer(&mut self, idx: usize) -> anyhow::Result<()> {
        if self.out.bytes >= STDOUT_HIGH {
            let peer = self.peer(idx);
            peer.paused = true;
            let generation = peer.generation;
            self.paused.push((idx, generation));
            return self.rearm(idx);
        }
        let mut buf = std::mem::take(&mut self.scratch);
        let fd = self.peer(idx).fd.as_raw_fd();
        let result = if self.kind == Kind::Seqpacket {
            nixsock::recv(fd, &mut buf, MsgFlags::MSG_TRUNC)
        } else {
            nixsock::recv(fd, &mut buf, MsgFlags::empty())
        };
        let result = match result {
            Ok(n) if n > buf.len() => {
                self.scratch = buf;
                let why = format!(
                    "a message larger than the {} byte buffer; refusing to cut it",
                    RECORD
                );
                return self.close_peer(idx, Some(why));
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
                    self.fan_out(data.clone(), Some(idx))?;
                }
                self.print(data)
            }
            Err(Errno::EAGAIN | Errno::EINTR) => Ok(()),
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

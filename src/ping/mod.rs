//! The `ping` verb: ICMP and ICMPv6 echo, with iputils ping's output.
//!
//! `run` resolves HOST, checks the route as iputils does, opens the ICMP
//! socket this process may open (`socket`), then runs one loop: requests
//! leave on a fixed schedule of the monotonic clock, and a single `ppoll`
//! waits on the socket and on a signalfd carrying SIGINT and SIGTERM, so an
//! interrupt is one more event that ends the loop and prints the summary.
//! Packet bytes are `icmp`'s business, the words printed `output`'s; this
//! file owns timing, matching replies to requests, and the exit status.

mod names;
mod output;
mod socket;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsFd;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::SockaddrStorage;
use nix::sys::time::TimeSpec;

use crate::error::{describe, escape, exit_status};
use crate::icmp::{self, Arrival, Expect, Family, Notice, Reply, Timestamp};
use crate::report::Reporter;
use crate::usage;
use output::{Output, ReplyLine, Shown, Stats, SummaryLine};
pub use socket::SocketChoice;
use socket::{Datagram, IcmpSocket, Kind, Queued, Source};

/// iputils' MINUSERINTERVAL: anything faster is a flood, for the privileged.
const MIN_USER_INTERVAL: Duration = Duration::from_millis(2);
/// iputils' MAXWAIT: how long to wait after the last request when no reply
/// has come at all (`-W` changes it).
const DEFAULT_LINGER: Duration = Duration::from_secs(10);
/// 65535 - 20 (IPv4 header) - 8 (ICMP header).
const MAX_SIZE_V4: usize = 65507;
/// 65535 (IPv6 payload length) - 8 (ICMPv6 header).
const MAX_SIZE_V6: usize = 65527;
/// `-i 0` (privileged) sends as soon as the last reply is in, or after this
/// long without one, like iputils' flood ping.
const FLOOD_WAIT: Duration = Duration::from_millis(10);
/// The largest IP packet, the buffer every datagram fits in.
const MAX_PACKET: usize = 65536;
/// One slot per 16-bit sequence number.
const SEQ_SLOTS: usize = 1 << 16;

/// What `ping` is asked to do: iputils ping's options.
#[derive(Debug, Clone)]
pub struct Options {
    /// HOST as given: a name, an IPv4 or an IPv6 address.
    pub host: String,
    /// `-c`: stop after this many requests (with `-w`: replies).
    pub count: Option<u64>,
    /// `-i`: between requests.
    pub interval: Duration,
    /// `-W`: how long to wait after the last request when no reply came.
    pub timeout: Option<Duration>,
    /// `-w`: stop after this long, whatever was sent or received.
    pub deadline: Option<Duration>,
    /// `-s`: payload bytes per request.
    pub size: usize,
    /// `-t`: TTL or hop limit.
    pub ttl: Option<u8>,
    /// `-q`: the summary only.
    pub quiet: bool,
    /// `-4`, `-6`: the family HOST must resolve to.
    pub ipv4: bool,
    pub ipv6: bool,
    /// `-I`: the source interface or address.
    pub interface: Option<String>,
    pub json: bool,
    pub socket: SocketChoice,
}

/// Run `sockcat ping`. The exit status is iputils': 0 some reply came back,
/// 1 none did (or fewer than `-c` by the `-w` deadline), 2 anything else,
/// so every error that stops ping from running exits 2.
pub fn run(opts: &Options, reporter: Reporter) -> Result<u8> {
    let err = match ping(opts, reporter) {
        Ok(code) => return Ok(code),
        Err(err) => err,
    };
    match err.downcast_ref::<io::Error>() {
        // `| head` closing stdout ends ping quietly, as everywhere in sockcat.
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(0),
        Some(e) => {
            let why = e
                .raw_os_error()
                .map_or_else(|| e.to_string(), |n| describe(Errno::from_raw(n)));
            Err(usage!(
                "ping {}: write to stdout: {why}",
                escape(opts.host.as_bytes())
            ))
        }
        None if exit_status(&err) == 2 => Err(err),
        None => Err(usage!("{err:#}")),
    }
}

fn ping(opts: &Options, reporter: Reporter) -> Result<u8> {
    let host = escape(opts.host.as_bytes());
    if opts.count == Some(0) {
        return Err(usage!("ping {host}: -c 0: the count must be at least 1"));
    }
    if opts.ttl == Some(0) {
        return Err(usage!("ping {host}: -t 0: the TTL must be 1 to 255"));
    }
    let source = opts
        .interface
        .as_deref()
        .map(|text| Source::parse(text, &host))
        .transpose()?;
    let (target, canonical) = resolve(&opts.host, &host, opts.ipv4, opts.ipv6)?;
    let target = socket::scope(target, source.as_ref(), &host)?;
    // As iputils: a HOST given by name gets names in the output, an
    // address gets numbers only (its -n), and JSON always has numbers.
    let by_name = !names::is_numeric(&opts.host);
    let name = match canonical {
        Some(canonical) if by_name && target.is_ipv4() => canonical,
        _ => host.clone(),
    };
    let family = Family::of(target.ip());
    let max_size = if family == Family::V4 {
        MAX_SIZE_V4
    } else {
        MAX_SIZE_V6
    };
    if opts.size > max_size {
        return Err(usage!(
            "ping {host}: -s {}: at most {max_size} bytes fit in one packet",
            opts.size
        ));
    }
    if opts.interval < MIN_USER_INTERVAL && !socket::privileged() {
        return Err(usage!(
            "ping {host}: -i {}: an interval below 2ms needs root or CAP_NET_RAW",
            humantime::format_duration(opts.interval)
        ));
    }
    let local = socket::probe_route(target, source.as_ref(), &host)?;
    let options = socket::Options {
        choice: opts.socket,
        source: source.as_ref(),
        ttl: opts.ttl,
    };
    let sock = IcmpSocket::open(family, &options, &host)?;
    // Blocked only now: until here SIGINT may simply end a slow name lookup.
    let signals = block_signals().map_err(|e| usage!("ping {host}: signalfd: {}", describe(e)))?;
    reporter.notice(format_args!(
        "ping {host}: {}, identifier {}",
        sock.kind.name(),
        sock.id
    ));
    let mut out = Output {
        out: io::stdout(),
        json: opts.json,
        quiet: opts.quiet,
        host: host.clone(),
        name,
    };
    let mut reverse = Reverse {
        names: (by_name && !opts.json).then(HashMap::new),
    };
    let from = source.as_ref().map(|s| (local, s.device().unwrap_or("")));
    let shown = socket::show(target);
    out.header(target.ip(), reverse.show(target, &shown), opts.size, from)?;
    if opts.quiet {
        // No line after the header names an address: no lookups to wait on.
        reverse.names = None;
    }
    let mut session = Session {
        opts,
        reporter,
        host,
        target,
        destination: SockaddrStorage::from(target),
        sock,
        signals,
        out,
        reverse,
        stats: Stats::default(),
        sent_at: vec![None; SEQ_SLOTS],
        answered: vec![false; SEQ_SLOTS],
        buf: vec![0; MAX_PACKET],
        next_send: Instant::now(),
    };
    session.run()
}

/// HOST's first address of the family asked for, by getaddrinfo, and its
/// canonical name. A literal IPv4-mapped IPv6 address is pinged over IPv4,
/// the only way it answers.
fn resolve(text: &str, host: &str, v4: bool, v6: bool) -> Result<(SocketAddr, Option<String>)> {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    // Exit 2 either way, as iputils: ping could not start.
    let lookup = names::lookup(bare).map_err(|why| match why {
        names::Unresolved::Temporary => {
            usage!("ping {host}: temporary failure in name resolution")
        }
        names::Unresolved::Unknown => usage!("ping {host}: unknown host"),
    })?;
    let found: Vec<SocketAddr> = lookup
        .addrs
        .into_iter()
        .map(|addr| match addr {
            SocketAddr::V6(v6) => v6
                .ip()
                .to_ipv4_mapped()
                .map_or(addr, |ip| SocketAddr::new(IpAddr::V4(ip), 0)),
            v4 => v4,
        })
        .collect();
    let wanted = |addr: &&SocketAddr| (!v4 || addr.is_ipv4()) && (!v6 || addr.is_ipv6());
    match found.iter().find(wanted) {
        Some(addr) => Ok((*addr, lookup.canonical)),
        None if found.is_empty() => Err(usage!("ping {host}: unknown host")),
        None => Err(usage!(
            "ping {host}: no IPv{} address",
            if v4 { 4 } else { 6 }
        )),
    }
}

fn block_signals() -> nix::Result<SignalFd> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.thread_block()?;
    SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
}

/// Errors an ICMP datagram socket reports once more as its pending error
/// (`sk_err`) after queueing the ICMP error itself; the error queue has
/// told us already, so a receive or send that returns one is not fatal.
fn from_icmp(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::EHOSTUNREACH
            | Errno::ENETUNREACH
            | Errno::ECONNREFUSED
            | Errno::EHOSTDOWN
            | Errno::ENETDOWN
            | Errno::ENONET
            | Errno::ENOPROTOOPT
            | Errno::EPROTO
            | Errno::EMSGSIZE
            | Errno::EACCES
            | Errno::EOPNOTSUPP
            | Errno::ETIMEDOUT
    )
}

struct Session<'a> {
    opts: &'a Options,
    reporter: Reporter,
    host: String,
    target: SocketAddr,
    destination: SockaddrStorage,
    sock: IcmpSocket,
    signals: SignalFd,
    out: Output<io::Stdout>,
    reverse: Reverse,
    stats: Stats,
    /// When each sequence number was last sent, by the monotonic clock.
    sent_at: Vec<Option<Instant>>,
    /// Whether a reply to each sequence number came, to spot duplicates.
    answered: Vec<bool>,
    buf: Vec<u8>,
    next_send: Instant,
}

enum Sent {
    Yes,
    /// The send buffer is full: try again shortly, nothing was sent.
    Busy,
}

impl Session<'_> {
    fn run(&mut self) -> Result<u8> {
        let start = Instant::now();
        let deadline = self.opts.deadline.map(|d| start + d);
        let interval = self.opts.interval;
        self.next_send = start;
        let mut last_send = start;
        let mut linger_until = None;
        loop {
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) || linger_until.is_some_and(|l| now >= l) {
                break;
            }
            if self
                .opts
                .count
                .is_some_and(|c| self.stats.received + self.stats.errors >= c)
            {
                break;
            }
            // As iputils: with a deadline, an error ends the run.
            if deadline.is_some() && self.stats.errors > 0 {
                break;
            }
            let sending = self.may_send(deadline.is_some());
            if sending && now >= self.next_send {
                match self.send(now)? {
                    Sent::Yes => {
                        last_send = now;
                        self.next_send = next_after(self.next_send, interval, now);
                        if interval.is_zero() {
                            self.next_send = now + FLOOD_WAIT;
                        }
                        if !self.may_send(deadline.is_some()) {
                            linger_until = Some(now + self.linger());
                        }
                    }
                    Sent::Busy => {
                        self.next_send =
                            now + FLOOD_WAIT.min(interval.max(Duration::from_millis(1)))
                    }
                }
                continue;
            }
            let wake = [deadline, linger_until, sending.then_some(self.next_send)]
                .into_iter()
                .flatten()
                .min();
            if self.wait(wake.map(|w| w.saturating_duration_since(now)))? {
                break;
            }
        }
        let summary = SummaryLine {
            stats: &self.stats,
            address: self.target.ip(),
            elapsed: last_send.saturating_duration_since(start),
        };
        self.out.summary(&summary)?;
        let short = deadline.is_some() && self.opts.count.is_some_and(|c| self.stats.received < c);
        Ok(u8::from(self.stats.received == 0 || short))
    }

    /// Without `-c`, forever; with `-c` alone, N requests; with `-w` too,
    /// until N replies or the deadline, as iputils does.
    fn may_send(&self, deadline: bool) -> bool {
        deadline || self.opts.count.is_none_or(|c| self.stats.transmitted < c)
    }

    /// iputils' wait after the last request: two of the slowest round
    /// trips (at least one interval) once replies came, else `-W`.
    fn linger(&self) -> Duration {
        if self.stats.received > 0 {
            (self.stats.rtt.max() * 2).max(self.opts.interval)
        } else {
            self.opts.timeout.unwrap_or(DEFAULT_LINGER)
        }
    }

    /// Waits for the socket or a signal for at most `timeout`; true when a
    /// signal says stop.
    fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
        let (socket_events, signalled) = {
            let mut fds = [
                PollFd::new(self.sock.fd.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.signals.as_fd(), PollFlags::POLLIN),
            ];
            match ppoll(&mut fds, timeout.map(TimeSpec::from_duration), None) {
                Ok(_) => {}
                Err(Errno::EINTR) => return Ok(false),
                Err(e) => return Err(usage!("ping {}: ppoll: {}", self.host, describe(e))),
            }
            let events = fds[0].revents().unwrap_or(PollFlags::empty());
            let signalled = fds[1]
                .revents()
                .is_some_and(|r| r.contains(PollFlags::POLLIN));
            (events, signalled)
        };
        if socket_events.contains(PollFlags::POLLERR) && self.sock.kind == Kind::Datagram {
            self.read_error_queue()?;
        }
        if socket_events.intersects(PollFlags::POLLIN | PollFlags::POLLERR) {
            self.receive()?;
        }
        if signalled {
            return match self.signals.read_signal() {
                Ok(Some(_)) => Ok(true),
                Ok(None) | Err(Errno::EINTR) => Ok(false),
                Err(e) => Err(usage!("ping {}: signalfd: {}", self.host, describe(e))),
            };
        }
        Ok(false)
    }

    fn send(&mut self, now: Instant) -> Result<Sent> {
        // iputils numbers from 1 and lets the 16-bit field wrap.
        let seq = (self.stats.transmitted + 1) as u16;
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let stamp = Timestamp {
            secs: wall.as_secs() as i64,
            micros: i64::from(wall.subsec_micros()),
        };
        let packet = icmp::echo_request(self.sock.family, self.sock.id, seq, self.opts.size, stamp);
        let result = self.sock.send(&packet, &self.destination);
        match result {
            Err(Errno::EAGAIN | Errno::ENOBUFS | Errno::EINTR) => return Ok(Sent::Busy),
            Ok(_) => {}
            // A hard local error: reported, and counted as sent, as iputils
            // does, unless the error queue explains it as an ICMP error.
            Err(e) => {
                let explained = self.sock.kind == Kind::Datagram
                    && from_icmp(e)
                    && self.read_error_queue()? > 0;
                if !explained && !self.opts.quiet {
                    crate::report::to_stderr(format_args!(
                        "sockcat: ping {}: send: {}\n",
                        self.host,
                        describe(e)
                    ));
                }
            }
        }
        let slot = usize::from(seq);
        self.sent_at[slot] = Some(now);
        self.answered[slot] = false;
        self.stats.transmitted += 1;
        Ok(Sent::Yes)
    }

    /// Reads every datagram queued on the socket.
    fn receive(&mut self) -> Result<()> {
        let expect = Expect {
            family: self.sock.family,
            ip_header: self.sock.family == Family::V4 && self.sock.kind == Kind::Raw,
            id: (self.sock.kind == Kind::Raw).then_some(self.sock.id),
        };
        // A pending error is reported once; a bound keeps a socket that
        // kept reporting one from spinning this loop.
        let mut pending_errors = 0;
        loop {
            let received = self.sock.receive(&mut self.buf);
            let at = Instant::now();
            let Datagram {
                len,
                from,
                ttl,
                truncated,
            } = match received {
                Ok(datagram) => datagram,
                Err(Errno::EAGAIN) => return Ok(()),
                Err(Errno::EINTR) => continue,
                Err(e) if from_icmp(e) && pending_errors < 8 => {
                    pending_errors += 1;
                    continue;
                }
                Err(e) if from_icmp(e) => return Ok(()),
                Err(e) => return Err(usage!("ping {}: receive: {}", self.host, describe(e))),
            };
            let shown = from.map_or_else(|| "?".to_string(), socket::show);
            if truncated {
                self.reporter.notice(format_args!(
                    "ping {}: ignored a truncated packet from {shown}",
                    self.host
                ));
                continue;
            }
            match icmp::classify(&self.buf[..len], expect) {
                Ok(Arrival::Reply(reply)) => {
                    let sender = from.unwrap_or_else(|| {
                        SocketAddr::new(reply.source.unwrap_or(self.target.ip()), 0)
                    });
                    self.on_reply(&reply, sender, reply.ttl.or(ttl), at)?;
                }
                Ok(Arrival::Problem(problem)) if problem.destination == self.target.ip() => {
                    let sender = from.unwrap_or(self.target);
                    self.on_problem(problem.seq, sender, problem.notice)?;
                }
                Ok(Arrival::Problem(_)) => {
                    let why = "an ICMP error about a request to another host";
                    self.reporter.notice(format_args!(
                        "ping {}: ignored {why} from {shown}",
                        self.host
                    ));
                }
                Ok(Arrival::Foreign(why)) => {
                    self.reporter.notice(format_args!(
                        "ping {}: ignored {why} from {shown}",
                        self.host
                    ));
                }
                Err(malformed) => {
                    self.reporter.notice(format_args!(
                        "ping {}: ignored a packet from {shown}: {malformed}",
                        self.host
                    ));
                }
            }
        }
    }

    /// Reads the error queue of a datagram socket, where Linux puts the ICMP
    /// errors about its requests (`IP_RECVERR`); returns how many counted.
    fn read_error_queue(&mut self) -> Result<u64> {
        let mut counted = 0;
        loop {
            let queued = match self.sock.read_error() {
                Ok(queued) => queued,
                Err(Errno::EAGAIN) => return Ok(counted),
                Err(Errno::EINTR) => continue,
                Err(e) => {
                    return Err(usage!(
                        "ping {}: receive errors: {}",
                        self.host,
                        describe(e)
                    ));
                }
            };
            match queued {
                Queued::Local { errno, info } => {
                    let mtu = if errno == Errno::EMSGSIZE {
                        format!(", mtu={info}")
                    } else {
                        String::new()
                    };
                    if !self.opts.quiet {
                        eprintln!(
                            "sockcat: ping {}: local error: {}{mtu}",
                            self.host,
                            describe(errno)
                        );
                    }
                    self.stats.errors += 1;
                    counted += 1;
                }
                Queued::Icmp {
                    kind,
                    code,
                    info,
                    offender,
                    destination,
                    quoted,
                } => {
                    let Ok(quoted) = icmp::Message::parse(&quoted) else {
                        continue;
                    };
                    let ours = quoted.kind() == self.sock.family.echo_request()
                        && destination.is_none_or(|d| d.ip() == self.target.ip());
                    if !ours {
                        continue;
                    }
                    let notice = Notice {
                        family: self.sock.family,
                        kind,
                        code,
                        info,
                    };
                    let from = offender.map_or(self.target, |ip| SocketAddr::new(ip, 0));
                    if self.on_problem(quoted.sequence(), from, notice)? {
                        counted += 1;
                    }
                }
                Queued::Other => {}
            }
        }
    }

    fn on_reply(
        &mut self,
        reply: &Reply,
        sender: SocketAddr,
        ttl: Option<u8>,
        at: Instant,
    ) -> Result<()> {
        let slot = usize::from(reply.seq);
        let from = &socket::show(sender);
        let host = &self.host;
        let Some(sent) = self.sent_at[slot] else {
            self.reporter.notice(format_args!(
                "ping {host}: ignored a reply to icmp_seq={}, never sent",
                reply.seq
            ));
            return Ok(());
        };
        if reply.len < icmp::HEADER_LEN + self.opts.size {
            self.reporter.notice(format_args!(
                "ping {host}: ignored a truncated reply ({} bytes) from {from}",
                reply.len
            ));
            return Ok(());
        }
        if reply.corrupt {
            self.reporter.notice(format_args!(
                "ping {host}: ignored a reply with a bad checksum from {from}"
            ));
            self.stats.corrupted += 1;
            return Ok(());
        }
        let rtt = at.saturating_duration_since(sent);
        let duplicate = std::mem::replace(&mut self.answered[slot], true);
        self.stats.record(rtt, duplicate);
        if self.opts.interval.is_zero() && self.in_flight() == 0 {
            self.next_send = at;
        }
        let line = ReplyLine {
            from: self.reverse.show(sender, from),
            bytes: reply.len,
            seq: reply.seq,
            ttl,
            rtt,
            duplicate,
        };
        self.out.reply(&line)?;
        Ok(())
    }

    /// An ICMP error about request `seq`; false when we never sent it.
    fn on_problem(&mut self, seq: u16, sender: SocketAddr, notice: Notice) -> Result<bool> {
        if self.sent_at[usize::from(seq)].is_none() {
            return Ok(false);
        }
        self.stats.errors += 1;
        let from = socket::show(sender);
        self.out
            .problem(self.reverse.show(sender, &from), seq, notice)?;
        Ok(true)
    }

    fn in_flight(&self) -> u64 {
        self.stats
            .transmitted
            .saturating_sub(self.stats.received + self.stats.errors)
    }
}

/// The reverse names of the addresses that answer, for a HOST given by
/// name, as iputils' `pr_addr` prints them. Each address is looked up once:
/// a lookup may wait on DNS, and replies come every interval.
struct Reverse {
    /// By address; `None` when the output has numbers only.
    names: Option<HashMap<SocketAddr, Option<String>>>,
}

impl Reverse {
    /// `addr`, which prints as `shown` in numbers, as the output shows it.
    fn show<'a>(&'a mut self, mut addr: SocketAddr, shown: &'a str) -> Shown<'a> {
        addr.set_port(0);
        let name = self.names.as_mut().and_then(|names| {
            names
                .entry(addr)
                .or_insert_with(|| names::reverse(addr))
                .as_deref()
        });
        Shown { addr: shown, name }
    }
}

/// The send after the one due at `due`: one interval on, so that replies
/// never shift the schedule; a wake-up later than a whole interval (a
/// stopped process) starts the schedule afresh instead of bursting.
fn next_after(due: Instant, interval: Duration, now: Instant) -> Instant {
    let next = due + interval;
    if next <= now { now } else { next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_does_not_drift() {
        let start = Instant::now();
        let interval = Duration::from_millis(200);
        // Sent 3ms late: the next is still due at 400ms, not 403ms.
        let next = next_after(
            start + interval,
            interval,
            start + Duration::from_millis(203),
        );
        assert_eq!(next, start + 2 * interval);
        // Woken 500ms late: start afresh rather than send a burst.
        let now = start + Duration::from_millis(700);
        assert_eq!(next_after(start + interval, interval, now), now);
    }

    #[test]
    fn hosts_resolve_by_family() {
        let addr = |text, v4, v6| resolve(text, "h", v4, v6).ok().map(|(addr, _)| addr);
        assert_eq!(
            addr("127.0.0.1", false, false),
            Some("127.0.0.1:0".parse().expect("addr"))
        );
        assert_eq!(
            addr("[::1]", false, false),
            Some("[::1]:0".parse().expect("addr"))
        );
        assert_eq!(
            addr("::ffff:127.0.0.1", false, false),
            Some("127.0.0.1:0".parse().expect("addr"))
        );
        let err = resolve("::1", "::1", true, false)
            .expect_err("v6 only")
            .to_string();
        assert_eq!(err, "ping ::1: no IPv4 address");
        let err = resolve("::1", "::1", false, false)
            .and_then(|_| resolve("127.0.0.1", "127.0.0.1", false, true));
        let err = err.expect_err("v4 only");
        assert_eq!(err.to_string(), "ping 127.0.0.1: no IPv6 address");
        assert_eq!(exit_status(&err), 2);
        // Unknown names are tested where a lookup cannot leave the machine:
        // in a fresh network namespace (tests/integration/ping.rs).
    }
}

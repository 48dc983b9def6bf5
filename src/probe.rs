//! `connect -z`: probe ports without sending data. TCP probes are
//! non-blocking connects, many in flight at once, each bounded by `-w`; a UDP
//! port counts as closed only when an ICMP port-unreachable says so (silence
//! may be an open port or a filter). Results come out in port order: open
//! ones on stdout, the others as `-v` events. `--retry` repeats the sweep
//! until a port is open, so a script can wait for a service.

use std::collections::VecDeque;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::epoll::EpollFlags;

use crate::addr::{self, Addr, Kind};
use crate::error::{Failure, describe};
use crate::event_loop::EventLoop;
use crate::report::{Event, Mode, Reporter};
use crate::signals::Signals;
use crate::socket::{self, Connect, Target};
use crate::usage;

/// How long a probe waits without `-w`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Probes in flight at once: enough to sweep a loopback range fast, few
/// enough to stay far below any descriptor limit.
const IN_FLIGHT: usize = 128;

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Open,
    Closed(String),
}

/// What `connect -z` is asked to do.
pub struct Options {
    /// ADDR as given, whose port may be a list; parsed here with `addr_flags`.
    pub addr: String,
    pub addr_flags: addr::Flags,
    /// `-w`: how long each probe waits (`DEFAULT_TIMEOUT` without it).
    pub timeout: Option<Duration>,
    /// `--retry`: sweep again until a port is open or this has passed.
    pub retry: Option<Duration>,
}

pub fn run(opts: &Options, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let targets = expand(&opts.addr, opts.addr_flags)?;
    let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let retry_until = opts.retry.map(|d| Instant::now() + d);
    let mut attempt = 0;
    let verdicts = loop {
        let verdicts = sweep(&targets, timeout, signals)?;
        let any_open = verdicts.contains(&Verdict::Open);
        match retry_until {
            Some(until) if !any_open && Instant::now() < until => {
                let pause_end = (Instant::now() + socket::retry_pause(attempt)).min(until);
                signals.wait(None, nix::poll::PollFlags::empty(), Some(pause_end))?;
                attempt += 1;
            }
            _ => break verdicts,
        }
    };
    let mut stdout = std::io::stdout().lock();
    for ((target, _), verdict) in targets.iter().zip(&verdicts) {
        match verdict {
            Verdict::Open => {
                if writeln!(stdout, "{target} open")
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    // A closed stdout ends quietly.
                    return Ok(0);
                }
                // Its line is on stdout already; only the JSON stream repeats it.
                if reporter.mode() == Mode::Json {
                    reporter.report(Event::Probe {
                        target,
                        open: true,
                        reason: None,
                    });
                }
            }
            Verdict::Closed(reason) => reporter.report(Event::Probe {
                target,
                open: false,
                reason: Some(reason.clone()),
            }),
        }
    }
    let any_open = verdicts.contains(&Verdict::Open);
    Ok(if any_open { 0 } else { 1 })
}

/// Probe every target, `IN_FLIGHT` at a time; verdicts in target order.
fn sweep(
    targets: &[(Addr, Target)],
    timeout: Duration,
    signals: &Signals,
) -> anyhow::Result<Vec<Verdict>> {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; targets.len()];
    let mut queue: VecDeque<usize> = (0..targets.len()).collect();
    let mut flying: Vec<Probe> = Vec::new();
    let mut events = EventLoop::new(signals)?;
    let mut news: Vec<(usize, EpollFlags)> = Vec::new();
    loop {
        while flying.len() < IN_FLIGHT
            && let Some(index) = queue.pop_front()
        {
            match Probe::start(index, &targets[index]) {
                Ok(probe) => {
                    // Token: the target's index, past the loop's own 0.
                    events.add(probe.fd.as_fd(), index as u64 + 1, "a probe")?;
                    flying.push(probe);
                }
                Err(NotStarted::Answered(verdict)) => verdicts[index] = Some(verdict),
                // Out of descriptors, most likely (a low `ulimit -n`): this
                // port waits until a probe in flight gives its socket back.
                // No port is ever reported closed for a lack of sockets here.
                Err(NotStarted::NoSocket(_)) if !flying.is_empty() => {
                    queue.push_front(index);
                    break;
                }
                Err(NotStarted::NoSocket(e)) => {
                    return Err(Failure::new("probe", &targets[index].0, e).into());
                }
            }
        }
        if flying.is_empty() {
            return Ok(verdicts
                .into_iter()
                .map(|v| v.unwrap_or(Verdict::Closed("not probed".into())))
                .collect());
        }
        let deadline = flying.iter().map(|p| p.started + timeout).min();
        events.wait(deadline)?;
        news.clear();
        news.extend(
            events
                .events()
                .map(|(token, flags)| (token as usize - 1, flags)),
        );
        let now = Instant::now();
        let mut still = Vec::with_capacity(flying.len());
        for probe in flying {
            let ready = news
                .iter()
                .any(|&(index, flags)| index == probe.index && probe.is_news(flags));
            match probe.settle(ready, now >= probe.started + timeout) {
                Some(verdict) => verdicts[probe.index] = Some(verdict),
                None => still.push(probe),
            }
        }
        flying = still;
    }
}

/// The addresses to probe, each with its socket address: every port of a
/// list like `host:22,80,8000-8010`, or the one address of a Unix socket
/// (whose path may hold `:` and `,` too).
fn expand(text: &str, flags: addr::Flags) -> anyhow::Result<Vec<(Addr, Target)>> {
    let listed = match split_ports(text) {
        Some((head, list)) => match addr::parse_shown_as(&format!("{head}:0"), text, flags)? {
            Addr::Inet {
                kind, family, host, ..
            } => Some((kind, family, host, list)),
            _ => None,
        },
        None => None,
    };
    let Some((kind, family, host, list)) = listed else {
        let addr = addr::parse(text, flags)?;
        if addr.kind() == Some(Kind::Seqpacket) || matches!(addr, Addr::Fd(_)) {
            return Err(usage!(
                "-z probes tcp, udp and Unix stream or datagram addresses, not {addr}"
            ));
        }
        let first = first_target(&addr)?;
        return Ok(vec![(addr, first)]);
    };
    let ports = parse_ports(list, kind).map_err(|why| {
        let list = crate::error::escape(list.as_bytes());
        usage!("bad port list '{list}': {why}")
    })?;
    // One resolution for the whole sweep: the first address of the host.
    let first = first_target(&Addr::Inet {
        kind,
        family,
        host: host.clone(),
        port: 0,
    })?;
    let (family, host) = match first.sockaddr.ip_addr(kind) {
        Some(Addr::Inet { family, host, .. }) => (family, host),
        _ => (family, host),
    };
    Ok(ports
        .into_iter()
        .filter_map(|port| {
            let addr = Addr::Inet {
                kind,
                family,
                host: host.clone(),
                port,
            };
            let target = socket::resolve(&addr).ok()?.pop()?;
            Some((addr, target))
        })
        .collect())
}

fn first_target(addr: &Addr) -> anyhow::Result<Target> {
    socket::resolve(addr)?
        .into_iter()
        .next()
        .ok_or_else(|| usage!("{addr}: no address"))
}

/// `host:PORTS` split at the last colon outside brackets, when PORTS is a
/// list or a range rather than a single port.
fn split_ports(text: &str) -> Option<(&str, &str)> {
    let (head, tail) = text.rsplit_once(':')?;
    if tail.contains(']') || tail.contains('/') || !(tail.contains(',') || tail.contains('-')) {
        return None;
    }
    Some((head, tail))
}

/// `22,80,8000-8010` to sorted, distinct ports. Single items may be service
/// names; a range must not run backwards.
pub fn parse_ports(text: &str, kind: Kind) -> Result<Vec<u16>, String> {
    let proto = if kind == Kind::Datagram { "udp" } else { "tcp" };
    let number = |item: &str| -> Result<u16, String> {
        if item.bytes().all(|b| b.is_ascii_digit()) && !item.is_empty() {
            item.parse()
                .map_err(|_| format!("port {item} is out of range (0-65535)"))
        } else {
            addr::service_port(item, proto)
                .ok_or_else(|| format!("'{}' is not a port", crate::error::escape(item.as_bytes())))
        }
    };
    // One flag per port: however many items and overlapping ranges a list
    // has, it costs 64 KiB and one pass, never a list of every item's ports.
    let mut wanted = vec![false; usize::from(u16::MAX) + 1];
    for item in text.split(',') {
        if item.is_empty() {
            return Err("an empty item".into());
        }
        let (low, high) = match item.split_once('-') {
            Some((low, high)) => (number(low)?, number(high)?),
            None => (number(item)?, number(item)?),
        };
        if low > high {
            return Err(format!("the range {item} runs backwards"));
        }
        wanted[usize::from(low)..=usize::from(high)].fill(true);
    }
    Ok((0..=u16::MAX).filter(|&p| wanted[usize::from(p)]).collect())
}

/// Why a probe is not in flight.
enum NotStarted {
    /// The port answered at once (a refused Unix connect, an unreachable net).
    Answered(Verdict),
    /// This end could not open a socket to probe with.
    NoSocket(Errno),
}

/// One probe in flight.
struct Probe {
    index: usize,
    fd: OwnedFd,
    kind: Kind,
    started: Instant,
}

impl Probe {
    fn start(index: usize, (addr, target): &(Addr, Target)) -> Result<Probe, NotStarted> {
        let kind = addr.kind().unwrap_or(Kind::Stream);
        let closed = |e: Errno| NotStarted::Answered(Verdict::Closed(describe(e)));
        let fd = socket::open(target.family, kind).map_err(NotStarted::NoSocket)?;
        match socket::start_connect(&fd, target) {
            Ok(()) | Err(Errno::EINPROGRESS) => {}
            Err(e) => return Err(closed(e)),
        }
        if kind == Kind::Datagram {
            // An empty datagram: a closed port answers with ICMP unreachable.
            if let Err(e) = socket::send(&fd, &[]) {
                return Err(closed(e));
            }
        }
        Ok(Probe {
            index,
            fd,
            kind,
            started: Instant::now(),
        })
    }

    /// Whether an event says something of the port: for a stream, its
    /// connect ended (writable, an error, a hangup); for a datagram, an
    /// answer or an ICMP error (a fresh UDP socket is writable at once,
    /// which says nothing).
    fn is_news(&self, flags: EpollFlags) -> bool {
        let broken = EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP;
        match self.kind {
            Kind::Datagram => flags.intersects(EpollFlags::EPOLLIN | broken),
            _ => flags.intersects(EpollFlags::EPOLLOUT | broken),
        }
    }

    /// The verdict, once there is one.
    fn settle(&self, ready: bool, expired: bool) -> Option<Verdict> {
        if ready {
            match socket::connect_status(&self.fd) {
                Ok(Connect::Failed(e)) => return Some(Verdict::Closed(describe(e))),
                // A wakeup with the handshake still under way waits on.
                Ok(Connect::Underway) => {}
                Ok(Connect::Connected) | Err(_) => return Some(Verdict::Open),
            }
        }
        expired.then(|| match self.kind {
            // Silence from UDP proves nothing closed it.
            Kind::Datagram => Verdict::Open,
            _ => Verdict::Closed("timed out (filtered?)".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists_and_ranges() {
        assert_eq!(
            parse_ports("22,80,8000-8002", Kind::Stream),
            Ok(vec![22, 80, 8000, 8001, 8002])
        );
        assert_eq!(parse_ports("80,22,22", Kind::Stream), Ok(vec![22, 80]));
        assert_eq!(parse_ports("0-2", Kind::Stream), Ok(vec![0, 1, 2]));
        assert!(
            parse_ports("10-5", Kind::Stream)
                .unwrap_err()
                .contains("runs backwards")
        );
        assert!(
            parse_ports("1,,2", Kind::Stream)
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            parse_ports("70000", Kind::Stream)
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_ports("1-", Kind::Stream).is_err());
        assert!(parse_ports("x-y", Kind::Stream).is_err());
    }

    #[test]
    fn a_unix_path_with_colons_and_commas_is_one_address() {
        for (text, canonical) in [
            ("unix:/tmp/a:1,2", "unix:/tmp/a:1,2"),
            ("@name:1-3", "unix:@name:1-3"),
        ] {
            let expanded = expand(text, addr::Flags::default()).expect(text);
            let addrs: Vec<String> = expanded.iter().map(|(a, _)| a.to_string()).collect();
            assert_eq!(addrs, [canonical]);
        }
    }

    #[test]
    fn lists_are_split_off_the_host() {
        assert_eq!(split_ports("localhost:22,80"), Some(("localhost", "22,80")));
        assert_eq!(split_ports("tcp:[::1]:1-3"), Some(("tcp:[::1]", "1-3")));
        assert_eq!(split_ports("tcp:[::1]:80"), None);
        assert_eq!(split_ports("unix:/tmp/a-b"), None);
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Lists as people write them (numbers, ranges, commas, service
        /// names, out-of-range numbers), mixed with any character at all.
        fn port_list() -> impl Strategy<Value = String> {
            let item = prop_oneof![
                4 => (0u32..70000).prop_map(|n| n.to_string()),
                2 => (0u32..70000, 0u32..70000).prop_map(|(a, b)| format!("{a}-{b}")),
                1 => proptest::sample::select(vec!["http", "ssh", "domain", "nosuch", "", "-", "x-y"])
                    .prop_map(String::from),
                1 => proptest::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
            ];
            proptest::collection::vec(item, 1..20).prop_map(|items| items.join(","))
        }

        fn checked(text: &str, kind: Kind) -> Result<(), TestCaseError> {
            match parse_ports(text, kind) {
                Ok(ports) => {
                    // Sorted and distinct; u16 keeps them within 0-65535.
                    prop_assert!(ports.windows(2).all(|w| w[0] < w[1]), "{:?}", text);
                    prop_assert!(!ports.is_empty(), "{:?}", text);
                }
                // Why not, in words a terminal shows as they are.
                Err(why) => prop_assert!(
                    why.bytes().all(|b| (0x20..0x7f).contains(&b)),
                    "{:?}: {:?}",
                    text,
                    why
                ),
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(crate::generated_cases())]

            #[test]
            fn port_lists_never_panic_and_come_out_sorted(text in port_list(), udp in any::<bool>()) {
                checked(&text, if udp { Kind::Datagram } else { Kind::Stream })?;
            }

            #[test]
            fn any_text_never_panics(chars in proptest::collection::vec(any::<char>(), 0..300)) {
                let text = String::from_iter(chars);
                checked(&text, Kind::Stream)?;
                let _ = split_ports(&text);
            }
        }
    }
}

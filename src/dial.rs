//! Opening an outgoing socket, the way every verb does it: resolve, try
//! each address in order, `-w`, `--retry`, `-s`/`-p`, socket options, a
//! Unix datagram client's reply address.

use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::socket::{AddressFamily, UnixAddr};

use crate::addr::{self, Addr, Family, Host, Kind, UnixName};
use crate::error::{Failure, escape};
use crate::report::{Event, Reporter, TimedOut};
use crate::signals::Signals;
use crate::socket::{self, SockAddr, Target};
use crate::socket_file::SocketFile;
use crate::usage;

/// How an outgoing socket is opened.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-s`: the local address to bind first, as the user wrote it (a Unix
    /// path or an IP host; which, depends on the target).
    pub source: Option<String>,
    /// `-p`: the local port to bind first, a number or a service name.
    pub source_port: Option<String>,
    /// `-w`: how long each connect may take.
    pub timeout: Option<Duration>,
    /// `--retry`: how long to go on trying while the service is not up yet.
    pub retry: Option<Duration>,
    pub socket: socket::Options,
}

/// An open, connected socket and what to call it.
pub struct Dialed {
    pub fd: OwnedFd,
    pub kind: Kind,
    /// The peer in canonical form.
    pub peer: Addr,
    /// A reply address we bound with `-s PATH`, removed on drop.
    pub _source_file: Option<SocketFile>,
}

/// Open a socket to `addr`: every resolved address in order, each attempt
/// bounded by `-w`, the whole retried under `--retry` while the service is
/// not up yet. `verb` is the user's (`connect`, `send`), for what is said
/// about an inherited descriptor, which is taken rather than connected.
pub fn dial(
    verb: &'static str,
    addr: &Addr,
    opts: &Options,
    signals: &Signals,
    reporter: Reporter,
) -> anyhow::Result<Dialed> {
    if let Addr::Fd(n) = addr {
        let (fd, kind, _) = socket::inherited(*n, verb)?;
        let peer = socket::peer_addr(&fd)
            .map(|sa| Addr::from_sockaddr(kind, &sa))
            .unwrap_or_else(|_| addr.clone());
        return Ok(Dialed {
            fd,
            kind,
            peer,
            _source_file: None,
        });
    }
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let retry_until = opts.retry.map(|d| Instant::now() + d);
    let mut attempt = 0;
    // The latest failed attempt, reported under -v only once another
    // attempt follows it: the last one is the error itself, said once.
    let mut failed: Option<(Addr, Errno)> = None;
    let report = |failed: &mut Option<(Addr, Errno)>, next: &str| {
        if let Some((name, errno)) = failed.take() {
            reporter.report(Event::Attempt {
                target: &name,
                reason: format!("{}; {next}", crate::error::describe(errno)),
            });
        }
    };
    loop {
        let mut last = Errno::ECONNREFUSED;
        for target in socket::resolve(addr)? {
            report(&mut failed, "trying the next address");
            let name = target
                .sockaddr
                .ip_addr(kind)
                .unwrap_or_else(|| addr.clone());
            let fd = socket::open(target.family, kind)
                .map_err(|e| Failure::new("open a socket for", &name, e))?;
            socket::apply_options(&fd, &opts.socket, target.family, kind, addr)?;
            let source_file = bind_source(&fd, &target, kind, opts)?;
            let deadline = opts.timeout.map(|d| Instant::now() + d);
            match socket::connect(&fd, &target, deadline, signals)? {
                Ok(()) => {
                    reporter.report(Event::Connected { peer: &name });
                    return Ok(Dialed {
                        fd,
                        kind,
                        peer: name,
                        _source_file: source_file,
                    });
                }
                Err(e) => {
                    failed = Some((name, e));
                    last = e;
                }
            }
        }
        if let Some(until) = retry_until.filter(|_| socket::is_retryable(last)) {
            let now = Instant::now();
            if now < until {
                report(&mut failed, "retrying");
                // The last pause is cut short so that one attempt falls at DUR.
                let pause_end = (now + socket::retry_pause(attempt)).min(until);
                signals.wait(None, nix::poll::PollFlags::empty(), Some(pause_end))?;
                attempt += 1;
                continue;
            }
        }
        return Err(connect_failure(addr, last));
    }
}

/// Bind the local end: `-s`/`-p`, or for a Unix datagram client an
/// autobound abstract name (Linux picks it; nothing to remove), so that
/// replies can reach us.
fn bind_source(
    fd: &OwnedFd,
    target: &Target,
    kind: Kind,
    opts: &Options,
) -> anyhow::Result<Option<SocketFile>> {
    if target.family == AddressFamily::Unix {
        if let Some(source) = &opts.source {
            let flags = addr::Flags {
                udp: kind == Kind::Datagram,
                unix: true,
                family: None,
                listen: true,
            };
            let source_addr = match addr::parse(source, flags)? {
                Addr::Unix { name, .. } => Addr::Unix { kind, name },
                _ => {
                    return Err(usage!(
                        "-s {}: a Unix socket needs a Unix source address",
                        escape(source.as_bytes())
                    ));
                }
            };
            let local = socket::resolve(&source_addr)?.remove(0);
            if kind == Kind::Datagram {
                // Checked before binding, so nothing is left behind.
                check_reply_address(&source_addr, &local)?;
            }
            let file = SocketFile::bind(fd, local, &source_addr, false, false)?;
            return Ok(file);
        }
        if kind == Kind::Datagram {
            let unnamed = SockAddr::Unix(UnixAddr::new_unnamed());
            let autobind = Target {
                sockaddr: unnamed,
                family: AddressFamily::Unix,
                unix: None,
            };
            socket::bind(fd, &autobind)
                .map_err(|e| Failure::new("bind a reply address for", "unix-dgram", e))?;
        }
        return Ok(None);
    }
    if opts.source.is_none() && opts.source_port.is_none() {
        return Ok(None);
    }
    let port = match &opts.source_port {
        Some(p) => match addr::parse(
            &format!(":{p}"),
            addr::Flags {
                listen: true,
                udp: kind == Kind::Datagram,
                ..Default::default()
            },
        )? {
            Addr::Inet { port, .. } => port,
            _ => 0,
        },
        None => 0,
    };
    let family = Some(if target.family == AddressFamily::Inet {
        Family::V4
    } else {
        Family::V6
    });
    let host = match &opts.source {
        None => Host::Any,
        Some(text) => {
            let text = text.trim_start_matches('[').trim_end_matches(']');
            match text.parse() {
                Ok(ip) => Host::Ip { ip, zone: None },
                Err(_) => Host::Name(text.to_string()),
            }
        }
    };
    let source = Addr::Inet {
        kind,
        family,
        host,
        port,
    };
    let local = socket::resolve(&source)
        .map_err(|e| {
            let text = opts.source.as_deref().unwrap_or("");
            usage!("-s {}: {e:#}", escape(text.as_bytes()))
        })?
        .into_iter()
        .next()
        .ok_or_else(|| usage!("-s: no source address of the target's family"))?;
    if port != 0 {
        let _ = socket::reuse_address(fd);
    }
    let name = local.sockaddr.ip_addr(kind).unwrap_or(source);
    socket::bind(fd, &local).map_err(|e| Failure::new("bind", name, e))?;
    Ok(None)
}

/// A datagram client's own address is where replies go, so peers must be
/// able to name it. A long path bound through its directory is known to
/// the kernel as `/proc/self/fd/N/NAME`, which resolves only in this process.
fn check_reply_address(source: &Addr, local: &Target) -> anyhow::Result<()> {
    let Addr::Unix {
        name: UnixName::Path(path),
        ..
    } = source
    else {
        return Ok(());
    };
    if local.unix.as_ref().is_none_or(|p| p.is_named_as_written()) {
        return Ok(());
    }
    Err(usage!(
        "-s {source}: a path of {} bytes cannot be a reply address (peers can send back only to a path of at most {} bytes); choose a shorter one",
        path.as_os_str().len(),
        socket::SUN_PATH_MAX
    ))
}

/// The error for a connect that failed for good, with a hint where we have
/// one. A path that is there but is not a socket is exit 2.
fn connect_failure(addr: &Addr, errno: Errno) -> anyhow::Error {
    if let Addr::Unix {
        name: UnixName::Path(path),
        ..
    } = addr
    {
        let is_socket = std::fs::symlink_metadata(path).map(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_socket()
        });
        match (errno, is_socket) {
            (Errno::ECONNREFUSED, Ok(false)) => {
                return usage!("{}", Failure::new("connect", addr, Errno::ENOTSOCK));
            }
            (Errno::ENOENT | Errno::ECONNREFUSED, _) => {
                return Failure::new("connect", addr, errno)
                    .hint("is the service running?")
                    .into();
            }
            (Errno::EPROTOTYPE, _) => {
                return usage!(
                    "{}",
                    Failure::new("connect", addr, errno).hint("the socket there is of another type: try unix:, unix-dgram: or unix-seqpacket:")
                );
            }
            _ => {}
        }
    }
    match errno {
        // The whole message is the TimedOut's: a context on top of the
        // Failure would print the verb twice (`connect: connect …`).
        Errno::ETIMEDOUT => TimedOut(Failure::new("connect", addr, errno).to_string()).into(),
        Errno::ECONNREFUSED if matches!(addr, Addr::Inet { .. }) => {
            Failure::new("connect", addr, errno)
                .hint("nothing is listening there")
                .into()
        }
        _ => Failure::new("connect", addr, errno).into(),
    }
}

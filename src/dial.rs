//! Opening an outgoing socket, the way every verb does it: resolve, try
//! each address in order, `-w`, `--retry`, `-s`/`-p`, socket options, a
//! Unix datagram client's reply address. `Dial` is the state machine an
//! event loop advances; `dial` drives one to the end for a verb that has
//! nothing else to wait on. The socket calls are `socket.rs`'s.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::PollFlags;
use nix::sys::socket::{AddressFamily, UnixAddr};

use crate::addr::{self, Addr, Family, Host, Kind, UnixName};
use crate::error::{Failure, escape};
use crate::report::{Event, Reporter, TimedOut};
use crate::signals::Signals;
use crate::socket::{self, Connect, SockAddr, Target};
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

/// Open a socket to `addr` and wait until it is connected or has failed
/// for good: `Dial` driven by `poll` on its socket and the signal
/// descriptor, so SIGINT and SIGTERM still end the wait (`Interrupted`).
/// `verb` is the user's (`connect`, `send`), for what is said about an
/// inherited descriptor, which is taken rather than connected.
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
    let mut progress = Dial::start(addr, socket::resolve(addr)?, opts, reporter);
    loop {
        progress = match progress {
            Progress::Dialing(dial) => {
                let ready = signals.wait(dial.fd(), PollFlags::POLLOUT, dial.deadline())?;
                dial.advance(ready)
            }
            Progress::Done(dialed) => return Ok(dialed),
            Progress::Failed(err) => return Err(err),
        };
    }
}

/// Opening a connection as a state machine its caller advances, so that
/// one event loop can open many while it serves others.
///
/// `Dial::start` tries the resolved addresses in order; each attempt is a
/// non-blocking connect. While one is under way (a TCP handshake), the
/// dial is `Progress::Dialing`: the caller watches `fd()` for writability
/// (`POLLOUT`/`EPOLLOUT`; an error or hangup counts too) and wakes by
/// `deadline()` (`-w`), then calls `advance`, which reads how the connect
/// ended and goes on to the next address. When every address failed with
/// "not up yet" and `--retry` has time left, the dial pauses (no `fd()`,
/// `deadline()` the end of the pause) and then starts a new round. It ends
/// `Done` with the connected socket or `Failed` with the error for the
/// last address, as the blocking `dial` reports it. `-v` events go out as
/// it goes: each failed attempt that another one follows (`Attempt`), and
/// `Connected`.
///
/// Every `advance` that returns `Dialing` may have closed the socket and
/// opened the next one: `attempt()` changes exactly then, and an epoll loop
/// must add the new `fd()` (the closed one left the epoll set by itself,
/// and the new one may even have the same number).
pub struct Dial {
    plan: Plan,
    state: State,
}

/// What a dial goes on with between states.
struct Plan {
    /// What the user asked for, for messages.
    addr: Addr,
    kind: Kind,
    targets: Vec<Target>,
    opts: Options,
    reporter: Reporter,
    /// Until when `--retry` may start another round.
    retry_until: Option<Instant>,
    /// Rounds paused after, for the growing pause.
    rounds: u32,
    /// Sockets opened so far.
    attempts: u32,
    /// The latest failed attempt, reported under -v only once another
    /// attempt follows it: the last one is the error itself, said once.
    failed: Option<(Addr, Errno)>,
    /// The errno of the round's last attempt, for `--retry` and the error.
    last: Errno,
}

enum State {
    /// A non-blocking connect to `targets[index]` is under way.
    Connecting { index: usize, attempt: Attempt },
    /// Every address failed with "not up yet"; a new round starts at `until`.
    Pausing { until: Instant },
}

/// One socket being connected.
struct Attempt {
    fd: OwnedFd,
    /// The address tried, in canonical form (a Unix one as the user wrote it).
    name: Addr,
    source_file: Option<SocketFile>,
    /// When `-w` gives up on it.
    deadline: Option<Instant>,
}

/// Where a dial stands after a step.
pub enum Progress {
    /// Under way: watch `fd()`, wake by `deadline()`, then `advance`.
    /// (Boxed: a dial is much larger than what it ends with.)
    Dialing(Box<Dial>),
    /// Connected, and reported.
    Done(Dialed),
    /// Failed for good: the error for the last address tried (not
    /// reported: it is the caller's to say, once).
    Failed(anyhow::Error),
}

impl Dial {
    /// Start opening a socket to `addr`, resolved to `targets` (tried in
    /// order, every `--retry` round again). The first attempt starts now;
    /// a Unix socket or UDP connects (or fails) at once.
    pub fn start(
        addr: &Addr,
        targets: Vec<Target>,
        opts: &Options,
        reporter: Reporter,
    ) -> Progress {
        Plan {
            addr: addr.clone(),
            kind: addr.kind().unwrap_or(Kind::Stream),
            targets,
            opts: opts.clone(),
            reporter,
            retry_until: opts.retry.map(|d| Instant::now() + d),
            rounds: 0,
            attempts: 0,
            failed: None,
            last: Errno::ECONNREFUSED,
        }
        .try_from(0)
    }

    /// The socket to watch for writability now; none while pausing.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        match &self.state {
            State::Connecting { attempt, .. } => Some(attempt.fd.as_fd()),
            State::Pausing { .. } => None,
        }
    }

    /// When to `advance` even if `fd()` reports nothing: `-w`'s end for
    /// this attempt, or the end of the pause. None: only the socket can
    /// move the dial on.
    pub fn deadline(&self) -> Option<Instant> {
        match &self.state {
            State::Connecting { attempt, .. } => attempt.deadline,
            State::Pausing { until } => Some(*until),
        }
    }

    /// How many sockets this dial has opened; it changes exactly when
    /// `fd()` is a new socket.
    pub fn attempt(&self) -> u32 {
        self.plan.attempts
    }

    /// Move on. `ready`: `fd()` reported writable, an error or a hangup;
    /// otherwise time passed (nothing happens before `deadline()`, so a
    /// spurious wakeup costs nothing).
    pub fn advance(self, ready: bool) -> Progress {
        let Dial { mut plan, state } = self;
        let now = Instant::now();
        match state {
            State::Pausing { until } if now < until => Progress::Dialing(Box::new(Dial {
                plan,
                state: State::Pausing { until },
            })),
            State::Pausing { .. } => plan.next_round(),
            State::Connecting { index, attempt } => {
                let expired = attempt.deadline.is_some_and(|d| now >= d);
                if !ready && !expired {
                    return plan.connecting(index, attempt);
                }
                let errno = match socket::connect_status(&attempt.fd) {
                    Ok(Connect::Connected) => return plan.connected(attempt),
                    Ok(Connect::Underway) if !expired => return plan.connecting(index, attempt),
                    Ok(Connect::Underway) => Errno::ETIMEDOUT,
                    Ok(Connect::Failed(errno)) => errno,
                    Err(e) => {
                        return Progress::Failed(Failure::new("connect", &attempt.name, e).into());
                    }
                };
                plan.fail(attempt, errno);
                plan.try_from(index + 1)
            }
        }
    }
}

impl Plan {
    /// Attempt the targets from `index` on, until one connects or is under
    /// way; past the last, the round is over.
    fn try_from(mut self, mut index: usize) -> Progress {
        while index < self.targets.len() {
            self.report_failed("trying the next address");
            let attempt = match self.open(&self.targets[index]) {
                Ok(attempt) => attempt,
                Err(err) => return Progress::Failed(err),
            };
            self.attempts += 1;
            match socket::start_connect(&attempt.fd, &self.targets[index]) {
                Ok(()) => return self.connected(attempt),
                // Signals are blocked, but a connect interrupted anyway
                // goes on in the background, as one in progress does.
                Err(Errno::EINPROGRESS | Errno::EINTR) => return self.connecting(index, attempt),
                Err(errno) => self.fail(attempt, errno),
            }
            index += 1;
        }
        self.end_round()
    }

    /// A socket for `target`, with its options and source address, and
    /// the `-w` deadline of its connect.
    fn open(&self, target: &Target) -> anyhow::Result<Attempt> {
        let name = target
            .sockaddr
            .ip_addr(self.kind)
            .unwrap_or_else(|| self.addr.clone());
        let fd = socket::open(target.family, self.kind)
            .map_err(|e| Failure::new("open a socket for", &name, e))?;
        socket::apply_options(&fd, &self.opts.socket, target.family, self.kind, &self.addr)?;
        let source_file = bind_source(&fd, target, self.kind, &self.opts)?;
        let deadline = self.opts.timeout.map(|d| Instant::now() + d);
        Ok(Attempt {
            fd,
            name,
            source_file,
            deadline,
        })
    }

    fn connecting(self, index: usize, attempt: Attempt) -> Progress {
        Progress::Dialing(Box::new(Dial {
            plan: self,
            state: State::Connecting { index, attempt },
        }))
    }

    fn connected(self, attempt: Attempt) -> Progress {
        self.reporter.report(Event::Connected {
            peer: &attempt.name,
        });
        Progress::Done(Dialed {
            fd: attempt.fd,
            kind: self.kind,
            peer: attempt.name,
            _source_file: attempt.source_file,
        })
    }

    /// Record a failed attempt. Its socket closes (and a `-s PATH` file
    /// goes) before the next attempt binds its own.
    fn fail(&mut self, attempt: Attempt, errno: Errno) {
        self.failed = Some((attempt.name, errno));
        self.last = errno;
    }

    /// Every address failed: pause and go again while `--retry` has time
    /// and the service may just not be up yet, else fail with the last error.
    fn end_round(mut self) -> Progress {
        if let Some(until) = self.retry_until.filter(|_| socket::is_retryable(self.last)) {
            let now = Instant::now();
            if now < until {
                self.report_failed("retrying");
                // The last pause is cut short so that one attempt falls at DUR.
                let until = (now + socket::retry_pause(self.rounds)).min(until);
                self.rounds += 1;
                return Progress::Dialing(Box::new(Dial {
                    plan: self,
                    state: State::Pausing { until },
                }));
            }
        }
        Progress::Failed(connect_failure(&self.addr, self.last))
    }

    /// After a pause, every address again. A Unix path is resolved anew:
    /// it costs no lookup, and a long path's directory may have been
    /// replaced meanwhile (a service recreating its runtime directory).
    /// A name is not looked up again: that would block the caller's loop.
    fn next_round(mut self) -> Progress {
        if matches!(self.addr, Addr::Unix { .. }) {
            match socket::resolve(&self.addr) {
                Ok(targets) => self.targets = targets,
                Err(err) => return Progress::Failed(err),
            }
        }
        self.last = Errno::ECONNREFUSED;
        self.try_from(0)
    }

    fn report_failed(&mut self, next: &str) {
        if let Some((name, errno)) = self.failed.take() {
            self.reporter.report(Event::Attempt {
                target: &name,
                reason: format!("{}; {next}", crate::error::describe(errno)),
            });
        }
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

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, TcpStream};
    use std::os::unix::net::UnixListener;
    use std::path::PathBuf;

    use nix::poll::{PollFd, poll};
    use nix::sys::socket::{self as nixsock, Backlog, SockFlag, SockType, SockaddrIn};

    use super::*;
    use crate::signals::timeout_until;

    /// The most any test waits for a dial to end.
    const BOUND: Duration = Duration::from_secs(10);

    fn tcp(port: u16) -> Addr {
        addr::parse(&format!("tcp:127.0.0.1:{port}"), addr::Flags::default()).expect("addr")
    }

    /// A port held by a socket that is bound and never listens: a connect
    /// to it is refused, and no other test can take it meanwhile.
    fn refused_port() -> (OwnedFd, u16) {
        let fd = nixsock::socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .expect("socket");
        nixsock::bind(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            &SockaddrIn::new(127, 0, 0, 1, 0),
        )
        .expect("bind");
        let port = socket::local_addr(&fd)
            .expect("name")
            .as_sockaddr_in()
            .expect("v4")
            .port();
        (fd, port)
    }

    /// A directory of its own for one test's socket files.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("sockcat-dial-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir(&dir).expect("scratch dir");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn start(addr: &Addr, opts: &Options) -> Progress {
        Dial::start(
            addr,
            socket::resolve(addr).expect("resolve"),
            opts,
            Reporter::default(),
        )
    }

    /// Advance a dial as an event loop would: poll its socket for
    /// writability until its deadline, then `advance`; for at most `BOUND`.
    fn drive(mut progress: Progress) -> anyhow::Result<Dialed> {
        let give_up = Instant::now() + BOUND;
        loop {
            let dial = match progress {
                Progress::Dialing(dial) => dial,
                Progress::Done(dialed) => return Ok(dialed),
                Progress::Failed(err) => return Err(err),
            };
            assert!(Instant::now() < give_up, "still dialing after {BOUND:?}");
            let wake = dial.deadline().map_or(give_up, |d| d.min(give_up));
            let mut fds: Vec<PollFd<'_>> = dial
                .fd()
                .map(|fd| PollFd::new(fd, PollFlags::POLLOUT))
                .into_iter()
                .collect();
            let ready = poll(&mut fds, timeout_until(Some(wake))).expect("poll") > 0;
            drop(fds);
            progress = dial.advance(ready);
        }
    }

    #[test]
    fn a_refused_port_fails_with_the_words_of_the_blocking_dial() {
        let (_held, port) = refused_port();
        let err = drive(start(&tcp(port), &Options::default()))
            .err()
            .expect("refused");
        assert_eq!(
            format!("{err:#}"),
            format!(
                "connect tcp:127.0.0.1:{port}: connection refused (nothing is listening there)"
            )
        );
        assert_eq!(crate::error::exit_status(&err), 1);
    }

    #[test]
    fn a_listener_that_accepts_is_connected() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
        let port = listener.local_addr().expect("addr").port();
        let progress = start(&tcp(port), &Options::default());
        if let Progress::Dialing(dial) = &progress {
            // A TCP handshake is under way: its socket is the one to watch.
            assert!(dial.fd().is_some());
            assert_eq!(dial.attempt(), 1);
        }
        let dialed = drive(progress).expect("connected");
        assert_eq!(dialed.peer, tcp(port));
        assert_eq!(dialed.kind, Kind::Stream);
        let (_conn, from) = listener.accept().expect("accept");
        let local = socket::local_addr(&dialed.fd).expect("name");
        assert_eq!(local.as_sockaddr_in().map(|a| a.port()), Some(from.port()));
    }

    #[test]
    fn a_refused_address_gives_way_to_the_next() {
        let (_held, refused) = refused_port();
        let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
        let open = listener.local_addr().expect("addr").port();
        let mut targets = socket::resolve(&tcp(refused)).expect("resolve");
        targets.extend(socket::resolve(&tcp(open)).expect("resolve"));
        let progress = Dial::start(
            &tcp(open),
            targets,
            &Options::default(),
            Reporter::default(),
        );
        let dialed = drive(progress).expect("the second address");
        assert_eq!(dialed.peer, tcp(open));
    }

    #[test]
    fn an_unanswered_connect_times_out_at_its_deadline() {
        // A backlog of 0 holds one connection; the SYNs after it are dropped.
        let fd = nixsock::socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .expect("socket");
        nixsock::bind(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            &SockaddrIn::new(127, 0, 0, 1, 0),
        )
        .expect("bind");
        nixsock::listen(&fd, Backlog::new(0).expect("backlog")).expect("listen");
        let full = TcpListener::from(fd);
        let port = full.local_addr().expect("addr").port();
        let _filler = TcpStream::connect(("127.0.0.1", port)).expect("fill");
        let opts = Options {
            timeout: Some(Duration::from_millis(200)),
            ..Options::default()
        };
        let started = Instant::now();
        let progress = start(&tcp(port), &opts);
        let Progress::Dialing(dial) = &progress else {
            panic!("a dropped SYN leaves the connect under way");
        };
        assert!(
            dial.deadline()
                .is_some_and(|d| d <= started + Duration::from_millis(250))
        );
        let err = drive(progress).err().expect("timed out");
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(
            format!("{err:#}"),
            format!("connect tcp:127.0.0.1:{port}: timed out")
        );
        assert!(err.is::<TimedOut>());
    }

    #[test]
    fn retry_waits_for_a_unix_path_that_appears_later() {
        let scratch = Scratch::new("appears");
        let path = scratch.0.join("s");
        let addr =
            addr::parse(&format!("unix:{}", path.display()), addr::Flags::default()).expect("addr");
        let opts = Options {
            retry: Some(BOUND),
            ..Options::default()
        };
        // No file yet: a Unix connect fails at once, and the dial pauses.
        let progress = start(&addr, &opts);
        let Progress::Dialing(dial) = &progress else {
            panic!("--retry pauses after ENOENT");
        };
        assert!(dial.fd().is_none(), "nothing to watch while pausing");
        assert!(dial.deadline().is_some());
        assert_eq!(dial.attempt(), 1);
        let _listener = UnixListener::bind(&path).expect("listen");
        let dialed = drive(progress).expect("connected once the socket is there");
        assert_eq!(dialed.peer, addr);
    }

    #[test]
    fn retry_ends_with_the_last_error() {
        let scratch = Scratch::new("never");
        let path = scratch.0.join("s");
        let addr =
            addr::parse(&format!("unix:{}", path.display()), addr::Flags::default()).expect("addr");
        let opts = Options {
            retry: Some(Duration::from_millis(120)),
            ..Options::default()
        };
        let started = Instant::now();
        let err = drive(start(&addr, &opts)).err().expect("never there");
        assert!(started.elapsed() >= Duration::from_millis(120));
        assert_eq!(
            format!("{err:#}"),
            format!("connect {addr}: no such file (is the service running?)")
        );
    }
}

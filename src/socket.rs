//! Every socket system call: resolve an `Addr` to candidates, open, set
//! options, bind, connect (started here, awaited by `dial`), listen, accept,
//! read peer credentials. What the verbs get back is an `OwnedFd` and canonical
//! addresses; errno becomes a `Failure` here, where the operation is known.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, OFlag};
use nix::sys::socket::{
    self, AddressFamily, Backlog, MsgFlags, Shutdown, SockFlag, SockType, SockaddrLike,
    SockaddrStorage, UnixAddr, UnixCredentials, sockopt,
};
use nix::sys::stat::{FileStat, Mode, SFlag, fstatat};
use nix::unistd::{UnlinkatFlags, unlinkat};

use crate::access::Credentials;
use crate::addr::{Addr, Family, Host, Kind, UnixName};
use crate::error::{Failure, escape, quote};
use crate::usage;

/// A concrete address the kernel can take, with what is needed to keep it
/// valid (a long Unix path's directory descriptor).
pub struct Target {
    pub sockaddr: SockAddr,
    pub family: AddressFamily,
    /// For Unix paths: the path reached through `dir` (or the cwd).
    pub unix: Option<UnixPath>,
}

/// A socket address of either kind nix has (it keeps Unix addresses apart).
pub enum SockAddr {
    Ip(SockaddrStorage),
    Unix(UnixAddr),
}

impl SockAddr {
    pub fn as_dyn(&self) -> &dyn SockaddrLike {
        match self {
            SockAddr::Ip(sa) => sa,
            SockAddr::Unix(sa) => sa,
        }
    }

    /// The canonical form of this address.
    pub fn to_addr(&self, kind: Kind) -> Addr {
        match self {
            SockAddr::Ip(sa) => Addr::from_sockaddr(kind, sa),
            SockAddr::Unix(sa) => Addr::from_unix(kind, sa),
        }
    }

    /// The canonical form of an IP address; `None` for Unix ones, which are
    /// best shown as the user wrote them.
    pub fn ip_addr(&self, kind: Kind) -> Option<Addr> {
        match self {
            SockAddr::Ip(sa) => Some(Addr::from_sockaddr(kind, sa)),
            SockAddr::Unix(_) => None,
        }
    }
}

/// The longest path `sun_path` holds (108 bytes with the terminating NUL).
pub const SUN_PATH_MAX: usize = 107;

/// A Unix socket path as the kernel can take it. `sun_path` holds 107 bytes;
/// a longer path is reached through an `O_PATH` descriptor of its directory
/// and `/proc/self/fd/N/NAME`, never truncated.
pub struct UnixPath {
    dir: Option<OwnedFd>,
    name: PathBuf,
}

impl UnixPath {
    fn new(path: &Path) -> Result<(UnixPath, UnixAddr), Errno> {
        match UnixAddr::new(path) {
            Ok(addr) => Ok((
                UnixPath {
                    dir: None,
                    name: path.to_path_buf(),
                },
                addr,
            )),
            Err(Errno::ENAMETOOLONG) => {
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let name = path.file_name().ok_or(Errno::ENAMETOOLONG)?;
                let dir = nix::fcntl::open(
                    parent,
                    OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )?;
                let via = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name);
                let addr = UnixAddr::new(&via)?;
                Ok((
                    UnixPath {
                        dir: Some(dir),
                        name: PathBuf::from(name),
                    },
                    addr,
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// Whether the kernel knows the socket by its path as the user wrote it.
    /// A long path bound through its directory is named
    /// `/proc/self/fd/N/NAME` instead, which only this process can resolve:
    /// fine for reaching a socket, useless as an address to reply to.
    pub fn is_named_as_written(&self) -> bool {
        self.dir.is_none()
    }

    fn dir(&self) -> BorrowedFd<'_> {
        self.dir.as_ref().map(|d| d.as_fd()).unwrap_or(AT_FDCWD)
    }

    /// What is at the path now (not following a symlink).
    pub fn stat(&self) -> nix::Result<FileStat> {
        fstatat(
            self.dir(),
            &self.name,
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
    }

    pub fn unlink(&self) -> nix::Result<()> {
        unlinkat(self.dir(), &self.name, UnlinkatFlags::NoRemoveDir)
    }

    pub fn chmod(&self, mode: u32) -> nix::Result<()> {
        nix::sys::stat::fchmodat(
            self.dir(),
            &self.name,
            Mode::from_bits_truncate(mode),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        )
    }

    pub fn chown(
        &self,
        uid: Option<nix::unistd::Uid>,
        gid: Option<nix::unistd::Gid>,
    ) -> nix::Result<()> {
        nix::unistd::fchownat(
            self.dir(),
            &self.name,
            uid,
            gid,
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
    }
}

/// Whether a stat result is a socket.
pub fn is_socket(stat: &FileStat) -> bool {
    SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT == SFlag::S_IFSOCK
}

fn sock_type(kind: Kind) -> SockType {
    match kind {
        Kind::Stream => SockType::Stream,
        Kind::Datagram => SockType::Datagram,
        Kind::Seqpacket => SockType::SeqPacket,
    }
}

/// The socket's kind, read from the socket itself (`SO_TYPE`).
pub fn kind_of(fd: &OwnedFd) -> nix::Result<Kind> {
    match socket::getsockopt(fd, sockopt::SockType)? {
        SockType::Stream => Ok(Kind::Stream),
        SockType::Datagram => Ok(Kind::Datagram),
        SockType::SeqPacket => Ok(Kind::Seqpacket),
        _ => Err(Errno::EPROTOTYPE),
    }
}

/// Resolve an address to the socket addresses to try, in order.
pub fn resolve(addr: &Addr) -> anyhow::Result<Vec<Target>> {
    match addr {
        Addr::Inet {
            family, host, port, ..
        } => {
            let ips = resolve_host(host, *family, *port)?;
            Ok(ips.into_iter().map(inet_target).collect())
        }
        Addr::Unix { name, .. } => {
            let (unix, sockaddr) = match name {
                UnixName::Path(path) => {
                    let (unix, sa) = UnixPath::new(path).map_err(|e| match e {
                        // Even behind its directory the name does not fit:
                        // no socket can have it.
                        Errno::ENAMETOOLONG => usage!(
                            "{}",
                            Failure::new("reach", addr, e)
                                .hint("the name after the last / is too long for a socket address")
                        ),
                        e => Failure::new("reach", addr, e).into(),
                    })?;
                    (Some(unix), sa)
                }
                UnixName::Abstract(name) => {
                    let sa =
                        UnixAddr::new_abstract(name).map_err(|e| Failure::new("reach", addr, e))?;
                    (None, sa)
                }
                UnixName::Unnamed => (None, UnixAddr::new_unnamed()),
            };
            Ok(vec![Target {
                sockaddr: SockAddr::Unix(sockaddr),
                family: AddressFamily::Unix,
                unix,
            }])
        }
        Addr::Fd(_) => Err(usage!("{addr} cannot be resolved; it is already a socket")),
    }
}

/// An address that many connections will be opened to (`forward`'s
/// TARGET): a name is looked up once, now, because a lookup blocks and one
/// per peer would stall every pair on the loop; a Unix path is taken anew
/// for each connection (no lookup, and a long path's directory may have
/// been replaced meanwhile).
pub struct Resolved {
    addr: Addr,
    ips: Option<Vec<SocketAddr>>,
}

impl Resolved {
    pub fn new(addr: &Addr) -> anyhow::Result<Resolved> {
        let ips = match addr {
            Addr::Inet {
                family, host, port, ..
            } => Some(resolve_host(host, *family, *port)?),
            _ => {
                // A name no socket can have is an error at start; a long
                // path's directory that is not there yet may be by the
                // time a peer comes.
                match resolve(addr) {
                    Err(e) if e.is::<crate::error::Usage>() => return Err(e),
                    _ => None,
                }
            }
        };
        Ok(Resolved {
            addr: addr.clone(),
            ips,
        })
    }

    pub fn addr(&self) -> &Addr {
        &self.addr
    }

    /// What to try for one more connection.
    pub fn targets(&self) -> anyhow::Result<Vec<Target>> {
        match &self.ips {
            Some(ips) => Ok(ips.iter().copied().map(inet_target).collect()),
            None => resolve(&self.addr),
        }
    }
}

fn inet_target(sa: SocketAddr) -> Target {
    let family = if sa.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    };
    Target {
        sockaddr: SockAddr::Ip(SockaddrStorage::from(sa)),
        family,
        unix: None,
    }
}

fn resolve_host(host: &Host, family: Option<Family>, port: u16) -> anyhow::Result<Vec<SocketAddr>> {
    let wanted = |sa: &SocketAddr| match family {
        None => true,
        Some(Family::V4) => sa.is_ipv4(),
        Some(Family::V6) => sa.is_ipv6(),
    };
    let found: Vec<SocketAddr> = match host {
        Host::Any => match family {
            Some(Family::V4) => vec![(Ipv4Addr::UNSPECIFIED, port).into()],
            Some(Family::V6) => vec![(Ipv6Addr::UNSPECIFIED, port).into()],
            // `[::]` first: dual-stack where the system allows, else IPv4.
            None => vec![
                (Ipv6Addr::UNSPECIFIED, port).into(),
                (Ipv4Addr::UNSPECIFIED, port).into(),
            ],
        },
        Host::Ip {
            ip: IpAddr::V6(ip),
            zone: Some(zone),
        } => {
            let scope = zone
                .parse::<u32>()
                .or_else(|_| nix::net::if_::if_nametoindex(zone.as_str()))
                .map_err(|_| {
                    let shown = escape(zone.as_bytes());
                    usage!("unknown interface '{shown}' in [{ip}%{shown}]")
                })?;
            vec![SocketAddr::V6(std::net::SocketAddrV6::new(
                *ip, port, 0, scope,
            ))]
        }
        Host::Ip { ip, .. } => vec![SocketAddr::new(*ip, port)],
        Host::Name(name) => lookup_name(name, port)?,
    };
    let found: Vec<SocketAddr> = found.into_iter().filter(wanted).collect();
    if found.is_empty() {
        return Err(match (host, family) {
            (Host::Name(name), _) => usage!(
                "unknown host {}: no address of the requested family",
                quote(name.as_bytes())
            ),
            // A numeric address of the other family: `-s ::1` beside an
            // IPv4 target.
            (_, Some(Family::V4)) => usage!(
                "{host_text} is not an IPv4 address",
                host_text = shown(host)
            ),
            (_, _) => usage!(
                "{host_text} is not an IPv6 address",
                host_text = shown(host)
            ),
        });
    }
    Ok(found)
}

/// `name`'s addresses by getaddrinfo, in its order. No such name is the
/// command line's fault (exit 2); a resolver that cannot answer now
/// (`EAI_AGAIN`: no name server reachable) or a system error is a
/// run-time failure (exit 1), as a refused connect is.
fn lookup_name(name: &str, port: u16) -> anyhow::Result<Vec<SocketAddr>> {
    use dns_lookup::{AddrInfoHints, LookupErrorKind};
    let hints = AddrInfoHints {
        socktype: dns_lookup::SockType::Stream.into(),
        ..AddrInfoHints::default()
    };
    let shown = quote(name.as_bytes());
    let answers = dns_lookup::getaddrinfo(Some(name), None, Some(hints));
    let answers = answers.map_err(|e| match e.kind() {
        LookupErrorKind::Again => anyhow::anyhow!(
            "resolve {shown}: temporary failure in name resolution (is a name server reachable?)"
        ),
        LookupErrorKind::System | LookupErrorKind::Memory => {
            let errno = std::io::Error::from(e)
                .raw_os_error()
                .map_or(Errno::ENOMEM, Errno::from_raw);
            anyhow::anyhow!("resolve {shown}: {}", crate::error::describe(errno))
        }
        _ => usage!("unknown host {shown}"),
    })?;
    Ok(answers
        .flatten()
        .map(|answer| {
            // (An IPv6 link-local answer keeps its scope.)
            let mut addr = answer.sockaddr;
            addr.set_port(port);
            addr
        })
        .collect())
}

/// A host for messages.
fn shown(host: &Host) -> String {
    match host {
        Host::Any => "all interfaces".into(),
        Host::Ip { ip, .. } => ip.to_string(),
        Host::Name(name) => quote(name.as_bytes()),
    }
}

/// A new non-blocking, close-on-exec socket.
pub fn open(family: AddressFamily, kind: Kind) -> nix::Result<OwnedFd> {
    socket::socket(
        family,
        sock_type(kind),
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )
}

/// The socket options every verb that opens a socket takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `TCP_NODELAY`: no Nagle delay (TCP only).
    pub nodelay: bool,
    /// `SO_KEEPALIVE`: probe an idle connection (TCP only).
    pub keepalive: bool,
    /// `SO_SNDBUF` in bytes; for Unix sockets also the largest message.
    pub sndbuf: Option<usize>,
    /// `SO_RCVBUF` in bytes.
    pub rcvbuf: Option<usize>,
}

/// Apply `--nodelay`, `--keepalive`, `--sndbuf`, `--rcvbuf` to a socket
/// just opened for `addr`, before it is bound or connected. `--nodelay` and
/// `--keepalive` are TCP's: elsewhere the kernel takes them and does
/// nothing (a Unix socket has no Nagle and no keepalive timer), so they are
/// exit 2 rather than silently ignored.
pub fn apply_options(
    fd: &OwnedFd,
    opts: &Options,
    family: AddressFamily,
    kind: Kind,
    addr: &Addr,
) -> anyhow::Result<()> {
    let tcp = kind == Kind::Stream && family != AddressFamily::Unix;
    for (flag, given) in [("--nodelay", opts.nodelay), ("--keepalive", opts.keepalive)] {
        if given && !tcp {
            return Err(usage!("{flag} needs a TCP socket, not {addr}"));
        }
    }
    if opts.nodelay {
        socket::setsockopt(fd, sockopt::TcpNoDelay, &true).context("set TCP_NODELAY")?;
    }
    if opts.keepalive {
        socket::setsockopt(fd, sockopt::KeepAlive, &true).context("set SO_KEEPALIVE")?;
    }
    if let Some(bytes) = opts.sndbuf {
        socket::setsockopt(fd, sockopt::SndBuf, &bytes).context("set SO_SNDBUF")?;
    }
    if let Some(bytes) = opts.rcvbuf {
        socket::setsockopt(fd, sockopt::RcvBuf, &bytes).context("set SO_RCVBUF")?;
    }
    Ok(())
}

/// Start connecting `fd`, a non-blocking socket, to `target`. `Ok` when the
/// kernel connected at once (Unix, UDP); EINPROGRESS while a TCP handshake
/// runs (wait for writability, then ask `connect_status`); any other errno
/// when it failed at once. EAGAIN (a full Unix backlog) comes back as is,
/// for `--retry` to decide.
pub fn start_connect(fd: &OwnedFd, target: &Target) -> nix::Result<()> {
    socket::connect(fd.as_raw_fd(), target.sockaddr.as_dyn())
}

/// Where a connect started by `start_connect` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connect {
    Connected,
    /// Still under way (a TCP handshake).
    Underway,
    Failed(Errno),
}

/// How a non-blocking connect is doing, typically once its socket has
/// reported writable or an error. `SO_ERROR` holds a failure (and reading
/// it clears it); failing that, a socket with a peer (`getpeername`) is
/// connected and one without is still connecting.
pub fn connect_status(fd: &OwnedFd) -> nix::Result<Connect> {
    // A peer quick to accept, send and reset may do it all before we look:
    // its bytes wait in our queue and the reset in SO_ERROR, which reading
    // would clear. Bytes waiting mean the connect worked; the relay reads
    // them and then meets the reset.
    if unread(fd).is_ok_and(|n| n > 0) {
        return Ok(Connect::Connected);
    }
    match socket::getsockopt(fd, sockopt::SocketError)? {
        0 => {}
        errno => return Ok(Connect::Failed(Errno::from_raw(errno))),
    }
    match peer_addr(fd) {
        Ok(_) => Ok(Connect::Connected),
        Err(Errno::ENOTCONN) => Ok(Connect::Underway),
        Err(e) => Err(e),
    }
}

/// Whether a connect error means "not up yet", worth another try under `--retry`.
pub fn is_retryable(errno: Errno) -> bool {
    matches!(errno, Errno::ENOENT | Errno::ECONNREFUSED | Errno::EAGAIN)
}

/// The pauses between `--retry` attempts: 50 ms doubling to 1 s.
pub fn retry_pause(attempt: u32) -> Duration {
    Duration::from_millis(50u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(1))
}

/// `SO_REUSEADDR`: a TCP listener binds at once even while connections of
/// a previous one linger in TIME_WAIT; a source port (`-p`) likewise.
pub fn reuse_address(fd: &OwnedFd) -> nix::Result<()> {
    socket::setsockopt(fd, sockopt::ReuseAddr, &true)
}

/// IPv6 socket that takes IPv4 too (`IPV6_V6ONLY` off), for `[::]`
/// meaning all interfaces; an explicit v6 address is v6 only by nature.
pub fn dual_stack(fd: &OwnedFd) -> nix::Result<()> {
    socket::setsockopt(fd, sockopt::Ipv6V6Only, &false)
}

/// `SO_PASSCRED`: the kernel attaches the sender's credentials to each
/// datagram (`SCM_CREDENTIALS`), for `--allow-uid`/`--allow-gid`.
pub fn pass_credentials(fd: &OwnedFd) -> nix::Result<()> {
    socket::setsockopt(fd, sockopt::PassCred, &true)
}

pub fn bind(fd: &OwnedFd, target: &Target) -> nix::Result<()> {
    socket::bind(fd.as_raw_fd(), target.sockaddr.as_dyn())
}

pub fn listen(fd: &OwnedFd, backlog: i32) -> nix::Result<()> {
    let backlog = Backlog::new(backlog.clamp(1, i32::MAX)).unwrap_or(Backlog::MAXCONN);
    socket::listen(fd, backlog)
}

/// Accept one pending connection, non-blocking and close-on-exec.
pub fn accept(listener: &OwnedFd) -> nix::Result<OwnedFd> {
    socket::accept4(listener, SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC)
}

pub fn local_addr(fd: &OwnedFd) -> nix::Result<SockaddrStorage> {
    socket::getsockname(fd.as_raw_fd())
}

/// The address a connection accepted on `listener` reached. For IP it is
/// the connection's own (`getsockname`): on a wildcard listener, the
/// address the peer connected to rather than `[::]`, and an IPv4 peer of
/// a dual-stack socket as IPv4. A Unix connection's own name is only the
/// listener's path as bound (a long one through /proc/self/fd), so the
/// listener's canonical address says it better.
pub fn reached(conn: &OwnedFd, listener: &Addr) -> Addr {
    match (listener, local_addr(conn)) {
        (Addr::Inet { kind, .. }, Ok(sa)) if sa.as_unix_addr().is_none() => {
            Addr::from_sockaddr(*kind, &sa)
        }
        _ => listener.clone(),
    }
}

pub fn peer_addr(fd: &OwnedFd) -> nix::Result<SockaddrStorage> {
    socket::getpeername(fd.as_raw_fd())
}

/// The peer's pid, uid and gid as the kernel saw them at connect (`SO_PEERCRED`).
pub fn peer_credentials(fd: &OwnedFd) -> Option<UnixCredentials> {
    socket::getsockopt(fd, sockopt::PeerCredentials).ok()
}

/// One send call that never raises SIGPIPE (a peer that is gone is EPIPE).
/// A stream may take part of `buf`; a datagram or seqpacket socket takes
/// all of it as one message or fails (EMSGSIZE: larger than it can carry).
pub fn send<Fd: AsFd>(fd: Fd, buf: &[u8]) -> nix::Result<usize> {
    socket::send(fd.as_fd().as_raw_fd(), buf, MsgFlags::MSG_NOSIGNAL)
}

/// One vectored send (`sendmsg`), never raising SIGPIPE.
pub fn send_parts<Fd: AsFd>(fd: Fd, parts: &[std::io::IoSlice<'_>]) -> nix::Result<usize> {
    socket::sendmsg::<UnixAddr>(
        fd.as_fd().as_raw_fd(),
        parts,
        &[],
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
}

/// One receive call. With `whole`, a message the kernel had to cut to fit
/// `buf` (`MSG_TRUNC`) is EMSGSIZE, never a shortened message.
pub fn receive<Fd: AsFd>(fd: Fd, buf: &mut [u8], whole: bool) -> nix::Result<usize> {
    let flags = if whole {
        MsgFlags::MSG_TRUNC
    } else {
        MsgFlags::empty()
    };
    let n = socket::recv(fd.as_fd().as_raw_fd(), buf, flags)?;
    if n > buf.len() {
        return Err(Errno::EMSGSIZE);
    }
    Ok(n)
}

/// Connect a datagram socket to one sender, so the kernel delivers only
/// its datagrams and `send` goes to it.
pub fn connect_to(fd: BorrowedFd<'_>, to: &SockAddr) -> nix::Result<()> {
    socket::connect(fd.as_raw_fd(), to.as_dyn())
}

/// Send one datagram to `to` on an unconnected socket.
pub fn send_to(fd: BorrowedFd<'_>, buf: &[u8], to: &SockAddr) -> nix::Result<usize> {
    socket::sendto(fd.as_raw_fd(), buf, to.as_dyn(), MsgFlags::MSG_NOSIGNAL)
}

/// Make the next close of `fd` a reset (`SO_LINGER` 0): how `forward`
/// passes on a reset rather than turning it into a clean close.
pub fn reset_on_close(fd: &OwnedFd) -> nix::Result<()> {
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    socket::setsockopt(fd, sockopt::Linger, &linger)
}

/// Why a message was refused rather than cut (`MSG_TRUNC`): the words every
/// receiver uses.
pub fn too_large(capacity: usize) -> String {
    format!("a message larger than the {capacity} byte buffer; refusing to cut it")
}

/// Half-close: the peer reads EOF while we can still read its answer. A
/// peer that is already gone (ENOTCONN) leaves nothing to close.
pub fn shutdown_write(fd: &OwnedFd) -> nix::Result<()> {
    match socket::shutdown(fd.as_raw_fd(), Shutdown::Write) {
        Err(Errno::ENOTCONN) => Ok(()),
        other => other,
    }
}

/// One datagram (or seqpacket record) as it came.
pub struct Received {
    pub len: usize,
    /// The sender; a Unix sender with no address of its own is
    /// `SockAddr::Unix` of an unnamed address.
    pub from: Option<SockAddr>,
    /// The sender's credentials (`SCM_CREDENTIALS`), when asked for and the
    /// socket has `SO_PASSCRED`.
    pub credentials: Option<Credentials>,
}

/// Receive one message whole into `buf`, with its sender and, when
/// `credentials` is set, the credentials the kernel attached. A message
/// the kernel had to cut (`MSG_TRUNC`) is EMSGSIZE. Unix senders are read as
/// `UnixAddr`: nix's `SockaddrStorage` loses the address length recvmsg
/// reports, and with it an abstract name (a connect or sendto to it then
/// fails with EINVAL).
pub fn receive_from(
    fd: BorrowedFd<'_>,
    unix: bool,
    buf: &mut [u8],
    credentials: bool,
) -> nix::Result<Received> {
    let mut cmsg = nix::cmsg_space!(UnixCredentials);
    let space = credentials.then_some(cmsg.as_mut_slice());
    let mut iov = [std::io::IoSliceMut::new(buf)];
    let raw = fd.as_raw_fd();
    let (len, truncated, from, credentials) = if unix {
        let msg = socket::recvmsg::<UnixAddr>(raw, &mut iov, space, MsgFlags::MSG_TRUNC)?;
        // A sender with no address comes with a name length of 0 (no
        // address at all) or of the family field alone.
        let named = msg.address.filter(|a| SockaddrLike::len(a) > 2);
        let from = SockAddr::Unix(named.unwrap_or_else(UnixAddr::new_unnamed));
        (
            msg.bytes,
            msg.flags.contains(MsgFlags::MSG_TRUNC),
            Some(from),
            sender_credentials(&msg),
        )
    } else {
        let msg = socket::recvmsg::<SockaddrStorage>(raw, &mut iov, space, MsgFlags::MSG_TRUNC)?;
        let from = msg.address.map(SockAddr::Ip);
        (
            msg.bytes,
            msg.flags.contains(MsgFlags::MSG_TRUNC),
            from,
            sender_credentials(&msg),
        )
    };
    if truncated {
        return Err(Errno::EMSGSIZE);
    }
    Ok(Received {
        len,
        from,
        credentials,
    })
}

fn sender_credentials<S>(msg: &socket::RecvMsg<'_, '_, S>) -> Option<Credentials> {
    msg.cmsgs().ok()?.find_map(|c| match c {
        socket::ControlMessageOwned::ScmCredentials(c) => Some(Credentials::from(c)),
        _ => None,
    })
}

impl SockAddr {
    /// A sender with no address of its own (a Unix socket never bound).
    pub fn is_unnamed(&self) -> bool {
        matches!(self, SockAddr::Unix(unix) if unix.is_unnamed())
    }
}

/// Bytes of a TCP socket's stream (and its FIN, which counts as one) the
/// peer has not acknowledged yet (`SIOCOUTQ`, tcp(7)). Closing while it is
/// not 0 can lose them: data arriving at a closed socket makes the kernel
/// reset the connection and drop its send queue.
#[allow(unsafe_code)]
pub fn unacknowledged(fd: &OwnedFd) -> nix::Result<usize> {
    let mut queued: nix::libc::c_int = 0;
    // SAFETY: SIOCOUTQ (TIOCOUTQ on Linux) writes one int through the
    // pointer, which points at `queued` for the whole call; nix has no
    // wrapper for it, nor for TCP_INFO.
    let rc = unsafe { nix::libc::ioctl(fd.as_raw_fd(), nix::libc::TIOCOUTQ, &mut queued) };
    Errno::result(rc)?;
    Ok(usize::try_from(queued).unwrap_or(0))
}

/// Bytes received and not read yet (`SIOCINQ`, tcp(7)); unlike SO_ERROR
/// it leaves a pending error in place.
#[allow(unsafe_code)]
fn unread(fd: &OwnedFd) -> nix::Result<usize> {
    let mut queued: nix::libc::c_int = 0;
    // SAFETY: SIOCINQ (FIONREAD) writes one int through the pointer, which
    // points at `queued` for the whole call; nix has no wrapper for it.
    let rc = unsafe { nix::libc::ioctl(fd.as_raw_fd(), nix::libc::FIONREAD, &mut queued) };
    Errno::result(rc)?;
    Ok(usize::try_from(queued).unwrap_or(0))
}

/// The largest message one send on a connected datagram or seqpacket socket
/// can carry, and what sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageLimit {
    pub bytes: usize,
    pub why: &'static str,
}

/// 65535 - 20 (IPv4 header) - 8 (UDP header).
const UDP4_MAX: usize = 65507;
/// 65535 - 8 (UDP header): the IPv6 payload length excludes its own header.
const UDP6_MAX: usize = 65527;
/// What a Unix datagram or seqpacket send may not exceed: the send buffer
/// less 32 bytes (`unix_dgram_sendmsg` in the kernel).
const UNIX_SNDBUF_RESERVE: usize = 32;

pub fn message_limit(fd: &OwnedFd) -> nix::Result<MessageLimit> {
    // Not connected yet (a datagram listener before its first sender): the
    // socket's own family decides.
    let peer = peer_addr(fd).or_else(|_| local_addr(fd))?;
    if let Some(v6) = peer.as_sockaddr_in6() {
        // A v4 peer on a v6 socket (`::ffff:a.b.c.d`) travels as IPv4.
        return Ok(if v6.ip().to_ipv4_mapped().is_some() {
            udp4_limit()
        } else {
            MessageLimit {
                bytes: UDP6_MAX,
                why: "for UDP over IPv6",
            }
        });
    }
    if peer.as_sockaddr_in().is_some() {
        return Ok(udp4_limit());
    }
    let sndbuf = socket::getsockopt(fd, sockopt::SndBuf)?;
    Ok(MessageLimit {
        bytes: sndbuf.saturating_sub(UNIX_SNDBUF_RESERVE),
        why: "set by the send buffer; --sndbuf raises it",
    })
}

fn udp4_limit() -> MessageLimit {
    MessageLimit {
        bytes: UDP4_MAX,
        why: "for UDP over IPv4",
    }
}

/// Whether a stream socket is in the listening state (`SO_ACCEPTCONN`).
pub fn is_listening(fd: &OwnedFd) -> bool {
    socket::getsockopt(fd, sockopt::AcceptConn).unwrap_or(false)
}

/// Take an inherited descriptor (`fd:N`) as a socket, with its kind. `verb`
/// is what the user asked of it (`listen`, `connect`, `send`), for messages.
/// A descriptor that is not open, is stdio, or is not a socket is exit 2: the
/// command line cannot work as written.
pub fn inherited(n: i32, verb: &'static str) -> anyhow::Result<(OwnedFd, Kind, AddressFamily)> {
    let fd = take_inherited(n, verb)?;
    let kind = kind_of(&fd).map_err(|e| match e {
        Errno::ENOTSOCK => match not_a_socket(&fd) {
            Some(what) => usage!("{verb} fd:{n}: descriptor {n} is not a socket ({what})"),
            None => usage!("{verb} fd:{n}: descriptor {n} is not a socket"),
        },
        Errno::EPROTOTYPE => usage!(
            "{verb} fd:{n}: descriptor {n} is a socket of a type sockcat cannot use (not stream, datagram or seqpacket)"
        ),
        e => Failure::new(verb, format!("fd:{n}"), e).into(),
    })?;
    let family = local_addr(&fd)
        .ok()
        .and_then(|sa| sa.family())
        .ok_or_else(|| usage!("{verb} fd:{n}: descriptor {n} is a socket of an unknown family"))?;
    nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK))
        .map_err(|e| Failure::new(verb, format!("fd:{n}"), e))?;
    Ok((fd, kind, family))
}

/// What an open descriptor that is not a socket is, in a user's words.
fn not_a_socket(fd: &OwnedFd) -> Option<&'static str> {
    let stat = nix::sys::stat::fstat(fd).ok()?;
    match SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT {
        // An anonymous pipe (`3< <(cmd)`) is a fifo without a name.
        SFlag::S_IFIFO => Some("a pipe"),
        SFlag::S_IFCHR if nix::unistd::isatty(fd).unwrap_or(false) => Some("a terminal"),
        _ => file_type(&stat),
    }
}

/// A file that is not a socket, as `ls -l` would tell it; `None` for a
/// socket or what has no type a user would know (an eventfd, an epoll).
pub fn file_type(stat: &FileStat) -> Option<&'static str> {
    match SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT {
        SFlag::S_IFREG => Some("a regular file"),
        SFlag::S_IFDIR => Some("a directory"),
        SFlag::S_IFLNK => Some("a symbolic link"),
        SFlag::S_IFIFO => Some("a fifo"),
        SFlag::S_IFCHR => Some("a character device"),
        SFlag::S_IFBLK => Some("a block device"),
        _ => None,
    }
}

/// Own descriptor `n`, after checking that it is open and not stdio.
#[allow(unsafe_code)]
fn take_inherited(n: i32, verb: &'static str) -> anyhow::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    if let Some(stdio) = usize::try_from(n)
        .ok()
        .and_then(|i| ["stdin", "stdout", "stderr"].get(i))
    {
        return Err(usage!(
            "{verb} fd:{n}: descriptor {n} is {stdio}, which sockcat pipes itself (pass the socket as descriptor 3 or above)"
        ));
    }
    // SAFETY: the borrow lives only for this call; F_GETFD on a closed
    // descriptor fails with EBADF, which is the check itself.
    let open = nix::fcntl::fcntl(
        unsafe { BorrowedFd::borrow_raw(n) },
        nix::fcntl::FcntlArg::F_GETFD,
    );
    match open {
        Err(Errno::EBADF) => Err(usage!(
            "{verb} fd:{n}: descriptor {n} is not open (nothing was passed to sockcat as {n})"
        )),
        Err(e) => Err(Failure::new(verb, format!("fd:{n}"), e).into()),
        // SAFETY: descriptor n is open, is not stdio, and nothing else in
        // this process owns it: it was inherited, and `fd:N` is taken once.
        Ok(_) => Ok(unsafe { OwnedFd::from_raw_fd(n) }),
    }
}

/// A path's bytes for messages.
pub fn path_text(path: &Path) -> String {
    crate::error::escape(path.as_os_str().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_of_the_other_family_is_refused_not_a_panic() {
        // What `-s ::1` beside an IPv4 target builds.
        let addr = Addr::Inet {
            kind: Kind::Stream,
            family: Some(Family::V4),
            host: Host::Ip {
                ip: "::1".parse().unwrap(),
                zone: None,
            },
            port: 0,
        };
        let err = resolve(&addr).err().expect("no IPv4 address in ::1");
        assert_eq!(format!("{err:#}"), "::1 is not an IPv4 address");
        assert_eq!(crate::error::exit_status(&err), 2);
    }
}

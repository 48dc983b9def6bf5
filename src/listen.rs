//! The `listen` verb: bind, wait for one peer, relay. Also the Unix socket
//! file lifecycle (`SocketFile`): what may stand at the path before we bind,
//! mode and ownership before anyone can connect, and removal of exactly the
//! file we created.

use std::os::fd::{AsFd, OwnedFd};
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::PollFlags;
use nix::sys::socket::{self as nixsock, AddressFamily, sockopt};
use nix::sys::stat::{Mode, umask};
use nix::unistd::{Gid, Group, Uid, User};

use crate::access::Credentials;
use crate::addr::{self, Addr, Kind, UnixName};
use crate::cli::ListenArgs;
use crate::connect::addr_flags;
use crate::error::Failure;
use crate::hexdump::Hexdump;
use crate::relay::{self, Options, Peer};
use crate::report::{Event, Reporter, TimedOut};
use crate::server;
use crate::signals::Signals;
use crate::socket::{self, Target, UnixPath};
use crate::usage;

/// A bound socket waiting for peers.
pub struct Listener {
    pub fd: OwnedFd,
    pub kind: Kind,
    /// The canonical local address (the real port when 0 was asked).
    pub local: Addr,
    pub _file: Option<SocketFile>,
}

pub fn run(args: &ListenArgs, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let (text, exec) = split_exec(args)?;
    let addr = addr::parse(text, addr_flags(&args.addr_flags, true))?;
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let mut settings = server::Settings::new(args, kind, exec)?;
    let mut dump = Hexdump::from_flags(&args.dump)?;
    // What cannot apply to ADDR is exit 2 before anything is bound or
    // created. An inherited socket's family and type are known only once
    // it is taken (which binds nothing).
    check_file_flags(args, &addr)?;
    let inherited = matches!(addr, Addr::Fd(_));
    if !inherited {
        check_server_flags(args, &settings, &addr, kind)?;
    }
    let listener = bind(&addr, args)?;
    if inherited {
        check_server_flags(args, &settings, &listener.local, listener.kind)?;
    }
    settings.opts = Options::new(&args.session, listener.kind, None);
    reporter.report(Event::Listening {
        local: &listener.local,
    });
    let deadline = args.timeout.map(|d| Instant::now() + d);
    let access = &settings.access;
    let admit = access.has_rules().then_some(access);

    // A datagram socket has no peers to accept: one session hears every
    // sender (the first becomes the peer, or with -k the latest).
    if listener.kind == Kind::Datagram {
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, args.timeout));
        }
        let mut opts = settings.opts.clone();
        let adopt = if settings.keep_open {
            // -i and -q are the one-peer session's; -k runs until stopped.
            opts.idle = None;
            opts.quit_after = None;
            relay::Adopt::Latest
        } else {
            relay::Adopt::First
        };
        let mut peer = Peer {
            fd: &listener.fd,
            kind: listener.kind,
            name: listener.local.clone(),
            adopt,
            admit,
        };
        relay::session(&mut peer, &opts, signals, reporter, dump.as_mut())?;
        return Ok(0);
    }

    let many = settings.keep_open || settings.program.is_some() || settings.broker;
    if many {
        if dump.is_some() {
            return Err(usage!(
                "-x dumps a one-peer session; it does not combine with -k, -e, -c or --broker"
            ));
        }
        return server::serve(listener, &settings, reporter, signals);
    }
    let opts = &settings.opts;

    let (conn, peer_name) = loop {
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, args.timeout));
        }
        let conn = match socket::accept(&listener.fd) {
            Ok(fd) => fd,
            Err(Errno::EAGAIN | Errno::ECONNABORTED | Errno::EINTR) => continue,
            Err(e) => return Err(Failure::new("accept on", &listener.local, e).into()),
        };
        let peer_name = socket::peer_addr(&conn)
            .map(|sa| Addr::from_sockaddr(listener.kind, &sa))
            .unwrap_or(Addr::Unix {
                kind: listener.kind,
                name: UnixName::Unnamed,
            });
        let cred = socket::peer_credentials(&conn)
            .filter(|_| matches!(peer_name, Addr::Unix { .. }))
            .map(Credentials::from);
        // Refused before a byte is read; the next peer may do better.
        if let Err(why) = access.check(&peer_name, cred) {
            reporter.report(Event::Refused {
                peer: &peer_name,
                credentials: cred,
                reason: why.to_string(),
            });
            continue;
        }
        reporter.report(Event::Accepted {
            peer: &peer_name,
            credentials: cred,
        });
        break (conn, peer_name);
    };
    // One peer: stop accepting, so later clients are refused rather than queued.
    drop(listener.fd);
    let mut peer = Peer {
        fd: &conn,
        kind: listener.kind,
        name: peer_name,
        adopt: relay::Adopt::Fixed,
        admit: None,
    };
    relay::session(&mut peer, opts, signals, reporter, dump.as_mut())?;
    Ok(0)
}

/// ADDR and the words of `-e`. Every word after `-e` is the command's, so
/// when ADDR did not come before `-e` the last word is ADDR
/// (`listen -k -e cat unix:/x`).
fn split_exec(args: &ListenArgs) -> anyhow::Result<(&str, Option<&[String]>)> {
    match (&args.addr, args.exec.as_deref()) {
        (Some(addr), exec) => Ok((addr, exec)),
        (None, Some([prog, words @ .., addr])) if !prog.is_empty() => {
            let exec = &args.exec.as_deref().unwrap_or_default()[..words.len() + 1];
            Ok((addr, Some(exec)))
        }
        _ => Err(usage!(
            "listen: no ADDR (give it before -e, or as the last word after -e PROG)"
        )),
    }
}

/// `--mode`, `--owner`, `--group` and `--unlink` are about the socket file
/// sockcat creates, so they need a Unix path to bind: not an IP address,
/// an abstract name (no file) or an inherited socket (not ours to change).
fn check_file_flags(args: &ListenArgs, addr: &Addr) -> anyhow::Result<()> {
    if matches!(
        addr,
        Addr::Unix {
            name: UnixName::Path(_),
            ..
        }
    ) {
        return Ok(());
    }
    let given = [
        ("--mode", args.mode.is_some()),
        ("--owner", args.owner.is_some()),
        ("--group", args.group.is_some()),
        ("--unlink", args.unlink),
    ];
    match given.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(usage!("{flag} needs a Unix socket path, not {addr}")),
        None => Ok(()),
    }
}

/// What the server flags cannot mean on this listener (`local`, of `kind`)
/// is exit 2.
fn check_server_flags(
    args: &ListenArgs,
    settings: &server::Settings,
    local: &Addr,
    kind: Kind,
) -> anyhow::Result<()> {
    settings.access.check_fits(local)?;
    if kind == Kind::Datagram {
        let what = if settings.program.is_some() {
            Some("-e and -c need")
        } else if args.broker {
            Some("--broker needs")
        } else if args.serve.max_conns.is_some() {
            Some("-m counts connections and needs")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(usage!("{what} a stream or seqpacket listener, not {local}"));
        }
    }
    Ok(())
}

/// `-w` ran out before a peer came: a timeout (the `timeout` event), for
/// the one-peer listener and the server alike.
pub fn no_peer(local: &Addr, waited: Option<std::time::Duration>) -> anyhow::Error {
    let waited = waited
        .map(|d| humantime::format_duration(d).to_string())
        .unwrap_or_default();
    TimedOut(format!("listen {local}: no peer within {waited}")).into()
}

/// Bind `addr` for listening: each resolved address in order (`[::]` then
/// `0.0.0.0` for all interfaces), stream sockets put in the listening state.
pub fn bind(addr: &Addr, args: &ListenArgs) -> anyhow::Result<Listener> {
    if let Addr::Fd(n) = addr {
        let (fd, kind, family) = socket::inherited(*n, "listen")?;
        // (Whatever was queued before this carries no credentials.)
        ask_for_credentials(&fd, args, family, kind, addr)?;
        if kind != Kind::Datagram && !socket::is_listening(&fd) {
            socket::listen(&fd, args.backlog).map_err(|e| Failure::new("listen on", addr, e))?;
        }
        let local = socket::local_addr(&fd)
            .map(|sa| Addr::from_sockaddr(kind, &sa))
            .unwrap_or_else(|_| addr.clone());
        return Ok(Listener {
            fd,
            kind,
            local,
            _file: None,
        });
    }
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let mut last = None;
    for target in socket::resolve(addr)? {
        let fd = socket::open(target.family, kind)
            .map_err(|e| Failure::new("open a socket for", addr, e))?;
        socket::apply_options(&fd, &args.sock, target.family, kind, addr)?;
        ask_for_credentials(&fd, args, target.family, kind, addr)?;
        let file = match target.family {
            AddressFamily::Unix => {
                let wants_perms =
                    args.mode.is_some() || args.owner.is_some() || args.group.is_some();
                let file = SocketFile::bind(&fd, target, addr, args.unlink, wants_perms)?;
                if let Some(file) = &file {
                    file.set_permissions(args, addr)?;
                }
                file
            }
            family => {
                if kind == Kind::Stream {
                    nixsock::setsockopt(&fd, sockopt::ReuseAddr, &true)?;
                }
                if family == AddressFamily::Inet6 {
                    // Dual-stack for `[::]`; an explicit v6 address is v6 only by nature.
                    let _ = nixsock::setsockopt(&fd, sockopt::Ipv6V6Only, &false);
                }
                if let Err(e) = socket::bind(&fd, &target) {
                    last = Some(Failure::new(
                        "listen",
                        target
                            .sockaddr
                            .ip_addr(kind)
                            .unwrap_or_else(|| addr.clone()),
                        e,
                    ));
                    continue;
                }
                None
            }
        };
        if kind != Kind::Datagram {
            socket::listen(&fd, args.backlog).map_err(|e| Failure::new("listen on", addr, e))?;
        }
        let local = match (&file, socket::local_addr(&fd)) {
            (None, Ok(sa)) if matches!(addr, Addr::Inet { .. }) => Addr::from_sockaddr(kind, &sa),
            _ => addr.clone(),
        };
        return Ok(Listener {
            fd,
            kind,
            local,
            _file: file,
        });
    }
    Err(last
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("listen {addr}: no address to bind")))
}

/// A Unix datagram listener that admits senders by credentials asks for
/// them (`SO_PASSCRED`) before it is bound, so that every datagram it can
/// receive carries its sender's. The kernel records them at send time only
/// when one side has asked; a datagram sent before that has none, and is
/// reported as coming from the overflow uid and gid (65534, nobody), which
/// `--allow-uid 65534` would admit whoever sent it.
fn ask_for_credentials(
    fd: &OwnedFd,
    args: &ListenArgs,
    family: AddressFamily,
    kind: Kind,
    addr: &Addr,
) -> anyhow::Result<()> {
    let by_credentials = !args.serve.allow_uid.is_empty() || !args.serve.allow_gid.is_empty();
    if family == AddressFamily::Unix && kind == Kind::Datagram && by_credentials {
        nixsock::setsockopt(fd, sockopt::PassCred, &true)
            .map_err(|e| Failure::new("ask for credentials on", addr, e))?;
    }
    Ok(())
}

/// A Unix socket file this process created. On drop it is removed, but only
/// if the file at the path is still the one we bound (same device and
/// inode), so we never remove a file someone else put there.
pub struct SocketFile {
    path: UnixPath,
    dev: u64,
    ino: u64,
}

impl SocketFile {
    /// Bind `fd` to `target`. For a filesystem path, first deal with what is
    /// already there: nothing is fine; a stale socket goes only with
    /// `unlink`; a live socket or any other file stops us. Abstract names
    /// leave no file (`None`).
    /// With `private`, the file is born with mode 0 (umask 0777 around the
    /// bind), so that no unprivileged peer can connect or send before
    /// `set_permissions` has run.
    pub fn bind(
        fd: &OwnedFd,
        target: Target,
        addr: &Addr,
        unlink: bool,
        private: bool,
    ) -> anyhow::Result<Option<SocketFile>> {
        let Some(path) = &target.unix else {
            socket::bind(fd, &target).map_err(|e| Failure::new("bind", addr, e))?;
            return Ok(None);
        };
        clear_the_way(path, &target, addr, unlink)?;
        let saved = private.then(|| umask(Mode::from_bits_truncate(0o777)));
        let bound = socket::bind(fd, &target);
        if let Some(saved) = saved {
            umask(saved);
        }
        bound.map_err(|e| Failure::new("bind", addr, e))?;
        let stat = path.stat().map_err(|e| Failure::new("stat", addr, e))?;
        let Some(path) = target.unix else {
            unreachable!("checked above")
        };
        Ok(Some(SocketFile {
            path,
            dev: stat.st_dev,
            ino: stat.st_ino,
        }))
    }

    /// `--owner`, `--group`, `--mode`, applied after bind and before
    /// `listen(2)`, so no peer can connect while they are wrong.
    fn set_permissions(&self, args: &ListenArgs, addr: &Addr) -> anyhow::Result<()> {
        if args.mode.is_none() && args.owner.is_none() && args.group.is_none() {
            return Ok(());
        }
        let uid = args.owner.as_deref().map(user_id).transpose()?;
        let gid = args.group.as_deref().map(group_id).transpose()?;
        if uid.is_some() || gid.is_some() {
            self.path
                .chown(uid, gid)
                .map_err(|e| Failure::new("chown", addr, e))?;
        }
        let mode = args.mode.unwrap_or_else(default_mode);
        self.path
            .chmod(mode)
            .map_err(|e| Failure::new("chmod", addr, e))?;
        Ok(())
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Ok(stat) = self.path.stat()
            && stat.st_dev == self.dev
            && stat.st_ino == self.ino
        {
            let _ = self.path.unlink();
        }
    }
}

fn clear_the_way(
    path: &UnixPath,
    target: &Target,
    addr: &Addr,
    unlink: bool,
) -> anyhow::Result<()> {
    let stat = match path.stat() {
        Err(Errno::ENOENT) => return Ok(()),
        Err(e) => return Err(Failure::new("stat", addr, e).into()),
        Ok(stat) => stat,
    };
    if !socket::is_socket(&stat) {
        let what = socket::file_type(&stat).unwrap_or("a file that is not a socket");
        return Err(usage!(
            "listen {addr}: {what} is in the way; not removing it"
        ));
    }
    // Someone accepting on it answers a connect; a stale file refuses.
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let probe = socket::open(AddressFamily::Unix, kind)?;
    let answer = nixsock::connect(
        std::os::fd::AsRawFd::as_raw_fd(&probe),
        target.sockaddr.as_dyn(),
    );
    match answer {
        Err(Errno::ECONNREFUSED) if unlink => {
            path.unlink()
                .map_err(|e| Failure::new("remove stale socket", addr, e))?;
            Ok(())
        }
        Err(Errno::ECONNREFUSED) => Err(anyhow::anyhow!(
            "listen {addr}: a stale socket file is in the way (nobody accepts on it); --unlink removes it"
        )),
        Err(Errno::EPROTOTYPE) => Err(anyhow::anyhow!(
            "listen {addr}: in use by a socket of another type"
        )),
        _ => Err(anyhow::anyhow!(
            "listen {addr}: address in use (someone accepts on it)"
        )),
    }
}

/// The mode a socket file gets without `--mode`: 0777 less the umask.
fn default_mode() -> u32 {
    let mask = umask(Mode::from_bits_truncate(0o022));
    umask(mask);
    0o777 & !mask.bits()
}

fn user_id(name: &str) -> anyhow::Result<Uid> {
    if let Ok(n) = name.parse() {
        return Ok(Uid::from_raw(n));
    }
    match User::from_name(name) {
        Ok(Some(user)) => Ok(user.uid),
        _ => Err(usage!(
            "--owner {}: no such user",
            crate::error::quote(name.as_bytes())
        )),
    }
}

fn group_id(name: &str) -> anyhow::Result<Gid> {
    if let Ok(n) = name.parse() {
        return Ok(Gid::from_raw(n));
    }
    match Group::from_name(name) {
        Ok(Some(group)) => Ok(group.gid),
        _ => Err(usage!(
            "--group {}: no such group",
            crate::error::quote(name.as_bytes())
        )),
    }
}

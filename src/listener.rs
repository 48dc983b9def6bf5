//! A bound socket waiting for peers, and how it is bound: each resolved
//! address in order, the Unix socket file through `socket_file`, stream
//! sockets put in the listening state. The `listen` verb and the
//! many-peer `server` both take their `Listener` from here.

use std::os::fd::OwnedFd;
use std::time::Duration;

use nix::sys::socket::AddressFamily;

use crate::addr::{Addr, Kind};
use crate::error::Failure;
use crate::report::TimedOut;
use crate::socket;
use crate::socket_file::{Permissions, SocketFile};

/// How a listening socket is bound.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connections not yet accepted (the kernel caps it at `net.core.somaxconn`).
    pub backlog: i32,
    /// Remove a stale socket file at the path first.
    pub unlink: bool,
    /// The socket file's mode and owner, set before `listen(2)`.
    pub permissions: Permissions,
    pub socket: socket::Options,
}

/// A bound socket waiting for peers.
pub struct Listener {
    pub fd: OwnedFd,
    pub kind: Kind,
    /// The canonical local address (the real port when 0 was asked).
    pub local: Addr,
    pub _file: Option<SocketFile>,
}

/// `-w` ran out before a peer came: a timeout (the `timeout` event), for
/// the one-peer listener and the server alike.
pub fn no_peer(local: &Addr, waited: Option<Duration>) -> anyhow::Error {
    let waited = waited
        .map(|d| humantime::format_duration(d).to_string())
        .unwrap_or_default();
    TimedOut(format!("listen {local}: no peer within {waited}")).into()
}

/// Bind `addr` for listening: each resolved address in order (`[::]` then
/// `0.0.0.0` for all interfaces), stream sockets put in the listening state.
pub fn bind(addr: &Addr, opts: &Options) -> anyhow::Result<Listener> {
    if let Addr::Fd(n) = addr {
        let (fd, kind, family) = socket::inherited(*n, "listen")?;
        // (Whatever was queued before this carries no credentials.)
        ask_for_credentials(&fd, family, kind, addr)?;
        if kind != Kind::Datagram && !socket::is_listening(&fd) {
            socket::listen(&fd, opts.backlog).map_err(|e| Failure::new("listen on", addr, e))?;
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
        socket::apply_options(&fd, &opts.socket, target.family, kind, addr)?;
        ask_for_credentials(&fd, target.family, kind, addr)?;
        let file = match target.family {
            AddressFamily::Unix => {
                let perms = &opts.permissions;
                let file = SocketFile::bind(&fd, target, addr, opts.unlink, perms.any())?;
                if let Some(file) = &file {
                    file.set_permissions(perms, addr)?;
                }
                file
            }
            family => {
                if kind == Kind::Stream {
                    socket::reuse_address(&fd)?;
                }
                if family == AddressFamily::Inet6 {
                    // Dual-stack for `[::]`; an explicit v6 address is v6 only by nature.
                    let _ = socket::dual_stack(&fd);
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
            socket::listen(&fd, opts.backlog).map_err(|e| Failure::new("listen on", addr, e))?;
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

/// A Unix datagram listener asks for its senders' credentials
/// (`SO_PASSCRED`) before it is bound, so that every datagram it can
/// receive carries them: `-v` names who sent, and `--allow-uid`/
/// `--allow-gid` admit by them. The kernel records them at send time only
/// when one side has asked; a datagram sent before that has none, and is
/// reported as coming from the overflow uid and gid (65534, nobody), which
/// `--allow-uid 65534` would admit whoever sent it.
fn ask_for_credentials(
    fd: &OwnedFd,
    family: AddressFamily,
    kind: Kind,
    addr: &Addr,
) -> anyhow::Result<()> {
    if family == AddressFamily::Unix && kind == Kind::Datagram {
        socket::pass_credentials(fd)
            .map_err(|e| Failure::new("ask for credentials on", addr, e))?;
    }
    Ok(())
}

//! The Unix socket file lifecycle: what may stand at the path before we
//! bind (nothing, or a stale socket we may remove with `--unlink`; never a
//! live socket or a file that is not a socket), mode and ownership set
//! before anyone can connect, and removal of exactly the file we created.
//! `listener` binds listening sockets through it, `dial` a Unix client's
//! reply address (`-s PATH`). Socket calls are `socket.rs`'s.

use std::os::fd::OwnedFd;

use nix::errno::Errno;
use nix::sys::socket::AddressFamily;
use nix::sys::stat::{Mode, umask};
use nix::unistd::{Gid, Group, Uid, User};

use crate::addr::{Addr, Kind};
use crate::error::Failure;
use crate::socket::{self, Target, UnixPath};
use crate::usage;

/// `--mode`, `--owner`, `--group`: what a socket file is given before
/// `listen(2)`. Owner and group are names or numbers, looked up when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    pub mode: Option<u32>,
    pub owner: Option<String>,
    pub group: Option<String>,
}

impl Permissions {
    /// Whether any of them is asked for.
    pub fn any(&self) -> bool {
        self.mode.is_some() || self.owner.is_some() || self.group.is_some()
    }
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
    pub fn set_permissions(&self, perms: &Permissions, addr: &Addr) -> anyhow::Result<()> {
        if !perms.any() {
            return Ok(());
        }
        let uid = perms.owner.as_deref().map(user_id).transpose()?;
        let gid = perms.group.as_deref().map(group_id).transpose()?;
        if uid.is_some() || gid.is_some() {
            self.path
                .chown(uid, gid)
                .map_err(|e| Failure::new("chown", addr, e))?;
        }
        let mode = perms.mode.unwrap_or_else(default_mode);
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
    match socket::start_connect(&probe, target) {
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

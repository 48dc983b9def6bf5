//! `listen -e`/`-c`: one child per peer, the socket as its stdin and stdout.
//! Children are started with `posix_spawn` (no fork of our address space, no
//! `unsafe`), with the signal mask and dispositions a fresh process expects,
//! and reaped from the server loop when SIGCHLD arrives on the signal
//! descriptor. What the peer is goes into the child's environment.

use std::ffi::{CString, OsStr, OsString};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::spawn::{
    PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawn, posix_spawnp,
};
use nix::sys::signal::{SigSet, Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::access::Credentials;
use crate::addr::Addr;
use crate::error::quote;
use crate::socket;
use crate::usage;

/// The variables a child learns its peer from; inherited ones are removed.
const VARIABLES: [&str; 5] = [
    "SOCKCAT_PEER",
    "SOCKCAT_LOCAL",
    "SOCKCAT_PEER_PID",
    "SOCKCAT_PEER_UID",
    "SOCKCAT_PEER_GID",
];

/// What to run for each peer.
pub struct Program {
    path: CString,
    argv: Vec<CString>,
    /// `-e PROG` without a slash is looked up in PATH, as execvp does.
    search: bool,
    /// Our environment less the SOCKCAT_ variables, made once.
    env: Vec<CString>,
    /// For messages: what the user typed.
    shown: String,
}

impl Program {
    /// `-e PROG ARGS…` (no shell) or `-c CMD` (through `/bin/sh -c`). A
    /// program that cannot be found is exit 2 before anything is bound.
    pub fn new(exec: Option<&[String]>, sh: Option<&str>) -> anyhow::Result<Option<Program>> {
        let (words, search): (Vec<&str>, bool) = match (exec, sh) {
            (Some(words), _) => {
                let search = !words[0].contains('/');
                (words.iter().map(String::as_str).collect(), search)
            }
            (None, Some(cmd)) => (vec!["/bin/sh", "-c", cmd], false),
            (None, None) => return Ok(None),
        };
        let shown = quote(words.join(" ").as_bytes());
        let argv = words
            .iter()
            .map(|w| CString::new(*w))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| usage!("-e {shown}: a NUL byte in the command"))?;
        let path = argv[0].clone();
        if !found(OsStr::from_bytes(path.as_bytes()), search) {
            return Err(usage!(
                "exec {}: no such program{}",
                quote(path.as_bytes()),
                if search { " in PATH" } else { "" }
            ));
        }
        let env = std::env::vars_os()
            .filter(|(key, _)| !VARIABLES.iter().any(|v| OsStr::new(v) == key))
            .filter_map(|(key, value)| variable(&key, &value))
            .collect();
        Ok(Some(Program {
            path,
            argv,
            search,
            env,
            shown,
        }))
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Start the program for one peer, accepted on the listener at
    /// `listener`. The socket becomes the child's stdin and stdout (blocking
    /// again: the flag is shared with our descriptor, which we only keep in
    /// order to close the peer when the child exits).
    pub fn spawn(
        &self,
        sock: &OwnedFd,
        peer: &Addr,
        listener: &Addr,
        cred: Option<Credentials>,
    ) -> nix::Result<Pid> {
        let flags = OFlag::from_bits_truncate(fcntl(sock, FcntlArg::F_GETFL)?);
        fcntl(sock, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
        let mut actions = PosixSpawnFileActions::init()?;
        actions.add_dup2(sock.as_raw_fd(), 0)?;
        actions.add_dup2(sock.as_raw_fd(), 1)?;
        let mut attr = PosixSpawnAttr::init()?;
        // We block SIGINT, SIGTERM and SIGCHLD and Rust ignores SIGPIPE; a
        // child must start with neither, or `cat` would not die of a closed
        // pipe nor of Ctrl-C.
        attr.set_sigmask(&SigSet::empty())?;
        let mut defaults = SigSet::empty();
        for signal in [
            Signal::SIGPIPE,
            Signal::SIGINT,
            Signal::SIGTERM,
            Signal::SIGCHLD,
        ] {
            defaults.add(signal);
        }
        attr.set_sigdefault(&defaults)?;
        attr.set_flags(
            PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK | PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF,
        )?;
        let mut env = self.env.clone();
        let mut set = |key: &str, value: String| {
            if let Ok(var) = CString::new(format!("{key}={value}")) {
                env.push(var);
            }
        };
        // Display escapes what a peer controls (a Unix path it bound).
        set("SOCKCAT_PEER", peer.to_string());
        set("SOCKCAT_LOCAL", socket::reached(sock, listener).to_string());
        if let Some(cred) = cred {
            set("SOCKCAT_PEER_PID", cred.pid.to_string());
            set("SOCKCAT_PEER_UID", cred.uid.to_string());
            set("SOCKCAT_PEER_GID", cred.gid.to_string());
        }
        if self.search {
            posix_spawnp(&self.path, &actions, &attr, &self.argv, &env)
        } else {
            posix_spawn(self.path.as_c_str(), &actions, &attr, &self.argv, &env)
        }
    }
}

fn variable(key: &OsStr, value: &OsStr) -> Option<CString> {
    let mut bytes = OsString::from(key).into_vec();
    bytes.push(b'=');
    bytes.extend_from_slice(value.as_bytes());
    CString::new(bytes).ok()
}

/// Whether `program` can be run: a path as is, a bare name through PATH.
fn found(program: &OsStr, search: bool) -> bool {
    let runnable =
        |p: &Path| nix::unistd::access(p, nix::unistd::AccessFlags::X_OK).is_ok() && !p.is_dir();
    if !search {
        return runnable(Path::new(program));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path).any(|dir| runnable(&dir.join(program)))
}

/// Collect every child that has exited, without blocking.
pub fn reap() -> Vec<(Pid, WaitStatus)> {
    let mut done = Vec::new();
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => break,
            Ok(status) => {
                if let Some(pid) = status.pid()
                    && matches!(status, WaitStatus::Exited(..) | WaitStatus::Signaled(..))
                {
                    done.push((pid, status));
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        }
    }
    done
}

/// How a child ended, in words.
pub fn describe(status: &WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited with status {code}"),
        WaitStatus::Signaled(_, signal, _) => format!("killed by {signal}"),
        other => format!("{other:?}"),
    }
}

/// On the way out (an interruption, an error): SIGTERM to every child still
/// running, a moment for them to go, then SIGKILL, and reap them all, so
/// that none is left behind as an orphan or a zombie.
pub fn stop(children: &[Pid]) {
    if children.is_empty() {
        return;
    }
    for &pid in children {
        let _ = kill(pid, Signal::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut left: Vec<Pid> = children.to_vec();
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|&pid| {
            matches!(
                waitpid(pid, Some(WaitPidFlag::WNOHANG)),
                Ok(WaitStatus::StillAlive)
            )
        });
        if !left.is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    for pid in left {
        let _ = kill(pid, Signal::SIGKILL);
        let _ = waitpid(pid, None);
    }
}

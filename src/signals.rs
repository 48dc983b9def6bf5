//! SIGINT and SIGTERM as events: both are blocked at start and read from a
//! signalfd that sits in every poll set, so that cleanup (socket files, child
//! processes) is ordinary code run by `Drop` while the error unwinds.

use std::os::fd::{AsFd, BorrowedFd};
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use crate::error::Failure;

/// The run was interrupted by this signal; maps to exit status 128 + signal.
#[derive(Debug)]
pub struct Interrupted(pub Signal);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}", self.0)
    }
}

impl std::error::Error for Interrupted {}

impl Interrupted {
    /// 130 for SIGINT, 143 for SIGTERM, as shells report them.
    pub fn exit_status(&self) -> u8 {
        128 + self.0 as u8
    }
}

/// The blocked termination signals, readable as a descriptor.
pub struct Signals {
    fd: SignalFd,
}

impl Signals {
    pub fn block() -> anyhow::Result<Signals> {
        let mut set = SigSet::empty();
        set.add(Signal::SIGINT);
        set.add(Signal::SIGTERM);
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None)
            .map_err(|e| Failure::new("block", "SIGINT and SIGTERM", e))?;
        let fd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(|e| Failure::new("open", "a signalfd for SIGINT and SIGTERM", e))?;
        Ok(Signals { fd })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Also read SIGCHLD from the descriptor, for a loop that reaps the
    /// children it spawns. A child must be given an empty signal mask (what
    /// we block, it inherits).
    pub fn watch_children(&self) -> anyhow::Result<()> {
        let mut set = SigSet::empty();
        set.add(Signal::SIGCHLD);
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None)?;
        set.add(Signal::SIGINT);
        set.add(Signal::SIGTERM);
        self.fd.set_mask(&set)?;
        Ok(())
    }

    /// Fails with `Interrupted` when a signal is pending.
    pub fn check(&self) -> anyhow::Result<()> {
        self.take().map(|_| ())
    }

    /// Read every pending signal: `Interrupted` for SIGINT and SIGTERM;
    /// otherwise whether a SIGCHLD came (children to reap; several exits may
    /// have become one signal).
    pub fn take(&self) -> anyhow::Result<bool> {
        let mut children = false;
        while let Ok(Some(info)) = self.fd.read_signal() {
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => children = true,
                Ok(signal) => return Err(Interrupted(signal).into()),
                Err(_) => return Err(Interrupted(Signal::SIGTERM).into()),
            }
        }
        Ok(children)
    }

    /// Wait until `fd` is ready for `events`, the deadline passes (false), or
    /// a signal arrives (an `Interrupted` error). Without `fd` it just pauses.
    pub fn wait(
        &self,
        fd: Option<BorrowedFd<'_>>,
        events: PollFlags,
        deadline: Option<Instant>,
    ) -> anyhow::Result<bool> {
        loop {
            let mut fds = vec![PollFd::new(self.fd(), PollFlags::POLLIN)];
            if let Some(fd) = fd {
                fds.push(PollFd::new(fd, events));
            }
            let timeout = timeout_until(deadline);
            match poll(&mut fds, timeout) {
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(Failure::new("poll", "descriptors", e).into()),
                Ok(_) => {}
            }
            if fds[0].any().unwrap_or(false) {
                self.check()?;
            }
            if fds.get(1).and_then(|f| f.any()).unwrap_or(false) {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
        }
    }
}

/// A poll timeout that ends at `deadline` (rounded up to whole milliseconds,
/// so a wait never returns just before it).
pub fn timeout_until(deadline: Option<Instant>) -> PollTimeout {
    match deadline {
        None => PollTimeout::NONE,
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
        }
    }
}

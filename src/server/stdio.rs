//! The server's stdio ends: stdin read at the pace of the fastest peer and
//! fanned out to all of them, stdout fed one whole peer read at a time. Both
//! are watched by the epoll loop only while there is something to wait for
//! (a regular file or `/dev/null`, which epoll refuses, is just tried).

use std::os::fd::{AsFd, BorrowedFd};
use std::rc::Rc;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollEvent, EpollFlags};

use super::peer::{Chunk, Queue};
use super::{CHUNK, STDIN, STDOUT, Server};
use crate::error::Failure;
use crate::relay::Ending;

impl Server<'_> {
    pub(super) fn wants_stdin(&self) -> bool {
        self.stdin_open && self.hungry > 0
    }

    pub(super) fn arm_stdin(&mut self) -> anyhow::Result<()> {
        let want = self.wants_stdin();
        let event = EpollEvent::new(EpollFlags::EPOLLIN, STDIN);
        self.stdin_end
            .arm(&self.epoll, self.stdin.as_fd(), want, event, "stdin")
    }

    /// One read of stdin, fanned out to every peer. False when stdin has
    /// nothing now.
    pub(super) fn read_stdin(&mut self) -> anyhow::Result<bool> {
        let mut buf = std::mem::take(&mut self.scratch);
        // With -C a read may double: it goes into the first third of the
        // scratch buffer, and its CRLF form into the rest.
        let limit = if self.settings.opts.crlf {
            CHUNK / 3
        } else {
            CHUNK
        };
        let result = nix::unistd::read(self.stdin.as_fd(), &mut buf[..limit]);
        let chunk = result.map(|n| -> Chunk {
            if self.settings.opts.crlf {
                let (read, spare) = buf.split_at_mut(limit);
                let written = crate::pump::crlf(&read[..n], spare);
                Rc::from(&spare[..written])
            } else {
                Rc::from(&buf[..n])
            }
        });
        self.scratch = buf;
        match chunk {
            Ok(chunk) if chunk.is_empty() => self.end_stdin().map(|()| false),
            Err(Errno::EBADF) => self.end_stdin().map(|()| false),
            Ok(chunk) => self.fan_out(chunk, None).map(|()| true),
            Err(Errno::EAGAIN | Errno::EINTR) => Ok(false),
            Err(e) => Err(Failure::new("read", "stdin", e).into()),
        }
    }

    /// stdin ended: each peer's write side is shut down once its queue is
    /// sent (not with `--no-shutdown`); peers that only waited for that go.
    pub(super) fn end_stdin(&mut self) -> anyhow::Result<()> {
        self.stdin_open = false;
        if self.stdin_end.armed {
            let _ = self.epoll.delete(self.stdin.as_fd());
            self.stdin_end.armed = false;
        }
        for idx in 0..self.peers.len() {
            if self.peers[idx].is_some() {
                self.settle(idx)?;
            }
        }
        Ok(())
    }

    /// Queue one read for stdout (whole: it is one chunk) and write what can be.
    pub(super) fn print(&mut self, data: Chunk) -> anyhow::Result<()> {
        if self.ending.is_some() {
            return Ok(());
        }
        self.out.push(data);
        self.flush_stdout()
    }

    pub(super) fn flush_stdout(&mut self) -> anyhow::Result<()> {
        if self.out.is_empty() || self.ending.is_some() {
            return self.arm_stdout();
        }
        let fd = self.stdout.as_fd();
        match self.out.flush(|bytes| nix::unistd::write(fd, bytes)) {
            Ok(()) | Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(Errno::EPIPE) => {
                self.ending = Some(Ending::StdoutClosed);
                self.out = Queue::default();
            }
            Err(e) => return Err(Failure::new("write", "stdout", e).into()),
        }
        self.arm_stdout()
    }

    pub(super) fn arm_stdout(&mut self) -> anyhow::Result<()> {
        let want = !self.out.is_empty();
        let event = EpollEvent::new(EpollFlags::EPOLLOUT, STDOUT);
        self.stdout_end
            .arm(&self.epoll, self.stdout.as_fd(), want, event, "stdout")
    }
}

/// stdin or stdout: whether epoll can watch it (a regular file or
/// `/dev/null` cannot be, and is always ready) and whether it is watched now.
pub(super) struct StdioEnd {
    pub(super) pollable: bool,
    pub(super) armed: bool,
}

impl StdioEnd {
    pub(super) fn new() -> StdioEnd {
        StdioEnd {
            pollable: true,
            armed: false,
        }
    }

    /// Watch `fd` for `event` while `want`, and stop watching it otherwise.
    fn arm(
        &mut self,
        epoll: &Epoll,
        fd: BorrowedFd<'_>,
        want: bool,
        event: EpollEvent,
        name: &str,
    ) -> anyhow::Result<()> {
        if want == self.armed || !self.pollable {
            return Ok(());
        }
        let result = if want {
            epoll.add(fd, event)
        } else {
            epoll.delete(fd)
        };
        match result {
            Ok(()) => self.armed = want,
            Err(Errno::EPERM) => self.pollable = false,
            Err(e) => return Err(Failure::new("watch", name, e).into()),
        }
        Ok(())
    }
}

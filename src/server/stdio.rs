//! The server's stdio ends: stdin read at the pace of the fastest peer and
//! fanned out to all of them, stdout fed one whole peer read at a time. Both
//! are on the event loop from the start; what it said of them is kept
//! until a read or write finds `EAGAIN`.

use std::os::fd::AsFd;
use std::rc::Rc;

use nix::errno::Errno;

use super::{CHUNK, Server};
use crate::error::Failure;
use crate::pump::{Chunk, Pump, Sink};
use crate::relay::Ending;

impl Server<'_> {
    pub(super) fn wants_stdin(&self) -> bool {
        self.stdin_open && self.hungry > 0
    }

    /// One read of stdin, fanned out to every peer. False when stdin has
    /// nothing now.
    pub(super) fn read_stdin(&mut self) -> anyhow::Result<bool> {
        if self.framer.is_some() {
            return self.read_stdin_framed();
        }
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
            Ok(chunk) => self.fan_out(chunk, 0, None).map(|()| true),
            Err(Errno::EAGAIN) => {
                self.stdin_ready.drained();
                Ok(false)
            }
            Err(Errno::EINTR) => Ok(false),
            Err(e) => Err(Failure::new("read", "stdin", e).into()),
        }
    }

    /// stdin ended: each peer's write side is shut down once its queue is
    /// sent (not with `--no-shutdown`); peers that only waited for that go.
    pub(super) fn end_stdin(&mut self) -> anyhow::Result<()> {
        if self.stdin_open {
            self.events.remove(self.stdin.as_fd());
        }
        self.stdin_open = false;
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

    /// Write what waits for stdout: peers' reads, then (`--frame`) whole
    /// messages in turns.
    pub(super) fn flush_stdout(&mut self) -> anyhow::Result<()> {
        if self.ending.is_some() || !self.stdout_ready.writable {
            return Ok(());
        }
        let fd = self.stdout.as_fd();
        while self.out.holds() {
            match self.out.drain(fd, Sink::Stdio, &mut |_| {}) {
                Ok(_) => {}
                Err(Errno::EINTR) => break,
                Err(Errno::EAGAIN) => {
                    self.stdout_ready.filled();
                    break;
                }
                Err(Errno::EPIPE) => {
                    self.ending = Some(Ending::StdoutClosed);
                    self.out = Pump::chunks();
                }
                Err(e) => return Err(Failure::new("write", "stdout", e).into()),
            }
        }
        self.flush_turns()
    }
}

//! One direction's buffer for the relay: bytes read from one descriptor and
//! not yet written to the other. It lives either in our memory (`read` and
//! `write`, needed whenever we look at the bytes) or in a kernel pipe
//! (`splice`, which moves pages without copying them to user space). Which
//! one a direction uses is `choose`'s decision; a kernel buffer that the
//! kernel refuses (`EINVAL`: an end that cannot splice) falls back to memory
//! on the spot, without losing what it held.

use std::collections::VecDeque;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, SpliceFFlags, fcntl, splice};
use nix::sys::stat::{SFlag, fstat};

/// Bytes per direction: 1 MiB calls are what make loopback TCP fast (16 KiB
/// moves about half of what 256 KiB-1 MiB does), and the most an
/// unprivileged process may grow a pipe to (`/proc/sys/fs/pipe-max-size`).
pub const CAPACITY: usize = 1 << 20;

/// What a descriptor is, as far as choosing a path goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Pipe,
    Socket,
    File,
    Terminal,
    /// Any other character device (`/dev/null`).
    Device,
    Other,
}

impl End {
    pub fn of(fd: BorrowedFd<'_>) -> End {
        match fstat(fd).map(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT) {
            Ok(SFlag::S_IFIFO) => End::Pipe,
            Ok(SFlag::S_IFSOCK) => End::Socket,
            Ok(SFlag::S_IFREG) => End::File,
            Ok(SFlag::S_IFCHR) if nix::unistd::isatty(fd).unwrap_or(false) => End::Terminal,
            Ok(SFlag::S_IFCHR) => End::Device,
            _ => End::Other,
        }
    }
}

/// The route a direction's bytes take: through our memory, or spliced
/// through a kernel pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Copy,
    Splice,
}

impl Route {
    pub fn name(self) -> &'static str {
        match self {
            Route::Copy => "copy",
            Route::Splice => "splice",
        }
    }
}

/// The route `SOCKCAT_RELAY=copy|splice` forces, if it is set; any other
/// value is a usage error rather than a silent default.
pub fn forced_route() -> anyhow::Result<Option<Route>> {
    match std::env::var_os("SOCKCAT_RELAY") {
        None => Ok(None),
        Some(v) if v == "copy" => Ok(Some(Route::Copy)),
        Some(v) if v == "splice" => Ok(Some(Route::Splice)),
        Some(v) => Err(crate::usage!(
            "SOCKCAT_RELAY={}: expected copy or splice",
            crate::error::escape(std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()))
        )),
    }
}

/// The fastest path for a stream between a stdio end and a socket, as
/// measured by `bench/run`: splice through a pipe of our own, whatever the
/// ends are (files, pipes, sockets, `/dev/null`: on loopback TCP it moved
/// 4-5 times what 1 MiB read/write calls did); plain copies for a terminal,
/// where bytes come a line at a time anyway. The environment variable
/// `SOCKCAT_RELAY=copy|splice` overrides the choice (for tests and for
/// measuring).
pub fn choose(stdio: End) -> Route {
    match stdio {
        End::Terminal => Route::Copy,
        _ => Route::Splice,
    }
}

/// How bytes leave the buffer: sockets get `send(MSG_NOSIGNAL)`, so a peer
/// that went away is an `EPIPE` error and never a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    Socket,
    Stdio,
}

pub enum Buffer {
    Memory(Memory),
    Kernel(Kernel),
    Chunks(Chunks),
}

impl Buffer {
    /// A buffer for `path`; a kernel pipe that cannot be made gives memory.
    pub fn new(route: Route, capacity: usize) -> Buffer {
        match route {
            Route::Splice => Pipe::new(capacity).map_or_else(
                |_| Buffer::Memory(Memory::new(capacity)),
                |pipe| Buffer::Kernel(Kernel::new(pipe)),
            ),
            Route::Copy => Buffer::Memory(Memory::new(capacity)),
        }
    }

    /// A kernel buffer on `pipe`.
    pub fn spliced(pipe: Pipe) -> Buffer {
        Buffer::Kernel(Kernel::new(pipe))
    }

    /// A kernel buffer's pipe, if nothing is left in it.
    pub fn into_pipe(self) -> Option<Pipe> {
        match self {
            Buffer::Kernel(k) => k.into_pipe(),
            Buffer::Memory(_) | Buffer::Chunks(_) => None,
        }
    }

    /// A kernel buffer may grow its pipe to `most` bytes when it keeps
    /// filling up.
    pub fn grow_to(&mut self, most: usize) {
        if let Buffer::Kernel(k) = self {
            k.most = most.max(k.pipe.capacity);
        }
    }

    pub fn route(&self) -> Route {
        match self {
            Buffer::Memory(_) | Buffer::Chunks(_) => Route::Copy,
            Buffer::Kernel(_) => Route::Splice,
        }
    }

    pub fn capacity(&self) -> usize {
        match self {
            Buffer::Memory(m) => m.capacity(),
            Buffer::Kernel(k) => k.pipe.capacity,
            Buffer::Chunks(_) => usize::MAX,
        }
    }

    /// Bytes held.
    pub fn held(&self) -> usize {
        match self {
            Buffer::Memory(m) => m.data().len(),
            Buffer::Kernel(k) => k.len,
            Buffer::Chunks(c) => c.bytes,
        }
    }

    pub fn pending(&self) -> bool {
        match self {
            Buffer::Memory(m) => m.pending(),
            Buffer::Kernel(k) => k.len > 0,
            Buffer::Chunks(c) => !c.chunks.is_empty(),
        }
    }

    pub fn has_room(&self) -> bool {
        match self {
            Buffer::Memory(m) => m.end < m.data.len() || m.start > 0,
            Buffer::Kernel(k) => k.len < k.pipe.capacity && !k.stalled,
            // Its owner bounds it: chunks are pushed, never read into it.
            Buffer::Chunks(_) => false,
        }
    }

    pub fn is_kernel(&self) -> bool {
        matches!(self, Buffer::Kernel(_))
    }

    /// Take what `from` has, up to the room left, showing a memory
    /// buffer's new bytes to `seen` (the hex dump). `Ok(0)` is end of
    /// input; `EAGAIN` means `from` has nothing now.
    pub fn fill_seen(
        &mut self,
        from: BorrowedFd<'_>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        if let Buffer::Kernel(k) = self {
            match k.fill(from) {
                Err(Errno::EINVAL) => self.fall_back()?,
                other => return other,
            }
        }
        let Buffer::Memory(m) = self else {
            unreachable!("chunks are pushed, not read; a kernel buffer fell back to memory")
        };
        m.compact();
        let end = m.end;
        let n = nix::unistd::read(from, &mut m.data[end..])?;
        m.end += n;
        if n > 0 {
            seen(&m.data[end..end + n]);
        }
        Ok(n)
    }

    /// `fill_seen` while `from` has TCP urgent data: a splice stops at the
    /// urgent mark and then finds nothing (`EAGAIN`) with the rest of the
    /// stream queued behind it, where read(2) steps over the urgent byte,
    /// which is not part of the stream (as nc and socat, reading, also
    /// drop it). A kernel buffer is filled by reading, then, into its pipe.
    pub fn fill_urgent(
        &mut self,
        from: BorrowedFd<'_>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        match self {
            Buffer::Kernel(k) => k.fill_by_read(from),
            _ => self.fill_seen(from, seen),
        }
    }

    /// Write what is pending to `to`, showing the bytes a memory buffer
    /// wrote to `seen`; `EAGAIN` means `to` is full now.
    pub fn drain_seen(
        &mut self,
        to: BorrowedFd<'_>,
        sink: Sink,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        if let Buffer::Kernel(k) = self {
            match k.drain(to) {
                Err(Errno::EINVAL) => self.fall_back()?,
                other => return other,
            }
        }
        if let Buffer::Chunks(c) = self {
            let n = write(to, sink, c.front())?;
            seen(&c.front()[..n]);
            c.consume(n);
            return Ok(n);
        }
        let Buffer::Memory(m) = self else {
            unreachable!("fell back to memory")
        };
        let n = write(to, sink, m.data())?;
        seen(&m.data()[..n]);
        m.consume(n);
        Ok(n)
    }

    /// Switch to memory, moving whatever the kernel pipe holds.
    fn fall_back(&mut self) -> nix::Result<()> {
        let Buffer::Kernel(k) = self else {
            return Ok(());
        };
        let mut memory = Memory::new(CAPACITY.max(k.pipe.capacity));
        while k.len > 0 {
            let end = memory.end;
            let n = nix::unistd::read(&k.pipe.read_end, &mut memory.data[end..])?;
            if n == 0 {
                break;
            }
            memory.end += n;
            k.len -= n;
        }
        *self = Buffer::Memory(memory);
        Ok(())
    }
}

/// One vectored write of `parts` less their first `skip` bytes (what an
/// earlier partial write took): a framed message's prefix, body and
/// trailer go out together without being copied together.
pub fn write_parts(
    to: BorrowedFd<'_>,
    sink: Sink,
    parts: &[&[u8]],
    mut skip: usize,
) -> nix::Result<usize> {
    let mut slices = Vec::with_capacity(parts.len());
    for part in parts {
        if skip >= part.len() {
            skip -= part.len();
            continue;
        }
        slices.push(std::io::IoSlice::new(&part[skip..]));
        skip = 0;
    }
    match sink {
        Sink::Socket => crate::socket::send_parts(to, &slices),
        Sink::Stdio => nix::sys::uio::writev(to, &slices),
    }
}

fn write(to: BorrowedFd<'_>, sink: Sink, bytes: &[u8]) -> nix::Result<usize> {
    match sink {
        Sink::Socket => crate::socket::send(to, bytes),
        Sink::Stdio => nix::unistd::write(to, bytes),
    }
}

/// A piece of what one source gave, shared by every sink it is queued for:
/// stdin is read once whatever the number of peers.
pub type Chunk = Rc<[u8]>;

/// Shared chunks waiting for one sink, the front one partly written. An
/// empty queue holds no allocation, so an idle peer costs nothing here.
#[derive(Default)]
pub struct Chunks {
    chunks: VecDeque<Chunk>,
    head: usize,
    bytes: usize,
}

impl Chunks {
    pub fn push(&mut self, chunk: Chunk) {
        if !chunk.is_empty() {
            self.bytes += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    fn front(&self) -> &[u8] {
        self.chunks.front().map_or(&[], |c| &c[self.head..])
    }

    fn consume(&mut self, n: usize) {
        self.head += n;
        self.bytes -= n;
        if self.chunks.front().is_some_and(|c| self.head == c.len()) {
            self.chunks.pop_front();
            self.head = 0;
            if self.chunks.is_empty() {
                self.chunks = VecDeque::new();
            }
        }
    }
}

/// Bytes `start..end` of `data` are pending.
pub struct Memory {
    data: Vec<u8>,
    start: usize,
    end: usize,
    /// `data[start..scanned]` holds no newline: a line being read in many
    /// pieces is searched once, not once a piece (a 16 MiB line would be
    /// quadratic).
    scanned: std::cell::Cell<usize>,
}

impl Memory {
    pub fn new(capacity: usize) -> Memory {
        // Zeroed allocation: pages are only touched (and resident) once used.
        Memory {
            data: vec![0; capacity],
            start: 0,
            end: 0,
            scanned: std::cell::Cell::new(0),
        }
    }

    pub fn pending(&self) -> bool {
        self.start < self.end
    }

    pub fn full(&self) -> bool {
        self.start == 0 && self.end == self.data.len()
    }

    pub fn data(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    pub fn capacity(&self) -> usize {
        self.data.len()
    }

    /// The free space after the pending bytes, to read into; `commit` says
    /// how much was.
    pub fn spare(&mut self) -> &mut [u8] {
        self.compact();
        &mut self.data[self.end..]
    }

    pub fn commit(&mut self, n: usize) {
        self.end += n;
    }

    pub fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        self.scanned
            .set(self.scanned.get().max(self.start).min(self.end));
    }

    /// Where the first newline of the pending bytes is, counted from their
    /// start.
    pub fn newline(&self) -> Option<usize> {
        let from = self.scanned.get().max(self.start);
        match self.data[from..self.end].iter().position(|&b| b == b'\n') {
            Some(i) => Some(from + i - self.start),
            None => {
                self.scanned.set(self.end);
                None
            }
        }
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.scanned
                .set(self.scanned.get().saturating_sub(self.start));
            self.end -= self.start;
            self.start = 0;
        }
    }
}

/// A pipe of our own, non-blocking at both ends, and the size it has.
pub struct Pipe {
    read_end: OwnedFd,
    write_end: OwnedFd,
    capacity: usize,
}

impl Pipe {
    /// A pipe of `capacity` bytes, or of what the kernel allows.
    pub fn new(capacity: usize) -> nix::Result<Pipe> {
        let (read_end, write_end) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
        let capacity = grow_pipe(write_end.as_fd(), capacity).unwrap_or(64 * 1024);
        Ok(Pipe {
            read_end,
            write_end,
            capacity,
        })
    }
}

/// Empty pipes kept for the next pair: making a pipe, sizing it and
/// closing its two ends were a seventh of the forwarder's CPU for a short
/// connection. Only pipes of the pool's size are kept (one that grew for
/// bulk goes), and only a few, as each holds two descriptors.
pub struct Pipes {
    size: usize,
    free: Vec<Pipe>,
}

impl Pipes {
    const KEPT: usize = 32;

    pub fn new(size: usize) -> Pipes {
        Pipes {
            size,
            free: Vec::new(),
        }
    }

    pub fn take(&mut self) -> nix::Result<Pipe> {
        match self.free.pop() {
            Some(pipe) => Ok(pipe),
            None => Pipe::new(self.size),
        }
    }

    /// Keep an empty pipe for later.
    pub fn give(&mut self, pipe: Pipe) {
        if pipe.capacity == self.size && self.free.len() < Self::KEPT {
            self.free.push(pipe);
        }
    }

    /// Close every pipe kept: the descriptors are wanted elsewhere.
    pub fn clear(&mut self) {
        self.free = Vec::new();
    }
}

/// A pipe between the two ends of a direction; `len` bytes are in it.
pub struct Kernel {
    pipe: Pipe,
    len: usize,
    /// The last fill found the pipe full before our count did (the kernel
    /// counts pipe slots, and a small splice takes a whole one): no room
    /// until a drain moves something.
    stalled: bool,
    /// How large the pipe may grow while it keeps filling (`forward` pairs
    /// start small, so that many idle pairs cost little, and grow when a
    /// pair moves bulk); fills in a row that found it full.
    most: usize,
    full: u8,
}

impl Kernel {
    fn new(pipe: Pipe) -> Kernel {
        Kernel {
            most: pipe.capacity,
            pipe,
            len: 0,
            stalled: false,
            full: 0,
        }
    }

    /// The pipe, if it is empty.
    fn into_pipe(self) -> Option<Pipe> {
        (self.len == 0).then_some(self.pipe)
    }

    /// `EAGAIN` means the source has nothing now: when the pipe still holds
    /// bytes it may instead be the pipe that is full, so the fill reports
    /// success with nothing moved and waits for a drain.
    fn fill(&mut self, from: BorrowedFd<'_>) -> nix::Result<usize> {
        match splice(
            from,
            None,
            &self.pipe.write_end,
            None,
            self.pipe.capacity - self.len,
            flags(),
        ) {
            Ok(n) => {
                self.len += n;
                let capacity = self.pipe.capacity;
                if self.len == capacity && capacity < self.most {
                    self.full += 1;
                    // Full twice over: this direction moves bulk.
                    if self.full >= 2 {
                        self.full = 0;
                        self.pipe.capacity = grow_pipe(self.pipe.write_end.as_fd(), self.most)
                            .unwrap_or(capacity)
                            .max(capacity);
                    }
                }
                Ok(n)
            }
            Err(Errno::EAGAIN) if self.len > 0 => {
                self.stalled = true;
                Err(Errno::EINTR)
            }
            Err(e) => Err(e),
        }
    }

    /// One read(2) into the pipe. Only into an empty pipe, which takes a
    /// write of its size whole however its slots were used; a pipe still
    /// holding bytes stalls the fill until a drain has moved them.
    fn fill_by_read(&mut self, from: BorrowedFd<'_>) -> nix::Result<usize> {
        if self.len > 0 {
            self.stalled = true;
            return Err(Errno::EINTR);
        }
        let mut bytes = [0u8; 64 << 10];
        let room = self.pipe.capacity.min(bytes.len());
        let n = nix::unistd::read(from, &mut bytes[..room])?;
        let mut written = 0;
        while written < n {
            written += nix::unistd::write(&self.pipe.write_end, &bytes[written..n])?;
        }
        self.len += n;
        Ok(n)
    }

    fn drain(&mut self, to: BorrowedFd<'_>) -> nix::Result<usize> {
        let n = splice(&self.pipe.read_end, None, to, None, self.len, flags())?;
        self.len -= n;
        if n > 0 {
            self.stalled = false;
        }
        Ok(n)
    }
}

fn flags() -> SpliceFFlags {
    SpliceFFlags::SPLICE_F_MOVE | SpliceFFlags::SPLICE_F_NONBLOCK
}

/// Grow a pipe to `size` bytes (`F_SETPIPE_SZ`); returns the size it has.
pub fn grow_pipe(fd: BorrowedFd<'_>, size: usize) -> nix::Result<usize> {
    let size = i32::try_from(size).unwrap_or(i32::MAX);
    match fcntl(fd, FcntlArg::F_SETPIPE_SZ(size)) {
        Ok(n) => Ok(n as usize),
        // Past the unprivileged limit: keep what the pipe has.
        Err(_) => fcntl(fd, FcntlArg::F_GETPIPE_SZ).map(|n| n as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};

    /// A pipe goes back to the pool only when it is empty: bytes left in
    /// it would reach the next pair.
    #[test]
    fn only_an_empty_pipe_is_kept() {
        let (a, b) = socketpair(
            AddressFamily::Unix,
            SockType::Stream,
            None,
            SockFlag::SOCK_NONBLOCK,
        )
        .expect("socketpair");
        let mut pipes = Pipes::new(64 << 10);
        let mut buffer = Buffer::spliced(pipes.take().expect("pipe"));
        nix::unistd::write(&a, b"left behind").expect("write");
        assert_eq!(buffer.fill_seen(b.as_fd(), &mut |_| {}), Ok(11));
        assert!(
            buffer.into_pipe().is_none(),
            "a pipe holding bytes is not kept"
        );

        let mut buffer = Buffer::spliced(pipes.take().expect("pipe"));
        nix::unistd::write(&a, b"passed on").expect("write");
        assert_eq!(buffer.fill_seen(b.as_fd(), &mut |_| {}), Ok(9));
        assert_eq!(
            buffer.drain_seen(a.as_fd(), Sink::Socket, &mut |_| {}),
            Ok(9)
        );
        let pipe = buffer.into_pipe().expect("an empty pipe is kept");
        pipes.give(pipe);
        assert_eq!(pipes.free.len(), 1);
    }

    /// A pipe that grew for bulk is not kept: the pool's are all small.
    #[test]
    fn a_grown_pipe_is_not_kept() {
        let mut pipes = Pipes::new(64 << 10);
        let pipe = Pipe::new(256 << 10).expect("pipe");
        pipes.give(pipe);
        assert!(pipes.free.is_empty());
    }
}

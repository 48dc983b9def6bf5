//! One direction of bytes: the single type every session, server, forward
//! pair and datagram session moves data with. A `Pump` holds what was read
//! from its source and not yet written to its sink, in a `Buffer` on its
//! route (a kernel pipe for splice; memory when sockcat must see the
//! bytes; shared chunks when one source feeds many sinks); whether its
//! source may give more; how many bytes (and `--frame` messages) came in
//! and went out; and the transform the bytes go through on the way
//! (`Transform`: `-C`, `--lines` either way, `--frame` either way).
//!
//! Contract: `fill` and `drain` each make one system call's worth of
//! progress and return what the call returned, so the caller, which knows
//! what the descriptors are, decides what `EAGAIN`, an error or an empty
//! read means; `fill` marks the source ended on a stream's end of file.
//! Neither blocks (the descriptors are non-blocking) and neither allocates
//! after `new`. `seen` is shown the bytes as they cross the socket side
//! (the hex dump). Counting and dumping happen here, once, for every user.

use std::os::fd::BorrowedFd;

pub use crate::buffer::Chunk;
pub use crate::buffer::Sink;
use std::collections::VecDeque;

use crate::buffer::{Buffer, Chunks, Memory, Pipe, Route};
use crate::frame::{Collector, DecodeError, EncodeError, Format, Frame};
use crate::socket;

/// The smallest buffer a framing pump gets, whatever `--max-frame` says.
const CAPACITY_MIN: usize = 64 << 10;
/// The most a framing pump's buffer starts with. Up to this, the buffer is
/// one byte past `--max-frame` from the start: zeroed pages of a fresh
/// mapping cost nothing until a long line uses them. A larger limit is not
/// asked of the allocator before a byte comes (terabytes would fail): the
/// buffer grows as lines need it, by doubling, and past 32 MiB (glibc's
/// largest mmap threshold) every size is a fresh mapping of its own, so
/// growing touches no more pages than the line does, and the one it
/// leaves goes back to the kernel.
const FRAMING_START: usize = 64 << 20;

/// What happens to the bytes between source and sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// As they are.
    Plain,
    /// `-C`: each LF becomes CRLF.
    Crlf,
    /// `--lines` towards a message socket: each line, without its newline,
    /// is one message.
    SplitLines,
    /// `--lines` from a message socket: each message is written followed by
    /// a newline unless it ends with one.
    TerminateLines,
    /// `--frame` towards a stream: each line, without its newline, is one
    /// message behind its length prefix (`Framing::Encode` holds how far).
    Frame,
    /// `--frame` from a stream: each whole message is written followed by a
    /// newline (`Framing::Decode` gathers them).
    Unframe,
}

/// The state `--frame` keeps on a pump.
enum Framing {
    Encode {
        format: Format,
        max: usize,
        /// The message being written: its frame and the bytes of the whole
        /// (prefix, body, trailer) already sent.
        current: Option<(Frame, usize)>,
    },
    Decode {
        collector: Collector,
        /// Whole messages waiting for the sink, the front one partly written
        /// (`written` bytes, its newline last).
        ready: VecDeque<Vec<u8>>,
        written: usize,
        /// The stream went wrong; messages before it are still written.
        error: Option<DecodeError>,
    },
}

pub struct Pump {
    buf: Buffer,
    transform: Transform,
    /// The sink keeps message boundaries: each drain is one message, and
    /// (from a message source) each fill is one.
    messages: bool,
    /// The most one read may take when it becomes one message.
    limit: usize,
    /// `-C` reads here first, then expands into the buffer.
    scratch: Vec<u8>,
    /// The source may give more.
    pub open: bool,
    /// Bytes read from the source.
    pub received: u64,
    /// Bytes written to the sink.
    pub sent: u64,
    /// The length of the last message taken, for the hex dump.
    last: usize,
    /// `--frame`: whole messages written to the sink.
    pub whole_messages: u64,
    framing: Option<Framing>,
    /// Why the last drain refused a message (`--frame`: too long).
    refused: Option<EncodeError>,
    /// An unframing pump whose read buffer exists only while it holds
    /// bytes, and this large when it does (0: always there). A server's
    /// peer is unframed so: an idle one costs no buffer.
    on_demand: usize,
}

impl Pump {
    /// A direction on `route` with a buffer of `capacity` bytes. Anything but
    /// plain bytes needs memory, so a transform makes the route `Copy`.
    pub fn new(route: Route, capacity: usize, transform: Transform, messages: bool) -> Pump {
        let looked_at = transform != Transform::Plain || messages;
        let route = if looked_at { Route::Copy } else { route };
        Pump {
            buf: Buffer::new(route, capacity),
            transform,
            messages,
            limit: capacity,
            scratch: if transform == Transform::Crlf {
                vec![0; capacity / 2]
            } else {
                Vec::new()
            },
            open: true,
            received: 0,
            sent: 0,
            last: 0,
            whole_messages: 0,
            framing: None,
            refused: None,
            on_demand: 0,
        }
    }

    /// A direction fed with shared chunks (`push`) rather than read from a
    /// descriptor: one source fanned out to many sinks, or many sources
    /// into one sink, each chunk whole.
    pub fn chunks() -> Pump {
        let mut pump = Pump::new(Route::Copy, 0, Transform::Plain, false);
        pump.buf = Buffer::Chunks(Chunks::default());
        pump
    }

    /// A plain direction spliced through `pipe` (from a `Pipes` pool).
    pub fn spliced(pipe: Pipe) -> Pump {
        let mut pump = Pump::new(Route::Copy, 0, Transform::Plain, false);
        pump.buf = Buffer::spliced(pipe);
        pump
    }

    /// The pump's pipe, for another direction to use, if it holds nothing.
    pub fn into_pipe(self) -> Option<Pipe> {
        self.buf.into_pipe()
    }

    /// Queue a chunk (a `chunks` pump).
    pub fn push(&mut self, chunk: Chunk) {
        let Buffer::Chunks(chunks) = &mut self.buf else {
            unreachable!("only a chunks pump is pushed to")
        };
        self.received += chunk.len() as u64;
        chunks.push(chunk);
    }

    /// Bytes held, not yet written.
    pub fn queued(&self) -> usize {
        self.buf.held()
    }

    /// `--frame` towards a stream: each line of the source becomes a
    /// message in `format`. A line may be as long as `max`, so the buffer
    /// is one byte more than that (or grows to it, `FRAMING_START`), and
    /// the message is never copied: prefix, body and trailer go out in one
    /// vectored write from where the line lies.
    pub fn framing(format: Format, max: usize) -> Pump {
        let capacity = max.saturating_add(1).clamp(CAPACITY_MIN, FRAMING_START);
        let mut pump = Pump::new(Route::Copy, capacity, Transform::Frame, false);
        pump.framing = Some(Framing::Encode {
            format,
            max,
            current: None,
        });
        pump
    }

    /// `--frame` from a stream: whole messages in `format`, each written
    /// followed by a newline, one held at a time so that a slow sink stops
    /// the reading.
    pub fn unframing(format: Format, max: usize, capacity: usize) -> Pump {
        let mut pump = Pump::new(Route::Copy, capacity, Transform::Unframe, false);
        pump.framing = Some(Framing::Decode {
            collector: Collector::new(format, max),
            ready: VecDeque::new(),
            written: 0,
            error: None,
        });
        pump
    }

    /// `unframing`, with a read buffer of `capacity` bytes that is there
    /// only while it holds bytes: many idle peers cost no memory.
    pub fn unframing_on_demand(format: Format, max: usize, capacity: usize) -> Pump {
        let mut pump = Pump::unframing(format, max, 0);
        pump.on_demand = capacity;
        pump
    }

    /// Why the stream being unframed went wrong, once every whole message
    /// before it has been written.
    pub fn unframe_error(&self) -> Option<&DecodeError> {
        match &self.framing {
            Some(Framing::Decode { error, ready, .. }) if ready.is_empty() => error.as_ref(),
            _ => None,
        }
    }

    /// Why a message was refused (`EMSGSIZE` from `drain`).
    pub fn take_refusal(&mut self) -> Option<EncodeError> {
        self.refused.take()
    }

    /// A direction that never runs: no buffer, no pipe, source ended.
    pub fn idle() -> Pump {
        let mut pump = Pump::new(Route::Copy, 0, Transform::Plain, false);
        pump.open = false;
        pump
    }

    /// A spliced direction may grow its pipe to `most` bytes when it keeps
    /// filling (it starts at the capacity it was made with).
    pub fn growing_to(mut self, most: usize) -> Pump {
        self.buf.grow_to(most);
        self
    }

    /// One read may take at most `limit` bytes (a message's largest size).
    pub fn with_limit(mut self, limit: usize) -> Pump {
        self.limit = limit.clamp(1, self.buf.capacity().max(1));
        self
    }

    pub fn route(&self) -> Route {
        self.buf.route()
    }

    /// The sink keeps message boundaries (datagram or seqpacket).
    pub fn keeps_messages(&self) -> bool {
        self.messages
    }

    /// Bytes are held, whole messages or not.
    pub fn holds(&self) -> bool {
        match &self.framing {
            Some(Framing::Decode { ready, .. }) => !ready.is_empty(),
            _ => self.buf.pending(),
        }
    }

    /// Something can be written now: on a message sink with `--lines`, a
    /// whole line (or what is left at the end of input).
    pub fn ready(&self) -> bool {
        if let Some(Framing::Decode { ready, .. }) = &self.framing {
            return !ready.is_empty();
        }
        match &self.buf {
            Buffer::Memory(m) => self.next_chunk(m).is_some(),
            Buffer::Kernel(_) | Buffer::Chunks(_) => self.buf.pending(),
        }
    }

    /// The source should be read now: it may give more and there is room.
    /// A memory buffer is refilled only once written out (one read is one
    /// message, and a plain copy never moves bytes within it), except that
    /// a partial line waits for the rest.
    pub fn wants_fill(&self) -> bool {
        if let Some(Framing::Decode { ready, error, .. }) = &self.framing {
            // One message held at a time: a slow sink stops the reading.
            let room = self.buf.has_room() || (self.on_demand > 0 && !self.buf.pending());
            return self.open && error.is_none() && ready.is_empty() && room;
        }
        let room = self.buf.has_room() || self.grows();
        self.open && room && (!self.ready() || self.buf.is_kernel())
    }

    /// A framing pump's buffer is smaller than the longest line it must
    /// take: a line that fills it is not yet one too long.
    fn grows(&self) -> bool {
        matches!(self.framing, Some(Framing::Encode { max, .. }) if self.buf.capacity() <= max)
    }

    /// A line fills a framing pump's buffer: double it, up to one byte past
    /// `--max-frame` (where a full buffer is a line too long), the line
    /// moved over. The allocation follows the lines that come, not the
    /// limit (see `FRAMING_START`).
    fn grow(&mut self) {
        let Some(Framing::Encode { max, .. }) = self.framing else {
            return;
        };
        let Buffer::Memory(memory) = &self.buf else {
            return;
        };
        if !memory.full() || memory.capacity() > max {
            return;
        }
        let capacity = memory
            .capacity()
            .saturating_mul(2)
            .min(max.saturating_add(1));
        let mut bigger = Memory::new(capacity);
        let held = memory.data();
        bigger.spare()[..held.len()].copy_from_slice(held);
        bigger.commit(held.len());
        self.buf = Buffer::Memory(bigger);
    }

    /// Everything that came in has gone out, and nothing more will come.
    pub fn finished(&self) -> bool {
        match &self.framing {
            Some(Framing::Decode { ready, .. }) => !self.open && ready.is_empty(),
            _ => !self.open && !self.buf.pending(),
        }
    }

    /// Read once from a stream source (stdin, a stream socket). `Ok(0)` is
    /// its end, and marks it so.
    pub fn fill(
        &mut self,
        from: BorrowedFd<'_>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let n = match self.transform {
            Transform::Crlf => self.fill_crlf(from)?,
            Transform::Frame => {
                self.grow();
                self.buf.fill_seen(from, seen)?
            }
            Transform::Unframe => {
                if self.on_demand > 0 && self.buf.capacity() == 0 {
                    self.buf = Buffer::new(Route::Copy, self.on_demand);
                }
                // The dump shows whole messages, as they are written out.
                let n = self.buf.fill_seen(from, &mut |_| {});
                let n = match n {
                    Ok(n) => n,
                    Err(e) => {
                        self.release();
                        return Err(e);
                    }
                };
                if n == 0 {
                    self.open = false;
                }
                self.unframe();
                n
            }
            _ if self.messages => {
                // A line may fill the whole buffer; a read that is one
                // message may not pass the message limit.
                let split = self.transform == Transform::SplitLines;
                let limit = if split { usize::MAX } else { self.limit };
                let read = |spare: &mut [u8]| {
                    let take = limit.min(spare.len());
                    nix::unistd::read(from, &mut spare[..take])
                };
                self.fill_with(read, seen)?
            }
            _ => self.buf.fill_seen(from, seen)?,
        };
        if n == 0 {
            self.open = false;
        }
        self.received += n as u64;
        Ok(n)
    }

    /// `fill` from a socket with TCP urgent data waiting
    /// (`Readiness::urgent`): by read(2), which steps over the urgent byte
    /// where a splice would stop at it.
    pub fn fill_past_urgent(
        &mut self,
        from: BorrowedFd<'_>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        if self.transform != Transform::Plain || self.messages {
            return self.fill(from, seen);
        }
        let n = self.buf.fill_urgent(from, seen)?;
        if n == 0 {
            self.open = false;
        }
        self.received += n as u64;
        Ok(n)
    }

    /// Take one message with `receive`, which writes it into the space it
    /// is given and returns its length (a datagram socket's `recvmsg`, with
    /// whatever sender checks the caller makes). An empty message is not an
    /// end here: only the caller knows whether 0 ends its source.
    pub fn fill_message(
        &mut self,
        receive: impl FnOnce(&mut [u8]) -> nix::Result<usize>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let n = self.fill_with(receive, seen)?;
        self.received += n as u64;
        Ok(n)
    }

    fn fill_with(
        &mut self,
        receive: impl FnOnce(&mut [u8]) -> nix::Result<usize>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let terminate = self.transform == Transform::TerminateLines;
        let Buffer::Memory(memory) = &mut self.buf else {
            unreachable!("messages and transforms get memory")
        };
        let spare = memory.spare();
        // Room for the newline that may follow the message.
        let room = spare.len().saturating_sub(usize::from(terminate));
        let n = receive(&mut spare[..room])?;
        seen(&spare[..n]);
        self.last = n;
        if terminate && spare[..n].last() != Some(&b'\n') {
            spare[n] = b'\n';
            memory.commit(n + 1);
        } else {
            memory.commit(n);
        }
        Ok(n)
    }

    /// `-C`: read at most half the room, then expand each LF to CRLF.
    fn fill_crlf(&mut self, from: BorrowedFd<'_>) -> nix::Result<usize> {
        let Buffer::Memory(memory) = &mut self.buf else {
            unreachable!("a transform gets memory")
        };
        let spare = memory.spare().len().min(self.limit);
        let take = (spare / 2).min(self.scratch.len());
        let n = nix::unistd::read(from, &mut self.scratch[..take])?;
        let written = crlf(&self.scratch[..n], memory.spare());
        memory.commit(written);
        Ok(n)
    }

    /// Write once to the sink: what is held, or on a message sink the next
    /// message. Returns the bytes written.
    pub fn drain(
        &mut self,
        to: BorrowedFd<'_>,
        sink: Sink,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        match self.transform {
            Transform::Frame => {
                let write =
                    |parts: &[&[u8]; 3], done| crate::buffer::write_parts(to, sink, parts, done);
                return self.drain_frame(write, seen);
            }
            Transform::Unframe => return self.drain_unframed(to, sink, seen),
            _ => {}
        }
        if !self.messages && self.transform != Transform::SplitLines {
            let n = self.buf.drain_seen(to, sink, seen)?;
            self.sent += n as u64;
            return Ok(n);
        }
        self.drain_message(
            |chunk| match sink {
                Sink::Socket => socket::send(to, chunk),
                Sink::Stdio => nix::unistd::write(to, chunk),
            },
            seen,
        )
    }

    /// `--frame` out: the next line as one message, its prefix, body and
    /// trailer handed to `write` together with how many of their bytes an
    /// earlier call took (`write` returns how many more it took: one
    /// vectored write to a descriptor in `drain`, all of them into one
    /// chunk when the server frames stdin once for every peer). A line the
    /// format or `--max-frame` cannot carry is refused whole (`EMSGSIZE`;
    /// `take_refusal` says why) and nothing of it is written.
    pub fn drain_frame(
        &mut self,
        write: impl FnOnce(&[&[u8]; 3], usize) -> nix::Result<usize>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let at_end = !self.open;
        let full_is_line = !self.grows();
        let (
            Some(Framing::Encode {
                format,
                max,
                current,
            }),
            Buffer::Memory(memory),
        ) = (&mut self.framing, &mut self.buf)
        else {
            unreachable!("a framing pump has its state and memory")
        };
        let Some(line) = next_chunk(memory, true, at_end, full_is_line) else {
            return Ok(0);
        };
        let (frame, done) = match current {
            Some(current) => *current,
            None => match format.frame(line.len(), *max) {
                Ok(frame) => (frame, 0),
                Err(e) => {
                    self.refused = Some(e);
                    return Err(nix::errno::Errno::EMSGSIZE);
                }
            },
        };
        let parts = frame.parts(line);
        let n = write(&parts, done)?;
        let done = done + n;
        if done as u64 == frame.wire_len() {
            // The whole message is out: the dump shows it as one chunk.
            seen(line);
            let newline = memory.data().get(line.len()) == Some(&b'\n');
            memory.consume(line.len() + usize::from(newline));
            *current = None;
            self.whole_messages += 1;
        } else {
            *current = Some((frame, done));
        }
        self.sent += n as u64;
        Ok(n)
    }

    /// `--frame` in: the front whole message, then its newline.
    fn drain_unframed(
        &mut self,
        to: BorrowedFd<'_>,
        sink: Sink,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let Some(Framing::Decode { ready, written, .. }) = &mut self.framing else {
            unreachable!("an unframing pump has its state")
        };
        let Some(front) = ready.front() else {
            return Ok(0);
        };
        let parts: [&[u8]; 3] = [front, b"\n", b""];
        let n = crate::buffer::write_parts(to, sink, &parts, *written)?;
        *written += n;
        if *written == front.len() + 1 {
            seen(front);
            ready.pop_front();
            *written = 0;
            self.whole_messages += 1;
            self.unframe();
        }
        self.sent += n as u64;
        Ok(n)
    }

    /// Decode what the buffer holds until a whole message waits (one at a
    /// time) or the bytes run out; at the end of the source, a message cut
    /// short is the error.
    fn unframe(&mut self) {
        let (
            Some(Framing::Decode {
                collector,
                ready,
                error,
                ..
            }),
            Buffer::Memory(memory),
        ) = (&mut self.framing, &mut self.buf)
        else {
            return;
        };
        while ready.is_empty() && error.is_none() && memory.pending() {
            match collector.push(memory.data()) {
                Ok((used, message)) => {
                    memory.consume(used);
                    if let Some(message) = message {
                        ready.push_back(message);
                    }
                }
                Err(e) => *error = Some(e),
            }
        }
        if !self.open
            && error.is_none()
            && let Err(e) = collector.finish()
        {
            *error = Some(e);
        }
        self.release();
    }

    /// An on-demand read buffer that holds nothing goes.
    fn release(&mut self) {
        if self.on_demand > 0 && !self.buf.pending() && self.buf.capacity() > 0 {
            self.buf = Buffer::new(Route::Copy, 0);
        }
    }

    /// Write the next message with `write` (a `sendto` to an address the
    /// caller picks, say). It is consumed by what `write` took: a message
    /// sink takes it whole. Returns the bytes written, 0 with none ready.
    pub fn drain_message(
        &mut self,
        write: impl FnOnce(&[u8]) -> nix::Result<usize>,
        seen: &mut dyn FnMut(&[u8]),
    ) -> nix::Result<usize> {
        let split = self.transform == Transform::SplitLines;
        let at_end = !self.open;
        let Buffer::Memory(memory) = &mut self.buf else {
            unreachable!("messages get memory")
        };
        let Some(chunk) = next_chunk(memory, split, at_end, true) else {
            return Ok(0);
        };
        let n = write(chunk)?;
        seen(&chunk[..n]);
        let newline = split && memory.data().get(n) == Some(&b'\n');
        memory.consume(n + usize::from(newline));
        self.sent += n as u64;
        Ok(n)
    }

    /// Drop the next message unsent (one that cannot reach anyone).
    pub fn skip_message(&mut self) {
        let _ = self.drain_message(|chunk| Ok(chunk.len()), &mut |_| {});
    }

    /// The message the last `fill_message` took, as it came.
    pub fn last_message(&self) -> &[u8] {
        match &self.buf {
            Buffer::Memory(m) => &m.data()[..self.last.min(m.data().len())],
            Buffer::Kernel(_) | Buffer::Chunks(_) => &[],
        }
    }

    /// The next message's length, for an error about it.
    pub fn next_len(&self) -> usize {
        match &self.buf {
            Buffer::Memory(m) => self.next_chunk(m).map_or(0, <[u8]>::len),
            Buffer::Kernel(_) | Buffer::Chunks(_) => 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    fn next_chunk<'m>(&self, memory: &'m Memory) -> Option<&'m [u8]> {
        let split = matches!(self.transform, Transform::SplitLines | Transform::Frame);
        next_chunk(memory, split, !self.open, !self.grows())
    }
}

/// What to send next from memory: all of it, or with `split` the next
/// complete line without its newline (at the end of input, or when one line
/// fills the whole buffer and `full_is_line`, what is there counts as a
/// line).
fn next_chunk(memory: &Memory, split: bool, at_end: bool, full_is_line: bool) -> Option<&[u8]> {
    let data = memory.data();
    if !split {
        return (!data.is_empty()).then_some(data);
    }
    match memory.newline() {
        Some(i) => Some(&data[..i]),
        None if (at_end && !data.is_empty()) || (full_is_line && memory.full()) => Some(data),
        None => None,
    }
}

/// Split `data` into the messages `--lines` makes of it: each line without
/// its newline, and a last line without one as it is. `send`, the
/// datagram server and the relay all cut lines this one way.
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let empty = data.is_empty();
    body.split(|&b| b == b'\n').filter(move |_| !empty)
}

/// `-C`: `data` into `out` with each LF made CRLF; returns the bytes
/// written. `out` must hold twice `data`, the most it can become.
pub fn crlf(data: &[u8], out: &mut [u8]) -> usize {
    let mut at = 0;
    for &b in data {
        if b == b'\n' {
            out[at] = b'\r';
            at += 1;
        }
        out[at] = b;
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_at_newlines_keeping_a_last_partial_line() {
        let all: Vec<&[u8]> = lines(b"a\n\nb\nc").collect();
        assert_eq!(all, [&b"a"[..], b"", b"b", b"c"]);
        let all: Vec<&[u8]> = lines(b"a\n").collect();
        assert_eq!(all, [&b"a"[..]]);
        assert_eq!(lines(b"").count(), 0);
        let all: Vec<&[u8]> = lines(b"\n").collect();
        assert_eq!(all, [&b""[..]]);
    }

    #[test]
    fn crlf_doubles_only_newlines() {
        let mut out = [0u8; 16];
        let n = crlf(b"a\nb\n", &mut out);
        assert_eq!(&out[..n], b"a\r\nb\r\n");
    }

    fn pipe() -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
        nix::unistd::pipe2(nix::fcntl::OFlag::O_NONBLOCK).expect("pipe")
    }

    #[test]
    fn split_lines_send_one_message_per_line() {
        use std::os::fd::AsFd;
        let (r, w) = pipe();
        nix::unistd::write(&w, b"one\ntwo\nthr").expect("write");
        drop(w);
        let (a, b) = nix::sys::socket::socketpair(
            nix::sys::socket::AddressFamily::Unix,
            nix::sys::socket::SockType::Datagram,
            None,
            nix::sys::socket::SockFlag::SOCK_NONBLOCK,
        )
        .expect("socketpair");
        let mut pump = Pump::new(Route::Copy, 64, Transform::SplitLines, true);
        let mut got = Vec::new();
        for _ in 0..10 {
            if pump.wants_fill() {
                let _ = pump.fill(r.as_fd(), &mut |_| {});
            }
            if pump.ready() {
                pump.drain(a.as_fd(), Sink::Socket, &mut |_| {})
                    .expect("send");
                let mut buf = [0u8; 64];
                let n = socket::receive(&b, &mut buf, true).expect("recv");
                got.push(buf[..n].to_vec());
            }
        }
        assert_eq!(got, [&b"one"[..], b"two", b"thr"]);
        assert!(pump.finished());
    }

    #[test]
    fn a_framing_buffer_grows_to_its_lines_and_refuses_past_the_limit() {
        use crate::frame::{EncodeError, Format};
        use nix::fcntl::{FcntlArg, OFlag, fcntl};
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd;
        let (r, w) = nix::unistd::pipe().expect("pipe");
        fcntl(&r, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).expect("nonblocking");
        let long = vec![b'a'; 200_000];
        let mut input = long.clone();
        input.push(b'\n');
        input.extend(std::iter::repeat_n(b'b', 400_000));
        input.push(b'\n');
        let writer = std::thread::spawn(move || {
            let mut w = std::fs::File::from(w);
            let _ = std::io::Write::write_all(&mut w, &input);
        });
        let max = 300_000;
        let mut pump = Pump::framing(Format::Len4, max);
        // As a limit too large to take at once starts.
        pump.buf = Buffer::new(Route::Copy, CAPACITY_MIN);
        let mut sent = Vec::new();
        let refused = loop {
            if pump.wants_fill() {
                let mut fds = [PollFd::new(r.as_fd(), PollFlags::POLLIN)];
                poll(&mut fds, PollTimeout::from(10_000u16)).expect("poll");
                match pump.fill(r.as_fd(), &mut |_| {}) {
                    Ok(_) | Err(nix::errno::Errno::EAGAIN) => {}
                    Err(e) => panic!("read: {e}"),
                }
            }
            while pump.ready() {
                let taken = pump.drain_frame(
                    |parts, _| {
                        parts.iter().for_each(|p| sent.extend_from_slice(p));
                        Ok(parts.iter().map(|p| p.len()).sum())
                    },
                    &mut |_| {},
                );
                if taken == Err(nix::errno::Errno::EMSGSIZE) {
                    break;
                }
            }
            if let Some(refusal) = pump.take_refusal() {
                break refusal;
            }
            assert!(pump.open, "the input ended before the long line");
        };
        // The rest of the line is not read: the writer meets a closed pipe.
        drop(r);
        writer.join().expect("writer");
        let mut want = 200_000u32.to_be_bytes().to_vec();
        want.extend_from_slice(&long);
        assert!(sent == want, "{} bytes sent", sent.len());
        // Grown by doubling to the limit and one byte, no further.
        assert_eq!(pump.capacity(), max + 1);
        assert_eq!(refused, EncodeError::OverMax { len: max + 1, max });
    }

    #[test]
    fn terminated_lines_end_each_message_once() {
        let mut pump = Pump::new(Route::Copy, 64, Transform::TerminateLines, true);
        let (r, w) = pipe();
        for message in [&b"plain"[..], b"ended\n", b""] {
            pump.fill_message(
                |spare| {
                    spare[..message.len()].copy_from_slice(message);
                    Ok(message.len())
                },
                &mut |_| {},
            )
            .expect("fill");
            use std::os::fd::AsFd;
            pump.drain(w.as_fd(), Sink::Stdio, &mut |_| {})
                .expect("write");
        }
        drop(w);
        let mut buf = [0u8; 64];
        let n = nix::unistd::read(&r, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"plain\nended\n\n");
    }
}

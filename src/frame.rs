//! Message framing for `--frame FORMAT`, as pure functions: a length before
//! each message, so that a byte stream (where two writes may arrive as one
//! read and one write as two) carries whole messages. No I/O lives here:
//! the pump reads and writes, and asks this module what the bytes mean.
//!
//! The formats, each shown framing `hello` (5 bytes):
//!
//! - `len:1`, `len:2`, `len:4`, `len:8`: a big-endian length of that many
//!   bytes. `len:4` is the common "4-byte big-endian length" of many RPC
//!   protocols: `00 00 00 05 68 65 6c 6c 6f`. `len:1` carries at most 255
//!   bytes, `len:2` 65535, `len:4` 4 GiB - 1.
//! - `len:2le`, `len:4le`, `len:8le`: the same, little-endian:
//!   `len:2le` is `05 00 68 65 6c 6c 6f`.
//! - `varint`: protobuf's base-128 length prefix, the framing of
//!   "delimited" protobuf messages (Java's `writeDelimitedTo` and
//!   `parseDelimitedFrom`, C++'s `SerializeDelimitedToOstream`): seven bits
//!   a byte, least significant group first, the top bit set on every byte
//!   but the last. `hello` is `05 68 65 6c 6c 6f`; a 300-byte message starts
//!   `ac 02`. At most 10 bytes (64 bits); a longer encoding of a small number
//!   (`80 00` for 0) is accepted, as protobuf accepts it.
//! - `netstring`: D. J. Bernstein's `5:hello,`: decimal digits, `:`, the
//!   message, `,`. The empty message is `0:,`; a leading zero (`05:`) is
//!   malformed.
//!
//! Encoding ([`Format::frame`]) gives the bytes that go before the message
//! and after it (only a netstring has any after), never a copy of the
//! message: the caller writes head, message and tail, with one `writev`
//! if it likes ([`Frame::parts`]). A message too long for its prefix
//! (256 bytes in `len:1`) or over `--max-frame` is refused before anything
//! is written.
//!
//! Decoding ([`Decoder`]) takes the stream's bytes in whatever pieces they
//! come, one byte at a time or many messages in one read, and hands out
//! events: [`Event::Start`] with the length once a prefix is complete,
//! [`Event::Body`] with slices of the caller's own input as the message's
//! bytes come, [`Event::End`] when it is whole. It takes one event's worth
//! of input a call, so a caller can stop after a message (to write it out)
//! and come back for the rest of the same read. [`Collector`] on top of it
//! gathers each whole message into a `Vec`, for tests and simple callers.
//!
//! Errors name a byte offset, counted from 0 at the first byte the decoder
//! was given. A malformed prefix names the byte that makes it malformed (a
//! non-digit in a netstring length, the second digit of `05:`, a 10th
//! varint byte that asks for an 11th) and is reported as soon as that byte
//! arrives. A length over `--max-frame`, and a message cut short by the end
//! of input ([`Decoder::finish`]), name the offset where that message (its
//! prefix) begins: `truncated message at byte 4096: 12 of 40 bytes`. A
//! length is refused as soon as the bytes so far prove it too long, which
//! may be before its prefix is complete (the first byte of a `len:4` prefix
//! of `02` already means at least 32 MiB); the error then says "at least".
//! After an error the stream has no trustworthy boundaries left, so every
//! later call returns the same error.
//!
//! The memory promise: a message is never held twice. Events rather than
//! collected messages are the decoder's interface because they leave the
//! holding to the one who knows where the bytes go: the decoder itself
//! holds a few integers and no message byte; a message that arrives whole
//! in one read can be written straight from the read buffer with no copy;
//! one that spans reads is gathered by the caller into one place. The
//! [`Collector`] does that gathering in one `Vec` that ends at exactly the
//! message's length: a 16 MiB message costs 16 MiB (plus the caller's read
//! buffer, whose bytes it has consumed). A length over the limit is refused
//! before anything is allocated, and within the limit the `Vec` grows with
//! the bytes that actually come (doubling, but never past the announced
//! length), so a prefix alone cannot make us take the limit's worth of
//! memory, whatever `--max-frame` says.
//!
//! Driving it from a pump. Receiving: read into the buffer as usual, then
//! call [`Decoder::next`] on the unread bytes and consume `used` of them
//! each time; `Start` begins a message, `Body` adds to it (as [`Collector`]
//! does; a message that `Start` finds all in the buffer can instead be
//! written from there before its bytes are consumed), `End` makes it ready
//! to write, message and newline. Stop decoding until it is written: then
//! whole messages decoded before an error are written and nothing
//! half-decoded is. `event: None` means all the bytes were taken and more
//! are needed. At the end of input, [`Decoder::finish`] says whether the
//! stream ended between messages. Sending: for each message (a line),
//! [`Format::frame`] with its length, then write [`Frame::parts`] until
//! [`Frame::wire_len`] bytes are gone.

use std::fmt;
use std::str::FromStr;

use crate::error::quote;

/// `--max-frame`'s default: more than a local service's message is likely
/// to be, little enough that a wrong prefix cannot make us allocate
/// gigabytes.
pub const DEFAULT_MAX: usize = 16 << 20;

/// The longest head: the 20 digits of `u64::MAX` and a netstring's `:`.
const HEAD_MAX: usize = 21;

/// What a collector reserves for a message before its bytes come: a
/// peer's prefix alone should not decide how much memory we take.
const RESERVE_AHEAD: usize = 64 << 10;

/// A varint carries 64 bits in at most 10 bytes of 7 bits; the 10th may
/// hold only the top bit.
const VARINT_MAX: u8 = 10;

/// How a message's length goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Len1,
    Len2,
    Len4,
    Len8,
    Len2Le,
    Len4Le,
    Len8Le,
    Varint,
    Netstring,
}

const EXPECTED: &str =
    "expected len:1, len:2, len:4, len:8, len:2le, len:4le, len:8le, varint or netstring";

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 9] = [
        Format::Len1,
        Format::Len2,
        Format::Len4,
        Format::Len8,
        Format::Len2Le,
        Format::Len4Le,
        Format::Len8Le,
        Format::Varint,
        Format::Netstring,
    ];

    /// The format `text` names, as `--frame` takes it (`len:4`, `varint`);
    /// the error says what was wrong and what would be right.
    pub fn parse(text: &str) -> Result<Format, String> {
        match Format::ALL.into_iter().find(|f| f.name() == text) {
            Some(format) => Ok(format),
            None => Err(explain(text)),
        }
    }

    /// The name `--frame` takes, which `Display` prints.
    pub fn name(self) -> &'static str {
        match self {
            Format::Len1 => "len:1",
            Format::Len2 => "len:2",
            Format::Len4 => "len:4",
            Format::Len8 => "len:8",
            Format::Len2Le => "len:2le",
            Format::Len4Le => "len:4le",
            Format::Len8Le => "len:8le",
            Format::Varint => "varint",
            Format::Netstring => "netstring",
        }
    }

    /// A fixed-size prefix's bytes; `None` for varint and netstring, whose
    /// prefix ends where its last byte says.
    pub fn width(self) -> Option<u8> {
        match self {
            Format::Len1 => Some(1),
            Format::Len2 | Format::Len2Le => Some(2),
            Format::Len4 | Format::Len4Le => Some(4),
            Format::Len8 | Format::Len8Le => Some(8),
            Format::Varint | Format::Netstring => None,
        }
    }

    fn little_endian(self) -> bool {
        matches!(self, Format::Len2Le | Format::Len4Le | Format::Len8Le)
    }

    /// The longest message the prefix can announce.
    pub fn most(self) -> u64 {
        match self.width() {
            Some(width @ 1..8) => (1u64 << (8 * u32::from(width))) - 1,
            _ => u64::MAX,
        }
    }

    /// The bytes around a message of `len` bytes, or why it cannot be sent:
    /// too long for the prefix, or over `max` (`--max-frame`).
    pub fn frame(self, len: usize, max: usize) -> Result<Frame, EncodeError> {
        let wide = u64::try_from(len).unwrap_or(u64::MAX);
        if wide > self.most() {
            return Err(EncodeError::TooLongForFormat { len, format: self });
        }
        if len > max {
            return Err(EncodeError::OverMax { len, max });
        }
        let mut head = [0u8; HEAD_MAX];
        let head_len = match self {
            Format::Varint => {
                let mut value = wide;
                let mut n = 0;
                loop {
                    // Seven bits at a time, the low group first; truncation
                    // to the low byte is the point.
                    let low = (value & 0x7f) as u8;
                    value >>= 7;
                    head[n] = if value == 0 { low } else { low | 0x80 };
                    n += 1;
                    if value == 0 {
                        break n;
                    }
                }
            }
            Format::Netstring => {
                // Decimal digits from the last, with no allocation.
                let mut digits = [0u8; HEAD_MAX - 1];
                let mut from = digits.len();
                let mut value = wide;
                loop {
                    from -= 1;
                    digits[from] = b'0' + (value % 10) as u8;
                    value /= 10;
                    if value == 0 {
                        break;
                    }
                }
                let n = digits.len() - from;
                head[..n].copy_from_slice(&digits[from..]);
                head[n] = b':';
                n + 1
            }
            fixed => {
                let width = usize::from(fixed.width().unwrap_or(8));
                if fixed.little_endian() {
                    head[..width].copy_from_slice(&wide.to_le_bytes()[..width]);
                } else {
                    head[..width].copy_from_slice(&wide.to_be_bytes()[8 - width..]);
                }
                width
            }
        };
        Ok(Frame {
            head,
            head_len: head_len as u8,
            len,
            tail: if self == Format::Netstring { b"," } else { b"" },
        })
    }
}

/// Why `text` is not a format, with the likely intent when there is one.
fn explain(text: &str) -> String {
    let quoted = quote(text.as_bytes());
    let word = text.trim().to_ascii_lowercase();
    if let Some(format) = Format::ALL.into_iter().find(|f| f.name() == word) {
        return format!("{quoted} is not a frame format (did you mean {format}?)");
    }
    match word.as_str() {
        "protobuf" | "proto" | "pb" | "delimited" | "leb128" => {
            return format!(
                "{quoted} is not a frame format (did you mean varint? it is protobuf's length prefix)"
            );
        }
        "netstrings" | "net" | "ns" => {
            return format!("{quoted} is not a frame format (did you mean netstring?)");
        }
        _ => {}
    }
    let Some(rest) = word.strip_prefix("len") else {
        return format!("{quoted} is not a frame format ({EXPECTED})");
    };
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
    let split = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (size, order) = rest.split_at(split);
    match (size, order) {
        ("", _) => format!(
            "{quoted} lacks the prefix's size (expected len:1, len:2, len:4 or len:8, \
             or len:2le, len:4le, len:8le for little-endian)"
        ),
        (size, _) if !["1", "2", "4", "8"].contains(&size) => format!(
            "{quoted}: a length prefix is 1, 2, 4 or 8 bytes (expected len:1, len:2, len:4 or \
             len:8, or len:2le, len:4le, len:8le for little-endian)"
        ),
        ("1", "le" | "be") => {
            format!("{quoted}: a one-byte length has no byte order (use len:1)")
        }
        (size, "be") => format!("{quoted}: big-endian is the default (use len:{size})"),
        (size, "" | "le") => {
            format!("{quoted} is not a frame format (did you mean len:{size}{order}?)")
        }
        (size, order) => format!(
            "{quoted}: unknown byte order {} (len:{size} is big-endian, len:{size}le \
             little-endian)",
            quote(order.as_bytes())
        ),
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        Format::parse(text)
    }
}

/// The bytes around one message on the wire: `head`, the message itself
/// (which the caller holds and this never copies), `tail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    head: [u8; HEAD_MAX],
    head_len: u8,
    len: usize,
    tail: &'static [u8],
}

impl Frame {
    /// What goes before the message: its length, as the format writes it.
    pub fn head(&self) -> &[u8] {
        &self.head[..usize::from(self.head_len)]
    }

    /// What goes after it: a netstring's `,`, else nothing.
    pub fn tail(&self) -> &'static [u8] {
        self.tail
    }

    /// Head, message and tail in order, as one `writev` takes them.
    /// `body` is the message this frame was made for.
    pub fn parts<'a>(&'a self, body: &'a [u8]) -> [&'a [u8]; 3] {
        debug_assert_eq!(body.len(), self.len, "a frame fits one length");
        [self.head(), body, self.tail]
    }

    /// Bytes the framed message takes on the wire.
    pub fn wire_len(&self) -> u64 {
        (usize::from(self.head_len) + self.tail.len()) as u64 + self.len as u64
    }
}

/// A message that cannot be framed; none of it should be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// The prefix cannot say the length (256 bytes in `len:1`).
    TooLongForFormat { len: usize, format: Format },
    /// Longer than `--max-frame`.
    OverMax { len: usize, max: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EncodeError::TooLongForFormat { len, format } => write!(
                f,
                "message of {len} bytes is too long for {format} (at most {})",
                format.most()
            ),
            EncodeError::OverMax { len, max } => write!(
                f,
                "message of {len} bytes is over the limit of {max} (--max-frame)"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Frame `message` into `out` (head, message, tail): for tests and callers
/// that build the whole output anyway. A pump writes [`Frame::parts`]
/// instead, without the copy.
pub fn encode(
    format: Format,
    message: &[u8],
    max: usize,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let frame = format.frame(message.len(), max)?;
    for part in frame.parts(message) {
        out.extend_from_slice(part);
    }
    Ok(())
}

/// What the decoder found in the bytes it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A prefix is complete: a message of `len` bytes (at most the limit)
    /// follows.
    Start { len: usize },
    /// Some of the message's bytes, a slice of the input; never empty.
    Body(&'a [u8]),
    /// The message is whole (after a netstring's `,`).
    End,
}

/// One call's progress: `used` bytes of the input were taken, and `event`
/// is what they made; `None` when all the input was taken and more is
/// needed before anything else can happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    pub used: usize,
    pub event: Option<Event<'a>>,
}

impl Step<'_> {
    fn more(used: usize) -> Self {
        Step { used, event: None }
    }
}

/// Turns a stream's bytes, in any pieces, into [`Event`]s; holds no message
/// byte itself. See the module doc for how to drive it.
#[derive(Debug, Clone)]
pub struct Decoder {
    format: Format,
    max: usize,
    /// The stream offset of the next byte to take.
    offset: u64,
    /// Where the current message (its prefix) began.
    start: u64,
    state: State,
    /// The stream has no trustworthy boundaries after an error.
    failed: Option<DecodeError>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Taking a prefix: `value` so far from `taken` bytes (for a netstring,
    /// digits).
    Prefix { value: u64, taken: u8 },
    /// Taking a message of `len` bytes, `left` still to come; at 0 the end
    /// (a netstring's `,`, or nothing) comes next.
    Body { len: usize, left: usize },
}

/// What one prefix byte did.
enum Taken {
    /// The prefix goes on; its value so far.
    More(u64),
    /// The prefix is complete: the message's length.
    Done(usize),
}

impl Decoder {
    /// A decoder for a stream in `format` whose messages may be at most
    /// `max` bytes (`--max-frame`).
    pub fn new(format: Format, max: usize) -> Decoder {
        Decoder {
            format,
            max,
            offset: 0,
            start: 0,
            state: State::Prefix { value: 0, taken: 0 },
            failed: None,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes taken so far: the offset of the next one.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Take what `input` (the bytes after those already taken) holds up to
    /// the next event. Call again with `input[used..]` until the event is
    /// `None`, which means all of it was taken.
    pub fn next<'a>(&mut self, input: &'a [u8]) -> Result<Step<'a>, DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let step = match self.state {
            State::Prefix { value, taken } => self.prefix(input, value, taken),
            State::Body { left: 0, .. } => self.end(input),
            State::Body { len, left } => {
                let n = left.min(input.len());
                self.state = State::Body {
                    len,
                    left: left - n,
                };
                self.offset += n as u64;
                Ok(match n {
                    0 => Step::more(0),
                    n => Step {
                        used: n,
                        event: Some(Event::Body(&input[..n])),
                    },
                })
            }
        };
        if let Err(err) = &step {
            self.failed = Some(err.clone());
        }
        step
    }

    /// The input has ended (call once `next` has given `None`): fine
    /// between messages, an error inside one.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let fault = match self.state {
            State::Prefix { taken: 0, .. } => return Ok(()),
            State::Prefix { taken, .. } => Fault::TruncatedPrefix { got: taken },
            State::Body { left: 0, .. } if self.format != Format::Netstring => return Ok(()),
            State::Body { len, left: 0 } => Fault::Unterminated { len },
            State::Body { len, left } => Fault::Truncated {
                got: len - left,
                len,
            },
        };
        Err(self.error(self.start, fault))
    }

    fn error(&self, at: u64, fault: Fault) -> DecodeError {
        DecodeError {
            at,
            format: self.format,
            fault,
        }
    }

    fn prefix<'a>(
        &mut self,
        input: &'a [u8],
        mut value: u64,
        mut taken: u8,
    ) -> Result<Step<'a>, DecodeError> {
        for (i, &byte) in input.iter().enumerate() {
            match self.prefix_byte(value, taken, byte, self.offset + i as u64)? {
                Taken::More(so_far) => {
                    value = so_far;
                    taken += 1;
                }
                Taken::Done(len) => {
                    self.offset += i as u64 + 1;
                    self.state = State::Body { len, left: len };
                    return Ok(Step {
                        used: i + 1,
                        event: Some(Event::Start { len }),
                    });
                }
            }
        }
        self.offset += input.len() as u64;
        self.state = State::Prefix { value, taken };
        Ok(Step::more(input.len()))
    }

    /// Add `byte`, at stream offset `at`, to a prefix that has `taken`
    /// bytes making `value` so far.
    fn prefix_byte(&self, value: u64, taken: u8, byte: u8, at: u64) -> Result<Taken, DecodeError> {
        let bad = |fault| Err(self.error(at, fault));
        // The value so far and whether the prefix is complete; in every
        // format, later bytes can only make the length larger, so `least`
        // is a bound the length cannot come in under.
        let (value, done, least) = match self.format {
            Format::Varint => {
                if taken == VARINT_MAX - 1 && byte & 0x80 != 0 {
                    return bad(Fault::VarintTooLong);
                }
                if taken == VARINT_MAX - 1 && byte > 1 {
                    return bad(Fault::VarintOverflow);
                }
                let value = value | u64::from(byte & 0x7f) << (7 * u32::from(taken));
                (value, byte & 0x80 == 0, value)
            }
            Format::Netstring => match byte {
                b'0'..=b'9' if taken == 1 && value == 0 => return bad(Fault::LeadingZero),
                b'0'..=b'9' => {
                    let digit = u64::from(byte - b'0');
                    let Some(value) = value.checked_mul(10).and_then(|v| v.checked_add(digit))
                    else {
                        return bad(Fault::LengthOverflow);
                    };
                    (value, false, value)
                }
                b':' if taken == 0 => return bad(Fault::NoDigits),
                b':' => (value, true, value),
                _ => {
                    return bad(Fault::NotADigit {
                        byte,
                        first: taken == 0,
                    });
                }
            },
            fixed => {
                let width = u32::from(fixed.width().unwrap_or(8));
                let taken = u32::from(taken) + 1;
                if fixed.little_endian() {
                    let value = value | u64::from(byte) << (8 * (taken - 1));
                    (value, taken == width, value)
                } else {
                    // The bytes still to come are the low ones.
                    let value = value << 8 | u64::from(byte);
                    (value, taken == width, value << (8 * (width - taken)))
                }
            }
        };
        if least > u64::try_from(self.max).unwrap_or(u64::MAX) {
            let fault = Fault::OverMax {
                len: least,
                exact: done,
                max: self.max,
            };
            return Err(self.error(self.start, fault));
        }
        Ok(if done {
            // Within `max`, which is a usize.
            Taken::Done(value as usize)
        } else {
            Taken::More(value)
        })
    }

    /// The body is all taken: the message ends, after a netstring's `,`.
    fn end<'a>(&mut self, input: &'a [u8]) -> Result<Step<'a>, DecodeError> {
        let used = match (self.format, input.first()) {
            (Format::Netstring, None) => return Ok(Step::more(0)),
            (Format::Netstring, Some(b',')) => 1,
            (Format::Netstring, Some(&byte)) => {
                return Err(self.error(self.offset, Fault::MissingComma { byte }));
            }
            _ => 0,
        };
        self.offset += used as u64;
        self.start = self.offset;
        self.state = State::Prefix { value: 0, taken: 0 };
        Ok(Step {
            used,
            event: Some(Event::End),
        })
    }
}

/// Where the stream went wrong and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The offending byte's offset for a malformed prefix; where the
    /// message began for a length over the limit or a truncation.
    pub at: u64,
    pub format: Format,
    pub fault: Fault,
}

/// What was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The length is over `max`; `exact` is false when caught before the
    /// prefix was complete, and `len` is then the least it can be.
    OverMax { len: u64, exact: bool, max: usize },
    /// Netstring: more digits than 64 bits hold.
    LengthOverflow,
    /// Netstring: `:` with no digits before it.
    NoDigits,
    /// Netstring: a byte that is neither a digit nor (after one) `:`.
    NotADigit { byte: u8, first: bool },
    /// Netstring: a digit after a leading `0`.
    LeadingZero,
    /// Netstring: the byte after the message is not `,`.
    MissingComma { byte: u8 },
    /// Varint: a 10th byte that asks for an 11th.
    VarintTooLong,
    /// Varint: a 10th byte with more than the 64th bit.
    VarintOverflow,
    /// The input ended inside a prefix, after `got` of its bytes (digits).
    TruncatedPrefix { got: u8 },
    /// The input ended after `got` of the message's `len` bytes.
    Truncated { got: usize, len: usize },
    /// Netstring: the input ended after the message, before its `,`.
    Unterminated { len: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        let byte = |b: u8| quote(&[b]);
        match self.fault {
            Fault::OverMax { len, exact, max } => {
                let least = if exact { "" } else { "at least " };
                write!(
                    f,
                    "message at byte {at} is {least}{len} bytes, over the limit of {max} \
                     (--max-frame)"
                )
            }
            Fault::LengthOverflow => write!(f, "bad netstring at byte {at}: length over 64 bits"),
            Fault::NoDigits => write!(f, "bad netstring at byte {at}: ':' before any length digit"),
            Fault::NotADigit { byte: b, first } => {
                let wanted = if first {
                    "a length digit"
                } else {
                    "a length digit or ':'"
                };
                write!(
                    f,
                    "bad netstring at byte {at}: {} where {wanted} belongs",
                    byte(b)
                )
            }
            Fault::LeadingZero => {
                write!(f, "bad netstring at byte {at}: length with a leading zero")
            }
            Fault::MissingComma { byte: b } => write!(
                f,
                "bad netstring at byte {at}: {} where ',' ends the message",
                byte(b)
            ),
            Fault::VarintTooLong => write!(f, "bad varint length at byte {at}: more than 10 bytes"),
            Fault::VarintOverflow => write!(f, "bad varint length at byte {at}: over 64 bits"),
            Fault::TruncatedPrefix { got } => match (self.format, self.format.width()) {
                (_, Some(width)) => write!(
                    f,
                    "truncated length prefix at byte {at}: {got} of {width} bytes"
                ),
                (Format::Netstring, None) => write!(
                    f,
                    "truncated netstring at byte {at}: {got} length digits and no ':'"
                ),
                (_, None) => write!(
                    f,
                    "truncated varint length at byte {at}: the input ended after {got} of its bytes"
                ),
            },
            Fault::Truncated { got, len } => {
                write!(f, "truncated message at byte {at}: {got} of {len} bytes")
            }
            Fault::Unterminated { len } => write!(
                f,
                "truncated message at byte {at}: no ',' after its {len} bytes"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Whole messages from a stream, each gathered into one `Vec` whose
/// capacity ends at exactly its length: the decoder for tests and callers
/// that want messages, not events.
#[derive(Debug, Clone)]
pub struct Collector {
    decoder: Decoder,
    message: Vec<u8>,
    /// The current message's announced length.
    len: usize,
}

impl Collector {
    pub fn new(format: Format, max: usize) -> Collector {
        Collector {
            decoder: Decoder::new(format, max),
            message: Vec::new(),
            len: 0,
        }
    }

    /// Take bytes of `input` up to the end of the next whole message:
    /// returns how many were taken and that message, or `None` with all of
    /// `input` taken and the message (if any) not yet whole.
    pub fn push(&mut self, input: &[u8]) -> Result<(usize, Option<Vec<u8>>), DecodeError> {
        let mut at = 0;
        loop {
            let step = self.decoder.next(&input[at..])?;
            at += step.used;
            match step.event {
                None => return Ok((at, None)),
                Some(Event::Start { len }) => {
                    self.message = Vec::with_capacity(len.min(RESERVE_AHEAD));
                    self.len = len;
                }
                Some(Event::Body(bytes)) => {
                    let needed = self.message.len() + bytes.len();
                    if needed > self.message.capacity() {
                        // Doubling keeps the copies linear; the cap keeps
                        // the last growth from overshooting the message.
                        let target = needed.max(2 * self.message.capacity()).min(self.len);
                        self.message.reserve_exact(target - self.message.len());
                    }
                    self.message.extend_from_slice(bytes);
                }
                Some(Event::End) => return Ok((at, Some(std::mem::take(&mut self.message)))),
            }
        }
    }

    /// Every message `input` completes, appended to `out`; on an error,
    /// those before it are there.
    pub fn push_all(&mut self, input: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), DecodeError> {
        let mut at = 0;
        loop {
            let (used, message) = self.push(&input[at..])?;
            at += used;
            match message {
                Some(message) => out.push(message),
                None => return Ok(()),
            }
        }
    }

    /// The input has ended: fine between messages, an error inside one.
    pub fn finish(&self) -> Result<(), DecodeError> {
        self.decoder.finish()
    }
}

/// All the messages of a whole stream, and whether it was sound to the
/// end; the messages before an error are kept.
pub fn decode(
    format: Format,
    max: usize,
    stream: &[u8],
) -> (Vec<Vec<u8>>, Result<(), DecodeError>) {
    let mut collector = Collector::new(format, max);
    let mut messages = Vec::new();
    let sound = collector
        .push_all(stream, &mut messages)
        .and_then(|()| collector.finish());
    (messages, sound)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [usize; 7] = [0, 1, 255, 256, 65535, 65536, 1 << 20];

    fn message(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn framed(format: Format, messages: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for m in messages {
            encode(format, m, DEFAULT_MAX, &mut out).expect("encodes");
        }
        out
    }

    #[test]
    fn names_parse_back_and_only_names_do() {
        for format in Format::ALL {
            assert_eq!(Format::parse(&format.to_string()), Ok(format));
            assert_eq!(format.name().parse::<Format>(), Ok(format));
        }
        let cases = [
            ("", "is not a frame format (expected len:1"),
            ("json", "'json' is not a frame format (expected len:1"),
            ("LEN:4", "did you mean len:4?"),
            (" varint", "did you mean varint?"),
            ("len4le", "did you mean len:4le?"),
            ("protobuf", "did you mean varint?"),
            ("netstrings", "did you mean netstring?"),
            ("len", "lacks the prefix's size"),
            ("len:", "lacks the prefix's size"),
            ("len:le", "lacks the prefix's size"),
            ("len:3", "'len:3': a length prefix is 1, 2, 4 or 8 bytes"),
            ("len:16", "a length prefix is 1, 2, 4 or 8 bytes"),
            ("len:1le", "a one-byte length has no byte order (use len:1)"),
            ("len:4be", "big-endian is the default (use len:4)"),
            ("len:4xe", "unknown byte order 'xe'"),
            ("len:\x01", "'len:\\x01' lacks"),
        ];
        for (text, fragment) in cases {
            let err = Format::parse(text).expect_err(text);
            assert!(err.contains(fragment), "{text:?}: {err} lacks {fragment}");
        }
    }

    #[test]
    fn heads_are_the_formats_own() {
        let head =
            |format: Format, len| format.frame(len, usize::MAX).expect("fits").head().to_vec();
        assert_eq!(head(Format::Len4, 5), [0, 0, 0, 5]);
        assert_eq!(head(Format::Len2, 256), [1, 0]);
        assert_eq!(head(Format::Len2Le, 256), [0, 1]);
        assert_eq!(head(Format::Len8Le, 1), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(head(Format::Len1, 255), [255]);
        assert_eq!(head(Format::Varint, 0), [0]);
        assert_eq!(head(Format::Varint, 127), [0x7f]);
        assert_eq!(head(Format::Varint, 128), [0x80, 0x01]);
        assert_eq!(head(Format::Varint, 300), [0xac, 0x02]);
        let mut most = vec![0xff; 9];
        most.push(0x01);
        assert_eq!(head(Format::Varint, usize::MAX), most);
        assert_eq!(head(Format::Netstring, 0), b"0:");
        assert_eq!(head(Format::Netstring, 12345), b"12345:");
        assert_eq!(
            head(Format::Netstring, usize::MAX),
            format!("{}:", usize::MAX).as_bytes()
        );
        let mut out = Vec::new();
        encode(Format::Netstring, b"hello", 16, &mut out).expect("fits");
        assert_eq!(out, b"5:hello,");
        let frame = Format::Netstring.frame(0, 0).expect("fits");
        assert_eq!(frame.parts(b""), [&b"0:"[..], b"", b","]);
        assert_eq!(frame.wire_len(), 3);
    }

    #[test]
    fn every_format_round_trips_every_size_it_can_carry() {
        for format in Format::ALL {
            for len in SIZES {
                let body = message(len);
                let mut wire = Vec::new();
                let result = encode(format, &body, DEFAULT_MAX, &mut wire);
                if len as u64 > format.most() {
                    assert_eq!(
                        result,
                        Err(EncodeError::TooLongForFormat { len, format }),
                        "{format} {len}"
                    );
                    assert!(wire.is_empty(), "{format} {len}: nothing is written");
                    continue;
                }
                result.unwrap_or_else(|e| panic!("{format} {len}: {e}"));
                let frame = format.frame(len, DEFAULT_MAX).expect("fits");
                assert_eq!(wire.len() as u64, frame.wire_len(), "{format} {len}");
                let (messages, sound) = decode(format, DEFAULT_MAX, &wire);
                assert_eq!(sound, Ok(()), "{format} {len}");
                assert_eq!(messages, [body], "{format} {len}");
            }
        }
    }

    #[test]
    fn encoding_refuses_what_the_prefix_or_limit_cannot_take() {
        let err = Format::Len1.frame(256, DEFAULT_MAX).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "message of 256 bytes is too long for len:1 (at most 255)"
        );
        let err = Format::Len2Le
            .frame(65536, DEFAULT_MAX)
            .expect_err("too long");
        assert!(err.to_string().contains("at most 65535"), "{err}");
        assert!(Format::Len4.frame(u32::MAX as usize, usize::MAX).is_ok());
        let err = Format::Len4
            .frame(u32::MAX as usize + 1, usize::MAX)
            .expect_err("too long");
        assert!(err.to_string().contains("too long for len:4"), "{err}");
        let err = Format::Varint
            .frame(DEFAULT_MAX + 1, DEFAULT_MAX)
            .expect_err("over");
        assert_eq!(
            err.to_string(),
            "message of 16777217 bytes is over the limit of 16777216 (--max-frame)"
        );
        assert!(Format::Varint.frame(DEFAULT_MAX, DEFAULT_MAX).is_ok());
    }

    #[test]
    fn a_collected_message_ends_at_exactly_its_length() {
        let body = message(1 << 20);
        let wire = framed(Format::Len4, &[&body]);
        let mut collector = Collector::new(Format::Len4, DEFAULT_MAX);
        let mut got = Vec::new();
        for piece in wire.chunks(4096) {
            collector.push_all(piece, &mut got).expect("sound");
        }
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].capacity(), 1 << 20, "grown, not reserved");
        assert_eq!(got[0], body);
    }

    #[test]
    fn a_prefix_alone_takes_little_memory() {
        // 16 MiB announced, whatever the limit, and none of it sent.
        for (format, max) in [(Format::Len4, DEFAULT_MAX), (Format::Varint, usize::MAX)] {
            let frame = format.frame(DEFAULT_MAX, max).expect("fits");
            let mut collector = Collector::new(format, max);
            assert_eq!(collector.push(frame.head()), Ok((frame.head().len(), None)));
            assert!(collector.message.capacity() <= RESERVE_AHEAD, "{format}");
        }
        // An absurd length within an absurd limit is no allocation failure.
        let mut collector = Collector::new(Format::Len8, usize::MAX);
        assert_eq!(
            collector.push(&[0x40, 0, 0, 0, 0, 0, 0, 0, 1]),
            Ok((9, None))
        );
        assert_eq!(collector.message, [1]);
    }

    #[test]
    fn body_events_are_slices_of_the_input() {
        let wire = framed(Format::Len2, &[b"hello", b"", b"world"]);
        let mut decoder = Decoder::new(Format::Len2, DEFAULT_MAX);
        let mut events = Vec::new();
        let mut at = 0;
        loop {
            let step = decoder.next(&wire[at..]).expect("sound");
            if let Some(Event::Body(bytes)) = step.event {
                assert_eq!(bytes.as_ptr(), wire[at..].as_ptr(), "a slice, not a copy");
            }
            at += step.used;
            match step.event {
                Some(event) => events.push(event),
                None => break,
            }
        }
        assert_eq!(at, wire.len());
        assert_eq!(decoder.offset(), wire.len() as u64);
        assert_eq!(
            events,
            [
                Event::Start { len: 5 },
                Event::Body(b"hello"),
                Event::End,
                Event::Start { len: 0 },
                Event::End,
                Event::Start { len: 5 },
                Event::Body(b"world"),
                Event::End,
            ]
        );
        assert_eq!(decoder.finish(), Ok(()));
    }

    #[test]
    fn push_stops_after_each_message() {
        let wire = framed(Format::Netstring, &[b"ab", b"c"]);
        let mut collector = Collector::new(Format::Netstring, DEFAULT_MAX);
        assert_eq!(collector.push(&wire), Ok((5, Some(b"ab".to_vec()))));
        assert_eq!(collector.push(&wire[5..]), Ok((4, Some(b"c".to_vec()))));
        assert_eq!(collector.push(&[]), Ok((0, None)));
    }

    #[test]
    fn one_byte_at_a_time_gives_the_same_messages() {
        let bodies: [&[u8]; 4] = [b"", b"x", &message(300), b"last"];
        for format in Format::ALL {
            let bodies = if format == Format::Len1 {
                &bodies[..2]
            } else {
                &bodies[..]
            };
            let wire = framed(format, bodies);
            let mut collector = Collector::new(format, DEFAULT_MAX);
            let mut got = Vec::new();
            for byte in &wire {
                collector
                    .push_all(std::slice::from_ref(byte), &mut got)
                    .unwrap_or_else(|e| panic!("{format}: {e}"));
            }
            assert_eq!(collector.finish(), Ok(()), "{format}");
            assert_eq!(got, bodies, "{format}");
        }
    }

    /// The error for `stream` and the offset where it arrived: the shortest
    /// prefix of the stream that has it.
    fn fails(format: Format, max: usize, stream: &[u8]) -> (DecodeError, usize) {
        let mut collector = Collector::new(format, max);
        let mut sink = Vec::new();
        for (i, byte) in stream.iter().enumerate() {
            if let Err(err) = collector.push_all(std::slice::from_ref(byte), &mut sink) {
                return (err, i);
            }
        }
        let err = collector.finish().expect_err("the stream is broken");
        (err, stream.len())
    }

    #[test]
    fn malformed_prefixes_are_caught_at_the_byte_that_makes_them_bad() {
        use Fault::*;
        use Format::*;
        let (m, all) = (DEFAULT_MAX, usize::MAX);
        let over = |len, exact, max| OverMax { len, exact, max };
        let digit = |byte, first| NotADigit { byte, first };
        let comma = |byte| MissingComma { byte };
        let ten_80 = [0x80u8; 10];
        let over_64 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        /// Format, max, stream, fault, its offset, the byte it is caught at.
        type Row<'a> = (Format, usize, &'a [u8], Fault, u64, usize);
        let cases: Vec<Row> = vec![
            (Netstring, m, b":", NoDigits, 0, 0),
            (Netstring, m, b"5:hello,:", NoDigits, 8, 8),
            (Netstring, m, b"x", digit(b'x', true), 0, 0),
            (Netstring, m, b"-1:", digit(b'-', true), 0, 0),
            (Netstring, m, b"12x", digit(b'x', false), 2, 2),
            (Netstring, m, b"5hello,", digit(b'h', false), 1, 1),
            (Netstring, m, b"1 :a,", digit(b' ', false), 1, 1),
            (Netstring, m, b"05:hello,", LeadingZero, 1, 1),
            (Netstring, m, b"0:,00:,", LeadingZero, 4, 4),
            (Netstring, m, b"5:hello!", comma(b'!'), 7, 7),
            (Netstring, m, b"0:\n", comma(b'\n'), 2, 2),
            (Netstring, m, b"16777217:", over(16_777_217, false, m), 0, 7),
            (
                Netstring,
                m,
                b"2:ab,99999999",
                over(99_999_999, false, m),
                5,
                12,
            ),
            (Netstring, 10, b"11:", over(11, false, 10), 0, 1),
            (Netstring, 10, b"10:", Truncated { got: 0, len: 10 }, 0, 3),
            (
                Netstring,
                all,
                b"99999999999999999999",
                LengthOverflow,
                19,
                19,
            ),
            (
                Netstring,
                all,
                b"18446744073709551616",
                LengthOverflow,
                19,
                19,
            ),
            (Varint, m, &ten_80, VarintTooLong, 9, 9),
            (Varint, all, &ten_80, VarintTooLong, 9, 9),
            (Varint, all, &over_64, VarintOverflow, 9, 9),
            (
                Varint,
                m,
                &[0x80, 0x80, 0x80, 0x10],
                over(1 << 25, true, m),
                0,
                3,
            ),
            (
                Varint,
                m,
                &[0x80, 0x80, 0x80, 0x90],
                over(1 << 25, false, m),
                0,
                3,
            ),
            (Len1, 10, &[11], over(11, true, 10), 0, 0),
            (Len4, m, &[0x02], over(1 << 25, false, m), 0, 0),
            (
                Len4,
                m,
                &[0x01, 0, 0, 0x01],
                over((1 << 24) + 1, true, m),
                0,
                3,
            ),
            (Len8, m, &[0, 0, 0, 0, 2], over(1 << 25, false, m), 0, 4),
            (Len4Le, m, &[0, 0, 0, 2], over(1 << 25, true, m), 0, 3),
            (Len2Le, 255, &[0, 1], over(256, true, 255), 0, 1),
            (Len2, 255, &[0, 0, 1], over(256, false, 255), 2, 2),
        ];
        for (format, max, stream, fault, at, caught) in cases {
            let (err, i) = fails(format, max, stream);
            let label = format!("{format} {stream:?}: {err}");
            assert_eq!(err, DecodeError { at, format, fault }, "{label}");
            assert_eq!(i, caught, "{label}: caught at the wrong byte");
        }
    }

    #[test]
    fn an_early_error_names_the_offset_of_its_message() {
        // Two whole messages first: the error is at the third one's start.
        let mut wire = framed(Format::Len4, &[b"abc", b"de"]);
        wire.push(0x7f);
        let (messages, sound) = decode(Format::Len4, DEFAULT_MAX, &wire);
        assert_eq!(messages, [b"abc".to_vec(), b"de".to_vec()]);
        let err = sound.expect_err("over the limit");
        assert_eq!(
            err.to_string(),
            "message at byte 13 is at least 2130706432 bytes, over the limit of 16777216 \
             (--max-frame)"
        );
    }

    #[test]
    fn the_end_of_input_inside_a_message_is_a_truncation() {
        use Fault::*;
        use Format::*;
        let body = message(40);
        // 4096 bytes of whole messages, then 12 of a 40-byte message.
        let mut wire = framed(Len4, &[&message(2044), &message(2044)]);
        assert_eq!(wire.len(), 4096);
        wire.extend_from_slice(&[0, 0, 0, 40]);
        wire.extend_from_slice(&body[..12]);
        let (messages, sound) = decode(Len4, DEFAULT_MAX, &wire);
        assert_eq!(messages.len(), 2);
        let err = sound.expect_err("cut short");
        assert_eq!(
            err.to_string(),
            "truncated message at byte 4096: 12 of 40 bytes"
        );

        let part = |got| TruncatedPrefix { got };
        let cut = |got, len| Truncated { got, len };
        let open = |len| Unterminated { len };
        // (format, stream, its error's offset, fault)
        let cases: Vec<(Format, &[u8], u64, Fault)> = vec![
            (Len4, &[0, 0], 0, part(2)),
            (Len8Le, &[1, 0, 0, 0, 0, 0, 0], 0, part(7)),
            (Len1, &[3, b'a', 0], 0, cut(2, 3)),
            (Len1, &[3, b'a'], 0, cut(1, 3)),
            (Len2, &[0, 0, 0, 3], 2, cut(0, 3)),
            (Varint, &[0x80], 0, part(1)),
            (Varint, &[0x01], 0, cut(0, 1)),
            (Netstring, b"12", 0, part(2)),
            (Netstring, b"0:,5:hel", 3, cut(3, 5)),
            (Netstring, b"5:hello", 0, open(5)),
            (Netstring, b"0:", 0, open(0)),
        ];
        for (format, stream, at, fault) in cases {
            let (_, sound) = decode(format, DEFAULT_MAX, stream);
            let err = sound.expect_err("cut short");
            assert_eq!(
                err,
                DecodeError { at, format, fault },
                "{format} {stream:?}"
            );
        }
    }

    #[test]
    fn every_fault_reads_as_words() {
        use Fault::*;
        use Format::*;
        let max = DEFAULT_MAX;
        let cases = [
            (
                Len4,
                OverMax {
                    len: 1 << 25,
                    exact: true,
                    max,
                },
                "message at byte 7 is 33554432 bytes, over the limit of 16777216 (--max-frame)",
            ),
            (
                Len4,
                OverMax {
                    len: 1 << 25,
                    exact: false,
                    max,
                },
                "message at byte 7 is at least 33554432 bytes, over the limit of 16777216 \
              (--max-frame)",
            ),
            (
                Netstring,
                LengthOverflow,
                "bad netstring at byte 7: length over 64 bits",
            ),
            (
                Netstring,
                NoDigits,
                "bad netstring at byte 7: ':' before any length digit",
            ),
            (
                Netstring,
                NotADigit {
                    byte: 0,
                    first: true,
                },
                "bad netstring at byte 7: '\\x00' where a length digit belongs",
            ),
            (
                Netstring,
                NotADigit {
                    byte: b'x',
                    first: false,
                },
                "bad netstring at byte 7: 'x' where a length digit or ':' belongs",
            ),
            (
                Netstring,
                LeadingZero,
                "bad netstring at byte 7: length with a leading zero",
            ),
            (
                Netstring,
                MissingComma { byte: b';' },
                "bad netstring at byte 7: ';' where ',' ends the message",
            ),
            (
                Varint,
                VarintTooLong,
                "bad varint length at byte 7: more than 10 bytes",
            ),
            (
                Varint,
                VarintOverflow,
                "bad varint length at byte 7: over 64 bits",
            ),
            (
                Len2Le,
                TruncatedPrefix { got: 1 },
                "truncated length prefix at byte 7: 1 of 2 bytes",
            ),
            (
                Varint,
                TruncatedPrefix { got: 3 },
                "truncated varint length at byte 7: the input ended after 3 of its bytes",
            ),
            (
                Netstring,
                TruncatedPrefix { got: 3 },
                "truncated netstring at byte 7: 3 length digits and no ':'",
            ),
            (
                Len8,
                Truncated { got: 12, len: 40 },
                "truncated message at byte 7: 12 of 40 bytes",
            ),
            (
                Netstring,
                Unterminated { len: 5 },
                "truncated message at byte 7: no ',' after its 5 bytes",
            ),
        ];
        for (format, fault, words) in cases {
            let err = DecodeError {
                at: 7,
                format,
                fault,
            };
            assert_eq!(err.to_string(), words);
        }
    }

    #[test]
    fn empty_input_and_empty_messages_end_soundly() {
        for format in Format::ALL {
            assert_eq!(decode(format, 0, b""), (vec![], Ok(())), "{format}");
            let wire = framed(format, &[b"", b""]);
            assert_eq!(
                decode(format, 0, &wire),
                (vec![vec![], vec![]], Ok(())),
                "{format}"
            );
        }
        // A non-minimal varint is the number it spells.
        assert_eq!(
            decode(Format::Varint, 0, &[0x80, 0x00]),
            (vec![vec![]], Ok(()))
        );
    }

    #[test]
    fn after_an_error_the_same_error_comes_back() {
        let mut decoder = Decoder::new(Format::Netstring, DEFAULT_MAX);
        let err = decoder.next(b"x").expect_err("not a digit");
        assert_eq!(decoder.next(b"1:a,"), Err(err.clone()));
        assert_eq!(decoder.finish(), Err(err));
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        fn format() -> impl Strategy<Value = Format> {
            proptest::sample::select(Format::ALL.to_vec())
        }

        /// Messages of up to 300 bytes, so `len:1` sees both sides of 255
        /// (those it cannot carry are cut to 255).
        fn messages() -> impl Strategy<Value = Vec<Vec<u8>>> {
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8)
        }

        /// `data` cut at the (sorted, deduplicated) points.
        fn pieces(data: &[u8], mut cuts: Vec<usize>) -> Vec<&[u8]> {
            cuts.iter_mut().for_each(|c| *c %= data.len() + 1);
            cuts.sort_unstable();
            cuts.dedup();
            let mut out = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([data.len()]) {
                out.push(&data[from..cut]);
                from = cut;
            }
            out
        }

        /// Feed the pieces; what came out and how it ended.
        fn feed(
            format: Format,
            max: usize,
            pieces: &[&[u8]],
        ) -> (Vec<Vec<u8>>, Result<(), DecodeError>) {
            let mut collector = Collector::new(format, max);
            let mut got = Vec::new();
            for piece in pieces {
                if let Err(err) = collector.push_all(piece, &mut got) {
                    return (got, Err(err));
                }
            }
            let sound = collector.finish();
            (got, sound)
        }

        proptest! {
            #![proptest_config(crate::generated_cases())]

            #[test]
            fn any_split_gives_exactly_the_messages(
                format in format(),
                mut bodies in messages(),
                cuts in proptest::collection::vec(any::<usize>(), 0..20),
            ) {
                for body in &mut bodies {
                    body.truncate(format.most().min(300) as usize);
                }
                let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
                let wire = framed(format, &refs);
                let (got, sound) = feed(format, DEFAULT_MAX, &pieces(&wire, cuts));
                prop_assert_eq!(sound, Ok(()));
                prop_assert_eq!(got, bodies);
            }

            #[test]
            fn arbitrary_bytes_never_panic_and_split_changes_nothing(
                format in format(),
                max in prop_oneof![0usize..400, Just(DEFAULT_MAX), Just(usize::MAX)],
                bytes in proptest::collection::vec(any::<u8>(), 0..400),
                cuts in proptest::collection::vec(any::<usize>(), 0..20),
            ) {
                let whole = feed(format, max, &[&bytes]);
                let split = feed(format, max, &pieces(&bytes, cuts));
                prop_assert_eq!(&split, &whole);
                let (got, sound) = whole;
                prop_assert!(got.iter().all(|m| m.len() <= max));
                if let Err(err) = sound {
                    prop_assert!(err.at <= bytes.len() as u64, "{}", err);
                    prop_assert!(!err.to_string().is_empty());
                    // A malformed byte is caught as it arrives: the stream
                    // up to that byte fails the same way.
                    let malformed = !matches!(
                        err.fault,
                        Fault::OverMax { .. }
                            | Fault::TruncatedPrefix { .. }
                            | Fault::Truncated { .. }
                            | Fault::Unterminated { .. }
                    );
                    if malformed {
                        let upto = &bytes[..=err.at as usize];
                        let (_, early) = feed(format, max, &[upto]);
                        prop_assert_eq!(early, Err(err));
                    }
                }
            }

            #[test]
            fn the_widest_formats_carry_any_length(len in any::<u64>()) {
                let len = len as usize;
                for format in [Format::Varint, Format::Netstring, Format::Len8, Format::Len8Le] {
                    let frame = format.frame(len, usize::MAX).expect("any length fits");
                    let mut decoder = Decoder::new(format, usize::MAX);
                    let step = decoder.next(frame.head()).expect("sound");
                    prop_assert_eq!(step, Step { used: frame.head().len(), event: Some(Event::Start { len }) });
                }
            }
        }
    }
}

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
//! Here: [`Format`], what `--frame` names, and its parsing. `encode`: the
//! bytes around one message ([`Format::frame`] gives a [`Frame`]).
//! `decode`: the incremental [`Decoder`], bytes in any pieces to events.
//! `fault`: what a stream can have wrong, and its words ([`DecodeError`]).
//! `collect`: whole messages gathered from the events ([`Collector`]), the
//! form the pump and `send` use, and where the memory promise is kept.
//!
//! Driving it from a pump. Receiving: read into a buffer, hand the unread
//! bytes to [`Collector::push`] and consume what it took; a whole message
//! is then ready to write, message and newline. Stop decoding until it is
//! written: then a slow sink stops the reading, and whole messages decoded
//! before an error are written while nothing half-decoded is. At the end of
//! input, [`Collector::finish`] says whether the stream ended between
//! messages. Sending: for each message (a line), [`Format::frame`] with its
//! length, then write [`Frame::parts`] until [`Frame::wire_len`] bytes are
//! gone.

mod collect;
mod decode;
mod encode;
mod fault;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use crate::error::quote;

pub use collect::Collector;
pub use decode::{Decoder, Event, Step};
pub use encode::{EncodeError, Frame};
pub use fault::{DecodeError, Fault};

/// `--max-frame`'s default: more than a local service's message is likely
/// to be, little enough that a wrong prefix cannot make us allocate
/// gigabytes.
pub const DEFAULT_MAX: usize = 16 << 20;

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

    /// The `len:Nle` formats.
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

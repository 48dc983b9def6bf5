//! What a framed stream can have wrong, and how it reads. Every error names
//! a byte offset, counted from 0 at the first byte the decoder was given. A
//! malformed prefix names the byte that makes it malformed (a non-digit in
//! a netstring length, the second digit of `05:`, a 10th varint byte that
//! asks for an 11th). A length over `--max-frame`, and a message cut short
//! by the end of input, name the offset where that message (its prefix)
//! begins: `truncated message at byte 4096: 12 of 40 bytes`. A length
//! refused before its prefix is complete (the first byte of a `len:4`
//! prefix of `02` already means at least 32 MiB) says "at least".

use std::fmt;

use super::Format;
use crate::error::quote;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DEFAULT_MAX;

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
}

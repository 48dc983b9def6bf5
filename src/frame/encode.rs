//! Encoding: the bytes that go before a message and after it (only a
//! netstring has any after), never a copy of the message. The caller
//! writes head, message and tail, with one `writev` if it likes
//! ([`Frame::parts`]). A message too long for its prefix (256 bytes in
//! `len:1`) or over `--max-frame` is refused before anything is written.

use std::fmt;

use super::Format;

/// The longest head: the 20 digits of `u64::MAX` and a netstring's `:`.
const HEAD_MAX: usize = 21;

impl Format {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DEFAULT_MAX;

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
        let frame = Format::Netstring.frame(5, 16).expect("fits");
        assert_eq!(frame.parts(b"hello").concat(), b"5:hello,");
        let frame = Format::Netstring.frame(0, 0).expect("fits");
        assert_eq!(frame.parts(b""), [&b"0:"[..], b"", b","]);
        assert_eq!(frame.wire_len(), 3);
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
}

//! Whole messages from the decoder's events, each gathered into one `Vec`:
//! what the pump and `send -r` use, and where the memory promise is kept.
//!
//! The promise: a message is never held twice. The `Vec` ends at exactly
//! the message's length, so a 16 MiB message costs 16 MiB (plus the
//! caller's read buffer, whose bytes it has consumed). A length over the
//! limit is refused before anything is allocated, and within the limit the
//! `Vec` grows with the bytes that actually come (doubling, but never past
//! the announced length), so a prefix alone cannot make us take the
//! limit's worth of memory, whatever `--max-frame` says.

use super::{DecodeError, Decoder, Event, Format};

/// What a collector reserves for a message before its bytes come: a
/// peer's prefix alone should not decide how much memory we take.
const RESERVE_AHEAD: usize = 64 << 10;

/// Whole messages from a stream, each gathered into one `Vec` whose
/// capacity ends at exactly its length: the decoder for callers that want
/// messages, not events.
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

    /// The input has ended: fine between messages, an error inside one.
    pub fn finish(&self) -> Result<(), DecodeError> {
        self.decoder.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DEFAULT_MAX;

    fn framed(format: Format, messages: &[&[u8]]) -> Vec<u8> {
        let mut wire = Vec::new();
        for body in messages {
            let frame = format.frame(body.len(), DEFAULT_MAX).expect("fits");
            wire.extend(frame.parts(body).concat());
        }
        wire
    }

    #[test]
    fn a_collected_message_ends_at_exactly_its_length() {
        let body: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let wire = framed(Format::Len4, &[&body]);
        let mut collector = Collector::new(Format::Len4, DEFAULT_MAX);
        let mut got = Vec::new();
        for piece in wire.chunks(4096) {
            let (used, message) = collector.push(piece).expect("sound");
            assert_eq!(used, piece.len());
            got.extend(message);
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
    fn push_stops_after_each_message() {
        let wire = framed(Format::Netstring, &[b"ab", b"c"]);
        let mut collector = Collector::new(Format::Netstring, DEFAULT_MAX);
        assert_eq!(collector.push(&wire), Ok((5, Some(b"ab".to_vec()))));
        assert_eq!(collector.push(&wire[5..]), Ok((4, Some(b"c".to_vec()))));
        assert_eq!(collector.push(&[]), Ok((0, None)));
    }
}

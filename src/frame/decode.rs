//! Decoding: a stream's bytes, in whatever pieces they come (one byte at a
//! time or many messages in one read), turned into events: [`Event::Start`]
//! with the length once a prefix is complete, [`Event::Body`] with slices
//! of the caller's own input as the message's bytes come, [`Event::End`]
//! when it is whole. It takes one event's worth of input a call, so a
//! caller can stop after a message (to write it out) and come back for the
//! rest of the same read.
//!
//! Events rather than collected messages are the interface because they
//! leave the holding to the one who knows where the bytes go: the decoder
//! holds a few integers and no message byte. A malformed prefix is caught
//! at the byte that makes it malformed, and a length as soon as the bytes
//! so far prove it over the limit (`fault` says how each is named). After
//! an error the stream has no trustworthy boundaries left, so every later
//! call returns the same error.

use super::{DecodeError, Fault, Format};

/// A varint carries 64 bits in at most 10 bytes of 7 bits; the 10th may
/// hold only the top bit.
const VARINT_MAX: u8 = 10;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DEFAULT_MAX;

    #[test]
    fn body_events_are_slices_of_the_input() {
        let mut wire = Vec::new();
        for body in [&b"hello"[..], b"", b"world"] {
            let frame = Format::Len2.frame(body.len(), DEFAULT_MAX).expect("fits");
            wire.extend(frame.parts(body).concat());
        }
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
        assert_eq!(decoder.offset, wire.len() as u64);
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
    fn after_an_error_the_same_error_comes_back() {
        let mut decoder = Decoder::new(Format::Netstring, DEFAULT_MAX);
        let err = decoder.next(b"x").expect_err("not a digit");
        assert_eq!(decoder.next(b"1:a,"), Err(err.clone()));
        assert_eq!(decoder.finish(), Err(err));
    }
}

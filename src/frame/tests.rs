//! The public face, tested through it: names parse back, every format
//! carries every size it can, whole streams in any split give exactly their
//! messages, and every malformed or cut-short stream gives its error at the
//! right offset, caught at the right byte.

use super::*;

const SIZES: [usize; 7] = [0, 1, 255, 256, 65535, 65536, 1 << 20];

fn message(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// `message` behind its frame, appended to `out`.
fn encode(
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

fn framed(format: Format, messages: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        encode(format, m, DEFAULT_MAX, &mut out).expect("encodes");
    }
    out
}

/// Every message `input` completes, appended to `out`; on an error, those
/// before it are there.
fn push_all(
    collector: &mut Collector,
    input: &[u8],
    out: &mut Vec<Vec<u8>>,
) -> Result<(), DecodeError> {
    let mut at = 0;
    loop {
        let (used, message) = collector.push(&input[at..])?;
        at += used;
        match message {
            Some(message) => out.push(message),
            None => return Ok(()),
        }
    }
}

/// All the messages of a whole stream, and whether it was sound to the
/// end; the messages before an error are kept.
fn decode(format: Format, max: usize, stream: &[u8]) -> (Vec<Vec<u8>>, Result<(), DecodeError>) {
    let mut collector = Collector::new(format, max);
    let mut messages = Vec::new();
    let sound = push_all(&mut collector, stream, &mut messages).and_then(|()| collector.finish());
    (messages, sound)
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
            push_all(&mut collector, std::slice::from_ref(byte), &mut got)
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
        if let Err(err) = push_all(&mut collector, std::slice::from_ref(byte), &mut sink) {
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
            if let Err(err) = push_all(&mut collector, piece, &mut got) {
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

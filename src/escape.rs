//! The backslash escapes of `send -E` and of Unix names in addresses:
//! `\n \r \t \\ \0 \xHH`, and nothing else. Pure text in, bytes out; a
//! sequence it does not know is an error naming it, never passed through, so
//! a typo cannot reach a service as bytes the user did not mean. Where the
//! text comes from is the caller's business.

/// The sequences understood, for messages saying so.
pub const KNOWN: &str = r"\n \r \t \\ \0 \xHH";

/// A backslash sequence `unescape` does not know, as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEscape {
    /// The sequence from its backslash up to the first character that made
    /// it bad; just `\` when the text ends in a backslash.
    pub sequence: String,
}

impl BadEscape {
    /// The message, saying where the sequence was and who reads escapes:
    /// `bad escape '\q' in DATA (-E knows …)`.
    pub fn message(&self, place: &str, reader: &str) -> String {
        let at = if self.sequence == "\\" {
            format!("'\\' at the end of {place}")
        } else {
            format!("'{}' in {place}", shown(&self.sequence))
        };
        format!("bad escape {at} ({reader} {KNOWN})")
    }
}

/// Turn `text` into the bytes its escapes stand for. `\0` is one NUL byte
/// (not an octal escape: `\012` is NUL, '1', '2'); `\x` takes exactly two
/// hex digits.
pub fn unescape(text: &str) -> Result<Vec<u8>, BadEscape> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        let byte = match chars.next() {
            None => return Err(bad("\\")),
            Some('n') => b'\n',
            Some('r') => b'\r',
            Some('t') => b'\t',
            Some('\\') => b'\\',
            Some('0') => 0,
            Some('x') => hex_byte(&mut chars)?,
            Some(other) => return Err(bad(&format!("\\{other}"))),
        };
        out.push(byte);
    }
    Ok(out)
}

/// The two hex digits after `\x`.
fn hex_byte(chars: &mut std::str::Chars<'_>) -> Result<u8, BadEscape> {
    let mut sequence = String::from("\\x");
    let mut value = 0u8;
    for _ in 0..2 {
        let Some(c) = chars.next() else {
            return Err(bad(&sequence));
        };
        sequence.push(c);
        let Some(digit) = c.to_digit(16) else {
            return Err(bad(&sequence));
        };
        value = value * 16 + digit as u8;
    }
    Ok(value)
}

fn bad(sequence: &str) -> BadEscape {
    BadEscape {
        sequence: sequence.to_string(),
    }
}

/// Printable ASCII as itself (the backslash too: it is the point of the
/// message), anything else as `\xNN`.
fn shown(sequence: &str) -> String {
    let mut out = String::new();
    for c in sequence.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            let mut utf8 = [0; 4];
            out.push_str(&crate::error::escape(c.encode_utf8(&mut utf8).as_bytes()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_escapes() {
        assert_eq!(unescape(r"PING\r\n").unwrap(), b"PING\r\n");
        assert_eq!(unescape(r"a\tb\\c").unwrap(), b"a\tb\\c");
        assert_eq!(unescape(r"\0\x00\xff\x41\xfF").unwrap(), b"\0\0\xffA\xff");
        assert_eq!(unescape(r"\012").unwrap(), b"\x0012");
        assert_eq!(unescape("plain é").unwrap(), "plain é".as_bytes());
        assert_eq!(unescape("").unwrap(), b"");
    }

    #[test]
    fn unknown_escapes_are_named() {
        let cases = [
            (r"a\qb", r"\q"),
            (r"\", r"\"),
            (r"abc\", r"\"),
            (r"\x", r"\x"),
            (r"\x4", r"\x4"),
            (r"\x4g", r"\x4g"),
            (r"\xg1", r"\xg"),
            (r"\x\n", r"\x\"),
            (r"\e", r"\e"),
            (r"\ ", r"\ "),
            ("\\é", "\\é"),
        ];
        for (text, sequence) in cases {
            assert_eq!(
                unescape(text),
                Err(bad(sequence)),
                "unescape({text:?}) should name {sequence:?}"
            );
        }
    }

    #[test]
    fn messages_quote_the_sequence_readably() {
        assert_eq!(
            bad(r"\q").message("DATA", "-E knows"),
            r"bad escape '\q' in DATA (-E knows \n \r \t \\ \0 \xHH)"
        );
        assert!(
            bad(r"\")
                .message("DATA", "-E knows")
                .starts_with(r"bad escape '\' at the end of DATA")
        );
        assert!(
            bad("\\é")
                .message("DATA", "-E knows")
                .starts_with(r"bad escape '\\xc3\xa9' in DATA")
        );
    }

    #[test]
    fn every_byte_round_trips_through_hex() {
        for byte in 0..=255u8 {
            assert_eq!(unescape(&format!("\\x{byte:02x}")).unwrap(), [byte]);
        }
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Text heavy in backslashes and hex digits, then anything.
        fn any_text() -> impl Strategy<Value = String> {
            let c = prop_oneof![
                3 => proptest::sample::select("\\\\\\xnrt0aAfF9g".chars().collect::<Vec<_>>()),
                2 => any::<char>(),
            ];
            proptest::collection::vec(c, 0..300).prop_map(String::from_iter)
        }

        proptest! {
            #![proptest_config(crate::generated_cases())]

            #[test]
            fn unescape_never_panics(text in any_text()) {
                match unescape(&text) {
                    Ok(bytes) => prop_assert!(bytes.len() <= text.len()),
                    // The sequence it names is one that is in the text.
                    Err(bad) => {
                        prop_assert!(text.contains(&bad.sequence), "{:?} in {:?}", bad.sequence, text);
                        let _ = bad.message("DATA", "-E knows");
                    }
                }
            }

            #[test]
            fn printable_ascii_without_backslashes_is_itself(text in "[ -\\[\\]-~]{0,300}") {
                prop_assert_eq!(unescape(&text), Ok(text.into_bytes()));
            }

            #[test]
            fn any_bytes_come_back_from_their_escapes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
                let text: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
                prop_assert_eq!(unescape(&text), Ok(bytes));
            }
        }
    }
}

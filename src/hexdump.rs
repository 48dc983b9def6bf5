//! `-x/--hexdump`: every chunk of traffic as `hexdump -C` rows, each chunk
//! headed by its direction (`>` sent, `<` received), its byte offset within
//! that direction, the peer and a timestamp. Written to stderr, or appended
//! to `--hexdump-file` (appended, so a file we did not create is never cut).

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;

use crate::addr::Addr;

/// Where the dump goes: `-x` alone, or `--hexdump-file FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stderr,
    /// Appended to.
    File(PathBuf),
}

/// Which way a chunk went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

/// Where the dump goes and how far each direction has got.
pub struct Hexdump {
    out: Box<dyn Write>,
    sent: u64,
    received: u64,
}

impl Hexdump {
    /// The dump asked for, if any, ready to write (a file is opened now).
    pub fn open(destination: Option<&Destination>) -> anyhow::Result<Option<Hexdump>> {
        match destination {
            Some(Destination::File(path)) => Ok(Some(Hexdump::to_file(path)?)),
            Some(Destination::Stderr) => {
                Ok(Some(Hexdump::new(Box::new(crate::report::BlockingStderr))))
            }
            None => Ok(None),
        }
    }

    pub fn new(out: Box<dyn Write>) -> Hexdump {
        Hexdump {
            out,
            sent: 0,
            received: 0,
        }
    }

    fn to_file(path: &Path) -> anyhow::Result<Hexdump> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| {
                format!("open the hex dump file {}", crate::socket::path_text(path))
            })?;
        Ok(Hexdump::new(Box::new(file)))
    }

    /// Dump one chunk. A dump that cannot be written is dropped rather than
    /// stopping the traffic it describes.
    pub fn chunk(&mut self, direction: Direction, peer: &Addr, bytes: &[u8]) {
        let offset = self.advance(direction, bytes.len());
        self.write(None, direction, offset, peer, bytes, "");
    }

    /// Dump one `--frame` message, its length in the header.
    pub fn message(&mut self, direction: Direction, peer: &Addr, bytes: &[u8]) {
        let offset = self.advance(direction, bytes.len());
        let length = format!(" message of {} bytes", bytes.len());
        self.write(None, direction, offset, peer, bytes, &length);
    }

    /// Dump one chunk of a `forward` pair: headed by the pair's number, the
    /// direction (`>` client to target, `<` back), the chunk's offset in
    /// that direction (the pair's own) and the client's address.
    pub fn pair_chunk(
        &mut self,
        pair: u64,
        direction: Direction,
        offset: u64,
        peer: &Addr,
        bytes: &[u8],
    ) {
        self.write(Some(pair), direction, offset, peer, bytes, "");
    }

    /// This direction's offset before `len` more bytes.
    fn advance(&mut self, direction: Direction, len: usize) -> u64 {
        let offset = match direction {
            Direction::Sent => &mut self.sent,
            Direction::Received => &mut self.received,
        };
        let at = *offset;
        *offset += len as u64;
        at
    }

    /// The header (`[#pair ]arrow offset peer time[suffix]`) and the rows.
    fn write(
        &mut self,
        pair: Option<u64>,
        direction: Direction,
        offset: u64,
        peer: &Addr,
        bytes: &[u8],
        suffix: &str,
    ) {
        let time = humantime::format_rfc3339_micros(SystemTime::now());
        let pair = pair.map(|n| format!("#{n} ")).unwrap_or_default();
        let text = format!(
            "{pair}{} {offset} {peer} {time}{suffix}\n{}",
            arrow(direction),
            rows(offset, bytes)
        );
        let _ = self
            .out
            .write_all(text.as_bytes())
            .and_then(|_| self.out.flush());
    }
}

/// Dump a chunk when there is a dump.
pub fn show(dump: Option<&mut Hexdump>, direction: Direction, peer: &Addr, bytes: &[u8]) {
    if let Some(dump) = dump {
        dump.chunk(direction, peer, bytes);
    }
}

fn arrow(direction: Direction) -> char {
    match direction {
        Direction::Sent => '>',
        Direction::Received => '<',
    }
}

/// `hexdump -C` rows for `bytes`, numbered from `offset`: eight hex bytes,
/// a gap, eight more, then the printable ASCII between bars.
pub fn rows(offset: u64, bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 5);
    for (i, row) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:08x} ", offset + 16 * i as u64);
        for column in 0..16 {
            if column == 8 {
                out.push(' ');
            }
            match row.get(column) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(row.iter().map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_hexdump_c() {
        assert_eq!(
            rows(0, b"hello world\n"),
            "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|\n"
        );
        let bytes: Vec<u8> = (0u8..20).collect();
        assert_eq!(
            rows(0x10, &bytes),
            "00000010  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|\n\
             00000020  10 11 12 13                                       |....|\n"
        );
        assert_eq!(rows(0, b""), "");
    }

    #[test]
    fn offsets_run_per_direction() {
        let peer = Addr::Fd(3);
        let shared = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut dump = Hexdump::new(Box::new(Sink(shared.clone())));
        dump.chunk(Direction::Sent, &peer, b"abc");
        dump.chunk(Direction::Received, &peer, b"x");
        dump.chunk(Direction::Sent, &peer, b"de");
        let text = String::from_utf8(shared.borrow().clone()).unwrap();
        let heads: Vec<&str> = text.lines().filter(|l| l.starts_with(['>', '<'])).collect();
        assert!(heads[0].starts_with("> 0 fd:3 "), "{text}");
        assert!(heads[1].starts_with("< 0 fd:3 "), "{text}");
        assert!(heads[2].starts_with("> 3 fd:3 "), "{text}");
        assert!(text.contains("00000003  64 65"), "{text}");
    }
}

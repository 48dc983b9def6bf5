//! `--frame`: length-prefixed messages against a Python server that reads
//! frames with `struct` and replies with frames, in every format; a 16 MiB
//! message; a reply cut short, a length over `--max-frame`, a line too
//! long for its prefix; and `--frame` where it cannot apply.

use std::process::{Command, Stdio};

use crate::support::{Proc, Sockcat, TIMEOUT, TempDir, require};

/// A Unix stream server speaking FORMAT: for each message it reads it
/// replies as MODE says (`echo`: "got " and the message; `same`: the
/// message; `quiet`: nothing; `truncate`: a
/// prefix announcing 40 bytes, then 12, then close; `oversize`: a prefix
/// announcing 5000 bytes).
const SERVER: &str = r#"
import socket, struct, sys
path, fmt, mode = sys.argv[1], sys.argv[2], sys.argv[3]
LEN = {"len:1": ">B", "len:2": ">H", "len:4": ">I", "len:8": ">Q",
       "len:2le": "<H", "len:4le": "<I", "len:8le": "<Q"}
def read_exact(f, n):
    b = f.read(n)
    if len(b) < n:
        raise EOFError
    return b
def read_msg(f):
    if fmt in LEN:
        s = struct.Struct(LEN[fmt])
        return read_exact(f, s.unpack(read_exact(f, s.size))[0])
    if fmt == "varint":
        n, shift = 0, 0
        while True:
            b = read_exact(f, 1)[0]
            n |= (b & 0x7f) << shift
            shift += 7
            if b < 0x80:
                return read_exact(f, n)
    digits = b""
    while True:
        c = read_exact(f, 1)
        if c == b":":
            break
        digits += c
    body = read_exact(f, int(digits))
    assert read_exact(f, 1) == b","
    return body
def prefix(n):
    if fmt in LEN:
        return struct.pack(LEN[fmt], n)
    if fmt == "varint":
        out = b""
        while True:
            low = n & 0x7f
            n >>= 7
            out += bytes([low | (0x80 if n else 0)])
            if not n:
                return out
    return str(n).encode() + b":"
def frame(body):
    return prefix(len(body)) + body + (b"," if fmt == "netstring" else b"")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen()
print("ready", file=sys.stderr, flush=True)
c, _ = s.accept()
f = c.makefile("rb")
while True:
    try:
        body = read_msg(f)
    except EOFError:
        break
    print("message", len(body), file=sys.stderr, flush=True)
    if mode == "echo":
        c.sendall(frame(b"got " + body))
    elif mode == "same":
        c.sendall(frame(body))
    elif mode == "quiet":
        pass
    elif mode == "truncate":
        c.sendall(prefix(40) + b"x" * 12)
        break
    elif mode == "oversize":
        c.sendall(prefix(5000))
        break
c.close()
"#;

fn server(dir: &TempDir, format: &str, mode: &str) -> (Proc, String) {
    let path = dir.join("framed.sock");
    let mut py = Proc::spawn_with(
        Command::new("python3").args(["-c", SERVER, &path, format, mode]),
        Stdio::null(),
    );
    py.wait_for_stderr("ready", TIMEOUT);
    (py, format!("unix:{path}"))
}

const FORMATS: [&str; 9] = [
    "len:1",
    "len:2",
    "len:4",
    "len:8",
    "len:2le",
    "len:4le",
    "len:8le",
    "varint",
    "netstring",
];

#[test]
fn every_format_sends_lines_as_messages_and_prints_replies_a_line_each() {
    if !require("python3") {
        return;
    }
    for format in FORMATS {
        let dir = TempDir::new();
        let (py, addr) = server(&dir, format, "echo");
        let out = Sockcat::run(
            ["connect", "--frame", format, &addr],
            b"{\"cmd\":\"status\"}\nsecond line\r\n\nno newline at the end",
            TIMEOUT,
        );
        out.assert_success();
        assert_eq!(
            out.stdout_str(),
            "got {\"cmd\":\"status\"}\ngot second line\r\ngot \ngot no newline at the end\n",
            "{format}: {out}"
        );
        let served = py.wait(TIMEOUT);
        assert_eq!(
            served.stderr.matches("message").count(),
            4,
            "{format}: {served}"
        );
    }
}

#[test]
fn a_16_mib_message_passes_through_whole() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (_py, addr) = server(&dir, "len:4", "same");
    let mut line: Vec<u8> = crate::support::pattern(16 << 20, 19)
        .into_iter()
        .map(|b| b'a' + b % 26)
        .collect();
    line.push(b'\n');
    let out = Sockcat::run(["connect", "--frame", "len:4", &addr], &line, TIMEOUT * 2);
    out.assert_success();
    assert!(out.stdout == line, "{} bytes back", out.stdout.len());
}

#[test]
fn a_reply_cut_short_is_exit_1_with_its_offset() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (_py, addr) = server(&dir, "len:4", "truncate");
    let out = Sockcat::run(["connect", "--frame", "len:4", &addr], b"hi\n", TIMEOUT);
    out.assert_code(1);
    assert_eq!(out.stdout, b"", "{out}");
    assert!(
        out.stderr
            .contains("truncated message at byte 0: 12 of 40 bytes"),
        "{out}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
}

#[test]
fn a_length_over_max_frame_is_exit_1_without_waiting_for_it() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (_py, addr) = server(&dir, "len:4", "oversize");
    let out = Sockcat::run(
        ["connect", "--frame", "len:4", "--max-frame", "1000", &addr],
        b"hi\n",
        TIMEOUT,
    );
    out.assert_code(1);
    // Caught at the first byte that proves it over, not at the whole prefix.
    assert!(out.stderr.contains("over the limit of 1000"), "{out}");
    assert!(out.stderr.contains("--max-frame"), "{out}");
}

#[test]
fn a_line_too_long_for_its_prefix_is_exit_1_and_none_of_it_is_sent() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (py, addr) = server(&dir, "len:1", "echo");
    let mut input = b"short\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 300));
    input.push(b'\n');
    let out = Sockcat::run(["connect", "--frame", "len:1", &addr], &input, TIMEOUT);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("message of 300 bytes is too long for len:1"),
        "{out}"
    );
    assert_eq!(out.stdout_str(), "got short\n", "{out}");
    let served = py.wait(TIMEOUT);
    assert_eq!(served.stderr.matches("message").count(), 1, "{served}");
}

#[test]
fn frame_on_a_datagram_or_seqpacket_socket_is_exit_2() {
    let dir = TempDir::new();
    for addr in [
        "udp:127.0.0.1:9".to_string(),
        format!("unix-dgram:{}", dir.join("d.sock")),
    ] {
        let out = Sockcat::run(["connect", "--frame", "len:4", &addr], b"", TIMEOUT);
        out.assert_code(2);
        assert!(
            out.stderr.contains("--frame needs a stream socket"),
            "{out}"
        );
    }
    let out = Sockcat::run(
        ["connect", "--frame", "len:3", "udp:127.0.0.1:9"],
        b"",
        TIMEOUT,
    );
    out.assert_code(2);
    let out = Sockcat::run(
        [
            "listen",
            "-k",
            "--frame",
            "len:4",
            &format!("unix-seqpacket:{}", dir.join("q.sock")),
        ],
        b"",
        TIMEOUT,
    );
    out.assert_code(2);
    assert!(
        out.stderr.contains("--frame needs a stream socket"),
        "{out}"
    );
    // A child of -e or -c has the socket itself: sockcat never sees the
    // messages, so framing them is refused, not ignored.
    for exec in [&["-e", "cat"][..], &["-c", "cat"]] {
        let mut args = vec!["listen", "-k", "--frame", "len:4"];
        args.extend(exec);
        args.push("tcp:127.0.0.1:0");
        let out = Sockcat::run(&args, b"", TIMEOUT);
        out.assert_code(2);
        assert!(
            out.stderr
                .contains("--frame does not combine with -e or -c: the child reads and writes"),
            "{out}"
        );
        assert_eq!(out.stderr.lines().count(), 1, "{out}");
    }
}

/// `send --frame -r`: the payload as one message, and exactly one whole
/// message back, printed on its line, while the write side stays open
/// (the server replies before it sees any end of file).
#[test]
fn send_frame_reply_waits_for_one_whole_message() {
    if !require("python3") {
        return;
    }
    for format in ["len:4", "varint", "netstring"] {
        let dir = TempDir::new();
        let (py, addr) = server(&dir, format, "echo");
        let out = Sockcat::run(
            [
                "send", "--frame", format, "-r", "-W", "10s", &addr, "ping", "me",
            ],
            b"",
            TIMEOUT,
        );
        out.assert_success();
        assert_eq!(out.stdout_str(), "got ping me\n", "{format}: {out}");
        let served = py.wait(TIMEOUT);
        assert_eq!(served.stderr.matches("message").count(), 1, "{served}");
    }
    // --lines: one message per line.
    let dir = TempDir::new();
    let (py, addr) = server(&dir, "len:2", "quiet");
    let out = Sockcat::run(
        ["send", "--frame", "len:2", "--lines", &addr, "-f", "-"],
        b"one\ntwo\n",
        TIMEOUT,
    );
    out.assert_success();
    let served = py.wait(TIMEOUT);
    assert_eq!(served.stderr.matches("message").count(), 2, "{served}");
    // Too long for its prefix: exit 1 and nothing is sent (not even a
    // connection is made: the server still waits for its first).
    let dir = TempDir::new();
    let (py, addr) = server(&dir, "len:1", "echo");
    let out = Sockcat::run(
        ["send", "--frame", "len:1", &addr, &"x".repeat(300)],
        b"",
        TIMEOUT,
    );
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("message of 300 bytes is too long for len:1"),
        "{out}"
    );
    let ok = Sockcat::run(["send", "--frame", "len:1", &addr, "fits"], b"", TIMEOUT);
    ok.assert_success();
    let served = py.wait(TIMEOUT);
    assert_eq!(served.stderr.matches("message").count(), 1, "{served}");
}

/// `-x` with `--frame` dumps one message per chunk: the line sent (its
/// body, whatever the prefix) and the reply received, each whole.
#[test]
fn hexdump_shows_one_message_per_chunk() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (_py, addr) = server(&dir, "len:4", "echo");
    let out = Sockcat::run(
        ["connect", "-x", "--frame", "len:4", &addr],
        b"hello\n",
        TIMEOUT,
    );
    out.assert_success();
    assert_eq!(out.stdout_str(), "got hello\n");
    let headers: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with(['>', '<']))
        .collect();
    assert_eq!(headers.len(), 2, "{out}");
    assert!(headers[0].ends_with("message of 5 bytes"), "{out}");
    assert!(headers[1].ends_with("message of 9 bytes"), "{out}");
    assert!(out.stderr.contains("|hello|"), "{out}");
    assert!(out.stderr.contains("|got hello|"), "{out}");
}

/// `--events json` counts whole messages as well as bytes with `--frame`.
#[test]
fn events_count_messages() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (_py, addr) = server(&dir, "netstring", "echo");
    let out = Sockcat::run(
        ["--events", "json", "connect", "--frame", "netstring", &addr],
        b"a\nbb\nccc\n",
        TIMEOUT,
    );
    out.assert_success();
    let closed = out
        .stderr
        .lines()
        .find(|l| l.contains("\"closed\""))
        .expect("a closed event");
    let value: serde_json::Value = serde_json::from_str(closed).expect("JSON");
    assert_eq!(value["tx_messages"], 3, "{closed}");
    assert_eq!(value["rx_messages"], 3, "{closed}");
    // Bytes on the wire: "1:a," "2:bb," "3:ccc," out; each "got " longer back.
    assert_eq!(value["tx"], 4 + 5 + 6, "{closed}");
}

/// sockcat on both ends: `listen --frame` and `connect --frame` exchange
/// messages, each printing what the other sent, a line each.
#[test]
fn listen_and_connect_speak_frames_to_each_other() {
    let dir = TempDir::new();
    let addr = format!("unix:{}", dir.join("f.sock"));
    let mut server = Sockcat::spawn(["-v", "listen", "--frame", "len:2le", &addr]);
    server.feed(b"from listen\n");
    server.close_stdin();
    server.listening();
    let client = Sockcat::run(
        ["connect", "--frame", "len:2le", &addr],
        b"from connect\nsecond\n",
        TIMEOUT,
    );
    client.assert_success();
    assert_eq!(client.stdout_str(), "from listen\n", "{client}");
    let served = server.wait(TIMEOUT);
    served.assert_success();
    assert_eq!(served.stdout_str(), "from connect\nsecond\n", "{served}");
}

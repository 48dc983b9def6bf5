//! `--frame`: length-prefixed messages against a Python server that reads
//! frames with `struct` and replies with frames, in every format; a 16 MiB
//! message; a reply cut short, a length over `--max-frame`, a line too
//! long for its prefix; and `--frame` where it cannot apply.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use sockcat::signals::timeout_until;

use crate::support::{Proc, Sockcat, TIMEOUT, TempDir, bin, give_up_after, require, wait_until};

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

/// `-x` with `--frame` dumps one message per chunk, `connect` and `send`
/// alike: the message sent (its body, whatever the prefix) and the reply.
#[test]
fn hexdump_shows_one_message_per_chunk() {
    if !require("python3") {
        return;
    }
    // connect reads the message from stdin; send takes it as DATA.
    let cases: [(&[&str], &[u8]); 2] = [
        (&["connect", "-x", "--frame", "len:4"], b"hello\n"),
        (&["send", "-x", "-r", "--frame", "len:4"], b""),
    ];
    for (args, input) in cases {
        let dir = TempDir::new();
        let (_py, addr) = server(&dir, "len:4", "echo");
        let mut argv = args.to_vec();
        argv.push(&addr);
        if args[0] == "send" {
            argv.push("hello");
        }
        let out = Sockcat::run(argv, input, TIMEOUT);
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

/// `send --frame -r -W`: a server that takes the message and never replies
/// costs the wait and no more; no reply is a run-time failure, status 1.
#[test]
fn send_frame_reply_gives_up_after_its_wait() {
    if !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let (py, addr) = server(&dir, "len:4", "quiet");
    let start = Instant::now();
    let out = Sockcat::run(
        [
            "send", "--frame", "len:4", "-r", "-W", "500ms", &addr, "ping",
        ],
        b"",
        TIMEOUT,
    );
    let took = start.elapsed();
    out.assert_code(1);
    assert!(out.stderr.contains("no reply within 500ms"), "{out}");
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(out.stdout.is_empty(), "{out}");
    assert!(took >= Duration::from_millis(500), "gave up after {took:?}");
    assert!(took < Duration::from_secs(5), "gave up only after {took:?}");
    // The message went whole; the server saw it before sockcat gave up.
    let served = py.wait(TIMEOUT);
    assert_eq!(served.stderr.matches("message 4").count(), 1, "{served}");
}

/// How long a write must find no room before the reader counts as stopped.
/// Only a sockcat that wrongly keeps reading can make this wait matter: one
/// that stops is found stopped, however slow the machine.
const STALL: Duration = Duration::from_secs(1);

/// Write `data` to `to`, made non-blocking, until all of it is taken or the
/// reader has stopped: `STALL` with no room. Returns how much was taken.
fn offer(to: &impl AsFd, data: &[u8]) -> usize {
    let fd = to.as_fd();
    let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL).expect("F_GETFL"));
    fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).expect("O_NONBLOCK");
    let mut taken = 0;
    while taken < data.len() {
        match nix::unistd::write(fd, &data[taken..]) {
            Ok(n) => taken += n,
            Err(Errno::EAGAIN) => {
                let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
                let wait = PollTimeout::try_from(STALL).expect("a short wait");
                if poll(&mut fds, wait).expect("poll") == 0 {
                    break;
                }
            }
            Err(Errno::EINTR) => {}
            Err(e) => panic!("write: {e}"),
        }
    }
    fcntl(fd, FcntlArg::F_SETFL(flags)).expect("blocking again");
    taken
}

/// sockcat's stdout as a pipe the test reads only when it chooses: until
/// then a full pipe stops sockcat's writing, as a slow reader would.
struct SlowStdout(File);

/// The pipe, and its write end for the child.
fn slow_stdout() -> (SlowStdout, Stdio) {
    let (read, write) = nix::unistd::pipe().expect("pipe");
    (SlowStdout(File::from(read)), Stdio::from(write))
}

impl SlowStdout {
    /// Exactly `n` bytes, within `timeout`.
    #[track_caller]
    fn take(&mut self, n: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        let mut out = vec![0; n];
        let mut got = 0;
        while got < n {
            let mut fds = [PollFd::new(self.0.as_fd(), PollFlags::POLLIN)];
            let ready = poll(&mut fds, timeout_until(Some(deadline))).expect("poll");
            assert!(ready > 0, "{got} of {n} bytes on stdout within {timeout:?}");
            match self.0.read(&mut out[got..]) {
                Ok(0) => panic!("stdout ended after {got} of {n} bytes"),
                Ok(k) => got += k,
                Err(e) => panic!("read stdout: {e}"),
            }
        }
        out
    }

    /// Everything to its end, within `timeout`.
    fn rest(mut self, timeout: Duration) -> Vec<u8> {
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut all = Vec::new();
            let _ = self.0.read_to_end(&mut all);
            let _ = tx.send(all);
        });
        rx.recv_timeout(timeout).expect("stdout to end")
    }
}

/// `len:4` in the test's own words: an independent check of sockcat's.
fn len4(body: &[u8]) -> Vec<u8> {
    let mut wire = (body.len() as u32).to_be_bytes().to_vec();
    wire.extend_from_slice(body);
    wire
}

/// Read one `len:4` message from `from`.
fn read_len4(from: &mut impl Read) -> Vec<u8> {
    let mut head = [0u8; 4];
    from.read_exact(&mut head).expect("a length prefix");
    let mut body = vec![0; u32::from_be_bytes(head) as usize];
    from.read_exact(&mut body).expect("the message");
    body
}

/// Every `len:4` message of `from`, to its end.
fn read_all_len4(from: &mut impl Read) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut head = [0u8; 4];
    loop {
        match from.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return messages,
            Err(e) => panic!("read a prefix: {e}"),
        }
        let mut body = vec![0; u32::from_be_bytes(head) as usize];
        from.read_exact(&mut body).expect("the message");
        messages.push(body);
    }
}

/// `count` distinct lines of `len` bytes each, newline included.
fn lines(count: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * len);
    for i in 0..count {
        let line = format!("{i:08} ");
        out.extend_from_slice(line.as_bytes());
        out.extend(std::iter::repeat_n(
            b'a' + (i % 26) as u8,
            len - line.len() - 1,
        ));
        out.push(b'\n');
    }
    out
}

/// A Unix listener for sockcat to connect to, and its address.
fn unix_peer(dir: &TempDir) -> (UnixListener, String) {
    let path = dir.join("peer.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    give_up_after(&listener, TIMEOUT);
    (listener, format!("unix:{path}"))
}

/// The peak of a process's resident memory so far, in KiB.
fn peak_kb(proc: &Proc) -> u64 {
    crate::faults::status_kb(proc.pid(), "VmHWM")
}

const OFFERED: usize = 64 << 20;

/// The relay with `--frame` keeps its backpressure both ways. A peer that
/// reads nothing stops sockcat reading stdin (it holds a line, not the
/// input), and a stdout nobody reads stops it reading the peer (it holds
/// one message); 64 MiB is offered each way, a few MiB at most is taken,
/// and sockcat's peak memory stays far under what was offered. Then both
/// readers read, and every message arrives whole, in order.
#[test]
fn a_slow_reader_stops_the_reading_either_way() {
    let dir = TempDir::new();
    let (listener, addr) = unix_peer(&dir);
    let (stdout, out) = slow_stdout();
    let mut sockcat = Proc::spawn_to(
        Command::new(bin()).args(["connect", "--frame", "len:4", &addr]),
        Stdio::piped(),
        out,
    );
    let (peer, _) = listener.accept().expect("sockcat connects");
    give_up_after(&peer, TIMEOUT);
    let stdin = sockcat.take_stdin();

    // stdin to a peer that does not read.
    let input = lines(OFFERED / 4096, 4096);
    let taken_in = offer(&stdin, &input);
    // What the peer sends, to a stdout nobody reads.
    let replies: Vec<Vec<u8>> = (0..OFFERED / 4096)
        .map(|i| format!("reply {i} ").into_bytes().repeat(400))
        .collect();
    let wire: Vec<u8> = replies.iter().flat_map(|r| len4(r)).collect();
    let taken_out = offer(&peer, &wire);
    let peak = peak_kb(&sockcat);
    eprintln!(
        "stopped after {taken_in} bytes of stdin and {taken_out} from the peer; peak {peak} KiB"
    );
    assert!(taken_in < 8 << 20, "sockcat read {taken_in} bytes of stdin");
    assert!(
        taken_out < 8 << 20,
        "sockcat read {taken_out} bytes from the peer"
    );
    assert!(peak < 32 << 10, "sockcat's memory peaked at {peak} KiB");

    // Now everyone reads, and the rest goes through.
    let mut reader = peer.try_clone().expect("clone");
    let received = thread::spawn(move || read_all_len4(&mut reader));
    let mut writer = peer.try_clone().expect("clone");
    let sent = thread::spawn(move || {
        writer
            .write_all(&wire[taken_out..])
            .expect("the rest to sockcat");
        writer
            .shutdown(std::net::Shutdown::Write)
            .expect("shutdown");
    });
    let printed = thread::spawn(move || stdout.rest(TIMEOUT * 2));
    let mut stdin = stdin;
    stdin
        .write_all(&input[taken_in..])
        .expect("the rest of stdin");
    drop(stdin);
    sent.join().expect("sender");
    let received = received.join().expect("receiver");
    let expected: Vec<&[u8]> = input
        .strip_suffix(b"\n")
        .unwrap()
        .split(|&b| b == b'\n')
        .collect();
    assert_eq!(received.len(), expected.len(), "messages from stdin");
    assert!(
        received.iter().zip(&expected).all(|(r, e)| r == e),
        "in order, whole"
    );
    let printed = printed.join().expect("stdout");
    let mut want = Vec::new();
    for reply in &replies {
        want.extend_from_slice(reply);
        want.push(b'\n');
    }
    assert!(
        printed == want,
        "{} bytes printed of {}",
        printed.len(),
        want.len()
    );
    sockcat.wait(TIMEOUT).assert_success();
}

/// A 16 MiB message (the default `--max-frame`) is held once, whole, each
/// way: receiving, the message and a read buffer; sending, the line it is
/// read into. The peak stays far under two copies of it.
#[test]
fn a_16_mib_message_is_held_once() {
    let dir = TempDir::new();
    let (listener, addr) = unix_peer(&dir);
    let (mut stdout, out) = slow_stdout();
    let mut sockcat = Proc::spawn_to(
        Command::new(bin()).args(["connect", "--frame", "len:4", &addr]),
        Stdio::piped(),
        out,
    );
    let (peer, _) = listener.accept().expect("sockcat connects");
    give_up_after(&peer, TIMEOUT);
    let body: Vec<u8> = crate::support::pattern(16 << 20, 7)
        .into_iter()
        .map(|b| b'a' + b % 26)
        .collect();

    // Received: the peer sends it, stdout gets it and its newline.
    let mut writer = peer.try_clone().expect("clone");
    let wire = len4(&body);
    let sender = thread::spawn(move || writer.write_all(&wire).expect("send"));
    let printed = stdout.take(body.len() + 1, TIMEOUT);
    sender.join().expect("sender");
    assert!(printed[..body.len()] == body[..] && printed[body.len()] == b'\n');
    let received_peak = peak_kb(&sockcat);

    // Sent: one 16 MiB line on stdin is one message to the peer.
    let mut stdin = sockcat.take_stdin();
    let mut line = body.clone();
    line.push(b'\n');
    let feeder = thread::spawn(move || stdin.write_all(&line).expect("stdin"));
    let mut reader = peer.try_clone().expect("clone");
    let message = read_len4(&mut reader);
    feeder.join().expect("feeder");
    assert!(message == body, "{} bytes came", message.len());
    let peak = peak_kb(&sockcat);
    eprintln!("peak {received_peak} KiB receiving, {peak} KiB after sending too");
    assert!(
        received_peak < 40 << 10,
        "receiving peaked at {received_peak} KiB"
    );
    assert!(peak < 40 << 10, "sending peaked at {peak} KiB");
    drop(reader);
    drop(peer);
    sockcat.wait(TIMEOUT).assert_success();
}

/// A connection to a listener at `path` that may not be listening yet:
/// connect until one is accepted into its queue (the socket file appears
/// at bind, a moment before listen).
fn connect_when_listening(path: &str) -> UnixStream {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match UnixStream::connect(path) {
            Ok(conn) => {
                give_up_after(&conn, TIMEOUT);
                return conn;
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                thread::yield_now();
            }
            Err(e) => panic!("connect {path}: {e}"),
        }
    }
}

/// Wait until sockcat has read everything `conn` sent.
fn read_by_sockcat(conn: &UnixStream) {
    wait_until("sockcat to read what was sent", TIMEOUT, || {
        crate::faults::unacknowledged(conn) == 0
    });
}

/// `listen -k --frame`: every peer's messages are printed whole, one a
/// line, never with a part of another peer's inside: not while one peer's
/// message is still coming in pieces (another's whole one goes first), and
/// not while a long one is still being written to a slow stdout (another's
/// waits its turn). Each line of stdin reaches every peer as one message.
#[test]
fn listen_k_prints_each_peers_messages_whole_and_frames_stdin_for_all() {
    let dir = TempDir::new();
    let path = dir.join("k.sock");
    let (mut stdout, out) = slow_stdout();
    let mut sockcat = Proc::spawn_to(
        Command::new(bin()).args([
            "-v",
            "listen",
            "-k",
            "--frame",
            "len:4",
            &format!("unix:{path}"),
        ]),
        Stdio::piped(),
        out,
    );
    sockcat.listening();
    let mut a = UnixStream::connect(&path).expect("connect a");
    sockcat.wait_for_stderr("accepted", TIMEOUT);
    let mut b = UnixStream::connect(&path).expect("connect b");
    sockcat.wait_for_stderr("accepted", TIMEOUT);
    give_up_after(&a, TIMEOUT);
    give_up_after(&b, TIMEOUT);

    // A's message comes in two pieces; B's whole one, sent in between, is
    // printed first and alone.
    let long = crate::support::pattern(4 << 20, 11)
        .into_iter()
        .map(|x| b'A' + x % 26)
        .collect::<Vec<u8>>();
    let wire = len4(&long);
    let half = wire.len() / 2;
    let mut a_writer = a.try_clone().expect("clone");
    let first = wire[..half].to_vec();
    thread::spawn(move || a_writer.write_all(&first).expect("a's first half"))
        .join()
        .expect("a writes");
    read_by_sockcat(&a);
    b.write_all(&len4(b"from b")).expect("b sends");
    assert_eq!(stdout.take(7, TIMEOUT), b"from b\n");

    // The rest of A's message: sockcat has it whole and writes it to a
    // stdout nobody reads yet, so the write stops part way. B's next
    // message, read meanwhile, waits for the end of A's.
    let mut a_writer = a.try_clone().expect("clone");
    let rest = wire[half..].to_vec();
    thread::spawn(move || a_writer.write_all(&rest).expect("a's second half"))
        .join()
        .expect("a writes");
    read_by_sockcat(&a);
    b.write_all(&len4(b"b again")).expect("b sends");
    read_by_sockcat(&b);
    let printed = stdout.take(long.len() + 1 + 8, TIMEOUT);
    assert!(
        printed[..long.len()] == long[..],
        "a's message whole, first"
    );
    assert_eq!(&printed[long.len()..], b"\nb again\n");

    // A line of stdin is one message to each peer, however many lines a
    // read brings.
    let mut stdin = sockcat.take_stdin();
    stdin.write_all(b"to everyone\n").expect("stdin");
    assert_eq!(read_len4(&mut a), b"to everyone");
    assert_eq!(read_len4(&mut b), b"to everyone");
    let many: Vec<String> = (0..5000).map(|i| format!("line {i}")).collect();
    stdin
        .write_all((many.join("\n") + "\n").as_bytes())
        .expect("stdin");
    // stdin's end shuts each peer's reading side, after what it was sent.
    drop(stdin);
    for peer in [&mut a, &mut b] {
        let got = read_all_len4(peer);
        assert!(
            got.iter()
                .map(Vec::as_slice)
                .eq(many.iter().map(String::as_bytes))
        );
    }
    drop((a, b));
    // Messages counted each way: A sent one, B two; each was sent 5001.
    let mut closed: Vec<String> = (0..2)
        .map(|_| sockcat.wait_for_stderr("closed", TIMEOUT))
        .map(|line| line.rsplit_once("; ").expect("counts").1.to_string())
        .collect();
    closed.sort();
    assert_eq!(
        closed,
        [
            "1 messages received, 5001 sent",
            "2 messages received, 5001 sent"
        ]
    );
    sockcat.signal(nix::sys::signal::Signal::SIGTERM);
    let out = sockcat.wait(TIMEOUT);
    out.assert_code(143);
    assert!(!out.stderr.contains("receive from"), "{out}");
}

/// A peer that breaks its framing ends alone: the whole messages it sent
/// first are printed, then it is closed and one `sockcat: …` line names
/// it (a Unix peer by its pid), the byte offset and what was wrong. A
/// length over `--max-frame` is caught before its message comes (the peer
/// is closed while it still has its connection open); a message cut short
/// by the peer's end of file is caught there. The listener and its other
/// peers go on.
#[test]
fn listen_k_ends_only_the_peer_whose_frames_go_wrong() {
    let dir = TempDir::new();
    let path = dir.join("k.sock");
    let (mut stdout, out) = slow_stdout();
    let mut sockcat = Proc::spawn_to(
        Command::new(bin()).args([
            "listen",
            "-k",
            "--frame",
            "len:4",
            "--max-frame",
            "1000",
            &format!("unix:{path}"),
        ]),
        Stdio::piped(),
        out,
    );
    let mut good = connect_when_listening(&path);

    let mut cut = connect_when_listening(&path);
    let mut wire = len4(b"fine");
    wire.extend_from_slice(&[0, 0, 0, 40]);
    wire.extend_from_slice(&[b'x'; 12]);
    cut.write_all(&wire).expect("send");
    cut.shutdown(std::net::Shutdown::Write).expect("shutdown");
    assert_eq!(stdout.take(5, TIMEOUT), b"fine\n");
    let mut rest = Vec::new();
    cut.read_to_end(&mut rest).expect("closed by sockcat");

    let mut over = connect_when_listening(&path);
    over.write_all(&[0, 0, 0x10, 0]).expect("send");
    // Closed with its own side still open: nothing more was waited for.
    over.read_to_end(&mut rest).expect("closed by sockcat");
    assert!(rest.is_empty());

    good.write_all(&len4(b"still here")).expect("send");
    assert_eq!(stdout.take(11, TIMEOUT), b"still here\n");
    sockcat.take_stdin().write_all(b"bye\n").expect("stdin");
    assert_eq!(read_len4(&mut good), b"bye");
    assert!(!sockcat.exited(), "the listener goes on");
    sockcat.signal(nix::sys::signal::Signal::SIGTERM);
    let out = sockcat.wait(TIMEOUT);
    out.assert_code(143);
    let pid = format!("(pid {} ", std::process::id());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("sockcat: receive from unix: ") && lines[0].contains(&pid),
        "{out}"
    );
    assert!(
        lines[0].ends_with("truncated message at byte 8: 12 of 40 bytes"),
        "{out}"
    );
    assert!(
        lines[1].ends_with(
            "message at byte 0 is at least 4096 bytes, over the limit of 1000 (--max-frame)"
        ),
        "{out}"
    );
}

/// `--broker --frame`: a peer's message reaches the other peers whole,
/// framed again for them, and stdout on its line. In varint, so the
/// 300-byte message is announced in two bytes (`ac 02`) as protobuf does.
#[test]
fn broker_relays_whole_messages_framed_again() {
    let dir = TempDir::new();
    let path = dir.join("b.sock");
    let mut sockcat = Sockcat::spawn_with(
        [
            "-v",
            "listen",
            "--broker",
            "--frame",
            "varint",
            &format!("unix:{path}"),
        ],
        Stdio::null(),
    );
    sockcat.listening();
    let mut a = UnixStream::connect(&path).expect("connect a");
    sockcat.wait_for_stderr("accepted", TIMEOUT);
    let mut b = UnixStream::connect(&path).expect("connect b");
    sockcat.wait_for_stderr("accepted", TIMEOUT);
    give_up_after(&a, TIMEOUT);
    give_up_after(&b, TIMEOUT);
    let long = vec![b'z'; 300];
    let mut wire = vec![0xac, 0x02];
    wire.extend_from_slice(&long);
    // In two writes, the prefix alone first.
    a.write_all(&wire[..1]).expect("send");
    read_by_sockcat(&a);
    a.write_all(&wire[1..]).expect("send");
    let mut got = vec![0; wire.len()];
    b.read_exact(&mut got).expect("b hears a");
    assert_eq!(got, wire);
    b.write_all(b"\x05hello").expect("send");
    let mut got = [0u8; 6];
    a.read_exact(&mut got).expect("a hears b");
    assert_eq!(&got, b"\x05hello");
    drop((a, b));
    // Each peer sent one message and was sent the other's.
    for _ in 0..2 {
        let closed = sockcat.wait_for_stderr("closed", TIMEOUT);
        assert!(
            closed.ends_with("; 1 messages received, 1 sent"),
            "{closed}"
        );
    }
    sockcat.signal(nix::sys::signal::Signal::SIGTERM);
    let out = sockcat.wait(TIMEOUT);
    let mut want = long;
    want.extend_from_slice(b"\nhello\n");
    assert!(out.stdout == want, "{out}");
}

/// `--max-frame` is a limit, not an allocation: a limit of petabytes, or
/// the largest number there is, costs nothing until lines come; a line
/// longer than the framing buffer starts with still goes as one message;
/// and a line over the limit is still refused, none of it sent.
#[test]
fn max_frame_is_a_limit_not_an_allocation() {
    let dir = TempDir::new();
    let (listener, addr) = unix_peer(&dir);
    let line = lines(1, 3 << 20);
    for max in ["1000000000000000", &usize::MAX.to_string()] {
        let mut sockcat =
            Sockcat::spawn(["connect", "--frame", "len:4", "--max-frame", max, &addr]);
        let (mut peer, _) = listener.accept().expect("sockcat connects");
        give_up_after(&peer, TIMEOUT);
        let feeder = sockcat.feed_in_background(line.clone());
        let message = read_len4(&mut peer);
        assert!(
            message[..] == line[..line.len() - 1],
            "{} bytes",
            message.len()
        );
        feeder.join().expect("feeder");
        drop(peer);
        sockcat.wait(TIMEOUT).assert_success();
    }
    let mut sockcat = Sockcat::spawn([
        "connect",
        "--frame",
        "len:4",
        "--max-frame",
        "1500000",
        &addr,
    ]);
    let (mut peer, _) = listener.accept().expect("sockcat connects");
    give_up_after(&peer, TIMEOUT);
    sockcat.feed_in_background(line);
    // The refused line ends stdin there: the peer sees the end, and once
    // it closes (having said nothing) sockcat exits 1.
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("read");
    assert!(got.is_empty(), "{} bytes were sent", got.len());
    drop(peer);
    let out = sockcat.wait(TIMEOUT);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("over the limit of 1500000 (--max-frame)"),
        "{out}"
    );
}

/// `send --frame` writes the prefix and the payload together without
/// copying them together: a 16 MiB payload is held once.
#[test]
fn send_frame_holds_a_16_mib_payload_once() {
    let dir = TempDir::new();
    let (listener, addr) = unix_peer(&dir);
    let body: Vec<u8> = crate::support::pattern(16 << 20, 3);
    let file = dir.join("payload");
    std::fs::write(&file, &body).expect("write the payload");
    let sockcat = Proc::spawn_with(
        Command::new(bin()).args(["send", "--frame", "len:4", &addr, "-f", &file]),
        Stdio::null(),
    );
    let (mut peer, _) = listener.accept().expect("sockcat connects");
    give_up_after(&peer, TIMEOUT);
    // Its first bytes are here: the payload is read and framed.
    let mut prefix = [0u8; 4];
    peer.read_exact(&mut prefix).expect("the prefix");
    assert_eq!(u32::from_be_bytes(prefix) as usize, body.len());
    let peak = peak_kb(&sockcat);
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("the message");
    assert!(got == body, "{} bytes came", got.len());
    sockcat.wait(TIMEOUT).assert_success();
    assert!(
        peak < 26 << 10,
        "sending a 16 MiB payload peaked at {peak} KiB"
    );
}

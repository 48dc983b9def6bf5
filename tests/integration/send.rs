//! `sockcat send`: receivers written here (std and nix sockets with read
//! timeouts) count what arrives, datagram by datagram and byte by byte;
//! socat checks that another tool reads what `send` writes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixDatagram;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::socket::{self as nixsock, AddressFamily, Backlog, MsgFlags, SockFlag, SockType};

use crate::support::{
    Output, Proc, Sockcat, TIMEOUT, TempDir, closed_port, closed_udp_port, give_up_after, pattern,
    require,
};

/// How long a receiver listens for a datagram that should not come, after
/// sockcat has exited. Loopback and Unix datagrams are queued at the
/// receiver before `send` returns, so this only bounds the check.
const QUIET: Duration = Duration::from_millis(300);

fn run(args: &[&str]) -> Output {
    Sockcat::run(args, b"", TIMEOUT)
}

fn run_with(args: &[&str], input: &[u8]) -> Output {
    Sockcat::run(args, input, TIMEOUT)
}

fn udp_receiver() -> (UdpSocket, String) {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let addr = format!("udp:{}", sock.local_addr().expect("local addr"));
    (sock, addr)
}

/// Every datagram queued now, up to QUIET of silence.
fn datagrams_udp(sock: &UdpSocket) -> Vec<Vec<u8>> {
    sock.set_read_timeout(Some(QUIET)).expect("timeout");
    let mut buf = vec![0; 1 << 18];
    let mut got = Vec::new();
    while let Ok(n) = sock.recv(&mut buf) {
        got.push(buf[..n].to_vec());
    }
    got
}

fn unix_dgram_receiver(dir: &TempDir) -> (UnixDatagram, String) {
    let path = dir.join("dgram.sock");
    let sock = UnixDatagram::bind(&path).expect("bind unix dgram");
    (sock, format!("unix-dgram:{path}"))
}

fn datagrams_unix(sock: &UnixDatagram) -> Vec<Vec<u8>> {
    sock.set_read_timeout(Some(QUIET)).expect("timeout");
    let mut buf = vec![0; 1 << 18];
    let mut got = Vec::new();
    while let Ok(n) = sock.recv(&mut buf) {
        got.push(buf[..n].to_vec());
    }
    got
}

/// A TCP server for `connections` peers: each is read to its end, answered
/// with `answer(what it sent)` (nothing for `None`), and closed once the
/// answer is out and `release` (when given) has fired. Returns what each sent.
fn tcp_server(
    connections: usize,
    answer: fn(&[u8]) -> Option<Vec<u8>>,
    release: Option<mpsc::Receiver<()>>,
) -> (String, JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind tcp");
    give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("local addr"));
    let handle = thread::spawn(move || {
        let mut received = Vec::new();
        for _ in 0..connections {
            let Ok((mut conn, _)) = listener.accept() else {
                break;
            };
            conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
            let mut data = Vec::new();
            let _ = conn.read_to_end(&mut data);
            if let Some(reply) = answer(&data) {
                let _ = conn.write_all(&reply);
            }
            if let Some(release) = &release {
                let _ = release.recv_timeout(TIMEOUT);
            }
            received.push(data);
        }
        received
    });
    (addr, handle)
}

/// FNV-1a, so a mismatch in a large transfer reports two numbers, not two
/// mebibytes.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

#[test]
fn data_arrives_as_exactly_one_udp_datagram() {
    let (rx, addr) = udp_receiver();
    run(&["send", &addr, "hello", "big  world"]).assert_success();
    assert_eq!(datagrams_udp(&rx), vec![b"hello big  world".to_vec()]);
}

#[test]
fn stdin_and_dash_file_are_the_payload() {
    let (rx, addr) = udp_receiver();
    run_with(&["send", &addr], b"from stdin\nline two\n").assert_success();
    run_with(&["send", "-f", "-", &addr], b"dash").assert_success();
    assert_eq!(
        datagrams_udp(&rx),
        vec![b"from stdin\nline two\n".to_vec(), b"dash".to_vec()]
    );
}

#[test]
fn lines_give_one_unix_datagram_per_line() {
    let dir = TempDir::new();
    let (rx, addr) = unix_dgram_receiver(&dir);
    run_with(&["send", "--lines", &addr], b"a\nbb\n\nccc").assert_success();
    let want: Vec<Vec<u8>> = vec![b"a".to_vec(), b"bb".to_vec(), b"".to_vec(), b"ccc".to_vec()];
    assert_eq!(datagrams_unix(&rx), want);
}

#[test]
fn a_unix_payload_with_newlines_is_still_one_datagram() {
    let dir = TempDir::new();
    let (rx, addr) = unix_dgram_receiver(&dir);
    run_with(&["send", &addr], b"a\nb\n").assert_success();
    assert_eq!(datagrams_unix(&rx), vec![b"a\nb\n".to_vec()]);
}

#[test]
fn escapes_and_newline_shape_the_payload() {
    let (rx, addr) = udp_receiver();
    run(&["send", "-E", &addr, r"PING\r\n", r"\x00\t\\\xff"]).assert_success();
    run(&["send", "-n", &addr, r"raw\n"]).assert_success();
    run(&["send", "-E", "-n", &addr, r"a\tb"]).assert_success();
    assert_eq!(
        datagrams_udp(&rx),
        vec![
            b"PING\r\n \x00\t\\\xff".to_vec(),
            b"raw\\n\n".to_vec(),
            b"a\tb\n".to_vec()
        ]
    );
}

#[test]
fn bad_escapes_are_exit_2_and_send_nothing() {
    let (rx, addr) = udp_receiver();
    let cases: &[(&[&str], &str)] = &[
        (&[r"a\qb"], r"bad escape '\q' in DATA"),
        (&["ok", r"trailing\"], r"bad escape '\' at the end of DATA"),
        (&[r"\x4"], r"bad escape '\x4' in DATA"),
        (&[r"\xZZ"], r"bad escape '\xZ' in DATA"),
        (&[r"\e[0m"], r"bad escape '\e' in DATA"),
    ];
    for (data, fragment) in cases {
        let mut args = vec!["send", "-E", &addr];
        args.extend_from_slice(data);
        let out = run(&args);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "want {fragment:?}: {out}");
        assert!(out.stderr.starts_with("sockcat: "), "{out}");
    }
    assert!(datagrams_udp(&rx).is_empty(), "a bad escape sent something");
}

#[test]
fn flags_that_cannot_work_are_exit_2() {
    let dir = TempDir::new();
    let (rx, udp) = udp_receiver();
    let missing = dir.join("no-such-file");
    let dirname = dir.join("");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-W", "1s", &udp, "x"], "add -r"),
        (vec!["--lines", "tcp:127.0.0.1:9", "x"], "is a stream"),
        (vec!["--count", "0", &udp, "x"], "--count 0"),
        (vec!["-E", &udp], "-E interprets escapes in DATA"),
        (vec!["-f", &missing, &udp], "no-such-file': no such file"),
        (vec!["-f", &dirname, &udp], "is a directory"),
        (vec!["tcp:127.0.0.1", "x"], "bad address"),
    ];
    for (args, fragment) in cases {
        let mut all = vec!["send"];
        all.extend(args);
        let out = run(&all);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "want {fragment:?}: {out}");
    }
    assert!(datagrams_udp(&rx).is_empty());
}

#[test]
fn oversize_udp_datagram_is_refused_whole() {
    let dir = TempDir::new();
    let (rx, addr) = udp_receiver();
    let big = dir.join("big");
    std::fs::write(&big, pattern(70000, 7)).expect("write");
    let out = run(&["send", "-f", &big, &addr]);
    out.assert_code(1);
    assert!(
        out.stderr.contains(
            "a 70000 byte datagram is larger than the socket can carry (limit 65507 bytes"
        ),
        "{out}"
    );

    // With --lines, one line too many bytes stops all of them.
    let mut lines = b"small\n".to_vec();
    lines.extend(vec![b'x'; 70000]);
    let out = run_with(&["send", "--lines", &addr], &lines);
    out.assert_code(1);
    assert!(out.stderr.contains("nothing was sent"), "{out}");

    assert!(
        datagrams_udp(&rx).is_empty(),
        "a cut or partial send got through"
    );
}

#[test]
fn the_largest_udp_datagram_goes_whole() {
    let (rx, addr) = udp_receiver();
    let data = pattern(65507, 3);
    run_with(&["send", &addr], &data).assert_success();
    let got = datagrams_udp(&rx);
    assert_eq!(got.len(), 1);
    assert_eq!(fnv(&got[0]), fnv(&data));
}

#[test]
fn oversize_unix_datagram_names_the_send_buffer() {
    let dir = TempDir::new();
    let (rx, addr) = unix_dgram_receiver(&dir);
    let out = run_with(&["send", "--sndbuf", "4096", &addr], &pattern(20000, 1));
    out.assert_code(1);
    assert!(out.stderr.contains("a 20000 byte datagram"), "{out}");
    assert!(out.stderr.contains("--sndbuf"), "{out}");
    assert!(datagrams_unix(&rx).is_empty());
}

#[test]
fn tcp_reply_is_printed_until_the_peer_closes() {
    let (addr, server) = tcp_server(
        1,
        |got| Some(format!("got {} bytes\n", got.len()).into_bytes()),
        None,
    );
    let out = run(&["send", "-r", "-E", &addr, r"PING\r\n"]);
    out.assert_success();
    assert_eq!(out.stdout, b"got 6 bytes\n", "{out}");
    assert_eq!(server.join().expect("server"), vec![b"PING\r\n".to_vec()]);
}

#[test]
fn udp_reply_is_the_first_datagram_back() {
    let (rx, addr) = udp_receiver();
    rx.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let server = thread::spawn(move || {
        let mut buf = [0; 1024];
        let (n, from) = rx.recv_from(&mut buf).expect("datagram");
        rx.send_to(b"pong", from).expect("reply");
        buf[..n].to_vec()
    });
    let out = run(&["send", "-r", "-W", "10s", &addr, "ping"]);
    out.assert_success();
    assert_eq!(out.stdout, b"pong", "{out}");
    assert_eq!(server.join().expect("server"), b"ping");
}

#[test]
fn unix_dgram_reply_reaches_the_autobound_address() {
    let dir = TempDir::new();
    let (rx, addr) = unix_dgram_receiver(&dir);
    rx.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let server = thread::spawn(move || {
        let mut buf = [0; 1024];
        let (n, from) = rx.recv_from(&mut buf).expect("datagram");
        rx.send_to_addr(b"READY ack", &from).expect("reply");
        buf[..n].to_vec()
    });
    let out = run(&["send", "-r", &addr, "READY=1"]);
    out.assert_success();
    assert_eq!(out.stdout, b"READY ack", "{out}");
    assert_eq!(server.join().expect("server"), b"READY=1");
}

#[test]
fn wait_runs_out_on_a_silent_tcp_peer() {
    let (release, held) = mpsc::channel();
    let (addr, server) = tcp_server(1, |_| None, Some(held));
    let started = Instant::now();
    let out = run(&["send", "-r", "-W", "300ms", &addr, "anyone?"]);
    let took = started.elapsed();
    out.assert_code(1);
    assert!(
        out.stderr
            .contains(&format!("send {addr}: no reply within 300ms")),
        "{out}"
    );
    assert!(
        took >= Duration::from_millis(300),
        "gave up early: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "waited too long: {took:?}");
    let _ = release.send(());
    assert_eq!(server.join().expect("server"), vec![b"anyone?".to_vec()]);
}

#[test]
fn wait_runs_out_on_a_silent_udp_peer() {
    let (rx, addr) = udp_receiver();
    let started = Instant::now();
    let out = run(&["send", "-r", "-W", "200ms", &addr, "anyone?"]);
    out.assert_code(1);
    assert!(out.stderr.contains("no reply within 200ms"), "{out}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(datagrams_udp(&rx), vec![b"anyone?".to_vec()]);
}

#[test]
fn a_peer_that_closes_without_a_word_is_no_reply() {
    let (addr, server) = tcp_server(1, |_| None, None);
    let out = run(&["send", "-r", &addr, "hello"]);
    out.assert_code(1);
    assert!(out.stderr.contains("closed without replying"), "{out}");
    server.join().expect("server");
}

#[test]
fn a_mebibyte_arrives_whole_over_tcp() {
    let dir = TempDir::new();
    let data = pattern(1 << 20, 42);
    let file = dir.join("payload");
    std::fs::write(&file, &data).expect("write");
    let (addr, server) = tcp_server(1, |_| None, None);
    run(&["send", "-f", &file, &addr]).assert_success();
    let got = server.join().expect("server");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].len(), data.len());
    assert_eq!(fnv(&got[0]), fnv(&data));
}

/// A server that echoes each read as it comes, while the sender is still
/// writing; returns everything it received.
fn streaming_echo_server() -> (String, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        let mut total = Vec::new();
        let mut buf = vec![0; 64 * 1024];
        loop {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total.extend_from_slice(&buf[..n]);
                    // The sender may have stopped reading; the echo is best effort.
                    let _ = conn.write_all(&buf[..n]);
                }
            }
        }
        total
    });
    (addr, server)
}

/// A peer that echoes while we still write cannot stall `send`, and
/// closing does not reset away what it has not read yet.
#[test]
fn an_echoing_peer_gets_everything() {
    let data = pattern(4 << 20, 9);
    let (addr, server) = streaming_echo_server();
    let mut p = Sockcat::spawn(["send", &addr]);
    let feeder = p.feed_in_background(data.clone());
    let out = p.wait(TIMEOUT);
    feeder.join().expect("feeder");
    out.assert_success();
    let got = server.join().expect("server");
    assert_eq!(got.len(), data.len());
    assert_eq!(fnv(&got), fnv(&data));
}

#[test]
fn stream_reply_of_an_echo_comes_back_whole() {
    let data = pattern(2 << 20, 5);
    let (addr, server) = tcp_server(1, |got| Some(got.to_vec()), None);
    let out = run_with(&["send", "-r", &addr], &data);
    out.assert_success();
    assert_eq!(fnv(&out.stdout), fnv(&data));
    server.join().expect("server");
}

#[test]
fn count_repeats_on_fresh_connections() {
    let (addr, server) = tcp_server(3, |_| None, None);
    let out = run(&[
        "send",
        "-v",
        "--count",
        "3",
        "--interval",
        "10ms",
        &addr,
        "tick",
    ]);
    out.assert_success();
    assert_eq!(out.stderr.matches("connected to ").count(), 3, "{out}");
    assert_eq!(server.join().expect("server"), vec![b"tick".to_vec(); 3]);
}

#[test]
fn verbose_says_where_and_how_much() {
    let (rx, addr) = udp_receiver();
    let out = run(&["send", "-v", &addr, "hello"]);
    out.assert_success();
    assert!(
        out.stderr.contains(&format!("connected to {addr}")),
        "{out}"
    );
    assert!(out.stderr.contains("sent 5 bytes"), "{out}");
    assert!(out.stdout.is_empty());
    assert_eq!(datagrams_udp(&rx).len(), 1);
}

#[test]
fn quiet_on_success() {
    let (_rx, addr) = udp_receiver();
    let out = run(&["send", &addr, "hello"]);
    out.assert_success();
    assert!(out.stderr.is_empty(), "{out}");
}

#[test]
fn a_missing_socket_file_is_exit_1() {
    let dir = TempDir::new();
    for scheme in ["unix", "unix-dgram", "unix-seqpacket"] {
        let addr = format!("{scheme}:{}", dir.join("nobody.sock"));
        let out = run(&["send", &addr, "hello"]);
        out.assert_code(1);
        assert!(
            out.stderr
                .contains(&format!("connect {addr}: no such file")),
            "{out}"
        );
    }
}

#[test]
fn a_refused_tcp_connection_is_exit_1() {
    let (_held, port) = closed_port();
    let addr = format!("tcp:127.0.0.1:{port}");
    let out = run(&["send", &addr, "hello"]);
    out.assert_code(1);
    assert!(out.stderr.contains("connection refused"), "{out}");
}

#[test]
fn a_unix_dgram_path_with_no_receiver_is_exit_1() {
    let dir = TempDir::new();
    let path = dir.join("gone.sock");
    drop(UnixDatagram::bind(&path).expect("bind"));
    let addr = format!("unix-dgram:{path}");
    let out = run(&["send", &addr, "hello"]);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format!("{addr}: connection refused")),
        "{out}"
    );
}

#[test]
fn a_file_that_is_not_a_socket_is_exit_2() {
    let dir = TempDir::new();
    let path = dir.join("plain");
    std::fs::write(&path, b"").expect("write");
    let out = run(&["send", &format!("unix-dgram:{path}"), "hello"]);
    out.assert_code(2);
    assert!(out.stderr.contains("not a socket"), "{out}");
}

/// A seqpacket listener from nix (std has none): returns each connection's
/// records as they came.
fn seqpacket_server(dir: &TempDir) -> (String, JoinHandle<Vec<Vec<u8>>>) {
    let path = dir.join("seq.sock");
    let fd: OwnedFd = nixsock::socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    let sa = nixsock::UnixAddr::new(path.as_str()).expect("path");
    nixsock::bind(fd.as_raw_fd(), &sa).expect("bind");
    nixsock::listen(&fd, Backlog::new(4).expect("backlog")).expect("listen");
    give_up_after(&fd, TIMEOUT);
    let handle = thread::spawn(move || {
        let conn = nixsock::accept(&fd).expect("accept");
        give_up_after(&conn, TIMEOUT);
        let mut records = Vec::new();
        let mut buf = vec![0; 1 << 18];
        loop {
            match nixsock::recv(conn.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                Ok(0) | Err(_) => break,
                Ok(n) => records.push(buf[..n].to_vec()),
            }
        }
        records
    });
    (format!("unix-seqpacket:{path}"), handle)
}

#[test]
fn seqpacket_payload_is_one_record() {
    let dir = TempDir::new();
    let (addr, server) = seqpacket_server(&dir);
    run_with(&["send", &addr], b"one\ntwo\n").assert_success();
    assert_eq!(server.join().expect("server"), vec![b"one\ntwo\n".to_vec()]);
}

#[test]
fn seqpacket_lines_are_one_record_each() {
    let dir = TempDir::new();
    let (addr, server) = seqpacket_server(&dir);
    run_with(&["send", "--lines", &addr], b"one\ntwo\n").assert_success();
    assert_eq!(
        server.join().expect("server"),
        vec![b"one".to_vec(), b"two".to_vec()]
    );
}

#[test]
fn sockcat_listen_receives_what_send_sends() {
    let dir = TempDir::new();
    let mut server = Sockcat::spawn(["listen", "-v", &format!("unix:{}", dir.join("s"))]);
    let addr = server.listening();
    run(&["send", &addr, "ping"]).assert_success();
    let out = server.wait(TIMEOUT);
    assert_eq!(out.stdout, b"ping", "{out}");
}

#[test]
fn sigterm_during_the_reply_wait_is_exit_143() {
    let (_rx, addr) = udp_receiver();
    let mut p: Proc = Sockcat::spawn(["send", "-v", "-r", &addr, "hello"]);
    p.close_stdin();
    p.wait_for_stderr("sent 5 bytes", TIMEOUT);
    p.signal(nix::sys::signal::Signal::SIGTERM);
    let out = p.wait(TIMEOUT);
    out.assert_code(143);
}

#[test]
fn socat_receives_a_stream_send() {
    if !require("socat") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("socat.sock");
    let mut socat = Proc::spawn(
        std::process::Command::new("socat")
            .arg("-u")
            .arg(format!("UNIX-LISTEN:{path}"))
            .arg("STDOUT"),
    );
    socat.close_stdin();
    // --retry waits for socat's socket to appear, the way a script would.
    let out = run(&[
        "send",
        "--retry",
        "10s",
        &format!("unix:{path}"),
        "hello",
        "socat",
    ]);
    out.assert_success();
    let got = socat.wait(TIMEOUT);
    got.assert_success();
    assert_eq!(got.stdout, b"hello socat", "{got}");
}

#[test]
fn socat_receives_one_datagram() {
    if !require("socat") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("socat.dgram");
    let mut socat = Proc::spawn(
        std::process::Command::new("socat")
            .arg("-u")
            .arg(format!("UNIX-RECVFROM:{path}"))
            .arg("STDOUT"),
    );
    socat.close_stdin();
    let out = run_with(
        &["send", "--retry", "10s", &format!("unix-dgram:{path}")],
        b"<13>hello\n",
    );
    out.assert_success();
    let got = socat.wait(TIMEOUT);
    got.assert_success();
    assert_eq!(got.stdout, b"<13>hello\n", "{got}");
}

#[test]
fn tcp_stream_send_to_a_plain_client_of_std() {
    // The same payload through a std TcpStream pair, as a control for what
    // the stream path must deliver: DATA joined, nothing added.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let out = run(&["send", &addr, "a", "b"]);
    out.assert_success();
    let (mut conn, _): (TcpStream, _) = listener.accept().expect("accept");
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut got = Vec::new();
    conn.read_to_end(&mut got).expect("read");
    assert_eq!(got, b"a b");
}

#[test]
fn udp_reply_from_nobody_is_refused_not_waited_for() {
    let (_held, port) = closed_udp_port();
    let addr = format!("udp:127.0.0.1:{port}");
    let started = Instant::now();
    let out = run(&["send", "-r", "-W", "15s", &addr, "hello"]);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("connection refused (nothing is receiving there)"),
        "{out}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "{out}");
}

/// `send -r … | head`: the closed pipe ends sockcat with 0, and only after
/// the whole payload has reached the peer.
#[test]
fn a_closed_stdout_still_delivers_the_payload() {
    if !require("bash") || !require("head") {
        return;
    }
    let dir = TempDir::new();
    let data = pattern(4 << 20, 11);
    let file = dir.join("payload");
    std::fs::write(&file, &data).expect("write");
    let (addr, server) = streaming_echo_server();
    let mut shell = Proc::spawn(
        std::process::Command::new("bash")
            .arg("-c")
            .arg(r#""$0" send -r -f "$1" "$2" | head -c 10; exit "${PIPESTATUS[0]}""#)
            .arg(crate::support::bin())
            .arg(&file)
            .arg(&addr),
    );
    shell.close_stdin();
    let out = shell.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout, &data[..10], "{out}");
    let got = server.join().expect("server");
    assert_eq!(got.len(), data.len());
    assert_eq!(fnv(&got), fnv(&data));
}

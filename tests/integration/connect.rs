//! `connect` (and `listen` as its peer): byte-exact transfers on every
//! stream family, half-close, endings, datagrams, retries and bad input.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{
    HOSTS_FILE_ONLY, NO_NAME_SERVER, Netns, Proc, Sockcat, TIMEOUT, TempDir, closed_port,
    give_up_after, pattern, require, run_command, skip, wait_until,
};

const BIG: usize = 64 << 20;

fn hash(data: &[u8]) -> u64 {
    // FNV-1a: enough to compare two 64 MiB buffers without printing them.
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn file_with(dir: &TempDir, name: &str, data: &[u8]) -> File {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write input");
    File::open(&path).expect("open input")
}

fn ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok() || skip("no IPv6 loopback")
}

/// Both sides send 64 MiB at once (neither reads before it has written all,
/// as far as the kernel buffers go) and each receives the other's bytes.
/// Whoever finishes first half-closes, and the other must go on sending
/// rather than end at that EOF.
fn both_ways(listen_addr: &str, connect_args: &[&str]) {
    for path in PATHS {
        both_ways_on(path, listen_addr, connect_args);
    }
}

/// The relay's paths, forced through `SOCKCAT_RELAY`.
const PATHS: [&str; 2] = ["splice", "copy"];

fn sockcat_on(path: &str, args: &[&str], stdin: Stdio) -> Proc {
    Proc::spawn_with(
        Command::new(crate::support::bin())
            .args(args)
            .env("SOCKCAT_RELAY", path),
        stdin,
    )
}

fn both_ways_on(path: &str, listen_addr: &str, connect_args: &[&str]) {
    let dir = TempDir::new();
    let to_client = pattern(BIG, 1);
    let to_server = pattern(BIG, 2);
    let mut server = sockcat_on(
        path,
        &["listen", "-v", listen_addr],
        file_with(&dir, "s", &to_client).into(),
    );
    let addr = server.listening();
    let mut args = vec!["connect"];
    args.extend_from_slice(connect_args);
    args.push(&addr);
    let client = sockcat_on(path, &args, file_with(&dir, "c", &to_server).into());
    let client = client.wait(TIMEOUT * 3);
    let server = server.wait(TIMEOUT * 3);
    client.assert_success();
    server.assert_success();
    assert_eq!(client.stdout.len(), BIG, "{path}: {client}");
    assert_eq!(server.stdout.len(), BIG, "{server}");
    assert_eq!(hash(&client.stdout), hash(&to_client));
    assert_eq!(hash(&server.stdout), hash(&to_server));
}

#[test]
fn tcp4_64mib_both_ways_at_once() {
    both_ways("tcp:127.0.0.1:0", &[]);
}

#[test]
fn tcp6_64mib_both_ways_at_once() {
    if ipv6_loopback() {
        both_ways("tcp6:[::1]:0", &[]);
    }
}

#[test]
fn unix_stream_64mib_both_ways_at_once() {
    let dir = TempDir::new();
    both_ways(&format!("unix:{}", dir.join("s.sock")), &[]);
}

#[test]
fn unix_seqpacket_64mib_both_ways_at_once() {
    let dir = TempDir::new();
    both_ways(&format!("unix-seqpacket:{}", dir.join("sp.sock")), &[]);
}

#[test]
fn splice_falls_back_to_copies_where_the_kernel_refuses() {
    // splice(2) into a file opened O_APPEND is EINVAL: the relay must move
    // what its pipe already holds to memory and go on without losing a byte.
    let dir = TempDir::new();
    let data = pattern(8 << 20, 5);
    let out_path = dir.join("appended");
    std::fs::write(&out_path, b"head:").expect("write");
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(&out_path)
        .expect("open");
    let mut server = Proc::spawn_to(
        Command::new(crate::support::bin())
            .args(["listen", "-v", "-d", "tcp:127.0.0.1:0"])
            .env("SOCKCAT_RELAY", "splice"),
        Stdio::null(),
        appended.into(),
    );
    let addr = server.listening();
    sockcat_on(
        "splice",
        &["connect", &addr],
        file_with(&dir, "in", &data).into(),
    )
    .wait(TIMEOUT)
    .assert_success();
    server.wait(TIMEOUT).assert_success();
    let written = std::fs::read(&out_path).expect("read");
    assert_eq!(&written[..5], b"head:");
    assert_eq!(written.len() - 5, data.len());
    assert_eq!(hash(&written[5..]), hash(&data));
}

#[test]
fn one_direction_64mib_from_a_pipe() {
    // stdin a pipe rather than a file, the listener only receiving (-d: its
    // empty stdin must not half-close, which would end the client at once).
    let data = pattern(BIG, 3);
    let mut server = Sockcat::spawn_with(["listen", "-v", "-d", "tcp:127.0.0.1:0"], Stdio::null());
    let addr = server.listening();
    let mut client = Sockcat::spawn(["connect", &addr]);
    let feeder = client.feed_in_background(data.clone());
    let client = client.wait(TIMEOUT * 3);
    feeder.join().expect("feeder");
    client.assert_success();
    let server = server.wait(TIMEOUT);
    server.assert_success();
    assert_eq!(server.stdout.len(), data.len());
    assert_eq!(hash(&server.stdout), hash(&data));
}

/// A TCP server on loopback run by a test thread.
fn tcp_server(
    serve: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> (String, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        serve(stream);
    });
    (addr, handle)
}

/// Everything the peer sends until it half-closes.
fn read_to_eof(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    s.read_to_end(&mut got).expect("read to EOF");
    got
}

#[test]
fn half_close_lets_the_reply_through() {
    let (addr, server) = tcp_server(|mut s| {
        let mut question = Vec::new();
        s.read_to_end(&mut question).expect("read to EOF");
        s.write_all(format!("got {}", question.len()).as_bytes())
            .expect("reply");
    });
    let out = Sockcat::run(["connect", &addr], b"twelve bytes", TIMEOUT);
    server.join().expect("server");
    out.assert_success();
    assert_eq!(out.stdout, b"got 12");
}

#[test]
fn reply_two_seconds_after_stdin_eof_is_still_printed() {
    let (addr, server) = tcp_server(|mut s| {
        let mut question = Vec::new();
        s.read_to_end(&mut question).expect("read to EOF");
        // The server is slow on purpose: there must be no linger timer.
        thread::sleep(Duration::from_secs(2));
        s.write_all(b"late answer").expect("reply");
    });
    let out = Sockcat::run(["connect", &addr], b"q", TIMEOUT);
    server.join().expect("server");
    out.assert_success();
    assert_eq!(out.stdout, b"late answer");
}

#[test]
fn sending_goes_on_after_the_peer_half_closed() {
    let data = pattern(1 << 20, 9);
    let expected = data.len();
    let (addr, server) = tcp_server(move |mut s| {
        s.shutdown(Shutdown::Write).expect("half-close");
        let mut got = Vec::new();
        s.read_to_end(&mut got).expect("read");
        assert_eq!(got.len(), expected);
    });
    let out = Sockcat::run(["connect", &addr], &data, TIMEOUT);
    server.join().expect("server got everything");
    out.assert_success();
}

#[test]
fn no_shutdown_keeps_the_write_side_open() {
    let (addr, server) = tcp_server(|mut s| {
        let mut buf = [0u8; 16];
        let n = s.read(&mut buf).expect("read");
        assert_eq!(&buf[..n], b"hi");
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .expect("timeout");
        // No EOF arrives: the read times out instead of returning 0.
        let err = s.read(&mut buf).expect_err("no EOF with --no-shutdown");
        assert!(matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ));
        s.write_all(b"done").expect("write");
    });
    let out = Sockcat::run(["connect", "--no-shutdown", &addr], b"hi", TIMEOUT);
    server.join().expect("server saw no EOF");
    out.assert_success();
    assert_eq!(out.stdout, b"done");
}

#[test]
fn quit_after_ends_the_session_when_the_peer_stays() {
    let (addr, server) = tcp_server(|mut s| {
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        // Keep the connection open until sockcat leaves.
        let _ = s.read(&mut [0u8; 1]);
    });
    let start = Instant::now();
    let out = Sockcat::run(["connect", "-q", "300ms", &addr], b"x", TIMEOUT);
    out.assert_success();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    server.join().expect("server");
}

#[test]
fn idle_timeout_is_exit_1() {
    let (addr, server) = tcp_server(|mut s| {
        let _ = s.read(&mut [0u8; 1]);
    });
    let start = Instant::now();
    let mut client = Sockcat::spawn(["connect", "-i", "400ms", &addr]);
    let out = {
        assert!(
            client.exits_within(Duration::from_secs(5)),
            "idle timeout did not fire"
        );
        client.wait(TIMEOUT)
    };
    out.assert_code(1);
    assert!(out.stderr.contains("idle"), "{out}");
    assert!(start.elapsed() >= Duration::from_millis(400));
    server.join().expect("server");
}

#[test]
fn crlf_turns_lf_into_crlf() {
    let (addr, server) = tcp_server(|mut s| {
        assert_eq!(read_to_eof(&mut s), b"a\r\nb\r\n");
    });
    Sockcat::run(["connect", "-C", &addr], b"a\nb\n", TIMEOUT).assert_success();
    server.join().expect("server saw CRLF");
}

#[test]
fn no_stdin_only_receives() {
    let (addr, server) = tcp_server(|mut s| {
        s.write_all(b"greeting").expect("write");
    });
    let out = Sockcat::spawn_with(["connect", "-d", &addr], Stdio::null()).wait(TIMEOUT);
    server.join().expect("server");
    out.assert_success();
    assert_eq!(out.stdout, b"greeting");
}

#[test]
fn send_only_exits_once_stdin_is_sent() {
    let (addr, server) = tcp_server(|mut s| {
        assert_eq!(read_to_eof(&mut s), b"payload");
        // Never answer, never close: --send-only must not wait.
        let _ = s.read(&mut [0u8; 1]);
    });
    Sockcat::run(["connect", "--send-only", &addr], b"payload", TIMEOUT).assert_success();
    server.join().expect("server");
}

/// A socket --send-only never reads is no reason to end: stdin that has not
/// said anything yet is waited for, however late it comes.
#[test]
fn send_only_waits_for_stdin_that_comes_late() {
    let (addr, server) = tcp_server(|mut s| {
        assert_eq!(read_to_eof(&mut s), b"late");
    });
    let mut client = Sockcat::spawn(["connect", "-v", "--send-only", &addr]);
    client.wait_for_stderr("connected to", TIMEOUT);
    client.wait_asleep("the relay's wait for stdin");
    client.feed(b"late");
    client.close_stdin();
    client.wait(TIMEOUT).assert_success();
    server.join().expect("server");
}

#[test]
fn refused_connect_is_exit_1() {
    // A bound socket that never listens holds the port, so no other test's
    // listener can take it while we expect a refusal.
    let (_held, port) = closed_port();
    let out = Sockcat::run(["connect", &format!("tcp:127.0.0.1:{port}")], b"", TIMEOUT);
    out.assert_code(1);
    assert!(out.stderr.contains("connection refused"), "{out}");
}

#[test]
fn each_failure_is_reported_once_also_under_verbose_and_events() {
    let (_held, port) = closed_port();
    let refused = format!("tcp:127.0.0.1:{port}");
    // A listener whose accept queue is full: the SYN goes unanswered.
    let (full, silent, _) = crate::faults::tcp_peer_with_no_room();
    let _filler = std::net::TcpStream::connect(full.local_addr().expect("addr")).expect("fill");
    let rows: &[(&[&str], String)] = &[
        (
            &["connect", &refused],
            format!("sockcat: connect {refused}: connection refused (nothing is listening there)"),
        ),
        (
            &["connect", "-w", "200ms", &silent],
            format!("sockcat: connect {silent}: timed out"),
        ),
        (
            &["send", &refused, "x"],
            format!("sockcat: connect {refused}: connection refused (nothing is listening there)"),
        ),
        (
            &["send", "-w", "200ms", &silent, "x"],
            format!("sockcat: connect {silent}: timed out"),
        ),
    ];
    for (args, line) in rows {
        let out = Sockcat::run(*args, b"", TIMEOUT);
        out.assert_code(1);
        assert_eq!(&out.stderr, line, "{out}");
        let mut verbose = vec!["-v"];
        verbose.extend_from_slice(args);
        let out = Sockcat::run(&verbose, b"", TIMEOUT);
        out.assert_code(1);
        assert_eq!(&out.stderr, line, "only the failure, once{out}");
        let mut json = vec!["--events", "json"];
        json.extend_from_slice(args);
        let out = Sockcat::run(&json, b"", TIMEOUT);
        out.assert_code(1);
        let events: Vec<serde_json::Value> = out
            .stderr
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(events.len(), 1, "one event{out}");
        let message = events[0]["message"].as_str().expect("message");
        assert_eq!(Some(message), line.strip_prefix("sockcat: "), "{out}");
        let name = if line.ends_with("timed out") {
            "timeout"
        } else {
            "error"
        };
        assert_eq!(events[0]["event"], name, "{out}");
    }
}

#[test]
fn a_failed_attempt_followed_by_a_retry_is_reported_then_the_last_once() {
    let (_held, port) = closed_port();
    let refused = format!("tcp:127.0.0.1:{port}");
    let out = Sockcat::run(
        ["-v", "connect", "--retry", "200ms", &refused],
        b"",
        TIMEOUT,
    );
    out.assert_code(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    // Attempts at 0 and at 200ms at least; every one but the last is an
    // attempt line, and the last is only the final error.
    assert!(lines.len() >= 2, "{out}");
    let (last, attempts) = lines.split_last().expect("lines");
    assert_eq!(
        *last,
        format!("sockcat: connect {refused}: connection refused (nothing is listening there)")
    );
    for line in attempts {
        assert_eq!(
            *line,
            format!("sockcat: connect {refused}: connection refused; retrying"),
            "{out}"
        );
    }
}

#[test]
fn a_timeout_waiting_for_a_peer_or_a_reply_is_one_timeout_event() {
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let udp = format!("udp:{}", silent.local_addr().expect("addr"));
    let rows: &[(&[&str], &str)] = &[
        (
            &["listen", "-w", "100ms", "tcp:127.0.0.1:0"],
            "no peer within 100ms",
        ),
        (
            &["listen", "-k", "-w", "100ms", "tcp:127.0.0.1:0"],
            "no peer within 100ms",
        ),
        (
            &["listen", "-k", "-u", "-w", "100ms", "udp:127.0.0.1:0"],
            "no peer within 100ms",
        ),
        (
            &["send", "-r", "-W", "100ms", &udp, "x"],
            "no reply within 100ms",
        ),
    ];
    for (args, fragment) in rows {
        let mut verbose = vec!["-v"];
        verbose.extend_from_slice(args);
        let out = Sockcat::run(&verbose, b"", TIMEOUT);
        out.assert_code(1);
        assert_eq!(out.stderr.matches(fragment).count(), 1, "{out}");
        let mut json = vec!["--events", "json"];
        json.extend_from_slice(args);
        let out = Sockcat::run(&json, b"", TIMEOUT);
        out.assert_code(1);
        let last: serde_json::Value =
            serde_json::from_str(out.stderr.lines().last().expect("a line")).expect("JSON");
        assert_eq!(last["event"], "timeout", "{out}");
        assert_eq!(out.stderr.matches(fragment).count(), 1, "{out}");
    }
}

#[test]
fn missing_and_foreign_unix_paths() {
    let dir = TempDir::new();
    let missing = dir.join("nope.sock");
    let out = Sockcat::run(["connect", &missing], b"", TIMEOUT);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains(&format!("connect unix:{missing}: no such file")),
        "{out}"
    );
    let plain = dir.join("plain");
    std::fs::write(&plain, b"keep me").expect("write");
    let out = Sockcat::run(["connect", &plain], b"", TIMEOUT);
    out.assert_code(2);
    assert!(out.stderr.contains("not a socket"), "{out}");
    assert_eq!(std::fs::read(&plain).expect("read"), b"keep me");
}

#[test]
fn malformed_addresses_are_exit_2_with_a_reason() {
    // A socket's own name too long for sun_path even behind its directory.
    let long_name = format!("unix:/tmp/{}", "n".repeat(120));
    let cases: &[(&[&str], &str)] = &[
        (&["connect", ""], "empty"),
        (&["connect", "tcp:localhost"], "missing port"),
        (&["connect", "tpc:[::1]:80"], "did you mean tcp?"),
        (&["connect", "udpp:127.0.0.1:53"], "did you mean udp?"),
        (&["connect", "unx:/tmp/x"], "did you mean unix?"),
        (&["connect", "tcp:127.0.0.1:65536"], "out of range"),
        (&["connect", "tcp:127.0.0.1:nosuchsvc"], "unknown service"),
        (&["connect", "tcp::80"], "missing host"),
        (&["connect", "::1:80"], "brackets"),
        (&["connect", "tcp:[::1:80"], "missing ']'"),
        (&["connect", "tcp:[::1]80"], "missing port"),
        (&["connect", "tcp:[nonsense]:80"], "not an IPv6 address"),
        (&["connect", "tcp:[fe80::1%]:80"], "empty zone"),
        (&["connect", "tcp:bad host:80"], "not a host name"),
        (&["connect", "unix:"], "missing path"),
        (&["connect", "unix-dgram:@"], "missing abstract name"),
        (&["connect", &long_name], "file name too long"),
        (&["listen", &long_name], "file name too long"),
        (&["connect", "fd:abc"], "not a descriptor number"),
        (&["connect", "fd:1"], "connect fd:1: descriptor 1 is stdout"),
        (
            &["connect", "fd:999"],
            "connect fd:999: descriptor 999 is not open",
        ),
        (
            &["listen", "fd:999"],
            "listen fd:999: descriptor 999 is not open",
        ),
        (
            &["send", "fd:999", "x"],
            "send fd:999: descriptor 999 is not open",
        ),
        (&["connect", "-u", "tcp:127.0.0.1:80"], "-u contradicts"),
        (&["connect", "-u", "unix:/tmp/x"], "-u contradicts"),
        (&["connect", "-U", "udp:127.0.0.1:80"], "-U contradicts"),
        (&["connect", "-6", "tcp:127.0.0.1:80"], "-6 contradicts"),
        (&["connect", "-4", "tcp6:localhost:80"], "contradicts"),
        (&["connect", "8080"], "missing port"),
        (&["listen", "tcp:[::1]:99999"], "out of range"),
        (&["listen", "bogus://x"], "unknown scheme"),
    ];
    for (args, fragment) in cases {
        let out = Sockcat::run(*args, b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.starts_with("sockcat: "), "{out}");
        assert!(
            out.stderr.contains(fragment),
            "{args:?}: wanted {fragment:?}{out}"
        );
        assert_eq!(out.stderr.lines().count(), 1, "one line{out}");
    }
}

/// A name the resolver says does not exist is the command line's fault
/// (exit 2); one it cannot look up now, with no name server answering, is
/// the world's (exit 1), as a refused connect is. Both are looked up where
/// no query can leave the machine.
#[test]
fn unknown_hosts_are_exit_2_and_unanswered_lookups_exit_1() {
    let rows = [
        (
            vec![HOSTS_FILE_ONLY],
            2,
            "sockcat: unknown host 'no-such-host.invalid'",
        ),
        (
            NO_NAME_SERVER.to_vec(),
            1,
            "sockcat: resolve 'no-such-host.invalid': temporary failure in name resolution \
             (is a name server reachable?)",
        ),
    ];
    for (files, code, line) in rows {
        let Some(ns) = Netns::new(&files) else {
            return;
        };
        let commands: [&[&str]; 4] = [
            &["connect", "tcp:no-such-host.invalid:80"],
            &["send", "-u", "no-such-host.invalid:53", "x"],
            &["listen", "tcp:no-such-host.invalid:0"],
            // forward looks TARGET up at start, before it listens.
            &["forward", "tcp:127.0.0.1:0", "tcp:no-such-host.invalid:80"],
        ];
        for args in commands {
            let out = ns.run(crate::support::bin(), args);
            out.assert_code(code);
            assert_eq!(out.stderr, line, "{out}");
        }
    }
}

#[test]
fn udp_reply_is_printed_and_connect_exits() {
    let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let addr = format!("udp:{}", server.local_addr().expect("addr"));
    let echo = thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = server.recv_from(&mut buf).expect("request");
        assert_eq!(&buf[..n], b"x\n");
        server.send_to(b"pong\n", from).expect("reply");
    });
    let start = Instant::now();
    let out = Sockcat::run(
        ["connect", "-u", &addr.replace("udp:", "")],
        b"x\n",
        TIMEOUT,
    );
    echo.join().expect("echo");
    out.assert_success();
    assert_eq!(out.stdout, b"pong\n");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn udp_lines_become_one_datagram_each() {
    let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let addr = format!("udp:{}", server.local_addr().expect("addr"));
    let out = Sockcat::run(
        ["connect", "--lines", "-q", "10ms", &addr],
        b"one\n\nthree",
        TIMEOUT,
    );
    out.assert_success();
    let mut got = Vec::new();
    let mut buf = [0u8; 100];
    for _ in 0..3 {
        let n = server.recv(&mut buf).expect("datagram");
        got.push(buf[..n].to_vec());
    }
    assert_eq!(got, [b"one".to_vec(), b"".to_vec(), b"three".to_vec()]);
}

#[test]
fn unix_datagram_reply_reaches_the_autobound_client() {
    let dir = TempDir::new();
    let path = dir.join("dg.sock");
    let server = UnixDatagram::bind(&path).expect("bind");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let echo = thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = server.recv_from(&mut buf).expect("request");
        server.send_to_addr(&buf[..n], &from).expect("reply");
    });
    let out = Sockcat::run(
        ["connect", &format!("unix-dgram:{path}")],
        b"status",
        TIMEOUT,
    );
    echo.join().expect("echo");
    out.assert_success();
    assert_eq!(out.stdout, b"status");
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
    assert_eq!(left.len(), 1, "only the server's socket is left");
}

#[test]
fn unix_datagram_named_source_is_removed_on_exit() {
    let dir = TempDir::new();
    let path = dir.join("dg.sock");
    let reply_path = dir.join("me.sock");
    let server = UnixDatagram::bind(&path).expect("bind");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let echo = thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = server.recv_from(&mut buf).expect("request");
        let from = from.as_pathname().map(|p| p.to_path_buf());
        server
            .send_to(&buf[..n], from.expect("named sender"))
            .expect("reply");
    });
    let out = Sockcat::run(
        ["connect", "-s", &reply_path, &format!("unix-dgram:{path}")],
        b"hey",
        TIMEOUT,
    );
    echo.join().expect("echo");
    out.assert_success();
    assert_eq!(out.stdout, b"hey");
    assert!(
        !std::path::Path::new(&reply_path).exists(),
        "reply socket removed"
    );
}

#[test]
fn a_datagram_source_path_too_long_to_reply_to_is_exit_2_and_binds_nothing() {
    // A path over sun_path's 107 bytes can be reached through its directory,
    // but bound that way the socket is named /proc/self/fd/N/NAME, which no
    // peer can send a reply to.
    let dir = TempDir::new();
    let path = dir.join("dg.sock");
    let server = UnixDatagram::bind(&path).expect("bind");
    server.set_nonblocking(true).expect("nonblocking");
    let mut deep = dir.path().to_path_buf();
    while deep.as_os_str().len() < 120 {
        deep.push("a-directory-name-of-some-length");
    }
    std::fs::create_dir_all(&deep).expect("mkdir -p");
    let source = deep.join("me.sock").to_str().expect("utf-8").to_string();
    let target = format!("unix-dgram:{path}");
    let rows: &[&[&str]] = &[
        &["connect", "-s", &source, &target],
        &["connect", "-u", "-s", &source, &path],
        &["send", "-s", &source, &target, "x"],
    ];
    for args in rows {
        let out = Sockcat::run(*args, b"hello", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.starts_with("sockcat: -s "), "{out}");
        assert!(
            out.stderr.contains("cannot be a reply address"),
            "{args:?}{out}"
        );
        assert_eq!(out.stderr.lines().count(), 1, "one line{out}");
        assert!(
            !std::path::Path::new(&source).exists(),
            "left a file behind{out}"
        );
        let mut buf = [0u8; 16];
        assert!(server.recv(&mut buf).is_err(), "sent something{out}");
    }
}

#[test]
fn udp_listener_and_client_round_trip() {
    let mut server = Sockcat::spawn(["listen", "-v", "-u", "127.0.0.1:0"]);
    let addr = server.listening();
    assert!(addr.starts_with("udp:127.0.0.1:"), "{addr}");
    let mut client = Sockcat::spawn(["connect", "-q", "5s", &addr]);
    client.feed(b"ping\n");
    server.wait_for_stderr("accepted udp:127.0.0.1:", TIMEOUT);
    server.feed(b"pong\n");
    server.close_stdin();
    // The client prints the reply, then waits out -q; end it early by
    // closing its stdin and letting the quiet period run.
    client.close_stdin();
    let client = client.wait(TIMEOUT);
    client.assert_success();
    assert_eq!(client.stdout, b"pong\n");
    server.signal(nix::sys::signal::Signal::SIGTERM);
    let server = server.wait(TIMEOUT);
    assert_eq!(server.stdout, b"ping\n");
}

#[test]
fn retry_reaches_a_listener_started_later() {
    let dir = TempDir::new();
    let path = dir.join("later.sock");
    let mut client = Sockcat::spawn(["connect", "-v", "--retry", "20s", &format!("unix:{path}")]);
    // The first attempt failed: now bring the service up.
    client.wait_for_stderr("no such file", TIMEOUT);
    let listener = UnixListener::bind(&path).expect("bind");
    give_up_after(&listener, TIMEOUT);
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.write_all(b"up").expect("write");
    });
    client.close_stdin();
    let out = client.wait(TIMEOUT);
    server.join().expect("server");
    out.assert_success();
    assert_eq!(out.stdout, b"up");
}

#[test]
fn retry_gives_up_with_the_last_error() {
    let dir = TempDir::new();
    let start = Instant::now();
    let out = Sockcat::run(
        ["connect", "--retry", "300ms", &dir.join("never.sock")],
        b"",
        TIMEOUT,
    );
    out.assert_code(1);
    assert!(out.stderr.contains("no such file"), "{out}");
    assert!(start.elapsed() >= Duration::from_millis(200), "it retried");
}

#[test]
fn abstract_names_connect() {
    let name = format!("@sockcat-test-{}", std::process::id());
    let mut server = Sockcat::spawn_with(["listen", "-v", &name], Stdio::null());
    assert_eq!(server.listening(), format!("unix:{name}"));
    let client = Sockcat::run(["connect", &format!("unix:{name}")], b"abstract", TIMEOUT);
    client.assert_success();
    let server = server.wait(TIMEOUT);
    assert_eq!(server.stdout, b"abstract");
}

#[test]
fn closed_stdout_ends_quietly_with_0() {
    let (addr, server) = tcp_server(|mut s| {
        let chunk = vec![b'y'; 1 << 16];
        // Write until sockcat goes away.
        while s.write_all(&chunk).is_ok() {}
    });
    let script = format!(
        "{} connect -d {addr} | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
        crate::support::bin()
    );
    let out = run_command(Command::new("bash").arg("-c").arg(&script), TIMEOUT);
    assert_eq!(out.stdout_str().trim(), "0", "{out}");
    assert!(out.stderr.is_empty(), "{out}");
    server.join().expect("server");
}

/// Started with descriptors 0-2 closed, sockcat must still get stdio of its
/// own (/dev/null), never put its socket there: as "stdout" the socket would
/// send the peer's bytes straight back to it, and as stderr our messages.
#[test]
fn closed_stdio_is_dev_null_not_the_socket() {
    let dir = TempDir::new();
    let path = dir.join("peer.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    give_up_after(&listener, TIMEOUT);
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        s.write_all(b"from the peer\n").expect("write");
        s.shutdown(Shutdown::Write).expect("shutdown");
        let mut back = Vec::new();
        s.read_to_end(&mut back).expect("read");
        back
    });
    let out = run_command(
        Command::new("sh")
            .args(["-c", r#"exec "$0" -v connect "unix:$1" <&- >&- 2>&-"#])
            .args([crate::support::bin(), &path]),
        TIMEOUT,
    );
    out.assert_success();
    let back = peer.join().expect("peer");
    assert!(
        back.is_empty(),
        "the peer got back {:?}",
        String::from_utf8_lossy(&back)
    );
}

#[test]
fn sigterm_mid_session_is_143() {
    let (addr, server) = tcp_server(|mut s| {
        let _ = s.read(&mut [0u8; 1]);
    });
    let mut client = Sockcat::spawn(["connect", "-v", &addr]);
    client.wait_for_stderr("connected to", TIMEOUT);
    client.signal(nix::sys::signal::Signal::SIGTERM);
    client.wait(TIMEOUT).assert_code(143);
    server.join().expect("server");
}

#[test]
fn interop_smoke_nc_receives() {
    if !require("nc.openbsd") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("nc.sock");
    let nc = Proc::spawn_with(
        Command::new("nc.openbsd").args(["-lU", &path]),
        Stdio::null(),
    );
    wait_until("nc's socket file", TIMEOUT, || {
        std::path::Path::new(&path).exists()
    });
    Sockcat::run(["connect", &path], b"to nc", TIMEOUT).assert_success();
    let out = nc.wait(TIMEOUT);
    assert_eq!(out.stdout, b"to nc");
}

#[test]
fn unix_dgram_listener_adopts_a_named_sender_and_replies() {
    let dir = TempDir::new();
    let path = dir.join("dg.sock");
    let mut server = Sockcat::spawn(["listen", "-v", &format!("unix-dgram:{path}")]);
    server.listening();
    let mut client = Sockcat::spawn(["connect", "-q", "5s", &format!("unix-dgram:{path}")]);
    client.feed(b"hello\n");
    server.wait_for_stderr("accepted unix-dgram:@", TIMEOUT);
    server.feed(b"back\n");
    client.close_stdin();
    let client = client.wait(TIMEOUT);
    client.assert_success();
    assert_eq!(client.stdout, b"back\n");
    server.signal(nix::sys::signal::Signal::SIGTERM);
    let server = server.wait(TIMEOUT);
    server.assert_code(143);
    assert_eq!(server.stdout, b"hello\n");
    assert!(
        !std::path::Path::new(&path).exists(),
        "socket file removed after SIGTERM"
    );
}

#[test]
fn events_json_lines_parse_and_carry_their_fields() {
    let mut server = Sockcat::spawn_with(
        ["--events", "json", "listen", "tcp:127.0.0.1:0"],
        Stdio::null(),
    );
    let line = server.wait_for_stderr("\"listening\"", TIMEOUT);
    let listening: serde_json::Value = serde_json::from_str(&line).expect("listening is JSON");
    let addr = listening["local"].as_str().expect("local").to_string();
    let client = Sockcat::run(["connect", "--events", "json", &addr], b"abc", TIMEOUT);
    client.assert_success();
    let server = server.wait(TIMEOUT);
    server.assert_success();
    let mut seen = Vec::new();
    for line in client.stderr.lines().chain(server.stderr.lines()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(
            value["time"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
        seen.push(value);
    }
    let find = |name: &str| {
        seen.iter()
            .find(|v| v["event"] == name)
            .unwrap_or_else(|| panic!("no {name} in {seen:?}"))
    };
    assert_eq!(find("connected")["peer"], addr.as_str());
    assert!(
        find("accepted")["peer"]
            .as_str()
            .expect("peer")
            .starts_with("tcp:127.0.0.1:")
    );
    let closed: Vec<_> = seen.iter().filter(|v| v["event"] == "closed").collect();
    assert_eq!(closed.len(), 2, "{seen:?}");
    assert!(
        closed.iter().any(|v| v["tx"] == 3) && closed.iter().any(|v| v["rx"] == 3),
        "{closed:?}"
    );
    assert!(closed.iter().all(|v| v["duration_ms"].is_u64()));
}

#[test]
fn events_json_reports_errors_as_json_too() {
    let out = Sockcat::run(
        [
            "--events",
            "json",
            "listen",
            "-w",
            "100ms",
            "tcp:127.0.0.1:0",
        ],
        b"",
        TIMEOUT,
    );
    out.assert_code(1);
    let last: serde_json::Value =
        serde_json::from_str(out.stderr.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["event"], "timeout");
    assert_eq!(last["status"], 1);
    assert!(
        last["message"]
            .as_str()
            .expect("message")
            .contains("no peer within 100ms")
    );
}

#[test]
fn an_inherited_connected_socket_is_relayed() {
    // fd:N with a connected socket: its kind is read from the socket itself.
    for (kind, name) in [
        (nix::sys::socket::SockType::Stream, "stream"),
        (nix::sys::socket::SockType::SeqPacket, "seqpacket"),
    ] {
        let (ours, theirs) = nix::sys::socket::socketpair(
            nix::sys::socket::AddressFamily::Unix,
            kind,
            None,
            nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        )
        .expect("socketpair");
        let client = crate::listen::spawn_with_fd(std::os::fd::AsFd::as_fd(&theirs), &["connect"]);
        drop(theirs);
        let mut ours = std::os::unix::net::UnixStream::from(ours);
        ours.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        let mut got = Vec::new();
        ours.read_to_end(&mut got).expect("read");
        assert_eq!(got, b"from sockcat\n", "{name}");
        drop(ours);
        client.wait(TIMEOUT).assert_success();
    }
}

/// A duplicate of the socket of process `pid` that is connected to
/// `peer`, taken with pidfd_getfd(2) (the test may: sockcat is its child).
fn socket_of(pid: i32, peer: std::net::SocketAddr) -> std::os::fd::OwnedFd {
    use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, pidfd_getfd, pidfd_open};
    let pidfd =
        pidfd_open(Pid::from_raw(pid).expect("a pid"), PidfdFlags::empty()).expect("pidfd_open");
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).expect("/proc/PID/fd") {
        let entry = entry.expect("entry");
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|link| link.to_string_lossy().starts_with("socket:"));
        let Ok(n) = entry.file_name().to_string_lossy().parse() else {
            continue;
        };
        if !is_socket {
            continue;
        }
        let fd = pidfd_getfd(&pidfd, n, PidfdGetfdFlags::empty()).expect("pidfd_getfd");
        let connected_to = nix::sys::socket::getpeername::<nix::sys::socket::SockaddrIn>(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
        );
        if connected_to.is_ok_and(|sa| std::net::SocketAddr::V4(sa.into()) == peer) {
            return fd;
        }
    }
    panic!("process {pid} has no socket connected to {peer}");
}

#[test]
fn socket_options_are_applied() {
    use nix::sys::socket::{getsockopt, sockopt};
    // Without the flags, then with them: what the kernel holds on
    // sockcat's own socket. It keeps twice the buffer size asked for
    // (socket(7)), so 65536 reads back as 131072.
    let rows: [(&[&str], bool, Option<usize>); 2] = [
        (&[], false, None),
        (
            &[
                "--keepalive",
                "--nodelay",
                "--sndbuf",
                "65536",
                "--rcvbuf",
                "65536",
            ],
            true,
            Some(2 * 65536),
        ),
    ];
    for (flags, on, buffers) in rows {
        let (addr, server) = tcp_server(|mut s| {
            assert_eq!(read_to_eof(&mut s), b"opts");
            s.write_all(b"ok").expect("write");
        });
        let peer: std::net::SocketAddr = addr.strip_prefix("tcp:").unwrap().parse().unwrap();
        let mut args = vec!["connect", "-v"];
        args.extend_from_slice(flags);
        args.push(&addr);
        let mut client = Sockcat::spawn(&args);
        client.wait_for_stderr("connected to", TIMEOUT);
        let sock = socket_of(client.pid(), peer);
        assert_eq!(getsockopt(&sock, sockopt::KeepAlive), Ok(on), "{flags:?}");
        assert_eq!(getsockopt(&sock, sockopt::TcpNoDelay), Ok(on), "{flags:?}");
        if let Some(size) = buffers {
            assert_eq!(getsockopt(&sock, sockopt::SndBuf), Ok(size), "{flags:?}");
            assert_eq!(getsockopt(&sock, sockopt::RcvBuf), Ok(size), "{flags:?}");
        }
        drop(sock);
        client.feed(b"opts");
        let out = client.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout, b"ok", "{out}");
        server.join().expect("server");
    }
}

#[test]
fn source_port_is_bound_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    // A port free a moment ago; if another test takes it first the connect
    // fails with EADDRINUSE, so try a few.
    for _ in 0..5 {
        let source = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let out = Sockcat::run(
            ["connect", "--send-only", "-p", &source.to_string(), &addr],
            b"x",
            TIMEOUT,
        );
        if out.code() != Some(0) {
            assert!(out.stderr.contains("address already in use"), "{out}");
            continue;
        }
        let (_, peer) = listener.accept().expect("accept");
        assert_eq!(peer.port(), source);
        return;
    }
    panic!("no free source port in five tries");
}

#[test]
fn recv_only_half_closes_at_once() {
    let (addr, server) = tcp_server(|mut s| {
        let mut got = Vec::new();
        // EOF at once, although sockcat's stdin stays open.
        s.read_to_end(&mut got).expect("read");
        assert!(got.is_empty());
        s.write_all(b"for you").expect("write");
    });
    let mut client = Sockcat::spawn(["connect", "--recv-only", &addr]);
    server.join().expect("server saw EOF");
    let out = {
        assert!(client.exits_within(TIMEOUT));
        client.wait(TIMEOUT)
    };
    out.assert_success();
    assert_eq!(out.stdout, b"for you");
}

/// Names of the test's own: `both` has an IPv4 and an IPv6 address (the
/// resolver puts ::1 first), the others one each.
const FAMILY_HOSTS: &str = "127.0.0.1 both four-only\n::1 both six-only\n";

#[test]
fn family_flags_filter_resolved_names() {
    let Some(ns) = Netns::new(&[("/etc/hosts", FAMILY_HOSTS), HOSTS_FILE_ONLY]) else {
        return;
    };
    let v6 = ns.run(
        "grep",
        &["-q", &format!("^{:032x} ", 1), "/proc/net/if_inet6"],
    );
    if v6.code() != Some(0) {
        skip("no IPv6 loopback in a fresh network namespace");
        return;
    }
    // A listener on each family at the same port, each saying which it is.
    let mut listeners = Vec::new();
    for (addr, name) in [("tcp:127.0.0.1:7000", "v4"), ("tcp:[::1]:7000", "v6")] {
        let mut cmd = ns.command(crate::support::bin());
        cmd.args(["-v", "listen", "-k", "-c", &format!("echo {name}"), addr]);
        let mut listener = Proc::spawn_with(&mut cmd, Stdio::null());
        listener.wait_for_stderr("listening on", TIMEOUT);
        listeners.push(listener);
    }
    let rows: [(&[&str], &str); 4] = [
        (&["connect", "both:7000"], "v6\n"),
        (&["connect", "-4", "both:7000"], "v4\n"),
        (&["connect", "-6", "both:7000"], "v6\n"),
        (&["connect", "-4", "four-only:7000"], "v4\n"),
    ];
    for (args, reached) in rows {
        let out = ns.run(crate::support::bin(), args);
        out.assert_success();
        assert_eq!(out.stdout_str(), reached, "{args:?}{out}");
    }
    for (flag, name) in [("-6", "four-only"), ("-4", "six-only")] {
        let out = ns.run(
            crate::support::bin(),
            &["connect", flag, &format!("{name}:7000")],
        );
        out.assert_code(2);
        assert_eq!(
            out.stderr,
            format!("sockcat: unknown host '{name}': no address of the requested family"),
            "{out}"
        );
    }
}

/// `--lines` on a datagram `connect` also applies on receive: each reply
/// datagram is written on a line of its own.
#[test]
fn lines_print_each_reply_datagram_on_its_own_line() {
    let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let addr = format!("udp:{}", server.local_addr().expect("addr"));
    let replier = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = server.recv_from(&mut buf).expect("question");
        assert_eq!(&buf[..n], b"status");
        for reply in [&b"one"[..], b"two\n", b"three"] {
            server.send_to(reply, from).expect("reply");
        }
    });
    let out = Sockcat::run(
        ["connect", "--lines", "-q", "300ms", &addr],
        b"status\n",
        TIMEOUT,
    );
    replier.join().expect("replier");
    out.assert_success();
    assert_eq!(out.stdout_str(), "one\ntwo\nthree\n", "{out}");
}

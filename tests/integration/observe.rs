//! Seeing what happens: `connect -z` probes, `-x` hex dumps.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Sockcat, TIMEOUT, bin, require, require_root};

/// Run a shell script in a fresh network namespace (loopback up), where the
/// only listeners are the script's own; `$SOCKCAT` is the binary.
fn in_fresh_netns(script: &str) -> Option<std::process::Output> {
    if !require_root() || !require("unshare") || !require("nc.openbsd") {
        return None;
    }
    let full = format!("set -e; ip link set lo up; {script}");
    let out = Command::new("timeout")
        .args(["60", "unshare", "-n", "sh", "-c", &full])
        .env("SOCKCAT", bin())
        .output()
        .expect("unshare");
    Some(out)
}

#[test]
fn probe_of_a_range_prints_exactly_the_open_ports() {
    let script = r#"
        nc.openbsd -lk 127.0.0.1 2001 >/dev/null </dev/null & a=$!
        nc.openbsd -lk 127.0.0.1 2005 >/dev/null </dev/null & b=$!
        "$SOCKCAT" connect -z --retry 10s tcp:127.0.0.1:2001 >/dev/null
        "$SOCKCAT" connect -z --retry 10s tcp:127.0.0.1:2005 >/dev/null
        set +e
        "$SOCKCAT" connect -z -v 127.0.0.1:2000-2010 2>probe.err
        echo "rc=$?"
        "$SOCKCAT" connect -z 127.0.0.1:3000-3999
        echo "closed rc=$?"
        kill $a $b
    "#;
    let dir = crate::support::TempDir::new();
    let Some(out) = in_fresh_netns(&format!("cd {}; {script}", dir.path().display())) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "tcp:127.0.0.1:2001 open\ntcp:127.0.0.1:2005 open\nrc=0\nclosed rc=1\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let closed = std::fs::read_to_string(dir.path().join("probe.err")).expect("probe.err");
    assert_eq!(closed.lines().count(), 9, "{closed}");
    assert!(
        closed.lines().all(|l| l.ends_with("connection refused")),
        "{closed}"
    );
}

#[test]
fn a_thousand_closed_ports_are_swept_quickly() {
    let script = r#"
        start=$(date +%s%N)
        set +e
        "$SOCKCAT" connect -z 127.0.0.1:10000-10999
        rc=$?
        end=$(date +%s%N)
        echo "rc=$rc ms=$(( (end - start) / 1000000 ))"
    "#;
    let Some(out) = in_fresh_netns(script) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ms: u64 = stdout
        .trim()
        .rsplit("ms=")
        .next()
        .and_then(|m| m.parse().ok())
        .expect("ms");
    assert!(stdout.starts_with("rc=1 "), "{stdout}");
    // Well under a second on loopback; the bound only catches a serial sweep.
    assert!(ms < 3000, "{stdout}");
}

#[test]
fn probe_bad_lists_are_exit_2() {
    for list in [
        "127.0.0.1:10-5",
        "127.0.0.1:1,,2",
        "127.0.0.1:1-70000",
        "127.0.0.1:x-y",
    ] {
        let out = Sockcat::run(["connect", "-z", list], b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.starts_with("sockcat: bad "), "{out}");
    }
}

#[test]
fn probe_list_errors_quote_the_list_as_typed() {
    let out = Sockcat::run(["connect", "-z", "bad host:22,80"], b"", TIMEOUT);
    out.assert_code(2);
    assert!(
        out.stderr
            .starts_with("sockcat: bad address 'bad host:22,80': "),
        "{out}"
    );
}

/// `sockcat connect -z LIST` with at most `fds` open descriptors.
fn probe_with_fd_limit(fds: u32, list: &str) -> crate::support::Output {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("ulimit -n {fds} && exec \"$0\" \"$@\"")])
        .args([bin(), "connect", "-z", "-v", list]);
    let mut p = crate::support::Proc::spawn(&mut cmd);
    p.close_stdin();
    p.wait(TIMEOUT)
}

#[test]
fn probes_wait_for_a_socket_under_a_low_descriptor_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open = listener.local_addr().expect("addr").port();
    // Twelve refused ports around the open one; 8 descriptors leave room
    // for about three probes at a time.
    let held: Vec<_> = (0..12).map(|_| crate::support::closed_port()).collect();
    let mut ports: Vec<u16> = held.iter().map(|(_, port)| *port).collect();
    ports.insert(6, open);
    let list = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let out = probe_with_fd_limit(8, &format!("127.0.0.1:{list}"));
    out.assert_success();
    assert_eq!(
        out.stdout_str(),
        format!("tcp:127.0.0.1:{open} open\n"),
        "{out}"
    );
    assert_eq!(
        out.stderr.matches("connection refused").count(),
        12,
        "every closed port is probed, none given up: {out}"
    );
}

#[test]
fn probe_without_a_socket_to_spare_is_an_error_not_a_closed_port() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open = listener.local_addr().expect("addr").port();
    // 0-2, the signal descriptor and the event loop's epoll set fill the limit.
    let out = probe_with_fd_limit(5, &format!("127.0.0.1:{open},{open}"));
    out.assert_code(1);
    assert_eq!(out.stdout_str(), "", "{out}");
    assert!(
        out.stderr.starts_with(&format!(
            "sockcat: probe tcp:127.0.0.1:{open}: too many open files"
        )),
        "{out}"
    );
}

#[test]
fn udp_probe_reports_closed_only_on_port_unreachable() {
    let (_held, port) = crate::support::closed_udp_port();
    let open = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let open_port = open.local_addr().expect("addr").port();
    let out = Sockcat::run(
        [
            "connect",
            "-u",
            "-z",
            "-v",
            "-w",
            "300ms",
            &format!("127.0.0.1:{open_port},{port}"),
        ],
        b"",
        TIMEOUT,
    );
    out.assert_success();
    assert_eq!(
        out.stdout_str(),
        format!("udp:127.0.0.1:{open_port} open\n"),
        "{out}"
    );
    assert!(
        out.stderr
            .contains(&format!("udp:127.0.0.1:{port} connection refused")),
        "{out}"
    );
}

#[test]
fn hexdump_of_a_known_exchange() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    crate::support::give_up_after(&listener, TIMEOUT);
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        s.read_to_end(&mut got).expect("read");
        s.write_all(b"0123456789abcdefXYZ").expect("write");
        got
    });
    let out = Sockcat::run(["connect", "-x", &addr], b"hello world\n", TIMEOUT);
    out.assert_success();
    assert_eq!(server.join().expect("server"), b"hello world\n");
    assert_eq!(out.stdout, b"0123456789abcdefXYZ", "stdout untouched");
    let lines: Vec<&str> = out.stderr.lines().collect();
    let head = |line: &str, arrow: &str| {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 4, "{line}");
        assert_eq!(
            (parts[0], parts[1], parts[2]),
            (arrow, "0", addr.as_str()),
            "{line}"
        );
        assert!(parts[3].ends_with('Z') && parts[3].contains('T'), "{line}");
    };
    assert_eq!(lines.len(), 5, "{out}");
    head(lines[0], ">");
    assert_eq!(
        lines[1],
        "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|"
    );
    head(lines[2], "<");
    assert_eq!(
        lines[3],
        "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|"
    );
    assert_eq!(
        lines[4],
        "00000010  58 59 5a                                          |XYZ|"
    );
}

#[test]
fn hexdump_file_is_appended_and_send_dumps_too() {
    let dir = crate::support::TempDir::new();
    let file = dir.join("dump.txt");
    std::fs::write(&file, "kept\n").expect("write");
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    receiver.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let addr = format!("udp:{}", receiver.local_addr().expect("addr"));
    let start = Instant::now();
    Sockcat::run(["send", "--hexdump-file", &file, &addr, "hi"], b"", TIMEOUT).assert_success();
    let mut buf = [0u8; 16];
    assert_eq!(receiver.recv(&mut buf).expect("datagram"), 2);
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.starts_with("kept\n> 0 udp:127.0.0.1:"), "{text}");
    assert!(
        text.ends_with("00000000  68 69                                             |hi|\n"),
        "{text}"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

//! `listen` as a server: `-k`, `-e`/`-c`, `--broker`, `-m`, access rules,
//! descriptor limits and leaks. Peers are nc.openbsd, socat and clients in
//! the test; every wait is on evidence (a line on stderr, bytes, EOF) with a
//! deadline.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::support::{
    Proc, Sockcat, TIMEOUT, TempDir, as_nobody, assert_reset_unread, bin, pattern, require,
    require_root, shared_dir, skip, wait_until,
};

fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// `tcp:127.0.0.1:PORT` → `127.0.0.1:PORT`.
fn host_port(addr: &str) -> String {
    addr.strip_prefix("tcp:")
        .expect("a tcp address")
        .to_string()
}

fn port_of(addr: &str) -> String {
    addr.rsplit(':').next().expect("a port").to_string()
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(host_port(addr)).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s
}

/// Send all of `data`, half-close, read to EOF.
fn echo_through(mut s: TcpStream, data: &[u8]) -> Vec<u8> {
    let writer = {
        let mut w = s.try_clone().expect("clone");
        let data = data.to_vec();
        thread::spawn(move || {
            w.write_all(&data).expect("write");
            w.shutdown(Shutdown::Write).expect("shutdown");
        })
    };
    let mut got = Vec::new();
    s.read_to_end(&mut got).expect("read");
    writer.join().expect("writer");
    got
}

/// What a refused peer sees: writes may fail and the read may be a reset;
/// either way no byte comes back.
fn refused(mut s: TcpStream, data: &[u8]) -> Vec<u8> {
    let _ = s.write_all(data);
    let _ = s.shutdown(Shutdown::Write);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    got
}

fn open_fds(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("/proc/PID/fd")
        .count()
}

/// user + system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The children of `pid` and their states (`Z` is a zombie).
fn children_of(pid: i32) -> Vec<(i32, char)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if fields.get(1).and_then(|p| p.parse::<i32>().ok()) == Some(pid) {
            found.push((child, fields[0].chars().next().unwrap_or('?')));
        }
    }
    found
}

fn listen(args: &[&str]) -> (Proc, String) {
    let mut server = Sockcat::spawn(args);
    let addr = server.listening();
    (server, addr)
}

#[test]
fn exec_cat_echoes_200_concurrent_clients() {
    let (have_nc, have_socat) = (require("nc.openbsd"), require("socat"));
    let (server, addr) = listen(&["listen", "-v", "-k", "127.0.0.1:0", "-e", "cat"]);
    let port = port_of(&addr);
    let dir = TempDir::new();
    let mut waits = Vec::new();
    for i in 0..200u64 {
        let data = pattern(16 * 1024 + i as usize * 97, 100 + i);
        let kind = i % 3;
        if (kind == 0 && have_nc) || (kind == 1 && have_socat) {
            let input = dir.join(&format!("in{i}"));
            std::fs::write(&input, &data).expect("write input");
            let mut cmd = if kind == 0 {
                let mut c = Command::new("nc.openbsd");
                c.args(["-N", "127.0.0.1", &port]);
                c
            } else {
                let mut c = Command::new("socat");
                c.args(["-t", "20", "-", &format!("TCP:127.0.0.1:{port}")]);
                c
            };
            let file = std::fs::File::open(&input).expect("open input");
            let p = Proc::spawn_with(&mut cmd, file.into());
            waits.push(thread::spawn(move || {
                let out = p.wait(TIMEOUT * 2);
                out.assert_success();
                (i, hash(&out.stdout), hash(&data))
            }));
        } else {
            let addr = addr.clone();
            waits.push(thread::spawn(move || {
                let got = echo_through(connect(&addr), &data);
                (i, hash(&got), hash(&data))
            }));
        }
    }
    for wait in waits {
        let (i, got, want) = wait.join().expect("client");
        assert_eq!(got, want, "client {i} got other bytes back");
    }
    // Every child exited and was reaped.
    wait_until("no children left", TIMEOUT, || {
        children_of(server.pid()).is_empty()
    });
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    out.assert_code(143);
    assert_eq!(out.stderr.matches("accepted ").count(), 200, "{out}");
}

#[test]
fn no_descriptor_leaks_over_1000_connections() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "127.0.0.1:0", "-e", "cat"]);
    let pid = server.pid();
    // `closed` is reported once the listener has closed its copy of the
    // socket (after reaping cat), so each count is taken at rest.
    assert_eq!(echo_through(connect(&addr), b"0"), b"0");
    server.wait_for_stderr("closed ", TIMEOUT);
    let after_first = open_fds(pid);
    for i in 1..1000 {
        let data = format!("{i}");
        assert_eq!(
            echo_through(connect(&addr), data.as_bytes()),
            data.as_bytes()
        );
    }
    for _ in 1..1000 {
        server.wait_for_stderr("closed ", TIMEOUT);
    }
    assert_eq!(open_fds(pid), after_first, "descriptors leaked");
    let zombies: Vec<_> = children_of(pid)
        .into_iter()
        .filter(|(_, s)| *s == 'Z')
        .collect();
    assert!(zombies.is_empty(), "zombies: {zombies:?}");
}

#[test]
fn broker_relays_among_three_clients() {
    let (mut server, addr) = listen(&["listen", "-v", "--broker", "-d", "127.0.0.1:0"]);
    let mut clients: Vec<TcpStream> = (0..3).map(|_| connect(&addr)).collect();
    for _ in 0..3 {
        server.wait_for_stderr("accepted ", TIMEOUT);
    }
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("from {i}\n").as_bytes())
            .expect("write");
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let mut want: Vec<String> = (0..3)
            .filter(|&j| j != i)
            .map(|j| format!("from {j}\n"))
            .collect();
        let mut got = Vec::new();
        while got.len() < want.iter().map(String::len).sum::<usize>() {
            let mut buf = [0u8; 64];
            let n = c.read(&mut buf).expect("read");
            assert!(n > 0, "client {i} saw EOF");
            got.extend_from_slice(&buf[..n]);
        }
        let got = String::from_utf8(got).expect("utf-8");
        let mut lines: Vec<String> = got.lines().map(|l| format!("{l}\n")).collect();
        lines.sort();
        want.sort();
        assert_eq!(lines, want, "client {i}");
    }
    drop(clients);
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    let mut printed: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    printed.sort();
    assert_eq!(printed, ["from 0", "from 1", "from 2"], "{out}");
}

#[test]
fn allow_uid_refuses_nobody_and_admits_root() {
    if !require_root() || !require("setpriv") || !require("nc.openbsd") {
        return;
    }
    let dir = shared_dir();
    let path = dir.join("s");
    let sock = format!("unix:{path}");
    let (mut server, _) = listen(&[
        "listen",
        "-v",
        "-k",
        "--allow-uid",
        "0",
        "--mode",
        "666",
        &sock,
        "-e",
        "cat",
    ]);
    let mut nobody = as_nobody("nc.openbsd");
    nobody.args(["-N", "-U", &path]);
    let mut p = Proc::spawn(&mut nobody);
    p.feed(b"let me in\n");
    p.close_stdin();
    let out = p.wait(TIMEOUT);
    assert_eq!(out.stdout, b"", "{out}");
    let line = server.wait_for_stderr("refused unix:", TIMEOUT);
    assert!(line.contains("uid 65534"), "{line}");

    let mut root = UnixStream::connect(&path).expect("connect");
    root.write_all(b"root\n").expect("write");
    root.shutdown(Shutdown::Write).expect("shutdown");
    let mut got = Vec::new();
    root.set_read_timeout(Some(TIMEOUT)).unwrap();
    root.read_to_end(&mut got).expect("read");
    assert_eq!(got, b"root\n");
    server.wait_for_stderr("accepted unix: (pid", TIMEOUT);
}

#[test]
fn unix_dgram_allow_uid_drops_nobodys_datagrams() {
    if !require_root() || !require("setpriv") || !require("socat") {
        return;
    }
    let dir = shared_dir();
    let path = dir.join("d");
    let sock = format!("unix-dgram:{path}");
    let (mut server, _) = listen(&[
        "listen",
        "-v",
        "-k",
        "-d",
        "--allow-uid",
        "0",
        "--mode",
        "666",
        &sock,
    ]);
    let mut nobody = as_nobody("socat");
    nobody.args(["-u", "-", &format!("UNIX-SENDTO:{path}")]);
    let mut p = Proc::spawn(&mut nobody);
    p.feed(b"from nobody");
    p.close_stdin();
    p.wait(TIMEOUT).assert_success();
    let line = server.wait_for_stderr("dropped a datagram from", TIMEOUT);
    assert!(line.contains("uid 65534"), "{line}");

    let me = UnixDatagram::bind(dir.join("root")).expect("bind");
    me.send_to(b"from root", &path).expect("send");
    server.wait_for_stderr("stdin now goes to unix-dgram:", TIMEOUT);
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    assert_eq!(out.stdout, b"from root", "{out}");
}

/// A peer that sends `data` to the listener at `addr` while it is stopped,
/// so that the bytes are in its kernel (acknowledged) when it accepts.
fn speak_first(server: &Proc, addr: &str, data: &[u8]) -> TcpStream {
    server.signal(Signal::SIGSTOP);
    let mut s = connect(addr);
    s.write_all(data).expect("write");
    wait_until("the listener's kernel to take the bytes", TIMEOUT, || {
        crate::faults::unacknowledged(&s) == 0
    });
    server.signal(Signal::SIGCONT);
    s
}

#[test]
fn deny_refuses_before_reading_and_says_why() {
    let (mut server, addr) = listen(&[
        "listen",
        "-v",
        "-k",
        "--deny",
        "127.0.0.0/8",
        "tcp:127.0.0.1:0",
        "-e",
        "cat",
    ]);
    let mut s = speak_first(&server, &addr, b"hello");
    assert_reset_unread(&mut s);
    let line = server.wait_for_stderr("refused tcp:127.0.0.1:", TIMEOUT);
    assert!(
        line.ends_with("127.0.0.1 is in --deny 127.0.0.0/8"),
        "{line}"
    );

    let (mut other, addr) = listen(&[
        "listen",
        "-v",
        "-k",
        "--allow",
        "10.0.0.0/8",
        "127.0.0.1:0",
        "-e",
        "cat",
    ]);
    let mut s = speak_first(&other, &addr, b"hello");
    assert_reset_unread(&mut s);
    let line = other.wait_for_stderr("refused ", TIMEOUT);
    assert!(
        line.ends_with("127.0.0.1 is in no --allow network"),
        "{line}"
    );
}

#[test]
fn dual_stack_listener_matches_v4_peers_as_v4() {
    let (mut server, addr) = listen(&[
        "listen",
        "-v",
        "-k",
        "--deny",
        "127.0.0.0/8",
        ":0",
        "-e",
        "cat",
    ]);
    let port = port_of(&addr);
    let s = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert_eq!(refused(s, b"hi"), b"");
    let line = server.wait_for_stderr("refused ", TIMEOUT);
    assert!(
        line.contains("refused tcp:127.0.0.1:"),
        "printed as IPv4: {line}"
    );
    if addr.starts_with("tcp:[") || TcpStream::connect(format!("[::1]:{port}")).is_ok() {
        let s = TcpStream::connect(format!("[::1]:{port}")).expect("connect ::1");
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        assert_eq!(echo_through(s, b"v6"), b"v6");
    } else {
        skip("no IPv6 loopback for the admitted half");
    }
}

#[test]
fn max_conns_makes_the_next_peer_wait() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "-m", "1", "127.0.0.1:0", "-e", "cat"]);
    let mut first = connect(&addr);
    first.write_all(b"a").unwrap();
    let mut one = [0u8; 1];
    first.read_exact(&mut one).expect("echo a");
    server.wait_for_stderr("accepted ", TIMEOUT);
    // The second connects (the kernel's backlog takes it) but is served
    // only once the first has gone.
    let second = connect(&addr);
    first.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    first.read_to_end(&mut rest).unwrap();
    assert_eq!(echo_through(second, b"b"), b"b");
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("accepted") || l.contains("closed"))
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].contains("accepted") && lines[1].contains("closed"),
        "{out}"
    );
    assert!(lines[2].contains("accepted"), "{out}");
}

#[test]
fn max_conns_with_refuse_extra_closes_the_next_peer() {
    let (mut server, addr) = listen(&[
        "listen",
        "-v",
        "-k",
        "-m",
        "1",
        "--refuse-extra",
        "127.0.0.1:0",
        "-e",
        "cat",
    ]);
    let mut first = connect(&addr);
    first.write_all(b"a").unwrap();
    let mut one = [0u8; 1];
    first.read_exact(&mut one).expect("echo a");
    assert_eq!(refused(connect(&addr), b"b"), b"");
    let line = server.wait_for_stderr("refused ", TIMEOUT);
    assert!(line.ends_with("--max-conns 1 reached"), "{line}");
    // The first is still served.
    first.write_all(b"c").unwrap();
    first.read_exact(&mut one).expect("echo c");
    assert_eq!(&one, b"c");
}

#[test]
fn out_of_descriptors_pauses_accepting_without_spinning() {
    if !require("prlimit") {
        return;
    }
    let mut cmd = Command::new("prlimit");
    cmd.args([
        "--nofile=64:64",
        "--",
        bin(),
        "listen",
        "-v",
        "-k",
        "127.0.0.1:0",
        "-e",
        "cat",
    ]);
    let mut server = Proc::spawn(&mut cmd);
    let addr = server.listening();
    let pid = server.pid();
    let mut clients: Vec<TcpStream> = (0..100).map(|_| connect(&addr)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("{i:03}").as_bytes()).expect("write");
    }
    server.wait_for_stderr("too many open files; pausing", TIMEOUT);
    // Not synchronisation but a measurement: while paused, a spinning loop
    // would burn this whole second.
    let before = cpu_ticks(pid);
    thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(pid) - before;
    assert!(
        spent < 20,
        "{spent} ticks of CPU in a second while out of descriptors"
    );
    // The first half leave; the rest are served as descriptors come back.
    let rest = clients.split_off(50);
    drop(clients);
    for (i, mut c) in rest.into_iter().enumerate() {
        let mut got = [0u8; 3];
        c.read_exact(&mut got).expect("served after others left");
        assert_eq!(&got, format!("{:03}", i + 50).as_bytes());
    }
    assert!(!server.exited(), "the listener is still there");
    server.wait_for_stderr("accepting on tcp:127.0.0.1:", TIMEOUT);
}

#[test]
fn keep_open_fans_stdin_out_and_prints_each_peer() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "127.0.0.1:0"]);
    let mut a = connect(&addr);
    let mut b = connect(&addr);
    server.wait_for_stderr("accepted ", TIMEOUT);
    server.wait_for_stderr("accepted ", TIMEOUT);
    server.feed(b"to everyone\n");
    for c in [&mut a, &mut b] {
        let mut got = [0u8; 12];
        c.read_exact(&mut got).expect("fan-out");
        assert_eq!(&got, b"to everyone\n");
    }
    a.write_all(b"from a\n").unwrap();
    b.write_all(b"from b\n").unwrap();
    drop(a);
    drop(b);
    server.wait_for_stderr("closed ", TIMEOUT);
    server.wait_for_stderr("closed ", TIMEOUT);
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    let mut lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    lines.sort();
    assert_eq!(lines, ["from a", "from b"], "{out}");
}

#[test]
fn exec_without_keep_open_serves_one_peer_with_its_environment() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let mut server = Sockcat::spawn([
        "listen",
        "-v",
        "-c",
        "echo \"$SOCKCAT_PEER $SOCKCAT_LOCAL $SOCKCAT_PEER_UID\"",
        &format!("unix:{path}"),
    ]);
    server.listening();
    let mut s = UnixStream::connect(&path).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut got = String::new();
    s.read_to_string(&mut got).expect("read");
    let uid = nix::unistd::getuid();
    assert_eq!(got, format!("unix: unix:{path} {uid}\n"));
    server.wait(TIMEOUT).assert_success();
}

#[test]
fn exec_local_is_the_address_the_peer_reached() {
    // A wildcard listener: the child wants which address the peer reached,
    // not `[::]`, and an IPv4 peer on the dual-stack socket as IPv4.
    let (server, addr) = listen(&["listen", "-v", "-k", "-c", "echo $SOCKCAT_LOCAL", ":0"]);
    let port = port_of(&addr);
    assert_eq!(addr, format!("tcp:[::]:{port}"), "dual-stack wildcard");
    let mut peers = vec![(connect(&format!("tcp:127.0.0.1:{port}")), "tcp:127.0.0.1")];
    match TcpStream::connect(format!("[::1]:{port}")) {
        Ok(s) => peers.push((s, "tcp:[::1]")),
        Err(e) => {
            skip(&format!("no IPv6 loopback for the [::1] peer ({e})"));
        }
    }
    for (mut s, host) in peers {
        s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        let mut got = String::new();
        s.read_to_string(&mut got).expect("read");
        assert_eq!(got, format!("{host}:{port}\n"));
    }
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
}

#[test]
fn exec_closed_events_do_not_invent_byte_counts() {
    // The bytes go between the peer and the child, past sockcat: its
    // closed event says how long, not how much (null, not 0).
    let mut server = Sockcat::spawn(["--events", "json", "listen", "tcp:127.0.0.1:0", "-e", "cat"]);
    let line = server.wait_for_stderr("\"listening\"", TIMEOUT);
    let listening: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    let addr = listening["local"].as_str().expect("local").to_string();
    assert_eq!(echo_through(connect(&addr), b"hello"), b"hello");
    let out = server.wait(TIMEOUT);
    out.assert_success();
    let closed: serde_json::Value = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .find(|v| v["event"] == "closed")
        .unwrap_or_else(|| panic!("no closed event: {out}"));
    assert!(closed["rx"].is_null() && closed["tx"].is_null(), "{closed}");
    assert!(closed["duration_ms"].is_u64(), "{closed}");
}

#[test]
fn sigterm_stops_and_reaps_the_children() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "127.0.0.1:0", "-e", "sleep", "600"]);
    let _client = connect(&addr);
    server.wait_for_stderr("accepted ", TIMEOUT);
    let pid = server.pid();
    let mut children = Vec::new();
    wait_until("the child runs", TIMEOUT, || {
        children = children_of(pid);
        !children.is_empty()
    });
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
    for (child, _) in children {
        assert!(
            !Path::new(&format!("/proc/{child}")).exists(),
            "child {child} left behind"
        );
    }
}

#[test]
fn server_flags_that_cannot_apply_are_exit_2() {
    let dir = TempDir::new();
    let cases: [(&[&str], &str); 4] = [
        (
            &["listen", "-k", "--allow-uid", "0", "127.0.0.1:0"],
            "--allow-uid",
        ),
        (
            &[
                "listen",
                "-k",
                "--deny",
                "10.0.0.0/8",
                &format!("unix:{}", dir.join("s")),
            ],
            "--allow and --deny",
        ),
        (
            &["listen", "-u", "127.0.0.1:0", "-e", "cat"],
            "-e and -c need",
        ),
        (
            &["listen", "-k", "127.0.0.1:0", "-e", "no-such-program-here"],
            "no such program",
        ),
    ];
    for (args, fragment) in cases {
        let out = Sockcat::run(args.iter().copied(), b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "{out}");
    }
    let _ = Stdio::null();
}

#[test]
fn a_peer_that_stops_reading_is_dropped_and_the_others_go_on() {
    const SIZE: usize = 64 << 20;
    let (mut server, addr) = listen(&["listen", "-v", "-k", "127.0.0.1:0"]);
    let mut reader = connect(&addr);
    let stalled = connect(&addr);
    server.wait_for_stderr("accepted ", TIMEOUT);
    server.wait_for_stderr("accepted ", TIMEOUT);
    let data = pattern(SIZE, 7);
    let want = hash(&data);
    let feeder = server.feed_in_background(data);
    let mut got = vec![0u8; SIZE];
    reader
        .read_exact(&mut got)
        .expect("the reading peer gets everything");
    assert_eq!(hash(&got), want);
    let line = server.wait_for_stderr("dropped: more than", TIMEOUT);
    let stalled_port = stalled.local_addr().unwrap().port();
    assert!(line.contains(&format!(":{stalled_port}: ")), "{line}");
    feeder.join().unwrap();
}

#[test]
fn crlf_reaches_every_peer_of_a_keep_open_listener() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "-C", "127.0.0.1:0"]);
    let mut peers = [connect(&addr), connect(&addr)];
    server.wait_for_stderr("accepted ", TIMEOUT);
    server.wait_for_stderr("accepted ", TIMEOUT);
    // Runs of newlines longer than one read: each read doubles in full.
    let mut data = b"a\nb".to_vec();
    data.extend(vec![b'\n'; 200_000]);
    data.extend(b"c\n");
    let mut want = Vec::new();
    for &b in &data {
        if b == b'\n' {
            want.push(b'\r');
        }
        want.push(b);
    }
    let feeder = server.feed_in_background(data);
    for peer in &mut peers {
        let mut got = vec![0u8; want.len()];
        peer.read_exact(&mut got).expect("every CRLF byte");
        assert!(got == want, "the peer got other bytes than stdin made CRLF");
    }
    feeder.join().unwrap();
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
}

#[test]
fn udp_keep_open_prints_every_sender_and_answers_the_latest() {
    let (mut server, addr) = listen(&["listen", "-v", "-k", "-u", "127.0.0.1:0"]);
    let target = addr.strip_prefix("udp:").unwrap().to_string();
    let first = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let second = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    second.set_read_timeout(Some(TIMEOUT)).unwrap();
    first.send_to(b"one", &target).unwrap();
    server.wait_for_stderr("stdin now goes to udp:127.0.0.1:", TIMEOUT);
    second.send_to(b"two", &target).unwrap();
    let port = second.local_addr().unwrap().port();
    server.wait_for_stderr(&format!("stdin now goes to udp:127.0.0.1:{port}"), TIMEOUT);
    server.feed(b"reply");
    let mut buf = [0u8; 16];
    let (n, _) = second
        .recv_from(&mut buf)
        .expect("the latest sender gets stdin");
    assert_eq!(&buf[..n], b"reply");
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    assert_eq!(out.stdout, b"onetwo", "{out}");
}

#[test]
fn unix_dgram_keep_open_answers_an_abstract_sender() {
    // The sender's autobound abstract address must survive recvmsg whole, or
    // the reply's sendto fails (nix's SockaddrStorage loses its length).
    let dir = TempDir::new();
    let path = dir.join("k.sock");
    let (mut server, _) = listen(&["listen", "-v", "-k", &format!("unix-dgram:{path}")]);
    let mut client = Sockcat::spawn(["connect", "-q", "2s", &format!("unix-dgram:{path}")]);
    client.feed(b"hi\n");
    server.wait_for_stderr("stdin now goes to unix-dgram:@", TIMEOUT);
    server.feed(b"back\n");
    client.close_stdin();
    let client = client.wait(TIMEOUT);
    client.assert_success();
    assert_eq!(client.stdout, b"back\n", "{client}");
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    assert_eq!(out.stdout, b"hi\n", "{out}");
    assert!(!out.stderr.contains("send to"), "{out}");
}

//! sockcat against real peers, both ways: `nc.openbsd` and `socat` as the
//! server `sockcat connect` talks to, and as the client `sockcat listen`
//! serves, over TCP, UDP, Unix stream and Unix datagram sockets. Each test
//! checks that bytes arrive in both directions where the peer allows it.
//!
//! Readiness is evidence, never a sleep: a peer's own "listening on" /
//! "Bound on" line (which carries the port it got for port 0), a Unix socket
//! file appearing, sockcat's `listening on` line, or bytes read. A Unix
//! server's file appears at bind(2), a moment before listen(2), so
//! `connect --retry` covers that gap. Datagram sessions have no end the
//! peer can signal, so sockcat's stdin stays open until both sides have
//! printed what they received; only then does it close, and sockcat's quiet
//! period (`-q`) ends the run: no guess at how long a reply takes.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Output, Proc, Sockcat, TIMEOUT, TempDir, bin, pattern, require, wait_until};

/// A peer program (nc.openbsd, socat), or sockcat itself in a datagram
/// session. Unlike `Proc` it hands out stdout as it arrives, so a test can
/// wait for bytes while the process is still running. Dropping it kills the
/// process, by PID.
struct Peer {
    cmd: String,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    stdout_chunks: Receiver<Vec<u8>>,
    stdout: Vec<u8>,
    stderr_lines: Receiver<String>,
    stderr: Vec<String>,
}

impl Peer {
    fn spawn(program: &str, args: &[&str]) -> Peer {
        Peer::start(program, args, Stdio::piped())
    }

    /// Start with `input` already waiting on stdin, then its end: a client
    /// that connects at once has its whole input before the first byte
    /// arrives from the other side.
    fn spawn_with_input(program: &str, args: &[&str], input: &[u8]) -> Peer {
        let (read, write) = nix::unistd::pipe().expect("pipe");
        let mut write = std::fs::File::from(write);
        // Small enough for the pipe buffer: nobody reads yet.
        assert!(input.len() < 4096);
        write.write_all(input).expect("fill the pipe");
        drop(write);
        Peer::start(program, args, Stdio::from(read))
    }

    fn start(program: &str, args: &[&str], stdin: Stdio) -> Peer {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!("{cmd:?}");
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {shown}: {e}"));
        let mut out = child.stdout.take().expect("stdout");
        let (out_tx, stdout_chunks) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = vec![0; 64 * 1024];
            while let Ok(n @ 1..) = out.read(&mut buf) {
                if out_tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let err = child.stderr.take().expect("stderr");
        let (err_tx, stderr_lines) = mpsc::channel();
        thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if err_tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer {
            cmd: shown,
            stdin: child.stdin.take(),
            child: Some(child),
            stdout_chunks,
            stdout: Vec::new(),
            stderr_lines,
            stderr: Vec::new(),
        }
    }

    fn feed(&mut self, data: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(data).expect("write to the peer's stdin");
        stdin.flush().expect("flush the peer's stdin");
    }

    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Wait for a stderr line containing `needle`; returns that line.
    #[track_caller]
    fn wait_for_stderr(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => self.stderr.push(line),
                Err(_) => panic!(
                    "no stderr line with {needle:?} from {}; saw:\n{}",
                    self.cmd,
                    self.stderr.join("\n")
                ),
            }
        }
    }

    /// Wait until the peer has written exactly `expected` to stdout so far
    /// (more, or different, bytes fail at once).
    #[track_caller]
    fn wait_for_stdout(&mut self, expected: &[u8]) {
        let deadline = Instant::now() + TIMEOUT;
        while self.stdout.len() < expected.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout_chunks.recv_timeout(left) {
                Ok(chunk) => self.stdout.extend_from_slice(&chunk),
                Err(_) => break,
            }
        }
        assert_eq!(
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(expected),
            "stdout of {}; stderr:\n{}",
            self.cmd,
            self.stderr.join("\n")
        );
    }

    /// Wait for the peer to exit on its own and collect what it printed.
    #[track_caller]
    fn wait(mut self) -> Output {
        self.stdin = None;
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} did not exit within {TIMEOUT:?}; stderr:\n{}",
                    self.cmd,
                    self.stderr.join("\n")
                );
            }
            thread::sleep(Duration::from_millis(5));
        };
        // A peer's own children (socat's EXEC) may hold the pipes a moment longer.
        while let Ok(chunk) = self.stdout_chunks.recv_timeout(Duration::from_secs(5)) {
            self.stdout.extend_from_slice(&chunk);
        }
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_millis(200)) {
            self.stderr.push(line);
        }
        Output {
            cmd: self.cmd.clone(),
            status,
            stdout: std::mem::take(&mut self.stdout),
            stderr: self.stderr.join("\n"),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The last word of a line: the port in nc's `Listening on 127.0.0.1 40321`.
fn last_word(line: &str) -> &str {
    line.split_whitespace().next_back().expect("a word")
}

/// The port at the end of `…127.0.0.1:40321` (socat's log, sockcat's address).
fn port_after_colon(text: &str) -> &str {
    text.trim().rsplit(':').next().expect("a port")
}

#[track_caller]
fn wait_for_file(path: &str) {
    wait_until(&format!("{path} to appear"), TIMEOUT, || {
        Path::new(path).exists()
    });
}

// ---- sockcat connect, the peer serves ----

/// A stream exchange with a peer that serves its stdin (`from peer`, already
/// fed and closed) and prints what it receives: each side sends a line and
/// half-closes, both exit 0. The peer may half-close before sockcat has read
/// its stdin; its EOF ends only what it sends, so sockcat's line still goes.
fn connect_stream_exchange(server: Peer, target: &str) {
    let out = Sockcat::run(
        ["connect", "--retry", "5s", target],
        b"from sockcat\n",
        TIMEOUT,
    );
    out.assert_success();
    assert_eq!(out.stdout_str(), "from peer\n", "{out}");
    let served = server.wait();
    served.assert_success();
    assert_eq!(served.stdout_str(), "from sockcat\n", "{served}");
}

/// An echo server (`socat … EXEC:cat`): what sockcat sends comes back whole.
fn connect_stream_echo(target: &str, len: usize) {
    let data = pattern(len, len as u64);
    let out = Sockcat::run(["connect", "--retry", "5s", target], &data, TIMEOUT);
    out.assert_success();
    assert!(
        out.stdout == data,
        "echo differs ({} bytes back): {out}",
        out.stdout.len()
    );
}

/// sockcat as a `Peer`, for datagram sessions: its stdout can be waited
/// on before its stdin is closed.
fn sockcat(args: &[&str]) -> Peer {
    Peer::spawn(bin(), args)
}

/// The end of a datagram session once both sides have shown what they got:
/// sockcat's stdin closes, and after its quiet period (`-q`) it exits 0.
#[track_caller]
fn finish_datagram_session(mut sockcat: Peer) {
    sockcat.close_stdin();
    sockcat.wait().assert_success();
}

/// A datagram exchange with a peer that prints what it receives and answers
/// with its stdin once it knows who sent (nc -u -l). sockcat's stdin stays
/// open until each side has printed the other's datagram.
fn connect_datagram_exchange(mut server: Peer, target: &str) {
    server.feed(b"from peer\n");
    let mut client = sockcat(&["connect", "--retry", "5s", "-q", "100ms", target]);
    client.feed(b"from sockcat\n");
    server.wait_for_stdout(b"from sockcat\n");
    client.wait_for_stdout(b"from peer\n");
    finish_datagram_session(client);
}

/// An echo server for datagrams (`socat … EXEC:cat`).
fn connect_datagram_echo(target: &str) {
    let mut client = sockcat(&["connect", "--retry", "5s", "-q", "100ms", target]);
    client.feed(b"ping\n");
    client.wait_for_stdout(b"ping\n");
    finish_datagram_session(client);
}

#[test]
fn connect_tcp_to_nc_server() {
    if !require("nc.openbsd") {
        return;
    }
    let mut nc = Peer::spawn("nc.openbsd", &["-N", "-l", "-v", "-n", "127.0.0.1", "0"]);
    nc.feed(b"from peer\n");
    nc.close_stdin();
    let port = last_word(&nc.wait_for_stderr("Listening on ")).to_string();
    connect_stream_exchange(nc, &format!("tcp:127.0.0.1:{port}"));
}

#[test]
fn connect_tcp_to_socat_server() {
    if !require("socat") {
        return;
    }
    // -t 5 only bounds socat's wait for cat after sockcat's EOF; cat ends sooner.
    let mut socat = Peer::spawn(
        "socat",
        &[
            "-d",
            "-d",
            "-t",
            "5",
            "TCP-LISTEN:0,bind=127.0.0.1",
            "EXEC:cat",
        ],
    );
    let port = port_after_colon(&socat.wait_for_stderr("listening on")).to_string();
    connect_stream_echo(&format!("tcp:127.0.0.1:{port}"), 1 << 20);
}

#[test]
fn connect_udp_to_nc_server() {
    if !require("nc.openbsd") {
        return;
    }
    let mut nc = Peer::spawn("nc.openbsd", &["-u", "-l", "-v", "-n", "127.0.0.1", "0"]);
    let port = last_word(&nc.wait_for_stderr("Bound on ")).to_string();
    connect_datagram_exchange(nc, &format!("udp:127.0.0.1:{port}"));
}

#[test]
fn connect_udp_to_socat_server() {
    if !require("socat") {
        return;
    }
    let mut socat = Peer::spawn(
        "socat",
        &["-d", "-d", "UDP-LISTEN:0,bind=127.0.0.1", "EXEC:cat"],
    );
    let port = port_after_colon(&socat.wait_for_stderr("listening on")).to_string();
    connect_datagram_echo(&format!("udp:127.0.0.1:{port}"));
}

#[test]
fn connect_unix_to_nc_server() {
    if !require("nc.openbsd") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("nc.sock");
    let mut nc = Peer::spawn("nc.openbsd", &["-N", "-l", "-U", &path]);
    nc.feed(b"from peer\n");
    nc.close_stdin();
    wait_for_file(&path);
    connect_stream_exchange(nc, &format!("unix:{path}"));
}

#[test]
fn connect_unix_to_socat_server() {
    if !require("socat") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("socat.sock");
    let _socat = Peer::spawn(
        "socat",
        &["-t", "5", &format!("UNIX-LISTEN:{path}"), "EXEC:cat"],
    );
    wait_for_file(&path);
    connect_stream_echo(&path, 256 * 1024);
}

#[test]
fn connect_unix_dgram_to_nc_server() {
    if !require("nc.openbsd") {
        return;
    }
    // nc answers through connect(2) to our address: the autobound abstract
    // name sockcat gives a Unix datagram client.
    let dir = TempDir::new();
    let path = dir.join("nc.sock");
    let nc = Peer::spawn("nc.openbsd", &["-u", "-l", "-U", &path]);
    wait_for_file(&path);
    connect_datagram_exchange(nc, &format!("unix-dgram:{path}"));
}

#[test]
fn connect_unix_dgram_to_socat_server() {
    if !require("socat") {
        return;
    }
    // socat answers with sendto(2) to the address the datagram came from.
    let dir = TempDir::new();
    let path = dir.join("socat.sock");
    let _socat = Peer::spawn("socat", &[&format!("UNIX-RECVFROM:{path}"), "EXEC:cat"]);
    wait_for_file(&path);
    connect_datagram_echo(&format!("unix-dgram:{path}"));
}

// ---- sockcat listen, the peer is the client ----

/// sockcat listens on `addr` with a line on stdin; `client` is started with
/// the printed address and `from peer` as its whole input; each gets the
/// other's line.
fn listen_stream_exchange(addr: &str, client: impl FnOnce(&str) -> Peer) {
    let mut server = Sockcat::spawn(["-v", "listen", addr]);
    server.feed(b"from sockcat\n");
    server.close_stdin();
    let printed = server.listening();
    let served = client(&printed).wait();
    served.assert_success();
    assert_eq!(served.stdout_str(), "from sockcat\n", "{served}");
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from peer\n", "{out}");
}

/// The datagram form: sockcat takes the client as its peer from its first
/// datagram and answers with stdin. Both keep stdin open (a datagram client
/// has no end of session to wait for) until each has printed the other's
/// line; then sockcat's closes and `-q` ends it.
fn listen_datagram_exchange(addr: &str, client: impl FnOnce(&str) -> Peer) {
    let mut server = sockcat(&["-v", "listen", "-q", "100ms", addr]);
    server.feed(b"from sockcat\n");
    let line = server.wait_for_stderr("listening on ");
    let printed = line.rsplit("listening on ").next().expect("address");
    let mut peer = client(printed);
    peer.feed(b"from peer\n");
    server.wait_for_stdout(b"from peer\n");
    peer.wait_for_stdout(b"from sockcat\n");
    finish_datagram_session(server);
}

fn unix_path(printed: &str) -> &str {
    let (_, path) = printed.split_once(':').expect("scheme:path");
    path
}

#[test]
fn listen_tcp_for_nc_client() {
    if !require("nc.openbsd") {
        return;
    }
    listen_stream_exchange("tcp:127.0.0.1:0", |addr| {
        Peer::spawn_with_input(
            "nc.openbsd",
            &["-N", "127.0.0.1", port_after_colon(addr)],
            b"from peer\n",
        )
    });
}

#[test]
fn listen_tcp_for_socat_client() {
    if !require("socat") {
        return;
    }
    listen_stream_exchange("tcp:127.0.0.1:0", |addr| {
        let target = format!("TCP:127.0.0.1:{}", port_after_colon(addr));
        Peer::spawn_with_input("socat", &["-t", "5", "-", &target], b"from peer\n")
    });
}

#[test]
fn listen_udp_for_nc_client() {
    if !require("nc.openbsd") {
        return;
    }
    listen_datagram_exchange("udp:127.0.0.1:0", |addr| {
        Peer::spawn("nc.openbsd", &["-u", "127.0.0.1", port_after_colon(addr)])
    });
}

#[test]
fn listen_udp_for_socat_client() {
    if !require("socat") {
        return;
    }
    listen_datagram_exchange("udp:127.0.0.1:0", |addr| {
        let target = format!("UDP:127.0.0.1:{}", port_after_colon(addr));
        Peer::spawn("socat", &["-", &target])
    });
}

#[test]
fn listen_unix_for_nc_client() {
    if !require("nc.openbsd") {
        return;
    }
    let dir = TempDir::new();
    listen_stream_exchange(&format!("unix:{}", dir.join("s")), |addr| {
        Peer::spawn_with_input("nc.openbsd", &["-N", "-U", unix_path(addr)], b"from peer\n")
    });
}

#[test]
fn listen_unix_for_socat_client() {
    if !require("socat") {
        return;
    }
    let dir = TempDir::new();
    listen_stream_exchange(&format!("unix:{}", dir.join("s")), |addr| {
        let target = format!("UNIX-CONNECT:{}", unix_path(addr));
        Peer::spawn_with_input("socat", &["-t", "5", "-", &target], b"from peer\n")
    });
}

#[test]
fn listen_unix_dgram_for_nc_client() {
    if !require("nc.openbsd") {
        return;
    }
    // nc binds a temporary path of its own, so answers can reach it.
    let dir = TempDir::new();
    listen_datagram_exchange(&format!("unix-dgram:{}", dir.join("s")), |addr| {
        Peer::spawn("nc.openbsd", &["-u", "-U", unix_path(addr)])
    });
}

#[test]
fn listen_unix_dgram_for_socat_client() {
    if !require("socat") {
        return;
    }
    let dir = TempDir::new();
    let client = dir.join("client");
    listen_datagram_exchange(&format!("unix-dgram:{}", dir.join("s")), |addr| {
        let target = format!("UNIX-SENDTO:{},bind={client}", unix_path(addr));
        Peer::spawn("socat", &["-", &target])
    });
}

/// Senders with no address of their own (`logger -u`, socat's UNIX-SENDTO
/// without bind) are printed, with one warning under `-v`, and do not end the
/// session; the first sender with an address becomes the peer and gets stdin.
#[test]
fn listen_unix_dgram_for_senders_without_address() {
    if !require("logger") || !require("socat") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("log.sock");
    let mut server = Sockcat::spawn(["-v", "listen", "-q", "100ms", &format!("unix-dgram:{path}")]);
    server.feed(b"to the named sender\n");
    server.listening();

    let logged =
        Proc::spawn(Command::new("logger").args(["-u", &path, "hello from logger"])).wait(TIMEOUT);
    logged.assert_success();
    let mut socat = Peer::spawn("socat", &["-", &format!("UNIX-SENDTO:{path}")]);
    socat.feed(b"hello from socat\n");
    socat.close_stdin();
    socat.wait().assert_success();

    let named = std::os::unix::net::UnixDatagram::bind(dir.join("named")).expect("bind");
    named.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
    named
        .send_to(b"hello from a named sender\n", &path)
        .expect("send");
    let mut buf = [0u8; 256];
    let n = named
        .recv(&mut buf)
        .expect("the reply reaches the named sender");
    assert_eq!(&buf[..n], b"to the named sender\n");
    server.close_stdin();

    let out = server.wait(TIMEOUT);
    out.assert_success();
    let printed = out.stdout_str();
    assert!(printed.contains("hello from logger"), "{out}");
    assert!(printed.contains("hello from socat\n"), "{out}");
    assert!(printed.ends_with("hello from a named sender\n"), "{out}");
    let warnings = out.stderr.matches("replies cannot reach").count();
    assert_eq!(
        warnings, 1,
        "one warning for senders without address: {out}"
    );
}

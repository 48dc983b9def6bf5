//! `sockcat forward`: byte-exact pairs both ways at once across families,
//! half-close and reset carried across, a refused target that closes only
//! its peer, many pairs at once, the `-x` dump of a pair, real clients
//! (curl) and bad command lines.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Command, Stdio};
use std::thread;

use crate::support::{
    HOSTS_FILE_ONLY, Netns, Proc, Sockcat, TIMEOUT, TempDir, closed_port, give_up_after, pattern,
    require, run_command,
};

const BIG: usize = 64 << 20;

fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// A forwarder from `listen` to `target`, up to its `listening on` line.
fn forwarder(args: &[&str]) -> (Proc, String) {
    let mut all = vec!["-v", "forward"];
    all.extend_from_slice(args);
    let mut fwd = Sockcat::spawn_with(&all, Stdio::null());
    let addr = fwd.listening();
    (fwd, addr)
}

/// A stream to a printed address: `tcp:…` or `unix:…`.
trait Stream: Read + Write + Send + 'static {
    fn half_close(&self);
    fn try_clone_box(&self) -> Box<dyn Stream>;
}

impl Stream for TcpStream {
    fn half_close(&self) {
        self.shutdown(Shutdown::Write).expect("shutdown");
    }
    fn try_clone_box(&self) -> Box<dyn Stream> {
        Box::new(self.try_clone().expect("clone"))
    }
}

impl Stream for UnixStream {
    fn half_close(&self) {
        self.shutdown(Shutdown::Write).expect("shutdown");
    }
    fn try_clone_box(&self) -> Box<dyn Stream> {
        Box::new(self.try_clone().expect("clone"))
    }
}

fn dial(addr: &str) -> Box<dyn Stream> {
    if let Some(path) = addr.strip_prefix("unix:") {
        let s = UnixStream::connect(path).expect("connect");
        give_up_after(&s, TIMEOUT);
        Box::new(s)
    } else {
        let hostport = addr.strip_prefix("tcp:").expect("tcp address");
        let s = TcpStream::connect(hostport).expect("connect");
        give_up_after(&s, TIMEOUT);
        Box::new(s)
    }
}

/// A target that accepts `n` connections and gives each to `serve` in a
/// thread of its own; returns its address for sockcat.
fn target(kind: &str, dir: &TempDir, n: usize, serve: fn(Box<dyn Stream>)) -> String {
    match kind {
        "unix" => {
            let path = dir.join("target.sock");
            let listener = UnixListener::bind(&path).expect("bind");
            thread::spawn(move || {
                for _ in 0..n {
                    let (s, _) = listener.accept().expect("accept");
                    give_up_after(&s, TIMEOUT);
                    thread::spawn(move || serve(Box::new(s)));
                }
            });
            format!("unix:{path}")
        }
        _ => {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
            thread::spawn(move || {
                for _ in 0..n {
                    let (s, _) = listener.accept().expect("accept");
                    give_up_after(&s, TIMEOUT);
                    thread::spawn(move || serve(Box::new(s)));
                }
            });
            addr
        }
    }
}

/// Sends 64 MiB (seed 2) while it reads 64 MiB (seed 1), then checks them.
fn both_ways(s: Box<dyn Stream>, send_seed: u64, expect_seed: u64) {
    let mut writer = s.try_clone_box();
    let sender = thread::spawn(move || {
        writer.write_all(&pattern(BIG, send_seed)).expect("send");
        writer.half_close();
    });
    let mut reader = s;
    let mut got = Vec::with_capacity(BIG);
    reader.read_to_end(&mut got).expect("receive");
    sender.join().expect("sender");
    assert_eq!(got.len(), BIG);
    assert_eq!(hash(&got), hash(&pattern(BIG, expect_seed)));
}

fn serve_both_ways(s: Box<dyn Stream>) {
    both_ways(s, 1, 2);
}

fn pair_64mib_both_ways(listen: &str, target_kind: &str) {
    let dir = TempDir::new();
    let target = target(target_kind, &dir, 1, serve_both_ways);
    let listen = listen.replace("{dir}", dir.path().to_str().expect("utf-8"));
    let (fwd, addr) = forwarder(&[&listen, &target]);
    both_ways(dial(&addr), 2, 1);
    drop(fwd);
}

#[test]
fn tcp_to_unix_64mib_both_ways_at_once() {
    pair_64mib_both_ways("tcp:127.0.0.1:0", "unix");
}

#[test]
fn unix_to_tcp_64mib_both_ways_at_once() {
    pair_64mib_both_ways("unix:{dir}/fwd.sock", "tcp");
}

/// SSH-style: both sides write megabytes before they read a byte. A
/// forwarder that let one blocked direction hold up the other would leave
/// both writers stuck (their timeouts would fail the test).
#[test]
fn both_sides_write_megabytes_before_reading() {
    const EACH: usize = 2 << 20;
    fn write_then_read(mut s: Box<dyn Stream>, send_seed: u64, expect_seed: u64) {
        s.write_all(&pattern(EACH, send_seed))
            .expect("write before reading");
        let mut got = vec![0u8; EACH];
        s.read_exact(&mut got).expect("read after writing");
        assert!(got == pattern(EACH, expect_seed), "the other side's bytes");
    }
    let dir = TempDir::new();
    let target = target("unix", &dir, 1, |s| write_then_read(s, 1, 2));
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    write_then_read(dial(&addr), 2, 1);
    drop(fwd);
}

/// The client's half-close reaches the server as an end of file, and the
/// server's reply, written after it, still reaches the client.
#[test]
fn half_close_is_carried_across() {
    let dir = TempDir::new();
    let target = target("unix", &dir, 1, |mut s| {
        let mut question = Vec::new();
        s.read_to_end(&mut question).expect("read to EOF");
        assert_eq!(question, b"question");
        s.write_all(b"answer after your EOF").expect("reply");
    });
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    let mut client = dial(&addr);
    client.write_all(b"question").expect("send");
    client.half_close();
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).expect("reply");
    assert_eq!(reply, b"answer after your EOF");
    drop(fwd);
}

/// A target that resets its connection: the client sees a reset, not a
/// clean end of file.
#[test]
fn a_reset_is_carried_across() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = format!("tcp:{}", listener.local_addr().expect("addr"));
    let server = thread::spawn(move || {
        give_up_after(&listener, TIMEOUT);
        let (mut s, _) = listener.accept().expect("accept");
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).expect("read");
        let linger = nix::libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &linger)
            .expect("SO_LINGER");
        // Dropped with SO_LINGER 0: a reset.
    });
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    let mut client = dial(&addr);
    client.write_all(b"hello").expect("send");
    server.join().expect("server");
    let mut buf = Vec::new();
    let err = client
        .read_to_end(&mut buf)
        .expect_err("a reset, not an end of file");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    let out = fwd_output(fwd);
    assert!(out.contains("(target: connection reset"), "{out}");
}

/// Stop a forwarder and return what it said on stderr.
fn fwd_output(fwd: Proc) -> String {
    fwd.signal(nix::sys::signal::Signal::SIGTERM);
    let out = fwd.wait(TIMEOUT);
    out.assert_code(143);
    out.stderr
}

/// A target that refuses closes that peer only, said with -v; once the
/// service is up, the next peer is served.
#[test]
fn a_refused_target_closes_only_its_peer() {
    let dir = TempDir::new();
    let path = dir.join("later.sock");
    let (mut fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &format!("unix:{path}")]);
    let mut first = dial(&addr);
    let mut buf = Vec::new();
    // Closed without a byte: an end of file or a reset, never data.
    let _ = first.read_to_end(&mut buf);
    assert!(buf.is_empty());
    let listener = UnixListener::bind(&path).expect("bind");
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.write_all(b"up now").expect("write");
    });
    let mut second = dial(&addr);
    let mut got = Vec::new();
    second.read_to_end(&mut got).expect("read");
    server.join().expect("server");
    assert_eq!(got, b"up now");
    second.half_close();
    fwd.wait_for_stderr("closed #2", TIMEOUT);
    let out = fwd_output(fwd);
    assert!(out.contains("closed #1 tcp:127.0.0.1:"), "{out}");
    assert!(out.contains("no such file"), "{out}");
    assert!(out.contains("closed #2 tcp:127.0.0.1:"), "{out}");
}

/// 200 pairs at once on the one loop, each echoing what it is sent.
#[test]
fn two_hundred_pairs_at_once() {
    const PAIRS: usize = 200;
    let dir = TempDir::new();
    let target = target("unix", &dir, PAIRS, |mut s| {
        let mut all = Vec::new();
        s.read_to_end(&mut all).expect("read");
        s.write_all(&all).expect("echo");
    });
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    let clients: Vec<_> = (0..PAIRS)
        .map(|i| {
            let mut s = dial(&addr);
            let data = pattern(64 << 10, i as u64);
            thread::spawn(move || {
                let mut writer = s.try_clone_box();
                let sent = data.clone();
                let w = thread::spawn(move || {
                    writer.write_all(&sent).expect("send");
                    writer.half_close();
                });
                let mut back = Vec::new();
                s.read_to_end(&mut back).expect("read");
                w.join().expect("writer");
                assert!(back == data, "pair {i}: {} bytes back", back.len());
            })
        })
        .collect();
    for c in clients {
        c.join().expect("client");
    }
    let out = fwd_output(fwd);
    assert_eq!(out.matches("closed #").count(), PAIRS, "{out}");
}

/// A target that does not answer within `-w` closes that one peer, said
/// with -v, and the forwarder goes on serving. The silent target is a
/// listener whose accept queue is full: the kernel drops further SYNs.
#[test]
fn a_target_that_does_not_answer_in_w_closes_only_its_peer() {
    let (silent, target, _) = crate::faults::tcp_peer_with_no_room();
    // One connection fills the queue; it is never accepted.
    let _filler = TcpStream::connect(silent.local_addr().expect("addr")).expect("fill the queue");
    let (mut fwd, addr) = forwarder(&["-w", "300ms", "tcp:127.0.0.1:0", &target]);
    for n in 1..=2 {
        let mut peer = dial(&addr);
        let mut buf = Vec::new();
        // Closed without a byte once -w has passed.
        let _ = peer.read_to_end(&mut buf);
        assert!(buf.is_empty());
        fwd.wait_for_stderr(&format!("closed #{n}"), TIMEOUT);
    }
    let out = fwd_output(fwd);
    assert_eq!(out.matches("timed out").count(), 2, "{out}");
    assert_eq!(
        out.matches("closed #").count(),
        2,
        "each peer's close said once: {out}"
    );
}

/// Pairs one after another, each echoing its own bytes: the pipes a closed
/// pair leaves are reused by the next ones without a byte of one pair
/// reaching another, and the forwarder's descriptors stay bounded however
/// many pairs have come and gone.
#[test]
fn pairs_one_after_another_get_only_their_own_bytes() {
    const PAIRS: usize = 80;
    let dir = TempDir::new();
    let target = target("unix", &dir, PAIRS, |mut s| {
        let mut all = Vec::new();
        s.read_to_end(&mut all).expect("read");
        // A client that resets mid-echo fails this write.
        let _ = s.write_all(&all);
    });
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    let descriptors =
        || std::fs::read_dir(format!("/proc/{}/fd", fwd.pid())).map_or(0, |d| d.count());
    let before = descriptors();
    for i in 0..PAIRS {
        // Lines, and every fourth pair more than a pipe holds.
        let size = if i % 4 == 3 { 200 << 10 } else { 10 + i };
        let data = pattern(size, i as u64);
        if i % 10 == 5 {
            // A client that resets while its echo is on the way: the
            // forwarder is left holding bytes no one will take.
            let mut s = small_window_client(&addr);
            s.write_all(&pattern(16 << 20, 99)).expect("send");
            s.shutdown(Shutdown::Write).expect("shutdown");
            let mut first = [0u8; 1];
            s.read_exact(&mut first).expect("the echo begins");
            let linger = nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &linger)
                .expect("SO_LINGER");
            continue;
        }
        let mut s = dial(&addr);
        let mut writer = s.try_clone_box();
        let sent = data.clone();
        let w = thread::spawn(move || {
            writer.write_all(&sent).expect("send");
            writer.half_close();
        });
        let mut back = Vec::new();
        s.read_to_end(&mut back).expect("read");
        w.join().expect("writer");
        assert!(
            back == data,
            "pair {i}: {} bytes back of {size}",
            back.len()
        );
    }
    // Two pipes a pair at most are kept for reuse: 32 pairs' worth.
    let after = descriptors();
    assert!(
        after <= before + 64,
        "{before} descriptors before, {after} after"
    );
    let out = fwd_output(fwd);
    assert_eq!(out.matches("closed #").count(), PAIRS, "{out}");
}

/// A TCP client with a small receive buffer, so that what is sent to it
/// soon backs up into the forwarder.
fn small_window_client(addr: &str) -> TcpStream {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, SockaddrIn, socket, sockopt};
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    nix::sys::socket::setsockopt(&fd, sockopt::RcvBuf, &4096).expect("SO_RCVBUF");
    let to: SockaddrIn = addr
        .strip_prefix("tcp:")
        .and_then(|a| a.parse().ok())
        .expect("a tcp address");
    nix::sys::socket::connect(std::os::fd::AsRawFd::as_raw_fd(&fd), &to).expect("connect");
    let s = TcpStream::from(fd);
    give_up_after(&s, TIMEOUT);
    s
}

/// `-x` dumps both directions of a pair, each chunk headed by the pair's
/// number, the direction, its offset and the peer.
#[test]
fn hexdump_shows_both_directions_of_a_pair() {
    let dir = TempDir::new();
    let target = target("unix", &dir, 1, |mut s| {
        let mut q = [0u8; 6];
        s.read_exact(&mut q).expect("read");
        s.write_all(b"world\n").expect("write");
    });
    let listen = format!("unix:{}", dir.join("spy.sock"));
    let (fwd, addr) = forwarder(&["-x", &listen, &target]);
    let mut client = dial(&addr);
    client.write_all(b"hello\n").expect("send");
    client.half_close();
    let mut back = Vec::new();
    client.read_to_end(&mut back).expect("read");
    assert_eq!(back, b"world\n");
    let out = fwd_output(fwd);
    assert!(out.contains("#1 > 0 unix:"), "{out}");
    assert!(
        out.contains("00000000  68 65 6c 6c 6f 0a                                 |hello.|"),
        "{out}"
    );
    assert!(out.contains("#1 < 0 unix:"), "{out}");
    assert!(out.contains("|world.|"), "{out}");
}

/// A Python HTTP server on the Unix socket `path`, a thread per client,
/// answering each GET with `hello from python at PATH`; running once it
/// has said so.
fn python_http_server(path: &str) -> Proc {
    let script = format!(
        r#"
import http.server, socketserver, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from python at " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
    def address_string(self):
        return "unix"
class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
srv = Server("{path}", Handler)
print("ready", file=sys.stderr, flush=True)
srv.serve_forever()
"#
    );
    let mut py = Proc::spawn_with(Command::new("python3").args(["-c", &script]), Stdio::null());
    py.wait_for_stderr("ready", TIMEOUT);
    py
}

/// curl through a forward, to a Python HTTP server on a Unix socket.
#[test]
fn curl_through_a_forward_to_a_python_http_server_on_a_unix_socket() {
    if !require("curl") || !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("http.sock");
    let _py = python_http_server(&path);
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &format!("unix:{path}")]);
    let url = format!(
        "http://{}/path?q=1",
        addr.strip_prefix("tcp:").expect("tcp")
    );
    for _ in 0..3 {
        let out = run_command(
            Command::new("curl").args(["-sS", "--max-time", "10", &url]),
            TIMEOUT,
        );
        out.assert_success();
        assert_eq!(out.stdout_str(), "hello from python at /path?q=1", "{out}");
    }
    let out = fwd_output(fwd);
    assert_eq!(out.matches("closed #").count(), 3, "{out}");
}

#[test]
fn bad_command_lines_are_exit_2() {
    let dir = TempDir::new();
    let (_hold, port) = closed_port();
    let tcp = format!("tcp:127.0.0.1:{port}");
    let unix = format!("unix:{}", dir.join("x.sock"));
    let cases: &[(&[&str], &str)] = &[
        (
            &["tcp:127.0.0.1:0", "udp:127.0.0.1:9"],
            "both sides must be of one type",
        ),
        (
            &["unix-seqpacket:@sockcat-fwd-test", &tcp],
            "both sides must be of one type",
        ),
        (
            &["--mode", "600", "tcp:127.0.0.1:0", &unix],
            "--mode needs a Unix socket path",
        ),
        (&["tcp:127.0.0.1:0", "fd:3"], "inherited descriptor"),
    ];
    for (args, fragment) in cases {
        let mut all = vec!["forward"];
        all.extend_from_slice(args);
        let out = Sockcat::run(&all, b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.contains(fragment), "{args:?}: {out}");
        assert!(out.stderr.starts_with("sockcat: "), "{out}");
    }
}

/// UDP through a forward: two senders, each its own session and upstream
/// socket, each getting its own replies, from the listening address.
#[test]
fn udp_senders_get_their_own_replies() {
    use std::net::UdpSocket;
    let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
    give_up_after(&server, TIMEOUT);
    let target = format!("udp:{}", server.local_addr().expect("addr"));
    let echo = thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut upstreams = std::collections::HashSet::new();
        for _ in 0..4 {
            let (n, from) = server.recv_from(&mut buf).expect("datagram");
            upstreams.insert(from);
            let mut reply = b"re: ".to_vec();
            reply.extend_from_slice(&buf[..n]);
            server.send_to(&reply, from).expect("reply");
        }
        upstreams.len()
    });
    let (fwd, addr) = forwarder(&["udp:127.0.0.1:0", &target]);
    let port: u16 = addr.rsplit(':').next().unwrap().parse().expect("port");
    let senders: Vec<UdpSocket> = (0..2)
        .map(|_| {
            let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
            give_up_after(&s, TIMEOUT);
            s
        })
        .collect();
    for round in 0..2 {
        for (i, s) in senders.iter().enumerate() {
            let message = format!("sender {i} round {round}");
            s.send_to(message.as_bytes(), ("127.0.0.1", port))
                .expect("send");
            let mut buf = [0u8; 256];
            let (n, from) = s.recv_from(&mut buf).expect("reply");
            assert_eq!(&buf[..n], format!("re: {message}").as_bytes());
            assert_eq!(from.port(), port, "replies come from the listening address");
        }
    }
    assert_eq!(
        echo.join().expect("echo"),
        2,
        "one upstream socket per sender"
    );
    let out = fwd_output(fwd);
    assert_eq!(out.matches("accepted udp:127.0.0.1:").count(), 2, "{out}");
}

/// Unix datagrams through a forward; a session expires after -i of
/// silence and the next datagram opens a new one.
#[test]
fn unix_datagram_sessions_expire_after_idle() {
    use std::os::unix::net::UnixDatagram;
    let dir = TempDir::new();
    let target_path = dir.join("target.sock");
    let server = UnixDatagram::bind(&target_path).expect("bind");
    give_up_after(&server, TIMEOUT);
    let echo = thread::spawn(move || {
        let mut buf = [0u8; 256];
        for _ in 0..2 {
            let (n, from) = server.recv_from(&mut buf).expect("datagram");
            // The forwarder's upstream socket autobinds: an abstract name.
            server
                .send_to_addr(&buf[..n], &from)
                .expect("reply to the upstream socket");
        }
    });
    let listen = format!("unix-dgram:{}", dir.join("fwd.sock"));
    let (mut fwd, addr) =
        forwarder(&["-i", "200ms", &listen, &format!("unix-dgram:{target_path}")]);
    let path = addr
        .strip_prefix("unix-dgram:")
        .expect("unix-dgram")
        .to_string();
    let client = UnixDatagram::bind(dir.join("client.sock")).expect("bind");
    give_up_after(&client, TIMEOUT);
    for message in [&b"first"[..], b"second"] {
        client.send_to(message, &path).expect("send");
        let mut buf = [0u8; 256];
        let n = client.recv(&mut buf).expect("reply");
        assert_eq!(&buf[..n], message);
        fwd.wait_for_stderr("idle timeout", TIMEOUT);
    }
    echo.join().expect("echo");
    let out = fwd_output(fwd);
    assert!(out.contains("closed #2 unix-dgram:"), "{out}");
}

/// `curl --unix-socket` through a Unix → Unix forward (the spy socket of
/// the man page), and `--events json` closing each pair with its counts.
#[test]
fn curl_unix_socket_through_a_spy_forward_with_events() {
    if !require("curl") || !require("python3") {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("app.sock");
    let _py = python_http_server(&path);
    let spy = dir.join("spy.sock");
    let mut fwd = Sockcat::spawn_with(
        [
            "--events",
            "json",
            "forward",
            &format!("unix:{spy}"),
            &format!("unix:{path}"),
        ],
        Stdio::null(),
    );
    fwd.wait_for_stderr("\"listening\"", TIMEOUT);
    let out = run_command(
        Command::new("curl").args([
            "-sS",
            "--max-time",
            "10",
            "--unix-socket",
            &spy,
            "http://app/",
        ]),
        TIMEOUT,
    );
    out.assert_success();
    assert_eq!(out.stdout_str(), "hello from python at /", "{out}");
    let line = fwd.wait_for_stderr("\"closed\"", TIMEOUT);
    let closed: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(closed["pair"], 1, "{line}");
    assert_eq!(closed["target"], format!("unix:{path}"), "{line}");
    assert!(closed["up"].as_u64().is_some_and(|n| n > 0), "{line}");
    assert!(closed["down"].as_u64().is_some_and(|n| n > 22), "{line}");
    assert!(closed["duration_ms"].is_u64(), "{line}");
}

/// socat and nc.openbsd as clients of a forward: a line each way, their
/// half-closes carried to a sockcat listener and back.
#[test]
fn socat_and_nc_as_clients() {
    for client in ["socat", "nc.openbsd"] {
        if !require(client) {
            return;
        }
        let dir = TempDir::new();
        let path = dir.join("srv.sock");
        let mut server = Sockcat::spawn(["-v", "listen", &format!("unix:{path}")]);
        server.feed(b"from server\n");
        server.close_stdin();
        server.listening();
        let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &format!("unix:{path}")]);
        let hostport = addr.strip_prefix("tcp:").expect("tcp");
        let (host, port) = hostport.rsplit_once(':').expect("port");
        let mut cmd = Command::new(client);
        if client == "socat" {
            cmd.args(["-", &format!("TCP:{hostport}")]);
        } else {
            cmd.args(["-N", host, port]);
        }
        let mut peer = Proc::spawn(&mut cmd);
        peer.feed(b"from client\n");
        peer.close_stdin();
        let out = peer.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "from server\n", "{client}: {out}");
        let served = server.wait(TIMEOUT);
        served.assert_success();
        assert_eq!(served.stdout_str(), "from client\n", "{client}: {served}");
        drop(fwd);
    }
}

/// Seqpacket to seqpacket: records keep their boundaries across the pair,
/// each whole, an empty-handed half-close carried as the end.
#[test]
fn seqpacket_records_stay_whole_across_a_pair() {
    use nix::sys::socket::{
        AddressFamily, Backlog, MsgFlags, SockFlag, SockType, UnixAddr, accept, bind, connect,
        listen, recv, send, socket,
    };
    use std::os::fd::AsRawFd;
    let dir = TempDir::new();
    let target_path = dir.join("target.sock");
    let server = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    bind(
        server.as_raw_fd(),
        &UnixAddr::new(target_path.as_str()).expect("addr"),
    )
    .expect("bind");
    listen(&server, Backlog::new(4).expect("backlog")).expect("listen");
    let echo = thread::spawn(move || {
        let conn = accept(&server).expect("accept");
        give_up_after(&conn, TIMEOUT);
        let mut records = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = recv(conn.as_raw_fd(), &mut buf, MsgFlags::empty()).expect("recv");
            if n == 0 {
                break;
            }
            records.push(buf[..n].to_vec());
            send(conn.as_raw_fd(), &buf[..n], MsgFlags::empty()).expect("echo");
        }
        records
    });
    let listen_at = format!("unix-seqpacket:{}", dir.join("fwd.sock"));
    let (fwd, addr) = forwarder(&[&listen_at, &format!("unix-seqpacket:{target_path}")]);
    let path = addr.strip_prefix("unix-seqpacket:").expect("seqpacket");
    let client = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    connect(client.as_raw_fd(), &UnixAddr::new(path).expect("addr")).expect("connect");
    give_up_after(&client, TIMEOUT);
    let sent: [&[u8]; 3] = [b"one", b"two records", b"three"];
    for record in sent {
        send(client.as_raw_fd(), record, MsgFlags::empty()).expect("send");
    }
    let mut back = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..3 {
        let n = recv(client.as_raw_fd(), &mut buf, MsgFlags::empty()).expect("recv");
        back.push(buf[..n].to_vec());
    }
    assert_eq!(back, sent.map(<[u8]>::to_vec));
    nix::sys::socket::shutdown(client.as_raw_fd(), nix::sys::socket::Shutdown::Write)
        .expect("shutdown");
    assert_eq!(echo.join().expect("echo"), sent.map(<[u8]>::to_vec));
    drop(fwd);
}

/// `-i`: a pair with no data either way is closed after DUR, said with -v.
#[test]
fn idle_pairs_are_closed_after_i() {
    let dir = TempDir::new();
    let path = dir.join("quiet.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let (mut fwd, addr) = forwarder(&["-i", "300ms", "tcp:127.0.0.1:0", &format!("unix:{path}")]);
    let mut client = dial(&addr);
    let (_quiet, _) = listener.accept().expect("accept");
    fwd.wait_for_stderr("idle timeout", TIMEOUT);
    let mut buf = Vec::new();
    let _ = client.read_to_end(&mut buf);
    assert!(buf.is_empty());
    let out = fwd_output(fwd);
    assert!(out.contains("closed #1 tcp:127.0.0.1:"), "{out}");
    assert!(out.contains("no data for 300ms (idle timeout)"), "{out}");
}

/// A peer refused by an access rule is closed before a byte is read, and
/// TARGET is never opened for it.
#[test]
fn a_refused_peer_never_opens_the_target() {
    let dir = TempDir::new();
    let path = dir.join("target.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let (mut fwd, addr) = forwarder(&[
        "--deny",
        "127.0.0.0/8",
        "tcp:127.0.0.1:0",
        &format!("unix:{path}"),
    ]);
    let mut client = dial(&addr);
    fwd.wait_for_stderr("refused tcp:127.0.0.1:", TIMEOUT);
    let mut buf = Vec::new();
    let _ = client.read_to_end(&mut buf);
    assert!(buf.is_empty());
    let err = listener.accept().expect_err("no connection to the target");
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "{err}");
    drop(fwd);
}

/// Datagram sessions past `-m`: the longest idle one is dropped for the
/// new sender, said with -v, and a sender with no address is forwarded
/// (its replies dropped).
#[test]
fn datagram_sessions_past_m_drop_the_longest_idle() {
    use std::os::unix::net::UnixDatagram;
    let dir = TempDir::new();
    let target_path = dir.join("t.sock");
    let server = UnixDatagram::bind(&target_path).expect("bind");
    give_up_after(&server, TIMEOUT);
    let listen = format!("unix-dgram:{}", dir.join("f.sock"));
    let (mut fwd, addr) = forwarder(&["-m", "1", &listen, &format!("unix-dgram:{target_path}")]);
    let path = addr
        .strip_prefix("unix-dgram:")
        .expect("unix-dgram")
        .to_string();
    let a = UnixDatagram::bind(dir.join("a.sock")).expect("bind");
    a.send_to(b"from a", &path).expect("send");
    let mut buf = [0u8; 64];
    let n = server.recv(&mut buf).expect("a's datagram");
    assert_eq!(&buf[..n], b"from a");
    let b = UnixDatagram::unbound().expect("unbound");
    b.send_to(b"from nobody", &path).expect("send");
    let n = server
        .recv(&mut buf)
        .expect("the unnamed sender's datagram");
    assert_eq!(&buf[..n], b"from nobody");
    let line = fwd.wait_for_stderr("dropped for a new sender", TIMEOUT);
    assert!(
        line.contains(&format!("unix-dgram:{}", dir.join("a.sock"))),
        "{line}"
    );
    drop(fwd);
}

/// TARGET's name is looked up once, at start: a lookup per peer would
/// stall every pair on the loop. A name changed in /etc/hosts afterwards
/// is not seen. (A name that does not resolve, or a resolver that does
/// not answer, is an error before listening: connect.rs's table of
/// unknown hosts.)
#[test]
fn the_target_name_is_looked_up_once_at_start() {
    let Some(ns) = Netns::new(&[("/etc/hosts", "127.0.0.1 svc\n"), HOSTS_FILE_ONLY]) else {
        return;
    };
    let mut servers = Vec::new();
    for (addr, name) in [
        ("tcp:127.0.0.1:7000", "first"),
        ("tcp:127.0.0.2:7000", "second"),
    ] {
        let mut cmd = ns.command(crate::support::bin());
        cmd.args(["-v", "listen", "-k", "-c", &format!("echo {name}"), addr]);
        let mut server = Proc::spawn_with(&mut cmd, Stdio::null());
        server.wait_for_stderr("listening on", TIMEOUT);
        servers.push(server);
    }
    let mut cmd = ns.command(crate::support::bin());
    cmd.args(["-v", "forward", "tcp:127.0.0.1:7100", "tcp:svc:7000"]);
    let mut fwd = Proc::spawn_with(&mut cmd, Stdio::null());
    fwd.wait_for_stderr("listening on", TIMEOUT);
    let through = || {
        ns.run(
            crate::support::bin(),
            &["connect", "-d", "tcp:127.0.0.1:7100"],
        )
    };
    assert_eq!(through().stdout_str(), "first\n");
    ns.run("sh", &["-c", "echo '127.0.0.2 svc' > /etc/hosts"])
        .assert_success();
    assert_eq!(
        ns.run("getent", &["hosts", "svc"])
            .stdout_str()
            .split_whitespace()
            .next(),
        Some("127.0.0.2"),
        "the new /etc/hosts is in force"
    );
    assert_eq!(through().stdout_str(), "first\n", "resolved once, at start");
    drop(fwd);
}

/// TCP urgent data is dropped and the stream goes on, as through nc or
/// socat; a spliced pair once stopped at the urgent mark for good.
#[test]
fn tcp_urgent_data_does_not_stop_a_pair() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = format!("tcp:{}", listener.local_addr().expect("addr"));
    let (fwd, addr) = forwarder(&["tcp:127.0.0.1:0", &target]);
    let mut client = TcpStream::connect(addr.strip_prefix("tcp:").expect("tcp")).expect("connect");
    client.write_all(b"abc").expect("send");
    nix::sys::socket::send(
        std::os::fd::AsRawFd::as_raw_fd(&client),
        b"X",
        nix::sys::socket::MsgFlags::MSG_OOB,
    )
    .expect("the urgent byte");
    client.write_all(b"def").expect("send");
    client.shutdown(Shutdown::Write).expect("shutdown");
    give_up_after(&listener, TIMEOUT);
    let (mut server, _) = listener.accept().expect("accept");
    give_up_after(&server, TIMEOUT);
    let mut got = Vec::new();
    server
        .read_to_end(&mut got)
        .expect("the stream, to its end");
    assert_eq!(got, b"abcdef");
    drop(fwd);
}

//! The spec's EOF rule for `connect` and one-peer `listen`: a peer's EOF
//! ends only what the peer sends. A file copied with two sockcats arrives
//! whole whatever the receiver's stdin is; a peer that goes away while
//! stdin still has bytes for it is exit 1; the session ends at the peer's
//! EOF only for a terminal, a Unix peer that is gone, or
//! `--exit-on-peer-eof`.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Proc, Sockcat, TIMEOUT, TempDir, bin, pattern, wait_until};

const BIG: usize = 64 << 20;
/// How soon the session must end once its ending is due.
const PROMPT: Duration = Duration::from_secs(2);

fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn input_file(dir: &TempDir, data: &[u8]) -> File {
    let path = dir.join("input");
    std::fs::write(&path, data).expect("write input");
    File::open(&path).expect("open input")
}

/// How the sender's stdin is given.
#[derive(Clone, Copy, Debug)]
enum Input {
    File,
    Pipe,
}

/// Which side sends the file.
#[derive(Clone, Copy, Debug)]
enum Sender {
    Connect,
    Listen,
}

/// Copy 64 MiB from one sockcat to another: the receiver's stdin is
/// `/dev/null` (or it runs `--recv-only`), so it half-closes at once, and
/// the sender must go on sending all the same.
fn copy(addr: &str, sender: Sender, input: Input, receiver_flags: &[&str]) {
    let dir = TempDir::new();
    let data = pattern(BIG, 16);
    let stdin = |p: Option<&File>| match p {
        Some(file) => Stdio::from(file.try_clone().expect("dup")),
        None => Stdio::piped(),
    };
    let file = match input {
        Input::File => Some(input_file(&dir, &data)),
        Input::Pipe => None,
    };
    let mut receive_args = match sender {
        Sender::Connect => vec!["listen", "-v"],
        Sender::Listen => vec!["connect"],
    };
    receive_args.extend_from_slice(receiver_flags);
    let (mut sending, receiving) = match sender {
        Sender::Connect => {
            let mut args = receive_args.clone();
            args.push(addr);
            let mut receiving = Sockcat::spawn_with(&args, Stdio::null());
            let addr = receiving.listening();
            let sending = Sockcat::spawn_with(["connect", &addr], stdin(file.as_ref()));
            (sending, receiving)
        }
        Sender::Listen => {
            let mut sending = Sockcat::spawn_with(["listen", "-v", addr], stdin(file.as_ref()));
            let addr = sending.listening();
            let mut args = receive_args.clone();
            args.push(&addr);
            let receiving = Sockcat::spawn_with(&args, Stdio::null());
            (sending, receiving)
        }
    };
    let feeder = file
        .is_none()
        .then(|| sending.feed_in_background(data.clone()));
    let received = receiving.wait(TIMEOUT * 3);
    let sent = sending.wait(TIMEOUT * 3);
    if let Some(feeder) = feeder {
        feeder.join().expect("feeder");
    }
    let case = format!("{sender:?} sends, {input:?} in, receiver {receiver_flags:?}");
    sent.assert_success();
    received.assert_success();
    assert_eq!(received.stdout.len(), BIG, "{case}: {received}");
    assert_eq!(hash(&received.stdout), hash(&data), "{case}");
}

fn copies_arrive_whole(addr: &str) {
    copy(addr, Sender::Connect, Input::File, &[]);
    copy(addr, Sender::Connect, Input::File, &["--recv-only"]);
    copy(addr, Sender::Connect, Input::Pipe, &[]);
    copy(addr, Sender::Listen, Input::File, &[]);
    copy(addr, Sender::Listen, Input::Pipe, &["--recv-only"]);
}

#[test]
fn a_file_copied_over_tcp_arrives_whole_whatever_the_receivers_stdin() {
    copies_arrive_whole("tcp:127.0.0.1:0");
}

#[test]
fn a_file_copied_over_unix_arrives_whole_whatever_the_receivers_stdin() {
    let dir = TempDir::new();
    copies_arrive_whole(&format!("unix:{}", dir.join("copy.sock")));
}

/// A peer that reads 1 MiB and closes, while sockcat still has most of
/// 64 MiB of stdin for it: exit 1 soon after, one line naming the peer.
fn peer_leaving_early_is_exit_1(
    addr: &str,
    accept: impl FnOnce() -> Box<dyn Read + Send> + Send + 'static,
) {
    let dir = TempDir::new();
    let file = input_file(&dir, &pattern(BIG, 17));
    let (closed_tx, closed_rx) = std::sync::mpsc::channel();
    let server = thread::spawn(move || {
        let mut conn = accept();
        let mut got = vec![0u8; 1 << 20];
        conn.read_exact(&mut got).expect("read 1 MiB");
        drop(conn);
        closed_tx.send(Instant::now()).expect("report");
    });
    let client = Sockcat::spawn_with(["connect", addr], file.into());
    let closed = closed_rx.recv_timeout(TIMEOUT).expect("peer read 1 MiB");
    server.join().expect("server");
    let out = client.wait(TIMEOUT);
    assert!(closed.elapsed() < PROMPT + Duration::from_secs(1), "{out}");
    out.assert_code(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].starts_with("sockcat: "), "{out}");
    assert!(lines[0].contains(addr), "names the peer: {out}");
}

#[test]
fn a_tcp_peer_that_leaves_with_stdin_pending_is_exit_1() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    peer_leaving_early_is_exit_1(&addr, move || Box::new(accept(&listener)));
}

#[test]
fn a_unix_peer_that_leaves_with_stdin_pending_is_exit_1() {
    let dir = TempDir::new();
    let path = dir.join("early.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    peer_leaving_early_is_exit_1(&format!("unix:{path}"), move || Box::new(accept(&listener)));
}

/// The next connection on `listener`, within `TIMEOUT`: a sockcat that
/// exited instead of connecting fails the test rather than hanging it.
fn accept<L: Accept>(listener: &L) -> L::Stream {
    listener.nonblocking();
    let mut conn = None;
    wait_until("a connection", TIMEOUT, || {
        conn = listener.try_accept();
        conn.is_some()
    });
    conn.expect("accepted")
}

trait Accept {
    type Stream;
    fn nonblocking(&self);
    fn try_accept(&self) -> Option<Self::Stream>;
}

impl Accept for TcpListener {
    type Stream = std::net::TcpStream;
    fn nonblocking(&self) {
        self.set_nonblocking(true).expect("nonblocking");
    }
    fn try_accept(&self) -> Option<Self::Stream> {
        let (conn, _) = self.accept().ok()?;
        conn.set_nonblocking(false).expect("blocking");
        Some(conn)
    }
}

impl Accept for UnixListener {
    type Stream = std::os::unix::net::UnixStream;
    fn nonblocking(&self) {
        self.set_nonblocking(true).expect("nonblocking");
    }
    fn try_accept(&self) -> Option<Self::Stream> {
        let (conn, _) = self.accept().ok()?;
        conn.set_nonblocking(false).expect("blocking");
        Some(conn)
    }
}

/// A stdin that stays open and idle (a pipe the test holds).
fn connect_idle(args: &[&str]) -> Proc {
    Sockcat::spawn(["connect"].iter().chain(args))
}

#[test]
fn a_unix_peer_that_closes_ends_an_idle_session_with_0() {
    let dir = TempDir::new();
    let path = dir.join("gone.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let mut client = connect_idle(&[&format!("unix:{path}")]);
    let mut conn = accept(&listener);
    conn.write_all(b"bye").expect("write");
    drop(conn);
    let closed = Instant::now();
    assert!(
        client.exits_within(PROMPT),
        "still running after the Unix peer left"
    );
    assert!(closed.elapsed() < PROMPT);
    let out = client.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout, b"bye");
}

#[test]
fn a_tcp_peer_that_only_half_closes_still_gets_later_stdin() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let dir = TempDir::new();
    let out_path = dir.join("out");
    let mut client = Proc::spawn_to(
        Command::new(bin()).args(["connect", &addr]),
        Stdio::piped(),
        File::create(&out_path).expect("stdout file").into(),
    );
    let mut conn = accept(&listener);
    conn.write_all(b"asked").expect("write");
    conn.shutdown(Shutdown::Write).expect("half-close");
    // The EOF is queued behind the bytes: once they are out, the next read
    // finds it, and the session must then wait on stdin, not end.
    wait_until("the peer's bytes on stdout", TIMEOUT, || {
        std::fs::metadata(&out_path).is_ok_and(|m| m.len() == 5)
    });
    client.wait_asleep("waiting on stdin after the peer's EOF");
    assert!(!client.exited(), "ended at the peer's half-close");
    client.feed(b"answer later\n");
    client.close_stdin();
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut got = Vec::new();
    conn.read_to_end(&mut got).expect("read to sockcat's EOF");
    assert_eq!(got, b"answer later\n");
    client.wait(TIMEOUT).assert_success();
    assert_eq!(std::fs::read(&out_path).expect("stdout"), b"asked");
}

#[test]
fn exit_on_peer_eof_ends_the_session_at_the_peers_close() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let mut client = connect_idle(&["--exit-on-peer-eof", &addr]);
    let mut conn = accept(&listener);
    conn.write_all(b"bye").expect("write");
    drop(conn);
    assert!(
        client.exits_within(PROMPT),
        "--exit-on-peer-eof did not end the session"
    );
    let out = client.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout, b"bye");
}

/// An interactive session (stdin a terminal) ends with its TCP peer, as
/// telnet's does: a person has nothing more to say to a peer that left.
#[test]
fn a_terminal_session_ends_when_the_tcp_peer_closes() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let mut client = Proc::spawn_with(
        Command::new(bin()).args(["connect", &addr]),
        Stdio::from(pty.slave),
    );
    let mut conn = accept(&listener);
    conn.write_all(b"bye").expect("write");
    drop(conn);
    let done = client.exits_within(PROMPT);
    drop(pty.master);
    assert!(done, "a terminal session outlived its peer");
    let out = client.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout, b"bye");
}

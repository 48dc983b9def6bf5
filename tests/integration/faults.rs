//! The fault table: one row per way the world breaks under sockcat (a peer
//! that resets, a full disk behind stdout, stdin that cannot be read, a
//! peer that reads slowly or not at all, a signal, a receiver that goes
//! away), all run by one driver. Each row says what sockcat must do: its
//! exit status, a fragment of its one-line message, how soon after the
//! fault it must be gone, and what must have reached stdout, so that
//! nothing it had already read is lost. Rows about the byte stream run on
//! both relay paths (splice through a pipe, and plain copies), whose
//! buffers behave differently when a fault strikes.
//!
//! Pending: the listener row, `listen -k` under `ulimit -n 64` with 100
//! clients (keeps serving, no busy loop on EMFILE, accepts again when peers
//! leave), waits for the multi-peer server.

use std::any::Any;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::sys::socket::{setsockopt, sockopt};

use crate::support::{Output, Proc, TIMEOUT, TempDir, bin, pattern, process_state, wait_until};

/// The relay's two paths for a byte stream, forced through `SOCKCAT_RELAY`.
const BOTH: &[&str] = &["splice", "copy"];
/// Message sockets always go through memory; one run says it all.
const MESSAGES: &[&str] = &["copy"];

/// Bytes a resetting peer sends first: more than a pipe or a small socket
/// buffer holds, so some of them are inside sockcat when the reset comes.
const BEFORE_RESET: usize = 512 << 10;
/// Received bytes to see on stdout before a signal interrupts the transfer.
const BEFORE_SIGNAL: usize = 256 << 10;
/// How long the slow reader's memory is watched.
const SAMPLING: Duration = Duration::from_secs(2);
/// The most memory sockcat may hold of its own (see `slow_reader`).
const MEMORY_LIMIT_KB: u64 = 4 << 10;

/// One fault and what sockcat must do about it.
struct Row {
    name: &'static str,
    /// The relay paths to run it on.
    paths: &'static [&'static str],
    /// Start sockcat and its peers, up to the moment before the fault.
    stage: fn(&Scene) -> Staged,
    /// Acceptable exit statuses.
    status: &'static [i32],
    /// Fragments of the one error line; `{dir}` is the row's temporary
    /// directory. None at all: there must be no error line.
    message: &'static [&'static str],
    /// Gone at most this long after the fault.
    within: Duration,
    /// And not sooner than this (timers).
    not_before: Duration,
    stdout: Reached,
}

/// What must be on stdout once sockcat has gone.
enum Reached {
    /// Exactly what the peer sent before the fault.
    Everything,
    /// A prefix of the peer's endless stream (what it sent, repeated), at
    /// least this long: the bytes seen before the fault are all there and
    /// nothing after them is garbled.
    StreamPrefix(usize),
    Nothing,
    /// stdout is not the test's to read (`/dev/full`).
    Unseen,
}

static ROWS: &[Row] = &[
    Row {
        name: "the peer resets mid-transfer",
        paths: BOTH,
        stage: peer_resets,
        status: &[1],
        message: &["receive from tcp:", "connection reset"],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Everything,
    },
    Row {
        name: "the peer resets while sockcat sends too",
        paths: BOTH,
        stage: peer_resets_while_sending,
        status: &[1],
        message: &["connection reset"],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Everything,
    },
    Row {
        name: "the peer accepts, sends and resets before sockcat sees its connect complete",
        paths: BOTH,
        stage: peer_resets_before_connect_is_seen,
        status: &[1],
        message: &["receive from tcp:", "connection reset"],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Everything,
    },
    Row {
        name: "stdout is /dev/full",
        paths: BOTH,
        stage: stdout_full,
        status: &[1],
        message: &["write stdout: no space left on device"],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Unseen,
    },
    Row {
        name: "stdin is a directory",
        paths: BOTH,
        stage: stdin_directory,
        status: &[1, 2],
        message: &["read stdin: is a directory"],
        within: Duration::from_secs(2),
        not_before: Duration::ZERO,
        stdout: Reached::Nothing,
    },
    Row {
        name: "stdin is open only for writing",
        paths: BOTH,
        stage: stdin_write_only,
        status: &[1, 2],
        message: &["read stdin:", "not open for reading"],
        within: Duration::from_secs(2),
        not_before: Duration::ZERO,
        stdout: Reached::Nothing,
    },
    Row {
        name: "a slow reader against an endless stdin (then SIGTERM)",
        paths: BOTH,
        stage: slow_reader,
        status: &[143],
        message: &[],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Nothing,
    },
    Row {
        name: "SIGINT mid-transfer",
        paths: BOTH,
        stage: sigint_mid_transfer,
        status: &[130],
        message: &[],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::StreamPrefix(BEFORE_SIGNAL),
    },
    Row {
        name: "SIGTERM mid-transfer",
        paths: BOTH,
        stage: sigterm_mid_transfer,
        status: &[143],
        message: &[],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::StreamPrefix(BEFORE_SIGNAL),
    },
    Row {
        name: "a Unix datagram receiver goes away between two sends",
        paths: MESSAGES,
        stage: receiver_goes_away,
        status: &[1],
        message: &["send to unix-dgram:{dir}/r.sock", "connection refused"],
        within: Duration::from_secs(1),
        not_before: Duration::ZERO,
        stdout: Reached::Nothing,
    },
    Row {
        name: "a peer that never reads nor closes, with -i 1s",
        paths: BOTH,
        stage: idle_peer,
        status: &[1],
        message: &["no data for 1s (idle timeout)"],
        within: Duration::from_secs(2),
        // sockcat's timer starts a little before the test's accept returns.
        not_before: Duration::from_millis(950),
        stdout: Reached::Nothing,
    },
];

#[test]
fn fault_table() {
    // Every row on every path at once: each has its own peers, ports and
    // directory, and the whole table takes as long as its slowest row.
    let runs: Vec<(String, JoinHandle<()>)> = ROWS
        .iter()
        .flat_map(|row| row.paths.iter().map(move |path| (row, *path)))
        .map(|(row, path)| {
            let name = format!("{} [{path}]", row.name);
            let handle = thread::Builder::new()
                .name(name.clone())
                .spawn(move || drive(row, path))
                .expect("spawn a row");
            (name, handle)
        })
        .collect();
    let failed: Vec<String> = runs
        .into_iter()
        .filter_map(|(name, handle)| {
            handle
                .join()
                .err()
                .map(|panic| format!("{name}: {}", panic_text(&panic)))
        })
        .collect();
    assert!(failed.is_empty(), "rows failed:\n{}", failed.join("\n\n"));
}

/// Run one row on one relay path; panics say what went wrong.
fn drive(row: &Row, path: &'static str) {
    let scene = Scene::new(path);
    let Staged {
        mut sockcat,
        fault,
        stdout,
        sent,
        after,
        peers,
        keep,
    } = (row.stage)(&scene);
    fault(&mut sockcat);
    let fired = Instant::now();
    let written = stdout.read_from_now();
    let out = sockcat.wait(row.within + Duration::from_secs(1));
    let took = fired.elapsed();
    let stdout = written();
    drop(keep);

    assert!(
        row.status.contains(&out.code().unwrap_or(-1)),
        "status {:?}, expected one of {:?}: {out}",
        out.code(),
        row.status
    );
    let dir = scene.dir.path().to_str().expect("utf-8 temp dir");
    let errors: Vec<&str> = out.stderr.lines().filter(|l| !is_step(l)).collect();
    if row.message.is_empty() {
        assert!(errors.is_empty(), "expected no error line: {out}");
    } else {
        assert_eq!(errors.len(), 1, "expected one error line: {out}");
        assert!(errors[0].starts_with("sockcat: "), "{out}");
        for fragment in row.message {
            let fragment = fragment.replace("{dir}", dir);
            assert!(errors[0].contains(&fragment), "no {fragment:?}: {out}");
        }
    }
    assert!(
        took <= row.within,
        "took {took:?}, bound {:?}: {out}",
        row.within
    );
    assert!(
        took >= row.not_before,
        "took {took:?}, not before {:?}: {out}",
        row.not_before
    );
    let got = stdout.unwrap_or(out.stdout.clone());
    match row.stdout {
        Reached::Everything => {
            assert_eq!(got.len(), sent.len(), "bytes lost: {out}");
            assert!(got == sent, "stdout differs from what the peer sent: {out}");
        }
        Reached::StreamPrefix(at_least) => {
            assert!(got.len() >= at_least, "{} bytes: {out}", got.len());
            let garbled = got
                .iter()
                .enumerate()
                .position(|(i, b)| *b != sent[i % sent.len()]);
            assert_eq!(garbled, None, "stdout is not the peer's stream: {out}");
        }
        Reached::Nothing => assert!(got.is_empty(), "expected no output: {out}"),
        Reached::Unseen => {}
    }
    if let Some(after) = after {
        after(&out);
    }
    for peer in peers {
        let deadline = Instant::now() + TIMEOUT;
        while !peer.is_finished() {
            assert!(Instant::now() < deadline, "a peer thread is stuck: {out}");
            thread::sleep(Duration::from_millis(5));
        }
        if let Err(panic) = peer.join() {
            panic!("peer: {}: {out}", panic_text(&panic));
        }
    }
}

/// A `-v` progress line rather than an error.
fn is_step(line: &str) -> bool {
    [
        "listening on ",
        "accepted ",
        "connected to ",
        "relayed ",
        "closed ",
    ]
    .iter()
    .any(|step| line.starts_with(&format!("sockcat: {step}")))
}

fn panic_text(panic: &Box<dyn Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "panicked".into()
    }
}

/// Where a row runs: a relay path and a temporary directory.
struct Scene {
    path: &'static str,
    dir: TempDir,
}

impl Scene {
    fn new(path: &'static str) -> Scene {
        Scene {
            path,
            dir: TempDir::new(),
        }
    }

    fn sockcat(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args).env("SOCKCAT_RELAY", self.path);
        cmd
    }
}

/// A check on how sockcat ended.
type Check = Box<dyn FnOnce(&Output)>;

/// What a row's stage started.
struct Staged {
    sockcat: Proc,
    /// Brings the fault on; returns once it has happened.
    fault: Box<dyn FnOnce(&mut Proc)>,
    stdout: Stdout,
    /// What the peer sent (see `Reached`).
    sent: Vec<u8>,
    /// Checks once sockcat has gone.
    after: Option<Check>,
    /// Peer threads; their panics fail the row.
    peers: Vec<JoinHandle<()>>,
    /// Kept alive until sockcat has gone (a listener, a pipe's write end).
    keep: Vec<Box<dyn Any>>,
}

impl Staged {
    fn new(sockcat: Proc, stdout: Stdout) -> Staged {
        Staged {
            sockcat,
            fault: Box::new(|_| {}),
            stdout,
            sent: Vec::new(),
            after: None,
            peers: Vec::new(),
            keep: Vec::new(),
        }
    }
}

/// Where sockcat's stdout goes.
enum Stdout {
    /// Collected by `Proc` as it comes.
    Collected,
    /// A Unix socket with a small send buffer that nobody reads until the
    /// fault has happened, so received bytes are still inside sockcat (its
    /// pipe or its memory) when it strikes.
    Held(UnixStream),
    /// A file, read once sockcat has gone.
    File(String),
    Unseen,
}

/// What sockcat wrote, once it has gone; `None` when `Proc` collected it.
type Written = Box<dyn FnOnce() -> Option<Vec<u8>>>;

impl Stdout {
    /// Start reading what the test held back.
    fn read_from_now(self) -> Written {
        match self {
            Stdout::Held(mut held) => {
                let reader = thread::spawn(move || {
                    held.set_read_timeout(Some(TIMEOUT)).expect("timeout");
                    let mut got = Vec::new();
                    held.read_to_end(&mut got).expect("read stdout");
                    got
                });
                Box::new(move || Some(reader.join().expect("stdout reader")))
            }
            Stdout::File(path) => Box::new(move || Some(std::fs::read(path).expect("read stdout"))),
            Stdout::Collected | Stdout::Unseen => Box::new(|| None),
        }
    }
}

/// sockcat's stdout as a held-back socket (see `Stdout::Held`).
fn held_stdout() -> (Stdio, Stdout) {
    let (ours, theirs) = UnixStream::pair().expect("socketpair");
    // The kernel's floor is about 4 KiB; it doubles what is asked.
    setsockopt(&theirs, sockopt::SndBuf, &4096).expect("SO_SNDBUF");
    (OwnedFd::from(theirs).into(), Stdout::Held(ours))
}

/// A stdin that never ends and never gives data: a pipe whose write end
/// the row keeps.
fn quiet_stdin() -> (Stdio, Box<dyn Any>) {
    let (read, write) = nix::unistd::pipe().expect("pipe");
    (read.into(), Box::new(write))
}

/// 1 GiB of zeros as stdin, without a byte of it on disk.
fn endless_stdin(scene: &Scene) -> Stdio {
    let path = scene.dir.path().join("zeros");
    let file = File::create(&path).expect("create");
    file.set_len(1 << 30).expect("sparse file");
    File::open(&path).expect("open").into()
}

fn tcp_peer() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("tcp:{}", listener.local_addr().expect("addr"));
    (listener, addr)
}

/// Accept sockcat's connection, waiting at most `TIMEOUT`.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match listener.accept() {
            Ok((conn, _)) => {
                conn.set_nonblocking(false).expect("blocking");
                conn.set_write_timeout(Some(TIMEOUT)).expect("timeout");
                conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
                return conn;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "sockcat never connected");
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// Bytes of `conn`'s stream the other side has not taken yet (SIOCOUTQ):
/// on TCP those it has not acknowledged; on a Unix stream, where nothing is
/// in flight, those it has not read (counted with the kernel's overhead, so
/// only 0 is exact).
#[allow(unsafe_code)]
pub fn unacknowledged(conn: &impl AsRawFd) -> usize {
    let mut queued: nix::libc::c_int = 0;
    // SAFETY: SIOCOUTQ (TIOCOUTQ) writes one int through the pointer, which
    // points at `queued` for the whole call.
    let rc = unsafe { nix::libc::ioctl(conn.as_raw_fd(), nix::libc::TIOCOUTQ, &mut queued) };
    assert_eq!(rc, 0, "SIOCOUTQ: {}", std::io::Error::last_os_error());
    usize::try_from(queued).expect("a count")
}

/// Send `data`, wait until sockcat's kernel has all of it (acknowledged),
/// then reset: `SO_LINGER` 0 makes close send RST instead of FIN.
fn send_then_reset(mut conn: TcpStream, data: &[u8]) {
    conn.write_all(data).expect("send before the reset");
    wait_until("sockcat's kernel to acknowledge", TIMEOUT, || {
        unacknowledged(&conn) == 0
    });
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(&conn, sockopt::Linger, &linger).expect("SO_LINGER");
    drop(conn);
}

// ---- the rows' stages ----

fn peer_resets(scene: &Scene) -> Staged {
    let (listener, addr) = tcp_peer();
    let (stdin, keep_stdin) = quiet_stdin();
    let (stdout, held) = held_stdout();
    // A receive buffer that holds all the peer sends, so every byte is
    // acknowledged before the reset however little sockcat has read.
    let cmd = &mut scene.sockcat(&["connect", "--rcvbuf", "4194304", &addr]);
    let sockcat = Proc::spawn_to(cmd, stdin, stdout);
    let conn = accept(&listener);
    let sent = pattern(BEFORE_RESET, 1);
    let data = sent.clone();
    Staged {
        fault: Box::new(move |_| send_then_reset(conn, &data)),
        sent,
        keep: vec![Box::new(listener), keep_stdin],
        ..Staged::new(sockcat, held)
    }
}

fn peer_resets_while_sending(scene: &Scene) -> Staged {
    let (listener, addr) = tcp_peer();
    let (stdout, held) = held_stdout();
    let cmd = &mut scene.sockcat(&["connect", "--rcvbuf", "4194304", &addr]);
    let sockcat = Proc::spawn_to(cmd, endless_stdin(scene), stdout);
    // The peer reads none of the zeros: sockcat's sends are stuck in the
    // buffers when the reset comes, and fail first.
    let conn = accept(&listener);
    let sent = pattern(BEFORE_RESET, 2);
    let data = sent.clone();
    Staged {
        fault: Box::new(move |_| send_then_reset(conn, &data)),
        sent,
        keep: vec![Box::new(listener)],
        ..Staged::new(sockcat, held)
    }
}

/// sockcat is stopped while its connect is still in SYN_SENT (the
/// listener's accept queue is full, so its SYN goes unanswered); the peer
/// then makes room, accepts it when the SYN is sent again, sends, waits
/// for the acknowledgement and resets, all before sockcat runs again and
/// looks at its connect: the bytes are in its queue, the reset in
/// SO_ERROR.
fn peer_resets_before_connect_is_seen(scene: &Scene) -> Staged {
    let (listener, addr, port) = tcp_peer_with_no_room();
    let filler = TcpStream::connect(listener.local_addr().expect("addr")).expect("fill the queue");
    let (stdin, keep_stdin) = quiet_stdin();
    let (stdout, held) = held_stdout();
    let cmd = &mut scene.sockcat(&["connect", "--rcvbuf", "4194304", &addr]);
    let sockcat = Proc::spawn_to(cmd, stdin, stdout);
    wait_until("sockcat's connect in SYN_SENT", TIMEOUT, || {
        connecting_to(port)
    });
    let pid = nix::unistd::Pid::from_raw(sockcat.pid());
    nix::sys::signal::kill(pid, Signal::SIGSTOP).expect("SIGSTOP");
    wait_until("sockcat stopped", TIMEOUT, || {
        process_state(pid.as_raw()) == 'T'
    });
    let sent = pattern(BEFORE_RESET, 5);
    let data = sent.clone();
    Staged {
        fault: Box::new(move |_| {
            let (first, _) = listener.accept().expect("accept the filler");
            drop((first, filler));
            // sockcat's SYN, sent again after a second, now finds room.
            let conn = accept(&listener);
            send_then_reset(conn, &data);
            nix::sys::signal::kill(pid, Signal::SIGCONT).expect("SIGCONT");
        }),
        sent,
        keep: vec![keep_stdin],
        ..Staged::new(sockcat, held)
    }
}

/// A loopback listener that takes one connection into its accept queue
/// and drops the SYNs of any more (a backlog of 0).
pub fn tcp_peer_with_no_room() -> (TcpListener, String, u16) {
    use nix::sys::socket::{AddressFamily, Backlog, SockFlag, SockType, SockaddrIn};
    let fd = nix::sys::socket::socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    nix::sys::socket::bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).expect("bind");
    nix::sys::socket::listen(&fd, Backlog::new(0).expect("backlog")).expect("listen");
    let listener = TcpListener::from(fd);
    let port = listener.local_addr().expect("addr").port();
    (listener, format!("tcp:127.0.0.1:{port}"), port)
}

/// Whether a connection to 127.0.0.1:`port` is in SYN_SENT (/proc/net/tcp).
fn connecting_to(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let remote = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(2) == Some(&remote.as_str()) && fields.get(3) == Some(&"02")
    })
}

fn stdout_full(scene: &Scene) -> Staged {
    let (listener, addr) = tcp_peer();
    let (stdin, keep_stdin) = quiet_stdin();
    let full = File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let sockcat = Proc::spawn_to(&mut scene.sockcat(&["connect", &addr]), stdin, full.into());
    let mut conn = accept(&listener);
    Staged {
        fault: Box::new(move |_| {
            conn.write_all(&pattern(64 << 10, 3)).expect("send");
            // Keep the connection until sockcat has gone.
            let _ = conn.read(&mut [0u8; 1]);
        }),
        keep: vec![Box::new(listener), keep_stdin],
        ..Staged::new(sockcat, Stdout::Unseen)
    }
}

/// sockcat connected to a peer that holds the connection, with `stdin`.
fn stdin_fault(scene: &Scene, stdin: Stdio) -> Staged {
    let (listener, addr) = tcp_peer();
    let sockcat = Proc::spawn_with(&mut scene.sockcat(&["connect", &addr]), stdin);
    // The fault is there from the start; the bound counts from the connect.
    let conn = accept(&listener);
    Staged {
        keep: vec![Box::new(listener), Box::new(conn)],
        ..Staged::new(sockcat, Stdout::Collected)
    }
}

fn stdin_directory(scene: &Scene) -> Staged {
    let dir = File::open(scene.dir.path()).expect("open the directory");
    stdin_fault(scene, dir.into())
}

fn stdin_write_only(scene: &Scene) -> Staged {
    // What `sockcat connect ADDR 0>file` gives: a typo, but a real one.
    let file = File::create(scene.dir.path().join("out")).expect("create");
    stdin_fault(scene, file.into())
}

/// The peer reads 1 KiB every 10 ms while sockcat has 1 GiB to send. The
/// memory measured is RssAnon, what sockcat itself holds (heap, stacks,
/// buffers): VmRSS adds the pages of the binary and libc, over 4 MiB for a
/// debug build before it reads a byte. CPU time shows it waits rather
/// than spins.
fn slow_reader(scene: &Scene) -> Staged {
    let (listener, addr) = tcp_peer();
    let sockcat = Proc::spawn_with(
        &mut scene.sockcat(&["connect", &addr]),
        endless_stdin(scene),
    );
    let mut conn = accept(&listener);
    let stop = Arc::new(AtomicBool::new(false));
    let reading = stop.clone();
    let reader = thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while !reading.load(Ordering::Relaxed) {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    Staged {
        fault: Box::new(move |sockcat| {
            let pid = sockcat.pid();
            let cpu_before = cpu_time(pid);
            let start = Instant::now();
            let (mut anon, mut rss) = (0, 0);
            while start.elapsed() < SAMPLING {
                anon = anon.max(status_kb(pid, "RssAnon"));
                rss = rss.max(status_kb(pid, "VmRSS"));
                thread::sleep(Duration::from_millis(50));
            }
            let cpu = cpu_time(pid) - cpu_before;
            stop.store(true, Ordering::Relaxed);
            eprintln!(
                "slow reader: RssAnon {anon} KiB, VmRSS {rss} KiB, CPU {cpu:?} in {SAMPLING:?}"
            );
            assert!(
                anon < MEMORY_LIMIT_KB,
                "sockcat holds {anon} KiB of its own (VmRSS {rss} KiB) against a slow reader"
            );
            assert!(
                cpu < SAMPLING / 4,
                "sockcat used {cpu:?} of CPU in {SAMPLING:?} against a slow reader"
            );
            sockcat.signal(Signal::SIGTERM);
        }),
        peers: vec![reader],
        keep: vec![Box::new(listener)],
        ..Staged::new(sockcat, Stdout::Collected)
    }
}

/// A field of `/proc/PID/status`, in KiB.
pub fn status_kb(pid: i32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// User plus system CPU time of a process.
fn cpu_time(pid: i32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("comm")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

fn sigint_mid_transfer(scene: &Scene) -> Staged {
    signal_mid_transfer(scene, Signal::SIGINT)
}

fn sigterm_mid_transfer(scene: &Scene) -> Staged {
    signal_mid_transfer(scene, Signal::SIGTERM)
}

/// A listener on a Unix path receiving an endless stream into a file; the
/// signal comes once part of it is there. Its socket file must be gone.
fn signal_mid_transfer(scene: &Scene, signal: Signal) -> Staged {
    let path = scene.dir.path().join("s.sock");
    let out = scene.dir.path().join("stdout");
    let file = File::create(&out).expect("create");
    let at = format!("unix:{}", path.display());
    let mut sockcat = Proc::spawn_to(
        &mut scene.sockcat(&["listen", "-v", &at]),
        Stdio::null(),
        file.into(),
    );
    sockcat.listening();
    let stream = pattern(1 << 20, 4);
    let chunks = stream.clone();
    let mut conn = UnixStream::connect(&path).expect("connect");
    conn.set_write_timeout(Some(TIMEOUT)).expect("timeout");
    let sender = thread::spawn(move || {
        // Until sockcat goes away.
        while conn.write_all(&chunks).is_ok() {}
    });
    let seen = out.clone();
    Staged {
        fault: Box::new(move |sockcat| {
            wait_until("bytes on stdout", TIMEOUT, || {
                std::fs::metadata(&seen).map_or(0, |m| m.len()) >= BEFORE_SIGNAL as u64
            });
            sockcat.signal(signal);
        }),
        sent: stream,
        after: Some(Box::new(move |out| {
            assert!(!path.exists(), "socket file left behind: {out}");
        })),
        peers: vec![sender],
        ..Staged::new(sockcat, Stdout::File(out.to_str().expect("utf-8").into()))
    }
}

/// The receiver is a process of its own (a `sockcat listen`), so that it
/// really goes away when it exits: a socket of the test's own would live on
/// in any child another test thread is forking at that moment.
fn receiver_goes_away(scene: &Scene) -> Staged {
    let path = scene.dir.path().join("r.sock");
    let got = scene.dir.path().join("received");
    let at = format!("unix-dgram:{}", path.display());
    let mut receiver = Proc::spawn_to(
        &mut scene.sockcat(&["listen", "-v", &at]),
        Stdio::null(),
        File::create(&got).expect("create").into(),
    );
    receiver.listening();
    let mut sockcat = Proc::spawn(&mut scene.sockcat(&["connect", "--lines", &at]));
    sockcat.feed(b"one\n");
    wait_until("the first datagram", TIMEOUT, || {
        std::fs::read(&got).is_ok_and(|bytes| bytes == b"one")
    });
    Staged {
        fault: Box::new(move |sockcat| {
            receiver.signal(Signal::SIGTERM);
            receiver.wait(TIMEOUT).assert_code(143);
            assert!(!path.exists(), "the receiver left its file");
            sockcat.feed(b"two\n");
        }),
        ..Staged::new(sockcat, Stdout::Collected)
    }
}

fn idle_peer(scene: &Scene) -> Staged {
    let (listener, addr) = tcp_peer();
    let sockcat = Proc::spawn_with(
        &mut scene.sockcat(&["connect", "-i", "1s", &addr]),
        endless_stdin(scene),
    );
    // The fault is the peer itself: it holds the connection, reads nothing.
    let conn = accept(&listener);
    Staged {
        keep: vec![Box::new(listener), Box::new(conn)],
        ..Staged::new(sockcat, Stdout::Collected)
    }
}

#[test]
fn a_closed_stdin_is_empty_not_a_fault() {
    // Beside the stdin rows: a closed stdin (`<&-`) is not a descriptor
    // that cannot be read; it reads as empty, and the session goes on.
    let (listener, addr) = tcp_peer();
    let script = format!("{} connect {addr} <&-", bin());
    let shell = Proc::spawn_with(Command::new("sh").arg("-c").arg(&script), Stdio::null());
    let mut conn = accept(&listener);
    let mut got = Vec::new();
    conn.read_to_end(&mut got).expect("EOF from sockcat");
    assert!(got.is_empty());
    conn.write_all(b"bye").expect("reply");
    drop(conn);
    let out = shell.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout, b"bye");
}

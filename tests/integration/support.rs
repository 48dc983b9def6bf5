//! Helpers for driving the real binary: spawn it, wait for its `listening on`
//! line, feed it, collect what it printed. Every wait has a deadline; a
//! guard kills only the child it started, by PID.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::UdpSocket;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sockcat")
}

/// Whether a peer program is on PATH. Without it the test prints why it skips,
/// but under `SOCKCAT_REQUIRE_ALL=1` it fails instead.
pub fn require(program: &str) -> bool {
    if which(program).is_some() {
        return true;
    }
    skip(&format!("{program} is not installed"))
}

/// Whether we run as root; same skip rules as `require`.
pub fn require_root() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    skip("needs root")
}

pub fn skip(why: &str) -> bool {
    if std::env::var_os("SOCKCAT_REQUIRE_ALL").is_some_and(|v| v == "1") {
        panic!("cannot skip under SOCKCAT_REQUIRE_ALL=1: {why}");
    }
    eprintln!("skipping: {why}");
    false
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let template = std::env::temp_dir().join("sockcat-test.XXXXXX");
        TempDir(nix::unistd::mkdtemp(&template).expect("mkdtemp"))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> String {
        self.0
            .join(name)
            .to_str()
            .expect("utf-8 temp path")
            .to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Blocking accepts and reads on `fd` give up after `timeout`
/// (`SO_RCVTIMEO`, which accept(2) honours too), so a peer that never
/// comes fails the test instead of hanging it.
pub fn give_up_after<F: std::os::fd::AsFd>(fd: &F, timeout: Duration) {
    use nix::sys::time::{TimeVal, TimeValLike};
    let tv = TimeVal::milliseconds(timeout.as_millis() as i64);
    nix::sys::socket::setsockopt(fd, nix::sys::socket::sockopt::ReceiveTimeout, &tv)
        .expect("SO_RCVTIMEO");
}

/// A temporary directory nobody (uid 65534) may reach: world-searchable,
/// so that a socket file in it with mode 666 is open to everyone.
pub fn shared_dir() -> TempDir {
    let dir = TempDir::new();
    nix::sys::stat::fchmodat(
        nix::fcntl::AT_FDCWD,
        dir.path(),
        nix::sys::stat::Mode::from_bits_truncate(0o755),
        nix::sys::stat::FchmodatFlags::FollowSymlink,
    )
    .expect("chmod");
    dir
}

/// `program` run as nobody (uid and gid 65534, no supplementary groups);
/// add its arguments. Needs root and `setpriv`.
pub fn as_nobody(program: &str) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        program,
    ]);
    cmd
}

/// A loopback TCP port that refuses connections for as long as the
/// returned socket lives: bound and never listening, it holds the port, so
/// no other test's listener can take it while a test expects a refusal
/// (binding and dropping a socket would leave the port free for anyone).
pub fn closed_port() -> (OwnedFd, u16) {
    use nix::sys::socket::{
        AddressFamily, SockFlag, SockType, SockaddrIn, bind, getsockname, socket,
    };
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).expect("bind");
    let port = getsockname::<SockaddrIn>(fd.as_raw_fd())
        .expect("name")
        .port();
    (fd, port)
}

/// A loopback UDP port where datagrams meet "port unreachable", for as
/// long as the returned socket lives: it holds the port, and, connected to
/// itself, takes datagrams from no one else, so the kernel answers every
/// other sender as it would for a port nobody has.
pub fn closed_udp_port() -> (UdpSocket, u16) {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let own = sock.local_addr().expect("addr");
    sock.connect(own).expect("connect to itself");
    (sock, own.port())
}

/// A network namespace of the test's own, with its loopback up, and a
/// mount namespace in which files of the test's own stand in for the
/// machine's (`/etc/hosts`, `/etc/nsswitch.conf`, `/etc/resolv.conf`).
/// Nothing run in it can reach beyond that loopback, so a name lookup
/// there never leaves the machine. A sleeping process keeps it; commands
/// join it through nsenter.
pub struct Netns {
    holder: Proc,
    _files: TempDir,
}

impl Netns {
    /// `files` are (path, contents) pairs; contents are bytes, so a file
    /// need not be UTF-8 (an /etc/hosts can name a host in Latin-1).
    /// `None`, having said why, where namespaces cannot be made.
    pub fn new<C: AsRef<[u8]>>(files: &[(&str, C)]) -> Option<Netns> {
        if !require_root() || !require("unshare") || !require("nsenter") || !require("ip") {
            return None;
        }
        let dir = TempDir::new();
        let mut script = String::from("set -e\n");
        for (n, (target, text)) in files.iter().enumerate() {
            let source = dir.join(&format!("file{n}"));
            std::fs::write(&source, text).expect("write a file for the namespace");
            script += &format!("mount --bind '{source}' '{target}'\n");
        }
        script += "ip link set lo up\necho ready >&2\nexec sleep 600\n";
        let mut cmd = Command::new("unshare");
        cmd.args(["-m", "-n", "sh", "-c", &script]);
        let mut holder = Proc::spawn_with(&mut cmd, Stdio::null());
        holder.wait_for_stderr("ready", TIMEOUT);
        Some(Netns {
            holder,
            _files: dir,
        })
    }

    /// `program` to be run inside the namespaces; add its arguments.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.args([
            "-t",
            &self.holder.pid().to_string(),
            "-m",
            "-n",
            "--",
            program,
        ]);
        cmd
    }

    /// Run `program` with `args` inside to its end, stdin empty.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        Proc::spawn_with(self.command(program).args(args), Stdio::null()).wait(TIMEOUT)
    }
}

/// An nsswitch.conf that looks names up in /etc/hosts alone: a name not
/// there is unknown at once, with no DNS asked.
pub const HOSTS_FILE_ONLY: (&str, &str) = ("/etc/nsswitch.conf", "hosts: files\n");

/// A resolver that cannot answer: DNS alone, at a loopback port where
/// nothing listens (inside a `Netns`), so every lookup of a name fails
/// as "try again later" (`EAI_AGAIN`), at once.
pub const NO_NAME_SERVER: [(&str, &str); 2] = [
    ("/etc/nsswitch.conf", "hosts: dns\n"),
    (
        "/etc/resolv.conf",
        "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n",
    ),
];

/// What a finished process left behind.
pub struct Output {
    pub cmd: String,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.code(), Some(0), "{self}");
        self
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code(), Some(code), "{self}");
        self
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.stdout.len() > 2000 {
            format!("<{} bytes>", self.stdout.len())
        } else {
            String::from_utf8_lossy(&self.stdout).into_owned()
        };
        write!(
            f,
            "\n--- {}\n--- status: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.cmd, self.status, shown, self.stderr
        )
    }
}

/// A running process (sockcat or a peer) with its output collected by
/// threads, so waits can have deadlines.
pub struct Proc {
    cmd: String,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    stdout: Option<Receiver<Vec<u8>>>,
    stderr_lines: Receiver<String>,
    stderr_seen: Vec<String>,
}

pub struct Sockcat;

/// Run `cmd` to its end with stdin empty, collecting what it printed:
/// `Command::output` with a deadline (killed and failing the test after
/// `timeout`).
#[track_caller]
pub fn run_command(cmd: &mut Command, timeout: Duration) -> Output {
    Proc::spawn_with(cmd, Stdio::null()).wait(timeout)
}

impl Sockcat {
    /// Start sockcat with stdin piped (write with `feed`, end with `close_stdin`).
    pub fn spawn<I, S>(args: I) -> Proc
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Proc::spawn(Command::new(bin()).args(args))
    }

    /// Start sockcat with the given stdin.
    pub fn spawn_with<I, S>(args: I, stdin: Stdio) -> Proc
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Proc::spawn_with(Command::new(bin()).args(args), stdin)
    }

    /// Run sockcat to completion with `input` on stdin.
    pub fn run<I, S>(args: I, input: &[u8], timeout: Duration) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut p = Sockcat::spawn(args);
        p.feed(input);
        p.close_stdin();
        p.wait(timeout)
    }
}

impl Proc {
    pub fn spawn(cmd: &mut Command) -> Proc {
        Proc::spawn_with(cmd, Stdio::piped())
    }

    pub fn spawn_with(cmd: &mut Command, stdin: Stdio) -> Proc {
        Proc::spawn_io(cmd, stdin, None, None)
    }

    /// Like `spawn_with`, but stdout goes to `stdout` instead of being collected.
    pub fn spawn_to(cmd: &mut Command, stdin: Stdio, stdout: Stdio) -> Proc {
        Proc::spawn_io(cmd, stdin, Some(stdout), None)
    }

    /// Like `spawn_with`, but stderr goes to `stderr`, for the test to read
    /// (`wait_for_stderr` then sees nothing).
    pub fn spawn_stderr_to(cmd: &mut Command, stdin: Stdio, stderr: Stdio) -> Proc {
        Proc::spawn_io(cmd, stdin, None, Some(stderr))
    }

    fn spawn_io(
        cmd: &mut Command,
        stdin: Stdio,
        stdout: Option<Stdio>,
        stderr: Option<Stdio>,
    ) -> Proc {
        let shown = format!("{cmd:?}");
        let collect = stdout.is_none();
        let collect_err = stderr.is_none();
        let mut child = cmd
            .stdin(stdin)
            .stdout(stdout.unwrap_or_else(Stdio::piped))
            .stderr(stderr.unwrap_or_else(Stdio::piped))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {shown}: {e}"));
        let stdin = child.stdin.take();
        let (out_tx, out_rx) = mpsc::channel();
        if collect {
            let mut out = child.stdout.take().expect("stdout");
            thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = out.read_to_end(&mut buf);
                let _ = out_tx.send(buf);
            });
        } else {
            let _ = out_tx.send(Vec::new());
        }
        let (err_tx, err_rx) = mpsc::channel();
        if collect_err {
            let err = child.stderr.take().expect("stderr");
            thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if err_tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Proc {
            cmd: shown,
            child: Some(child),
            stdin,
            stdout: Some(out_rx),
            stderr_lines: err_rx,
            stderr_seen: Vec::new(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().expect("running").id() as i32
    }

    /// Wait for a stderr line containing `needle`; returns that line.
    #[track_caller]
    pub fn wait_for_stderr(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr_seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no stderr line with {needle:?} from {} within {timeout:?}; saw:\n{}",
                    self.cmd,
                    self.stderr_seen.join("\n")
                ),
            }
        }
    }

    /// Wait for `listening on ADDR` and return ADDR.
    #[track_caller]
    pub fn listening(&mut self) -> String {
        let line = self.wait_for_stderr("listening on ", TIMEOUT);
        let at = line.find("listening on ").expect("prefix") + "listening on ".len();
        line[at..].trim().to_string()
    }

    pub fn feed(&mut self, data: &[u8]) {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(data);
            let _ = stdin.flush();
        }
    }

    /// Feed `data` from a thread, so a large input cannot deadlock the test.
    pub fn feed_in_background(&mut self, data: Vec<u8>) -> thread::JoinHandle<()> {
        let mut stdin = self.stdin.take().expect("stdin piped");
        thread::spawn(move || {
            let _ = stdin.write_all(&data);
        })
    }

    /// The pipe to its stdin, for the test to write at its own pace (a
    /// non-blocking write says when the process stops reading).
    pub fn take_stdin(&mut self) -> ChildStdin {
        self.stdin.take().expect("stdin piped")
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        if let Some(child) = self.child.as_ref() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig);
        }
    }

    /// Whether the process exits within `limit` (polled; it is not killed).
    pub fn exits_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.exited() {
                return true;
            }
            thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// Whether the process has exited already.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(Some(_))))
    }

    /// Wait until the process sleeps, failing if it exits instead: right
    /// after a line it printed, its next sleep is the wait that comes next
    /// (`what`).
    #[track_caller]
    pub fn wait_asleep(&mut self, what: &str) {
        wait_until(what, TIMEOUT, || {
            self.exited() || process_state(self.pid()) == 'S'
        });
        assert!(!self.exited(), "exited instead of {what}");
    }

    /// Wait for the process to exit (killing it after `timeout`) and collect its output.
    #[track_caller]
    pub fn wait(mut self, timeout: Duration) -> Output {
        self.stdin = None;
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let status = child.wait().expect("wait");
                let out = self.collect(status);
                panic!("timed out after {timeout:?}: {out}");
            }
            thread::sleep(Duration::from_millis(5));
        };
        self.collect(status)
    }

    fn collect(&mut self, status: ExitStatus) -> Output {
        let stdout = self
            .stdout
            .take()
            .and_then(|rx| rx.recv_timeout(Duration::from_secs(5)).ok())
            .unwrap_or_default();
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_millis(500)) {
            self.stderr_seen.push(line);
        }
        Output {
            cmd: self.cmd.clone(),
            status,
            stdout,
            stderr: self.stderr_seen.join("\n"),
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A refused peer that spoke first must see its connection reset: its
/// bytes were still unread when sockcat closed it (TCP answers that close
/// with RST, a Unix stream with ECONNRESET). A peer whose bytes had been
/// read would see sockcat's data, or an orderly end. The peer's bytes must
/// be in sockcat's kernel before sockcat accepts (stop it meanwhile).
#[track_caller]
pub fn assert_reset_unread(conn: &mut impl Read) {
    let mut got = Vec::new();
    match conn.read_to_end(&mut got) {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!(
            "a refused peer's bytes were read: {other:?}, after {:?}",
            String::from_utf8_lossy(&got)
        ),
    }
}

/// The state letter of `/proc/PID/stat` (`T` when stopped).
pub fn process_state(pid: i32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after = stat.rsplit_once(')').expect("comm").1;
    after.trim_start().chars().next().expect("state")
}

/// Wait until `check` holds, polling with a deadline.
#[track_caller]
pub fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

/// Deterministic pseudo-random bytes, so transfers can be compared exactly.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

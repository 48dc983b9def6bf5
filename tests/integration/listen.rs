//! `sockcat listen`: the Unix socket file lifecycle (what may stand at the
//! path, `--unlink`, `--mode`/`--owner`/`--group`, removal on exit and on
//! signals, never removing someone else's file), long and abstract Unix
//! names, the accept timeout, the printed address, dual-stack `:0`, peer
//! credentials under `-v`, inherited listening sockets (`fd:N`), and the
//! datagram listener's choice of peer and its life after stdin ends; the
//! access rules of a one-peer listener (`--allow`/`--deny`,
//! `--allow-uid`/`--allow-gid`: a refused stream peer is closed with its
//! bytes unread, a refused sender's datagram is dropped).
//!
//! The peers here are the test's own std sockets (and sockcat itself for
//! the long-path and abstract connects); real peer programs are in
//! `interop.rs`.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::{
    Proc, Sockcat, TIMEOUT, TempDir, as_nobody, bin, require, require_root, shared_dir, skip,
    wait_until,
};

/// A stream exchange with a listening sockcat started by `listener`: send a
/// line, half-close, read its line up to its close.
#[track_caller]
fn exchange(mut conn: UnixStream) {
    conn.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
    conn.write_all(b"from test\n").expect("write");
    conn.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut got = String::new();
    conn.read_to_string(&mut got).expect("read to EOF");
    assert_eq!(got, "from sockcat\n");
}

/// A listener with `from sockcat` waiting on its stdin, up to `listening on`.
/// It sends that and half-closes as soon as it accepts; a sockcat client
/// still sends its own line, since a peer's EOF ends only what the peer
/// sends.
fn listener(args: &[&str]) -> (Proc, String) {
    let mut server = Sockcat::spawn(["-v", "listen"].iter().chain(args));
    server.feed(b"from sockcat\n");
    server.close_stdin();
    let addr = server.listening();
    (server, addr)
}

fn is_socket(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

fn inode(path: &str) -> u64 {
    std::fs::symlink_metadata(path).expect("stat").ino()
}

/// A socket file nobody accepts on: bound, then closed (std does not unlink).
fn stale_socket(path: &str) {
    drop(UnixListener::bind(path).expect("bind"));
    assert!(is_socket(path));
}

// ---- what stands at the path ----

#[test]
fn stale_socket_without_unlink_is_exit_1_with_a_hint() {
    let dir = TempDir::new();
    let path = dir.join("s");
    stale_socket(&path);
    let before = inode(&path);
    let out = Sockcat::run(["listen", &format!("unix:{path}")], b"", TIMEOUT);
    out.assert_code(1);
    assert!(out.stderr.starts_with("sockcat: "), "{out}");
    assert!(out.stderr.contains("--unlink"), "hint missing: {out}");
    assert_eq!(inode(&path), before, "the stale file was touched: {out}");
}

#[test]
fn stale_socket_with_unlink_is_replaced() {
    let dir = TempDir::new();
    let path = dir.join("s");
    stale_socket(&path);
    let (server, _) = listener(&["--unlink", &format!("unix:{path}")]);
    // (tmpfs may give the new file the old inode number; a client getting
    // through is what shows the file is live now.)
    exchange(UnixStream::connect(&path).expect("connect"));
    server.wait(TIMEOUT).assert_success();
    assert!(!Path::new(&path).exists(), "socket file left behind");
}

#[test]
fn stale_datagram_socket_with_unlink_is_replaced() {
    let dir = TempDir::new();
    let path = dir.join("s");
    drop(UnixDatagram::bind(&path).expect("bind"));
    let out = Sockcat::run(["listen", &format!("unix-dgram:{path}")], b"", TIMEOUT);
    out.assert_code(1);
    assert!(out.stderr.contains("--unlink"), "{out}");
    let mut server = Sockcat::spawn(["-v", "listen", "--unlink", &format!("unix-dgram:{path}")]);
    server.listening();
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
    assert!(!Path::new(&path).exists(), "socket file left behind");
}

#[test]
fn live_socket_is_exit_1_and_left_alone() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let other = UnixListener::bind(&path).expect("bind");
    let before = inode(&path);
    for unlink in [false, true] {
        let mut args = vec!["listen"];
        if unlink {
            args.push("--unlink");
        }
        let addr = format!("unix:{path}");
        args.push(&addr);
        let out = Sockcat::run(args, b"", TIMEOUT);
        out.assert_code(1);
        assert!(out.stderr.contains("in use"), "{out}");
        assert_eq!(inode(&path), before, "the live socket was replaced: {out}");
    }
    // Still the other listener's: a client reaches it.
    let _client = UnixStream::connect(&path).expect("connect to the other listener");
    other.set_nonblocking(true).expect("nonblocking");
    let mut accepted = false;
    while let Ok((_conn, _)) = other.accept() {
        accepted = true;
    }
    assert!(accepted, "the other listener does not get its clients");
}

#[test]
fn live_socket_of_another_type_is_exit_1_and_left_alone() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let other = UnixDatagram::bind(&path).expect("bind");
    let before = inode(&path);
    for scheme in ["unix", "unix-dgram"] {
        let out = Sockcat::run(
            ["listen", "--unlink", &format!("{scheme}:{path}")],
            b"",
            TIMEOUT,
        );
        out.assert_code(1);
        assert_eq!(inode(&path), before, "the live socket was replaced: {out}");
    }
    let client = UnixDatagram::unbound().expect("socket");
    client
        .send_to(b"still theirs", &path)
        .expect("send to the other socket");
    let mut buf = [0u8; 32];
    other.set_nonblocking(true).expect("nonblocking");
    // sockcat's probes connect(2) but send nothing: the first datagram
    // waiting is the test's.
    let n = other
        .recv(&mut buf)
        .expect("the other socket still receives");
    assert_eq!(&buf[..n], b"still theirs");
}

#[test]
fn regular_file_in_the_way_is_exit_2_and_untouched() {
    let dir = TempDir::new();
    let path = dir.join("precious");
    std::fs::write(&path, b"keep me\n").expect("write");
    for unlink in [false, true] {
        let addr = format!("unix:{path}");
        let args: Vec<&str> = if unlink {
            vec!["listen", "--unlink", &addr]
        } else {
            vec!["listen", &addr]
        };
        let out = Sockcat::run(args, b"", TIMEOUT);
        out.assert_code(2);
        assert!(out.stderr.contains("regular file"), "{out}");
        assert_eq!(std::fs::read(&path).expect("read"), b"keep me\n", "{out}");
    }
}

// ---- removal of our own file, and only ours ----

#[test]
fn socket_file_removed_after_normal_exit() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let (server, addr) = listener(&[&format!("unix:{path}")]);
    assert_eq!(addr, format!("unix:{path}"));
    assert!(is_socket(&path));
    exchange(UnixStream::connect(&path).expect("connect"));
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from test\n", "{out}");
    assert!(!Path::new(&path).exists(), "socket file left behind: {out}");
}

#[test]
fn socket_file_removed_on_sigterm_and_sigint() {
    for (signal, status) in [(Signal::SIGTERM, 143), (Signal::SIGINT, 130)] {
        let dir = TempDir::new();
        let path = dir.join("s");
        // Once while waiting for a peer, once in the middle of a session.
        for with_peer in [false, true] {
            let (mut server, _) = listener(&[&format!("unix:{path}")]);
            let mut peer = None;
            if with_peer {
                let conn = UnixStream::connect(&path).expect("connect");
                server.wait_for_stderr("accepted", TIMEOUT);
                peer = Some(conn);
            }
            server.signal(signal);
            let out = server.wait(TIMEOUT);
            out.assert_code(status);
            assert!(
                !Path::new(&path).exists(),
                "socket file left behind after {signal}: {out}"
            );
            drop(peer);
        }
    }
}

#[test]
fn a_replaced_socket_file_is_not_removed() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let (server, _) = listener(&[&format!("unix:{path}")]);
    // Someone else takes the path while sockcat runs: first their own
    // socket in place of ours, then (second run) a regular file. sockcat's
    // bound socket keeps its inode alive, so a replacement never reuses its
    // (dev, inode).
    std::fs::remove_file(&path).expect("remove");
    let replacement = UnixListener::bind(&path).expect("bind the replacement");
    let theirs = inode(&path);
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
    assert!(is_socket(&path), "the replacement socket was removed");
    assert_eq!(inode(&path), theirs);
    drop(replacement);

    let path = dir.join("t");
    let (server, _) = listener(&[&format!("unix:{path}")]);
    std::fs::remove_file(&path).expect("remove");
    std::fs::write(&path, b"not yours\n").expect("write");
    server.signal(Signal::SIGINT);
    server.wait(TIMEOUT).assert_code(130);
    assert_eq!(std::fs::read(&path).expect("read"), b"not yours\n");
}

#[test]
fn listener_removes_its_file_after_accept_timeout() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let start = Instant::now();
    let out = Sockcat::run(["listen", "-w", "300ms", &path], b"", TIMEOUT);
    let took = start.elapsed();
    out.assert_code(1);
    assert!(
        took >= Duration::from_millis(300),
        "gave up after {took:?}: {out}"
    );
    assert!(!Path::new(&path).exists(), "socket file left behind: {out}");
}

// ---- mode and ownership ----

#[test]
fn mode_is_set_when_listening_is_printed() {
    let dir = TempDir::new();
    for (mode, want) in [("600", 0o600), ("660", 0o660), ("0777", 0o777)] {
        let path = dir.join(&format!("s{mode}"));
        let (server, _) = listener(&["--mode", mode, &format!("unix:{path}")]);
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        assert_eq!(meta.mode() & 0o7777, want, "--mode {mode}");
        // The mode leaves root's own connect alone; the session still works.
        exchange(UnixStream::connect(&path).expect("connect"));
        server.wait(TIMEOUT).assert_success();
    }
}

#[test]
fn owner_and_group_are_set_when_listening_is_printed() {
    if !require_root() {
        return;
    }
    let dir = TempDir::new();
    let path = dir.join("s");
    let (server, _) = listener(&[
        "--mode",
        "640",
        "--owner",
        "65534",
        "--group",
        "65534",
        &format!("unix:{path}"),
    ]);
    let meta = std::fs::symlink_metadata(&path).expect("stat");
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(meta.mode() & 0o7777, 0o640);
    exchange(UnixStream::connect(&path).expect("connect"));
    server.wait(TIMEOUT).assert_success();
    assert!(!Path::new(&path).exists(), "socket file left behind");
}

#[test]
fn flags_that_cannot_apply_to_the_address_are_exit_2_before_binding() {
    // Every address here is one sockcat cannot bind (taken, or in a
    // directory that does not exist): a flag refused only after binding
    // would show as that run-time failure (exit 1) instead.
    let dir = TempDir::new();
    let tcp_sock = TcpListener::bind("127.0.0.1:0").expect("bind");
    let tcp = format!("tcp:{}", tcp_sock.local_addr().expect("addr"));
    let udp_sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let udp = format!("udp:{}", udp_sock.local_addr().expect("addr"));
    let name = format!("sockcat-test-{}-taken", std::process::id());
    let taken_name = {
        use std::os::linux::net::SocketAddrExt;
        std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).expect("name")
    };
    let _taken = UnixListener::bind_addr(&taken_name).expect("bind abstract");
    let abstract_name = format!("@{name}");
    let unreachable = format!("unix:{}", dir.join("no-such-dir/s"));
    let not_a_path =
        |flag: &str, addr: &str| format!("{flag} needs a Unix socket path, not {addr}");
    let rows: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["listen", "--mode", "600", &tcp],
            not_a_path("--mode", &tcp),
        ),
        (
            vec!["listen", "--owner", "0", &tcp],
            not_a_path("--owner", &tcp),
        ),
        (
            vec!["listen", "--group", "0", &udp],
            not_a_path("--group", &udp),
        ),
        (
            vec!["listen", "--unlink", &tcp],
            not_a_path("--unlink", &tcp),
        ),
        (
            vec!["listen", "--mode", "600", &abstract_name],
            not_a_path("--mode", &format!("unix:{abstract_name}")),
        ),
        (
            vec!["listen", "--unlink", "-u", &abstract_name],
            not_a_path("--unlink", &format!("unix-dgram:{abstract_name}")),
        ),
        (
            vec!["listen", "--mode", "600", "fd:999"],
            not_a_path("--mode", "fd:999"),
        ),
        (
            vec!["listen", "--allow-uid", "0", &tcp],
            format!("--allow-uid and --allow-gid admit Unix peers; {tcp} is an IP listener"),
        ),
        (
            vec!["listen", "--allow", "10.0.0.0/8", &unreachable],
            format!("--allow and --deny take IP networks; {unreachable} is a Unix listener"),
        ),
        (
            vec!["listen", "-k", "-e", "cat", &udp],
            format!("-e and -c need a stream or seqpacket listener, not {udp}"),
        ),
        (
            vec!["listen", "--nodelay", &unreachable],
            format!("--nodelay needs a TCP socket, not {unreachable}"),
        ),
        (
            vec!["listen", "--keepalive", &udp],
            format!("--keepalive needs a TCP socket, not {udp}"),
        ),
        (
            vec!["connect", "--nodelay", &unreachable],
            format!("--nodelay needs a TCP socket, not {unreachable}"),
        ),
        (
            vec!["send", "--keepalive", &unreachable, "x"],
            format!("--keepalive needs a TCP socket, not {unreachable}"),
        ),
    ];
    for (args, message) in rows {
        let out = Sockcat::run(&args, b"", TIMEOUT);
        out.assert_code(2);
        assert_eq!(out.stderr.lines().count(), 1, "one line{out}");
        assert!(
            out.stderr.starts_with(&format!("sockcat: {message}")),
            "{args:?}: want {message:?}{out}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        0,
        "created something"
    );
}

// ---- names the kernel cannot take as they are ----

#[test]
fn long_unix_path_for_listen_and_connect() {
    // sun_path holds 107 bytes; this path is over 200.
    let dir = TempDir::new();
    let mut deep = dir.path().to_path_buf();
    while deep.as_os_str().len() < 190 {
        deep.push("a-directory-name-of-some-length");
    }
    std::fs::create_dir_all(&deep).expect("mkdir -p");
    let path = deep.join("the-socket").to_str().expect("utf-8").to_string();
    assert!(path.len() > 200, "{}", path.len());

    for scheme in ["unix", "unix-seqpacket"] {
        let addr = format!("{scheme}:{path}");
        let (server, printed) = listener(&[&addr]);
        assert_eq!(printed, addr);
        assert!(is_socket(&path), "no socket file at the long path");
        let client = Sockcat::run(["connect", &addr], b"from test\n", TIMEOUT);
        client.assert_success();
        assert_eq!(client.stdout_str(), "from sockcat\n", "{client}");
        let out = server.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "from test\n", "{out}");
        assert!(!Path::new(&path).exists(), "socket file left behind: {out}");
    }
}

#[test]
fn abstract_names_for_listen_and_connect() {
    let name = format!("sockcat-test-{}-abstract", std::process::id());
    for (listen_as, connect_as) in [
        (format!("@{name}"), format!("unix:@{name}")),
        (
            format!("unix-seqpacket:@{name}"),
            format!("unix-seqpacket:@{name}"),
        ),
    ] {
        let (server, printed) = listener(&[&listen_as]);
        assert!(printed.ends_with(&format!(":@{name}")), "{printed}");
        let client = Sockcat::run(["connect", &connect_as], b"from test\n", TIMEOUT);
        client.assert_success();
        assert_eq!(client.stdout_str(), "from sockcat\n", "{client}");
        let out = server.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "from test\n", "{out}");
    }
}

#[test]
fn printed_unix_names_paste_back_byte_for_byte() {
    let dir = TempDir::new();
    // A NUL and a byte that is not UTF-8 in an abstract name; a backslash,
    // such a byte and a leading '@' in a file name.
    let abstract_name = format!("@sockcat-{}\\x00\\xff-x", std::process::id());
    let file_name = format!("unix:{}/\\x40a\\\\b\\xfe", dir.path().display());
    for (typed, bytes) in [
        (abstract_name, None),
        (file_name, Some(b"@a\\b\xfe".as_slice())),
    ] {
        let (server, printed) = listener(&[&typed]);
        if let Some(bytes) = bytes {
            let names: Vec<_> = std::fs::read_dir(dir.path())
                .expect("dir")
                .map(|e| e.expect("entry").file_name().into_encoded_bytes())
                .collect();
            assert_eq!(names, [bytes], "{typed} made the wrong file");
        }
        let client = Sockcat::run(["connect", &printed], b"hi\n", TIMEOUT);
        client.assert_success();
        assert_eq!(client.stdout_str(), "from sockcat\n", "{printed}: {client}");
        let out = server.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "hi\n", "{out}");
    }
}

#[test]
fn a_backslash_that_is_no_escape_is_exit_2_in_a_unix_name() {
    let out = Sockcat::run(["connect", r"unix:/tmp/a\qb"], b"", TIMEOUT);
    out.assert_code(2);
    assert!(
        out.stderr.contains(r"bad escape '\q' in the Unix name"),
        "{out}"
    );
}

// ---- waiting, addresses, peers ----

#[test]
fn accept_timeout_is_exit_1() {
    for addr in ["tcp:127.0.0.1:0", "udp:127.0.0.1:0"] {
        let start = Instant::now();
        let out = Sockcat::run(["listen", "-w", "300ms", addr], b"", TIMEOUT);
        let took = start.elapsed();
        out.assert_code(1);
        assert!(out.stderr.starts_with("sockcat: listen "), "{out}");
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(5),
            "gave up after {took:?}: {out}"
        );
    }
}

#[test]
fn port_0_prints_the_real_port() {
    let (server, addr) = listener(&["tcp:127.0.0.1:0"]);
    let port: u16 = addr
        .strip_prefix("tcp:127.0.0.1:")
        .unwrap_or_else(|| panic!("not canonical: {addr}"))
        .parse()
        .expect("a port number");
    assert_ne!(port, 0);
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect to the printed port");
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    conn.write_all(b"from test\n").expect("write");
    conn.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut got = String::new();
    conn.read_to_string(&mut got).expect("read");
    assert_eq!(got, "from sockcat\n");
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from test\n", "{out}");
}

fn has_ipv6_loopback() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

#[test]
fn dual_stack_port_0_accepts_ipv4_and_ipv6() {
    let mut clients = vec!["127.0.0.1"];
    if has_ipv6_loopback() {
        clients.push("::1");
    } else {
        skip("no IPv6 loopback for the ::1 client");
    }
    for client in clients {
        let (mut server, addr) = listener(&[":0"]);
        let port: u16 = addr.rsplit(':').next().unwrap().parse().expect("port");
        assert_ne!(port, 0, "{addr}");
        let mut conn = TcpStream::connect((client, port)).expect("connect");
        let accepted = server.wait_for_stderr("accepted", TIMEOUT);
        // A v4 peer on a dual-stack socket prints as IPv4, not ::ffff:.
        let shown = if client.contains(':') {
            format!("accepted tcp:[{client}]:")
        } else {
            format!("accepted tcp:{client}:")
        };
        assert!(accepted.contains(&shown), "{accepted}");
        conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        conn.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut got = String::new();
        conn.read_to_string(&mut got).expect("read");
        assert_eq!(got, "from sockcat\n");
        server.wait(TIMEOUT).assert_success();
    }
}

#[test]
fn verbose_shows_unix_peer_credentials() {
    let dir = TempDir::new();
    let want = format!(
        "(pid {} uid {} gid {})",
        std::process::id(),
        nix::unistd::getuid(),
        nix::unistd::getgid()
    );
    for scheme in ["unix", "unix-seqpacket"] {
        let path = dir.join(scheme);
        let (mut server, _) = listener(&[&format!("{scheme}:{path}")]);
        let sock = nix::sys::socket::socket(
            nix::sys::socket::AddressFamily::Unix,
            if scheme == "unix" {
                nix::sys::socket::SockType::Stream
            } else {
                nix::sys::socket::SockType::SeqPacket
            },
            nix::sys::socket::SockFlag::SOCK_CLOEXEC,
            None,
        )
        .expect("socket");
        let sa = nix::sys::socket::UnixAddr::new(path.as_str()).expect("address");
        nix::sys::socket::connect(sock.as_raw_fd(), &sa).expect("connect");
        let line = server.wait_for_stderr("accepted", TIMEOUT);
        assert!(line.contains(&format!("accepted {scheme}:")), "{line}");
        assert!(line.contains(&want), "{line}, want {want}");
        // std has no seqpacket type, but its stream calls work on one.
        exchange(UnixStream::from(sock));
        server.wait(TIMEOUT).assert_success();
    }
}

/// A Unix datagram sender that becomes the peer is shown with its pid,
/// uid and gid too: the listener asks the kernel for them on every
/// datagram (`SO_PASSCRED`), rules or not.
#[test]
fn verbose_shows_unix_datagram_sender_credentials() {
    let dir = TempDir::new();
    let want = format!(
        "(pid {} uid {} gid {})",
        std::process::id(),
        nix::unistd::getuid(),
        nix::unistd::getgid()
    );
    let addr = format!("unix-dgram:{}", dir.join("d.sock"));
    let mut server = Sockcat::spawn_with(["-v", "listen", &addr], Stdio::null());
    server.listening();
    let sender = Sender::new(&addr, &dir, "me.sock");
    sender.send(b"hi").expect("send");
    let line = server.wait_for_stderr("accepted", TIMEOUT);
    assert!(
        line.contains(&format!("accepted {}", sender.name())),
        "{line}"
    );
    assert!(line.contains(&want), "{line}, want {want}");
}

// ---- inherited sockets ----

/// sockcat with `listener` inherited at its own descriptor number. Rust's
/// std opens everything close-on-exec and has no stable way to pass a
/// descriptor, so the child clears FD_CLOEXEC between fork and exec: the
/// descriptor never leaks into the other tests' children.
#[allow(unsafe_code)]
pub fn spawn_with_fd(listener: BorrowedFd<'_>, args: &[&str]) -> Proc {
    let raw = listener.as_raw_fd();
    let mut cmd = Command::new(bin());
    cmd.args(args).arg(format!("fd:{raw}"));
    // SAFETY: the closure runs in the forked child before exec and calls only
    // fcntl(2), which is async-signal-safe; `raw` is open in the child,
    // which has a copy of the parent's descriptor table.
    unsafe {
        cmd.pre_exec(move || {
            let fd = BorrowedFd::borrow_raw(raw);
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
            )?;
            Ok(())
        });
    }
    let mut server = Proc::spawn(&mut cmd);
    server.feed(b"from sockcat\n");
    server.close_stdin();
    server
}

#[test]
fn inherited_unix_listener() {
    let dir = TempDir::new();
    let path = dir.join("inherited");
    let sock = UnixListener::bind(&path).expect("bind");
    let mut server = spawn_with_fd(std::os::fd::AsFd::as_fd(&sock), &["-v", "listen"]);
    let printed = server.listening();
    assert_eq!(printed, format!("unix:{path}"));
    drop(sock);
    exchange(UnixStream::connect(&path).expect("connect"));
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from test\n", "{out}");
    // sockcat did not create this file, so it must not remove it.
    assert!(
        is_socket(&path),
        "sockcat removed a socket file it did not create: {out}"
    );
}

#[test]
fn inherited_tcp_listener() {
    let sock = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = sock.local_addr().expect("local").port();
    let mut server = spawn_with_fd(std::os::fd::AsFd::as_fd(&sock), &["-v", "listen"]);
    assert_eq!(server.listening(), format!("tcp:127.0.0.1:{port}"));
    drop(sock);
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    conn.write_all(b"from test\n").expect("write");
    conn.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut got = String::new();
    conn.read_to_string(&mut got).expect("read");
    assert_eq!(got, "from sockcat\n");
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from test\n", "{out}");
}

#[test]
fn an_inherited_descriptor_that_is_no_socket_is_exit_2_saying_what_it_is() {
    // What `sockcat listen fd:3 3</etc/hostname` gives: a real descriptor,
    // of the wrong kind. It is the command line that cannot work.
    use std::os::fd::AsFd;
    let dir = TempDir::new();
    let file = std::fs::File::create(dir.join("plain")).expect("file");
    let directory = std::fs::File::open(dir.path()).expect("directory");
    let (pipe, _writer) = nix::unistd::pipe().expect("pipe");
    let rows: &[(&str, BorrowedFd<'_>, &str, &str)] = &[
        ("listen", file.as_fd(), "listen", "(a regular file)"),
        ("connect", pipe.as_fd(), "connect", "(a pipe)"),
        ("send", directory.as_fd(), "send", "(a directory)"),
    ];
    for (verb, fd, op, what) in rows {
        let n = fd.as_raw_fd();
        let out = spawn_with_fd(*fd, &[verb]).wait(TIMEOUT);
        out.assert_code(2);
        let want = format!("sockcat: {op} fd:{n}: descriptor {n} is not a socket {what}");
        assert_eq!(out.stderr, want, "{out}");
    }
}

// ---- datagram listeners and their peer ----

/// One of the test's datagram senders, bound to an address of its own so
/// that replies can reach it.
enum Sender {
    Udp(UdpSocket, u16),
    /// The socket, the listener's path, its own path.
    Unix(UnixDatagram, String, String),
}

impl Sender {
    /// A sender for the listener at `printed`, named `own` if it is Unix.
    fn new(printed: &str, dir: &TempDir, own: &str) -> Sender {
        let sender = if let Some(path) = printed.strip_prefix("unix-dgram:") {
            let own = dir.join(own);
            let sock = UnixDatagram::bind(&own).expect("bind");
            Sender::Unix(sock, path.to_string(), own)
        } else {
            let port = printed.rsplit(':').next().unwrap().parse().expect("port");
            Sender::Udp(UdpSocket::bind("127.0.0.1:0").expect("bind"), port)
        };
        match &sender {
            Sender::Udp(sock, _) => sock.set_read_timeout(Some(TIMEOUT)),
            Sender::Unix(sock, ..) => sock.set_read_timeout(Some(TIMEOUT)),
        }
        .expect("read timeout");
        sender
    }

    fn send(&self, data: &[u8]) -> std::io::Result<usize> {
        match self {
            Sender::Udp(sock, port) => sock.send_to(data, ("127.0.0.1", *port)),
            Sender::Unix(sock, server, _) => sock.send_to(data, server),
        }
    }

    #[track_caller]
    fn recv(&self) -> Vec<u8> {
        let mut buf = vec![0u8; 1024];
        let n = match self {
            Sender::Udp(sock, _) => sock.recv(&mut buf),
            Sender::Unix(sock, ..) => sock.recv(&mut buf),
        }
        .expect("a datagram within the timeout");
        buf.truncate(n);
        buf
    }

    /// Whether a datagram is waiting, without waiting for one.
    fn has_pending(&self) -> bool {
        let mut buf = [0u8; 1024];
        let got = match self {
            Sender::Udp(sock, _) => {
                sock.set_nonblocking(true).expect("nonblocking");
                sock.recv(&mut buf)
            }
            Sender::Unix(sock, ..) => {
                sock.set_nonblocking(true).expect("nonblocking");
                sock.recv(&mut buf)
            }
        };
        match got {
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => panic!("recv: {e}"),
            Ok(_) => true,
        }
    }

    /// Whether the listener has datagrams of ours not yet read (the
    /// receive queue of its socket, seen from `/proc/net`): for Unix
    /// sockets only; UDP senders report false.
    fn has_pending_at_server(&self) -> bool {
        let Sender::Unix(_, server, _) = self else {
            return false;
        };
        // /proc/net/unix has no queue lengths; ask the kernel with ss.
        let out = Command::new("ss")
            .args(["-x", "-n", "-H", "src", server])
            .output()
            .expect("ss");
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace().nth(2).is_some_and(|q| q != "0")
    }

    /// How sockcat prints this sender.
    fn name(&self) -> String {
        match self {
            Sender::Udp(sock, _) => format!("udp:{}", sock.local_addr().expect("local")),
            Sender::Unix(_, _, own) => format!("unix-dgram:{own}"),
        }
    }
}

/// A sends first and becomes the peer; B, sending after that, is not
/// printed; stdin goes to A and not to B.
fn locks_onto_first_sender(addr: &str) {
    let dir = TempDir::new();
    let mut server = Sockcat::spawn(["-v", "listen", "-q", "100ms", addr]);
    let printed = server.listening();
    let (a, b) = (
        Sender::new(&printed, &dir, "a"),
        Sender::new(&printed, &dir, "b"),
    );
    a.send(b"from a\n").expect("send from A");
    let line = server.wait_for_stderr("accepted", TIMEOUT);
    assert!(line.contains(&format!("accepted {}", a.name())), "{line}");
    // A connected Unix datagram socket refuses others (EPERM); UDP drops them.
    let _ = b.send(b"from b\n");
    a.send(b"a again\n").expect("send from A");
    server.feed(b"reply\n");
    assert_eq!(a.recv(), b"reply\n");
    server.close_stdin();
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from a\na again\n", "{out}");
    assert!(!b.has_pending(), "stdin went to B too: {out}");
}

/// B's datagram is already queued behind A's when sockcat takes A as its
/// peer (sockcat is stopped while both are sent): it must not be printed.
fn ignores_queued_datagrams_of_others(addr: &str) {
    let dir = TempDir::new();
    let mut server = Sockcat::spawn(["-v", "listen", "-q", "100ms", addr]);
    let printed = server.listening();
    let (a, b) = (
        Sender::new(&printed, &dir, "a"),
        Sender::new(&printed, &dir, "b"),
    );
    server.signal(Signal::SIGSTOP);
    a.send(b"from a\n").expect("send from A");
    b.send(b"from b\n").expect("send from B");
    server.signal(Signal::SIGCONT);
    let line = server.wait_for_stderr("accepted", TIMEOUT);
    assert!(line.contains(&format!("accepted {}", a.name())), "{line}");
    server.feed(b"reply\n");
    assert_eq!(a.recv(), b"reply\n");
    server.close_stdin();
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "from a\n", "{out}");
    assert!(!b.has_pending(), "stdin went to B too: {out}");
}

/// A datagram listener whose stdin has ended goes on receiving until it is
/// interrupted: the 1s that `connect` waits for replies (its default `-q`)
/// is not a listener's, as `listen --help` and sockcat-listen(1) say.
fn keeps_receiving_after_stdin_ends(addr: &str) {
    let dir = TempDir::new();
    let stdout = dir.join("stdout");
    let file = File::create(&stdout).expect("stdout file");
    let mut cmd = Command::new(bin());
    cmd.args(["-v", "listen", addr]);
    let mut server = Proc::spawn_to(&mut cmd, Stdio::null(), Stdio::from(file));
    let printed = server.listening();
    let a = Sender::new(&printed, &dir, "a");
    a.send(b"one\n").expect("send");
    server.wait_for_stderr("accepted", TIMEOUT);
    let printed = || std::fs::read_to_string(&stdout).unwrap_or_default();
    wait_until("the first datagram on stdout", TIMEOUT, || {
        printed() == "one\n"
    });
    // Not to synchronise: the time that must pass without the listener
    // quitting, longer than connect's default -q of 1s.
    thread::sleep(Duration::from_millis(1500));
    assert!(!server.exited(), "the listener quit after stdin ended");
    a.send(b"two\n").expect("send");
    wait_until("the second datagram on stdout", TIMEOUT, || {
        printed() == "one\ntwo\n"
    });
    server.signal(Signal::SIGINT);
    let out = server.wait(TIMEOUT);
    out.assert_code(130);
}

#[test]
fn udp_listener_keeps_receiving_after_stdin_ends() {
    keeps_receiving_after_stdin_ends("udp:127.0.0.1:0");
}

#[test]
fn unix_dgram_listener_keeps_receiving_after_stdin_ends() {
    let dir = TempDir::new();
    keeps_receiving_after_stdin_ends(&format!("unix-dgram:{}", dir.join("s")));
}

#[test]
fn udp_listener_locks_onto_first_sender() {
    locks_onto_first_sender("udp:127.0.0.1:0");
}

#[test]
fn unix_dgram_listener_locks_onto_first_sender() {
    let dir = TempDir::new();
    locks_onto_first_sender(&format!("unix-dgram:{}", dir.join("s")));
}

#[test]
fn udp_listener_ignores_queued_datagrams_of_others() {
    ignores_queued_datagrams_of_others("udp:127.0.0.1:0");
}

#[test]
fn unix_dgram_listener_ignores_queued_datagrams_of_others() {
    let dir = TempDir::new();
    ignores_queued_datagrams_of_others(&format!("unix-dgram:{}", dir.join("s")));
}

/// A one-shot sender (`sockcat send`) that is gone by the time the
/// listener reads its datagram: the datagram is printed all the same and
/// the listener goes on (the spec: a sender already gone costs at most the
/// replies meant for it). sockcat is stopped while the sender comes and
/// goes.
#[test]
fn unix_dgram_listener_prints_a_datagram_whose_sender_is_gone() {
    let dir = TempDir::new();
    let addr = format!("unix-dgram:{}", dir.join("s"));
    let stdout = dir.join("stdout");
    let mut cmd = Command::new(bin());
    cmd.args(["-v", "listen", &addr]);
    let file = File::create(&stdout).expect("stdout file");
    let mut server = Proc::spawn_to(&mut cmd, Stdio::null(), Stdio::from(file));
    server.listening();
    server.signal(Signal::SIGSTOP);
    Sockcat::run(["send", &addr, "one-shot"], b"", TIMEOUT).assert_success();
    server.signal(Signal::SIGCONT);
    wait_until("the datagram on stdout", TIMEOUT, || {
        server.exited() || std::fs::read(&stdout).is_ok_and(|got| got == b"one-shot")
    });
    assert!(!server.exited(), "the listener ended");
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    out.assert_code(143);
    assert_eq!(
        std::fs::read(&stdout).expect("stdout"),
        b"one-shot",
        "{out}"
    );
}

/// `listen --send-only` shares the relay's rule: the socket it never reads
/// does not end the session; stdin does, however late it speaks.
#[test]
fn send_only_listener_waits_for_stdin_that_comes_late() {
    let dir = TempDir::new();
    let path = dir.join("s");
    let mut server = Sockcat::spawn(["listen", "-v", "--send-only", &format!("unix:{path}")]);
    server.listening();
    let mut client = UnixStream::connect(&path).expect("connect");
    client.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    server.wait_for_stderr("accepted", TIMEOUT);
    server.wait_asleep("the relay's wait for stdin");
    server.feed(b"late");
    server.close_stdin();
    let mut got = Vec::new();
    client.read_to_end(&mut got).expect("read");
    assert_eq!(got, b"late");
    server.wait(TIMEOUT).assert_success();
}

/// A one-shot sender (`sockcat send`, or a script that binds, sends and
/// closes) is gone before the listener can connect to it: its datagram is
/// printed all the same, the listener lives on, and the next sender with an
/// address becomes the peer.
#[test]
fn a_gone_one_shot_sender_costs_only_its_replies() {
    let dir = TempDir::new();
    let path = dir.join("r.sock");
    let addr = format!("unix-dgram:{path}");
    let mut server = Sockcat::spawn_with(["-v", "listen", &addr], Stdio::null());
    server.listening();
    // Both senders are gone before the listener looks: it is stopped
    // meanwhile. A one-shot `sockcat send`, then a script's sender: bound,
    // sent, closed.
    server.signal(Signal::SIGSTOP);
    Sockcat::run(["send", &addr, "hi"], b"", TIMEOUT).assert_success();
    let own = dir.join("script.sock");
    let script = UnixDatagram::bind(&own).expect("bind");
    script.send_to(b" there", &path).expect("send");
    drop(script);
    std::fs::remove_file(&own).expect("unlink");
    server.signal(Signal::SIGCONT);
    server.wait_for_stderr("cannot reply to unix-dgram:@", TIMEOUT);
    server.wait_for_stderr(&format!("cannot reply to unix-dgram:{own}"), TIMEOUT);
    let later = Sender::new(&addr, &dir, "later.sock");
    later.send(b" again").expect("send");
    server.wait_for_stderr(&format!("accepted {}", later.name()), TIMEOUT);
    server.signal(Signal::SIGINT);
    let out = server.wait(TIMEOUT);
    out.assert_code(130);
    assert_eq!(out.stdout_str(), "hi there again", "{out}");
}

/// `--lines` on a datagram listener: one message a line, as a syslog-style
/// receiver prints them, with and without -k.
#[test]
fn lines_write_each_datagram_on_a_line_of_its_own() {
    for keep in [false, true] {
        let dir = TempDir::new();
        let addr = format!("unix-dgram:{}", dir.join("log.sock"));
        let mut args = vec!["-v", "listen", "--lines"];
        if keep {
            args.push("-k");
        }
        args.push(&addr);
        let mut server = Sockcat::spawn_with(&args, Stdio::null());
        server.listening();
        let sender = Sender::new(&addr, &dir, "app.sock");
        for message in [&b"<13>msg 1"[..], b"<13>msg 2\n", b""] {
            sender.send(message).expect("send");
        }
        server.wait_for_stderr(&sender.name(), TIMEOUT);
        // The datagrams are queued in order; one more and they are all in.
        sender.send(b"last").expect("send");
        wait_until("the listener to read them all", TIMEOUT, || {
            !sender.has_pending_at_server()
        });
        server.signal(Signal::SIGINT);
        let out = server.wait(TIMEOUT);
        assert_eq!(
            out.stdout_str(),
            "<13>msg 1\n<13>msg 2\n\nlast\n",
            "keep {keep}: {out}"
        );
    }
}

/// `-C` means the same with `-k` on a datagram listener as everywhere: LF
/// becomes CRLF on the way to the peer (it was once silently ignored).
#[test]
fn crlf_applies_to_a_keep_open_datagram_listener() {
    let dir = TempDir::new();
    let mut server = Sockcat::spawn(["-v", "listen", "-k", "-C", "udp:127.0.0.1:0"]);
    let addr = server.listening();
    let sender = Sender::new(&addr, &dir, "unused");
    sender.send(b"hello").expect("send");
    server.wait_for_stderr("stdin now goes to", TIMEOUT);
    server.feed(b"a\nb\n");
    let mut got = Vec::new();
    while got.len() < 6 {
        got.extend(sender.recv());
    }
    assert_eq!(got, b"a\r\nb\r\n");
}

// ---- access rules on a one-peer listener ----

/// IP rules, each with why it refuses a peer at 127.0.0.2 (the whole of
/// 127.0.0.0/8 is loopback, so a client bound there is a second host);
/// each admits 127.0.0.1.
const IP_RULES: &[(&[&str], &str)] = &[
    (
        &["--deny", "127.0.0.2/32"],
        "127.0.0.2 is in --deny 127.0.0.2/32",
    ),
    (
        &["--allow", "127.0.0.1/32"],
        "127.0.0.2 is in no --allow network",
    ),
    // Deny wins over an allow that holds the address too, in either order.
    (
        &["--allow", "127.0.0.0/8", "--deny", "127.0.0.2/32"],
        "127.0.0.2 is in --deny 127.0.0.2/32",
    ),
    (
        &["--deny", "127.0.0.2/32", "--allow", "127.0.0.0/8"],
        "127.0.0.2 is in --deny 127.0.0.2/32",
    ),
];

/// A TCP connection from `source` to 127.0.0.1:`port`.
fn tcp_from(source: std::net::Ipv4Addr, port: u16) -> TcpStream {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, SockaddrIn, bind, connect, socket};
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    bind(
        fd.as_raw_fd(),
        &SockaddrIn::from(std::net::SocketAddrV4::new(source, 0)),
    )
    .expect("bind the source");
    connect(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, port)).expect("connect");
    let conn = TcpStream::from(fd);
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    conn
}

#[test]
fn one_peer_tcp_listener_refuses_by_allow_and_deny_before_reading() {
    for (rules, why) in IP_RULES {
        let mut args = rules.to_vec();
        args.push("tcp:127.0.0.1:0");
        let (mut server, addr) = listener(&args);
        let port = addr.rsplit(':').next().unwrap().parse().expect("port");
        // Stopped, sockcat cannot accept before the refused peer's bytes
        // are in its kernel (acknowledged).
        server.signal(Signal::SIGSTOP);
        let mut refused = tcp_from([127, 0, 0, 2].into(), port);
        refused.write_all(b"let me in\n").expect("write");
        wait_until("sockcat's kernel to take the bytes", TIMEOUT, || {
            crate::faults::unacknowledged(&refused) == 0
        });
        server.signal(Signal::SIGCONT);
        let line = server.wait_for_stderr(" tcp:127.0.0.2:", TIMEOUT);
        assert!(
            line.contains("refused tcp:127.0.0.2:") && line.ends_with(why),
            "{rules:?}: {line}"
        );
        crate::support::assert_reset_unread(&mut refused);

        let mut admitted = tcp_from([127, 0, 0, 1].into(), port);
        admitted.write_all(b"from test\n").expect("write");
        admitted
            .shutdown(std::net::Shutdown::Write)
            .expect("shutdown");
        let mut got = String::new();
        admitted.read_to_string(&mut got).expect("read");
        assert_eq!(got, "from sockcat\n", "{rules:?}");
        let out = server.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "from test\n", "{rules:?}{out}");
        assert!(out.stderr.contains("accepted tcp:127.0.0.1:"), "{out}");
    }
}

#[test]
fn one_peer_udp_listener_drops_the_datagrams_of_refused_senders() {
    for (rules, why) in IP_RULES {
        let mut args = vec!["-v", "listen"];
        args.extend_from_slice(rules);
        args.push("udp:127.0.0.1:0");
        let mut server = Sockcat::spawn(&args);
        let printed = server.listening();
        let port: u16 = printed.rsplit(':').next().unwrap().parse().expect("port");
        let refused = UdpSocket::bind("127.0.0.2:0").expect("bind");
        let admitted = UdpSocket::bind("127.0.0.1:0").expect("bind");
        admitted
            .set_read_timeout(Some(TIMEOUT))
            .expect("read timeout");
        refused
            .send_to(b"from the refused\n", ("127.0.0.1", port))
            .expect("send");
        let refused_name = format!("udp:{}", refused.local_addr().expect("addr"));
        let line = server.wait_for_stderr(&refused_name, TIMEOUT);
        assert!(
            line.ends_with(&format!("dropped a datagram from {refused_name}: {why}")),
            "{rules:?}: {line}"
        );
        admitted
            .send_to(b"from the admitted\n", ("127.0.0.1", port))
            .expect("send");
        server.wait_for_stderr("accepted udp:127.0.0.1:", TIMEOUT);
        server.feed(b"reply\n");
        let mut buf = [0u8; 64];
        let n = admitted.recv(&mut buf).expect("the reply");
        assert_eq!(&buf[..n], b"reply\n");
        refused.set_nonblocking(true).expect("nonblocking");
        assert!(
            refused.recv(&mut buf).is_err(),
            "{rules:?}: the refused sender got a reply"
        );
        server.signal(Signal::SIGTERM);
        let out = server.wait(TIMEOUT);
        out.assert_code(143);
        assert_eq!(out.stdout_str(), "from the admitted\n", "{rules:?}{out}");
    }
}

/// The Unix rules, each admitting nobody (65534) and so refusing root,
/// the test itself.
const UNIX_RULES: [&str; 2] = ["--allow-uid", "--allow-gid"];

#[test]
fn one_peer_unix_listener_refuses_by_uid_and_gid_before_reading() {
    if !require_root() || !require("setpriv") {
        return;
    }
    let dir = shared_dir();
    for flag in UNIX_RULES {
        let path = dir.join(flag.trim_start_matches('-'));
        let (mut server, _) = listener(&[flag, "65534", "--mode", "666", &format!("unix:{path}")]);
        // A Unix stream write lands in the peer's queue before it returns,
        // even while sockcat (stopped) has not accepted yet.
        server.signal(Signal::SIGSTOP);
        let mut refused = UnixStream::connect(&path).expect("connect");
        refused.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        refused.write_all(b"let me in\n").expect("write");
        server.signal(Signal::SIGCONT);
        let line = server.wait_for_stderr(&format!("(pid {} ", std::process::id()), TIMEOUT);
        assert!(
            line.contains("refused unix: (pid ")
                && line.ends_with("uid 0 and gid 0 are not admitted by --allow-uid/--allow-gid"),
            "{flag}: {line}"
        );
        crate::support::assert_reset_unread(&mut refused);

        let mut nobody = as_nobody(bin());
        nobody.args(["connect", &format!("unix:{path}")]);
        let mut client = Proc::spawn(&mut nobody);
        client.feed(b"from nobody\n");
        client.close_stdin();
        let client = client.wait(TIMEOUT);
        client.assert_success();
        assert_eq!(client.stdout_str(), "from sockcat\n", "{flag}{client}");
        let out = server.wait(TIMEOUT);
        out.assert_success();
        assert_eq!(out.stdout_str(), "from nobody\n", "{flag}{out}");
        assert!(out.stderr.contains("uid 65534 gid 65534)"), "{out}");
    }
}

#[test]
fn one_peer_unix_dgram_listener_drops_the_datagrams_of_refused_senders() {
    if !require_root() || !require("setpriv") {
        return;
    }
    let dir = shared_dir();
    for flag in UNIX_RULES {
        let name = flag.trim_start_matches('-');
        let addr = format!("unix-dgram:{}", dir.join(name));
        let mut server = Sockcat::spawn(["-v", "listen", flag, "65534", "--mode", "666", &addr]);
        server.listening();
        let own = dir.join(&format!("{name}-root"));
        let refused = UnixDatagram::bind(&own).expect("bind");
        refused
            .send_to(b"from root\n", dir.join(name))
            .expect("send");
        let line = server.wait_for_stderr(&own, TIMEOUT);
        assert!(
            line.contains(&format!("dropped a datagram from unix-dgram:{own} (pid "))
                && line.ends_with("uid 0 and gid 0 are not admitted by --allow-uid/--allow-gid"),
            "{flag}: {line}"
        );
        // nobody's client (autobound) stays for the reply.
        let mut nobody = as_nobody(bin());
        nobody.args(["connect", &addr]);
        let mut client = Proc::spawn(&mut nobody);
        client.feed(b"from nobody\n");
        server.wait_for_stderr("accepted unix-dgram:@", TIMEOUT);
        server.feed(b"reply\n");
        refused.set_read_timeout(Some(QUIET)).expect("timeout");
        assert!(
            refused.recv(&mut [0u8; 64]).is_err(),
            "{flag}: the refused sender got the reply"
        );
        client.close_stdin();
        let client = client.wait(TIMEOUT);
        client.assert_success();
        assert_eq!(client.stdout_str(), "reply\n", "{flag}{client}");
        server.signal(Signal::SIGTERM);
        let out = server.wait(TIMEOUT);
        out.assert_code(143);
        assert_eq!(out.stdout_str(), "from nobody\n", "{flag}{out}");
    }
}

/// How long a check waits for a datagram that must not come.
const QUIET: Duration = Duration::from_millis(300);

/// A Unix datagram listener admitting by credentials has asked for them
/// before anyone can send to it: the kernel records a sender's credentials
/// only if one side asked by the time it sent, and reports a datagram
/// without them as sent by nobody (65534), whom the rule here admits.
/// sockcat is held just after binding: its stderr is a full pipe, so it
/// blocks writing `listening on` until the test reads.
#[test]
fn unix_dgram_credentials_are_asked_for_before_anyone_can_send() {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let me = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    );
    if me.0 == 65534 || me.1 == 65534 {
        crate::support::skip("the test runs as nobody");
        return;
    }
    // One peer, and -k (the datagram server).
    for keep_open in [&[][..], &["-k"]] {
        let dir = TempDir::new();
        let path = dir.join("d");
        let (err_read, err_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC).expect("pipe");
        fcntl(&err_write, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).expect("nonblocking");
        for chunk in [4096, 1] {
            while nix::unistd::write(&err_write, &vec![b'#'; chunk]).is_ok() {}
        }
        fcntl(&err_write, FcntlArg::F_SETFL(OFlag::empty())).expect("blocking");
        let mut cmd = Command::new(bin());
        cmd.args(["-v", "listen"]).args(keep_open).args([
            "--allow-uid",
            "65534",
            &format!("unix-dgram:{path}"),
        ]);
        let server = Proc::spawn_stderr_to(&mut cmd, Stdio::null(), err_write.into());
        wait_until("sockcat to block on stderr, bound", TIMEOUT, || {
            is_socket(&path) && crate::support::process_state(server.pid()) == 'S'
        });
        let own = dir.join("sender");
        let sender = UnixDatagram::bind(&own).expect("bind");
        sender.send_to(b"sent early\n", &path).expect("send");
        let (lines, seen) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let reader = std::io::BufReader::new(File::from(err_read));
            for line in std::io::BufRead::lines(reader).map_while(Result::ok) {
                if lines
                    .send(line.trim_start_matches('#').to_string())
                    .is_err()
                {
                    break;
                }
            }
        });
        let line = loop {
            let line = seen.recv_timeout(TIMEOUT).expect("a line about the sender");
            if line.contains(&own) {
                break line;
            }
        };
        assert!(
            line.ends_with(&format!(
                "dropped a datagram from unix-dgram:{own} (pid {} uid {} gid {}): uid {} and gid {} \
                 are not admitted by --allow-uid/--allow-gid",
                std::process::id(),
                me.0,
                me.1,
                me.0,
                me.1
            )),
            "{keep_open:?}: {line}"
        );
        server.signal(Signal::SIGTERM);
        let out = server.wait(TIMEOUT);
        out.assert_code(143);
        assert_eq!(out.stdout_str(), "", "{keep_open:?}{out}");
    }
}

/// TCP urgent data (`send(MSG_OOB)`, telnet's interrupt) is not part of
/// the stream: it is dropped, as nc and socat drop it, and the bytes after
/// it still come. A splice stops at the urgent mark and then finds
/// nothing, so they were once lost (the listener exited 0 with `abc`).
#[test]
fn tcp_urgent_data_does_not_stop_the_stream() {
    let mut server = Sockcat::spawn_with(["-v", "listen", "-d", "tcp:127.0.0.1:0"], Stdio::null());
    let addr = server.listening();
    let mut client = TcpStream::connect(addr.strip_prefix("tcp:").expect("tcp")).expect("connect");
    client.write_all(b"abc").expect("send");
    nix::sys::socket::send(
        client.as_raw_fd(),
        b"X",
        nix::sys::socket::MsgFlags::MSG_OOB,
    )
    .expect("the urgent byte");
    client.write_all(b"def").expect("send");
    drop(client);
    let out = server.wait(TIMEOUT);
    out.assert_success();
    assert_eq!(out.stdout_str(), "abcdef", "{out}");
}

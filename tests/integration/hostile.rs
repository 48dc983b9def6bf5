//! Peers that try their luck: one that connects the instant a socket file
//! can be reached (it must never find the file with other permissions than
//! asked), and peers whose own address carries terminal control bytes (the
//! `-v` lines must show them escaped, never raw).

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Instant;

use nix::sys::signal::Signal;
use nix::sys::socket::{
    AddressFamily, SockFlag, SockType, UnixAddr, bind, connect, sendto, socket,
};

use crate::support::{Sockcat, TIMEOUT, TempDir, require_root};

/// What a racing peer saw of the socket file.
#[derive(Debug)]
struct Seen {
    /// Every (mode, uid) the file had while the peer was trying.
    states: Vec<(u32, u32)>,
    /// The file's (mode, uid) right after the first connect that worked.
    at_connect: Option<(u32, u32)>,
}

fn state(path: &Path) -> Option<(u32, u32)> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.mode() & 0o7777, m.uid()))
}

/// From before sockcat starts, stat `path` and try to connect to it as
/// fast as the loop goes, until a connect works (`connect`) or `stop`.
fn race(path: PathBuf, connect: bool, stop: Arc<AtomicBool>) -> thread::JoinHandle<Seen> {
    thread::spawn(move || {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Seen {
            states: Vec::new(),
            at_connect: None,
        };
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            if let Some(now) = state(&path)
                && seen.states.last() != Some(&now)
            {
                seen.states.push(now);
            }
            if connect && let Ok(conn) = UnixStream::connect(&path) {
                seen.at_connect = state(&path);
                drop(conn);
                break;
            }
        }
        seen
    })
}

/// `listen --mode 600 [more] unix:PATH` against a peer racing to connect.
fn first_connect_sees(more: &[&str]) -> Seen {
    let dir = TempDir::new();
    let path = dir.path().join("early.sock");
    let racer = race(path.clone(), true, Arc::new(AtomicBool::new(false)));
    let at = format!("unix:{}", path.display());
    let mut args = vec!["listen", "--mode", "600"];
    args.extend_from_slice(more);
    args.push(&at);
    let server = Sockcat::spawn(&args);
    let seen = racer.join().expect("racer");
    // The racer's connect was the session; it is over already.
    server.wait(TIMEOUT).assert_success();
    seen
}

#[test]
fn a_peer_connecting_as_early_as_it_can_finds_the_mode_set() {
    let seen = first_connect_sees(&[]);
    let me = nix::unistd::getuid().as_raw();
    assert_eq!(seen.at_connect, Some((0o600, me)), "{seen:?}");
    // Born with no permissions at all (nobody but root gets in), then 0600.
    for (mode, _) in &seen.states {
        assert!([0, 0o600].contains(mode), "the file was {mode:o}: {seen:?}");
    }
}

#[test]
fn a_peer_connecting_as_early_as_it_can_finds_the_owner_set() {
    if !require_root() {
        return;
    }
    let seen = first_connect_sees(&["--owner", "65534"]);
    assert_eq!(seen.at_connect, Some((0o600, 65534)), "{seen:?}");
    for (mode, uid) in &seen.states {
        assert!([0, 0o600].contains(mode), "the file was {mode:o}: {seen:?}");
        // Never a wider mode for the old owner, nor the new owner's before
        // the mode.
        assert!(*mode == 0 || *uid == 65534, "{seen:?}");
    }
}

#[test]
fn a_datagram_socket_is_born_closed_until_its_mode_is_set() {
    // A datagram socket can be sent to as soon as it is bound (there is no
    // listen(2)), so it is born mode 0 and only then given its mode.
    let dir = TempDir::new();
    let path = dir.path().join("early.dgram");
    let stop = Arc::new(AtomicBool::new(false));
    let racer = race(path.clone(), false, stop.clone());
    let at = format!("unix-dgram:{}", path.display());
    let mut server = Sockcat::spawn(["listen", "-v", "--mode", "640", &at]);
    server.listening();
    stop.store(true, Ordering::Relaxed);
    let seen = racer.join().expect("racer");
    assert_eq!(state(&path).map(|(mode, _)| mode), Some(0o640));
    for (mode, _) in &seen.states {
        assert!([0, 0o640].contains(mode), "the file was {mode:o}: {seen:?}");
    }
    server.signal(Signal::SIGTERM);
    server.wait(TIMEOUT).assert_code(143);
}

/// A name with the bytes of a colour change, a bell and a newline.
const HOSTILE: &[u8] = b"evil\x1b[31m\x07\n";
/// How `-v` must show it.
const SHOWN: &str = r"evil\x1b[31m\x07\x0a";

fn unix_socket(kind: SockType) -> OwnedFd {
    socket(AddressFamily::Unix, kind, SockFlag::SOCK_CLOEXEC, None).expect("socket")
}

/// `stderr` carries no control byte but line ends.
#[track_caller]
fn no_raw_controls(stderr: &str) {
    let raw = stderr
        .bytes()
        .find(|&b| (b < 0x20 && b != b'\n') || b == 0x7f);
    assert_eq!(raw, None, "a raw control byte reached stderr:\n{stderr}");
}

#[test]
fn peer_names_with_control_bytes_are_shown_escaped() {
    let dir = TempDir::new();
    let abstract_name = UnixAddr::new_abstract(HOSTILE).expect("abstract name");
    let path_name = dir.path().join(std::ffi::OsStr::from_bytes(HOSTILE));
    let path_name = UnixAddr::new(&path_name).expect("path");
    let shown_path = format!("{}/{SHOWN}", dir.path().display());
    for (own, shown) in [
        (abstract_name, format!("@{SHOWN}")),
        (path_name, shown_path),
    ] {
        let server_path = dir.path().join("server.sock");
        let at = format!("unix:{}", server_path.display());
        let mut server = Sockcat::spawn(["listen", "-v", &at]);
        server.listening();
        let client = unix_socket(SockType::Stream);
        bind(client.as_raw_fd(), &own).expect("bind the client");
        let target = UnixAddr::new(&server_path).expect("address");
        connect(client.as_raw_fd(), &target).expect("connect");
        let line = server.wait_for_stderr("accepted", TIMEOUT);
        assert!(
            line.contains(&format!("accepted unix:{shown} (pid ")),
            "{line}"
        );
        drop(client);
        server.close_stdin();
        let out = server.wait(TIMEOUT);
        out.assert_success();
        no_raw_controls(&out.stderr);
        let _ = std::fs::remove_file(dir.path().join(std::ffi::OsStr::from_bytes(HOSTILE)));
    }
}

#[test]
fn a_datagram_sender_with_control_bytes_is_shown_escaped() {
    let dir = TempDir::new();
    let server_path = dir.path().join("server.dgram");
    let at = format!("unix-dgram:{}", server_path.display());
    let mut server = Sockcat::spawn(["listen", "-v", &at]);
    server.listening();
    let sender = unix_socket(SockType::Datagram);
    bind(
        sender.as_raw_fd(),
        &UnixAddr::new_abstract(HOSTILE).expect("abstract name"),
    )
    .expect("bind the sender");
    let target = UnixAddr::new(&server_path).expect("address");
    sendto(
        sender.as_raw_fd(),
        b"hi",
        &target,
        nix::sys::socket::MsgFlags::empty(),
    )
    .expect("send");
    let line = server.wait_for_stderr("accepted", TIMEOUT);
    assert!(
        line.contains(&format!("accepted unix-dgram:@{SHOWN}")),
        "{line}"
    );
    server.signal(Signal::SIGTERM);
    let out = server.wait(TIMEOUT);
    out.assert_code(143);
    assert_eq!(out.stdout, b"hi");
    no_raw_controls(&out.stderr);
}

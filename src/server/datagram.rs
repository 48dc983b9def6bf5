//! `listen -k` on `udp:` and `unix-dgram:`: every sender's datagrams are
//! printed, each whole, and stdin goes to the latest sender with an address
//! (`-v` names it when it changes). The socket stays unconnected. With
//! `--allow-uid`/`--allow-gid` the kernel attaches the sender's credentials
//! to each datagram (`SO_PASSCRED`), and datagrams from others are dropped
//! unread, each drop reported with `-v`; `--allow`/`--deny` do the same by
//! the sender's IP address.

use std::collections::VecDeque;
use std::os::fd::{AsFd, AsRawFd};
use std::rc::Rc;
use std::time::Instant;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::socket::{self as nixsock, MsgFlags, sockopt};

use super::{Queue, STDOUT_HIGH, Settings};
use crate::addr::{Addr, Kind};
use crate::error::{Failure, describe};
use crate::listener::Listener;
use crate::report::Reporter;
use crate::signals::{Signals, timeout_until};
use crate::socket::{self, SockAddr};

const SIGNALS: u64 = 0;
const SOCKET: u64 = 1;
const STDIN: u64 = 2;
const STDOUT: u64 = 3;
/// Datagrams received per turn of the loop.
const TURNS: usize = 64;

pub fn serve(
    listener: Listener,
    settings: &Settings,
    reporter: Reporter,
    signals: &Signals,
) -> anyhow::Result<u8> {
    let sock = &listener.fd;
    let unix = matches!(listener.local, Addr::Unix { .. });
    let want_creds = unix && settings.access.has_unix_rules();
    if want_creds {
        nixsock::setsockopt(sock, sockopt::PassCred, &true)
            .map_err(|e| Failure::new("ask for credentials on", &listener.local, e))?;
    }
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    epoll.add(signals.fd(), EpollEvent::new(EpollFlags::EPOLLIN, SIGNALS))?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut stdin_open = settings.opts.read_stdin;
    let mut stdin_pollable = true;
    let mut stdout_pollable = true;
    let (mut stdin_armed, mut stdout_armed) = (false, false);
    let mut sock_interest = EpollFlags::empty();
    let largest = crate::socket::message_limit(sock)
        .map_or(crate::buffer::CAPACITY, |limit| limit.bytes)
        .clamp(1, crate::buffer::CAPACITY);
    let mut buf = vec![0u8; crate::buffer::CAPACITY];
    let mut latest: Option<(SockAddr, Addr)> = None;
    let mut pending: VecDeque<Vec<u8>> = VecDeque::new();
    let mut carry = Vec::new();
    let mut out = Queue::default();
    let mut warned_unnamed = false;
    let mut received_any = false;
    let deadline = settings.timeout.map(|d| Instant::now() + d);
    let mut events = vec![EpollEvent::empty(); 8];
    let lines = settings.opts.lines;

    loop {
        // Receive while stdout keeps up.
        for _ in 0..TURNS {
            if out.bytes >= STDOUT_HIGH || !settings.opts.read_socket {
                break;
            }
            let received = match socket::receive_from(sock.as_fd(), unix, &mut buf, want_creds) {
                Ok(received) => received,
                Err(Errno::EAGAIN | Errno::EINTR) => break,
                // A reply of ours that bounced (ICMP port unreachable).
                Err(Errno::ECONNREFUSED) => continue,
                Err(Errno::EMSGSIZE) => anyhow::bail!(
                    "receive on {}: a datagram larger than the {} byte buffer; refusing to cut it",
                    listener.local,
                    crate::buffer::CAPACITY
                ),
                Err(e) => return Err(Failure::new("receive on", &listener.local, e).into()),
            };
            let socket::Received {
                len: n,
                from,
                credentials: cred,
            } = received;
            received_any = true;
            let name = from
                .as_ref()
                .map(|sa| sa.to_addr(Kind::Datagram))
                .unwrap_or(Addr::Unix {
                    kind: Kind::Datagram,
                    name: crate::addr::UnixName::Unnamed,
                });
            let shown = match cred {
                Some(cred) => format!("{name} ({cred})"),
                None => name.to_string(),
            };
            if let Err(why) = settings.access.check(&name, cred) {
                reporter.notice(format_args!("dropped a datagram from {shown}: {why}"));
                continue;
            }
            let unnamed = from.as_ref().is_some_and(SockAddr::is_unnamed);
            match from {
                Some(_) if unnamed && !warned_unnamed => {
                    reporter
                        .notice("datagram from a sender with no address: replies cannot reach it");
                    warned_unnamed = true;
                }
                Some(sa) if !unnamed && latest.as_ref().is_none_or(|(_, old)| *old != name) => {
                    reporter.notice(format_args!("stdin now goes to {shown}"));
                    latest = Some((sa, name));
                }
                _ => {}
            }
            out.push(Rc::from(&buf[..n]));
        }

        // stdout: each datagram whole, in order.
        let fd = stdout.as_fd();
        match out.flush(|bytes| nix::unistd::write(fd, bytes)) {
            Ok(()) | Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(Errno::EPIPE) => return Ok(0),
            Err(e) => return Err(Failure::new("write", "stdout", e).into()),
        }

        // stdin: one read (or one line) is one datagram to the latest sender.
        if pending.is_empty() && latest.is_some() && stdin_open {
            read_datagrams(
                &stdin,
                &mut buf,
                largest,
                lines,
                &mut carry,
                &mut stdin_open,
                &mut pending,
            )?;
        }
        while let (Some(data), Some((to, name))) = (pending.front(), &latest) {
            match nixsock::sendto(sock.as_raw_fd(), data, to.as_dyn(), MsgFlags::MSG_NOSIGNAL) {
                Ok(_) => {}
                Err(Errno::EAGAIN | Errno::EINTR) => break,
                Err(e) => reporter.notice(format_args!("send to {name}: {}", describe(e))),
            }
            pending.pop_front();
        }

        // Wait for what can move next.
        let want_stdin = pending.is_empty() && latest.is_some() && stdin_open && stdin_pollable;
        if want_stdin != stdin_armed {
            let result = if want_stdin {
                epoll.add(stdin.as_fd(), EpollEvent::new(EpollFlags::EPOLLIN, STDIN))
            } else {
                epoll.delete(stdin.as_fd())
            };
            match result {
                Ok(()) => stdin_armed = want_stdin,
                Err(Errno::EPERM) => stdin_pollable = false,
                Err(e) => return Err(Failure::new("watch", "stdin", e).into()),
            }
        }
        let want_stdout = !out.is_empty() && stdout_pollable;
        if want_stdout != stdout_armed {
            let result = if want_stdout {
                epoll.add(
                    stdout.as_fd(),
                    EpollEvent::new(EpollFlags::EPOLLOUT, STDOUT),
                )
            } else {
                epoll.delete(stdout.as_fd())
            };
            match result {
                Ok(()) => stdout_armed = want_stdout,
                Err(Errno::EPERM) => stdout_pollable = false,
                Err(e) => return Err(Failure::new("watch", "stdout", e).into()),
            }
        }
        let mut want_sock = EpollFlags::empty();
        if out.bytes < STDOUT_HIGH && settings.opts.read_socket {
            want_sock |= EpollFlags::EPOLLIN;
        }
        if !pending.is_empty() {
            want_sock |= EpollFlags::EPOLLOUT;
        }
        if want_sock != sock_interest {
            let mut event = EpollEvent::new(want_sock, SOCKET);
            let result = match (sock_interest.is_empty(), want_sock.is_empty()) {
                (true, _) => epoll.add(sock, event),
                (false, true) => epoll.delete(sock),
                (false, false) => epoll.modify(sock, &mut event),
            };
            result.map_err(|e| Failure::new("watch", &listener.local, e))?;
            sock_interest = want_sock;
        }
        let busy = (pending.is_empty() && latest.is_some() && stdin_open && !stdin_pollable)
            || (!out.is_empty() && !stdout_pollable);
        let wait_until = if busy {
            Some(Instant::now())
        } else if received_any {
            None
        } else {
            deadline
        };
        let n = match epoll.wait(&mut events, timeout_until(wait_until)) {
            Ok(n) => n,
            Err(Errno::EINTR) => 0,
            Err(e) => return Err(Failure::new("wait on", "descriptors", e).into()),
        };
        if events[..n].iter().any(|e| e.data() == SIGNALS) {
            signals.take()?;
        }
        if !received_any && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(crate::listener::no_peer(&listener.local, settings.timeout));
        }
    }
}

/// Datagrams from stdin: one read is one datagram, or with `--lines` each
/// line without its newline (a partial line waits in `carry` for the rest,
/// and goes as it is when stdin ends).
fn read_datagrams(
    stdin: &std::io::Stdin,
    buf: &mut [u8],
    largest: usize,
    lines: bool,
    carry: &mut Vec<u8>,
    open: &mut bool,
    pending: &mut VecDeque<Vec<u8>>,
) -> anyhow::Result<()> {
    let take = largest.min(buf.len());
    match nix::unistd::read(stdin.as_fd(), &mut buf[..take]) {
        Ok(0) | Err(Errno::EBADF) => {
            *open = false;
            if !carry.is_empty() {
                pending.push_back(std::mem::take(carry));
            }
            Ok(())
        }
        Ok(n) if !lines => {
            pending.push_back(buf[..n].to_vec());
            Ok(())
        }
        Ok(n) => {
            carry.extend_from_slice(&buf[..n]);
            while let Some(at) = carry.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = carry.drain(..=at).collect();
                pending.push_back(line[..at].to_vec());
            }
            if carry.len() >= largest {
                pending.push_back(std::mem::take(carry));
            }
            Ok(())
        }
        Err(Errno::EAGAIN | Errno::EINTR) => Ok(()),
        Err(e) => Err(Failure::new("read", "stdin", e).into()),
    }
}

//! From clap's structs to the library's own option types, in one place.
//! Below the cli layer no module sees a clap type: each verb takes a plain
//! `Options` built here, and the mechanisms under it (`dial`, `listener`,
//! `relay`, `server`, `socket`) take theirs. What a flag means once the
//! address is known (`-q`'s default on a datagram socket, `--mode` on a
//! TCP listener) is the verb's business, not this file's.

use crate::access::Access;
use crate::addr::{self, Family};
use crate::dial;
use crate::exec::Program;
use crate::hexdump::Destination;
use crate::listener;
use crate::relay;
use crate::server;
use crate::socket;
use crate::socket_file::Permissions;

use super::{AddrFlags, DialFlags, DumpFlags, ListenArgs, ServeFlags, SessionFlags, SockFlags};

/// The parse flags of `-u`, `-U`, `-4`, `-6`; `listen` for a verb that
/// binds ADDR rather than connecting to it.
pub fn addr_flags(flags: &AddrFlags, listen: bool) -> addr::Flags {
    let family = if flags.ipv4 {
        Some(Family::V4)
    } else if flags.ipv6 {
        Some(Family::V6)
    } else {
        None
    };
    addr::Flags {
        udp: flags.udp,
        unix: flags.unix,
        family,
        listen,
    }
}

/// `--nodelay`, `--keepalive`, `--sndbuf`, `--rcvbuf`.
pub fn socket(flags: &SockFlags) -> socket::Options {
    socket::Options {
        nodelay: flags.nodelay,
        keepalive: flags.keepalive,
        sndbuf: flags.sndbuf,
        rcvbuf: flags.rcvbuf,
    }
}

/// Where `-x`/`--hexdump-file` send the dump, if anywhere.
pub fn dump(flags: &DumpFlags) -> Option<Destination> {
    match (&flags.hexdump_file, flags.hexdump) {
        (Some(path), _) => Some(Destination::File(path.clone())),
        (None, true) => Some(Destination::Stderr),
        (None, false) => None,
    }
}

/// `--allow`, `--deny`, `--allow-uid`, `--allow-gid`.
pub fn access(flags: &ServeFlags) -> Access {
    Access::new(
        flags.allow.clone(),
        flags.deny.clone(),
        flags.allow_uid.clone(),
        flags.allow_gid.clone(),
    )
}

/// A session's options as the flags give them. `quit_after` is `-q` as
/// given: a verb with a default for datagram sessions applies it once it
/// knows the socket's kind.
pub fn session(flags: &SessionFlags) -> relay::Options {
    relay::Options {
        idle: flags.idle_timeout,
        quit_after: flags.quit_after,
        // -d leaves the write side open; --recv-only closes it at once.
        shutdown_on_eof: !flags.no_shutdown && !flags.no_stdin,
        exit_on_peer_eof: flags.exit_on_peer_eof,
        read_stdin: !flags.no_stdin && !flags.recv_only,
        read_socket: !flags.send_only,
        crlf: flags.crlf,
        lines: flags.lines,
    }
}

/// How the many-peer server runs. `exec` is `-e`'s words without ADDR (see
/// `split_exec`).
pub fn server(args: &ListenArgs, exec: Option<&[String]>) -> anyhow::Result<server::Settings> {
    Ok(server::Settings {
        keep_open: args.serve.keep_open || args.broker,
        max: args.serve.max_conns.map(|n| n as usize),
        refuse_extra: args.serve.refuse_extra,
        broker: args.broker,
        access: access(&args.serve),
        program: Program::new(exec, args.sh_exec.as_deref())?,
        opts: session(&args.session),
        timeout: args.timeout,
    })
}

/// How `listen` binds ADDR.
pub fn bind(args: &ListenArgs) -> listener::Options {
    listener::Options {
        backlog: args.backlog,
        unlink: args.unlink,
        permissions: Permissions {
            mode: args.mode,
            owner: args.owner.clone(),
            group: args.group.clone(),
        },
        socket: socket(&args.sock),
    }
}

/// How `connect` and `send` open their socket.
pub fn dial(flags: &DialFlags, sock: &SockFlags) -> dial::Options {
    dial::Options {
        source: flags.source.clone(),
        source_port: flags.source_port.clone(),
        timeout: flags.timeout,
        retry: flags.retry,
        socket: socket(sock),
    }
}

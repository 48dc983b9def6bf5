//! From clap's structs to the library's own option types, in one place.
//! Below the cli layer no module sees a clap type: each verb takes a plain
//! `Options` built here, and the mechanisms under it (`dial`, `listener`,
//! `relay`, `server`, `socket`) take theirs. What a flag means once the
//! address is known (`-q`'s default on a datagram socket, `--mode` on a
//! TCP listener) is the verb's business, not this file's.

use crate::access::Access;
use crate::addr::{self, Family};
use crate::exec::Program;
use crate::hexdump::Destination;
use crate::socket_file::Permissions;
use crate::{
    connect, dial, forward, listen, listener, ping, probe, relay, send, server, socket, usage,
};

use super::{
    AddrFlags, BindFlags, ConnectArgs, DialFlags, DumpFlags, ForwardArgs, ListenArgs, PingArgs,
    PingSocket, SendArgs, ServeFlags, SessionFlags, SockFlags,
};

/// `connect` without `-z`.
pub fn connect(args: &ConnectArgs) -> connect::Options {
    connect::Options {
        addr: args.addr.clone(),
        addr_flags: addr_flags(&args.addr_flags, false),
        dial: dial(&args.dial, &args.sock),
        session: session(&args.session),
        dump: dump(&args.dump),
    }
}

/// `connect -z`: of the dial flags only `-w` and `--retry` mean anything.
pub fn probe(args: &ConnectArgs) -> probe::Options {
    probe::Options {
        addr: args.addr.clone(),
        addr_flags: addr_flags(&args.addr_flags, false),
        timeout: args.dial.timeout,
        retry: args.dial.retry,
    }
}

/// `listen`. Fails on a command line with no ADDR, and on a `-e`/`-c`
/// program that cannot run.
pub fn listen(args: &ListenArgs) -> anyhow::Result<listen::Options> {
    let (addr, exec) = split_exec(args)?;
    Ok(listen::Options {
        addr: addr.to_string(),
        addr_flags: addr_flags(&args.addr_flags, true),
        bind: bind(&args.bind, &args.sock),
        server: server(args, exec)?,
        dump: dump(&args.dump),
    })
}

/// `send`.
pub fn send(args: &SendArgs) -> send::Options {
    send::Options {
        addr: args.addr.clone(),
        addr_flags: addr_flags(&args.addr_flags, false),
        data: args.data.clone(),
        file: args.file.clone(),
        escapes: args.escapes,
        newline: args.newline,
        lines: args.lines,
        frame: args.frame.map(|format| (format, args.max_frame)),
        reply: args.reply,
        wait: args.wait,
        count: args.count,
        interval: args.interval,
        dial: dial(&args.dial, &args.sock),
        dump: dump(&args.dump),
    }
}

/// `ping`.
pub fn ping(args: &PingArgs) -> ping::Options {
    ping::Options {
        host: args.host.clone(),
        count: args.count,
        interval: args.interval,
        timeout: args.timeout,
        deadline: args.deadline,
        size: args.size,
        ttl: args.ttl,
        quiet: args.quiet,
        ipv4: args.ipv4,
        ipv6: args.ipv6,
        interface: args.interface.clone(),
        json: args.json,
        socket: match args.socket {
            PingSocket::Auto => ping::SocketChoice::Auto,
            PingSocket::Raw => ping::SocketChoice::Raw,
            PingSocket::Dgram => ping::SocketChoice::Dgram,
        },
    }
}

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
        frame: flags.frame.map(|format| (format, flags.max_frame)),
    }
}

/// ADDR and the words of `-e`. Every word after `-e` is the command's, so
/// when ADDR did not come before `-e` the last word is ADDR
/// (`listen -k -e cat unix:/x`).
fn split_exec(args: &ListenArgs) -> anyhow::Result<(&str, Option<&[String]>)> {
    match (&args.addr, args.exec.as_deref()) {
        (Some(addr), exec) => Ok((addr, exec)),
        (None, Some([prog, words @ .., addr])) if !prog.is_empty() => {
            let exec = &args.exec.as_deref().unwrap_or_default()[..words.len() + 1];
            Ok((addr, Some(exec)))
        }
        _ => Err(usage!(
            "listen: no ADDR (give it before -e, or as the last word after -e PROG)"
        )),
    }
}

/// How the many-peer server runs. `exec` is `-e`'s words without ADDR (see
/// `split_exec`).
pub fn server(args: &ListenArgs, exec: Option<&[String]>) -> anyhow::Result<server::Settings> {
    Ok(server::Settings {
        keep_open: args.keep_open || args.broker,
        max: args.serve.max_conns.map(|n| n as usize),
        refuse_extra: args.serve.refuse_extra,
        broker: args.broker,
        access: access(&args.serve),
        program: Program::new(exec, args.sh_exec.as_deref())?,
        opts: session(&args.session),
        timeout: args.timeout,
        forward: None,
    })
}

/// How `listen` and `forward` bind their listening address.
pub fn bind(flags: &BindFlags, sock: &SockFlags) -> listener::Options {
    listener::Options {
        backlog: flags.backlog,
        unlink: flags.unlink,
        permissions: Permissions {
            mode: flags.mode,
            owner: flags.owner.clone(),
            group: flags.group.clone(),
        },
        socket: socket(sock),
    }
}

/// What `forward` is asked to do.
pub fn forward(args: &ForwardArgs) -> forward::Options {
    let bind = bind(&args.bind, &args.sock);
    forward::Options {
        listen: args.listen.clone(),
        listen_flags: addr_flags(&args.addr_flags, true),
        target: args.target.clone(),
        target_flags: addr_flags(&args.addr_flags, false),
        bind,
        max: args.serve.max_conns.map(|n| n as usize),
        refuse_extra: args.serve.refuse_extra,
        access: access(&args.serve),
        idle: args.idle_timeout,
        dial: dial(&args.dial, &args.sock),
        dump: dump(&args.dump),
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

//! The `listen` verb: bind, wait for one peer, relay. The Unix socket file
//! it binds is `socket_file`'s.

use std::os::fd::AsFd;
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::PollFlags;

use crate::access::Credentials;
use crate::addr::{self, Addr, Kind, UnixName};
use crate::cli::ListenArgs;
use crate::cli::options::{self, addr_flags};
use crate::error::Failure;
use crate::hexdump::Hexdump;
use crate::listener::{self, no_peer};
use crate::relay::{self, Peer};
use crate::report::{Event, Reporter};
use crate::server;
use crate::signals::Signals;
use crate::socket;
use crate::usage;

pub fn run(args: &ListenArgs, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let (text, exec) = split_exec(args)?;
    let addr = addr::parse(text, addr_flags(&args.addr_flags, true))?;
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let settings = options::server(args, exec)?;
    let mut dump = Hexdump::open(options::dump(&args.dump).as_ref())?;
    // What cannot apply to ADDR is exit 2 before anything is bound or
    // created. An inherited socket's family and type are known only once
    // it is taken (which binds nothing).
    check_file_flags(args, &addr)?;
    let inherited = matches!(addr, Addr::Fd(_));
    if !inherited {
        check_server_flags(args, &settings, &addr, kind)?;
    }
    let listener = listener::bind(&addr, &options::bind(args))?;
    if inherited {
        check_server_flags(args, &settings, &listener.local, listener.kind)?;
    }
    reporter.report(Event::Listening {
        local: &listener.local,
    });
    let many = settings.keep_open || settings.program.is_some() || settings.broker;
    if many {
        if dump.is_some() {
            return Err(usage!(
                "-x dumps a one-peer session; it does not combine with -k, -e, -c or --broker"
            ));
        }
        return server::serve(listener, &settings, reporter, signals);
    }
    let deadline = args.timeout.map(|d| Instant::now() + d);
    let opts = &settings.opts;
    let access = &settings.access;
    let admit = access.has_rules().then_some(access);

    if listener.kind == Kind::Datagram {
        if access.has_unix_rules() {
            socket::pass_credentials(&listener.fd)
                .map_err(|e| Failure::new("ask for credentials on", &listener.local, e))?;
        }
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, args.timeout));
        }
        let mut peer = Peer {
            fd: &listener.fd,
            kind: listener.kind,
            name: listener.local.clone(),
            adopt_first_sender: true,
            admit,
        };
        relay::session(&mut peer, opts, signals, reporter, dump.as_mut())?;
        return Ok(0);
    }

    let (conn, peer_name) = loop {
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, args.timeout));
        }
        let conn = match socket::accept(&listener.fd) {
            Ok(fd) => fd,
            Err(Errno::EAGAIN | Errno::ECONNABORTED | Errno::EINTR) => continue,
            Err(e) => return Err(Failure::new("accept on", &listener.local, e).into()),
        };
        let peer_name = socket::peer_addr(&conn)
            .map(|sa| Addr::from_sockaddr(listener.kind, &sa))
            .unwrap_or(Addr::Unix {
                kind: listener.kind,
                name: UnixName::Unnamed,
            });
        let cred = socket::peer_credentials(&conn)
            .filter(|_| matches!(peer_name, Addr::Unix { .. }))
            .map(Credentials::from);
        // Refused before a byte is read; the next peer may do better.
        if let Err(why) = access.check(&peer_name, cred) {
            reporter.report(Event::Refused {
                peer: &peer_name,
                credentials: cred,
                reason: why.to_string(),
            });
            continue;
        }
        reporter.report(Event::Accepted {
            peer: &peer_name,
            credentials: cred,
        });
        break (conn, peer_name);
    };
    // One peer: stop accepting, so later clients are refused rather than queued.
    drop(listener.fd);
    let mut peer = Peer {
        fd: &conn,
        kind: listener.kind,
        name: peer_name,
        adopt_first_sender: false,
        admit: None,
    };
    relay::session(&mut peer, opts, signals, reporter, dump.as_mut())?;
    Ok(0)
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

/// `--mode`, `--owner`, `--group` and `--unlink` are about the socket file
/// sockcat creates, so they need a Unix path to bind: not an IP address,
/// an abstract name (no file) or an inherited socket (not ours to change).
fn check_file_flags(args: &ListenArgs, addr: &Addr) -> anyhow::Result<()> {
    if matches!(
        addr,
        Addr::Unix {
            name: UnixName::Path(_),
            ..
        }
    ) {
        return Ok(());
    }
    let given = [
        ("--mode", args.mode.is_some()),
        ("--owner", args.owner.is_some()),
        ("--group", args.group.is_some()),
        ("--unlink", args.unlink),
    ];
    match given.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(usage!("{flag} needs a Unix socket path, not {addr}")),
        None => Ok(()),
    }
}

/// What the server flags cannot mean on this listener (`local`, of `kind`)
/// is exit 2.
fn check_server_flags(
    args: &ListenArgs,
    settings: &server::Settings,
    local: &Addr,
    kind: Kind,
) -> anyhow::Result<()> {
    settings.access.check_fits(local)?;
    if kind == Kind::Datagram {
        let what = if settings.program.is_some() {
            Some("-e and -c need")
        } else if args.broker {
            Some("--broker needs")
        } else if args.serve.max_conns.is_some() {
            Some("-m counts connections and needs")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(usage!("{what} a stream or seqpacket listener, not {local}"));
        }
    }
    Ok(())
}

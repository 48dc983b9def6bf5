//! The `listen` verb: bind, wait for one peer, relay. The Unix socket file
//! it binds is `socket_file`'s.

use std::os::fd::AsFd;
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::PollFlags;

use crate::access::Credentials;
use crate::addr::{self, Addr, Kind, UnixName};
use crate::error::Failure;
use crate::hexdump::{Destination, Hexdump};
use crate::listener::{self, no_peer};
use crate::relay::{self, Peer};
use crate::report::{Event, Reporter};
use crate::server;
use crate::signals::Signals;
use crate::socket;
use crate::usage;

/// What `listen` is asked to do.
pub struct Options {
    /// ADDR as given; parsed here with `addr_flags` (`listen` set).
    pub addr: String,
    pub addr_flags: addr::Flags,
    pub bind: listener::Options,
    /// The server's settings, which the one-peer listener shares: the
    /// session options, access rules and `-w`.
    pub server: server::Settings,
    pub dump: Option<Destination>,
}

pub fn run(opts: &Options, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let addr = addr::parse(&opts.addr, opts.addr_flags)?;
    let kind = addr.kind().unwrap_or(Kind::Stream);
    let settings = &opts.server;
    relay::check_frame(&settings.opts, &addr)?;
    let many = settings.keep_open || settings.program.is_some() || settings.broker;
    if settings.program.is_some() && settings.opts.frame.is_some() {
        return Err(usage!(
            "--frame does not combine with -e or -c: the child reads and writes the socket \
             itself, so sockcat never sees the messages (let the child speak the frames)"
        ));
    }
    let mut dump = Hexdump::open(opts.dump.as_ref())?;
    // What cannot apply to ADDR is exit 2 before anything is bound or
    // created. An inherited socket's family and type are known only once
    // it is taken (which binds nothing).
    check_file_flags(&opts.bind, &addr)?;
    let inherited = matches!(addr, Addr::Fd(_));
    if !inherited {
        check_server_flags(settings, &addr, kind)?;
    }
    let listener = listener::bind(&addr, &opts.bind)?;
    if inherited {
        check_server_flags(settings, &listener.local, listener.kind)?;
    }
    reporter.report(Event::Listening {
        local: &listener.local,
    });
    let deadline = settings.timeout.map(|d| Instant::now() + d);
    let access = &settings.access;
    let admit = access.has_rules().then_some(access);

    // A datagram socket has no peers to accept: one session hears every
    // sender (the first becomes the peer, or with -k the latest).
    if listener.kind == Kind::Datagram {
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, settings.timeout));
        }
        let mut opts = settings.opts.clone();
        let adopt = if settings.keep_open {
            // -i and -q are the one-peer session's; -k runs until stopped.
            opts.idle = None;
            opts.quit_after = None;
            relay::Adopt::Latest
        } else {
            relay::Adopt::First
        };
        let mut peer = Peer {
            fd: &listener.fd,
            kind: listener.kind,
            name: listener.local.clone(),
            adopt,
            admit,
        };
        relay::session(&mut peer, &opts, signals, reporter, dump.as_mut())?;
        return Ok(0);
    }

    if many {
        if dump.is_some() {
            return Err(usage!(
                "-x dumps a one-peer session; it does not combine with -k, -e, -c or --broker"
            ));
        }
        return server::serve(listener, settings, None, reporter, signals);
    }
    let session = &settings.opts;

    let (conn, peer_name) = loop {
        if !signals.wait(Some(listener.fd.as_fd()), PollFlags::POLLIN, deadline)? {
            return Err(no_peer(&listener.local, settings.timeout));
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
        adopt: relay::Adopt::Fixed,
        admit: None,
    };
    relay::session(&mut peer, session, signals, reporter, dump.as_mut())?;
    Ok(0)
}

/// `--mode`, `--owner`, `--group` and `--unlink` are about the socket file
/// sockcat creates, so they need a Unix path to bind: not an IP address,
/// an abstract name (no file) or an inherited socket (not ours to change).
pub(crate) fn check_file_flags(bind: &listener::Options, addr: &Addr) -> anyhow::Result<()> {
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
        ("--mode", bind.permissions.mode.is_some()),
        ("--owner", bind.permissions.owner.is_some()),
        ("--group", bind.permissions.group.is_some()),
        ("--unlink", bind.unlink),
    ];
    match given.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(usage!("{flag} needs a Unix socket path, not {addr}")),
        None => Ok(()),
    }
}

/// What the server flags cannot mean on this listener (`local`, of `kind`)
/// is exit 2.
fn check_server_flags(settings: &server::Settings, local: &Addr, kind: Kind) -> anyhow::Result<()> {
    settings.access.check_fits(local)?;
    if settings.opts.frame.is_some() && kind != Kind::Stream {
        return Err(usage!(
            "--frame needs a stream socket; {local} keeps message boundaries already"
        ));
    }
    if kind == Kind::Datagram {
        let what = if settings.program.is_some() {
            Some("-e and -c need")
        } else if settings.broker {
            Some("--broker needs")
        } else if settings.max.is_some() {
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

//! The `forward` verb: bind LISTEN, and for each peer accepted there open
//! TARGET and pump the two sockets into each other. The many-peer loop is
//! `server`'s (accepting, access rules, `-m`, descriptors running out); a
//! pair's two pumps and its ending are `server::pair`'s. Here: what the
//! command line asks, checked against what the addresses are.

mod datagram;

use std::time::Duration;

use crate::access::Access;
use crate::addr::{self, Addr, Kind};
use crate::dial;
use crate::hexdump::{Destination, Hexdump};
use crate::listen::check_file_flags;
use crate::listener;
use crate::relay;
use crate::report::{Event, Reporter};
use crate::server::{self, Forwarding};
use crate::signals::Signals;
use crate::socket;
use crate::usage;

/// What `forward` is asked to do.
pub struct Options {
    /// LISTEN and TARGET as given, parsed here with their flags.
    pub listen: String,
    pub listen_flags: addr::Flags,
    pub target: String,
    pub target_flags: addr::Flags,
    pub bind: listener::Options,
    pub max: Option<usize>,
    pub refuse_extra: bool,
    pub access: Access,
    /// `-i`: a pair with no data either way this long is closed.
    pub idle: Option<Duration>,
    pub dial: dial::Options,
    pub dump: Option<Destination>,
}

pub fn run(opts: &Options, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let listen = addr::parse(&opts.listen, opts.listen_flags)?;
    let target = addr::parse(&opts.target, opts.target_flags)?;
    check_kinds(&listen, &target)?;
    check_file_flags(&opts.bind, &listen)?;
    opts.access.check_fits(&listen)?;
    let dump = Hexdump::open(opts.dump.as_ref())?;
    // Before binding: a TARGET that cannot be reached is an error at once.
    let target = socket::Resolved::new(&target)?;
    let listener = listener::bind(&listen, &opts.bind)?;
    if listener.kind == Kind::Datagram {
        reporter.report(Event::Listening {
            local: &listener.local,
        });
        let settings = datagram::Settings {
            target: &target,
            dial: &opts.dial,
            access: &opts.access,
            idle: opts.idle.unwrap_or(datagram::DEFAULT_IDLE),
            max: opts.max.unwrap_or(datagram::DEFAULT_MAX),
        };
        return datagram::serve(listener, settings, dump, reporter, signals);
    }
    let settings = server::Settings {
        keep_open: true,
        max: opts.max,
        refuse_extra: opts.refuse_extra,
        broker: false,
        access: opts.access.clone(),
        program: None,
        // Neither stdin nor stdout takes part: the pairs carry the bytes.
        opts: relay::Options {
            idle: opts.idle,
            read_stdin: false,
            read_socket: false,
            ..relay::Options::default()
        },
        timeout: None,
        forward: Some(Forwarding {
            target,
            dial: opts.dial.clone(),
        }),
    };
    reporter.report(Event::Listening {
        local: &listener.local,
    });
    server::serve(listener, &settings, dump, reporter, signals)
}

/// Both sides stream, both seqpacket, or both datagram: bytes, records and
/// datagrams do not translate into each other.
fn check_kinds(listen: &Addr, target: &Addr) -> anyhow::Result<()> {
    let (from, to) = (listen.kind(), target.kind());
    // An inherited descriptor's type is known once it is taken: the
    // listener's is checked by the server's accept; a target fd is refused.
    if matches!(target, Addr::Fd(_)) {
        return Err(usage!(
            "forward: TARGET {target} is opened once per peer; an inherited descriptor cannot be"
        ));
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(());
    };
    if from != to {
        return Err(usage!(
            "forward: {listen} is {} and {target} is {}; both sides must be of one type",
            describe(from),
            describe(to)
        ));
    }
    Ok(())
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::Stream => "a stream socket",
        Kind::Datagram => "a datagram socket",
        Kind::Seqpacket => "a seqpacket socket",
    }
}

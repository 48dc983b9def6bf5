//! The `connect` verb: open ADDR with `dial`, relay it to stdin/stdout.

use std::time::Duration;

use crate::addr::{self, Kind};
use crate::dial::{self, dial};
use crate::hexdump::{Destination, Hexdump};
use crate::relay::{self, Peer};
use crate::report::Reporter;
use crate::signals::Signals;

/// How long a datagram session waits for replies after stdin ends when
/// `-q` is not given.
const DATAGRAM_QUIT: Duration = Duration::from_secs(1);

/// What `connect` is asked to do.
pub struct Options {
    /// ADDR as given; parsed here with `addr_flags`.
    pub addr: String,
    pub addr_flags: addr::Flags,
    pub dial: dial::Options,
    /// The session; `quit_after` is `-q` as given (a datagram session
    /// without it waits `DATAGRAM_QUIT`).
    pub session: relay::Options,
    pub dump: Option<Destination>,
}

pub fn run(opts: &Options, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    let addr = addr::parse(&opts.addr, opts.addr_flags)?;
    relay::check_frame(&opts.session, &addr)?;
    let mut dump = Hexdump::open(opts.dump.as_ref())?;
    let dialed = dial("connect", &addr, &opts.dial, signals, reporter)?;
    let mut session = opts.session.clone();
    if dialed.kind == Kind::Datagram {
        session.quit_after = session.quit_after.or(Some(DATAGRAM_QUIT));
    }
    let mut peer = Peer {
        fd: &dialed.fd,
        kind: dialed.kind,
        name: dialed.peer.clone(),
        adopt: relay::Adopt::Fixed,
        admit: None,
    };
    relay::session(&mut peer, &session, signals, reporter, dump.as_mut())?;
    Ok(0)
}

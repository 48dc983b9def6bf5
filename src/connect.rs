//! The `connect` verb: open ADDR with `dial`, relay it to stdin/stdout.

use std::time::Duration;

use crate::addr::{self, Kind};
use crate::cli::ConnectArgs;
use crate::cli::options::{self, addr_flags, session};
use crate::dial::dial;
use crate::hexdump::Hexdump;
use crate::relay::{self, Peer};
use crate::report::Reporter;
use crate::signals::Signals;

/// How long a datagram session waits for replies after stdin ends when
/// `-q` is not given.
const DATAGRAM_QUIT: Duration = Duration::from_secs(1);

pub fn run(args: &ConnectArgs, reporter: Reporter, signals: &Signals) -> anyhow::Result<u8> {
    if args.zero_io {
        return crate::probe::run(args, reporter, signals);
    }
    let addr = addr::parse(&args.addr, addr_flags(&args.addr_flags, false))?;
    let mut dump = Hexdump::open(options::dump(&args.dump).as_ref())?;
    let dialed = dial(
        "connect",
        &addr,
        &options::dial(&args.dial, &args.sock),
        signals,
        reporter,
    )?;
    let mut opts = session(&args.session);
    if dialed.kind == Kind::Datagram {
        opts.quit_after = opts.quit_after.or(Some(DATAGRAM_QUIT));
    }
    let mut peer = Peer {
        fd: &dialed.fd,
        kind: dialed.kind,
        name: dialed.peer.clone(),
        adopt_first_sender: false,
        admit: None,
    };
    relay::session(&mut peer, &opts, signals, reporter, dump.as_mut())?;
    Ok(0)
}

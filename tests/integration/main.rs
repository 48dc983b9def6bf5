//! One integration test binary: each module drives the real `sockcat` binary.

mod support;

mod cli;
mod connect;
mod docs;
mod faults;
mod forward;
mod frame;
mod hostile;
mod interop;
mod listen;
mod observe;
mod paths;
mod peer_eof;
mod ping;
mod send;
mod server;
mod version;

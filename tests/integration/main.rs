//! One integration test binary: each module drives the real `sockcat` binary.

mod ping;
mod support;

mod connect;
mod docs;
mod interop;
mod listen;

//! One integration test binary: each module drives the real `sockcat` binary.

mod support;

mod connect;
mod docs;
mod server;

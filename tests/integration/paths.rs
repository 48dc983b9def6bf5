//! The relay has two paths for a stream (splice through a pipe, and plain
//! copies through memory; see `src/buffer.rs`), and the default picks splice
//! for everything but a terminal. This runs the relay's tests again with
//! copies forced (`SOCKCAT_RELAY=copy`), so every promise they check holds on
//! both paths, in the one `cargo test`.

use std::process::Command;
use std::time::Duration;

use crate::support::run_command;

#[test]
fn relay_tests_pass_with_copies_forced() {
    if std::env::var_os("SOCKCAT_RELAY").is_some() {
        return; // Already the forced run (or forced from outside).
    }
    let me = std::env::current_exe().expect("test binary");
    let mut again = Command::new(me);
    again
        .args([
            "connect::",
            "listen::",
            "interop::",
            "peer_eof::",
            "observe::hexdump",
            "--skip",
            "paths::",
        ])
        .env("SOCKCAT_RELAY", "copy");
    // Every test in it has its own deadlines; this one bounds the lot.
    let out = run_command(&mut again, Duration::from_secs(900));
    let stdout = out.stdout_str();
    assert!(
        out.status.success(),
        "with SOCKCAT_RELAY=copy ({}):\n{stdout}\n{}",
        out.status,
        out.stderr
    );
    assert!(stdout.contains("test result: ok."), "{stdout}");
}

/// Which route ran is observable (`-v` says it as the session ends), so a
/// splice that silently became copies fails here rather than passing
/// unnoticed; and a forced route that is not one is a usage error.
#[test]
fn the_route_that_ran_is_reported_and_a_bad_forced_one_refused() {
    use crate::support::{Proc, TIMEOUT, TempDir};
    use std::process::Stdio;
    let dir = TempDir::new();
    let input = dir.join("input");
    std::fs::write(&input, crate::support::pattern(1 << 20, 3)).expect("write");
    let forced = std::env::var("SOCKCAT_RELAY").ok();
    let expected = forced.as_deref().unwrap_or("splice");
    let mut server = Proc::spawn_with(
        Command::new(crate::support::bin()).args(["listen", "-v", "tcp:127.0.0.1:0"]),
        Stdio::null(),
    );
    let addr = server.listening();
    let client = Proc::spawn_with(
        Command::new(crate::support::bin()).args(["connect", "-v", &addr]),
        std::fs::File::open(&input).expect("open").into(),
    )
    .wait(TIMEOUT);
    client.assert_success();
    let line = format!("relayed {addr}: {expected} to the peer, {expected} from it");
    assert!(client.stderr.contains(&line), "no {line:?}: {client}");
    server.wait(TIMEOUT).assert_success();

    let out = Proc::spawn_with(
        Command::new(crate::support::bin())
            .args(["connect", &addr])
            .env("SOCKCAT_RELAY", "zerocopy"),
        Stdio::null(),
    )
    .wait(TIMEOUT);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("SOCKCAT_RELAY=zerocopy: expected copy or splice"),
        "{out}"
    );
}

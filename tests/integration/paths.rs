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

//! The relay has two paths for a stream (splice through a pipe, and plain
//! copies through memory; see `src/buffer.rs`), and the default picks splice
//! for everything but a terminal. This runs the relay's tests again with
//! copies forced (`SOCKCAT_RELAY=copy`), so every promise they check holds on
//! both paths, in the one `cargo test`.

use std::process::Command;

#[test]
fn relay_tests_pass_with_copies_forced() {
    if std::env::var_os("SOCKCAT_RELAY").is_some() {
        return; // Already the forced run (or forced from outside).
    }
    let me = std::env::current_exe().expect("test binary");
    let out = Command::new(me)
        .args([
            "connect::",
            "listen::",
            "interop::",
            "peer_eof::",
            "observe::hexdump",
            "--skip",
            "paths::",
        ])
        .env("SOCKCAT_RELAY", "copy")
        .output()
        .expect("run the tests again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "with SOCKCAT_RELAY=copy:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("test result: ok."), "{stdout}");
}

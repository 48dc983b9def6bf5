//! Errors people can act on. A `Failure` names the operation, what it was
//! done on and why, in words; a `Usage` marks what cannot work as written
//! (exit 2). The errno becomes words here and nowhere else.

use std::fmt;

use nix::errno::Errno;

/// What the command line asked for cannot be satisfied as written: exit 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Build a `Usage` error from format arguments.
#[macro_export]
macro_rules! usage {
    ($($arg:tt)*) => { anyhow::Error::new($crate::error::Usage(format!($($arg)*))) };
}

/// A system call that failed at run time: `connect unix:/run/x.sock: no such
/// file (is the service running?)`.
#[derive(Debug)]
pub struct Failure {
    op: &'static str,
    target: String,
    errno: Errno,
    hint: Option<&'static str>,
}

impl Failure {
    pub fn new(op: &'static str, target: impl fmt::Display, errno: Errno) -> Self {
        Failure {
            op,
            target: target.to_string(),
            errno,
            hint: None,
        }
    }

    /// Adds a hint in parentheses after the reason.
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn errno(&self) -> Errno {
        self.errno
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.op, self.target, describe(self.errno))?;
        if let Some(hint) = self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// The errno in the words a person uses, lowercase, never "os error N".
pub fn describe(errno: Errno) -> String {
    let words = match errno {
        Errno::ENOENT => "no such file",
        Errno::ECONNREFUSED => "connection refused",
        Errno::ECONNRESET => "connection reset",
        Errno::ETIMEDOUT => "timed out",
        Errno::EACCES | Errno::EPERM => "permission denied",
        Errno::EADDRINUSE => "address already in use",
        Errno::EADDRNOTAVAIL => "address not available",
        Errno::ENOTSOCK => "not a socket",
        Errno::EPIPE => "connection closed by peer",
        Errno::EHOSTUNREACH => "no route to host",
        Errno::ENETUNREACH => "network unreachable",
        Errno::EMSGSIZE => "message too long",
        Errno::EPROTOTYPE => "wrong socket type",
        Errno::ENOSPC => "no space left on device",
        Errno::EISDIR => "is a directory",
        Errno::EAGAIN => "resource temporarily unavailable",
        Errno::EAFNOSUPPORT => "address family not supported",
        Errno::EMFILE => "too many open files",
        Errno::EBADF => "bad file descriptor",
        other => return other.desc().to_lowercase(),
    };
    words.to_string()
}

/// The exit status for an error: 2 when a `Usage` is anywhere in its chain.
pub fn exit_status(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| cause.is::<Usage>()) {
        2
    } else {
        1
    }
}

/// Quote what the user typed, non-printable bytes as `\xNN`.
pub fn quote(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    out.push_str(&escape(text));
    out.push('\'');
    out
}

/// Printable ASCII as itself, every other byte as `\xNN`: peer-controlled
/// text never reaches a terminal raw.
pub fn escape(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(b as char);
        } else if b == b'\\' {
            out.push_str("\\\\");
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reads_as_one_line() {
        let f = Failure::new("connect", "unix:/run/app.sock", Errno::ENOENT)
            .hint("is the service running?");
        assert_eq!(
            f.to_string(),
            "connect unix:/run/app.sock: no such file (is the service running?)"
        );
    }

    #[test]
    fn usage_anywhere_in_chain_is_exit_2() {
        let err = usage!("bad address").context("while parsing");
        assert_eq!(exit_status(&err), 2);
        assert_eq!(exit_status(&anyhow::anyhow!("refused")), 1);
    }

    #[test]
    fn escape_hides_control_bytes() {
        assert_eq!(escape(b"a\x00b\n\\"), "a\\x00b\\x0a\\\\");
    }
}

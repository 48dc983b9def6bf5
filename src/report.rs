//! What sockcat tells the user about its steps, on stderr: nothing by
//! default, a `sockcat: …` line per step with `-v`, or one JSON object per
//! line with `--events json`. Every step is an `Event`, so the words and the
//! JSON schema (documented in sockcat(1)) come from one place.

use std::fmt;
use std::io::Write as _;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::access::Credentials;
use crate::addr::Addr;

/// How steps are reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Quiet,
    Text,
    Json,
}

/// Where progress reports go.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reporter {
    mode: Mode,
}

/// Bytes a session moved.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Received from the peer.
    pub rx: u64,
    /// Sent to the peer.
    pub tx: u64,
    /// `--frame`: whole messages received and sent.
    pub messages: Option<(u64, u64)>,
}

/// One step worth reporting.
#[derive(Debug)]
pub enum Event<'a> {
    /// The listener accepts connections (or datagrams) on `local`.
    Listening { local: &'a Addr },
    /// A peer arrived.
    Accepted {
        peer: &'a Addr,
        credentials: Option<Credentials>,
    },
    /// A peer refused by an access rule or `--max-conns`, before a byte was read.
    Refused {
        peer: &'a Addr,
        credentials: Option<Credentials>,
        reason: String,
    },
    /// An outgoing connection is up.
    Connected { peer: &'a Addr },
    /// A session ended: the bytes it moved (`None` when they did not pass
    /// through sockcat: a peer served by a child), and why when it was not a
    /// clean close.
    Closed {
        peer: &'a Addr,
        counts: Option<Counts>,
        duration: Duration,
        reason: Option<String>,
    },
    /// One attempt failed; more may follow (another address, a retry).
    Attempt { target: &'a Addr, reason: String },
    /// A `-z` probe's result.
    Probe {
        target: &'a Addr,
        open: bool,
        reason: Option<String>,
    },
    /// Something the user should know that stops nothing.
    Notice { message: String },
    /// A `forward` pair ended (or its target could not be opened: no
    /// `target`): bytes client to target (`up`) and back (`down`).
    PairClosed {
        pair: u64,
        peer: &'a Addr,
        target: Option<&'a Addr>,
        up: u64,
        down: u64,
        duration: Duration,
        reason: Option<String>,
    },
    /// The routes a session's bytes took, each way (`splice` or `copy`;
    /// `None` for a direction that never ran), reported as it ends.
    Relayed {
        peer: &'a Addr,
        to_peer: Option<&'static str>,
        from_peer: Option<&'static str>,
    },
}

impl Reporter {
    pub fn new(verbose: bool, json: bool) -> Self {
        let mode = if json {
            Mode::Json
        } else if verbose {
            Mode::Text
        } else {
            Mode::Quiet
        };
        Reporter { mode }
    }

    pub fn verbose(&self) -> bool {
        self.mode != Mode::Quiet
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn report(&self, event: Event<'_>) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Text => to_stderr(format_args!("sockcat: {event}\n")),
            Mode::Json => to_stderr(format_args!("{}\n", event.to_json())),
        }
    }

    /// A `notice` event: something worth knowing that stops nothing.
    pub fn notice(&self, message: impl fmt::Display) {
        if self.mode != Mode::Quiet {
            self.report(Event::Notice {
                message: message.to_string(),
            });
        }
    }

    /// A failure that ends one peer and not the run. Quiet, it is said
    /// here, the one `sockcat: …` line; with `-v` or `--events json` the
    /// `closed` event that follows carries it as its reason. Either way it
    /// is said once.
    pub fn peer_failure(&self, message: impl fmt::Display) {
        if self.mode == Mode::Quiet {
            to_stderr(format_args!("sockcat: {message}\n"));
        }
    }

    /// How the run ended in error: the `sockcat: …` line, or its JSON form.
    pub fn failure(&self, err: &anyhow::Error, status: u8) {
        match self.mode {
            Mode::Json => {
                let name = if err.chain().any(|c| c.is::<TimedOut>()) {
                    "timeout"
                } else {
                    "error"
                };
                let mut object = header(name);
                object.insert("message".into(), json!(format!("{err:#}")));
                object.insert("status".into(), json!(status));
                to_stderr(format_args!("{}\n", Value::Object(object)));
            }
            _ => to_stderr(format_args!("sockcat: {err:#}\n")),
        }
    }
}

/// Write to stderr whole, waiting when it would block. stderr may share its
/// open file (a terminal) with stdout, which the relay makes non-blocking;
/// `eprintln!` would panic on the EAGAIN a slow terminal then gives.
pub fn to_stderr(text: fmt::Arguments<'_>) {
    let _ = BlockingStderr.write_fmt(text);
}

/// stderr, retrying a write that would block once the terminal can take it.
pub struct BlockingStderr;

impl std::io::Write for BlockingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let stderr = std::io::stderr();
        loop {
            match nix::unistd::write(&stderr, buf) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => {}
                Err(nix::errno::Errno::EAGAIN) => {
                    use std::os::fd::AsFd;
                    let mut fds = [nix::poll::PollFd::new(
                        stderr.as_fd(),
                        nix::poll::PollFlags::POLLOUT,
                    )];
                    let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::NONE);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Marks an error as a timeout (`-w`, `-i`, `-W`), reported as the
/// `timeout` event under `--events json`.
#[derive(Debug)]
pub struct TimedOut(pub String);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimedOut {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = |c: &Option<Credentials>| c.map(|c| format!(" ({c})")).unwrap_or_default();
        match self {
            Event::Listening { local } => write!(f, "listening on {local}"),
            Event::Accepted { peer, credentials } => {
                write!(f, "accepted {peer}{}", who(credentials))
            }
            Event::Refused {
                peer,
                credentials,
                reason,
            } => {
                write!(f, "refused {peer}{}: {reason}", who(credentials))
            }
            Event::Connected { peer } => write!(f, "connected to {peer}"),
            Event::Closed {
                peer,
                counts,
                duration,
                reason,
            } => {
                let took = took(*duration);
                match counts {
                    Some(Counts {
                        rx,
                        tx,
                        messages: None,
                    }) => write!(f, "closed {peer}: {rx} bytes received, {tx} sent in {took}")?,
                    Some(Counts {
                        rx,
                        tx,
                        messages: Some((rx_messages, tx_messages)),
                    }) => write!(
                        f,
                        "closed {peer}: {rx} bytes received, {tx} sent in {took}; \
                         {rx_messages} messages received, {tx_messages} sent"
                    )?,
                    None => write!(f, "closed {peer} after {took}")?,
                }
                write_reason(f, reason)
            }
            Event::Attempt { target, reason } => write!(f, "connect {target}: {reason}"),
            Event::Probe {
                target, open: true, ..
            } => write!(f, "{target} open"),
            Event::Probe {
                target,
                open: false,
                reason,
            } => {
                write!(f, "{target} {}", reason.as_deref().unwrap_or("closed"))
            }
            Event::Notice { message } => f.write_str(message),
            Event::PairClosed {
                pair,
                peer,
                target,
                up,
                down,
                duration,
                reason,
            } => {
                let took = took(*duration);
                match target {
                    Some(target) => write!(
                        f,
                        "closed #{pair} {peer} > {target}: {up} bytes up, {down} down in {took}"
                    )?,
                    None => write!(f, "closed #{pair} {peer}: no target")?,
                }
                write_reason(f, reason)
            }
            Event::Relayed {
                peer,
                to_peer,
                from_peer,
            } => write!(
                f,
                "relayed {peer}: {} to the peer, {} from it",
                to_peer.unwrap_or("nothing"),
                from_peer.unwrap_or("nothing")
            ),
        }
    }
}

impl Event<'_> {
    /// The JSON object: `event` and `time` always, then the event's fields.
    pub fn to_json(&self) -> Value {
        let (name, fields) = match self {
            Event::Listening { local } => ("listening", json!({ "local": local.to_string() })),
            Event::Accepted { peer, credentials } => {
                ("accepted", with_credentials(peer, credentials))
            }
            Event::Refused {
                peer,
                credentials,
                reason,
            } => {
                let mut fields = with_credentials(peer, credentials);
                fields["message"] = json!(reason);
                ("refused", fields)
            }
            Event::Connected { peer } => ("connected", json!({ "peer": peer.to_string() })),
            Event::Closed {
                peer,
                counts,
                duration,
                reason,
            } => {
                let (rx, tx) = (counts.map(|c| c.rx), counts.map(|c| c.tx));
                let mut fields = json!({ "peer": peer.to_string(), "rx": rx, "tx": tx, "duration_ms": duration.as_millis() as u64 });
                if let Some((rx_messages, tx_messages)) = counts.and_then(|c| c.messages) {
                    fields["rx_messages"] = json!(rx_messages);
                    fields["tx_messages"] = json!(tx_messages);
                }
                if let Some(reason) = reason {
                    fields["message"] = json!(reason);
                }
                ("closed", fields)
            }
            Event::Attempt { target, reason } => (
                "error",
                json!({ "target": target.to_string(), "message": reason }),
            ),
            Event::Probe {
                target,
                open,
                reason,
            } => {
                let mut fields = json!({ "target": target.to_string(), "open": open });
                if let Some(reason) = reason {
                    fields["message"] = json!(reason);
                }
                ("probe", fields)
            }
            Event::Notice { message } => ("notice", json!({ "message": message })),
            Event::PairClosed {
                pair,
                peer,
                target,
                up,
                down,
                duration,
                reason,
            } => {
                let mut fields = json!({
                    "pair": pair,
                    "peer": peer.to_string(),
                    "target": target.map(ToString::to_string),
                    "up": up,
                    "down": down,
                    "duration_ms": duration.as_millis() as u64,
                });
                if let Some(reason) = reason {
                    fields["message"] = json!(reason);
                }
                ("closed", fields)
            }
            Event::Relayed {
                peer,
                to_peer,
                from_peer,
            } => (
                "relayed",
                json!({ "peer": peer.to_string(), "to_peer": to_peer, "from_peer": from_peer }),
            ),
        };
        let mut object = header(name);
        if let Value::Object(fields) = fields {
            object.extend(fields);
        }
        Value::Object(object)
    }
}

/// A session's length as `-v` prints it: whole milliseconds.
fn took(duration: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_millis(duration.as_millis() as u64))
}

/// Why something closed, in parentheses, when there is a why.
fn write_reason(f: &mut fmt::Formatter<'_>, reason: &Option<String>) -> fmt::Result {
    match reason {
        Some(reason) => write!(f, " ({reason})"),
        None => Ok(()),
    }
}

fn with_credentials(peer: &Addr, credentials: &Option<Credentials>) -> Value {
    let mut fields = json!({ "peer": peer.to_string() });
    if let Some(c) = credentials {
        fields["pid"] = json!(c.pid);
        fields["uid"] = json!(c.uid);
        fields["gid"] = json!(c.gid);
    }
    fields
}

fn header(name: &str) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("event".into(), json!(name));
    object.insert(
        "time".into(),
        json!(humantime::format_rfc3339_millis(SystemTime::now()).to_string()),
    );
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_name_time_and_canonical_addresses() {
        let peer: Addr = crate::addr::parse("tcp:127.0.0.1:80", Default::default()).unwrap();
        let closed = Event::Closed {
            peer: &peer,
            counts: Some(Counts {
                rx: 5,
                tx: 7,
                messages: None,
            }),
            duration: Duration::from_millis(1500),
            reason: None,
        };
        let value = closed.to_json();
        assert_eq!(value["event"], "closed");
        assert_eq!(value["peer"], "tcp:127.0.0.1:80");
        assert_eq!(value["rx"], 5);
        assert_eq!(value["tx"], 7);
        assert_eq!(value["duration_ms"], 1500);
        assert!(value["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            closed.to_string(),
            "closed tcp:127.0.0.1:80: 5 bytes received, 7 sent in 1s 500ms"
        );
    }

    #[test]
    fn a_session_without_counts_says_only_how_long() {
        let peer: Addr = crate::addr::parse("tcp:127.0.0.1:80", Default::default()).unwrap();
        let closed = Event::Closed {
            peer: &peer,
            counts: None,
            duration: Duration::from_millis(20),
            reason: Some("child 7 exited 0".into()),
        };
        let value = closed.to_json();
        assert!(value["rx"].is_null() && value["tx"].is_null(), "{value}");
        assert_eq!(
            closed.to_string(),
            "closed tcp:127.0.0.1:80 after 20ms (child 7 exited 0)"
        );
    }

    #[test]
    fn credentials_appear_in_both_forms() {
        let peer = Addr::Unix {
            kind: crate::addr::Kind::Stream,
            name: crate::addr::UnixName::Unnamed,
        };
        let event = Event::Accepted {
            peer: &peer,
            credentials: Some(Credentials {
                pid: 42,
                uid: 0,
                gid: 0,
            }),
        };
        assert_eq!(event.to_string(), "accepted unix: (pid 42 uid 0 gid 0)");
        let value = event.to_json();
        assert_eq!(
            (value["pid"].clone(), value["uid"].clone()),
            (json!(42), json!(0))
        );
    }
}

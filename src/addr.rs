//! The address model: one syntax for every verb. `parse` turns what the user
//! typed, read with `-u`, `-U`, `-4`, `-6` and whether the verb listens, into
//! an `Addr`; `Display` prints it back in the canonical scheme form, which
//! parses to the same value. Resolution and sockets are `socket.rs`'s job.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use nix::sys::socket::{SockaddrStorage, UnixAddr};

use crate::error::{escape, quote};
use crate::usage;

/// How the socket carries data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stream,
    Datagram,
    Seqpacket,
}

/// An IP family restriction (`tcp4:`, `-6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// The host part of an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// All interfaces (`:PORT` on listen).
    Any,
    /// A numeric address; `zone` is the `%eth0` of a scoped IPv6 address.
    Ip { ip: IpAddr, zone: Option<String> },
    /// A name to resolve.
    Name(String),
}

/// Where a Unix socket lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixName {
    Path(PathBuf),
    /// Linux abstract namespace: the name without its leading NUL.
    Abstract(Vec<u8>),
    /// A peer that never bound an address.
    Unnamed,
}

/// One endpoint, as every verb sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// TCP (`Kind::Stream`) or UDP (`Kind::Datagram`).
    Inet {
        kind: Kind,
        family: Option<Family>,
        host: Host,
        port: u16,
    },
    Unix {
        kind: Kind,
        name: UnixName,
    },
    /// A socket inherited as this descriptor; its kind is read from the socket.
    Fd(i32),
}

/// What the command line says about how to read an address.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// `-u`: datagrams for the bare forms.
    pub udp: bool,
    /// `-U`: a bare argument is a Unix path.
    pub unix: bool,
    /// `-4`/`-6`.
    pub family: Option<Family>,
    /// The verb binds this address (allows `PORT` and `:PORT`).
    pub listen: bool,
}

/// `sun_path` holds 108 bytes, and an abstract name starts with a NUL.
/// (A longer path is fine: it is reached through its directory.)
const ABSTRACT_MAX: usize = 107;

const SCHEMES: &[&str] = &[
    "tcp",
    "tcp4",
    "tcp6",
    "udp",
    "udp4",
    "udp6",
    "unix",
    "unix-dgram",
    "unix-seqpacket",
    "fd",
];

impl Addr {
    /// The socket type, when the address says it (`fd:N` does not).
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Addr::Inet { kind, .. } | Addr::Unix { kind, .. } => Some(*kind),
            Addr::Fd(_) => None,
        }
    }

    /// The canonical address of a socket address the kernel gave us.
    pub fn from_sockaddr(kind: Kind, sa: &SockaddrStorage) -> Addr {
        if let Some(un) = sa.as_unix_addr() {
            return Addr::from_unix(kind, un);
        }
        let socket_addr: Option<SocketAddr> = if let Some(v4) = sa.as_sockaddr_in() {
            Some(SocketAddr::from((v4.ip(), v4.port())))
        } else {
            sa.as_sockaddr_in6().map(|v6| {
                SocketAddr::V6(std::net::SocketAddrV6::new(
                    v6.ip(),
                    v6.port(),
                    v6.flowinfo(),
                    v6.scope_id(),
                ))
            })
        };
        match socket_addr {
            Some(sa) => Addr::from_socket_addr(kind, sa),
            None => Addr::Unix {
                kind,
                name: UnixName::Unnamed,
            },
        }
    }

    pub fn from_unix(kind: Kind, un: &UnixAddr) -> Addr {
        let name = if let Some(path) = un.path() {
            UnixName::Path(path.to_path_buf())
        } else if let Some(name) = un.as_abstract() {
            UnixName::Abstract(name.to_vec())
        } else {
            UnixName::Unnamed
        };
        Addr::Unix { kind, name }
    }

    /// An IP socket address in canonical form; an IPv4-mapped IPv6 address
    /// (a v4 peer on a dual-stack socket) prints as IPv4.
    pub fn from_socket_addr(kind: Kind, sa: SocketAddr) -> Addr {
        let (ip, zone) = match sa {
            SocketAddr::V4(v4) => (IpAddr::V4(*v4.ip()), None),
            SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), None),
                None => {
                    let zone = (v6.scope_id() != 0).then(|| zone_name(v6.scope_id()));
                    (IpAddr::V6(*v6.ip()), zone)
                }
            },
        };
        Addr::Inet {
            kind,
            family: None,
            host: Host::Ip { ip, zone },
            port: sa.port(),
        }
    }
}

fn zone_name(scope: u32) -> String {
    nix::net::if_::if_indextoname(scope)
        .ok()
        .and_then(|name| name.into_string().ok())
        .unwrap_or_else(|| scope.to_string())
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Inet {
                kind,
                family,
                host,
                port,
            } => {
                let proto = if *kind == Kind::Datagram {
                    "udp"
                } else {
                    "tcp"
                };
                // A numeric host already says its family.
                let suffix = match (family, host) {
                    (_, Host::Ip { .. }) | (None, _) => "",
                    (Some(Family::V4), _) => "4",
                    (Some(Family::V6), _) => "6",
                };
                write!(f, "{proto}{suffix}:")?;
                match host {
                    Host::Any => {}
                    Host::Ip {
                        ip: IpAddr::V4(ip), ..
                    } => write!(f, "{ip}")?,
                    Host::Ip {
                        ip: IpAddr::V6(ip),
                        zone: None,
                    } => write!(f, "[{ip}]")?,
                    Host::Ip {
                        ip: IpAddr::V6(ip),
                        zone: Some(zone),
                    } => write!(f, "[{ip}%{}]", escape(zone.as_bytes()))?,
                    Host::Name(name) => f.write_str(name)?,
                }
                write!(f, ":{port}")
            }
            Addr::Unix { kind, name } => {
                let scheme = match kind {
                    Kind::Stream => "unix",
                    Kind::Datagram => "unix-dgram",
                    Kind::Seqpacket => "unix-seqpacket",
                };
                write!(f, "{scheme}:")?;
                match name {
                    UnixName::Path(path) => {
                        let text = escape(path.as_os_str().as_bytes());
                        // `unix://PATH` is read as `unix:PATH`, so a path that
                        // starts with `//` itself needs two more to come back;
                        // and a file named `@…` is not an abstract name.
                        if text.starts_with("//") {
                            f.write_str("//")?;
                        }
                        match text.strip_prefix('@') {
                            Some(rest) => write!(f, "\\x40{rest}"),
                            None => f.write_str(&text),
                        }
                    }
                    UnixName::Abstract(name) => write!(f, "@{}", escape(name)),
                    UnixName::Unnamed => Ok(()),
                }
            }
            Addr::Fd(fd) => write!(f, "fd:{fd}"),
        }
    }
}

/// Read an address as the user typed it.
pub fn parse(text: &str, flags: Flags) -> anyhow::Result<Addr> {
    parse_shown_as(text, text, flags)
}

/// `parse`, for a `text` made from what the user typed (`shown`), which is
/// what an error quotes: `-z` parses `host:22,80` as `host:0`.
pub fn parse_shown_as(text: &str, shown: &str, flags: Flags) -> anyhow::Result<Addr> {
    let bad = |why: String| usage!("bad address {}: {why}", quote(shown.as_bytes()));
    if text.is_empty() {
        return Err(bad("empty".into()));
    }
    let addr = match scheme_of(text) {
        Some((scheme, rest)) => {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            parse_schemed(&scheme, rest, flags).map_err(bad)?
        }
        None => parse_bare(text, flags).map_err(bad)?,
    };
    apply_family(addr, flags.family).map_err(bad)
}

/// The scheme and the rest, when `text` starts with one. A known scheme always
/// counts; an unknown word counts only when what follows looks like an
/// address (`tpc:[::1]:80`), so that `localhost:80` stays HOST:PORT.
fn scheme_of(text: &str) -> Option<(String, &str)> {
    let (head, rest) = text.split_once(':')?;
    if head.is_empty() || !head.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    let scheme = head.to_ascii_lowercase();
    let looks_schemed = rest.starts_with(['/', '[', '@']) || rest.contains(':');
    let numeric_host = head.bytes().all(|b| b.is_ascii_digit());
    (SCHEMES.contains(&scheme.as_str()) || (looks_schemed && !numeric_host))
        .then_some((scheme, rest))
}

fn parse_schemed(scheme: &str, rest: &str, flags: Flags) -> Result<Addr, String> {
    let datagram_scheme = matches!(scheme, "udp" | "udp4" | "udp6" | "unix-dgram");
    if flags.udp && !datagram_scheme && scheme != "fd" {
        return Err(format!("-u contradicts the stream scheme '{scheme}:'"));
    }
    if flags.unix && !scheme.starts_with("unix") && scheme != "fd" {
        return Err(format!("-U contradicts the scheme '{scheme}:'"));
    }
    let inet = |kind, family| parse_inet(rest, kind, family, flags.listen);
    match scheme {
        "tcp" => inet(Kind::Stream, None),
        "tcp4" => inet(Kind::Stream, Some(Family::V4)),
        "tcp6" => inet(Kind::Stream, Some(Family::V6)),
        "udp" => inet(Kind::Datagram, None),
        "udp4" => inet(Kind::Datagram, Some(Family::V4)),
        "udp6" => inet(Kind::Datagram, Some(Family::V6)),
        "unix" => parse_unix(rest, Kind::Stream, scheme),
        "unix-dgram" => parse_unix(rest, Kind::Datagram, scheme),
        "unix-seqpacket" => parse_unix(rest, Kind::Seqpacket, scheme),
        "fd" => match rest.parse::<u32>() {
            Ok(n) if n <= i32::MAX as u32 => Ok(Addr::Fd(n as i32)),
            _ => Err(format!(
                "'{}' is not a descriptor number (expected fd:N)",
                escape(rest.as_bytes())
            )),
        },
        unknown => Err(match closest_scheme(unknown) {
            Some(known) => format!("unknown scheme '{unknown}' (did you mean {known}?)"),
            None => format!(
                "unknown scheme '{unknown}' (expected tcp, udp, unix, unix-dgram, unix-seqpacket or fd)"
            ),
        }),
    }
}

fn parse_bare(text: &str, flags: Flags) -> Result<Addr, String> {
    let kind = if flags.udp {
        Kind::Datagram
    } else {
        Kind::Stream
    };
    if text.starts_with('@') || flags.unix || text.contains('/') {
        return parse_unix(text, kind, if flags.udp { "unix-dgram" } else { "unix" });
    }
    parse_inet(text, kind, None, flags.listen)
}

/// A Unix path or abstract name, with the escapes sockcat prints in one
/// (`\\` and `\xHH`, also `\n \r \t \0`) read back into bytes: a printed
/// address pastes back, and a name that is not UTF-8 can be typed at all.
fn parse_unix(rest: &str, kind: Kind, scheme: &str) -> Result<Addr, String> {
    let unescape = |text: &str| {
        crate::escape::unescape(text).map_err(|e| e.message("the Unix name", "a Unix name takes"))
    };
    let name = if let Some(name) = rest.strip_prefix('@') {
        let name = unescape(name)?;
        if name.is_empty() {
            return Err(format!(
                "missing abstract name after '@' (expected {scheme}:@NAME)"
            ));
        }
        if name.len() > ABSTRACT_MAX {
            return Err(format!(
                "an abstract name holds at most {ABSTRACT_MAX} bytes, not {}",
                name.len()
            ));
        }
        UnixName::Abstract(name)
    } else if rest.is_empty() {
        return Err(format!("missing path (expected {scheme}:PATH)"));
    } else {
        let path = unescape(rest)?;
        if path.contains(&0) {
            return Err("a path cannot contain a NUL byte".into());
        }
        UnixName::Path(PathBuf::from(std::ffi::OsString::from_vec(path)))
    };
    Ok(Addr::Unix { kind, name })
}

fn parse_inet(
    rest: &str,
    kind: Kind,
    family: Option<Family>,
    listen: bool,
) -> Result<Addr, String> {
    let scheme = if kind == Kind::Datagram { "udp" } else { "tcp" };
    let expected = format!("expected {scheme}:HOST:PORT");
    let (host_text, port_text) = if let Some(inner) = rest.strip_prefix('[') {
        let (v6, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("missing ']' ({expected})"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| format!("missing port after ']' ({expected})"))?;
        let (ip, zone) = match v6.split_once('%') {
            Some((ip, zone)) if !zone.is_empty() => (ip, Some(zone.to_string())),
            Some(_) => return Err("empty zone after '%'".into()),
            None => (v6, None),
        };
        let ip: Ipv6Addr = ip
            .parse()
            .map_err(|_| format!("'{}' is not an IPv6 address", escape(v6.as_bytes())))?;
        scheme_agrees(scheme, family, IpAddr::V6(ip))?;
        let port = parse_port(port, kind)?;
        return Ok(Addr::Inet {
            kind,
            family,
            host: Host::Ip {
                ip: IpAddr::V6(ip),
                zone,
            },
            port,
        });
    } else {
        match rest.rsplit_once(':') {
            Some(pair) => pair,
            None if listen && !rest.is_empty() => ("", rest),
            None => return Err(format!("missing port ({expected})")),
        }
    };
    if host_text.contains(':') {
        return Err(format!(
            "an IPv6 address needs brackets ({scheme}:[ADDR]:PORT)"
        ));
    }
    let port = parse_port(port_text, kind)?;
    let host = if host_text.is_empty() {
        if !listen {
            return Err(format!("missing host ({expected})"));
        }
        Host::Any
    } else if let Ok(ip) = host_text.parse::<Ipv4Addr>() {
        scheme_agrees(scheme, family, IpAddr::V4(ip))?;
        Host::Ip {
            ip: IpAddr::V4(ip),
            zone: None,
        }
    } else if host_text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    {
        Host::Name(host_text.to_string())
    } else {
        return Err(format!(
            "'{}' is not a host name",
            escape(host_text.as_bytes())
        ));
    };
    Ok(Addr::Inet {
        kind,
        family,
        host,
        port,
    })
}

/// `tcp6:127.0.0.1:80` asks for what cannot be: an IPv4 address over IPv6.
fn scheme_agrees(scheme: &str, family: Option<Family>, ip: IpAddr) -> Result<(), String> {
    match family {
        Some(Family::V4) if ip.is_ipv6() => Err(format!("{scheme}4 contradicts the address {ip}")),
        Some(Family::V6) if ip.is_ipv4() => Err(format!("{scheme}6 contradicts the address {ip}")),
        _ => Ok(()),
    }
}

fn parse_port(text: &str, kind: Kind) -> Result<u16, String> {
    if text.is_empty() {
        return Err("missing port".into());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| format!("port {text} is out of range (0-65535)"));
    }
    let proto = if kind == Kind::Datagram { "udp" } else { "tcp" };
    service_port(text, proto).ok_or_else(|| {
        format!(
            "unknown service '{}' (not in /etc/services)",
            escape(text.as_bytes())
        )
    })
}

/// A service name's port from `/etc/services` (`http 80/tcp www`).
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    let services = std::fs::read_to_string("/etc/services").ok()?;
    lookup_service(&services, name, proto)
}

fn lookup_service(services: &str, name: &str, proto: &str) -> Option<u16> {
    services.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let official = words.next()?;
        let (port, line_proto) = words.next()?.split_once('/')?;
        let matches = line_proto == proto && (official == name || words.any(|alias| alias == name));
        if matches { port.parse().ok() } else { None }
    })
}

/// Merge `-4`/`-6` into the address; a contradiction is an error.
fn apply_family(addr: Addr, flag: Option<Family>) -> Result<Addr, String> {
    let Some(flag) = flag else { return Ok(addr) };
    match addr {
        Addr::Inet {
            kind,
            family,
            host,
            port,
        } => {
            if family.is_some_and(|f| f != flag) {
                return Err("-4/-6 contradicts the scheme's family".into());
            }
            if let Host::Ip { ip, .. } = &host {
                if ip.is_ipv4() != (flag == Family::V4) {
                    return Err(format!(
                        "-{} contradicts the address {ip}",
                        if flag == Family::V4 { 4 } else { 6 }
                    ));
                }
                return Ok(Addr::Inet {
                    kind,
                    family: None,
                    host,
                    port,
                });
            }
            Ok(Addr::Inet {
                kind,
                family: Some(flag),
                host,
                port,
            })
        }
        other => Ok(other),
    }
}

fn closest_scheme(word: &str) -> Option<&'static str> {
    SCHEMES
        .iter()
        .map(|s| (distance(word, s), *s))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, s)| s)
}

/// Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Addr {
        parse(text, Flags::default()).unwrap_or_else(|e| panic!("{text}: {e:#}"))
    }

    fn listen(text: &str) -> Addr {
        parse(
            text,
            Flags {
                listen: true,
                ..Flags::default()
            },
        )
        .unwrap_or_else(|e| panic!("{text}: {e:#}"))
    }

    fn err(text: &str, flags: Flags) -> String {
        format!("{:#}", parse(text, flags).expect_err(text))
    }

    #[test]
    fn every_form_parses() {
        let v4 = |a, b, c, d| Host::Ip {
            ip: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            zone: None,
        };
        assert_eq!(
            p("tcp:127.0.0.1:80"),
            Addr::Inet {
                kind: Kind::Stream,
                family: None,
                host: v4(127, 0, 0, 1),
                port: 80
            }
        );
        assert_eq!(
            p("TCP://localhost:80"),
            Addr::Inet {
                kind: Kind::Stream,
                family: None,
                host: Host::Name("localhost".into()),
                port: 80
            }
        );
        assert_eq!(
            p("udp6:[::1]:53"),
            Addr::Inet {
                kind: Kind::Datagram,
                family: Some(Family::V6),
                host: Host::Ip {
                    ip: "::1".parse().unwrap(),
                    zone: None
                },
                port: 53
            }
        );
        assert_eq!(
            p("tcp:[fe80::1%eth0]:22"),
            Addr::Inet {
                kind: Kind::Stream,
                family: None,
                host: Host::Ip {
                    ip: "fe80::1".parse().unwrap(),
                    zone: Some("eth0".into())
                },
                port: 22
            }
        );
        assert_eq!(
            p("unix:/run/x.sock"),
            Addr::Unix {
                kind: Kind::Stream,
                name: UnixName::Path("/run/x.sock".into())
            }
        );
        assert_eq!(
            p("unix-dgram:@log"),
            Addr::Unix {
                kind: Kind::Datagram,
                name: UnixName::Abstract(b"log".to_vec())
            }
        );
        assert_eq!(
            p("unix-seqpacket:rel/x"),
            Addr::Unix {
                kind: Kind::Seqpacket,
                name: UnixName::Path("rel/x".into())
            }
        );
        assert_eq!(
            p("@name"),
            Addr::Unix {
                kind: Kind::Stream,
                name: UnixName::Abstract(b"name".to_vec())
            }
        );
        assert_eq!(
            p("./s.sock"),
            Addr::Unix {
                kind: Kind::Stream,
                name: UnixName::Path("./s.sock".into())
            }
        );
        assert_eq!(p("fd:3"), Addr::Fd(3));
        assert_eq!(p("localhost:80"), p("tcp:localhost:80"));
        assert_eq!(p("[::1]:80"), p("tcp:[::1]:80"));
        assert_eq!(
            listen(":80"),
            Addr::Inet {
                kind: Kind::Stream,
                family: None,
                host: Host::Any,
                port: 80
            }
        );
        assert_eq!(listen("8080"), listen("tcp::8080"));
        assert_eq!(listen("udp:5353"), listen("udp::5353"));
    }

    #[test]
    fn flags_change_bare_forms() {
        let udp = Flags {
            udp: true,
            ..Flags::default()
        };
        assert_eq!(parse("localhost:53", udp).unwrap(), p("udp:localhost:53"));
        assert_eq!(parse("/tmp/x", udp).unwrap(), p("unix-dgram:/tmp/x"));
        assert_eq!(
            parse("udp:localhost:53", udp).unwrap(),
            p("udp:localhost:53")
        );
        assert_eq!(parse("unix-dgram:/x", udp).unwrap(), p("unix-dgram:/x"));
        let unix = Flags {
            unix: true,
            ..Flags::default()
        };
        assert_eq!(parse("sock", unix).unwrap(), p("unix:sock"));
        let v4 = Flags {
            family: Some(Family::V4),
            ..Flags::default()
        };
        assert_eq!(parse("localhost:80", v4).unwrap(), p("tcp4:localhost:80"));
    }

    #[test]
    fn canonical_form_round_trips() {
        let forms = [
            "tcp:127.0.0.1:80",
            "tcp4:localhost:80",
            "tcp6:localhost:0",
            "udp:[::1]:53",
            "udp4:example.org:53",
            "udp6:host:9",
            "tcp:[fe80::1%eth0]:22",
            "unix:/run/x.sock",
            "unix:relative/path",
            "unix-dgram:/dev/log",
            "unix-seqpacket:/tmp/sp",
            "unix:@abstract",
            "unix-dgram:@a",
            "unix-seqpacket:@x.y",
            "fd:0",
            "fd:42",
            "tcp:localhost:65535",
            "unix:////srv/two-slashes",
        ];
        for text in forms {
            let addr = p(text);
            assert_eq!(addr.to_string(), text);
            assert_eq!(p(&addr.to_string()), addr, "{text}");
        }
        for text in ["tcp::80", "udp4::53", "tcp6::0"] {
            let addr = listen(text);
            assert_eq!(listen(&addr.to_string()), addr, "{text}");
        }
    }

    #[test]
    fn numeric_addresses_print_without_family() {
        assert_eq!(p("tcp6:[::1]:0").to_string(), "tcp:[::1]:0");
        assert_eq!(p("udp4:127.0.0.1:7").to_string(), "udp:127.0.0.1:7");
    }

    #[test]
    fn typed_zones_print_escaped() {
        assert_eq!(
            p("tcp:[fe80::1%e\x1b[31m]:1").to_string(),
            "tcp:[fe80::1%e\\x1b[31m]:1"
        );
    }

    #[test]
    fn kernel_addresses_print_canonically() {
        let mapped: SocketAddr = "[::ffff:10.1.2.3]:4000".parse().unwrap();
        assert_eq!(
            Addr::from_socket_addr(Kind::Stream, mapped).to_string(),
            "tcp:10.1.2.3:4000"
        );
        let v6: SocketAddr = "[::1]:53".parse().unwrap();
        assert_eq!(
            Addr::from_socket_addr(Kind::Datagram, v6).to_string(),
            "udp:[::1]:53"
        );
        let un = UnixAddr::new_unnamed();
        assert_eq!(Addr::from_unix(Kind::Stream, &un).to_string(), "unix:");
        let ab = UnixAddr::new_abstract(b"n\x01").unwrap();
        assert_eq!(
            Addr::from_unix(Kind::Datagram, &ab).to_string(),
            "unix-dgram:@n\\x01"
        );
    }

    #[test]
    fn services_come_from_the_services_file() {
        let services =
            "# comment\nhttp\t\t80/tcp\t\twww\t# WorldWideWeb\nhttp 80/udp\ndomain 53/udp\n";
        assert_eq!(lookup_service(services, "http", "tcp"), Some(80));
        assert_eq!(lookup_service(services, "www", "tcp"), Some(80));
        assert_eq!(lookup_service(services, "domain", "tcp"), None);
        assert_eq!(lookup_service(services, "domain", "udp"), Some(53));
    }

    #[test]
    fn unix_names_read_escapes_into_bytes() {
        let unix = |kind, name| Addr::Unix { kind, name };
        assert_eq!(
            p(r"unix:@a\x00\xffb"),
            unix(Kind::Stream, UnixName::Abstract(b"a\0\xffb".to_vec()))
        );
        assert_eq!(
            p(r"unix-dgram:/tmp/a\\b\xfe"),
            unix(
                Kind::Datagram,
                UnixName::Path(PathBuf::from(std::ffi::OsString::from_vec(
                    b"/tmp/a\\b\xfe".to_vec()
                )))
            )
        );
        // Printed back the same way; a leading '@' of a file stays a file.
        assert_eq!(p(r"unix:@a\x00\xffb").to_string(), r"unix:@a\x00\xffb");
        let at_file = unix(Kind::Stream, UnixName::Path(PathBuf::from("@log")));
        assert_eq!(at_file.to_string(), r"unix:\x40log");
        assert_eq!(p(&at_file.to_string()), at_file);
    }

    #[test]
    fn bad_addresses_say_why() {
        let none = Flags::default();
        let udp = Flags { udp: true, ..none };
        let unix = Flags { unix: true, ..none };
        let v6 = Flags {
            family: Some(Family::V6),
            ..none
        };
        let cases: &[(&str, Flags, &str)] = &[
            ("", none, "empty"),
            (
                "tcp:localhost",
                none,
                "missing port (expected tcp:HOST:PORT)",
            ),
            (
                "tpc:[::1]:80",
                none,
                "unknown scheme 'tpc' (did you mean tcp?)",
            ),
            ("unx:/tmp/x", none, "did you mean unix?"),
            ("bogus://x:1", none, "unknown scheme 'bogus'"),
            ("tcp:host:99999", none, "out of range"),
            ("tcp:host:-1", none, "unknown service"),
            (
                "tcp:host:nosuchservice",
                none,
                "unknown service 'nosuchservice'",
            ),
            ("tcp::80", none, "missing host"),
            ("::1:80", none, "needs brackets"),
            ("tcp:[::1:80", none, "missing ']'"),
            ("tcp:[::1]80", none, "missing port after ']'"),
            ("tcp:[1.2.3.4]:80", none, "not an IPv6 address"),
            ("tcp:[fe80::1%]:80", none, "empty zone"),
            ("tcp:ho st:80", none, "not a host name"),
            ("unix:", none, "missing path"),
            ("unix:@", none, "missing abstract name"),
            ("@", none, "missing abstract name"),
            (
                &format!("@{}", "n".repeat(108)),
                none,
                "at most 107 bytes, not 108",
            ),
            (r"unix:/tmp/a\qb", none, r"bad escape '\q' in the Unix name"),
            (
                r"unix:@ab\",
                none,
                r"bad escape '\' at the end of the Unix name",
            ),
            (r"/tmp/a\x4", none, r"bad escape '\x4' in the Unix name"),
            (
                r"unix:/tmp/a\x00b",
                none,
                "a path cannot contain a NUL byte",
            ),
            (
                &format!("@{}", r"\x00".repeat(108)),
                none,
                "at most 107 bytes, not 108",
            ),
            ("fd:x", none, "not a descriptor number"),
            ("fd:-1", none, "not a descriptor number"),
            ("tcp:127.0.0.1:80", udp, "-u contradicts"),
            ("unix:/x", udp, "-u contradicts"),
            ("tcp:localhost:1", unix, "-U contradicts"),
            ("tcp:127.0.0.1:80", v6, "-6 contradicts"),
            ("tcp4:localhost:80", v6, "contradicts the scheme"),
            ("8080", none, "missing port"),
            ("host:", none, "missing port"),
            ("tcp:a\x01b:80", none, "'a\\x01b' is not a host name"),
            (
                "tcp6:127.0.0.1:80",
                none,
                "tcp6 contradicts the address 127.0.0.1",
            ),
            ("udp4:[::1]:53", none, "udp4 contradicts the address ::1"),
        ];
        for (text, flags, fragment) in cases {
            let message = err(text, *flags);
            assert!(message.starts_with("bad address '"), "{text}: {message}");
            assert!(
                message.contains(fragment),
                "{text}: {message} lacks {fragment}"
            );
        }
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Every combination of `-u`, `-U`, `-4`/`-6` and listening.
        fn every_flags() -> Vec<Flags> {
            let mut all = Vec::new();
            for udp in [false, true] {
                for unix in [false, true] {
                    for family in [None, Some(Family::V4), Some(Family::V6)] {
                        for listen in [false, true] {
                            all.push(Flags {
                                udp,
                                unix,
                                family,
                                listen,
                            });
                        }
                    }
                }
            }
            all
        }

        /// Mostly the characters addresses are made of, then any character
        /// at all: control characters, non-ASCII, NUL.
        fn address_char() -> impl Strategy<Value = char> {
            let syntax: Vec<char> = ":/[]@%.,-_ 0123456789abcdefx:tcpudnixgrmsq"
                .chars()
                .collect();
            prop_oneof![
                4 => proptest::sample::select(syntax),
                1 => any::<char>(),
                1 => (0u8..0x20).prop_map(char::from),
            ]
        }

        /// Any text up to 300 characters, often after a scheme.
        fn any_text() -> impl Strategy<Value = String> {
            let mut heads: Vec<&str> = SCHEMES.to_vec();
            heads.extend(["", "", "", "TCP://", "unix:@", "[", "@", "./"]);
            (
                proptest::sample::select(heads),
                proptest::collection::vec(address_char(), 0..300),
            )
                .prop_map(|(head, chars)| format!("{head}{}", String::from_iter(chars)))
        }

        fn kind() -> impl Strategy<Value = Kind> {
            prop_oneof![
                Just(Kind::Stream),
                Just(Kind::Datagram),
                Just(Kind::Seqpacket)
            ]
        }

        /// A host name: the characters a name may have, never an IPv4 literal.
        fn host_name() -> impl Strategy<Value = String> {
            "[A-Za-z0-9_-][A-Za-z0-9._-]{0,40}".prop_filter("an IPv4 literal is not a name", |n| {
                n.parse::<Ipv4Addr>().is_err()
            })
        }

        /// IP addresses as parse gives them: a numeric host carries no family
        /// of its own; all interfaces (listen only) and names may.
        fn inet() -> impl Strategy<Value = Addr> {
            let family = prop_oneof![Just(None), Just(Some(Family::V4)), Just(Some(Family::V6))];
            let zone = proptest::option::of("[A-Za-z0-9_.-]{1,15}");
            let host = prop_oneof![
                any::<Ipv4Addr>().prop_map(|ip| (
                    None,
                    Host::Ip {
                        ip: IpAddr::V4(ip),
                        zone: None
                    }
                )),
                (any::<Ipv6Addr>(), zone).prop_map(|(ip, zone)| (
                    None,
                    Host::Ip {
                        ip: IpAddr::V6(ip),
                        zone
                    }
                )),
                (family.clone(), host_name()).prop_map(|(f, name)| (f, Host::Name(name))),
                family.prop_map(|f| (f, Host::Any)),
            ];
            let kind = prop_oneof![Just(Kind::Stream), Just(Kind::Datagram)];
            (kind, host, any::<u16>()).prop_map(|(kind, (family, host), port)| Addr::Inet {
                kind,
                family,
                host,
                port,
            })
        }

        /// Unix names of any bytes (a path's without NUL), printed escaped.
        fn unix() -> impl Strategy<Value = Addr> {
            let byte = prop_oneof![
                4 => proptest::sample::select(b"ab@:\\x %".to_vec()),
                1 => any::<u8>(),
            ];
            let segment = proptest::collection::vec(
                byte.prop_filter("not in a path segment", |b| *b != 0 && *b != b'/'),
                0..12,
            );
            let path = (
                proptest::sample::select(vec!["/", "//", "///", "", "./", "../"]),
                proptest::collection::vec(segment, 1..6),
            )
                .prop_map(|(root, segments)| {
                    [root.as_bytes().to_vec(), segments.join(&b'/')].concat()
                })
                // An empty path is no path at all.
                .prop_filter("typed, it would not be this path", |p| !p.is_empty())
                .prop_map(|p| UnixName::Path(PathBuf::from(std::ffi::OsString::from_vec(p))));
            let name = proptest::collection::vec(any::<u8>(), 1..=ABSTRACT_MAX)
                .prop_map(UnixName::Abstract);
            (kind(), prop_oneof![path, name]).prop_map(|(kind, name)| Addr::Unix { kind, name })
        }

        fn valid() -> impl Strategy<Value = Addr> {
            prop_oneof![4 => inet(), 4 => unix(), 1 => (0..=i32::MAX).prop_map(Addr::Fd)]
        }

        proptest! {
            #![proptest_config(crate::generated_cases())]

            #[test]
            fn parse_never_panics(text in any_text()) {
                for flags in every_flags() {
                    // What sockcat prints of an address, or of why it is
                    // not one, never carries a control character to the
                    // terminal.
                    let shown = match parse(&text, flags) {
                        Ok(addr) => addr.to_string(),
                        Err(e) => format!("{e:#}"),
                    };
                    prop_assert!(
                        shown.bytes().all(|b| (0x20..0x7f).contains(&b)),
                        "{:?} shows as {:?}", text, shown
                    );
                }
            }

            // Numeric hosts resolve without a name service, so every
            // scheme and literal, under every flag, can go that far: an
            // address or an error, never a panic.
            #[test]
            fn literals_resolve_or_say_why(
                scheme in proptest::sample::select(vec!["tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", ""]),
                ip in any::<IpAddr>(),
                port in any::<u16>(),
            ) {
                let host = match ip {
                    IpAddr::V4(v4) => v4.to_string(),
                    IpAddr::V6(v6) => format!("[{v6}]"),
                };
                let text = if scheme.is_empty() {
                    format!("{host}:{port}")
                } else {
                    format!("{scheme}:{host}:{port}")
                };
                for flags in every_flags() {
                    if let Ok(addr) = parse(&text, flags) {
                        let targets = crate::socket::resolve(&addr)
                            .map_err(|e| TestCaseError::fail(format!("{text}: {e:#}")))?;
                        prop_assert_eq!(targets.len(), 1);
                    }
                }
            }

            // Random text seldom makes a valid IPv6 literal, so the zone
            // gets a test of its own.
            #[test]
            fn typed_zones_never_show_raw(zone in proptest::collection::vec(address_char(), 1..40)) {
                let text = format!("tcp:[fe80::1%{}]:80", String::from_iter(zone));
                if let Ok(addr) = parse(&text, Flags::default()) {
                    let shown = addr.to_string();
                    prop_assert!(shown.bytes().all(|b| (0x20..0x7f).contains(&b)), "{:?}", shown);
                }
            }

            #[test]
            fn canonical_form_parses_back(addr in valid()) {
                let listen = Flags { listen: true, ..Flags::default() };
                let shown = addr.to_string();
                if !matches!(addr, Addr::Inet { host: Host::Any, .. }) {
                    let back = parse(&shown, Flags::default()).map_err(|e| format!("{shown}: {e:#}"));
                    prop_assert_eq!(back, Ok(addr.clone()));
                }
                let back = parse(&shown, listen).map_err(|e| format!("{shown}: {e:#}"));
                prop_assert_eq!(back, Ok(addr));
            }
        }
    }
}

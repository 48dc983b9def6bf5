//! The ICMP socket `ping` sends on, and the checks before it opens one.
//!
//! Linux offers two: a raw socket (root or CAP_NET_RAW), which sees every
//! ICMP packet the host receives and hands IPv4 packets over with their IP
//! header, and the unprivileged ICMP datagram socket ("ping socket"), open
//! to the groups in `net.ipv4.ping_group_range` (for ICMPv6 too), which
//! delivers only its own replies, without the header, and reports ICMP
//! errors on its error queue. The kernel rewrites the echo identifier of a
//! datagram socket to its "port", so that is the identifier we read back.

use std::ffi::OsString;
use std::io::{IoSliceMut, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::os::fd::{AsRawFd, OwnedFd};

use anyhow::Result;
use nix::errno::Errno;
use nix::libc;
use nix::net::if_::{if_indextoname, if_nametoindex};
use nix::sys::socket::{
    self, AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockProtocol, SockType,
    SockaddrIn, SockaddrIn6, SockaddrStorage, sockopt,
};

use crate::error::{describe, escape};
use crate::icmp::{self, Family};
use crate::usage;

/// CAP_NET_RAW's bit in `CapEff` (linux/capability.h).
const CAP_NET_RAW: u32 = 13;
/// The UDP port iputils connects its route probe to; nothing is sent.
const PROBE_PORT: u16 = 1025;
/// IFNAMSIZ, the terminating NUL included.
const IFNAMSIZ: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Raw,
    Datagram,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Raw => "raw ICMP socket",
            Kind::Datagram => "ICMP datagram socket",
        }
    }
}

/// What `-I` named: an interface, or a source address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Device { name: String, index: u32 },
    Address(SocketAddr),
}

impl Source {
    /// `-I eth0`, `-I 192.0.2.1`, `-I fe80::1%eth0`.
    pub fn parse(text: &str, host: &str) -> Result<Source> {
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Source::Address(SocketAddr::new(ip, 0)));
        }
        if let Some((addr, device)) = text.split_once('%')
            && let Ok(ip) = addr.parse::<Ipv6Addr>()
        {
            let index = interface_index(device, host)?;
            return Ok(Source::Address(SocketAddr::V6(SocketAddrV6::new(
                ip, 0, 0, index,
            ))));
        }
        if text.is_empty()
            || text.len() >= IFNAMSIZ
            || text.contains(['/', ':', '%'])
            || text.contains(char::is_whitespace)
        {
            return Err(usage!(
                "ping {host}: -I {}: neither an interface name nor an address",
                escape(text.as_bytes())
            ));
        }
        let index = interface_index(text, host)?;
        Ok(Source::Device {
            name: text.to_string(),
            index,
        })
    }

    pub fn device(&self) -> Option<&str> {
        match self {
            Source::Device { name, .. } => Some(name),
            Source::Address(_) => None,
        }
    }
}

fn interface_index(name: &str, host: &str) -> Result<u32> {
    if_nametoindex(name).map_err(|_| {
        usage!(
            "ping {host}: -I {}: no such interface",
            escape(name.as_bytes())
        )
    })
}

/// Gives a link-local IPv6 target the scope of `-I`, which it cannot do
/// without; checks that a source address has the target's family.
pub fn scope(target: SocketAddr, source: Option<&Source>, host: &str) -> Result<SocketAddr> {
    if let Some(Source::Address(addr)) = source
        && addr.is_ipv4() != target.is_ipv4()
    {
        let (a, t) = if addr.is_ipv4() {
            ("IPv4", "IPv6")
        } else {
            ("IPv6", "IPv4")
        };
        return Err(usage!(
            "ping {host}: source {} is {a} but {} is {t}",
            addr.ip(),
            target.ip()
        ));
    }
    let SocketAddr::V6(mut v6) = target else {
        return Ok(target);
    };
    let link_local = (v6.ip().segments()[0] & 0xffc0) == 0xfe80;
    if !link_local || v6.scope_id() != 0 {
        return Ok(target);
    }
    let index = match source {
        Some(Source::Device { index, .. }) => *index,
        Some(Source::Address(SocketAddr::V6(a))) if a.scope_id() != 0 => a.scope_id(),
        _ => {
            return Err(usage!(
                "ping {host}: a link-local address needs an interface (-I IFACE, or ADDR%IFACE)"
            ));
        }
    };
    v6.set_scope_id(index);
    Ok(SocketAddr::V6(v6))
}

/// Whether this process may send faster than every 2ms, as iputils
/// decides it: root's or CAP_NET_RAW's privilege.
pub fn privileged() -> bool {
    let caps = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let hex = status
                .lines()
                .find_map(|line| line.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        });
    match caps {
        Some(caps) => caps & (1 << CAP_NET_RAW) != 0,
        None => nix::unistd::geteuid().is_root(),
    }
}

/// iputils' route probe: a UDP socket `connect`ed to the target sends
/// nothing, but fails at once when there is no route, and names the source
/// address the kernel would use.
pub fn probe_route(target: SocketAddr, source: Option<&Source>, host: &str) -> Result<IpAddr> {
    let fail = |what: &str, errno: Errno| {
        let hint = match errno {
            Errno::EACCES => " (is it a broadcast address? sockcat does not ping those)",
            _ => "",
        };
        usage!("ping {host}: {what}{}{hint}", describe(errno))
    };
    let fd = socket::socket(
        address_family(target.ip()),
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(|e| fail("UDP socket: ", e))?;
    bind_source(&fd, source).map_err(|e| fail(&source_words(source), e))?;
    let mut probe = target;
    probe.set_port(PROBE_PORT);
    socket::connect(fd.as_raw_fd(), &SockaddrStorage::from(probe)).map_err(|e| fail("", e))?;
    let local: SockaddrStorage =
        socket::getsockname(fd.as_raw_fd()).map_err(|e| fail("getsockname: ", e))?;
    Ok(to_std(&local).map_or(target.ip(), |a| a.ip()))
}

fn source_words(source: Option<&Source>) -> String {
    match source {
        Some(Source::Device { name, .. }) => format!("-I {}: ", escape(name.as_bytes())),
        Some(Source::Address(addr)) => format!("-I {}: ", show(*addr)),
        None => String::new(),
    }
}

fn bind_source(fd: &OwnedFd, source: Option<&Source>) -> nix::Result<()> {
    match source {
        Some(Source::Device { name, .. }) => {
            socket::setsockopt(fd, sockopt::BindToDevice, &OsString::from(name))
        }
        Some(Source::Address(addr)) => socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(*addr)),
        None => Ok(()),
    }
}

/// An open ICMP socket and what its packets look like.
pub struct IcmpSocket {
    pub fd: OwnedFd,
    pub family: Family,
    pub kind: Kind,
    /// The echo identifier our requests carry, or that the kernel gives them.
    pub id: u16,
}

/// Which ICMP socket to open (`--socket`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SocketChoice {
    /// Raw when permitted (root or CAP_NET_RAW), else the unprivileged
    /// datagram socket.
    #[default]
    Auto,
    /// A raw ICMP socket.
    Raw,
    /// The unprivileged ICMP datagram socket (`net.ipv4.ping_group_range`).
    Dgram,
}

/// What the caller asked of the socket besides its kind.
pub struct Options<'a> {
    pub choice: SocketChoice,
    pub source: Option<&'a Source>,
    pub ttl: Option<u8>,
}

impl IcmpSocket {
    pub fn open(family: Family, options: &Options<'_>, host: &str) -> Result<IcmpSocket> {
        let (fd, kind) = open_fd(family, options.choice, host)?;
        let fail = |what: &str, errno: Errno| usage!("ping {host}: {what}: {}", describe(errno));
        if let Some(Source::Device { name, .. }) = options.source {
            socket::setsockopt(&fd, sockopt::BindToDevice, &OsString::from(name))
                .map_err(|e| fail(&format!("-I {}", escape(name.as_bytes())), e))?;
        }
        match (family, kind) {
            // A raw IPv4 socket reads the TTL from the IP header it delivers.
            (Family::V4, Kind::Raw) => {}
            (Family::V4, Kind::Datagram) => {
                socket::setsockopt(&fd, sockopt::Ipv4RecvTtl, &true)
                    .map_err(|e| fail("IP_RECVTTL", e))?;
                socket::setsockopt(&fd, sockopt::Ipv4RecvErr, &true)
                    .map_err(|e| fail("IP_RECVERR", e))?;
            }
            (Family::V6, kind) => {
                socket::setsockopt(&fd, sockopt::Ipv6RecvHopLimit, &true)
                    .map_err(|e| fail("IPV6_RECVHOPLIMIT", e))?;
                if kind == Kind::Datagram {
                    socket::setsockopt(&fd, sockopt::Ipv6RecvErr, &true)
                        .map_err(|e| fail("IPV6_RECVERR", e))?;
                }
            }
        }
        if let Some(ttl) = options.ttl {
            let ttl = i32::from(ttl);
            match family {
                Family::V4 => socket::setsockopt(&fd, sockopt::Ipv4Ttl, &ttl)
                    .map_err(|e| fail("IP_TTL", e))?,
                Family::V6 => socket::setsockopt(&fd, sockopt::Ipv6Ttl, &ttl)
                    .map_err(|e| fail("IPV6_UNICAST_HOPS", e))?,
            }
        }
        // A datagram socket is bound so that the kernel picks its
        // identifier now and getsockname can tell us which.
        let bind_to = match options.source {
            Some(Source::Address(addr)) => Some(*addr),
            _ if kind == Kind::Datagram => Some(unspecified(family)),
            _ => None,
        };
        if let Some(addr) = bind_to {
            socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(addr))
                .map_err(|e| fail(&format!("bind {}", show(addr)), e))?;
        }
        let id = match kind {
            Kind::Raw => random_id(),
            Kind::Datagram => {
                let local: SockaddrStorage =
                    socket::getsockname(fd.as_raw_fd()).map_err(|e| fail("getsockname", e))?;
                to_std(&local).map_or(0, |a| a.port())
            }
        };
        Ok(IcmpSocket {
            fd,
            family,
            kind,
            id,
        })
    }
}

/// One datagram as the socket delivered it.
pub struct Datagram {
    pub len: usize,
    pub from: Option<SocketAddr>,
    /// From `IP_TTL` or `IPV6_HOPLIMIT`; a raw IPv4 socket has it in the
    /// IP header instead.
    pub ttl: Option<u8>,
    /// Longer than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
}

/// An entry of a datagram socket's error queue (`IP_RECVERR`, ip(7)).
pub enum Queued {
    /// The kernel refused a send itself; `info` is the MTU of EMSGSIZE.
    Local {
        errno: Errno,
        info: u32,
    },
    /// An ICMP error about one of our requests.
    Icmp {
        kind: u8,
        code: u8,
        info: u32,
        /// Who sent the error.
        offender: Option<IpAddr>,
        /// Where the request it is about was going.
        destination: Option<SocketAddr>,
        /// The start of that request: its ICMP header.
        quoted: Vec<u8>,
    },
    Other,
}

impl IcmpSocket {
    pub fn send(&self, packet: &[u8], to: &SockaddrStorage) -> nix::Result<usize> {
        socket::sendto(self.fd.as_raw_fd(), packet, to, MsgFlags::empty())
    }

    pub fn receive(&self, buf: &mut [u8]) -> nix::Result<Datagram> {
        // One int of IP_TTL or IPV6_HOPLIMIT, with room to spare: control
        // data cut short (MSG_CTRUNC) is lost whole.
        let mut control = nix::cmsg_space!([u8; 256]);
        let mut iov = [IoSliceMut::new(buf)];
        let msg = socket::recvmsg::<SockaddrStorage>(
            self.fd.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::empty(),
        )?;
        let ttl = msg.cmsgs().ok().and_then(|mut all| {
            all.find_map(|c| match c {
                ControlMessageOwned::Ipv4Ttl(t) | ControlMessageOwned::Ipv6HopLimit(t) => {
                    u8::try_from(t).ok()
                }
                _ => None,
            })
        });
        Ok(Datagram {
            len: msg.bytes,
            from: msg.address.as_ref().and_then(to_std),
            ttl,
            truncated: msg.flags.contains(MsgFlags::MSG_TRUNC),
        })
    }

    /// One entry of the error queue; EAGAIN when it is empty.
    pub fn read_error(&self) -> nix::Result<Queued> {
        let mut data = [0u8; icmp::HEADER_LEN];
        // IPv6 puts the hop limit (IPV6_RECVHOPLIMIT) before the error, so
        // this holds more than the error and its offender.
        let mut control = nix::cmsg_space!([u8; 512]);
        let mut iov = [IoSliceMut::new(&mut data)];
        let msg = socket::recvmsg::<SockaddrStorage>(
            self.fd.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::MSG_ERRQUEUE,
        )?;
        let len = msg.bytes;
        let destination = msg.address.as_ref().and_then(to_std);
        let error = msg.cmsgs().ok().and_then(|mut all| {
            all.find_map(|c| match c {
                ControlMessageOwned::Ipv4RecvErr(err, offender) => {
                    Some((err, offender.map(|a| IpAddr::V4(SockaddrIn::from(a).ip()))))
                }
                ControlMessageOwned::Ipv6RecvErr(err, offender) => {
                    Some((err, offender.map(|a| IpAddr::V6(SockaddrIn6::from(a).ip()))))
                }
                _ => None,
            })
        });
        let Some((err, offender)) = error else {
            return Ok(Queued::Other);
        };
        Ok(match err.ee_origin {
            libc::SO_EE_ORIGIN_LOCAL => Queued::Local {
                errno: Errno::from_raw(err.ee_errno as i32),
                info: err.ee_info,
            },
            libc::SO_EE_ORIGIN_ICMP | libc::SO_EE_ORIGIN_ICMP6 => Queued::Icmp {
                kind: err.ee_type,
                code: err.ee_code,
                info: err.ee_info,
                offender,
                destination,
                quoted: data[..len.min(data.len())].to_vec(),
            },
            _ => Queued::Other,
        })
    }
}

const NO_PERMISSION: &str = "no permission for ICMP sockets \
    (run as root or with CAP_NET_RAW, or admit your group in net.ipv4.ping_group_range)";

fn open_fd(family: Family, choice: SocketChoice, host: &str) -> Result<(OwnedFd, Kind)> {
    let (domain, protocol) = match family {
        Family::V4 => (AddressFamily::Inet, SockProtocol::Icmp),
        Family::V6 => (AddressFamily::Inet6, SockProtocol::IcmpV6),
    };
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    let raw = || socket::socket(domain, SockType::Raw, flags, protocol).map(|fd| (fd, Kind::Raw));
    let dgram = || {
        socket::socket(domain, SockType::Datagram, flags, protocol).map(|fd| (fd, Kind::Datagram))
    };
    // A raw socket without CAP_NET_RAW is EPERM; a datagram socket outside
    // ping_group_range is EACCES; a kernel without ICMP datagram sockets
    // says EPROTONOSUPPORT, and then privilege is the only way.
    let denied = |e: Errno| matches!(e, Errno::EPERM | Errno::EACCES);
    let other = |kind: Kind, e: Errno| usage!("ping {host}: {}: {}", kind.name(), describe(e));
    match choice {
        SocketChoice::Raw => raw().map_err(|e| match e {
            e if denied(e) => usage!("ping {host}: no permission for raw ICMP sockets (run as root or with CAP_NET_RAW)"),
            e => other(Kind::Raw, e),
        }),
        SocketChoice::Dgram => dgram().map_err(|e| match e {
            e if denied(e) => usage!(
                "ping {host}: no permission for ICMP datagram sockets (admit your group in net.ipv4.ping_group_range)"
            ),
            e => other(Kind::Datagram, e),
        }),
        SocketChoice::Auto => match raw() {
            Ok(opened) => Ok(opened),
            Err(e) if denied(e) => dgram().map_err(|e| match e {
                e if denied(e) || e == Errno::EPROTONOSUPPORT => usage!("ping {host}: {NO_PERMISSION}"),
                e => other(Kind::Datagram, e),
            }),
            Err(e) => Err(other(Kind::Raw, e)),
        },
    }
}

/// The identifier of a raw socket's requests: random, as in iputils, so
/// that two pings at once (each seeing the other's replies) tell them apart.
fn random_id() -> u16 {
    let mut bytes = [0u8; 2];
    match std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)) {
        Ok(()) => u16::from_ne_bytes(bytes),
        Err(_) => std::process::id() as u16,
    }
}

fn unspecified(family: Family) -> SocketAddr {
    match family {
        Family::V4 => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        Family::V6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    }
}

fn address_family(ip: IpAddr) -> AddressFamily {
    if ip.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    }
}

pub fn to_std(addr: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = addr.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    addr.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6((*v6).into()))
}

/// An address as iputils prints it: numeric, with a zone when it has one
/// (`fe80::1%eth0`).
pub fn show(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V6(v6) if v6.scope_id() != 0 => {
            let zone = if_indextoname(v6.scope_id())
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|_| v6.scope_id().to_string());
            format!("{}%{zone}", v6.ip())
        }
        other => other.ip().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_or_address() {
        assert_eq!(
            Source::parse("127.0.0.1", "h").ok(),
            Some(Source::Address("127.0.0.1:0".parse().expect("addr")))
        );
        assert_eq!(
            Source::parse("::1", "h").ok(),
            Some(Source::Address("[::1]:0".parse().expect("addr")))
        );
        assert_eq!(
            Source::parse("lo", "h")
                .ok()
                .and_then(|s| s.device().map(str::to_string)),
            Some("lo".into())
        );
        let Ok(Source::Address(SocketAddr::V6(v6))) = Source::parse("fe80::1%lo", "h") else {
            panic!("not scoped")
        };
        assert_ne!(v6.scope_id(), 0);
        for bad in ["", "a/b", "waytoolonginterfacename", "no such"] {
            let err = Source::parse(bad, "h").expect_err(bad).to_string();
            assert!(
                err.contains("neither an interface name nor an address"),
                "{err}"
            );
        }
        let err = Source::parse("nosuchif0", "h")
            .expect_err("missing")
            .to_string();
        assert_eq!(err, "ping h: -I nosuchif0: no such interface");
    }

    #[test]
    fn link_local_targets_need_a_scope() {
        let target: SocketAddr = "[fe80::1]:0".parse().expect("addr");
        let err = scope(target, None, "fe80::1")
            .expect_err("no scope")
            .to_string();
        assert!(err.contains("needs an interface"), "{err}");
        let lo = Source::parse("lo", "h").expect("lo");
        let Ok(SocketAddr::V6(scoped)) = scope(target, Some(&lo), "h") else {
            panic!("not scoped")
        };
        assert_ne!(scoped.scope_id(), 0);
        assert!(show(SocketAddr::V6(scoped)).ends_with("%lo"));
        let global: SocketAddr = "[2001:db8::1]:0".parse().expect("addr");
        assert_eq!(scope(global, None, "h").ok(), Some(global));
        let v4 = Source::Address("127.0.0.1:0".parse().expect("addr"));
        let err = scope(global, Some(&v4), "h")
            .expect_err("mixed")
            .to_string();
        assert_eq!(
            err,
            "ping h: source 127.0.0.1 is IPv4 but 2001:db8::1 is IPv6"
        );
    }
}

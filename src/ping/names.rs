//! Names as iputils ping prints them. A HOST given as an address is printed
//! as numbers only (iputils sets its `-n` for it); a HOST given by name
//! gets, on IPv4, its canonical name in the header and summary
//! (getaddrinfo's `AI_CANONNAME`), and, on both families, the reverse name
//! of every address that answers, as `name (addr)` (getnameinfo). Both go
//! through the C library, so /etc/hosts, nsswitch and DNS decide as they
//! do for iputils. `output` formats; this file only looks names up.

use std::net::SocketAddr;

use dns_lookup::{AddrInfoHints, LookupErrorKind, Protocol, SockType};
use nix::libc;

use crate::error::escape;

/// What getaddrinfo says about a host.
#[derive(Debug, Default)]
pub struct Lookup {
    /// Its addresses, in the resolver's order.
    pub addrs: Vec<SocketAddr>,
    /// Its canonical name, when the resolver gave one.
    pub canonical: Option<String>,
}

/// Why a host did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// No name server answered (`EAI_AGAIN`): the name may well exist.
    Temporary,
    /// Anything else: no such name, or none the resolver can read.
    Unknown,
}

/// `host`'s addresses and canonical name, as iputils asks for them
/// (datagram hints, `AI_CANONNAME`).
pub fn lookup(host: &str) -> Result<Lookup, Unresolved> {
    let hints = AddrInfoHints {
        flags: libc::AI_CANONNAME,
        socktype: SockType::DGram.into(),
        protocol: Protocol::UDP.into(),
        ..AddrInfoHints::default()
    };
    let answers =
        dns_lookup::getaddrinfo(Some(host), None, Some(hints)).map_err(|e| match e.kind() {
            LookupErrorKind::Again => Unresolved::Temporary,
            _ => Unresolved::Unknown,
        })?;
    let mut found = Lookup::default();
    // An entry of another family than IPv4 or IPv6 comes as an error; it
    // has nothing to ping.
    for answer in answers.flatten() {
        found.addrs.push(answer.sockaddr);
        if found.canonical.is_none() {
            found.canonical = answer.canonname.map(|name| escape(name.as_bytes()));
        }
    }
    Ok(found)
}

/// The name of `addr` by reverse lookup, as iputils asks for it (no flags):
/// when there is none, the C library gives the address in numbers, which
/// iputils prints as `1.2.3.4 (1.2.3.4)`. `None` when the lookup fails
/// outright (or gives a name that is not UTF-8).
pub fn reverse(addr: SocketAddr) -> Option<String> {
    let (name, _service) = dns_lookup::getnameinfo(&addr, 0).ok()?;
    Some(escape(name.as_bytes()))
}

/// Whether iputils takes HOST as an address and prints only numbers: an
/// IPv6 host with a `:` in it, or anything inet_aton(3) reads (`127.1`,
/// `0x7f.1`). getaddrinfo with `AI_NUMERICHOST` for IPv4 reads exactly
/// those forms (glibc calls inet_aton for it, only refusing what follows
/// a space, which no host that resolves can have), and never asks DNS.
pub fn is_numeric(host: &str) -> bool {
    let numeric_v4 = AddrInfoHints {
        flags: libc::AI_NUMERICHOST,
        address: libc::AF_INET,
        ..AddrInfoHints::default()
    };
    host.contains(':') || dns_lookup::getaddrinfo(Some(host), None, Some(numeric_v4)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_numbers_are_what_inet_aton_reads() {
        for text in [
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "2130706433",
            "0x7f.1",
            "0X7F.1",
            "0177.0.0.1",
            "255.255.255.255",
            "1.65536",
            "0",
            "00",
        ] {
            assert!(is_numeric(text), "{text}");
        }
        for text in [
            "",
            "localhost",
            "1.2.3.4.5",
            "256.1",
            "1.2.3.256",
            "1.16777216",
            "4294967296",
            "08",
            "1..2",
            "1.2.",
            "-1",
            "1e3",
            "0x",
            "+1",
            " 1",
            "a\0b",
        ] {
            assert!(!is_numeric(text), "{text:?}");
        }
    }

    #[test]
    fn addresses_are_numeric_and_names_are_not() {
        for host in [
            "127.0.0.1",
            "127.1",
            "::1",
            "[::1]",
            "fe80::1%lo",
            "::ffff:1.2.3.4",
        ] {
            assert!(is_numeric(host), "{host}");
        }
        for host in [
            "localhost",
            "ip6-localhost",
            "example.com",
            "1.2.3.4.example",
        ] {
            assert!(!is_numeric(host), "{host}");
        }
    }

    #[test]
    fn literals_resolve_without_a_name() {
        let found = lookup("127.0.0.1").expect("resolves");
        assert_eq!(found.addrs, ["127.0.0.1:0".parse::<SocketAddr>().unwrap()]);
        let found = lookup("::1").expect("resolves");
        assert_eq!(found.addrs, ["[::1]:0".parse::<SocketAddr>().unwrap()]);
        assert_eq!(lookup("a\0b").unwrap_err(), Unresolved::Unknown);
    }
}

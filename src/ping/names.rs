//! Names as iputils ping prints them. A HOST given as an address is printed
//! as numbers only (iputils sets its `-n` for it); a HOST given by name
//! gets, on IPv4, its canonical name in the header and summary
//! (getaddrinfo's `AI_CANONNAME`), and, on both families, the reverse name
//! of every address that answers, as `name (addr)` (getnameinfo). Both go
//! through the C library, so /etc/hosts, nsswitch and DNS decide as they
//! do for iputils. `output` formats; this file only looks names up.
//!
//! A name is bytes: an /etc/hosts in Latin-1 gives names that are not
//! UTF-8, which iputils prints as they are. sockcat prints them in the
//! same places with such bytes escaped (`caf\xe9-canon`), as it prints
//! every name it did not make. So the two lookups that return names,
//! `lookup` and `reverse`, call the C library themselves (each `unsafe`
//! block says why it is sound): dns-lookup 4.0.2 unwraps a canonical name
//! as UTF-8, panicking on any other, and makes such a reverse name an
//! error, and neither call of its can hand back the bytes.
//! `is_numeric`, which asks for no name, still goes through dns-lookup.

use std::ffi::{CStr, CString};
use std::net::SocketAddr;
use std::ptr;

use dns_lookup::AddrInfoHints;
use nix::libc;
use nix::sys::socket::{SockaddrLike, SockaddrStorage};

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
#[allow(unsafe_code)]
pub fn lookup(host: &str) -> Result<Lookup, Unresolved> {
    let node = CString::new(host).map_err(|_| Unresolved::Unknown)?;
    let hints = libc::addrinfo {
        ai_flags: libc::AI_CANONNAME,
        ai_family: libc::AF_UNSPEC,
        ai_socktype: libc::SOCK_DGRAM,
        ai_protocol: libc::IPPROTO_UDP,
        ai_addrlen: 0,
        ai_addr: ptr::null_mut(),
        ai_canonname: ptr::null_mut(),
        ai_next: ptr::null_mut(),
    };
    let mut first: *mut libc::addrinfo = ptr::null_mut();
    // SAFETY: `node` is NUL-terminated and `hints` initialized, both alive
    // for the call; on success getaddrinfo stores in `first` a list that
    // is ours until the freeaddrinfo below.
    let rc = unsafe { libc::getaddrinfo(node.as_ptr(), ptr::null(), &hints, &mut first) };
    match rc {
        0 => {}
        libc::EAI_AGAIN => return Err(Unresolved::Temporary),
        _ => return Err(Unresolved::Unknown),
    }
    let mut found = Lookup::default();
    let mut at = first;
    while !at.is_null() {
        // SAFETY: `at` is a node of the list getaddrinfo returned, not yet
        // freed: its `ai_addr` points at `ai_addrlen` readable bytes, which
        // from_raw copies (refusing more than a sockaddr_storage holds),
        // and its `ai_canonname`, where not null, at a NUL-terminated
        // string, copied here as bytes before the list is freed.
        let (addr, canonical, next) = unsafe {
            let node = &*at;
            let addr = SockaddrStorage::from_raw(node.ai_addr, Some(node.ai_addrlen));
            let canonical =
                (!node.ai_canonname.is_null()).then(|| printed(CStr::from_ptr(node.ai_canonname)));
            (addr, canonical, node.ai_next)
        };
        // An entry of another family than IPv4 or IPv6 has nothing to ping.
        if let Some(addr) = addr.as_ref().and_then(socket_addr) {
            found.addrs.push(addr);
        }
        if found.canonical.is_none() {
            found.canonical = canonical;
        }
        at = next;
    }
    // SAFETY: `first` is the list getaddrinfo returned, freed once here;
    // nothing read from it points into it any more.
    unsafe { libc::freeaddrinfo(first) };
    Ok(found)
}

fn socket_addr(addr: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = addr.as_sockaddr_in() {
        return Some(SocketAddr::from(*v4));
    }
    addr.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6))
}

/// The name of `addr` by reverse lookup, as iputils asks for it (no flags):
/// when there is none, the C library gives the address in numbers, which
/// iputils prints as `1.2.3.4 (1.2.3.4)`. `None` only when the lookup
/// fails outright.
#[allow(unsafe_code)]
pub fn reverse(addr: SocketAddr) -> Option<String> {
    let storage = SockaddrStorage::from(addr);
    let mut name = [0u8; libc::NI_MAXHOST as usize];
    // SAFETY: `storage` holds a valid address of `len()` bytes and `name`
    // is writable for its whole length, both alive for the call; no
    // service is asked for, so its null buffer is never written.
    let rc = unsafe {
        libc::getnameinfo(
            storage.as_ptr(),
            storage.len(),
            name.as_mut_ptr().cast(),
            libc::NI_MAXHOST,
            ptr::null_mut(),
            0,
            0,
        )
    };
    if rc != 0 {
        return None;
    }
    CStr::from_bytes_until_nul(&name).ok().map(printed)
}

/// A name from the C library as sockcat prints it: whatever its bytes,
/// one line of printable ASCII (`error::escape`).
fn printed(name: &CStr) -> String {
    escape(name.to_bytes())
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
    fn names_print_escaped_whatever_their_bytes() {
        assert_eq!(printed(c"v4alias-canon"), "v4alias-canon");
        // Latin-1, not UTF-8: the name a hosts file of old gives.
        assert_eq!(printed(c"caf\xe9-canon"), "caf\\xe9-canon");
        assert_eq!(printed(c"caf\u{e9}"), "caf\\xc3\\xa9");
        assert_eq!(printed(c"a\tb\\c\x7f"), "a\\x09b\\\\c\\x7f");
        assert_eq!(printed(c""), "");
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

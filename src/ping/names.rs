//! Names as iputils ping prints them. A HOST given as an address is printed
//! as numbers only (iputils sets its `-n` for it); a HOST given by name
//! gets, on IPv4, its canonical name in the header and summary
//! (getaddrinfo's `AI_CANONNAME`), and, on both families, the reverse name
//! of every address that answers, as `name (addr)` (getnameinfo). Both go
//! through the C library, so /etc/hosts, nsswitch and DNS decide as they
//! do for iputils. `output` formats; this file only looks names up.

use std::ffi::{CStr, CString};
use std::net::SocketAddr;
use std::ptr;

use nix::libc;
use nix::sys::socket::{SockaddrLike, SockaddrStorage};

use crate::error::escape;

/// glibc's NI_MAXHOST: the longest name getnameinfo writes, with its NUL.
const NAME_MAX: usize = 1025;

/// What getaddrinfo says about a host.
#[derive(Debug, Default)]
pub struct Lookup {
    /// Its addresses, in the resolver's order.
    pub addrs: Vec<SocketAddr>,
    /// Its canonical name, when the resolver gave one.
    pub canonical: Option<String>,
}

/// `host`'s addresses and canonical name, as iputils asks for them
/// (datagram hints, `AI_CANONNAME`); `None` when it does not resolve.
#[allow(unsafe_code)]
pub fn lookup(host: &str) -> Option<Lookup> {
    let node = CString::new(host).ok()?;
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
    // for the call; on success getaddrinfo stores a list in `first` that we
    // own until freeaddrinfo below.
    let rc = unsafe { libc::getaddrinfo(node.as_ptr(), ptr::null(), &hints, &mut first) };
    if rc != 0 || first.is_null() {
        return None;
    }
    let mut found = Lookup::default();
    let mut at = first;
    while !at.is_null() {
        // SAFETY: `at` is a node of the list getaddrinfo returned, not yet
        // freed; its `ai_addr` points at `ai_addrlen` bytes of address, and
        // its `ai_canonname`, when not null, at a NUL-terminated string.
        let (addr, canonical, next) = unsafe {
            let info = &*at;
            let addr = SockaddrStorage::from_raw(info.ai_addr, Some(info.ai_addrlen));
            let canonical = (!info.ai_canonname.is_null()).then(|| {
                CStr::from_ptr(info.ai_canonname)
                    .to_string_lossy()
                    .into_owned()
            });
            (addr, canonical, info.ai_next)
        };
        if let Some(addr) = addr.as_ref().and_then(socket_addr) {
            found.addrs.push(addr);
        }
        if found.canonical.is_none() {
            found.canonical = canonical.map(|name| escape(name.as_bytes()));
        }
        at = next;
    }
    // SAFETY: `first` is the list getaddrinfo returned, freed once, and no
    // pointer into it is used after this.
    unsafe { libc::freeaddrinfo(first) };
    Some(found)
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
    let mut name = [0u8; NAME_MAX];
    // SAFETY: `storage` holds a valid address of `len()` bytes and `name` is
    // writable for its whole length, both alive for the call; no service is
    // asked for, so its null buffer is never written.
    let rc = unsafe {
        libc::getnameinfo(
            storage.as_ptr(),
            storage.len(),
            name.as_mut_ptr().cast(),
            NAME_MAX as libc::socklen_t,
            ptr::null_mut(),
            0,
            0,
        )
    };
    if rc != 0 {
        return None;
    }
    let name = CStr::from_bytes_until_nul(&name).ok()?;
    Some(escape(name.to_bytes()))
}

/// Whether iputils takes HOST as an address and prints only numbers: an
/// IPv6 host with a `:` in it, or anything inet_aton(3) reads (`127.1`).
pub fn is_numeric(host: &str) -> bool {
    host.contains(':') || inet_aton(host).is_some()
}

/// inet_aton(3): one to four parts, each decimal, octal (leading `0`) or
/// hex (`0x`); the last part fills the bytes the others left.
fn inet_aton(text: &str) -> Option<u32> {
    let parts: Vec<u32> = text.split('.').map(number).collect::<Option<_>>()?;
    let (last, leading) = parts.split_last()?;
    if leading.len() > 3 || leading.iter().any(|&part| part > 0xff) {
        return None;
    }
    // The last part fills 32, 24, 16 or 8 bits.
    let room = 32 - 8 * leading.len() as u32;
    if u64::from(*last) >> room != 0 {
        return None;
    }
    let high = leading
        .iter()
        .fold(0u64, |acc, &part| acc << 8 | u64::from(part));
    u32::try_from(high << room | u64::from(*last)).ok()
}

fn number(part: &str) -> Option<u32> {
    let (digits, radix) = match part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None if part.len() > 1 && part.starts_with('0') => (&part[1..], 8),
        None => (part, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_reads_what_the_c_library_reads() {
        for (text, value) in [
            ("127.0.0.1", 0x7f00_0001),
            ("127.1", 0x7f00_0001),
            ("127.0.1", 0x7f00_0001),
            ("2130706433", 0x7f00_0001),
            ("0x7f.1", 0x7f00_0001),
            ("0177.0.0.1", 0x7f00_0001),
            ("255.255.255.255", u32::MAX),
            ("1.65536", 0x0101_0000),
            ("0", 0),
            ("00", 0),
        ] {
            assert_eq!(inet_aton(text), Some(value), "{text}");
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
        ] {
            assert_eq!(inet_aton(text), None, "{text}");
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
        assert!(lookup("a\0b").is_none());
    }

    /// The C library's own inet_aton(3), which libc does not bind.
    #[allow(unsafe_code)]
    fn c_inet_aton(text: &str) -> Option<u32> {
        unsafe extern "C" {
            fn inet_aton(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
        }
        let text = CString::new(text).ok()?;
        let mut addr = libc::in_addr { s_addr: 0 };
        // SAFETY: `text` is NUL-terminated and `addr` writable, both alive
        // for the call, which writes only `addr`.
        let ok = unsafe { inet_aton(text.as_ptr(), &mut addr) };
        (ok != 0).then_some(u32::from_be(addr.s_addr))
    }

    proptest::proptest! {
        #[test]
        fn inet_aton_agrees_with_the_c_library(text in "[0-9a-fA-FxX.+-]{0,20}") {
            proptest::prop_assert_eq!(inet_aton(&text), c_inet_aton(&text));
        }

        #[test]
        fn inet_aton_agrees_on_dotted_numbers(
            parts in proptest::collection::vec("(0x[0-9a-f]{1,9}|0[0-7]{1,11}|[0-9]{1,10})", 1..6),
        ) {
            let text = parts.join(".");
            proptest::prop_assert_eq!(inet_aton(&text), c_inet_aton(&text));
        }
    }
}

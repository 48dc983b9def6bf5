//! ICMP and ICMPv6 echo packets as pure functions: bytes in, typed values
//! out. It builds echo requests, computes and checks the Internet checksum,
//! reads what an ICMP socket hands back and says what it is: our echo reply,
//! an error message about one of our requests, or someone else's packet.
//!
//! No socket calls live here. What the bytes alone cannot tell, the caller
//! says in an [`Expect`]: whether an IPv4 header comes first (raw IPv4
//! sockets deliver it; ICMP datagram sockets and every ICMPv6 socket do not)
//! and which identifier is ours (a Linux datagram socket rewrites it, so
//! there the kernel has already filtered). Every view checks, when it is
//! made, each length its getters use, so no getter can panic on a peer's
//! bytes.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Type, code, checksum, identifier, sequence.
pub const HEADER_LEN: usize = 8;
/// iputils puts a `struct timeval` (64-bit Linux: two `i64`s) first in the
/// payload when it fits; packet decoders such as Wireshark show it.
pub const TIMESTAMP_LEN: usize = 16;
/// An IPv4 header without options.
pub const IPV4_HEADER_LEN: usize = 20;
/// The fixed IPv6 header.
pub const IPV6_HEADER_LEN: usize = 40;

const V4_ECHO_REPLY: u8 = 0;
const V4_DEST_UNREACH: u8 = 3;
const V4_ECHO_REQUEST: u8 = 8;
const V4_TIME_EXCEEDED: u8 = 11;
const V4_PARAM_PROBLEM: u8 = 12;
const V6_DEST_UNREACH: u8 = 1;
const V6_PACKET_TOO_BIG: u8 = 2;
const V6_TIME_EXCEEDED: u8 = 3;
const V6_PARAM_PROBLEM: u8 = 4;
const V6_ECHO_REQUEST: u8 = 128;
const V6_ECHO_REPLY: u8 = 129;
const PROTO_ICMP: u8 = 1;
const PROTO_ICMPV6: u8 = 58;

/// ICMP for IPv4 (RFC 792) or ICMPv6 (RFC 4443).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(addr: IpAddr) -> Family {
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    pub fn echo_request(self) -> u8 {
        match self {
            Family::V4 => V4_ECHO_REQUEST,
            Family::V6 => V6_ECHO_REQUEST,
        }
    }

    pub fn echo_reply(self) -> u8 {
        match self {
            Family::V4 => V4_ECHO_REPLY,
            Family::V6 => V6_ECHO_REPLY,
        }
    }

    /// The error messages that quote the packet they are about. Source
    /// quench and redirect quote one too, but are advice, not a failure,
    /// and iputils does not count them either.
    pub fn is_error(self, kind: u8) -> bool {
        match self {
            Family::V4 => matches!(kind, V4_DEST_UNREACH | V4_TIME_EXCEEDED | V4_PARAM_PROBLEM),
            Family::V6 => {
                matches!(
                    kind,
                    V6_DEST_UNREACH | V6_PACKET_TOO_BIG | V6_TIME_EXCEEDED | V6_PARAM_PROBLEM
                )
            }
        }
    }
}

/// When a request was sent, by the wall clock, as iputils stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub secs: i64,
    pub micros: i64,
}

/// An echo request: the header, then a payload of `payload_len` bytes whose
/// byte `i` is `i` (iputils' pattern), the first 16 overwritten by `sent`
/// when the payload has room for it. IPv4 carries its checksum; ICMPv6's
/// covers a pseudo-header with addresses only the kernel knows, and Linux
/// fills it in for every ICMPv6 socket, so it is left zero here.
pub fn echo_request(
    family: Family,
    id: u16,
    seq: u16,
    payload_len: usize,
    sent: Timestamp,
) -> Vec<u8> {
    let mut packet = vec![0u8; HEADER_LEN + payload_len];
    packet[0] = family.echo_request();
    packet[4..6].copy_from_slice(&id.to_be_bytes());
    packet[6..8].copy_from_slice(&seq.to_be_bytes());
    for (i, byte) in packet[HEADER_LEN..].iter_mut().enumerate() {
        *byte = i as u8;
    }
    if payload_len >= TIMESTAMP_LEN {
        packet[8..16].copy_from_slice(&sent.secs.to_ne_bytes());
        packet[16..24].copy_from_slice(&sent.micros.to_ne_bytes());
    }
    if family == Family::V4 {
        let sum = checksum(&packet);
        packet[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    packet
}

/// The timestamp at the start of an echo payload, if it is long enough.
pub fn timestamp(payload: &[u8]) -> Option<Timestamp> {
    let secs = payload.get(0..8)?.try_into().ok()?;
    let micros = payload.get(8..16)?.try_into().ok()?;
    Some(Timestamp {
        secs: i64::from_ne_bytes(secs),
        micros: i64::from_ne_bytes(micros),
    })
}

/// The Internet checksum (RFC 1071) of `bytes`, ready to store big-endian.
pub fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut words = bytes.chunks_exact(2);
    for word in &mut words {
        sum += u64::from(u16::from_be_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        sum += u64::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Whether `bytes`, checksum field included, sum to the all-ones word.
pub fn checksum_ok(bytes: &[u8]) -> bool {
    checksum(bytes) == 0
}

/// Why bytes could not be read as the packet they were supposed to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    Short {
        what: &'static str,
        need: usize,
        got: usize,
    },
    Version {
        expected: u8,
        found: u8,
    },
    HeaderLength {
        header_len: usize,
        got: usize,
    },
    TotalLength {
        total_len: usize,
        got: usize,
    },
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Short { what, need, got } => {
                write!(f, "too short for {what}: {got} of {need} bytes")
            }
            Malformed::Version { expected, found } => {
                write!(f, "IP version {found} where {expected} was expected")
            }
            Malformed::HeaderLength { header_len, got } => {
                write!(
                    f,
                    "IPv4 header length {header_len} does not fit in {got} bytes"
                )
            }
            Malformed::TotalLength { total_len, got } => {
                write!(
                    f,
                    "IPv4 total length {total_len} does not match the {got} bytes received"
                )
            }
        }
    }
}

impl std::error::Error for Malformed {}

fn need(what: &'static str, bytes: &[u8], len: usize) -> Result<(), Malformed> {
    if bytes.len() < len {
        return Err(Malformed::Short {
            what,
            need: len,
            got: bytes.len(),
        });
    }
    Ok(())
}

/// An IPv4 header and the payload it frames.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Packet<'a> {
    /// Header and payload; at least `header_len` (>= 20) bytes.
    bytes: &'a [u8],
    header_len: usize,
}

impl<'a> Ipv4Packet<'a> {
    /// A whole packet as a raw socket delivers it: the total length must
    /// cover the header and fit in what arrived (trailing bytes are cut).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Malformed> {
        let header_len = Self::check_header(bytes)?;
        let total_len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if total_len < header_len || total_len > bytes.len() {
            return Err(Malformed::TotalLength {
                total_len,
                got: bytes.len(),
            });
        }
        Ok(Ipv4Packet {
            bytes: &bytes[..total_len],
            header_len,
        })
    }

    /// A packet quoted in an ICMP error: the router sends its header and as
    /// much of the payload as it chose, so the total length is not checked.
    pub fn parse_quoted(bytes: &'a [u8]) -> Result<Self, Malformed> {
        let header_len = Self::check_header(bytes)?;
        let total_len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        let end = total_len.clamp(header_len, bytes.len());
        Ok(Ipv4Packet {
            bytes: &bytes[..end],
            header_len,
        })
    }

    fn check_header(bytes: &[u8]) -> Result<usize, Malformed> {
        need("an IPv4 header", bytes, IPV4_HEADER_LEN)?;
        let version = bytes[0] >> 4;
        if version != 4 {
            return Err(Malformed::Version {
                expected: 4,
                found: version,
            });
        }
        let header_len = usize::from(bytes[0] & 0x0f) * 4;
        if header_len < IPV4_HEADER_LEN || header_len > bytes.len() {
            return Err(Malformed::HeaderLength {
                header_len,
                got: bytes.len(),
            });
        }
        Ok(header_len)
    }

    pub fn header_len(&self) -> usize {
        self.header_len
    }

    pub fn ttl(&self) -> u8 {
        self.bytes[8]
    }

    pub fn protocol(&self) -> u8 {
        self.bytes[9]
    }

    pub fn source(&self) -> Ipv4Addr {
        Ipv4Addr::new(
            self.bytes[12],
            self.bytes[13],
            self.bytes[14],
            self.bytes[15],
        )
    }

    pub fn destination(&self) -> Ipv4Addr {
        Ipv4Addr::new(
            self.bytes[16],
            self.bytes[17],
            self.bytes[18],
            self.bytes[19],
        )
    }

    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[self.header_len..]
    }
}

/// An IPv6 header and what follows it. Sockets never deliver one; it is
/// read only where an ICMPv6 error quotes the packet it is about, so the
/// payload is whatever follows, however little the router kept.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Packet<'a> {
    /// At least 40 bytes.
    bytes: &'a [u8],
}

impl<'a> Ipv6Packet<'a> {
    pub fn parse_quoted(bytes: &'a [u8]) -> Result<Self, Malformed> {
        need("an IPv6 header", bytes, IPV6_HEADER_LEN)?;
        let version = bytes[0] >> 4;
        if version != 6 {
            return Err(Malformed::Version {
                expected: 6,
                found: version,
            });
        }
        Ok(Ipv6Packet { bytes })
    }

    pub fn next_header(&self) -> u8 {
        self.bytes[6]
    }

    pub fn hop_limit(&self) -> u8 {
        self.bytes[7]
    }

    pub fn source(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.address(8))
    }

    pub fn destination(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.address(24))
    }

    fn address(&self, at: usize) -> [u8; 16] {
        let mut octets = [0u8; 16];
        octets.copy_from_slice(&self.bytes[at..at + 16]);
        octets
    }

    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[IPV6_HEADER_LEN..]
    }
}

/// An ICMP or ICMPv6 message: the 8-byte header and its body.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// At least `HEADER_LEN` bytes.
    bytes: &'a [u8],
}

impl<'a> Message<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Malformed> {
        need("an ICMP header", bytes, HEADER_LEN)?;
        Ok(Message { bytes })
    }

    pub fn kind(&self) -> u8 {
        self.bytes[0]
    }

    pub fn code(&self) -> u8 {
        self.bytes[1]
    }

    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.bytes[2], self.bytes[3]])
    }

    /// The echo identifier (meaningful in echo requests and replies).
    pub fn identifier(&self) -> u16 {
        u16::from_be_bytes([self.bytes[4], self.bytes[5]])
    }

    /// The echo sequence number (meaningful in echo requests and replies).
    pub fn sequence(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }

    /// Bytes 4..8 as one word: an error's MTU, pointer or gateway.
    pub fn rest(&self) -> u32 {
        u32::from_be_bytes([self.bytes[4], self.bytes[5], self.bytes[6], self.bytes[7]])
    }

    pub fn body(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..]
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// What the socket says about the bytes it delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    pub family: Family,
    /// An IPv4 header comes first (raw IPv4 sockets only).
    pub ip_header: bool,
    /// Our echo identifier; `None` where the kernel already matched it
    /// (Linux ICMP datagram sockets rewrite it and deliver only their own).
    pub id: Option<u16>,
}

/// An echo reply carrying our identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub id: u16,
    pub seq: u16,
    /// ICMP bytes, header included: what iputils prints as "N bytes".
    pub len: usize,
    /// From the IPv4 header when it came with one; else the caller reads
    /// the socket's `IP_TTL`/`IPV6_HOPLIMIT` control message.
    pub ttl: Option<u8>,
    pub source: Option<IpAddr>,
    /// The IPv4 checksum is wrong. ICMPv6 is never marked: Linux drops a
    /// bad ICMPv6 checksum before any socket sees the packet.
    pub corrupt: bool,
    pub sent: Option<Timestamp>,
}

/// The type, code and detail of an ICMP error, printed as iputils does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub family: Family,
    pub kind: u8,
    pub code: u8,
    /// The MTU of "fragmentation needed"/"packet too big", the pointer of a
    /// parameter problem, else 0; the same value Linux reports as `ee_info`
    /// on a socket's error queue.
    pub info: u32,
}

impl Notice {
    pub fn of(family: Family, message: &Message<'_>) -> Notice {
        let rest = message.rest();
        let info = match (family, message.kind()) {
            (Family::V4, V4_DEST_UNREACH) => rest & 0xffff,
            (Family::V4, V4_PARAM_PROBLEM) => rest >> 24,
            (Family::V6, V6_PACKET_TOO_BIG | V6_PARAM_PROBLEM) => rest,
            _ => 0,
        };
        Notice {
            family,
            kind: message.kind(),
            code: message.code(),
            info,
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Notice {
            kind, code, info, ..
        } = *self;
        match self.family {
            Family::V4 => match kind {
                V4_DEST_UNREACH => {
                    let text = match code {
                        0 => "Destination Net Unreachable",
                        1 => "Destination Host Unreachable",
                        2 => "Destination Protocol Unreachable",
                        3 => "Destination Port Unreachable",
                        4 => return write!(f, "Frag needed and DF set (mtu = {info})"),
                        5 => "Source Route Failed",
                        6 => "Destination Net Unknown",
                        7 => "Destination Host Unknown",
                        8 => "Source Host Isolated",
                        9 => "Destination Net Prohibited",
                        10 => "Destination Host Prohibited",
                        11 => "Destination Net Unreachable for Type of Service",
                        12 => "Destination Host Unreachable for Type of Service",
                        13 => "Packet filtered",
                        14 => "Precedence Violation",
                        15 => "Precedence Cutoff",
                        _ => return write!(f, "Dest Unreachable, Bad Code: {code}"),
                    };
                    f.write_str(text)
                }
                V4_TIME_EXCEEDED => match code {
                    0 => f.write_str("Time to live exceeded"),
                    1 => f.write_str("Frag reassembly time exceeded"),
                    _ => write!(f, "Time exceeded, Bad Code: {code}"),
                },
                V4_PARAM_PROBLEM => write!(f, "Parameter problem: pointer = {info}"),
                _ => write!(f, "Bad ICMP type: {kind}"),
            },
            Family::V6 => match kind {
                V6_DEST_UNREACH => {
                    f.write_str("Destination unreachable: ")?;
                    match code {
                        0 => f.write_str("No route"),
                        1 => f.write_str("Administratively prohibited"),
                        2 => f.write_str("Beyond scope of source address"),
                        3 => f.write_str("Address unreachable"),
                        4 => f.write_str("Port unreachable"),
                        5 => f.write_str("Source address failed ingress/egress policy"),
                        6 => f.write_str("Reject route to destination"),
                        _ => write!(f, "Unknown code {code}"),
                    }
                }
                V6_PACKET_TOO_BIG => {
                    write!(f, "Packet too big: mtu={info}")?;
                    if code != 0 {
                        write!(f, ", code={code}")?;
                    }
                    Ok(())
                }
                V6_TIME_EXCEEDED => match code {
                    0 => f.write_str("Time exceeded: Hop limit"),
                    1 => f.write_str("Time exceeded: Defragmentation failure"),
                    _ => write!(f, "Time exceeded: code {code}"),
                },
                V6_PARAM_PROBLEM => {
                    f.write_str("Parameter problem: ")?;
                    match code {
                        0 => f.write_str("Wrong header field ")?,
                        1 => f.write_str("Unknown header ")?,
                        2 => f.write_str("Unknown option ")?,
                        _ => write!(f, "code {code} ")?,
                    }
                    write!(f, "at {info}")
                }
                _ => write!(f, "unknown icmp type: {kind}"),
            },
        }
    }
}

/// An ICMP error about one of our echo requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub notice: Notice,
    /// Identifier and sequence of the request it quotes.
    pub id: u16,
    pub seq: u16,
    /// Where the quoted request was going.
    pub destination: IpAddr,
    /// Who sent the error, from the IPv4 header when it came with one.
    pub source: Option<IpAddr>,
}

/// What one datagram from an ICMP socket turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    Reply(Reply),
    Problem(Problem),
    /// Not ours, and why: a raw socket sees every ICMP packet the host gets.
    Foreign(&'static str),
}

/// Read one datagram from an ICMP socket.
pub fn classify(bytes: &[u8], expect: Expect) -> Result<Arrival, Malformed> {
    let family = expect.family;
    let (icmp, ttl, source) = if expect.ip_header {
        let ip = Ipv4Packet::parse(bytes)?;
        if ip.protocol() != PROTO_ICMP {
            return Ok(Arrival::Foreign("not an ICMP packet"));
        }
        (ip.payload(), Some(ip.ttl()), Some(IpAddr::V4(ip.source())))
    } else {
        (bytes, None, None)
    };
    let message = Message::parse(icmp)?;
    let corrupt = family == Family::V4 && !checksum_ok(icmp);
    let kind = message.kind();
    if kind == family.echo_reply() {
        if expect.id.is_some_and(|id| id != message.identifier()) {
            return Ok(Arrival::Foreign("an echo reply for another identifier"));
        }
        return Ok(Arrival::Reply(Reply {
            id: message.identifier(),
            seq: message.sequence(),
            len: message.len(),
            ttl,
            source,
            corrupt,
            sent: timestamp(message.body()),
        }));
    }
    if kind == family.echo_request() {
        return Ok(Arrival::Foreign("an echo request"));
    }
    if !family.is_error(kind) {
        return Ok(Arrival::Foreign("another ICMP type"));
    }
    if corrupt {
        return Ok(Arrival::Foreign("an ICMP error with a bad checksum"));
    }
    let (destination, quoted) = quoted_request(family, message.body())?;
    let Some(quoted) = quoted else {
        return Ok(Arrival::Foreign("an ICMP error about another protocol"));
    };
    if quoted.kind() != family.echo_request() {
        return Ok(Arrival::Foreign("an ICMP error about another ICMP message"));
    }
    if expect.id.is_some_and(|id| id != quoted.identifier()) {
        return Ok(Arrival::Foreign("an ICMP error about another identifier"));
    }
    Ok(Arrival::Problem(Problem {
        notice: Notice::of(family, &message),
        id: quoted.identifier(),
        seq: quoted.sequence(),
        destination,
        source,
    }))
}

/// The destination and ICMP header of the packet an error quotes; the
/// header is `None` when the quoted packet is not ICMP.
fn quoted_request(family: Family, body: &[u8]) -> Result<(IpAddr, Option<Message<'_>>), Malformed> {
    let (destination, protocol, payload) = match family {
        Family::V4 => {
            let ip = Ipv4Packet::parse_quoted(body)?;
            (IpAddr::V4(ip.destination()), ip.protocol(), ip.payload())
        }
        Family::V6 => {
            let ip = Ipv6Packet::parse_quoted(body)?;
            (IpAddr::V6(ip.destination()), ip.next_header(), ip.payload())
        }
    };
    let icmp = match family {
        Family::V4 => PROTO_ICMP,
        Family::V6 => PROTO_ICMPV6,
    };
    if protocol != icmp {
        return Ok((destination, None));
    }
    Ok((destination, Some(Message::parse(payload)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(text: &str) -> Vec<u8> {
        let text: String = text.split_whitespace().collect();
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    // Captured with a raw socket while iputils 20221126 pinged 127.0.0.1
    // with -s 56 (id 0x2f26, seq 1), in a network namespace.
    const V4_REQUEST: &str = "45000054534f40004001e9577f0000017f000001
        0800f7ac2f260001c621076b000000003acc0a0000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    const V4_REPLY: &str = "4500005453500000400129577f0000017f000001
        0000ffac2f260001c621076b000000003acc0a0000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    // The same with -s 20 -t 33.
    const V4_REQUEST_TTL33: &str = "45000030535140002101087a7f0000017f000001
        0800f84c2f270001c621076b00000000d6d90a000000000010111213";
    // 10.9.0.1 answering a request to 10.9.0.2 whose ARP went unanswered.
    const V4_HOST_UNREACHABLE: &str = "45c0007068f500004001fcc40a0900010a090001
        0301fcfe00000000
        450000547f2140004001a7730a0900010a090002
        080022f02fb40001d221076b0000000000fb0c0000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    // ICMPv6 from a raw socket: no IP header. iputils to ::1, id 0x2f81.
    const V6_REQUEST: &str = "8000b6882f810001ce21076b00000000f9180c0000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    const V6_REPLY: &str = "8100b5882f810001ce21076b00000000f9180c0000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    // fd00:9::1 answering a request to fd00:9::2 whose neighbour
    // solicitation went unanswered.
    const V6_ADDRESS_UNREACHABLE: &str = "0103c11800000000
        600ba91200403a40fd000009000000000000000000000001fd000009000000000000000000000002
        800029b230030001d721076b000000008e58000000000000
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    const RAW_V4: Expect = Expect {
        family: Family::V4,
        ip_header: true,
        id: None,
    };
    const RAW_V6: Expect = Expect {
        family: Family::V6,
        ip_header: false,
        id: None,
    };

    #[test]
    fn builds_the_request_iputils_sent() {
        let captured = hex(V4_REQUEST);
        let sent = Timestamp {
            secs: 0x6b07_21c6,
            micros: 0x0a_cc3a,
        };
        let built = echo_request(Family::V4, 0x2f26, 1, 56, sent);
        assert_eq!(
            built,
            captured[20..],
            "checksum f7ac, timestamp, then 0x10 0x11 …"
        );
        assert!(checksum_ok(&built));
    }

    #[test]
    fn small_payloads_carry_the_pattern_without_a_timestamp() {
        let built = echo_request(Family::V4, 7, 9, 4, Timestamp { secs: 1, micros: 2 });
        assert_eq!(built[8..], [0, 1, 2, 3]);
        assert!(checksum_ok(&built));
        assert_eq!(timestamp(&built[8..]), None);
        let empty = echo_request(Family::V4, 7, 9, 0, Timestamp::default());
        assert_eq!(empty.len(), HEADER_LEN);
        assert!(checksum_ok(&empty));
    }

    #[test]
    fn v6_requests_leave_the_checksum_to_the_kernel() {
        let built = echo_request(
            Family::V6,
            0x2f81,
            1,
            56,
            Timestamp {
                secs: 0x6b07_21ce,
                micros: 0x0c_18f9,
            },
        );
        let mut captured = hex(V6_REQUEST);
        captured[2..4].copy_from_slice(&[0, 0]);
        assert_eq!(built, captured);
    }

    #[test]
    fn checksum_of_known_words() {
        // RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2.
        assert_eq!(
            checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            !0xddf2
        );
        assert_eq!(checksum(&[]), 0xffff);
        // An odd length pads with a zero byte.
        assert_eq!(checksum(&[0x01]), !0x0100);
    }

    #[test]
    fn ipv4_header_fields() {
        let bytes = hex(V4_REQUEST);
        let ip = Ipv4Packet::parse(&bytes).expect("parse");
        assert_eq!(ip.header_len(), 20);
        assert_eq!(ip.ttl(), 64);
        assert_eq!(ip.protocol(), 1);
        assert_eq!(ip.source(), Ipv4Addr::LOCALHOST);
        assert_eq!(ip.destination(), Ipv4Addr::LOCALHOST);
        assert_eq!(ip.payload().len(), 64);
        let bytes = hex(V4_REQUEST_TTL33);
        let ip = Ipv4Packet::parse(&bytes).expect("parse");
        assert_eq!(ip.ttl(), 33);
        assert_eq!(ip.payload().len(), 28);
    }

    #[test]
    fn ipv4_lengths_are_checked() {
        let mut bytes = hex(V4_REPLY);
        assert!(matches!(
            Ipv4Packet::parse(&bytes[..19]),
            Err(Malformed::Short { .. })
        ));
        assert!(matches!(
            Ipv4Packet::parse(&bytes[..83]),
            Err(Malformed::TotalLength { .. })
        ));
        bytes.push(0xee); // link padding past the total length is cut
        assert_eq!(
            Ipv4Packet::parse(&bytes).expect("parse").payload().len(),
            64
        );
        bytes[2..4].copy_from_slice(&[0, 19]); // total length inside the header
        assert!(matches!(
            Ipv4Packet::parse(&bytes),
            Err(Malformed::TotalLength { .. })
        ));
        bytes[2..4].copy_from_slice(&[0, 84]);
        bytes[0] = 0x4f; // IHL 60: options, fits
        assert_eq!(
            Ipv4Packet::parse(&bytes).expect("parse").payload().len(),
            24
        );
        bytes[0] = 0x44; // IHL 16 bytes: below the minimum
        assert!(matches!(
            Ipv4Packet::parse(&bytes),
            Err(Malformed::HeaderLength { .. })
        ));
        bytes[0] = 0x65;
        assert_eq!(
            Ipv4Packet::parse(&bytes).err(),
            Some(Malformed::Version {
                expected: 4,
                found: 6
            })
        );
    }

    #[test]
    fn reads_an_echo_reply_from_a_raw_ipv4_socket() {
        let bytes = hex(V4_REPLY);
        let expect = Expect {
            id: Some(0x2f26),
            ..RAW_V4
        };
        let Ok(Arrival::Reply(reply)) = classify(&bytes, expect) else {
            panic!("not a reply")
        };
        assert_eq!(
            (reply.id, reply.seq, reply.len, reply.ttl),
            (0x2f26, 1, 64, Some(64))
        );
        assert_eq!(reply.source, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(!reply.corrupt);
        assert_eq!(
            reply.sent,
            Some(Timestamp {
                secs: 0x6b07_21c6,
                micros: 0x0a_cc3a
            })
        );
    }

    #[test]
    fn someone_elses_packets_are_foreign() {
        let reply = hex(V4_REPLY);
        let other = Expect {
            id: Some(0x1234),
            ..RAW_V4
        };
        assert!(matches!(classify(&reply, other), Ok(Arrival::Foreign(_))));
        // A raw socket also sees our own request to 127.0.0.1.
        assert!(matches!(
            classify(&hex(V4_REQUEST), RAW_V4),
            Ok(Arrival::Foreign("an echo request"))
        ));
        assert!(matches!(
            classify(&hex(V6_REQUEST), RAW_V6),
            Ok(Arrival::Foreign(_))
        ));
        // Neighbour solicitation (type 135) reaches every ICMPv6 raw socket.
        let mut ns = hex(V6_REPLY);
        ns[0] = 135;
        assert!(matches!(
            classify(&ns, RAW_V6),
            Ok(Arrival::Foreign("another ICMP type"))
        ));
    }

    #[test]
    fn a_bad_checksum_is_marked() {
        let mut bytes = hex(V4_REPLY);
        bytes[40] ^= 0xff;
        let Ok(Arrival::Reply(reply)) = classify(&bytes, RAW_V4) else {
            panic!("not a reply")
        };
        assert!(reply.corrupt);
    }

    #[test]
    fn datagram_sockets_deliver_bare_icmp() {
        let bytes = hex(V4_REPLY);
        let dgram = Expect {
            family: Family::V4,
            ip_header: false,
            id: None,
        };
        let Ok(Arrival::Reply(reply)) = classify(&bytes[20..], dgram) else {
            panic!("not a reply")
        };
        assert_eq!(
            (reply.seq, reply.len, reply.ttl, reply.source),
            (1, 64, None, None)
        );
        // Told there is an IP header, bare ICMP is rejected, never guessed at.
        assert!(classify(&bytes[20..], RAW_V4).is_err());
    }

    #[test]
    fn reads_a_host_unreachable_error() {
        let bytes = hex(V4_HOST_UNREACHABLE);
        let expect = Expect {
            id: Some(0x2fb4),
            ..RAW_V4
        };
        let Ok(Arrival::Problem(problem)) = classify(&bytes, expect) else {
            panic!("not a problem")
        };
        assert_eq!((problem.id, problem.seq), (0x2fb4, 1));
        assert_eq!(
            problem.destination,
            "10.9.0.2".parse::<IpAddr>().expect("addr")
        );
        assert_eq!(problem.source, Some("10.9.0.1".parse().expect("addr")));
        assert_eq!(
            problem.notice,
            Notice {
                family: Family::V4,
                kind: 3,
                code: 1,
                info: 0
            }
        );
        assert_eq!(problem.notice.to_string(), "Destination Host Unreachable");
        let other = Expect {
            id: Some(0x2fb5),
            ..RAW_V4
        };
        assert!(matches!(classify(&bytes, other), Ok(Arrival::Foreign(_))));
        // Cut inside the quoted ICMP header: malformed, not a panic.
        assert!(classify(&bytes[..20 + 8 + 20 + 7], RAW_V4).is_err());
    }

    #[test]
    fn reads_icmpv6_replies_and_errors() {
        let reply = hex(V6_REPLY);
        let expect = Expect {
            id: Some(0x2f81),
            ..RAW_V6
        };
        let Ok(Arrival::Reply(r)) = classify(&reply, expect) else {
            panic!("not a reply")
        };
        assert_eq!(
            (r.id, r.seq, r.len, r.ttl, r.corrupt),
            (0x2f81, 1, 64, None, false)
        );

        let error = hex(V6_ADDRESS_UNREACHABLE);
        let expect = Expect {
            id: Some(0x3003),
            ..RAW_V6
        };
        let Ok(Arrival::Problem(p)) = classify(&error, expect) else {
            panic!("not a problem")
        };
        assert_eq!((p.id, p.seq), (0x3003, 1));
        assert_eq!(p.destination, "fd00:9::2".parse::<IpAddr>().expect("addr"));
        assert_eq!(
            p.notice.to_string(),
            "Destination unreachable: Address unreachable"
        );
        let quoted = Ipv6Packet::parse_quoted(&error[8..]).expect("quoted");
        assert_eq!((quoted.next_header(), quoted.hop_limit()), (58, 64));
        assert_eq!(
            quoted.source(),
            "fd00:9::1".parse::<Ipv6Addr>().expect("addr")
        );
    }

    #[test]
    fn notices_read_like_iputils() {
        let v4 = |kind, code, info| {
            Notice {
                family: Family::V4,
                kind,
                code,
                info,
            }
            .to_string()
        };
        let v6 = |kind, code, info| {
            Notice {
                family: Family::V6,
                kind,
                code,
                info,
            }
            .to_string()
        };
        assert_eq!(v4(3, 0, 0), "Destination Net Unreachable");
        assert_eq!(v4(3, 4, 1400), "Frag needed and DF set (mtu = 1400)");
        assert_eq!(v4(3, 13, 0), "Packet filtered");
        assert_eq!(v4(3, 99, 0), "Dest Unreachable, Bad Code: 99");
        assert_eq!(v4(11, 0, 0), "Time to live exceeded");
        assert_eq!(v4(12, 0, 20), "Parameter problem: pointer = 20");
        assert_eq!(v6(2, 0, 1280), "Packet too big: mtu=1280");
        assert_eq!(v6(3, 0, 0), "Time exceeded: Hop limit");
        assert_eq!(v6(4, 1, 40), "Parameter problem: Unknown header at 40");
        assert_eq!(v6(1, 9, 0), "Destination unreachable: Unknown code 9");
    }

    #[test]
    fn notice_info_comes_from_the_right_bytes() {
        let frag = [3, 4, 0, 0, 0, 0, 0x05, 0x78];
        let msg = Message::parse(&frag).expect("parse");
        assert_eq!(Notice::of(Family::V4, &msg).info, 1400);
        let pointer = [12, 0, 0, 0, 20, 0, 0, 0];
        let msg = Message::parse(&pointer).expect("parse");
        assert_eq!(Notice::of(Family::V4, &msg).info, 20);
        let too_big = [2, 0, 0, 0, 0, 0, 0x05, 0x00];
        let msg = Message::parse(&too_big).expect("parse");
        assert_eq!(Notice::of(Family::V6, &msg).info, 1280);
    }

    #[test]
    fn every_cut_of_every_capture_is_handled() {
        let captures = [
            V4_REQUEST,
            V4_REPLY,
            V4_REQUEST_TTL33,
            V4_HOST_UNREACHABLE,
            V6_REQUEST,
            V6_REPLY,
            V6_ADDRESS_UNREACHABLE,
        ];
        for capture in captures {
            let bytes = hex(capture);
            for len in 0..=bytes.len() {
                for v6 in [false, true] {
                    for ip_header in [false, true] {
                        let family = if v6 { Family::V6 } else { Family::V4 };
                        let _ = classify(
                            &bytes[..len],
                            Expect {
                                family,
                                ip_header,
                                id: None,
                            },
                        );
                    }
                }
            }
        }
    }

    fn any_expect() -> impl Strategy<Value = Expect> {
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(any::<u16>()),
        )
            .prop_map(|(v6, ip_header, id)| Expect {
                family: if v6 { Family::V6 } else { Family::V4 },
                ip_header,
                id,
            })
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), expect in any_expect()) {
            let _ = classify(&bytes, expect);
            if let Ok(ip) = Ipv4Packet::parse(&bytes) {
                let _ = (ip.ttl(), ip.protocol(), ip.source(), ip.destination(), ip.payload());
            }
            if let Ok(ip) = Ipv4Packet::parse_quoted(&bytes) {
                let _ = (ip.ttl(), ip.protocol(), ip.source(), ip.destination(), ip.payload());
            }
            if let Ok(ip) = Ipv6Packet::parse_quoted(&bytes) {
                let _ = (ip.next_header(), ip.hop_limit(), ip.source(), ip.destination(), ip.payload());
            }
            if let Ok(msg) = Message::parse(&bytes) {
                let _ = (msg.kind(), msg.code(), msg.checksum(), msg.rest(), msg.body());
                let _ = Notice::of(expect.family, &msg).to_string();
            }
            let _ = timestamp(&bytes);
        }

        // Random bytes rarely look like packets, so also mutate a real one.
        #[test]
        fn mutated_errors_never_panic(at in 0usize..120, byte in any::<u8>(), cut in 0usize..120) {
            let mut bytes = hex(V4_HOST_UNREACHABLE);
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes.truncate(cut.max(1));
            let _ = classify(&bytes, RAW_V4);
        }

        #[test]
        fn requests_round_trip(id in any::<u16>(), seq in any::<u16>(), len in 0usize..300, secs in any::<i64>(), micros in 0i64..1_000_000) {
            let sent = Timestamp { secs, micros };
            let mut packet = echo_request(Family::V4, id, seq, len, sent);
            prop_assert!(checksum_ok(&packet));
            // Turn it into the reply a host would send: type 0, checksum adjusted.
            packet[0] = 0;
            packet[2..4].copy_from_slice(&[0, 0]);
            let sum = checksum(&packet);
            packet[2..4].copy_from_slice(&sum.to_be_bytes());
            let dgram = Expect { family: Family::V4, ip_header: false, id: Some(id) };
            let Ok(Arrival::Reply(reply)) = classify(&packet, dgram) else { panic!("not a reply") };
            prop_assert_eq!((reply.id, reply.seq, reply.len, reply.corrupt), (id, seq, len + 8, false));
            prop_assert_eq!(reply.sent, (len >= TIMESTAMP_LEN).then_some(sent));
        }
    }
}

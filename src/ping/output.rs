//! What `ping` prints and the counts behind it: iputils ping's lines, word
//! for word (those of iputils 20221126: `PING ::1(::1) 56 data bytes`), or
//! one JSON object per line with `--json`. The statistics are kept in whole
//! microseconds and summed with iputils' own integer arithmetic, so the
//! same round trips give the same `rtt` line. Which names appear is
//! `names`' business; this file only places them.

use std::fmt;
use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use serde_json::Value;

use crate::icmp::Notice;

/// Counts for the summary, named as iputils names them.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub transmitted: u64,
    /// Distinct replies; duplicates are counted apart.
    pub received: u64,
    pub duplicates: u64,
    /// Replies to our requests whose checksum was wrong; not received.
    pub corrupted: u64,
    /// ICMP errors about our requests, and local errors.
    pub errors: u64,
    pub rtt: Rtt,
}

impl Stats {
    pub fn record(&mut self, rtt: Duration, duplicate: bool) {
        if duplicate {
            self.duplicates += 1;
        } else {
            self.received += 1;
        }
        self.rtt.add(micros(rtt));
    }
}

/// Round trips of replies and duplicates alike (iputils averages over both).
#[derive(Debug, Default, Clone)]
pub struct Rtt {
    count: u64,
    min: u64,
    max: u64,
    sum: u64,
    sum_squares: u128,
}

/// min, avg, max and mdev in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RttSummary {
    pub min: u64,
    pub avg: u64,
    pub max: u64,
    pub mdev: u64,
}

impl Rtt {
    pub fn add(&mut self, us: u64) {
        self.min = if self.count == 0 {
            us
        } else {
            self.min.min(us)
        };
        self.max = self.max.max(us);
        self.count += 1;
        self.sum += us;
        self.sum_squares += u128::from(us) * u128::from(us);
    }

    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max)
    }

    /// iputils' `finish()`: mdev is the integer square root of the integer
    /// variance, computed in the order that keeps small times exact.
    pub fn summary(&self) -> Option<RttSummary> {
        if self.count == 0 {
            return None;
        }
        let total = u128::from(self.count);
        let sum = u128::from(self.sum);
        let avg = sum / total;
        let variance = if sum < i32::MAX as u128 {
            self.sum_squares.saturating_sub(sum * sum / total) / total
        } else {
            (self.sum_squares / total).saturating_sub(avg * avg)
        };
        Some(RttSummary {
            min: self.min,
            avg: avg as u64,
            max: self.max,
            mdev: isqrt(variance) as u64,
        })
    }
}

fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Milliseconds with three decimals from microseconds: `0.045`.
pub fn ms3(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// A reply's `time=`, as iputils rounds it: three significant decimals
/// below 1 ms, fewer above (`0.045`, `1.23`, `12.3`, `123`), rounding
/// half up as its integer arithmetic does.
pub fn reply_ms(us: u64) -> String {
    if us >= 100_000 - 50 {
        format!("{}", (us + 500) / 1000)
    } else if us >= 10_000 - 5 {
        format!("{}.{}", (us + 50) / 1000, (us + 50) % 1000 / 100)
    } else if us >= 1000 {
        format!("{}.{:02}", (us + 5) / 1000, (us + 5) % 1000 / 10)
    } else {
        ms3(us)
    }
}

/// iputils' packet loss: `%g` of the percentage rounded to a C `float`.
pub fn loss_percent(transmitted: u64, received: u64) -> String {
    let lost = transmitted.saturating_sub(received) as f64;
    let value = f64::from((lost * 100.0 / transmitted as f64) as f32);
    format_g(value)
}

/// printf's `%g`: six significant digits, trailing zeros dropped,
/// exponent form below 1e-4 and from 1e6.
pub fn format_g(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let scientific = format!("{value:.5e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return scientific;
    };
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim_zeros(mantissa), exponent.abs());
    }
    let decimals = (5 - exponent) as usize;
    trim_zeros(&format!("{value:.decimals$}")).to_string()
}

fn trim_zeros(number: &str) -> &str {
    if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    }
}

/// An address as iputils prints it: `name (addr)` for a host given by
/// name, else the address alone.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    /// The address in numbers (an IPv6 link-local one with its zone).
    pub addr: &'a str,
    /// Its reverse name; looked up only when HOST was given by name.
    pub name: Option<&'a str>,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => write!(f, "{name} ({})", self.addr),
            None => f.write_str(self.addr),
        }
    }
}

/// One echo reply, as printed.
pub struct ReplyLine<'a> {
    pub from: Shown<'a>,
    pub bytes: usize,
    pub seq: u16,
    pub ttl: Option<u8>,
    pub rtt: Duration,
    pub duplicate: bool,
}

/// The whole run, as summarized.
pub struct SummaryLine<'a> {
    pub stats: &'a Stats,
    pub address: IpAddr,
    /// From the start to the last request sent, as iputils measures it.
    pub elapsed: Duration,
}

/// Where `ping` writes: text as iputils does, or JSON lines; `-q` keeps
/// only the header and the summary.
pub struct Output<W: Write> {
    pub out: W,
    pub json: bool,
    pub quiet: bool,
    /// HOST as the user typed it, control bytes escaped (JSON's "host").
    pub host: String,
    /// HOST as the header and summary name it: for an IPv4 host given by
    /// name its canonical name, as iputils prints it; else `host`.
    pub name: String,
}

impl<W: Write> Output<W> {
    /// `PING host (addr) 56(84) bytes of data.`; IPv6 has no IP header
    /// count, no space before its parenthesis, and shows the target as
    /// replies show their sender: `PING ::1(::1) 56 data bytes`, `PING
    /// localhost(localhost (::1)) 56 data bytes`. `-I` adds `from SRC DEV: `.
    pub fn header(
        &mut self,
        address: IpAddr,
        target: Shown<'_>,
        size: usize,
        from: Option<(IpAddr, &str)>,
    ) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        let mut line = match address {
            IpAddr::V4(_) => format!("PING {} ({address}) ", self.name),
            IpAddr::V6(_) => format!("PING {}({target}) ", self.name),
        };
        if let Some((source, device)) = from {
            line.push_str(&format!("from {source} {device}: "));
        }
        match address {
            IpAddr::V4(_) => line.push_str(&format!("{size}({}) bytes of data.", size + 28)),
            IpAddr::V6(_) => line.push_str(&format!("{size} data bytes")),
        }
        writeln!(self.out, "{line}")
    }

    pub fn reply(&mut self, reply: &ReplyLine<'_>) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let us = micros(reply.rtt);
        if self.json {
            let object = object(&[
                ("type", "reply".into()),
                ("host", self.host.as_str().into()),
                ("from", reply.from.addr.into()),
                ("bytes", reply.bytes.into()),
                ("icmp_seq", reply.seq.into()),
                ("ttl", reply.ttl.into()),
                ("time_ms", millis(us)),
                ("duplicate", reply.duplicate.into()),
            ]);
            return writeln!(self.out, "{object}");
        }
        let mut line = format!(
            "{} bytes from {}: icmp_seq={}",
            reply.bytes, reply.from, reply.seq
        );
        if let Some(ttl) = reply.ttl {
            line.push_str(&format!(" ttl={ttl}"));
        }
        line.push_str(&format!(" time={} ms", reply_ms(us)));
        if reply.duplicate {
            line.push_str(" (DUP!)");
        }
        writeln!(self.out, "{line}")
    }

    /// `From 10.9.0.1 icmp_seq=1 Destination Host Unreachable`.
    pub fn problem(&mut self, from: Shown<'_>, seq: u16, notice: Notice) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            let object = object(&[
                ("type", "error".into()),
                ("host", self.host.as_str().into()),
                ("from", from.addr.into()),
                ("icmp_seq", seq.into()),
                ("icmp_type", notice.kind.into()),
                ("icmp_code", notice.code.into()),
                ("message", notice.to_string().into()),
            ]);
            return writeln!(self.out, "{object}");
        }
        writeln!(self.out, "From {from} icmp_seq={seq} {notice}")
    }

    pub fn summary(&mut self, summary: &SummaryLine<'_>) -> io::Result<()> {
        let stats = summary.stats;
        let elapsed_ms = (summary.elapsed.as_micros() + 500) / 1000;
        let rtt = if stats.received > 0 {
            stats.rtt.summary()
        } else {
            None
        };
        if self.json {
            let rtt_field = |pick: fn(&RttSummary) -> u64| {
                rtt.as_ref().map_or(Value::Null, |r| millis(pick(r)))
            };
            let object = object(&[
                ("type", "summary".into()),
                ("host", self.host.as_str().into()),
                ("address", summary.address.to_string().into()),
                ("transmitted", stats.transmitted.into()),
                ("received", stats.received.into()),
                ("duplicates", stats.duplicates.into()),
                ("corrupted", stats.corrupted.into()),
                ("errors", stats.errors.into()),
                ("loss_percent", loss_value(stats).into()),
                ("time_ms", (elapsed_ms as u64).into()),
                ("rtt_min_ms", rtt_field(|r| r.min)),
                ("rtt_avg_ms", rtt_field(|r| r.avg)),
                ("rtt_max_ms", rtt_field(|r| r.max)),
                ("rtt_mdev_ms", rtt_field(|r| r.mdev)),
            ]);
            return writeln!(self.out, "{object}");
        }
        let mut line = format!(
            "{} packets transmitted, {} received",
            stats.transmitted, stats.received
        );
        for (count, what) in [
            (stats.duplicates, "duplicates"),
            (stats.corrupted, "corrupted"),
            (stats.errors, "errors"),
        ] {
            if count > 0 {
                line.push_str(&format!(", +{count} {what}"));
            }
        }
        if stats.transmitted > 0 {
            let loss = loss_percent(stats.transmitted, stats.received);
            line.push_str(&format!(", {loss}% packet loss, time {elapsed_ms}ms"));
        }
        writeln!(self.out, "\n--- {} ping statistics ---\n{line}", self.name)?;
        // iputils ends the block with a newline whether or not an rtt line came.
        match rtt {
            Some(r) => {
                let (min, avg, max, mdev) = (ms3(r.min), ms3(r.avg), ms3(r.max), ms3(r.mdev));
                writeln!(
                    self.out,
                    "rtt min/avg/max/mdev = {min}/{avg}/{max}/{mdev} ms"
                )
            }
            None => writeln!(self.out),
        }
    }
}

/// One JSON object, its keys in the order given ("type" first) rather than
/// in the sorted order of serde_json's own map.
fn object(fields: &[(&str, Value)]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(*key)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// Milliseconds as a JSON number with microsecond precision: `0.045`.
fn millis(us: u64) -> Value {
    (us as f64 / 1000.0).into()
}

fn loss_value(stats: &Stats) -> f64 {
    if stats.transmitted == 0 {
        return 0.0;
    }
    let lost = stats.transmitted.saturating_sub(stats.received) as f64;
    (lost * 100.0 / stats.transmitted as f64 * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::icmp::Family;

    fn output(json: bool, quiet: bool) -> Output<Vec<u8>> {
        Output {
            out: Vec::new(),
            json,
            quiet,
            host: "localhost".into(),
            name: "localhost".into(),
        }
    }

    fn text(out: Output<Vec<u8>>) -> String {
        String::from_utf8(out.out).expect("utf-8")
    }

    #[test]
    fn loss_reads_like_printf_g() {
        assert_eq!(loss_percent(3, 3), "0");
        assert_eq!(loss_percent(2, 0), "100");
        assert_eq!(loss_percent(3, 2), "33.3333");
        assert_eq!(loss_percent(3, 1), "66.6667");
        assert_eq!(loss_percent(7, 6), "14.2857");
        assert_eq!(loss_percent(4, 3), "25");
        assert_eq!(loss_percent(10_000_000, 9_999_999), "1e-05");
        assert_eq!(format_g(123456.7), "123457");
        assert_eq!(format_g(1234567.0), "1.23457e+06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(99.99999), "100");
    }

    #[test]
    fn rtt_matches_iputils_arithmetic() {
        // iputils printed 0.053/0.063/0.074/0.010 for replies of 74 and 53 µs.
        let mut rtt = Rtt::default();
        rtt.add(74);
        rtt.add(53);
        assert_eq!(
            rtt.summary(),
            Some(RttSummary {
                min: 53,
                avg: 63,
                max: 74,
                mdev: 10
            })
        );
        let mut one = Rtt::default();
        one.add(49);
        assert_eq!(
            one.summary(),
            Some(RttSummary {
                min: 49,
                avg: 49,
                max: 49,
                mdev: 0
            })
        );
        assert_eq!(Rtt::default().summary(), None);
        assert_eq!(isqrt(99), 9);
        assert_eq!(isqrt(100), 10);
        assert_eq!(isqrt(u128::from(u64::MAX)), u128::from(u32::MAX));
    }

    fn numeric(addr: &str) -> Shown<'_> {
        Shown { addr, name: None }
    }

    #[test]
    fn text_lines_are_iputils_lines() {
        let mut out = output(false, false);
        let v4 = "127.0.0.1".parse().expect("addr");
        out.header(v4, numeric("127.0.0.1"), 56, None)
            .expect("write");
        out.header(v4, numeric("127.0.0.1"), 100, Some((v4, "lo")))
            .expect("write");
        let reply = ReplyLine {
            from: numeric("127.0.0.1"),
            bytes: 64,
            seq: 1,
            ttl: Some(64),
            rtt: Duration::from_micros(45),
            duplicate: false,
        };
        out.reply(&reply).expect("write");
        out.reply(&ReplyLine {
            duplicate: true,
            rtt: Duration::from_micros(1234),
            ..reply
        })
        .expect("write");
        let notice = Notice {
            family: Family::V4,
            kind: 3,
            code: 1,
            info: 0,
        };
        out.problem(numeric("10.9.0.1"), 2, notice).expect("write");
        let mut stats = Stats {
            transmitted: 3,
            errors: 1,
            ..Stats::default()
        };
        stats.record(Duration::from_micros(45), false);
        stats.record(Duration::from_micros(1234), true);
        let summary = SummaryLine {
            stats: &stats,
            address: v4,
            elapsed: Duration::from_micros(2_003_400),
        };
        out.summary(&summary).expect("write");
        assert_eq!(
            text(out),
            "PING localhost (127.0.0.1) 56(84) bytes of data.\n\
             PING localhost (127.0.0.1) from 127.0.0.1 lo: 100(128) bytes of data.\n\
             64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n\
             64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=1.23 ms (DUP!)\n\
             From 10.9.0.1 icmp_seq=2 Destination Host Unreachable\n\
             \n\
             --- localhost ping statistics ---\n\
             3 packets transmitted, 1 received, +1 duplicates, +1 errors, 66.6667% packet loss, time 2003ms\n\
             rtt min/avg/max/mdev = 0.045/0.639/1.234/0.594 ms\n"
        );
    }

    /// As iputils 20221126 printed them for `ping ::1`, `ping ip6-loopback`
    /// (::1 named ip6-localhost) and `ping v4alias` (127.0.0.1 named
    /// v4alias-canon first, then localhost by its reverse lookup).
    #[test]
    fn names_are_placed_as_iputils_places_them() {
        let v6 = "::1".parse().expect("addr");
        let mut out = output(false, false);
        out.host = "::1".into();
        out.name = "::1".into();
        out.header(v6, numeric("::1"), 56, None).expect("write");
        let mut reply = ReplyLine {
            from: numeric("::1"),
            bytes: 64,
            seq: 1,
            ttl: Some(64),
            rtt: Duration::from_micros(68),
            duplicate: false,
        };
        out.reply(&reply).expect("write");
        out.host = "ip6-loopback".into();
        out.name = "ip6-loopback".into();
        let named = Shown {
            addr: "::1",
            name: Some("ip6-localhost"),
        };
        out.header(v6, named, 56, None).expect("write");
        reply.from = named;
        out.reply(&reply).expect("write");
        out.host = "v4alias".into();
        out.name = "v4alias-canon".into();
        let v4 = "127.0.0.1".parse().expect("addr");
        let named = Shown {
            addr: "127.0.0.1",
            name: Some("localhost"),
        };
        out.header(v4, named, 56, None).expect("write");
        reply.from = named;
        out.reply(&reply).expect("write");
        let notice = Notice {
            family: Family::V4,
            kind: 11,
            code: 0,
            info: 0,
        };
        let router = Shown {
            addr: "10.9.0.1",
            name: Some("gw.example"),
        };
        out.problem(router, 2, notice).expect("write");
        let stats = Stats {
            transmitted: 1,
            ..Stats::default()
        };
        let summary = SummaryLine {
            stats: &stats,
            address: v4,
            elapsed: Duration::ZERO,
        };
        out.summary(&summary).expect("write");
        assert_eq!(
            text(out),
            "PING ::1(::1) 56 data bytes\n\
             64 bytes from ::1: icmp_seq=1 ttl=64 time=0.068 ms\n\
             PING ip6-loopback(ip6-localhost (::1)) 56 data bytes\n\
             64 bytes from ip6-localhost (::1): icmp_seq=1 ttl=64 time=0.068 ms\n\
             PING v4alias-canon (127.0.0.1) 56(84) bytes of data.\n\
             64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=0.068 ms\n\
             From gw.example (10.9.0.1) icmp_seq=2 Time to live exceeded\n\
             \n\
             --- v4alias-canon ping statistics ---\n\
             1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n"
        );
    }

    #[test]
    fn reply_times_are_rounded_as_iputils_rounds_them() {
        for (us, shown) in [
            (0, "0.000"),
            (45, "0.045"),
            (999, "0.999"),
            (1000, "1.00"),
            (1234, "1.23"),
            (1235, "1.24"),
            (9994, "9.99"),
            (9995, "10.0"),
            (12_345, "12.3"),
            (12_350, "12.4"),
            (99_949, "99.9"),
            (99_950, "100"),
            (123_456, "123"),
            (1_234_567, "1235"),
        ] {
            assert_eq!(reply_ms(us), shown, "{us} µs");
        }
    }

    #[test]
    fn a_summary_without_replies_ends_with_an_empty_line() {
        let mut out = output(false, true);
        let stats = Stats {
            transmitted: 2,
            ..Stats::default()
        };
        let summary = SummaryLine {
            stats: &stats,
            address: "127.0.0.1".parse().expect("addr"),
            elapsed: Duration::from_millis(1002),
        };
        out.summary(&summary).expect("write");
        assert_eq!(
            text(out),
            "\n--- localhost ping statistics ---\n\
             2 packets transmitted, 0 received, 100% packet loss, time 1002ms\n\n"
        );
    }

    #[test]
    fn quiet_keeps_only_header_and_summary() {
        let mut out = output(false, true);
        let reply = ReplyLine {
            from: numeric("::1"),
            bytes: 64,
            seq: 1,
            ttl: None,
            rtt: Duration::ZERO,
            duplicate: false,
        };
        out.reply(&reply).expect("write");
        out.problem(
            numeric("::1"),
            1,
            Notice {
                family: Family::V6,
                kind: 1,
                code: 3,
                info: 0,
            },
        )
        .expect("write");
        assert!(out.out.is_empty());
    }

    #[test]
    fn json_lines_parse() {
        let mut out = output(true, false);
        out.header(
            "127.0.0.1".parse().expect("addr"),
            numeric("127.0.0.1"),
            56,
            None,
        )
        .expect("write");
        let reply = ReplyLine {
            from: numeric("127.0.0.1"),
            bytes: 64,
            seq: 7,
            ttl: Some(64),
            rtt: Duration::from_micros(45),
            duplicate: false,
        };
        out.reply(&reply).expect("write");
        let mut stats = Stats {
            transmitted: 1,
            ..Stats::default()
        };
        stats.record(Duration::from_micros(45), false);
        let summary = SummaryLine {
            stats: &stats,
            address: "127.0.0.1".parse().expect("addr"),
            elapsed: Duration::ZERO,
        };
        out.summary(&summary).expect("write");
        let text = text(out);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["type"], "reply");
        assert_eq!(lines[0]["icmp_seq"], 7);
        assert_eq!(lines[0]["time_ms"], 0.045);
        assert_eq!(lines[1]["type"], "summary");
        assert_eq!(lines[1]["loss_percent"], 0.0);
        assert_eq!(lines[1]["rtt_avg_ms"], 0.045);
        assert!(
            text.starts_with("{\"type\":\"reply\",\"host\":\"localhost\","),
            "{text}"
        );
    }
}

//! What `ping` prints and the counts behind it: iputils ping's lines, word
//! for word, or one JSON object per line with `--json`. The statistics are
//! kept in whole microseconds and summed with iputils' own integer
//! arithmetic, so the same round trips give the same `rtt` line.

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

/// One echo reply, as printed.
pub struct ReplyLine<'a> {
    pub from: &'a str,
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
    /// HOST as the user typed it, control bytes escaped.
    pub host: String,
}

impl<W: Write> Output<W> {
    /// `PING host (addr) 56(84) bytes of data.`; IPv6 has no IP header
    /// count: `PING host (addr) 56 data bytes`. `-I` adds `from SRC DEV: `.
    pub fn header(
        &mut self,
        address: IpAddr,
        size: usize,
        from: Option<(IpAddr, &str)>,
    ) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        let mut line = format!("PING {} ({address}) ", self.host);
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
                ("from", reply.from.into()),
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
        line.push_str(&format!(" time={} ms", ms3(us)));
        if reply.duplicate {
            line.push_str(" (DUP!)");
        }
        writeln!(self.out, "{line}")
    }

    /// `From 10.9.0.1 icmp_seq=1 Destination Host Unreachable`.
    pub fn problem(&mut self, from: &str, seq: u16, notice: Notice) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            let object = object(&[
                ("type", "error".into()),
                ("host", self.host.as_str().into()),
                ("from", from.into()),
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
        writeln!(self.out, "\n--- {} ping statistics ---\n{line}", self.host)?;
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

    #[test]
    fn text_lines_are_iputils_lines() {
        let mut out = output(false, false);
        out.header("127.0.0.1".parse().expect("addr"), 56, None)
            .expect("write");
        out.header("::1".parse().expect("addr"), 56, None)
            .expect("write");
        out.header(
            "127.0.0.1".parse().expect("addr"),
            100,
            Some(("127.0.0.1".parse().expect("addr"), "lo")),
        )
        .expect("write");
        let reply = ReplyLine {
            from: "127.0.0.1",
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
        out.problem("10.9.0.1", 2, notice).expect("write");
        let mut stats = Stats {
            transmitted: 3,
            errors: 1,
            ..Stats::default()
        };
        stats.record(Duration::from_micros(45), false);
        stats.record(Duration::from_micros(1234), true);
        let summary = SummaryLine {
            stats: &stats,
            address: "127.0.0.1".parse().expect("addr"),
            elapsed: Duration::from_micros(2_003_400),
        };
        out.summary(&summary).expect("write");
        assert_eq!(
            text(out),
            "PING localhost (127.0.0.1) 56(84) bytes of data.\n\
             PING localhost (::1) 56 data bytes\n\
             PING localhost (127.0.0.1) from 127.0.0.1 lo: 100(128) bytes of data.\n\
             64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n\
             64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=1.234 ms (DUP!)\n\
             From 10.9.0.1 icmp_seq=2 Destination Host Unreachable\n\
             \n\
             --- localhost ping statistics ---\n\
             3 packets transmitted, 1 received, +1 duplicates, +1 errors, 66.6667% packet loss, time 2003ms\n\
             rtt min/avg/max/mdev = 0.045/0.639/1.234/0.594 ms\n"
        );
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
            from: "::1",
            bytes: 64,
            seq: 1,
            ttl: None,
            rtt: Duration::ZERO,
            duplicate: false,
        };
        out.reply(&reply).expect("write");
        out.problem(
            "::1",
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
        out.header("127.0.0.1".parse().expect("addr"), 56, None)
            .expect("write");
        let reply = ReplyLine {
            from: "127.0.0.1",
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

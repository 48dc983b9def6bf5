//! Who a listener serves: `--allow`/`--deny` CIDRs for IP peers and
//! `--allow-uid`/`--allow-gid` for Unix peers. Pure decisions: the caller
//! reads the peer's address and credentials from the kernel, asks here, and
//! closes (or drops the datagram) before reading a byte when refused.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::addr::{Addr, Host};
use crate::usage;

/// The access rules of one listener. Empty lists admit everyone.
#[derive(Debug, Clone, Default)]
pub struct Access {
    allow: Vec<IpNet>,
    deny: Vec<IpNet>,
    uids: Vec<u32>,
    gids: Vec<u32>,
}

/// What the kernel says about a Unix peer (`SO_PEERCRED`, `SCM_CREDENTIALS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credentials {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

impl From<nix::sys::socket::UnixCredentials> for Credentials {
    fn from(cred: nix::sys::socket::UnixCredentials) -> Self {
        Credentials {
            pid: cred.pid(),
            uid: cred.uid(),
            gid: cred.gid(),
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {} uid {} gid {}", self.pid, self.uid, self.gid)
    }
}

/// Why a peer was refused, for `-v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Access {
    /// IP peers: `allow` (when not empty) must hold them and `deny` must
    /// not; Unix peers: their uid must be in `uids` or their gid in `gids`
    /// (when either is given).
    pub fn new(allow: Vec<IpNet>, deny: Vec<IpNet>, uids: Vec<u32>, gids: Vec<u32>) -> Access {
        Access {
            allow,
            deny,
            uids,
            gids,
        }
    }

    /// Whether any rule is given.
    pub fn has_rules(&self) -> bool {
        self.has_ip_rules() || self.has_unix_rules()
    }

    pub fn has_ip_rules(&self) -> bool {
        !self.allow.is_empty() || !self.deny.is_empty()
    }

    pub fn has_unix_rules(&self) -> bool {
        !self.uids.is_empty() || !self.gids.is_empty()
    }

    /// Rules for the other family cannot mean anything: exit 2 rather than
    /// serve everyone while the user believes otherwise.
    pub fn check_fits(&self, local: &Addr) -> anyhow::Result<()> {
        match local {
            Addr::Inet { .. } if self.has_unix_rules() => Err(usage!(
                "--allow-uid and --allow-gid admit Unix peers; {local} is an IP listener (use --allow/--deny)"
            )),
            Addr::Unix { .. } if self.has_ip_rules() => Err(usage!(
                "--allow and --deny take IP networks; {local} is a Unix listener (use --allow-uid/--allow-gid)"
            )),
            _ => Ok(()),
        }
    }

    /// Decide on a peer by its address, and for Unix peers its credentials.
    pub fn check(&self, peer: &Addr, cred: Option<Credentials>) -> Result<(), Refusal> {
        match peer {
            Addr::Inet {
                host: Host::Ip { ip, .. },
                ..
            } => self.check_ip(*ip),
            Addr::Unix { .. } => self.check_unix(cred),
            _ => Ok(()),
        }
    }

    /// Deny wins; then a non-empty allow list must hold the address. An
    /// IPv4-mapped IPv6 address is matched as the IPv4 address it carries.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        if let Some(net) = self.deny.iter().find(|net| net.contains(&ip)) {
            return Err(Refusal(format!("{ip} is in --deny {net}")));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|net| net.contains(&ip)) {
            return Err(Refusal(format!("{ip} is in no --allow network")));
        }
        Ok(())
    }

    /// A Unix peer passes when its uid or its gid is admitted (or no rule is
    /// given). Without credentials there is nothing to admit it by.
    pub fn check_unix(&self, cred: Option<Credentials>) -> Result<(), Refusal> {
        if !self.has_unix_rules() {
            return Ok(());
        }
        let Some(cred) = cred else {
            return Err(Refusal("the kernel gave no credentials".into()));
        };
        if self.uids.contains(&cred.uid) || self.gids.contains(&cred.gid) {
            return Ok(());
        }
        Err(Refusal(format!(
            "uid {} and gid {} are not admitted by --allow-uid/--allow-gid",
            cred.uid, cred.gid
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allow: &[&str], deny: &[&str], uids: &[u32], gids: &[u32]) -> Access {
        Access::new(
            allow.iter().map(|n| n.parse().unwrap()).collect(),
            deny.iter().map(|n| n.parse().unwrap()).collect(),
            uids.to_vec(),
            gids.to_vec(),
        )
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn no_rules_admit_everyone() {
        let open = Access::default();
        assert!(open.check_ip(ip("10.1.2.3")).is_ok());
        assert!(open.check_unix(None).is_ok());
    }

    #[test]
    fn deny_wins_over_allow() {
        let r = rules(&["10.0.0.0/8"], &["10.1.0.0/16"], &[], &[]);
        assert!(r.check_ip(ip("10.2.0.1")).is_ok());
        let refused = r.check_ip(ip("10.1.0.1")).unwrap_err();
        assert_eq!(refused.0, "10.1.0.1 is in --deny 10.1.0.0/16");
        assert!(r.check_ip(ip("192.168.0.1")).is_err());
    }

    #[test]
    fn mapped_v4_is_matched_as_v4() {
        let r = rules(&[], &["127.0.0.0/8"], &[], &[]);
        let refused = r.check_ip(ip("::ffff:127.0.0.1")).unwrap_err();
        assert!(refused.0.starts_with("127.0.0.1 "), "{refused}");
        assert!(r.check_ip(ip("::1")).is_ok());
        let v6 = rules(&["fd00::/8"], &[], &[], &[]);
        assert!(v6.check_ip(ip("fd12::1")).is_ok());
        assert!(v6.check_ip(ip("::ffff:10.0.0.1")).is_err());
    }

    #[test]
    fn uid_or_gid_admits() {
        let r = rules(&[], &[], &[0], &[100]);
        let cred = |uid, gid| Some(Credentials { pid: 1, uid, gid });
        assert!(r.check_unix(cred(0, 5)).is_ok());
        assert!(r.check_unix(cred(7, 100)).is_ok());
        assert!(r.check_unix(cred(65534, 65534)).is_err());
        assert!(r.check_unix(None).is_err());
    }
}

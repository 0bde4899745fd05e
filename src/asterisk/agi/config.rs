//! The `[agi]` configuration section: where to listen, who may connect, and every limit.
//!
//! Owns defaults and parsing of allowlist entries. Must not: read files or the environment (the
//! lead's `config.rs` layers TOML/env/flags and hands this struct over).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::proto::EnvLimits;
use super::session::SessionLimits;
use crate::flows::MohClass;

/// FastAGI server settings. Every field has a default; `deny_unknown_fields` catches typos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgiConfig {
    /// Default `127.0.0.1:4573` (FastAGI has no authentication: keep it on loopback unless needed).
    pub bind: SocketAddr,
    /// Client addresses allowed to connect (`10.0.0.5`, `10.1.0.0/16`, `::1`). Default: loopback only.
    /// Others are closed at accept, before any byte is read.
    pub allow: Vec<IpCidr>,
    /// Concurrent sessions; a connection over the cap is closed at once.
    pub max_sessions: usize,
    /// Time from accept to the environment's blank line.
    pub env_timeout_ms: u64,
    /// Longest wait for a reply to one command.
    pub idle_timeout_ms: u64,
    /// Longest wait for a decision from the rules/store before the fallback class is used.
    pub decision_timeout_ms: u64,
    /// On shutdown, live sessions get this long to finish before they are cut.
    pub shutdown_grace_ms: u64,
    pub max_env_bytes: usize,
    pub max_line_bytes: usize,
    /// Class set when the script is unknown or the decision fails, and the rule book's fallback
    /// until an admin saves another one.
    pub fallback_class: MohClass,
    /// Recorded decisions older than this are deleted (checked daily).
    pub decision_retention_days: u32,
    /// Start the ARI Stasis application `ringside` on every `[[asterisk]]` server with ARI settings.
    pub stasis: bool,
}

impl Default for AgiConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 4573)),
            allow: vec![IpCidr::loopback_v4(), IpCidr::loopback_v6()],
            max_sessions: 1024,
            env_timeout_ms: 5_000,
            idle_timeout_ms: 10_000,
            decision_timeout_ms: 500,
            shutdown_grace_ms: 5_000,
            max_env_bytes: 64 * 1024,
            max_line_bytes: 8 * 1024,
            fallback_class: MohClass::parse("default").expect("`default` is a valid class name"),
            decision_retention_days: 90,
            stasis: true,
        }
    }
}

impl AgiConfig {
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.allow.iter().any(|net| net.contains(ip))
    }

    pub fn session_limits(&self) -> SessionLimits {
        SessionLimits {
            env: EnvLimits {
                max_env_bytes: self.max_env_bytes,
                max_line_bytes: self.max_line_bytes,
                ..EnvLimits::default()
            },
            max_reply_bytes: self.max_env_bytes,
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
        }
    }

    pub fn env_timeout(&self) -> Duration {
        Duration::from_millis(self.env_timeout_ms)
    }

    pub fn decision_timeout(&self) -> Duration {
        Duration::from_millis(self.decision_timeout_ms)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}

/// An address block: `addr/prefix`, or a single address (full-length prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpCidr {
    addr: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IP address or CIDR block")]
pub struct CidrError(String);

impl IpCidr {
    fn loopback_v4() -> Self {
        Self { addr: IpAddr::from([127, 0, 0, 0]), prefix: 8 }
    }

    fn loopback_v6() -> Self {
        Self { addr: IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]), prefix: 128 }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(u128::from(net), u128::from(ip), self.prefix, 128),
            _ => false,
        }
    }
}

/// Compares the top `prefix` bits of two `width`-bit numbers.
fn prefix_eq(a: u128, b: u128, prefix: u8, width: u32) -> bool {
    let shift = width - u32::from(prefix);
    shift >= width || (a >> shift) == (b >> shift)
}

impl FromStr for IpCidr {
    type Err = CidrError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || CidrError(text.to_owned());
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl TryFrom<String> for IpCidr {
    type Error = CidrError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IpCidr> for String {
    fn from(c: IpCidr) -> Self {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_matching() {
        let net: IpCidr = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.255.3")) && !net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped IPv6 counts as IPv4");
        let any: IpCidr = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains(ip("192.0.2.1")) && !any.contains(ip("::1")));
        let one: IpCidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        for bad in ["10.0.0.0/33", "nope", "::1/129", "1.2.3.4/x"] {
            assert!(bad.parse::<IpCidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_and_serde() {
        let cfg: AgiConfig = serde_json::from_str(r#"{"allow":["10.0.0.0/8"],"max_sessions":5}"#).unwrap();
        assert_eq!(cfg.bind, SocketAddr::from(([127, 0, 0, 1], 4573)));
        assert_eq!((cfg.max_sessions, cfg.env_timeout_ms), (5, 5_000));
        assert!(cfg.allows(ip("10.9.9.9")) && !cfg.allows(ip("127.0.0.1")));
        let default = AgiConfig::default();
        assert!(
            default.allows(ip("127.0.0.1")) && default.allows(ip("::1")) && !default.allows(ip("192.0.2.1"))
        );
        assert!(serde_json::from_str::<AgiConfig>(r#"{"max_sesions":5}"#).is_err());
    }
}

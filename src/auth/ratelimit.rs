//! Limits attempts per client address and per e-mail address (`governor`'s
//! keyed GCRA limiter). Two limiters use it: sign-in, so neither one machine
//! nor a botnet aimed at one account can guess passwords quickly; and the
//! account actions that send mail or hash a password (registration, password
//! reset request and submission, a new confirmation link), so nobody can
//! flood an inbox, mint accounts in bulk or keep the hasher busy.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Clone)]
pub struct Limiter {
    by_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_email: Arc<DefaultKeyedRateLimiter<String>>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn refused(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> AppError {
    AppError::RateLimited {
        retry_after_secs: not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1),
    }
}

impl Limiter {
    /// `per_ip` and `per_email` attempts a minute, each also the burst.
    pub fn new(per_ip: u32, per_email: u32) -> Limiter {
        Limiter {
            by_ip: Arc::new(RateLimiter::keyed(per_minute(per_ip))),
            by_email: Arc::new(RateLimiter::keyed(per_minute(per_email))),
        }
    }

    /// Counts one attempt from `ip` for `email_norm`; refuses with 429 and
    /// the wait when either is over its limit.
    pub fn check(&self, ip: IpAddr, email_norm: &str) -> Result<(), AppError> {
        self.check_ip(ip)?;
        self.by_email
            .check_key(&email_norm.to_owned())
            .map_err(refused)
    }

    /// Counts one attempt from `ip` where no e-mail is named (a reset link).
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), AppError> {
        self.by_ip.check_key(&client_key(ip)).map_err(refused)
    }

    /// Drops state of keys that are back under their limit (memory hygiene).
    pub fn forget_idle(&self) {
        self.by_ip.retain_recent();
        self.by_email.retain_recent();
    }
}

/// The key of a client address: an IPv6 client usually holds a whole /64 and
/// could take a fresh address for every attempt, so IPv6 addresses count by
/// their /64 prefix (IPv4-mapped ones as the IPv4 address).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_prefix() {
        let a: IpAddr = "2a02:6b8:1:2:aaaa::1".parse().expect("address");
        let b: IpAddr = "2a02:6b8:1:2:bbbb::2".parse().expect("address");
        let c: IpAddr = "2a02:6b8:1:3::1".parse().expect("address");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().expect("address");
        assert_eq!(
            client_key(mapped),
            "10.1.2.3".parse::<IpAddr>().expect("address")
        );
    }
}

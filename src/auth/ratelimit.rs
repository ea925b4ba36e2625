//! Limits sign-in attempts per client address and per e-mail address
//! (`governor`'s keyed GCRA limiter), so neither one machine nor a botnet
//! aimed at one account can guess passwords quickly.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Clone)]
pub struct LoginLimiter {
    by_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_email: Arc<DefaultKeyedRateLimiter<String>>,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> LoginLimiter {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        LoginLimiter {
            by_ip: Arc::new(RateLimiter::keyed(quota)),
            by_email: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts one attempt; refuses with 429 and the wait when over the limit.
    pub fn check(&self, ip: IpAddr, email_norm: &str) -> Result<(), AppError> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| AppError::RateLimited {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs().max(1),
        };
        self.by_ip.check_key(&ip).map_err(wait)?;
        self.by_email
            .check_key(&email_norm.to_owned())
            .map_err(wait)?;
        Ok(())
    }

    /// Drops state of keys that are back under their limit (memory hygiene).
    pub fn forget_idle(&self) {
        self.by_ip.retain_recent();
        self.by_email.retain_recent();
    }
}

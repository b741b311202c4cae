//! Sign-in rate limiting, after OWASP's guidance on brute force and account lockout: failed
//! attempts are counted in a sliding window per (user name, address) pair, which is what locks
//! out, so that nobody can lock another user out by failing on their name from elsewhere, or
//! lock out everyone behind a shared address; and per address and per user name with a ceiling
//! ten times higher, against one address trying many names and many addresses trying one name.
//! Over a limit, sign-in answers 429 with `Retry-After` until the oldest failure ages out. Kept
//! in memory (per server process): a restart forgets them (docs/portal.md).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    /// Failures allowed per (user name, address) pair in the window.
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// How many times the pair's limit an address or a user name may fail in the window.
const CEILING: usize = 10;

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit: limit as usize, window, failures: Mutex::new(HashMap::new()) }
    }

    /// The counters a sign-in attempt by `user` from `ip` is checked against, with their limits.
    fn keys(&self, user: &str, ip: &str) -> [(String, usize); 3] {
        [(format!("pair:{user}|{ip}"), self.limit), (format!("ip:{ip}"), self.limit * CEILING), (format!("user:{user}"), self.limit * CEILING)]
    }

    fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while q.front().is_some_and(|t| now.duration_since(*t) > window) {
            q.pop_front();
        }
    }

    /// `Some(wait)` when an attempt by `user` from `ip` is over a limit: how long until it is not.
    pub fn blocked(&self, user: &str, ip: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        self.keys(user, ip)
            .iter()
            .filter_map(|(k, limit)| {
                let q = map.get_mut(k)?;
                Self::prune(q, now, self.window);
                // Unblocked once the failure that filled the limit ages out.
                (q.len() >= *limit).then(|| self.window.saturating_sub(now.duration_since(q[q.len() - limit])))
            })
            .max()
    }

    pub fn fail(&self, user: &str, ip: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of made-up user names: forget the oldest when huge.
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= self.window));
        }
        for (k, _) in self.keys(user, ip) {
            let q = map.entry(k).or_default();
            Self::prune(q, now, self.window);
            q.push_back(now);
        }
    }

    /// A successful sign-in clears the pair's failures (not the address's or the name's).
    pub fn succeed(&self, user: &str, ip: &str) {
        let [(pair, _), ..] = self.keys(user, ip);
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_blocked_after_the_limit_and_forgotten_after_the_window() {
        let r = RateLimiter::new(3, Duration::from_millis(200));
        for _ in 0..3 {
            assert!(r.blocked("a", "1.1.1.1").is_none());
            r.fail("a", "1.1.1.1");
        }
        let wait = r.blocked("a", "1.1.1.1").expect("blocked");
        assert!(wait <= Duration::from_millis(200));
        // Another user from the same address, and the same user from elsewhere, are not.
        assert!(r.blocked("b", "1.1.1.1").is_none());
        assert!(r.blocked("a", "2.2.2.2").is_none());
        std::thread::sleep(Duration::from_millis(250));
        assert!(r.blocked("a", "1.1.1.1").is_none());
    }

    #[test]
    fn an_address_spraying_names_meets_its_ceiling() {
        let r = RateLimiter::new(2, Duration::from_secs(60));
        for i in 0..20 {
            r.fail(&format!("user{i}"), "1.1.1.1");
        }
        assert!(r.blocked("someone-else", "1.1.1.1").is_some());
        assert!(r.blocked("someone-else", "2.2.2.2").is_none());
    }
}

//! Sign-in rate limiting: failed attempts are counted per user name and per client address in
//! a sliding window; over the limit, sign-in answers 429 until old failures age out. Kept in
//! memory (per server process): a restart forgets them, which is documented in docs/portal.md.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit: limit as usize, window, failures: Mutex::new(HashMap::new()) }
    }

    fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while q.front().is_some_and(|t| now.duration_since(*t) > window) {
            q.pop_front();
        }
    }

    /// True when any of `keys` (e.g. `user:alice`, `ip:127.0.0.1`) has used up its failures.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().any(|k| {
            map.get_mut(k).is_some_and(|q| {
                Self::prune(q, now, self.window);
                q.len() >= self.limit
            })
        })
    }

    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of made-up user names: forget the oldest when huge.
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= self.window));
        }
        for k in keys {
            let q = map.entry(k.clone()).or_default();
            Self::prune(q, now, self.window);
            q.push_back(now);
        }
    }

    /// A successful sign-in clears the user name's failures (not the address's).
    pub fn succeed(&self, user_key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(user_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_forgets_after_the_window() {
        let r = RateLimiter::new(3, Duration::from_millis(200));
        let k = vec!["user:a".to_string()];
        for _ in 0..3 {
            assert!(!r.blocked(&k));
            r.fail(&k);
        }
        assert!(r.blocked(&k));
        std::thread::sleep(Duration::from_millis(250));
        assert!(!r.blocked(&k));
    }
}

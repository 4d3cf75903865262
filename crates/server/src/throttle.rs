//! Attempt budgets against guessing (logins, the public progress page): a try is reserved before it
//! is checked, so concurrent guesses cannot all slip under the limit; past a free allowance each
//! further failure doubles the wait before the next try (backoff), up to a ceiling, instead of
//! locking the key for a fixed time. Kept in memory per server, keyed by what is being guessed at.

use std::collections::HashMap;
use std::sync::Mutex;

/// How a key's failures are allowed.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The wait after the first failure past `free`, in milliseconds; doubles with each further one.
    pub base_ms: i64,
    /// The longest wait.
    pub max_ms: i64,
    /// Failures are forgotten after this long without one.
    pub window_ms: i64,
}

impl Rule {
    /// The wait after `failures` failures (none within the free allowance).
    pub fn delay_ms(&self, failures: u32) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(40);
        self.base_ms.saturating_mul(1i64 << doublings).min(self.max_ms)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure_ms: i64,
    in_flight: u32,
}

/// Keys far beyond any real use are pruned of forgotten entries.
const MAX_KEYS: usize = 200_000;

#[derive(Debug)]
pub struct Throttle {
    rule: Rule,
    entries: Mutex<HashMap<String, Entry>>,
}

/// A refused try: how long until the next one may be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub retry_after_ms: i64,
}

impl Wait {
    /// Whole seconds for a `Retry-After` header (at least one).
    pub fn seconds(&self) -> u64 {
        ((self.retry_after_ms + 999) / 1000).max(1) as u64
    }
}

impl Throttle {
    pub fn new(rule: Rule) -> Self {
        Self { rule, entries: Mutex::new(HashMap::new()) }
    }

    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// Reserves a try for `key` at `now_ms`, or says how long to wait. Within the free allowance
    /// tries run side by side (each in flight counted as a failure until it ends); past it, one at
    /// a time, each after the backoff of the failures before it.
    pub fn reserve(&self, key: &str, now_ms: i64) -> Result<(), Wait> {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > MAX_KEYS {
            let window = self.rule.window_ms;
            map.retain(|_, e| e.in_flight > 0 || now_ms - e.last_failure_ms < window);
        }
        let e = map.entry(key.to_string()).or_default();
        if e.in_flight == 0 && e.failures > 0 && now_ms - e.last_failure_ms >= self.rule.window_ms {
            e.failures = 0;
        }
        let counted = e.failures + e.in_flight;
        if counted < self.rule.free {
            e.in_flight += 1;
            return Ok(());
        }
        let allowed_at = e.last_failure_ms + self.rule.delay_ms(e.failures);
        if e.in_flight == 0 && now_ms >= allowed_at {
            e.in_flight += 1;
            return Ok(());
        }
        let next = if e.in_flight > 0 { now_ms + self.rule.base_ms.max(1000) } else { allowed_at };
        Err(Wait { retry_after_ms: (next - now_ms).max(1) })
    }

    /// Ends a reserved try: a failure counts, a success or an abandoned try does not.
    pub fn finish(&self, key: &str, failed: bool, now_ms: i64) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get_mut(key) {
            e.in_flight = e.in_flight.saturating_sub(1);
            if failed {
                e.failures = e.failures.saturating_add(1);
                e.last_failure_ms = now_ms;
            }
        }
    }

    /// Forgets a key's failures (a success that proves the key's owner).
    pub fn clear(&self, key: &str) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get_mut(key) {
            e.failures = 0;
        }
    }

    /// Failures counted for `key` now.
    pub fn failures(&self, key: &str) -> u32 {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(key).map_or(0, |e| e.failures)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const RULE: Rule = Rule { free: 3, base_ms: 1000, max_ms: 8000, window_ms: 60_000 };

    #[test]
    fn concurrent_tries_cannot_pass_the_free_allowance() {
        let t = Throttle::new(RULE);
        let reserved = (0..40).filter(|_| t.reserve("k", 0).is_ok()).count();
        assert_eq!(reserved, 3, "tries in flight count against the allowance");
        for _ in 0..3 {
            t.finish("k", true, 0);
        }
        assert_eq!(t.reserve("k", 999), Err(Wait { retry_after_ms: 1 }));
        assert!(t.reserve("k", 1000).is_ok());
        assert!(t.reserve("k", 1000).is_err(), "past the allowance, one try at a time");
    }

    #[test]
    fn each_failure_past_the_allowance_doubles_the_wait_up_to_the_ceiling() {
        assert_eq!([2, 3, 4, 5, 6, 7].map(|f| RULE.delay_ms(f)), [0, 1000, 2000, 4000, 8000, 8000]);
        let t = Throttle::new(RULE);
        let mut now = 0;
        for _ in 0..6 {
            while t.reserve("k", now).is_err() {
                now += 100;
            }
            t.finish("k", true, now);
        }
        // 3 free, then waits of 1 s, 2 s and 4 s
        assert_eq!(now, 7000);
        assert_eq!(t.reserve("k", now).unwrap_err().seconds(), 8);
    }

    #[test]
    fn a_success_or_a_quiet_window_forgets_the_failures() {
        let t = Throttle::new(RULE);
        for _ in 0..3 {
            t.reserve("k", 0).unwrap();
            t.finish("k", true, 0);
        }
        assert!(t.reserve("k", 10).is_err());
        assert!(t.reserve("k", 60_000).is_ok(), "a window without failures");
        t.finish("k", false, 60_000);
        assert_eq!(t.failures("k"), 0);
        for _ in 0..3 {
            t.reserve("j", 0).unwrap();
            t.finish("j", true, 0);
        }
        t.clear("j");
        assert!(t.reserve("j", 1).is_ok());
    }
}

//! What many page views read and few writes change, held for a short while: every order page a head
//! opens offers the bank's units and names the classification, and reading and ordering them for each
//! view would cost more than the rest of the page. A change made on this server is seen at once (its
//! writer calls `forget`); one made on another server or by the command line, within `FRESH`.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a held value is trusted without being read again.
pub const FRESH: Duration = Duration::from_secs(30);

/// One value, read again when older than `FRESH` or forgotten.
pub struct Held<T>(Mutex<Option<(Instant, Arc<T>)>>);

impl<T> Default for Held<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> Held<T> {
    /// The held value, or what `load` reads when there is none fresh. A failed read is not held.
    pub async fn get<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Ok(held) = self.0.lock()
            && let Some((at, value)) = held.as_ref()
            && at.elapsed() < FRESH
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load().await?);
        if let Ok(mut held) = self.0.lock() {
            *held = Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// Forget it: what it was read from has changed.
    pub fn forget(&self) {
        if let Ok(mut held) = self.0.lock() {
            *held = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_until_forgotten_and_never_holds_a_failure() {
        let held: Held<u32> = Held::default();
        let failed: Result<_, ()> = held.get(|| async { Err(()) }).await;
        assert!(failed.is_err());
        assert_eq!(*held.get(|| async { Ok::<_, ()>(1) }).await.unwrap(), 1);
        assert_eq!(*held.get(|| async { Ok::<_, ()>(2) }).await.unwrap(), 1, "a fresh value is not read again");
        held.forget();
        assert_eq!(*held.get(|| async { Ok::<_, ()>(3) }).await.unwrap(), 3);
    }
}

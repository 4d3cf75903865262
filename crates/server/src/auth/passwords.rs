//! Password hashing and checking on a few dedicated threads. An argon2id check takes about 19 MiB
//! and tens of milliseconds; run on the async runtime's blocking pool, a burst of logins would run
//! hundreds at once and leave each thread's allocator holding its 19 MiB. Here at most `threads`
//! run (one per core), a short queue waits behind them, and a request beyond the queue is answered
//! at once as busy (503 with Retry-After) instead of piling up.

use crate::error::ApiError;
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::Semaphore;

type Job = Box<dyn FnOnce() + Send>;

pub struct PasswordWork {
    jobs: mpsc::Sender<Job>,
    /// Places for work running and waiting: `threads + queue`.
    places: Arc<Semaphore>,
    /// A hash of a random password with the same cost as real ones, checked in place of an unknown
    /// user's so that a wrong username takes as long as a wrong password.
    decoy: String,
}

/// Requests that may wait for a password thread, per thread.
const QUEUE_PER_THREAD: usize = 8;

impl PasswordWork {
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("xiaobao-password-{i}")).spawn(move || {
                loop {
                    let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match next {
                        Ok(job) => job(),
                        Err(_) => return, // the server is gone
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        let (random, _) = super::new_token();
        let decoy = super::hash_password(&random).unwrap_or_default();
        Self { jobs, places: Arc::new(Semaphore::new(threads * (1 + QUEUE_PER_THREAD))), decoy }
    }

    /// One thread per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let Ok(_place) = self.places.clone().try_acquire_owned() else {
            return Err(ApiError::busy(1));
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|_| ApiError::Internal)?;
        rx.await.map_err(|_| ApiError::Internal)
    }

    /// Whether `password` matches `hash`; with no hash (an unknown user), checks the decoy and
    /// answers false, in the same time.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.clone());
        let ok = self.run(move || verify_in_place(&password, &hash)).await?;
        Ok(ok && known)
    }

    /// The argon2id hash of a new password.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || super::hash_password(&password)).await?
    }
}

thread_local! {
    /// The argon2 memory of this password thread, kept between checks: allocating 19 MiB for each
    /// check and freeing it left the allocator holding several copies under a burst.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against a PHC argon2 hash in this thread's kept memory.
fn verify_in_place(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    use argon2::{Algorithm, Argon2, Params, Version};
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    // a stored hash of absurd cost is refused rather than allocated
    if params.block_count() > 256 * 1024 {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with(|b| {
        let mut blocks = b.borrow_mut();
        if blocks.len() < params.block_count() {
            blocks.resize(params.block_count(), argon2::Block::default());
        }
        let n = params.block_count();
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut blocks[..n],
        )
    });
    // Output compares in constant time
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_check_in_kept_memory_agrees_with_argon2() {
        let hash = crate::auth::hash_password("right-password").unwrap();
        assert!(super::verify_in_place("right-password", &hash));
        assert!(!super::verify_in_place("wrong-password", &hash));
        assert!(!super::verify_in_place("right-password", "not a hash"));
        assert!(crate::auth::verify_password("right-password", &hash));
    }

    use super::*;

    #[tokio::test]
    async fn a_burst_beyond_the_queue_is_answered_busy_and_the_rest_are_checked() {
        let work = Arc::new(PasswordWork::new(1));
        let hash = crate::auth::hash_password("right-password").unwrap();
        let mut calls = Vec::new();
        for i in 0..30 {
            let (work, hash) = (work.clone(), hash.clone());
            let pw = if i == 0 { "right-password" } else { "wrong" };
            calls.push(tokio::spawn(async move { work.verify(pw.to_string(), Some(hash)).await }));
        }
        let mut checked = 0;
        let mut busy = 0;
        for (i, c) in calls.into_iter().enumerate() {
            match c.await.unwrap() {
                Ok(ok) => {
                    checked += 1;
                    assert_eq!(ok, i == 0);
                }
                Err(e) => {
                    assert_eq!(e.problem(true).status, 503);
                    busy += 1;
                }
            }
        }
        assert_eq!(checked, 1 + QUEUE_PER_THREAD, "one running and the queue behind it");
        assert_eq!(busy, 30 - checked);
        assert!(!work.verify("anything".into(), None).await.unwrap(), "an unknown user never matches");
    }
}

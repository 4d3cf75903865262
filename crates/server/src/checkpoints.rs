//! Checkpoints of the history, written outside the database: both chains' heads, sealed with the
//! key, appended to a file in a directory of the operator's choice when the server starts, every
//! interval after (at most an hour) and when it stops. `audit verify` reads them back and names any
//! event or access log entry removed or rewritten since.

use std::path::PathBuf;
use std::time::Duration;
use xiaobao_store::Store;

/// Writes one checkpoint now.
pub async fn write(store: &Store, dir: &std::path::Path) -> Result<xiaobao_store::Checkpoint, String> {
    let c = store.checkpoint(chrono::Utc::now()).await.map_err(|e| e.to_string())?;
    let (dir, line) = (dir.to_path_buf(), c.clone());
    tokio::task::spawn_blocking(move || xiaobao_store::append_checkpoint(&dir, &line))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(c)
}

/// Writes a checkpoint now and then every `every` until aborted.
pub fn spawn(store: Store, dir: PathBuf, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match write(&store, &dir).await {
                Ok(c) => tracing::debug!(events = c.events.seq, access = c.access.seq, "checkpoint written"),
                Err(e) => tracing::error!(error = %e, dir = %dir.display(), "writing a checkpoint failed"),
            }
        }
    })
}

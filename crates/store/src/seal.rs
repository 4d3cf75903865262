//! Sealing the history against whoever can write the database file: the chain key (kept outside the
//! database), the database's record of which key seals it and from which event, and checkpoints of
//! both chains' heads written to an append-only file elsewhere.

use crate::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use xiaobao_core::seal::ChainKey;

/// The key file's name in the data dir.
pub const KEY_FILE: &str = "chain.key";
/// The checkpoint file's name in the checkpoint directory.
pub const CHECKPOINT_FILE: &str = "checkpoints.jsonl";
/// A checkpoint file larger than this is refused before it is read (a line an hour is 2 MB a year).
const MAX_CHECKPOINT_FILE: u64 = 256 * 1024 * 1024;
const MAX_CHECKPOINT_LINE: usize = 4096;

/// Reads the key from `path`, or, when there is no file, makes a new key and writes it there
/// readable by its owner only. Returns the key and whether it was made now.
pub fn load_or_create_key(path: &Path) -> Result<(ChainKey, bool), String> {
    match std::fs::File::open(path) {
        Ok(f) => {
            let mut text = String::new();
            f.take(4096).read_to_string(&mut text).map_err(|e| format!("{}: {e}", path.display()))?;
            warn_if_readable_by_others(path);
            let hex: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
            let key = ChainKey::from_hex(&hex).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            rand::Rng::fill(&mut rand::rngs::OsRng, &mut bytes);
            let key = ChainKey::from_bytes(bytes);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            writeln!(
                f,
                "# Xiaobao chain key (id {}): it seals the history. Back it up apart from the database;\n\
                 # without it `xiaobao audit verify` cannot check the history and the server will not start.\n{}",
                key.id(),
                key.to_hex()
            )
            .and_then(|()| f.sync_all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((key, true))
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(m) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the chain key file is readable by others than its owner: chmod 600 it");
        }
    }
}

/// Records which key seals this database, or refuses a different one. A database whose chain was
/// not keyed yet is keyed from its next event, and the events before are sealed by the anchor.
pub(crate) async fn adopt(pool: &sqlx::AnyPool, key: &ChainKey) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let head = crate::events::lock_chain(&mut tx, std::sync::Arc::new(key.clone())).await?;
    let recorded: Option<(String,)> =
        sqlx::query_as("SELECT key_id FROM chain_seal WHERE id = 1").fetch_optional(&mut *tx).await?;
    match recorded {
        Some((id,)) if id != key.id() => {
            return Err(StoreError::WrongKey(format!(
                "the history in this database is sealed with the chain key {id}, and the key given is {}: \
                 give the key this database was sealed with (the chain.key file from its data dir or backup, \
                 or XIAOBAO_CHAIN_KEY)",
                key.id()
            )));
        }
        Some(_) => {}
        None => {
            let keyed_from = head.seq + 1;
            sqlx::query("INSERT INTO chain_seal (id, key_id, keyed_from, anchor) VALUES (1, $1, $2, $3)")
                .bind(key.id())
                .bind(keyed_from)
                .bind(anchor(key, keyed_from, &head.hash))
                .execute(&mut *tx)
                .await?;
            if head.seq > 0 {
                tracing::info!(keyed_from, key = %key.id(), "the history is sealed with the chain key from now on");
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The seal over where keying began and the hash of the event before it.
pub(crate) fn anchor(key: &ChainKey, keyed_from: i64, prev_hash: &str) -> String {
    key.mac("anchor", &[keyed_from.to_string().as_bytes(), prev_hash.as_bytes()])
}

/// One chain's head: its last sequence number and that entry's seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadMark {
    pub seq: i64,
    pub hash: String,
}

/// Both chains' heads at a moment, sealed with the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// RFC 3339, UTC.
    pub at: String,
    pub key_id: String,
    /// The first event sealed with the key (so a replaced record of it is caught).
    pub keyed_from: i64,
    pub events: HeadMark,
    pub access: HeadMark,
    pub seal: String,
}

impl Checkpoint {
    fn sealed_parts(&self) -> [Vec<u8>; 7] {
        [
            self.at.clone().into_bytes(),
            self.key_id.clone().into_bytes(),
            self.keyed_from.to_string().into_bytes(),
            self.events.seq.to_string().into_bytes(),
            self.events.hash.clone().into_bytes(),
            self.access.seq.to_string().into_bytes(),
            self.access.hash.clone().into_bytes(),
        ]
    }

    fn expected_seal(&self, key: &ChainKey) -> String {
        let parts = self.sealed_parts();
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        key.mac("checkpoint", &refs)
    }

    /// Whether this key made the checkpoint as it reads now.
    pub fn holds(&self, key: &ChainKey) -> bool {
        let parts = self.sealed_parts();
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        self.key_id == key.id() && key.verify("checkpoint", &refs, &self.seal)
    }
}

/// A checkpoint file's lines: each one's number and the checkpoint, or why it cannot be read.
pub type CheckpointLines = Vec<(usize, Result<Checkpoint, String>)>;

/// Appends a checkpoint to the file in `dir` (made if missing) and waits until it is on disk.
pub fn append_checkpoint(dir: &Path, c: &Checkpoint) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(CHECKPOINT_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let mut f = options.open(&path)?;
    let mut line = serde_json::to_string(c).map_err(std::io::Error::other)?;
    line.push('\n');
    f.write_all(line.as_bytes())?;
    f.sync_data()?;
    Ok(path)
}

/// Reads the checkpoint file in `dir`; no file is no checkpoints. The size is checked before
/// reading and every line is bounded.
pub fn read_checkpoints(dir: &Path) -> Result<CheckpointLines, String> {
    let path = dir.join(CHECKPOINT_FILE);
    let f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let size = f.metadata().map_err(|e| format!("{}: {e}", path.display()))?.len();
    if size > MAX_CHECKPOINT_FILE {
        return Err(format!("{}: {size} bytes is more than a checkpoint file can be", path.display()));
    }
    let mut out = Vec::new();
    let mut reader = std::io::BufReader::new(f.take(MAX_CHECKPOINT_FILE));
    let mut line = Vec::new();
    let mut n = 0;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_CHECKPOINT_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.len() > MAX_CHECKPOINT_LINE {
            return Err(format!("{}: line {n} is longer than a checkpoint", path.display()));
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        out.push((n, serde_json::from_str::<Checkpoint>(text.trim()).map_err(|e| e.to_string())));
    }
    Ok(out)
}

impl Store {
    /// Both chains' heads now, sealed. Read in one statement, so the two heads are of one moment.
    pub async fn checkpoint(&self, at: chrono::DateTime<chrono::Utc>) -> Result<Checkpoint, StoreError> {
        let (es, eh, a_seq, ah, keyed_from): (i64, String, i64, String, i64) = sqlx::query_as(
            "SELECT c.seq, c.hash, a.seq, a.hash, s.keyed_from FROM chain_head c CROSS JOIN access_head a CROSS JOIN chain_seal s \
             WHERE c.id = 1 AND a.id = 1 AND s.id = 1",
        )
        .fetch_one(self.read())
        .await?;
        let mut c = Checkpoint {
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            key_id: self.inner.key.id(),
            keyed_from,
            events: HeadMark { seq: es, hash: eh },
            access: HeadMark { seq: a_seq, hash: ah },
            seal: String::new(),
        };
        c.seal = c.expected_seal(&self.inner.key);
        Ok(c)
    }

    pub(crate) fn key(&self) -> &ChainKey {
        &self.inner.key
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(KEY_FILE);
        let (made, created) = load_or_create_key(&path).unwrap();
        assert!(created);
        let (read, created) = load_or_create_key(&path).unwrap();
        assert!(!created);
        assert_eq!(made, read);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(load_or_create_key(&path).unwrap_err().contains("64 hexadecimal digits"));
    }

    #[test]
    fn checkpoints_are_appended_read_back_and_an_edit_breaks_the_seal() {
        let dir = tempfile::tempdir().unwrap();
        let key = ChainKey::from_bytes([3; 32]);
        let mut c = Checkpoint {
            at: "2026-12-02T08:00:00Z".into(),
            key_id: key.id(),
            keyed_from: 1,
            events: HeadMark { seq: 10, hash: "ab".into() },
            access: HeadMark { seq: 2, hash: "cd".into() },
            seal: String::new(),
        };
        c.seal = c.expected_seal(&key);
        assert!(c.holds(&key));
        assert!(!c.holds(&ChainKey::from_bytes([4; 32])));
        append_checkpoint(dir.path(), &c).unwrap();
        append_checkpoint(dir.path(), &c).unwrap();
        let lines = read_checkpoints(dir.path()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].1.as_ref().unwrap(), &c);
        let edited = Checkpoint { events: HeadMark { seq: 9, hash: "ab".into() }, ..c.clone() };
        assert!(!edited.holds(&key));
        std::fs::write(dir.path().join(CHECKPOINT_FILE), "x".repeat(MAX_CHECKPOINT_LINE + 10)).unwrap();
        assert!(read_checkpoints(dir.path()).unwrap_err().contains("longer than a checkpoint"));
        assert!(read_checkpoints(&dir.path().join("none")).unwrap().is_empty());
    }
}

//! Room codes in logs. A code is the key to a room (anyone who has it can join while it is
//! open), and logs outlive rooms and travel further than the database: log files, journald,
//! support tickets. So logs name a room by a tag, a keyed hash of its code: the same room
//! has the same tag in every line, and nobody without the key can tell its code from it.
//!
//! With the SQLite store the key is kept in the data directory (`log-tag.key`), so tags stay
//! the same across restarts and an operator who can read the data (and so the rooms anyway)
//! can find a room's lines: the tag of code `K7M3QX9PA` is the first 12 hex digits of
//! `printf '%s' "$(cat kring-data/log-tag.key)K7M3QX9PA" | sha256sum`.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

static KEY: OnceLock<String> = OnceLock::new();

const KEY_FILE: &str = "log-tag.key";

/// Sets the key: read from (or created in) `data_dir`, or random for this process when there
/// is none or it cannot be used. The first call wins.
pub(crate) fn init(data_dir: Option<&Path>) {
    KEY.get_or_init(|| {
        data_dir
            .and_then(|dir| match stored_key(dir) {
                Ok(key) => Some(key),
                Err(e) => {
                    tracing::warn!(error = %e, "log tag key not kept; room tags change with each start");
                    None
                }
            })
            .unwrap_or_else(crate::secrets::new_token)
    });
}

fn stored_key(dir: &Path) -> std::io::Result<String> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(key) if key.trim().len() >= 32 => return Ok(key.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let key = crate::secrets::new_token();
    write_private(&path, &key)?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// A room as logs name it: `%RoomTag(&code)`.
pub(crate) struct RoomTag<'a>(pub &'a kring_protocol::RoomCode);

impl fmt::Display for RoomTag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = KEY.get_or_init(crate::secrets::new_token);
        let digest = Sha256::new()
            .chain_update(key.as_bytes())
            .chain_update(self.0.as_str().as_bytes())
            .finalize();
        f.write_str(&hex::encode(&digest[..6]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_stable_short_and_not_the_code() {
        let code = |typed| kring_protocol::RoomCode::parse(typed).unwrap();
        let a = RoomTag(&code("K7M3QX9PA")).to_string();
        assert_eq!(a, RoomTag(&code("K7M3QX9PA")).to_string());
        assert_ne!(a, RoomTag(&code("K7M3QX9PB")).to_string());
        assert_eq!(a.len(), 12);
        assert!(!a.contains("K7M"));
    }

    #[test]
    fn the_key_is_kept_in_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = stored_key(dir.path()).unwrap();
        assert_eq!(stored_key(dir.path()).unwrap(), first);
        assert!(first.len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

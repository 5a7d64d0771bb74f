//! The file store: evidence kept content-addressed under the data directory
//! (`evidence/ab/abcdef…`), written atomically, deduplicated by digest.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Files on the local disk.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// A store under `data_dir/evidence`.
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore {
            root: data_dir.join("evidence"),
        }
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores bytes; returns their SHA-256 (hex). Storing the same bytes twice keeps one file.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha).expect("a hex digest");
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(sha);
        }
        let dir = path.parent().expect("a parent directory");
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(sha)
    }

    /// Reads a stored file.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        match self.path(sha256) {
            Some(p) => tokio::fs::read(p).await,
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a digest",
            )),
        }
    }
}

//! The data directory's store: `evidence/ab/abcdef…`, each file written to a temporary
//! name and renamed, so that a reader never sees half an object.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{ByteStream, FilesError};

#[derive(Debug, Clone)]
pub(super) struct Local {
    root: PathBuf,
}

fn io(e: std::io::Error) -> FilesError {
    if e.kind() == std::io::ErrorKind::NotFound {
        FilesError::NotFound
    } else {
        FilesError::Unavailable(e.to_string())
    }
}

impl Local {
    pub(super) fn new(data_dir: &Path) -> Local {
        Local {
            root: data_dir.join("evidence"),
        }
    }

    pub(super) fn describe(&self) -> String {
        format!("数据目录 {}", self.root.display())
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2]).join(sha)
    }

    pub(super) async fn put(&self, sha: &str, bytes: &[u8]) -> Result<(), FilesError> {
        let path = self.path(sha);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let dir = self.root.join(&sha[..2]);
        let fail = |e: std::io::Error| FilesError::Unavailable(e.to_string());
        tokio::fs::create_dir_all(&dir).await.map_err(fail)?;
        let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
        tokio::fs::write(&tmp, bytes).await.map_err(fail)?;
        tokio::fs::rename(&tmp, &path).await.map_err(fail)
    }

    pub(super) async fn get(&self, sha: &str) -> Result<Vec<u8>, FilesError> {
        tokio::fs::read(self.path(sha)).await.map_err(io)
    }

    pub(super) async fn open(&self, sha: &str) -> Result<(u64, ByteStream), FilesError> {
        let file = tokio::fs::File::open(self.path(sha)).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        Ok((size, Box::pin(tokio_util::io::ReaderStream::new(file))))
    }

    pub(super) async fn exists(&self, sha: &str) -> bool {
        tokio::fs::try_exists(self.path(sha)).await.unwrap_or(false)
    }

    pub(super) async fn remove(&self, sha: &str) -> Result<(), FilesError> {
        match tokio::fs::remove_file(self.path(sha)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }

    pub(super) async fn older_than(
        &self,
        age: Duration,
        limit: usize,
    ) -> Result<Vec<String>, FilesError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let cutoff = std::time::SystemTime::now()
                .checked_sub(age)
                .unwrap_or(std::time::UNIX_EPOCH);
            let Ok(dirs) = std::fs::read_dir(&root) else {
                return Ok(out);
            };
            for dir in dirs.flatten() {
                for f in std::fs::read_dir(dir.path()).map_err(io)?.flatten() {
                    let name = f.file_name().to_string_lossy().to_string();
                    let old = age.is_zero()
                        || f.metadata()
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t < cutoff);
                    if old && super::is_digest(&name) {
                        out.push(name);
                        if out.len() >= limit {
                            return Ok(out);
                        }
                    }
                }
            }
            Ok(out)
        })
        .await
        .unwrap_or_else(|e| Err(FilesError::Unavailable(e.to_string())))
    }
}

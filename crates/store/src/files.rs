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

    /// Up to `limit` stored files last written more than `age` ago, by digest.
    pub async fn older_than(
        &self,
        age: std::time::Duration,
        limit: usize,
    ) -> std::io::Result<Vec<String>> {
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
                for f in std::fs::read_dir(dir.path())?.flatten() {
                    let name = f.file_name().to_string_lossy().to_string();
                    let old = f
                        .metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t < cutoff);
                    if old && name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
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
        .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
    }

    /// Removes a stored file.
    pub async fn remove(&self, sha256: &str) -> std::io::Result<()> {
        match self.path(sha256) {
            Some(p) => tokio::fs::remove_file(p).await,
            None => Ok(()),
        }
    }

    /// Whether a file is stored (without reading it).
    pub async fn exists(&self, sha256: &str) -> bool {
        match self.path(sha256) {
            Some(p) => tokio::fs::try_exists(p).await.unwrap_or(false),
            None => false,
        }
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

/// Which of `shas` a record references (evidence, case files, tip files, duty records,
/// bulletins): one query.
pub async fn referenced(
    db: &crate::db::Db,
    shas: &[String],
) -> crate::error::Result<std::collections::HashSet<String>> {
    let mut query = crate::db::q(
        "SELECT sha FROM (SELECT sha256 AS sha FROM evidence UNION ALL SELECT sha256 FROM case_files UNION ALL SELECT sha256 FROM tip_files UNION ALL SELECT clean_sha256 FROM tip_files UNION ALL SELECT evidence_sha256 FROM duty_records UNION ALL SELECT docx_sha256 FROM bulletins UNION ALL SELECT xlsx_sha256 FROM bulletins UNION ALL SELECT file_sha256 FROM project_checks) used WHERE sha IN (",
    );
    for (i, s) in shas.iter().enumerate() {
        query = query
            .push(if i == 0 { "" } else { ", " })
            .push_bind(s.as_str());
    }
    let rows: Vec<(String,)> = db.read().all(query.push(")")).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

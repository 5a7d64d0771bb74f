//! The file store: evidence, photos, tip attachments and bulletins kept
//! content-addressed (`ab/abcdef…`, the SHA-256 of the bytes), deduplicated by digest,
//! behind one interface with two backends chosen by `ANJIAN_STORAGE_URL`: the data
//! directory (`evidence/` under it, the embedded default) or any S3-compatible store
//! (`s3://bucket/prefix`; endpoint, region and credentials from the usual `AWS_*`
//! variables). Records are written after their objects, so that no row ever names a
//! missing object; an object whose row never came is removed by the orphan sweep.

mod crypto;
mod local;
mod s3;

use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

/// Bytes read from the store, a chunk at a time.
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// No object has this digest.
    #[error("no such file")]
    NotFound,
    /// The store is unreachable, refuses our credentials, or lacks its bucket.
    #[error("file store unavailable: {0}")]
    Unavailable(String),
}

impl From<FilesError> for crate::Error {
    fn from(e: FilesError) -> Self {
        crate::Error::Files(e.to_string())
    }
}

/// A stored object opened for reading: its size, its first bytes (to tell its type),
/// and the whole of it as a stream, first bytes included.
pub struct Opened {
    pub size: u64,
    pub head: bytes::Bytes,
    pub body: ByteStream,
}

/// Where the objects live.
#[derive(Debug, Clone)]
enum Backend {
    Local(local::Local),
    S3(s3::S3),
}

/// The file store of one deployment.
#[derive(Debug, Clone)]
pub struct FileStore {
    backend: Backend,
}

/// Whether `sha` is a digest (64 hex digits): nothing else names an object.
pub fn is_digest(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SHA-256 (hex) of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl FileStore {
    /// The data directory's store (`data_dir/evidence`).
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore {
            backend: Backend::Local(local::Local::new(data_dir)),
        }
    }

    /// The store `url` names (`s3://bucket/prefix`), or the data directory's when it is
    /// empty or `file:`; the error says what is wrong with the URL.
    pub fn from_url(url: Option<&str>, data_dir: &Path) -> Result<FileStore, String> {
        FileStore::from_url_with(url, data_dir, &|k| std::env::var(k).ok())
    }

    /// [`FileStore::from_url`] with the `AWS_*` settings read through `var` instead of
    /// the environment.
    pub fn from_url_with(
        url: Option<&str>,
        data_dir: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<FileStore, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(FileStore::new(data_dir)),
            Some(u) if u == "file:" || u == "file://" || u == "local" => {
                Ok(FileStore::new(data_dir))
            }
            Some(u) => Ok(FileStore {
                backend: Backend::S3(s3::S3::from_url(u, var)?),
            }),
        }
    }

    /// Where the objects live, for logs and the CLI (no credentials).
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local(l) => l.describe(),
            Backend::S3(s) => s.describe(),
        }
    }

    /// Stores bytes; answers their SHA-256 (hex). Storing the same bytes twice keeps
    /// one object.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, FilesError> {
        let sha = digest(bytes);
        match &self.backend {
            Backend::Local(l) => l.put(&sha, bytes).await?,
            Backend::S3(s) => s.put(&sha, bytes).await?,
        }
        Ok(sha)
    }

    /// Reads a whole stored object (for the small files the product itself reads back:
    /// kept drafts, sealed originals). Downloads use [`FileStore::open`].
    pub async fn get(&self, sha: &str) -> Result<Vec<u8>, FilesError> {
        if !is_digest(sha) {
            return Err(FilesError::NotFound);
        }
        match &self.backend {
            Backend::Local(l) => l.get(sha).await,
            Backend::S3(s) => s.get(sha).await,
        }
    }

    /// Opens a stored object as a stream, without reading it into memory.
    pub async fn open(&self, sha: &str) -> Result<Opened, FilesError> {
        if !is_digest(sha) {
            return Err(FilesError::NotFound);
        }
        let (size, mut body) = match &self.backend {
            Backend::Local(l) => l.open(sha).await?,
            Backend::S3(s) => s.open(sha).await?,
        };
        let head = match body.next().await {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Err(FilesError::Unavailable(e.to_string())),
            None => bytes::Bytes::new(),
        };
        let first = head.clone();
        let body: ByteStream =
            Box::pin(futures_util::stream::once(async move { Ok(first) }).chain(body));
        Ok(Opened { size, head, body })
    }

    /// Whether an object is stored (without reading it); `Err` when the store cannot say.
    pub async fn has(&self, sha: &str) -> Result<bool, FilesError> {
        if !is_digest(sha) {
            return Ok(false);
        }
        match &self.backend {
            Backend::Local(l) => Ok(l.exists(sha).await),
            Backend::S3(s) => s.exists(sha).await,
        }
    }

    /// Whether an object is stored; `false` also when the store cannot say.
    pub async fn exists(&self, sha: &str) -> bool {
        self.has(sha).await.unwrap_or(false)
    }

    /// Removes a stored object.
    pub async fn remove(&self, sha: &str) -> Result<(), FilesError> {
        if !is_digest(sha) {
            return Ok(());
        }
        match &self.backend {
            Backend::Local(l) => l.remove(sha).await,
            Backend::S3(s) => s.remove(sha).await,
        }
    }

    /// Up to `limit` digests of objects last written more than `age` ago.
    pub async fn older_than(&self, age: Duration, limit: usize) -> Result<Vec<String>, FilesError> {
        match &self.backend {
            Backend::Local(l) => l.older_than(age, limit).await,
            Backend::S3(s) => s.older_than(age, limit).await,
        }
    }

    /// Every stored digest (the storage migration and the backup check walk them).
    pub async fn all(&self) -> Result<Vec<String>, FilesError> {
        self.older_than(Duration::ZERO, usize::MAX).await
    }

    /// Whether the store takes and gives back an object (readiness); a bucket must
    /// also answer a listing (some stores create a missing bucket on the first write).
    pub async fn ready(&self) -> bool {
        if let Backend::S3(s) = &self.backend
            && !s.reachable().await
        {
            return false;
        }
        match self.put(b"anjian readiness probe").await {
            Ok(sha) => self.has(&sha).await.unwrap_or(false),
            Err(_) => false,
        }
    }
}

/// Copies every object of `from` into `to`, each read back from `to` and its digest
/// checked; answers (copied, already there). Stops at the first object whose copy does
/// not match.
pub async fn migrate(from: &FileStore, to: &FileStore) -> Result<(usize, usize), FilesError> {
    let (mut copied, mut present) = (0, 0);
    for sha in from.all().await? {
        if to.has(&sha).await? {
            present += 1;
        } else {
            let bytes = from.get(&sha).await?;
            to.put(&bytes).await?;
            copied += 1;
        }
        let back = to.get(&sha).await?;
        if digest(&back) != sha {
            return Err(FilesError::Unavailable(format!("{sha} 复制后摘要不符")));
        }
    }
    Ok((copied, present))
}

/// The union of every column that names a stored object.
const REFERENCES: &str = "SELECT sha256 AS sha FROM evidence UNION ALL SELECT sha256 FROM case_files UNION ALL SELECT sha256 FROM tip_files UNION ALL SELECT clean_sha256 FROM tip_files UNION ALL SELECT evidence_sha256 FROM duty_records UNION ALL SELECT docx_sha256 FROM bulletins UNION ALL SELECT xlsx_sha256 FROM bulletins UNION ALL SELECT file_sha256 FROM project_checks";

/// Every distinct digest a record references (the restore check walks them).
pub async fn all_referenced(db: &crate::db::Db) -> crate::error::Result<Vec<String>> {
    let rows: Vec<(String,)> = db
        .read()
        .all(crate::db::q(format!(
            "SELECT DISTINCT sha FROM ({REFERENCES}) used WHERE sha IS NOT NULL AND sha <> '' ORDER BY sha"
        )))
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Which of `shas` a record references (evidence, case files, tip files, duty records,
/// bulletins): one query.
pub async fn referenced(
    db: &crate::db::Db,
    shas: &[String],
) -> crate::error::Result<std::collections::HashSet<String>> {
    let mut query = crate::db::q(format!(
        "SELECT sha FROM ({REFERENCES}) used WHERE sha IN ("
    ));
    for (i, s) in shas.iter().enumerate() {
        query = query
            .push(if i == 0 { "" } else { ", " })
            .push_bind(s.as_str());
    }
    let rows: Vec<(String,)> = db.read().all(query.push(")")).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

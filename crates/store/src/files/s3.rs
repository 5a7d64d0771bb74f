//! An S3-compatible bucket (MinIO, Ceph, a government cloud's OSS / OBS / COS) through
//! the `object_store` crate: `s3://bucket/prefix`, the endpoint, region and credentials
//! from `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`). Path-style requests (what self-hosted stores expect); few,
//! short retries, so that an unreachable store answers within seconds.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use super::{ByteStream, FilesError};

#[derive(Debug, Clone)]
pub(super) struct S3 {
    store: Arc<AmazonS3>,
    bucket: String,
    prefix: String,
}

fn fail(e: object_store::Error) -> FilesError {
    match e {
        object_store::Error::NotFound { .. } => FilesError::NotFound,
        e => FilesError::Unavailable(e.to_string()),
    }
}

impl S3 {
    /// The bucket `raw` names, its endpoint, region and keys read through `var` (the
    /// process environment in production); the error says what is wrong.
    pub(super) fn from_url(raw: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<S3, String> {
        let url =
            url::Url::parse(raw).map_err(|e| format!("ANJIAN_STORAGE_URL“{raw}”无法解析：{e}"))?;
        if url.scheme() != "s3" {
            return Err(format!(
                "ANJIAN_STORAGE_URL“{raw}”：只支持 s3://桶名/前缀（或留空使用数据目录）"
            ));
        }
        let bucket = url
            .host_str()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| format!("ANJIAN_STORAGE_URL“{raw}”缺少桶名"))?
            .to_string();
        let prefix = url.path().trim_matches('/').to_string();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_region(
                var("AWS_REGION")
                    .or_else(|| var("AWS_DEFAULT_REGION"))
                    .unwrap_or_else(|| "us-east-1".to_string()),
            )
            .with_virtual_hosted_style_request(false)
            .with_crypto_provider(Arc::new(super::crypto::RustCrypto))
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: Duration::from_secs(5),
                ..Default::default()
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(60)),
            );
        if let Some(endpoint) = var("AWS_ENDPOINT_URL") {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if let Some(key) = var("AWS_ACCESS_KEY_ID") {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = var("AWS_SECRET_ACCESS_KEY") {
            builder = builder.with_secret_access_key(secret);
        }
        if let Some(token) = var("AWS_SESSION_TOKEN") {
            builder = builder.with_token(token);
        }
        let store = builder
            .build()
            .map_err(|e| format!("ANJIAN_STORAGE_URL“{raw}”：{e}"))?;
        Ok(S3 {
            store: Arc::new(store),
            bucket,
            prefix,
        })
    }

    pub(super) fn describe(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    fn key(&self, sha: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(format!("{}/{sha}", &sha[..2]))
        } else {
            Key::from(format!("{}/{}/{sha}", self.prefix, &sha[..2]))
        }
    }

    pub(super) async fn put(&self, sha: &str, bytes: &[u8]) -> Result<(), FilesError> {
        if self.exists(sha).await? {
            return Ok(());
        }
        self.store
            .put(&self.key(sha), PutPayload::from(bytes.to_vec()))
            .await
            .map(|_| ())
            .map_err(fail)
    }

    pub(super) async fn get(&self, sha: &str) -> Result<Vec<u8>, FilesError> {
        let got = self.store.get(&self.key(sha)).await.map_err(fail)?;
        Ok(got.bytes().await.map_err(fail)?.to_vec())
    }

    pub(super) async fn open(&self, sha: &str) -> Result<(u64, ByteStream), FilesError> {
        let got = self.store.get(&self.key(sha)).await.map_err(fail)?;
        let size = got.meta.size;
        let body = got
            .into_stream()
            .map_err(|e| std::io::Error::other(e.to_string()));
        Ok((size, Box::pin(body)))
    }

    /// Whether the bucket answers a listing (a missing bucket or refused keys do not).
    pub(super) async fn reachable(&self) -> bool {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        self.store
            .list_with_delimiter(prefix.as_ref())
            .await
            .is_ok()
    }

    pub(super) async fn exists(&self, sha: &str) -> Result<bool, FilesError> {
        match self.store.head(&self.key(sha)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(fail(e)),
        }
    }

    pub(super) async fn remove(&self, sha: &str) -> Result<(), FilesError> {
        match self.store.delete(&self.key(sha)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(fail(e)),
        }
    }

    pub(super) async fn older_than(
        &self,
        age: Duration,
        limit: usize,
    ) -> Result<Vec<String>, FilesError> {
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::zero());
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        let mut listing = self.store.list(prefix.as_ref());
        let mut out = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(fail)?;
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if super::is_digest(name) && (age.is_zero() || meta.last_modified < cutoff) {
                out.push(name.to_string());
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

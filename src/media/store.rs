//! Where stored files are kept (photos, published open data, documents,
//! previewed imports): a local folder (the default, `<data>/media`) or an
//! S3-compatible bucket (`VECHE_MEDIA_URL=s3://bucket/prefix?endpoint=…`),
//! both through the `object_store` crate, so one code path serves a single
//! machine and several nodes behind a load balancer (docs/NODES.md).
//!
//! Keys are the relative paths the folder always had (`photos/<key>-full.jpg`,
//! `files/<key>`, `opendata/<identifier>/<file>`), so an installation moves
//! to a bucket by copying its `media` folder, and an existing folder keeps
//! working as the default. Serving with ranges is in `serve.rs`.
//! Credentials of a bucket come from the usual `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` (and `AWS_REGION`) variables, never from the URL,
//! which is logged.

use std::path::Path;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Files larger than this go up in parts of this size (S3's multipart
/// upload; parts must be at least 5 MiB), so a published CSV of hundreds of
/// megabytes never sits in memory whole.
const PART: usize = 8 * 1024 * 1024;

/// A handle on the store. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct MediaStore {
    pub(super) inner: Arc<dyn ObjectStore>,
    /// For logs: the folder or the bucket, never a credential.
    pub describe: String,
}

impl MediaStore {
    /// The store `VECHE_MEDIA_URL` names, or the folder `media_dir`.
    pub fn from_env(media_dir: &Path) -> anyhow::Result<MediaStore> {
        match std::env::var("VECHE_MEDIA_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            Some(url) => MediaStore::open(&url, None),
            None => MediaStore::local(media_dir),
        }
    }

    /// A local folder, created if missing.
    pub fn local(dir: &Path) -> anyhow::Result<MediaStore> {
        std::fs::create_dir_all(dir)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?
            .with_automatic_cleanup(true);
        Ok(MediaStore {
            inner: Arc::new(store),
            describe: dir.display().to_string(),
        })
    }

    /// `s3://bucket[/prefix][?endpoint=http://host:port&region=…]`, or
    /// `file:///folder`. A bucket's keys: `keys` (access key id, secret),
    /// or the `AWS_*` environment when `None`.
    pub fn open(url: &str, keys: Option<(&str, &str)>) -> anyhow::Result<MediaStore> {
        let parsed = url::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("VECHE_MEDIA_URL is not a URL: {e}"))?;
        match parsed.scheme() {
            "file" => MediaStore::local(Path::new(parsed.path())),
            "s3" => {
                // The bucket's client has TLS without a provider of its own
                // (Cargo.toml): ring, installed once for the process.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let bucket = parsed
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| anyhow::anyhow!("VECHE_MEDIA_URL names no bucket"))?;
                let mut b = match keys {
                    Some((id, secret)) => object_store::aws::AmazonS3Builder::new()
                        .with_access_key_id(id)
                        .with_secret_access_key(secret)
                        .with_region("us-east-1"),
                    None => object_store::aws::AmazonS3Builder::from_env(),
                }
                .with_bucket_name(bucket);
                let mut endpoint = None;
                for (k, v) in parsed.query_pairs() {
                    match &*k {
                        "endpoint" => {
                            // A server of one's own (MinIO, Garage, s3s-fs):
                            // addressed by path, plain HTTP allowed only when
                            // the endpoint says so.
                            b = b
                                .with_endpoint(v.to_string())
                                .with_virtual_hosted_style_request(false)
                                .with_allow_http(v.starts_with("http://"));
                            endpoint = Some(v.to_string());
                        }
                        "region" => b = b.with_region(v.to_string()),
                        other => anyhow::bail!("VECHE_MEDIA_URL: unknown setting {other}"),
                    }
                }
                let store: Arc<dyn ObjectStore> = {
                    let s3 = b.build()?;
                    let prefix = parsed.path().trim_matches('/');
                    if prefix.is_empty() {
                        Arc::new(s3)
                    } else {
                        Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
                    }
                };
                Ok(MediaStore {
                    inner: store,
                    describe: format!(
                        "s3://{bucket}{}{}",
                        parsed.path(),
                        endpoint.map(|e| format!(" at {e}")).unwrap_or_default()
                    ),
                })
            }
            other => {
                anyhow::bail!("VECHE_MEDIA_URL: unsupported scheme {other}: (s3:// or file://)")
            }
        }
    }

    /// Writes `bytes` under `key` (whole: a reader never sees half a file).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `key`, or `None` when there are none.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<axum::body::Bytes>> {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `key`; a missing key is no error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes the file at `file` under `key`, read in parts: whole or not
    /// at all, like [`MediaStore::put`].
    pub async fn put_file(&self, key: &str, file: &Path) -> anyhow::Result<()> {
        let size = tokio::fs::metadata(file).await?.len();
        if size <= PART as u64 {
            return self.put(key, tokio::fs::read(file).await?).await;
        }
        let upload = self.inner.put_multipart(&ObjectPath::from(key)).await?;
        let mut parts = WriteMultipart::new_with_chunk_size(upload, PART);
        let copied = async {
            let mut f = tokio::fs::File::open(file).await?;
            let mut buf = vec![0u8; 1024 * 1024];
            loop {
                let n = f.read(&mut buf).await?;
                if n == 0 {
                    return Ok::<(), anyhow::Error>(());
                }
                // Two parts in flight at most: memory stays near 3 × PART.
                parts.wait_for_capacity(2).await?;
                parts.write(&buf[..n]);
            }
        }
        .await;
        match copied {
            Ok(()) => {
                parts.finish().await?;
                Ok(())
            }
            Err(e) => {
                let _ = parts.abort().await;
                Err(e)
            }
        }
    }

    /// Copies the object under `key` into the local file `file` (created or
    /// truncated), streamed; `false` when there is no such object.
    pub async fn get_file(&self, key: &str, file: &Path) -> anyhow::Result<bool> {
        let got = match self.inner.get(&ObjectPath::from(key)).await {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let mut out = tokio::fs::File::create(file).await?;
        let mut body = super::serve::body(got);
        while let Some(chunk) = body.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
        Ok(true)
    }

    /// Removes the objects under `prefix` last written more than `age` ago
    /// (what a two-step form left behind when nobody confirmed it).
    pub async fn delete_older(
        &self,
        prefix: &str,
        age: std::time::Duration,
    ) -> anyhow::Result<usize> {
        let cutoff = time::OffsetDateTime::now_utc().unix_timestamp()
            - i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        let old: Vec<ObjectPath> = self
            .inner
            .list(Some(&ObjectPath::from(prefix)))
            .try_filter(|m| std::future::ready(m.last_modified.timestamp() < cutoff))
            .map_ok(|m| m.location)
            .try_collect()
            .await?;
        for p in &old {
            match self.inner.delete(p).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(old.len())
    }
}

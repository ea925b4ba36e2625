//! Serving a stored object over HTTP, from the folder or the bucket alike:
//! one byte range answered `206` with `Content-Range` (resumable downloads,
//! audio players that seek), no range the whole object, a range that
//! cannot be served `416` — what tower-http's `ServeFile` answered when
//! the files were only on the local disk. The body is streamed: a published
//! CSV of hundreds of megabytes never sits in memory.
//!
//! The caller adds what the object means (Content-Type, Content-Disposition,
//! its own ETag and caching), and answers `304` itself before asking.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, GetResult, GetResultPayload, ObjectStoreExt};

use super::MediaStore;

/// A local file is read in pieces of this size (object_store's own stream
/// reads 8 KiB at a time, one blocking task each).
const CHUNK: usize = 256 * 1024;

impl MediaStore {
    /// The response for `key` to a request with `method` and `headers`
    /// (`Range` read, the rest left to the caller); `None` when there is
    /// no such object.
    pub async fn serve(
        &self,
        key: &str,
        method: &Method,
        headers: &HeaderMap,
    ) -> anyhow::Result<Option<Response>> {
        let path = ObjectPath::from(key);
        let asked = headers.get(header::RANGE).map(|v| v.to_str().unwrap_or(""));
        let head = method == Method::HEAD;
        // Without a range, one request: the object's size comes with it.
        if asked.is_none() && !head {
            let got = match self.inner.get(&path).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let size = got.meta.size;
            return Ok(Some(shaped(
                StatusCode::OK,
                size,
                None,
                Body::from_stream(body(got)),
            )));
        }
        // A range is checked against the size first: a suffix or an open
        // end becomes exact bytes, and what cannot be served is refused
        // before anything is read.
        let size = match self.inner.head(&path).await {
            Ok(m) => m.size,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let range = match asked {
            None => None,
            Some(v) => match http_range_header::parse_range_header(v)
                .and_then(|r| r.validate(size))
                .as_deref()
            {
                Ok([one]) => Some(one.clone()),
                // Several ranges (a multipart answer) are not served, as
                // before; neither is a range beyond the end.
                _ => {
                    let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                        r.headers_mut().insert(header::CONTENT_RANGE, v);
                    }
                    return Ok(Some(r));
                }
            },
        };
        let status = if range.is_some() {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        };
        if head {
            return Ok(Some(shaped(status, size, range, Body::empty())));
        }
        let options = GetOptions {
            range: range
                .as_ref()
                .map(|r| GetRange::Bounded(*r.start()..r.end() + 1)),
            ..GetOptions::default()
        };
        let got = match self.inner.get_opts(&path, options).await {
            Ok(g) => g,
            // Removed between the two requests.
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(shaped(
            status,
            size,
            range,
            Body::from_stream(body(got)),
        )))
    }
}

fn shaped(
    status: StatusCode,
    size: u64,
    range: Option<std::ops::RangeInclusive<u64>>,
    body: Body,
) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let length = match &range {
        Some(range) => {
            if let Ok(v) =
                HeaderValue::from_str(&format!("bytes {}-{}/{size}", range.start(), range.end()))
            {
                h.insert(header::CONTENT_RANGE, v);
            }
            range.end() - range.start() + 1
        }
        None => size,
    };
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    r
}

/// The bytes of a fetched object (or of its fetched range), as a stream.
pub(super) fn body(got: GetResult) -> BoxStream<'static, anyhow::Result<Bytes>> {
    let range = got.range.clone();
    match got.payload {
        GetResultPayload::File(file, _) => {
            let start = async move {
                use tokio::io::AsyncSeekExt;
                let mut f = tokio::fs::File::from_std(file);
                f.seek(std::io::SeekFrom::Start(range.start)).await?;
                Ok::<_, anyhow::Error>(f)
            };
            futures::stream::once(start)
                .map_ok(move |f| {
                    futures::stream::try_unfold(
                        (f, range.end - range.start),
                        |(mut f, left)| async move {
                            use tokio::io::AsyncReadExt;
                            if left == 0 {
                                return Ok(None);
                            }
                            let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
                            let mut buf = vec![0u8; want];
                            f.read_exact(&mut buf).await?;
                            Ok(Some((Bytes::from(buf), (f, left - want as u64))))
                        },
                    )
                })
                .try_flatten()
                .boxed()
        }
        GetResultPayload::Stream(s) => s.map_err(anyhow::Error::from).boxed(),
    }
}

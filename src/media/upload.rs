//! Photo uploads in forms and APIs: read a multipart part in chunks (an
//! oversized file is refused without being held), then process and store a
//! set of photos at a turn of the photo gate. Problem reports, construction
//! checks, orders and partners' messages all take photos this way.

use axum::http::StatusCode;

use crate::error::{AppError, AppResult, Msg};
use crate::media;
use crate::web::limits::Gates;

/// Largest report upload: five photos at their limit, and the text.
pub const MAX_UPLOAD: usize = 5 * media::MAX_BYTES + 1024 * 1024;

/// A photo already processed and written to disk, to attach.
pub struct StoredPhoto {
    pub key: String,
    pub width: u32,
    pub height: u32,
}

/// One uploaded photo, read in chunks so an oversized file is refused
/// without being held in memory.
pub enum PhotoPart {
    Photo(String, Vec<u8>),
    TooLarge(Msg),
    /// A file input left empty (browsers send an empty part).
    Empty,
}

/// The files of a multipart form and why one was refused.
#[derive(Default)]
pub struct Files {
    /// `(file name, bytes)` of each file within the size limit.
    pub files: Vec<(String, Vec<u8>)>,
    /// A file over the limit, refused as it streamed (the last such).
    pub error: Option<Msg>,
}

/// Reads a multipart form: the parts named `file_field` are files, taken
/// as they stream (one over the size limit is refused without being held);
/// every other part is text, handed to `text(name, value)`.
pub async fn read_multipart(
    mut multipart: axum::extract::Multipart,
    file_field: &str,
    mut text: impl FnMut(&str, String),
) -> AppResult<Files> {
    let mut out = Files::default();
    while let Some(mut field) = multipart.next_field().await.map_err(upload_error)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            match read_photo(&mut field).await? {
                PhotoPart::Photo(n, b) => out.files.push((n, b)),
                PhotoPart::TooLarge(m) => out.error = Some(m),
                PhotoPart::Empty => {}
            }
            continue;
        }
        let value = field.text().await.map_err(upload_error)?;
        text(&name, value);
    }
    Ok(out)
}

/// A form of one file and a few text fields (an import): the file's name
/// and bytes, and the fields (at most 20, the rest ignored). A file over
/// the size limit is 413; no file, 422.
pub async fn one_file(
    multipart: axum::extract::Multipart,
) -> AppResult<(String, Vec<u8>, std::collections::BTreeMap<String, String>)> {
    let mut fields = std::collections::BTreeMap::new();
    let files = read_multipart(multipart, "file", |k, v| {
        if fields.len() < 20 {
            fields.insert(k.to_owned(), v);
        }
    })
    .await?;
    if let Some(m) = files.error {
        return Err(crate::error::AppError::client(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            m,
        ));
    }
    let Some((name, bytes)) = files.files.into_iter().next() else {
        return Err(crate::error::AppError::invalid(
            "Выберите файл.",
            "Choose a file.",
        ));
    };
    Ok((name, bytes, fields))
}

pub async fn read_photo(field: &mut axum::extract::multipart::Field<'_>) -> AppResult<PhotoPart> {
    let file_name = field.file_name().unwrap_or("").to_owned();
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
        if bytes.len() + chunk.len() > media::MAX_BYTES {
            too_large = true;
            bytes = Vec::new();
            continue;
        }
        if !too_large {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(if too_large {
        PhotoPart::TooLarge(Msg::new(
            format!(
                "Файл «{file_name}» больше {} МБ. Уменьшите фотографию.",
                media::MAX_BYTES >> 20
            ),
            format!(
                "The file “{file_name}” is larger than {} MB. Make the photo smaller.",
                media::MAX_BYTES >> 20
            ),
        ))
    } else if bytes.is_empty() {
        PhotoPart::Empty
    } else {
        PhotoPart::Photo(file_name, bytes)
    })
}

pub fn upload_error(err: axum::extract::multipart::MultipartError) -> AppError {
    let detail = err.body_text();
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Msg::new(
                "Загрузка слишком большая: не больше 5 фотографий по 15 МБ.",
                "The upload is too large: at most 5 photos of 15 MB each.",
            ),
        )
    } else {
        AppError::bad_request(
            "upload",
            Msg::new(
                format!("Форму не удалось прочитать: {detail}"),
                format!("The form could not be read: {detail}"),
            ),
        )
    }
}

/// Processes photos on the blocking pool and writes both sizes to disk.
/// Returns the stored photos, or the first refusal (nothing kept then).
pub async fn store_photos(
    media: &media::MediaStore,
    gates: &Gates,
    photos: Vec<(String, Vec<u8>)>,
) -> AppResult<Result<Vec<StoredPhoto>, Msg>> {
    if photos.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    // Decoding a large photo takes hundreds of megabytes for a moment: a
    // few at a time, so a burst of uploads cannot exhaust memory.
    let _permit = gates.photos.enter().await?;
    let processed = tokio::task::spawn_blocking(move || {
        photos
            .iter()
            .map(|(name, bytes)| {
                media::process(bytes, if name.is_empty() { "photo" } else { name })
            })
            .collect::<Result<Vec<_>, Msg>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let processed = match processed {
        Ok(p) => p,
        Err(m) => return Ok(Err(m)),
    };
    let mut stored = Vec::new();
    for p in &processed {
        match media::store(media, p).await {
            Ok(key) => stored.push(StoredPhoto {
                key,
                width: p.width,
                height: p.height,
            }),
            Err(e) => {
                media::discard(
                    media,
                    &stored.iter().map(|s| s.key.clone()).collect::<Vec<_>>(),
                )
                .await;
                return Err(AppError::Internal(e));
            }
        }
    }
    Ok(Ok(stored))
}

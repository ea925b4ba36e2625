//! Photos: checked, oriented, stripped of every piece of metadata (EXIF,
//! GPS, XMP, comments) and resized before anything is stored or shown.
//!
//! An upload is accepted only as JPEG, PNG or WebP, recognised by its bytes
//! (not its name). Its dimensions are read from the header before any pixel
//! is decoded, so a 200-megapixel image or a decompression bomb is refused
//! cheaply; decoding runs under explicit memory limits. The image is then
//! turned upright by its EXIF orientation and re-encoded from pixels: the
//! original bytes, and with them all metadata, are never stored. Two sizes are
//! kept: `full` (at most 2048 px) and `thumb` (at most 400 px), as JPEG.

use std::io::Cursor;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};
use crate::web::extract::Path as PathParam;

/// Largest upload of one photo.
pub const MAX_BYTES: usize = 15 * 1024 * 1024;
/// Largest picture, in pixels (a 50-megapixel camera is the most a phone has).
pub const MAX_PIXELS: u64 = 60_000_000;
/// Largest side, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may allocate.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
pub const FULL: u32 = 2048;
pub const THUMB: u32 = 400;

pub mod access;
mod serve;
pub mod sheet;
pub mod store;
pub mod upload;

pub use access::{PhotoRule, PhotoRules, Visibility};
pub use store::MediaStore;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{file}", get(serve))
}

/// A photo ready to store.
#[derive(Debug)]
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn reject(ru: String, en: String) -> Msg {
    Msg::new(ru, en)
}

/// Checks and re-encodes an upload (CPU-heavy: call on the blocking pool).
pub fn process(bytes: &[u8], name: &str) -> Result<Processed, Msg> {
    if bytes.len() > MAX_BYTES {
        return Err(reject(
            format!("Файл «{name}» больше {} МБ.", MAX_BYTES >> 20),
            format!("The file “{name}” is larger than {} MB.", MAX_BYTES >> 20),
        ));
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP));
    let Some(format) = format else {
        return Err(reject(
            format!("Файл «{name}» не является фотографией в формате JPEG, PNG или WebP."),
            format!("The file “{name}” is not a JPEG, PNG or WebP photo."),
        ));
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Only memory is limited here: dimensions are checked below, with a
    // message that names them.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| damaged(name, &e))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE {
        return Err(reject(
            format!(
                "Фотография «{name}» слишком большая: {w}×{h} пикселей (не больше {} Мп). Уменьшите её.",
                MAX_PIXELS / 1_000_000
            ),
            format!(
                "The photo “{name}” is too large: {w}×{h} pixels (at most {} MP). Make it smaller.",
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // Decoded at full scale: the decoder (zune-jpeg, through `image`) has
    // no reduced-size IDCT, and for the common 12-megapixel photo the half
    // scale (2000 × 1500) would be smaller than `FULL` anyway.
    let img = DynamicImage::from_decoder(decoder).map_err(|e| damaged(name, &e))?;
    // No copy when the decoder gave RGB already (every JPEG photo does).
    let img = img.into_rgb8();
    // Resized first and turned upright after: the same picture as the other
    // way round (both sides are fitted into the same square box), but the
    // rotation then moves 3 megapixels instead of 12. The thumbnail is made
    // from the full size, not from the original.
    let full = fit(img, FULL)?;
    let thumb = fit(full.clone(), THUMB)?;
    let (full, thumb) = (upright(full, orientation), upright(thumb, orientation));
    Ok(Processed {
        full: jpeg(&full)?,
        thumb: jpeg(&thumb)?,
        width: full.width(),
        height: full.height(),
    })
}

fn damaged(name: &str, e: &image::ImageError) -> Msg {
    match e {
        image::ImageError::Limits(_) => reject(
            format!(
                "Фотография «{name}» требует слишком много памяти для обработки. Уменьшите её."
            ),
            format!("The photo “{name}” needs too much memory to process. Make it smaller."),
        ),
        _ => reject(
            format!("Файл «{name}» повреждён или не читается как изображение."),
            format!("The file “{name}” is damaged or cannot be read as an image."),
        ),
    }
}

fn not_saved(e: impl std::fmt::Display) -> Msg {
    reject(
        format!("Не удалось сохранить фото: {e}"),
        format!("The photo could not be saved: {e}"),
    )
}

/// The size `w`×`h` takes when fitted into a `side`×`side` box, aspect kept:
/// the rounding `image`'s `resize` used, so stored sizes stay what they were.
fn fitted(w: u32, h: u32, side: u32) -> (u32, u32) {
    let ratio = f64::min(
        f64::from(side) / f64::from(w),
        f64::from(side) / f64::from(h),
    );
    let scale = |v: u32| ((f64::from(v) * ratio).round() as u32).max(1);
    (scale(w), scale(h))
}

/// `img` fitted into a `side`×`side` box (Catmull-Rom, as before, with the
/// SIMD code of `fast_image_resize`), or as it is when it fits already.
fn fit(img: image::RgbImage, side: u32) -> Result<image::RgbImage, Msg> {
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images};
    let (w, h) = img.dimensions();
    if w <= side && h <= side {
        return Ok(img);
    }
    let (nw, nh) = fitted(w, h, side);
    let src = images::ImageRef::new(w, h, img.as_raw(), PixelType::U8x3).map_err(not_saved)?;
    let mut dst = images::Image::new(nw, nh, PixelType::U8x3);
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom)),
        )
        .map_err(not_saved)?;
    image::RgbImage::from_raw(nw, nh, dst.into_vec())
        .ok_or_else(|| not_saved("the resized buffer has the wrong length"))
}

fn upright(img: image::RgbImage, orientation: image::metadata::Orientation) -> image::RgbImage {
    let mut img = DynamicImage::ImageRgb8(img);
    img.apply_orientation(orientation);
    img.into_rgb8()
}

/// Quality 85 as before, now with the chroma at half resolution both ways
/// (4:2:0, each sample the average of its 2 × 2 pixels, as libjpeg and
/// cameras do) instead of `image`'s 4:4:4: smaller files (on the bench's
/// photo 326 kB instead of 341 kB, the thumbnail 7 kB instead of 10 kB) for
/// a difference the eye does not see in a photo. Baseline, standard Huffman
/// tables; nothing but the pixels is written (no EXIF, no comment).
fn jpeg(img: &image::RgbImage) -> Result<Vec<u8>, Msg> {
    let mut out = Vec::new();
    let (w, h) = img.dimensions();
    // Both sides are at most `FULL` here.
    let (w, h) = (
        u16::try_from(w).map_err(not_saved)?,
        u16::try_from(h).map_err(not_saved)?,
    );
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    encoder
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(not_saved)?;
    Ok(out)
}

/// The store's key of one size of a photo.
fn object(key: &str, size: &str) -> String {
    format!("photos/{key}-{size}.jpg")
}

/// Stores both sizes; returns the media key.
pub async fn store(media: &MediaStore, p: &Processed) -> anyhow::Result<String> {
    let key = uuid::Uuid::new_v4().simple().to_string();
    media.put(&object(&key, "full"), p.full.clone()).await?;
    media.put(&object(&key, "thumb"), p.thumb.clone()).await?;
    Ok(key)
}

/// Removes the files of photos that were stored but not recorded (the
/// transaction that would have recorded them failed).
pub async fn discard(media: &MediaStore, keys: &[String]) {
    for key in keys {
        for size in ["full", "thumb"] {
            if let Err(e) = media.delete(&object(key, size)).await {
                tracing::warn!(error = %format!("{e:#}"), "an unrecorded photo was not removed");
            }
        }
    }
}

/// The bytes of one size of a stored photo (`full` or `thumb`), or `None`.
pub async fn read(media: &MediaStore, key: &str, size: &str) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(media.get(&object(key, size)).await?.map(|b| b.to_vec()))
}

/// The store's key of a document kept as it was sent (an order's file, a
/// dictation, a construction document, a МЭДО package's file): the
/// `files/` folder they always had.
pub fn file_key(key: &str) -> String {
    format!("files/{key}")
}

pub fn url(key: &str, size: &str) -> String {
    format!("/media/{key}-{size}.jpg")
}

/// `GET /media/{key}-{size}.jpg`, to those the photo's owner's rule names
/// (`access::PhotoRules`).
async fn serve(
    State(rules): State<PhotoRules>,
    State(db): State<crate::db::Db>,
    State(media): State<MediaStore>,
    user: Option<crate::auth::CurrentUser>,
    PathParam(file): PathParam<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (stem, size) = file
        .strip_suffix(".jpg")
        .and_then(|s| s.rsplit_once('-'))
        .filter(|(k, size)| {
            k.len() == 32
                && k.bytes().all(|b| b.is_ascii_hexdigit())
                && matches!(*size, "full" | "thumb")
        })
        .ok_or_else(AppError::not_found)?;
    let Some(Visibility { public, visible }) = rules.visibility(&db, stem, user.as_ref()).await?
    else {
        return Err(AppError::not_found());
    };
    if !visible {
        return Err(AppError::not_found());
    }
    // The bytes under a key never change, but whether they may be shown
    // does: a moderator may hide a report. So public photos are cached for
    // five minutes only (then revalidated: a 304 when still visible, a 404
    // once withdrawn), and others are never stored by any cache.
    let cache = if public {
        "public, max-age=300"
    } else {
        "private, no-store"
    };
    let etag = format!("\"{stem}-{size}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        let h = r.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        return Ok(r);
    }
    let bytes = media
        .get(&object(stem, size))
        .await
        .map_err(AppError::Internal)?
        .ok_or_else(AppError::not_found)?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, _| {
            image::Rgb([(x % 256) as u8, 100, 150])
        }));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_resized_and_re_encoded() {
        let p = process(&jpeg_of(3000, 1500), "a.jpg").unwrap();
        assert_eq!((p.width, p.height), (2048, 1024));
        let thumb = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 200));
    }

    /// A JPEG whose EXIF says "rotate 90° clockwise" (orientation 6): the
    /// left half red, the right half blue.
    fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        }));
        let mut plain = Vec::new();
        img.write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
            .unwrap();
        // TIFF header, one IFD with one entry: Orientation (0x0112), SHORT, 6.
        let mut tiff = b"II\x2a\x00\x08\x00\x00\x00\x01\x00".to_vec();
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(plain.into()).unwrap();
        img_parts::ImageEXIF::set_exif(&mut jpeg, Some(tiff.into()));
        let mut out = Vec::new();
        jpeg.encoder().write_to(&mut out).unwrap();
        out
    }

    #[test]
    fn large_photos_are_resized_then_turned_upright_without_exif() {
        let p = process(&sideways_jpeg(3000, 1500), "sideways.jpg").unwrap();
        // Turned a quarter clockwise: portrait, the left (red) half on top.
        assert_eq!((p.width, p.height), (1024, 2048));
        for (bytes, (w, h)) in [(&p.full, (1024, 2048)), (&p.thumb, (200, 400))] {
            assert!(!bytes.windows(4).any(|b| b == b"Exif"), "no EXIF kept");
            let img = image::load_from_memory(bytes).unwrap().to_rgb8();
            assert_eq!(img.dimensions(), (w, h));
            let top = img.get_pixel(w / 2, h / 4).0;
            let bottom = img.get_pixel(w / 2, h * 3 / 4).0;
            assert!(top[0] > 180 && top[2] < 60, "red on top: {top:?}");
            assert!(bottom[2] > 180 && bottom[0] < 60, "blue below: {bottom:?}");
        }
    }

    #[test]
    fn only_images_are_accepted() {
        assert!(
            process(b"%PDF-1.4 not an image", "x.pdf")
                .unwrap_err()
                .en
                .contains("not a JPEG")
        );
        let mut cut = jpeg_of(100, 100);
        cut.truncate(200);
        assert!(process(&cut, "cut.jpg").is_err());
    }

    #[test]
    fn huge_pictures_are_refused_from_the_header() {
        // A 20,000 × 10,000 PNG header: refused before decoding.
        let img = DynamicImage::ImageLuma8(image::GrayImage::new(1, 1));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        // Patch IHDR width/height (bytes 16..24) to claim 20000 × 10000.
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        let err = process(&png, "bomb.png").unwrap_err();
        assert!(
            err.en.contains("too large") || err.en.contains("damaged"),
            "{}",
            err.en
        );
    }
}

//! A recording as uploaded: recognised by its bytes (never by its name or
//! the browser's type), within the size and length limits.

use crate::error::{AppError, Msg};

/// The containers browsers record (MediaRecorder: WebM/Opus in Chromium and
/// Firefox, MP4/AAC in Safari, Ogg/Opus) and those a person may upload
/// (WAV, MP3, FLAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WebM,
    Ogg,
    Wav,
    Mp3,
    Mp4,
    Flac,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::WebM,
        Format::Ogg,
        Format::Wav,
        Format::Mp3,
        Format::Mp4,
        Format::Flac,
    ];

    pub fn sniff(b: &[u8]) -> Option<Format> {
        if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(Format::WebM)
        } else if b.starts_with(b"OggS") {
            Some(Format::Ogg)
        } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WAVE" {
            Some(Format::Wav)
        } else if b.starts_with(b"fLaC") {
            Some(Format::Flac)
        } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
            Some(Format::Mp4)
        } else if b.starts_with(b"ID3") || (b.len() >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0) {
            Some(Format::Mp3)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::WebM => "audio/webm",
            Format::Ogg => "audio/ogg",
            Format::Wav => "audio/wav",
            Format::Mp3 => "audio/mpeg",
            Format::Mp4 => "audio/mp4",
            Format::Flac => "audio/flac",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::WebM => "webm",
            Format::Ogg => "ogg",
            Format::Wav => "wav",
            Format::Mp3 => "mp3",
            Format::Mp4 => "m4a",
            Format::Flac => "flac",
        }
    }
}

/// A recording checked for its kind and limits.
#[derive(Debug, Clone)]
pub struct Audio {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// The length, when the header tells it (WAV); others are measured by
    /// the recogniser.
    pub seconds: Option<f64>,
}

impl Audio {
    /// Checks an upload: not empty, at most `max_bytes`, a known audio
    /// container, and (for WAV, whose header says it) at most `max_seconds`.
    pub fn check(bytes: Vec<u8>, max_bytes: usize, max_seconds: u32) -> Result<Audio, AppError> {
        if bytes.is_empty() {
            return Err(AppError::invalid(
                "Запись пустая: запишите или выберите файл ещё раз.",
                "The recording is empty: record or choose the file again.",
            ));
        }
        if bytes.len() > max_bytes {
            return Err(too_large(max_bytes));
        }
        let format = Format::sniff(&bytes).ok_or_else(|| {
            AppError::client(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_audio",
                Msg::new(
                    "Файл не похож на звукозапись (WebM, Ogg, WAV, MP3, M4A, FLAC).",
                    "The file is not a sound recording (WebM, Ogg, WAV, MP3, M4A, FLAC).",
                ),
            )
        })?;
        let seconds = (format == Format::Wav)
            .then(|| wav_seconds(&bytes))
            .flatten();
        if let Some(s) = seconds
            && s > f64::from(max_seconds)
        {
            return Err(too_long(s, max_seconds));
        }
        Ok(Audio {
            bytes,
            format,
            seconds,
        })
    }
}

pub fn too_large(max_bytes: usize) -> AppError {
    AppError::client(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        Msg::new(
            format!("Запись больше {} МБ.", max_bytes >> 20),
            format!("The recording is larger than {} MB.", max_bytes >> 20),
        ),
    )
}

pub fn too_long(seconds: f64, max: u32) -> AppError {
    AppError::unprocessable(
        "too_long",
        Msg::new(
            format!("Запись длится {seconds:.0} с, а можно не больше {max} с: продиктуйте короче."),
            format!(
                "The recording lasts {seconds:.0} s; at most {max} s is accepted: dictate it shorter."
            ),
        ),
    )
}

/// The length of a PCM WAV from its `fmt ` and `data` chunks.
pub fn wav_seconds(b: &[u8]) -> Option<f64> {
    let mut at = 12;
    let mut byte_rate = None;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = u32::from_le_bytes(b[at + 4..at + 8].try_into().ok()?) as usize;
        let body = at + 8;
        if id == b"fmt " && body + 12 <= b.len() {
            byte_rate = Some(u32::from_le_bytes(b[body + 8..body + 12].try_into().ok()?));
        }
        if id == b"data" {
            let rate = f64::from(byte_rate.filter(|r| *r > 0)?);
            // A streamed WAV may say 0 or 0xFFFFFFFF: count what is there.
            let len = if size == 0 || size == u32::MAX as usize {
                b.len() - body
            } else {
                size.min(b.len() - body)
            };
            return Some(len as f64 / rate);
        }
        at = body.checked_add(size + (size & 1))?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(seconds: u32) -> Vec<u8> {
        let rate = 16_000u32;
        let data = vec![0u8; (rate * 2 * seconds) as usize];
        let mut w = Vec::new();
        w.extend_from_slice(b"RIFF");
        w.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes());
        w.extend_from_slice(&rate.to_le_bytes());
        w.extend_from_slice(&(rate * 2).to_le_bytes());
        w.extend_from_slice(&2u16.to_le_bytes());
        w.extend_from_slice(&16u16.to_le_bytes());
        w.extend_from_slice(b"data");
        w.extend_from_slice(&(data.len() as u32).to_le_bytes());
        w.extend_from_slice(&data);
        w
    }

    #[test]
    fn recordings_are_known_by_their_bytes() {
        assert_eq!(
            Format::sniff(&[0x1A, 0x45, 0xDF, 0xA3, 1]),
            Some(Format::WebM)
        );
        assert_eq!(Format::sniff(b"OggS\0\x02"), Some(Format::Ogg));
        assert_eq!(Format::sniff(&wav(1)), Some(Format::Wav));
        assert_eq!(Format::sniff(b"%PDF-1.7"), None);
        assert_eq!(Format::sniff(b"\x89PNG\r\n"), None);
    }

    #[test]
    fn limits_are_checked_before_recognition() {
        let a = Audio::check(wav(3), 10 << 20, 120).unwrap();
        assert_eq!(a.seconds.map(|s| s.round()), Some(3.0));
        assert_eq!(
            Audio::check(wav(5), 10 << 20, 4).unwrap_err().code(),
            "too_long"
        );
        assert_eq!(
            Audio::check(Vec::new(), 10, 4).unwrap_err().code(),
            "invalid_input"
        );
        assert_eq!(
            Audio::check(wav(1), 100, 4).unwrap_err().code(),
            "too_large"
        );
        assert_eq!(
            Audio::check(b"hello".to_vec(), 100, 4).unwrap_err().code(),
            "not_audio"
        );
    }
}

//! `envelope.ini`: the letter of the transport (КП ПС СЗИ, the gateway's
//! mail service) that every МЭДО package carries. An INI file, commonly in
//! windows-1251, as gateways and document systems write it:
//!
//! ```text
//! [ПИСЬМО КП ПС СЗИ]
//! ТЕМА=ЭСД МЭДО (78 от 25.01.2023)
//! АВТООТПРАВКА=1
//! ШИФРОВАНИЕ=0
//! ЭЦП=0
//! ДОСТАВЛЕНО=1
//! ПРОЧТЕНО=1
//! ДАТА=26.01.2023 13:22:52
//! [АДРЕСАТЫ]
//! 0=WH-MEDO~APRF
//! [ФАЙЛЫ]
//! 0=document.xml
//! 1=text0000000000.pdf
//! [ТЕКСТ]
//! ФАЙЛ=annotation.txt
//! ```
//!
//! Addresses are the gateway's (`node~mailbox`), not IEDMS GUIDs. The keys
//! were taken from public gateway integrations (tests/fixtures/medo/
//! SOURCES.md); unknown keys are ignored.

use time::{Date, Month, PrimitiveDateTime, Time};

use super::{Charset, Fault, Refusal};

const LETTER: &str = "ПИСЬМО КП ПС СЗИ";
const ADDRESSEES: &str = "АДРЕСАТЫ";
const FILES: &str = "ФАЙЛЫ";
const TEXT: &str = "ТЕКСТ";

/// What an envelope says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `ТЕМА`: the subject.
    pub subject: String,
    /// `ДАТА`: when it was written, local time (`dd.mm.yyyy hh:mm:ss`).
    pub date: Option<PrimitiveDateTime>,
    /// `АВТООТПРАВКА`: the gateway sends it without an operator.
    pub auto_send: bool,
    /// `ШИФРОВАНИЕ`: the transport encrypts it.
    pub encrypt: bool,
    /// `ЭЦП`: the transport signs it.
    pub sign: bool,
    /// `ДОСТАВЛЕНО`: a notice of delivery is asked for.
    pub notify_delivered: bool,
    /// `ПРОЧТЕНО`: a notice of reading is asked for.
    pub notify_read: bool,
    /// `[АДРЕСАТЫ]`, in their numbers' order.
    pub addressees: Vec<String>,
    /// `[ФАЙЛЫ]`, in their numbers' order: the XML message and its files.
    /// `write_package` writes this section from the files it is given, so
    /// it never names a file that is not there.
    pub files: Vec<String>,
    /// `[ТЕКСТ] ФАЙЛ=`: a file with the letter's text, when there is one.
    pub text_file: Option<String>,
}

impl Envelope {
    /// An envelope as veche writes one: sent automatically, neither
    /// encrypted nor signed by the transport, notices asked for.
    pub fn new(
        subject: impl Into<String>,
        addressees: Vec<String>,
        date: PrimitiveDateTime,
    ) -> Self {
        Envelope {
            subject: subject.into(),
            date: Some(date),
            auto_send: true,
            encrypt: false,
            sign: false,
            notify_delivered: true,
            notify_read: true,
            addressees,
            files: Vec::new(),
            text_file: None,
        }
    }

    /// Reads an envelope in UTF-8 (with or without a byte order mark) or
    /// windows-1251. Windows-1251 Cyrillic is almost never valid UTF-8, so
    /// bytes that are not UTF-8 are read as windows-1251, and the letter's
    /// section header tells whether that was right.
    pub fn parse(bytes: &[u8]) -> Result<Self, Refusal> {
        let text = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(body) => super::tree::decode_as(body, Charset::Utf8)?,
            None => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => super::tree::decode_as(bytes, Charset::Windows1251)?,
            },
        };
        if text.chars().any(|c| c == '\0') {
            return Err(Refusal::of(
                Fault::Encoding,
                "the envelope holds NUL characters: it is UTF-16 or not text; \
                 only UTF-8 and windows-1251 envelopes are read",
            ));
        }
        let mut envelope = Envelope {
            subject: String::new(),
            date: None,
            auto_send: false,
            encrypt: false,
            sign: false,
            notify_delivered: false,
            notify_read: false,
            addressees: Vec::new(),
            files: Vec::new(),
            text_file: None,
        };
        let mut section: Option<String> = None;
        let mut letter = false;
        let mut addressees = Vec::new();
        let mut files = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim().to_uppercase();
                letter |= name == LETTER;
                section = Some(name);
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim().to_uppercase(), value.trim());
            match section.as_deref() {
                Some(LETTER) => envelope.letter_field(&key, value),
                Some(ADDRESSEES) => addressees.push(numbered(&key, value, ADDRESSEES)?),
                Some(FILES) => files.push(numbered(&key, value, FILES)?),
                Some(TEXT) if key == "ФАЙЛ" && !value.is_empty() => {
                    envelope.text_file = Some(value.to_owned());
                }
                _ => {}
            }
        }
        if !letter {
            return Err(Refusal::of(
                Fault::Envelope,
                format!(
                    "the envelope has no [{LETTER}] section: it is not an envelope, or it is in an \
                     encoding other than UTF-8 and windows-1251"
                ),
            ));
        }
        envelope.addressees = in_order(addressees, ADDRESSEES)?;
        envelope.files = in_order(files, FILES)?;
        if envelope.files.is_empty() {
            return Err(Refusal::of(
                Fault::Envelope,
                format!("the envelope's [{FILES}] section names no file"),
            ));
        }
        Ok(envelope)
    }

    fn letter_field(&mut self, key: &str, value: &str) {
        let flag = value == "1";
        match key {
            "ТЕМА" => self.subject = value.to_owned(),
            "ДАТА" => self.date = parse_date_time(value),
            "АВТООТПРАВКА" => self.auto_send = flag,
            "ШИФРОВАНИЕ" => self.encrypt = flag,
            "ЭЦП" => self.sign = flag,
            "ДОСТАВЛЕНО" => self.notify_delivered = flag,
            "ПРОЧТЕНО" => self.notify_read = flag,
            _ => {}
        }
    }

    /// The envelope in windows-1251 with Windows line ends, as gateways
    /// read it, naming `files` in `[ФАЙЛЫ]`. Line breaks inside values are
    /// made spaces, so no value can start a key of its own; characters the
    /// code page lacks become `?` (file names are checked before this, by
    /// `write_package`, so only the subject can lose any).
    pub fn to_bytes(&self, files: &[&str]) -> Vec<u8> {
        let flag = |on: bool| if on { "1" } else { "0" };
        let mut lines = vec![
            format!("[{LETTER}]"),
            format!("ТЕМА={}", one_line(&self.subject)),
            format!("АВТООТПРАВКА={}", flag(self.auto_send)),
            format!("ШИФРОВАНИЕ={}", flag(self.encrypt)),
            format!("ЭЦП={}", flag(self.sign)),
            format!("ДОСТАВЛЕНО={}", flag(self.notify_delivered)),
            format!("ПРОЧТЕНО={}", flag(self.notify_read)),
        ];
        if let Some(date) = self.date {
            lines.push(format!("ДАТА={}", format_date_time(date)));
        }
        lines.push(format!("[{ADDRESSEES}]"));
        for (i, address) in self.addressees.iter().enumerate() {
            lines.push(format!("{i}={}", one_line(address)));
        }
        lines.push(format!("[{FILES}]"));
        for (i, name) in files.iter().enumerate() {
            lines.push(format!("{i}={}", one_line(name)));
        }
        if let Some(text) = &self.text_file {
            lines.push(format!("[{TEXT}]"));
            lines.push(format!("ФАЙЛ={}", one_line(text)));
        }
        let mut text = lines.join("\r\n");
        text.push_str("\r\n");
        encode_1251_lossy(&text)
    }
}

/// Whether a text can be written in windows-1251 as it is.
pub(super) fn fits_1251(text: &str) -> bool {
    !encoding_rs::WINDOWS_1251.encode(text).2
}

fn encode_1251_lossy(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let s: &str = c.encode_utf8(&mut buf);
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(s);
        if unmappable {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A numbered line of `[АДРЕСАТЫ]` or `[ФАЙЛЫ]`.
fn numbered(key: &str, value: &str, section: &str) -> Result<(u32, String), Refusal> {
    let number = key.parse::<u32>().map_err(|_| {
        Refusal::of(
            Fault::Envelope,
            format!("the envelope's [{section}] has the key {key:?}, not a number"),
        )
    })?;
    Ok((number, value.to_owned()))
}

fn in_order(mut lines: Vec<(u32, String)>, section: &str) -> Result<Vec<String>, Refusal> {
    lines.sort_by_key(|(number, _)| *number);
    if lines.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Refusal::of(
            Fault::Envelope,
            format!("the envelope's [{section}] numbers two lines alike"),
        ));
    }
    Ok(lines
        .into_iter()
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
        .collect())
}

/// `dd.mm.yyyy hh:mm:ss`; a date that does not read is left out, since the
/// envelope's date only informs.
fn parse_date_time(value: &str) -> Option<PrimitiveDateTime> {
    let (date, clock) = value.split_once(' ')?;
    let mut d = date.split('.');
    let day: u8 = d.next()?.parse().ok()?;
    let month: u8 = d.next()?.parse().ok()?;
    let year: i32 = d.next()?.parse().ok()?;
    let mut t = clock.trim().split(':');
    let hour: u8 = t.next()?.parse().ok()?;
    let minute: u8 = t.next()?.parse().ok()?;
    let second: u8 = t.next().unwrap_or("0").parse().ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    Some(PrimitiveDateTime::new(
        date,
        Time::from_hms(hour, minute, second).ok()?,
    ))
}

fn format_date_time(at: PrimitiveDateTime) -> String {
    format!(
        "{:02}.{:02}.{:04} {:02}:{:02}:{:02}",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

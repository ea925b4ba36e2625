//! Publishing a data version: the one path every route into the portal takes
//! (`veche import`, start-up loading, the officers' web form, the API, the
//! registries veche publishes itself).
//!
//! 1. **Check** (blocking thread): read the source (CSV or XLSX), match its
//!    header to the structure, parse every value, and write the canonical CSV
//!    that downloads serve, hashing it. Problems are collected with line,
//!    field and reason; with any problem nothing is written to the store.
//! 2. If the hash equals the current version's, nothing changes (idempotent).
//! 3. **Load**: a version row in the `loading` state (invisible), its table
//!    filled in batches by a reader thread feeding the async inserter, indexes
//!    built, then one transaction flips it to `published` and records the
//!    change. Any failure drops the table and the row: a half-loaded version
//!    is never visible.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::app::AppState;
use crate::error::Msg;
use crate::opendata::domain::{Ext, FieldDef, FieldFormat, Stamp, Value};
use crate::opendata::queries::{self, DatasetRow, StructureRow};
use crate::opendata::store;

/// At most this many problems are kept (all are counted).
const MAX_PROBLEMS: usize = 1000;
/// XLSX files are zip archives: refuse ones that would unpack to more.
const MAX_XLSX_UNPACKED: u64 = 100 * 1024 * 1024;

/// Where rows come from.
pub enum Source {
    Csv(PathBuf),
    /// A CSV read as the person who publishes it says (the encoding and
    /// separator they corrected), not as guessed.
    CsvAs(PathBuf, Sniffed),
    Xlsx(PathBuf),
    /// Rows of text cells, the first one the header (registries veche keeps).
    Cells(Vec<Vec<String>>),
}

/// One problem with the input.
#[derive(Debug, Clone)]
pub struct Problem {
    /// 1-based line (CSV) or row (XLSX); 0 for the file as a whole.
    pub line: u64,
    pub field: String,
    pub reason: Msg,
}

#[derive(Debug)]
pub enum ImportError {
    /// The input does not match the structure: nothing was published.
    Rejected {
        problems: Vec<Problem>,
        total: usize,
    },
    Internal(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for ImportError {
    fn from(e: E) -> ImportError {
        ImportError::Internal(e.into())
    }
}

impl ImportError {
    pub fn whole_file(reason: Msg) -> ImportError {
        ImportError::Rejected {
            problems: vec![Problem {
                line: 0,
                field: String::new(),
                reason,
            }],
            total: 1,
        }
    }

    /// A report for people and logs (English).
    pub fn report(&self, max: usize) -> String {
        match self {
            ImportError::Internal(e) => format!("{e:#}"),
            ImportError::Rejected { problems, total } => {
                let mut s = format!("{total} problem(s); nothing was published:\n");
                for p in problems.iter().take(max) {
                    let line = if p.line == 0 {
                        "file".to_owned()
                    } else {
                        format!("line {}", p.line)
                    };
                    let field = if p.field.is_empty() {
                        String::new()
                    } else {
                        format!(", field {}", p.field)
                    };
                    s.push_str(&format!("  {line}{field}: {}\n", p.reason.en));
                }
                if *total > max {
                    s.push_str(&format!("  … and {} more\n", total - max));
                }
                s
            }
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Published { stamp: String, rows: i64 },
    Unchanged { stamp: String },
}

/// Reports progress: `(phase, done, total)`, in bytes while checking and in
/// rows while loading.
pub type Progress = Option<std::sync::Arc<dyn Fn(Phase, u64, u64) + Send + Sync>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Checking,
    Loading,
}

/// Rows of text cells with their line numbers.
type RawRows = Box<dyn Iterator<Item = Result<(u64, Vec<String>), Problem>> + Send>;

fn cp1251_hint(line: u64) -> Problem {
    Problem {
        line,
        field: String::new(),
        reason: Msg::new(
            "Файл не в кодировке UTF-8 (похоже на Windows-1251). Сохраните его как «CSV UTF-8» и загрузите снова.",
            "The file is not UTF-8 (it looks like Windows-1251). Save it as “CSV UTF-8” and upload it again.",
        ),
    }
}

/// Opens a source: its header and an iterator over its rows. `progress`
/// receives bytes read for CSV.
fn open(
    source: &Source,
    progress: Option<Box<dyn Fn(u64) + Send>>,
) -> Result<(Vec<String>, RawRows), ImportError> {
    match source {
        Source::Cells(rows) => {
            let mut it = rows.clone().into_iter();
            let header = it.next().unwrap_or_default();
            let rows = it.enumerate().map(|(i, r)| Ok((i as u64 + 2, r)));
            Ok((header, Box::new(rows)))
        }
        Source::Csv(path) => open_csv(path, None, progress),
        Source::CsvAs(path, read_as) => open_csv(path, Some(*read_as), progress),
        Source::Xlsx(path) => open_xlsx(path),
    }
}

fn open_csv(
    path: &Path,
    forced: Option<Sniffed>,
    progress: Option<Box<dyn Fn(u64) + Send>>,
) -> Result<(Vec<String>, RawRows), ImportError> {
    // The separator is a comma by the standard; Russian spreadsheets save with
    // semicolons, so the header line decides.
    let mut first = Vec::new();
    {
        let f = std::fs::File::open(path)?;
        let mut r = BufReader::new(f).take(1024 * 1024);
        r.read_to_end(&mut first)?;
    }
    // Russian Excel saves «CSV» in Windows-1251 with semicolons: read what
    // can be read, refuse only what cannot.
    let sniffed = match forced {
        Some(s) => s,
        None => sniff(&first).map_err(|p| ImportError::Rejected {
            problems: vec![p],
            total: 1,
        })?,
    };
    let (encoding, delimiter) = (sniffed.encoding, sniffed.delimiter);
    let file = std::fs::File::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(BufReader::with_capacity(256 * 1024, file));
    let mut record = csv::ByteRecord::new();
    let header = match reader.read_byte_record(&mut record) {
        Ok(true) => decode(&record, encoding).ok_or_else(|| ImportError::Rejected {
            problems: vec![cp1251_hint(1)],
            total: 1,
        })?,
        Ok(false) => {
            return Err(ImportError::whole_file(Msg::new(
                "Файл пуст.",
                "The file is empty.",
            )));
        }
        Err(e) => return Err(ImportError::whole_file(csv_error(&e))),
    };
    let mut header = header;
    if let Some(first) = header.first_mut() {
        *first = first.trim_start_matches('\u{feff}').to_owned();
    }
    let mut done = false;
    let mut since_report = 0u32;
    let rows = std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                since_report += 1;
                if since_report >= 10_000 {
                    since_report = 0;
                    if let (Some(p), Some(pos)) = (&progress, record.position()) {
                        p(pos.byte());
                    }
                }
                // A blank line at the end of a file is not a row.
                if record.len() == 1
                    && record
                        .get(0)
                        .is_some_and(|f| f.iter().all(|b| b.is_ascii_whitespace()))
                {
                    return Some(Ok((line, Vec::new())));
                }
                Some(
                    decode(&record, encoding)
                        .map(|cells| (line, cells))
                        .ok_or_else(|| cp1251_hint(line)),
                )
            }
            Ok(false) => {
                done = true;
                None
            }
            Err(e) => {
                done = true;
                let line = e.position().map_or(0, |p| p.line());
                Some(Err(Problem {
                    line,
                    field: String::new(),
                    reason: csv_error(&e),
                }))
            }
        }
    })
    .filter(|r| !matches!(r, Ok((_, cells)) if cells.is_empty()));
    Ok((header, Box::new(rows)))
}

fn decode(record: &csv::ByteRecord, encoding: TextEncoding) -> Option<Vec<String>> {
    record
        .iter()
        .map(|f| match encoding {
            TextEncoding::Utf8 => std::str::from_utf8(f).ok().map(str::to_owned),
            TextEncoding::Windows1251 => Some(
                encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling(f)
                    .0
                    .into_owned(),
            ),
        })
        .collect()
}

/// The text encodings a CSV may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1251,
}

/// How a CSV file reads: its encoding and separator, told to the person
/// who publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: TextEncoding,
    pub delimiter: u8,
}

impl Sniffed {
    /// «UTF-8, разделитель «;»» and its English, for the publish page.
    pub fn describe(&self) -> Msg {
        let (enc, sep_ru, sep_en) = (
            match self.encoding {
                TextEncoding::Utf8 => "UTF-8",
                TextEncoding::Windows1251 => "Windows-1251",
            },
            match self.delimiter {
                b';' => "точка с запятой",
                b'\t' => "табуляция",
                _ => "запятая",
            },
            match self.delimiter {
                b';' => "semicolon",
                b'\t' => "tab",
                _ => "comma",
            },
        );
        Msg::new(
            format!("Файл прочитан как {enc}, разделитель — {sep_ru}."),
            format!("The file was read as {enc}, separated by {sep_en}."),
        )
    }
}

/// Bytes above ASCII that Windows-1251 text is made of: Cyrillic letters
/// (0xC0–0xFF, Ё 0xA8, ё 0xB8) and the punctuation Russian text uses
/// (« » № – — … “ ” „ and the no-break space).
fn cp1251_text_byte(b: u8) -> bool {
    matches!(
        b,
        0xC0..=0xFF
            | 0xA8
            | 0xB8
            | 0xAB
            | 0xBB
            | 0xB9
            | 0x96
            | 0x97
            | 0x85
            | 0x93
            | 0x94
            | 0x84
            | 0xA0
            | 0xB0
    )
}

/// Reads a CSV's first bytes: UTF-8 (with or without a byte-order mark)
/// or Windows-1251, and the separator of its header line (comma,
/// semicolon or tab). A sample that is neither encoding is refused with
/// the way out.
pub fn sniff(sample: &[u8]) -> Result<Sniffed, Problem> {
    let encoding = match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // A multi-byte character cut at the end of the sample is fine.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(e) => {
            let high: Vec<u8> = sample.iter().copied().filter(|b| *b >= 0x80).collect();
            let text = high.iter().filter(|b| cp1251_text_byte(**b)).count();
            if text * 100 >= high.len() * 95 {
                TextEncoding::Windows1251
            } else {
                let line = sample[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64
                    + 1;
                return Err(Problem {
                    line,
                    field: String::new(),
                    reason: Msg::new(
                        "Кодировка файла не распознана (читаются UTF-8 и Windows-1251). Сохраните его как «CSV UTF-8» и загрузите снова.",
                        "The file's encoding is not recognised (UTF-8 and Windows-1251 are read). Save it as “CSV UTF-8” and upload it again.",
                    ),
                });
            }
        }
    };
    let line_end = sample
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(sample.len());
    let head = &sample[..line_end];
    let count = |c: u8| head.iter().filter(|b| **b == c).count();
    // The standard's comma unless the header has more of another.
    let mut delimiter = b',';
    for c in [b';', b'\t'] {
        if count(c) > count(delimiter) {
            delimiter = c;
        }
    }
    Ok(Sniffed {
        encoding,
        delimiter,
    })
}

/// How the CSV at `path` reads, for the publish page (its first megabyte,
/// as the import reads it).
pub fn sniff_file(path: &Path) -> Option<Sniffed> {
    let mut first = Vec::new();
    let f = std::fs::File::open(path).ok()?;
    BufReader::new(f)
        .take(1024 * 1024)
        .read_to_end(&mut first)
        .ok()?;
    sniff(&first).ok()
}

fn csv_error(e: &csv::Error) -> Msg {
    Msg::new(
        format!("Файл не читается как CSV: {e}"),
        format!("The file cannot be read as CSV: {e}"),
    )
}

/// What a workbook may cost to read (media/sheet.rs). Large tables come as
/// CSV, which is streamed.
const SHEET_BUDGET: crate::media::sheet::SheetBudget = crate::media::sheet::SheetBudget {
    max_file: 64 * 1024 * 1024,
    max_inflated: MAX_XLSX_UNPACKED,
    max_area: 50_000_000,
    max_cells: 10_000_000,
    max_columns: 200,
};

fn open_xlsx(path: &Path) -> Result<(Vec<String>, RawRows), ImportError> {
    let mut problems = Vec::new();
    let sheet =
        crate::media::sheet::read_first_sheet(path, &SHEET_BUDGET, |row, _, value| match value {
            calamine::DataRef::Empty => String::new(),
            calamine::DataRef::String(s) => s.clone(),
            calamine::DataRef::SharedString(s) => (*s).to_owned(),
            calamine::DataRef::Int(i) => i.to_string(),
            calamine::DataRef::Float(f) => crate::opendata::domain::format_float(*f),
            calamine::DataRef::Bool(b) => b.to_string(),
            calamine::DataRef::DateTime(d) => {
                let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
                if (h, min, s) == (0, 0, 0) {
                    format!("{y:04}-{m:02}-{day:02}")
                } else {
                    format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
                }
            }
            calamine::DataRef::DateTimeIso(s) | calamine::DataRef::DurationIso(s) => s.clone(),
            calamine::DataRef::Error(e) => {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(Problem {
                        line: u64::from(row) + 1,
                        field: String::new(),
                        reason: Msg::new(
                            format!("в ячейке ошибка Excel {e}"),
                            format!("the cell holds the Excel error {e}"),
                        ),
                    });
                }
                String::new()
            }
        })
        .map_err(ImportError::whole_file)?;
    if !problems.is_empty() {
        let total = problems.len();
        problems.truncate(MAX_PROBLEMS);
        return Err(ImportError::Rejected { problems, total });
    }
    let mut rows = sheet.rows.into_iter();
    let header = rows
        .by_ref()
        .find(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(_, r)| r)
        .ok_or_else(|| ImportError::whole_file(Msg::new("Лист пуст.", "The sheet is empty.")))?;
    let rows = rows
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| Ok((u64::from(i) + 1, r)));
    Ok((header, Box::new(rows)))
}

/// Matches a header to the structure: for each structure field, the column
/// that carries it. Unknown and missing columns are problems.
fn map_header(header: &[String], fields: &[FieldDef]) -> Result<Vec<usize>, ImportError> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let mut problems = Vec::new();
    for n in &names {
        if !fields.iter().any(|f| f.name.eq_ignore_ascii_case(n)) {
            problems.push(Problem {
                line: 1,
                field: n.clone(),
                reason: Msg::new(
                    format!(
                        "такого поля нет в структуре набора (поля: {})",
                        field_list(fields)
                    ),
                    format!(
                        "there is no such field in the dataset's structure (fields: {})",
                        field_list(fields)
                    ),
                ),
            });
        }
    }
    let mut mapping = Vec::with_capacity(fields.len());
    for f in fields {
        let found: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.eq_ignore_ascii_case(&f.name))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => mapping.push(*i),
            [] => problems.push(Problem {
                line: 1,
                field: f.name.clone(),
                reason: Msg::new(
                    "в файле нет этого поля структуры",
                    "the file lacks this field of the structure",
                ),
            }),
            _ => problems.push(Problem {
                line: 1,
                field: f.name.clone(),
                reason: Msg::new(
                    "поле встречается в заголовке дважды",
                    "the field appears twice in the header",
                ),
            }),
        }
    }
    if problems.is_empty() {
        Ok(mapping)
    } else {
        let total = problems.len();
        Err(ImportError::Rejected { problems, total })
    }
}

fn field_list(fields: &[FieldDef]) -> String {
    fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses one row into values, in structure order.
fn parse_row(
    line: u64,
    cells: &[String],
    header_len: usize,
    mapping: &[usize],
    fields: &[FieldDef],
    problems: &mut Vec<Problem>,
    total: &mut usize,
) -> Option<Vec<Value>> {
    let mut push = |p: Problem, problems: &mut Vec<Problem>| {
        *total += 1;
        if problems.len() < MAX_PROBLEMS {
            problems.push(p);
        }
    };
    if cells.len() != header_len {
        push(
            Problem {
                line,
                field: String::new(),
                reason: Msg::new(
                    format!(
                        "ожидалось значений: {header_len}, в строке: {}",
                        cells.len()
                    ),
                    format!("expected {header_len} values, the line has {}", cells.len()),
                ),
            },
            problems,
        );
        return None;
    }
    let mut values = Vec::with_capacity(fields.len());
    let mut ok = true;
    for (f, &col) in fields.iter().zip(mapping) {
        match f.format.parse_value(&cells[col]) {
            Ok(v) => values.push(v),
            Err(reason) => {
                ok = false;
                push(
                    Problem {
                        line,
                        field: f.name.clone(),
                        reason,
                    },
                    problems,
                );
            }
        }
    }
    ok.then_some(values)
}

mod publish;
pub use publish::*;

#[cfg(test)]
mod sniff_tests {
    use super::{TextEncoding, sniff};

    #[test]
    fn reads_what_spreadsheets_save() {
        let s = sniff("\u{feff}имя;код\nСочи;03726000001\n".as_bytes()).unwrap();
        assert_eq!((s.encoding, s.delimiter), (TextEncoding::Utf8, b';'));
        let s = sniff(b"name\tcode\nX\t1\n").unwrap();
        assert_eq!(s.delimiter, b'\t');
        let s = sniff(b"name,code\nX,1\n").unwrap();
        assert_eq!(s.delimiter, b',');
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("имя;код\n«Сочи» № 1;03726000001\n");
        let s = sniff(&bytes).unwrap();
        assert_eq!((s.encoding, s.delimiter), (TextEncoding::Windows1251, b';'));
        // A multi-byte character cut by the sample's end is still UTF-8.
        let cut = "имя\nСочи".as_bytes();
        assert_eq!(
            sniff(&cut[..cut.len() - 1]).unwrap().encoding,
            TextEncoding::Utf8
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        let e = sniff(b"name\n\x98\x81\x8d\x8f\x90\x9d\n").unwrap_err();
        assert!(e.reason.en.contains("not recognised"));
        assert_eq!(e.line, 2);
    }
}

//! Reading the first sheet of an uploaded `.xlsx` within a budget. Every
//! spreadsheet import (open-data publishing, the construction registry) reads
//! through here.
//!
//! An `.xlsx` is a zip of XML files, and both layers can lie: a 5 KB file
//! whose cells are `A1` and `XFD1048576` makes a bounding-box reader allocate
//! 17 billion cells (550 GB) and abort the process; an archive can declare
//! small sizes and inflate to gigabytes. So:
//! 1. the file's own size is capped;
//! 2. every entry of the archive is actually inflated once, counting the
//!    bytes that come out (never trusting the sizes the archive declares),
//!    before any XML is parsed — shared strings and styles, which calamine
//!    keeps in memory, are then bounded too;
//! 3. the sheet's declared dimension is checked against the cell budget
//!    before anything is read;
//! 4. cells are streamed one by one (no bounding box is ever allocated) and
//!    each cell's position and the count of filled cells are checked as they
//!    come, so a sheet that lies about its dimension is refused as well.
//!
//! Nested XML needs no limit of its own: the XML reader is not recursive, and
//! its input is bounded by step 2.

use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{DataRef, Reader};

use crate::error::Msg;

/// What one workbook may cost.
#[derive(Debug, Clone, Copy)]
pub struct SheetBudget {
    /// Bytes of the file as uploaded.
    pub max_file: u64,
    /// Bytes of all the archive's entries, inflated.
    pub max_inflated: u64,
    /// Rows × columns of the sheet's extent (declared or found).
    pub max_area: u64,
    /// Filled cells.
    pub max_cells: u64,
    /// Columns (cells further right are refused).
    pub max_columns: u32,
}

/// Entries in the archive (a workbook has a dozen or two).
const MAX_ENTRIES: usize = 10_000;
/// Merged ranges listed by the sheet (each row is checked against each).
const MAX_MERGED: usize = 1_000;

/// The filled rows of the first sheet.
#[derive(Debug, Default)]
pub struct Sheet {
    /// Rows that have at least one cell, in order: the 0-based row index and
    /// the texts of its cells from column A up to its last cell.
    pub rows: Vec<(u32, Vec<String>)>,
    /// Merged ranges.
    pub merged: Vec<calamine::Dimensions>,
}

fn mb(n: u64) -> u64 {
    n >> 20
}

fn not_xlsx() -> Msg {
    Msg::new(
        "Файл не является книгой Excel (.xlsx). Сохраните таблицу в формате .xlsx.",
        "The file is not an Excel workbook (.xlsx). Save the sheet as .xlsx.",
    )
}

fn damaged(e: impl std::fmt::Display) -> Msg {
    Msg::new(
        format!("Книга Excel повреждена: {e}"),
        format!("The workbook is damaged: {e}"),
    )
}

fn too_many_cells(budget: &SheetBudget) -> Msg {
    Msg::new(
        format!(
            "Лист больше допустимого: не больше {} столбцов, {} заполненных ячеек и {} ячеек в прямоугольнике от A1 до последней. Удалите лишние ячейки (в том числе далёкие пустые с форматированием) или разделите таблицу.",
            budget.max_columns, budget.max_cells, budget.max_area
        ),
        format!(
            "The sheet is larger than allowed: at most {} columns, {} filled cells and {} cells in the rectangle from A1 to the last cell. Delete stray cells (formatted empty ones far away too) or split the sheet.",
            budget.max_columns, budget.max_cells, budget.max_area
        ),
    )
}

/// Inflates every entry once, counting the bytes that actually come out.
fn check_archive(path: &Path, budget: &SheetBudget) -> Result<(), Msg> {
    let file = std::fs::File::open(path).map_err(|_| not_xlsx())?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|_| not_xlsx())?;
    if archive.len() > MAX_ENTRIES {
        return Err(not_xlsx());
    }
    let too_big = || {
        Msg::new(
            format!(
                "Книга распаковывается больше чем в {} МБ. Разделите её на части или сохраните как CSV.",
                mb(budget.max_inflated)
            ),
            format!(
                "The workbook unpacks to more than {} MB. Split it or save it as CSV.",
                mb(budget.max_inflated)
            ),
        )
    };
    let mut left = budget.max_inflated;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| not_xlsx())?;
        // One byte more than is left tells "over the budget" from "exactly".
        let mut limited = entry.take(left + 1);
        loop {
            let n = limited.read(&mut buf).map_err(damaged)?;
            if n == 0 {
                break;
            }
            left = left.checked_sub(n as u64).ok_or_else(too_big)?;
        }
    }
    Ok(())
}

/// Reads the first sheet of the workbook at `path`; `text` turns a cell
/// (0-based row and column) into the text kept for it.
pub fn read_first_sheet(
    path: &Path,
    budget: &SheetBudget,
    mut text: impl FnMut(u32, u32, &DataRef<'_>) -> String,
) -> Result<Sheet, Msg> {
    let size = std::fs::metadata(path).map_err(|_| not_xlsx())?.len();
    if size > budget.max_file {
        return Err(Msg::new(
            format!(
                "Файл {} МБ — больше допустимых {} МБ. Разделите таблицу на части.",
                mb(size),
                mb(budget.max_file)
            ),
            format!(
                "The file is {} MB, more than the {} MB allowed. Split the sheet.",
                mb(size),
                mb(budget.max_file)
            ),
        ));
    }
    check_archive(path, budget)?;

    let file = std::fs::File::open(path).map_err(|_| not_xlsx())?;
    let mut workbook = calamine::Xlsx::new(BufReader::new(file)).map_err(|_| not_xlsx())?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(not_xlsx)?;
    let merged = workbook
        .merge_cells_by_sheet_name(&name)
        .unwrap_or_default();
    if merged.len() > MAX_MERGED {
        return Err(too_many_cells(budget));
    }
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(damaged)?;
    let area =
        |d: &calamine::Dimensions| (u64::from(d.end.0) + 1).saturating_mul(u64::from(d.end.1) + 1);
    let declared = cells.dimensions();
    if area(&declared) > budget.max_area || declared.end.1 >= budget.max_columns {
        return Err(too_many_cells(budget));
    }

    // Sparse while reading: a far cell costs one entry, not a rectangle.
    let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    let mut filled = 0u64;
    let mut extent = (0u32, 0u32);
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        extent = (extent.0.max(row), extent.1.max(col));
        filled += 1;
        if col >= budget.max_columns
            || filled > budget.max_cells
            || (u64::from(extent.0) + 1).saturating_mul(u64::from(extent.1) + 1) > budget.max_area
        {
            return Err(too_many_cells(budget));
        }
        let t = text(row, col, value);
        by_row.entry(row).or_default().push((col, t));
    }
    // Each row is made dense up to its last cell: the sum of those widths is
    // what gets allocated, so it is held to the same budget as filled cells
    // (one far cell in each of many rows would otherwise cost rows × width).
    let mut dense_cells = 0u64;
    let mut rows = Vec::with_capacity(by_row.len());
    for (row, cells) in by_row {
        let width = cells
            .iter()
            .map(|(c, _)| *c as usize + 1)
            .max()
            .unwrap_or(0);
        dense_cells += width as u64;
        if dense_cells > budget.max_cells {
            return Err(too_many_cells(budget));
        }
        let mut dense = vec![String::new(); width];
        for (c, t) in cells {
            dense[c as usize] = t;
        }
        rows.push((row, dense));
    }
    Ok(Sheet { rows, merged })
}

/// What a directory-sized table ([`read_table`]) may cost.
const TABLE_BUDGET: SheetBudget = SheetBudget {
    max_file: 20 * 1024 * 1024,
    max_inflated: 60 * 1024 * 1024,
    max_area: 5_000_000,
    max_cells: 1_000_000,
    max_columns: 100,
};
/// Rows of a CSV read by [`read_table`].
const TABLE_MAX_ROWS: usize = 200_000;

/// A cell as text: numbers without a needless `.0`, dates as ISO dates.
pub fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => crate::datasets::fields::format_float(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, m, day, _, _, _, _) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#ERROR {e}"),
    }
}

/// A header and the filled rows, each with its 1-based row number.
pub type Table = (Vec<String>, Vec<(u64, Vec<String>)>);

/// A small table an administrator keeps, from a `.csv` (UTF-8, with or
/// without a byte-order mark, comma or semicolon) or an `.xlsx` (the first
/// sheet): the header and the filled rows with their 1-based numbers as a
/// spreadsheet shows them.
pub fn read_table(path: &Path) -> Result<Table, Msg> {
    let mut rows = read_rows(path)?.into_iter();
    let (_, header) = rows
        .next()
        .ok_or_else(|| Msg::new("Таблица пуста.", "The table is empty."))?;
    Ok((header, rows.collect()))
}

/// The filled rows of a `.csv` or `.xlsx` (as [`read_table`] reads them),
/// each with its 1-based number, for a form whose header is not its first
/// row (a Т-3 has a title block above it).
pub fn read_rows(path: &Path) -> Result<Vec<(u64, Vec<String>)>, Msg> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    let rows: Vec<(u64, Vec<String>)> = match ext.as_str() {
        "xlsx" => read_first_sheet(path, &TABLE_BUDGET, |_, _, d| cell_text(d))?
            .rows
            .into_iter()
            .map(|(row, cells)| (u64::from(row) + 1, cells))
            .collect(),
        "csv" => {
            let size = std::fs::metadata(path)
                .map_err(|_| Msg::new("Файл не читается.", "The file cannot be read."))?
                .len();
            if size > TABLE_BUDGET.max_file {
                return Err(Msg::new(
                    format!(
                        "Файл {} МБ — больше допустимых {} МБ.",
                        mb(size),
                        mb(TABLE_BUDGET.max_file)
                    ),
                    format!(
                        "The file is {} MB, over the {} MB allowed.",
                        mb(size),
                        mb(TABLE_BUDGET.max_file)
                    ),
                ));
            }
            let bytes = std::fs::read(path)
                .map_err(|_| Msg::new("Файл не читается.", "The file cannot be read."))?;
            let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
                .map_err(|_| {
                Msg::new(
                    "Файл не в кодировке UTF-8. Сохраните его как «CSV UTF-8».",
                    "The file is not UTF-8. Save it as “CSV UTF-8”.",
                )
            })?;
            let first = text.lines().next().unwrap_or("");
            let delimiter = if first.matches(';').count() > first.matches(',').count() {
                b';'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for (i, record) in reader.records().enumerate() {
                let record = record.map_err(|e| {
                    Msg::new(
                        format!("Строка {}: файл CSV повреждён ({e}).", i + 1),
                        format!("Row {}: the CSV file is broken ({e}).", i + 1),
                    )
                })?;
                if rows.len() >= TABLE_MAX_ROWS || record.len() > TABLE_BUDGET.max_columns as usize
                {
                    return Err(Msg::new(
                        format!(
                            "Больше {TABLE_MAX_ROWS} строк или {} столбцов.",
                            TABLE_BUDGET.max_columns
                        ),
                        format!(
                            "More than {TABLE_MAX_ROWS} rows or {} columns.",
                            TABLE_BUDGET.max_columns
                        ),
                    ));
                }
                rows.push((i as u64 + 1, record.iter().map(str::to_owned).collect()));
            }
            rows
        }
        _ => {
            return Err(Msg::new(
                "Нужен файл .csv или .xlsx.",
                "A .csv or .xlsx file is needed.",
            ));
        }
    };
    Ok(rows
        .into_iter()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect())
}

/// An uploaded `.xlsx` or `.csv` (its name tells which) read by
/// [`read_rows`] off the async threads: written to `dir` under a random
/// name, read, removed.
pub async fn read_upload(
    dir: std::path::PathBuf,
    filename: &str,
    bytes: Vec<u8>,
) -> crate::error::AppResult<Vec<(u64, Vec<String>)>> {
    use crate::error::AppError;
    let ext = match filename
        .rsplit('.')
        .next()
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("xlsx") => "xlsx",
        Some("csv") => "csv",
        _ => {
            return Err(AppError::invalid(
                "Нужен файл .xlsx или .csv.",
                "An .xlsx or .csv file is needed.",
            ));
        }
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let path = dir.join(format!("upload-{}.{ext}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let p = path.clone();
    let read = tokio::task::spawn_blocking(move || read_rows(&p)).await;
    let _ = tokio::fs::remove_file(&path).await;
    read.map_err(|e| AppError::Internal(e.into()))?
        .map_err(|m| AppError::unprocessable("invalid_spreadsheet", m))
}

/// A column of an import: its field, its name in the template, and the
/// lower-case words that find it in a header cell.
pub type HeaderWords<F> = (F, &'static str, &'static [&'static str]);

/// Finds the header among the first 40 rows of a form (a title block may
/// stand above it): the first row with every `required` field. A cell
/// takes the first field of `headers` whose words it contains (so the
/// order of `headers` settles «Дата поступления в суд» before «Суд»); a
/// field keeps its first column, except those in `many`, which keep all.
pub fn find_header<F: Ord + Copy>(
    table: &[(u64, Vec<String>)],
    headers: &[HeaderWords<F>],
    required: &[F],
    many: &[F],
) -> Option<(usize, std::collections::BTreeMap<F, Vec<usize>>)> {
    for (i, (_, cells)) in table.iter().take(40).enumerate() {
        let mut map: std::collections::BTreeMap<F, Vec<usize>> = Default::default();
        for (c, text) in cells.iter().enumerate() {
            let t = text.to_lowercase();
            if t.trim().is_empty() {
                continue;
            }
            let hit = headers
                .iter()
                .find(|(_, _, words)| words.iter().any(|w| t.contains(w)));
            if let Some((f, _, _)) = hit {
                let cols = map.entry(*f).or_default();
                if cols.is_empty() || many.contains(f) {
                    cols.push(c);
                }
            }
        }
        if required.iter().all(|f| map.contains_key(f)) {
            return Some((i, map));
        }
    }
    None
}

/// A row of an import refused, with the column and why.
#[derive(Debug, Clone)]
pub struct Problem {
    pub row: u64,
    pub column: String,
    pub reason: Msg,
}

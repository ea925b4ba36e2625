//! A table as HTML, CSV or XLSX from one description, so an export always
//! holds what the screen shows (the core's dashboards, the registries). CSV with the `csv` crate, XLSX
//! with `rust_xlsxwriter`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::error::{AppError, AppResult};
use crate::texts;

#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    /// Text shown as a link on screen.
    Link(String, String),
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A share from 0 to 1, shown as a percentage.
    Share(f64),
}

impl Cell {
    fn plain(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Link(s, _) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Share(x) => format!("{:.1}", x * 100.0),
        }
    }
}

pub struct Table {
    /// The file name without extension.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: Option<&str>) -> Format {
        match s {
            Some("csv") => Format::Csv,
            Some("xlsx") => Format::Xlsx,
            _ => Format::Html,
        }
    }
}

impl Table {
    pub fn html(&self, caption: &str) -> Markup {
        html! {
            div.table-wrap tabindex="0" role="region" aria-label=(caption) {
                table.pm-table {
                    caption { (caption) }
                    thead { tr { @for h in &self.headers { th scope="col" { (h) } } } }
                    tbody {
                        @for r in &self.rows {
                            tr {
                                @for (i, c) in r.iter().enumerate() {
                                    @let num = matches!(c, Cell::Int(_) | Cell::Float(_) | Cell::Share(_));
                                    @if i == 0 {
                                        th scope="row" { (cell_html(c)) }
                                    } @else {
                                        td.num[num] { (cell_html(c)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn csv(&self) -> AppResult<Response> {
        Ok(file(
            self.csv_bytes(false)?,
            "text/csv; charset=utf-8",
            &format!("{}.csv", self.name),
        ))
    }

    /// The CSV's bytes; with `bom`, a UTF-8 byte-order mark first, which
    /// Russian Excel needs to read UTF-8 rather than Windows-1251.
    pub fn csv_bytes(&self, bom: bool) -> AppResult<Vec<u8>> {
        let start = if bom {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        };
        let mut w = csv::Writer::from_writer(start);
        let internal = |e: csv::Error| AppError::Internal(e.into());
        // Headers may be data too (a pivot's columns are values).
        w.write_record(self.headers.iter().map(|h| protect_cell(h).into_owned()))
            .map_err(internal)?;
        for r in &self.rows {
            w.write_record(r.iter().map(|c| match c {
                Cell::Text(_) | Cell::Link(..) => protect_cell(&c.plain()).into_owned(),
                _ => c.plain(),
            }))
            .map_err(internal)?;
        }
        w.into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }

    pub fn xlsx(&self) -> AppResult<Response> {
        Ok(file(
            self.xlsx_bytes()?,
            XLSX,
            &format!("{}.xlsx", self.name),
        ))
    }

    /// The workbook's bytes: a bold header row, text as text (codes keep
    /// their leading zeros), numbers as numbers.
    pub fn xlsx_bytes(&self) -> AppResult<Vec<u8>> {
        use rust_xlsxwriter::{Format as XFormat, Workbook};
        let internal = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let bold = XFormat::new().set_bold();
        let percent = XFormat::new().set_num_format("0.0%");
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(internal)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, cell) in r.iter().enumerate() {
                let col = c as u16;
                match cell {
                    Cell::Text(s) | Cell::Link(s, _) => ws.write_string(row, col, s),
                    Cell::Int(n) => ws.write_number(row, col, *n as f64),
                    Cell::Float(x) => ws.write_number(row, col, *x),
                    Cell::Share(x) => ws.write_number_with_format(row, col, *x, &percent),
                }
                .map_err(internal)?;
            }
        }
        ws.autofit();
        wb.save_to_buffer().map_err(internal)
    }

    /// The table as a download, or `None` for the HTML page.
    pub fn download(&self, f: Format) -> AppResult<Option<Response>> {
        match f {
            Format::Html => Ok(None),
            Format::Csv => self.csv().map(Some),
            Format::Xlsx => self.xlsx().map(Some),
        }
    }
}

fn cell_html(c: &Cell) -> Markup {
    match c {
        Cell::Link(s, href) => html! { a href=(href) { (s) } },
        Cell::Share(x) => html! { (format!("{:.1} %", x * 100.0)) },
        _ => html! { (c.plain()) },
    }
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn file(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition("attachment", name, name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

/// A `Content-Disposition` that keeps a readable name (RFC 6266): the name
/// in UTF-8 as `filename*`, which browsers prefer, and an ASCII `filename`
/// for old clients (`fallback`, with anything outside printable ASCII
/// replaced). Characters that file systems refuse are dropped and the name
/// is capped, whoever chose it.
pub fn content_disposition(kind: &str, fallback: &str, name: &str) -> HeaderValue {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 8187 attr-char: what may stay unencoded in `filename*`.
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let clean: String = name
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        .take(150)
        .collect();
    let ascii: String = fallback
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(clean.trim(), ATTR)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Links to the same page as CSV and XLSX.
pub fn links(l: crate::web::i18n::Locale, here: &str) -> Markup {
    let sep = if here.contains('?') { '&' } else { '?' };
    html! {
        p.export {
            (TableTexts::get(l).download_table)
            a href={ (here) (sep) "format=csv" } { "CSV" } ", "
            a href={ (here) (sep) "format=xlsx" } { "XLSX" }
        }
    }
}

/// Spreadsheet programs run cells that start with these as formulas: in CSV
/// downloads such text cells get a leading apostrophe (OWASP's advice).
/// The table view, JSON and XML carry the value as published.
pub fn protect_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

texts!(TableTexts {
    download_table: "Скачать таблицу: ", "Download the table: ";
});

//! The XLSX round trip: a template of one organisation's period,
//! pre-filled with the plan and the values so far, to fill in in Excel;
//! and reading it back, every problem named by its cell (`E7`).
//!
//! Layout: row 1 names the form, the organisation and the period (B1, D1,
//! F1), which the upload checks; row 3 is the header; from row 4 one item a
//! row: code, name, unit, plan, value, comment, follow-up (да/нет).

use std::path::PathBuf;

use rust_xlsxwriter::{Format, Workbook};

use super::domain::Period;
use super::queries::{self, FormRow, ItemRow};
use super::service::ValueIn;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::parse_decimal;

const FIRST_ROW: u64 = 4;

pub async fn template(
    state: &AppState,
    form: &FormRow,
    org: &str,
    p: Period,
) -> AppResult<Vec<u8>> {
    let items = queries::items(&state.db, form.form_id).await?;
    let plans = queries::plans(&state.db, form.form_id, org).await?;
    let period = p.to_string();
    let values = match queries::submission(&state.db, form.form_id, org, &period).await? {
        Some(s) => queries::values(&state.db, form.form_id, s.submission_id).await?,
        None => Vec::new(),
    };
    let internal = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let input = Format::new().set_background_color("#FFF4D6").set_unlocked();
    for (c, (label, value)) in [
        ("Форма", &form.code),
        ("Организация", &org.to_owned()),
        ("Период", &period),
    ]
    .iter()
    .enumerate()
    {
        let col = (c * 2) as u16;
        ws.write_string_with_format(0, col, *label, &bold)
            .map_err(internal)?;
        ws.write_string(0, col + 1, value.as_str())
            .map_err(internal)?;
    }
    let headers = [
        "Код",
        "Показатель",
        "Ед. изм.",
        "План",
        "Значение",
        "Комментарий",
        "На контроле (да/нет)",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)
            .map_err(internal)?;
    }
    for (n, i) in items.iter().enumerate() {
        let row = (FIRST_ROW - 1) as u32 + n as u32;
        let v = values.iter().find(|v| v.item_id == i.item_id);
        ws.write_string(row, 0, &i.code).map_err(internal)?;
        ws.write_string(row, 1, &i.name_ru).map_err(internal)?;
        ws.write_string(row, 2, &i.unit).map_err(internal)?;
        if let Some(plan) = plans
            .iter()
            .find(|x| x.item_id == i.item_id && x.period == period)
        {
            ws.write_number(row, 3, plan.value).map_err(internal)?;
        }
        match v.and_then(|v| v.value) {
            Some(x) => ws.write_number_with_format(row, 4, x, &input),
            None => ws.write_blank(row, 4, &input),
        }
        .map_err(internal)?;
        ws.write_string_with_format(row, 5, v.map_or("", |v| v.comment.as_str()), &input)
            .map_err(internal)?;
        ws.write_string_with_format(
            row,
            6,
            if v.is_some_and(|v| v.follow_up) {
                "да"
            } else {
                "нет"
            },
            &input,
        )
        .map_err(internal)?;
    }
    ws.autofit();
    wb.save_to_buffer().map_err(internal)
}

fn cell(col: usize, row: u64) -> String {
    format!("{}{row}", (b'A' + col as u8) as char)
}

/// The values of a filled-in template, or every problem by its cell.
pub async fn read(
    dir: PathBuf,
    bytes: Vec<u8>,
    form: &FormRow,
    org: &str,
    p: Period,
    items: &[ItemRow],
) -> AppResult<Result<Vec<ValueIn>, Vec<(String, Msg)>>> {
    let rows = crate::media::sheet::read_upload(dir, "report.xlsx", bytes).await?;
    Ok(check(&rows, form, org, p, items))
}

pub fn check(
    rows: &[(u64, Vec<String>)],
    form: &FormRow,
    org: &str,
    p: Period,
    items: &[ItemRow],
) -> Result<Vec<ValueIn>, Vec<(String, Msg)>> {
    let mut problems: Vec<(String, Msg)> = Vec::new();
    let at = |r: &[String], c: usize| r.get(c).map_or("", |s| s.trim()).to_owned();
    let head = rows
        .iter()
        .find(|(n, _)| *n == 1)
        .map(|(_, r)| r.clone())
        .unwrap_or_default();
    for (col, want, ru, en) in [
        (
            1,
            form.code.as_str(),
            "файл другой формы",
            "the file is for another form",
        ),
        (
            3,
            org,
            "файл другой организации",
            "the file is for another organisation",
        ),
        (
            5,
            &p.to_string(),
            "файл другого периода",
            "the file is for another period",
        ),
    ] {
        let got = at(&head, col);
        if got != want {
            problems.push((
                cell(col, 1),
                Msg::new(
                    format!("«{got}»: {ru} (нужно «{want}»)."),
                    format!("“{got}”: {en} (“{want}” is expected)."),
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (n, r) in rows.iter().filter(|(n, _)| *n >= FIRST_ROW) {
        let code = at(r, 0);
        let Some(item) = items.iter().find(|i| i.code == code) else {
            problems.push((
                cell(0, *n),
                Msg::new(
                    format!("показателя «{code}» в форме нет."),
                    format!("the form has no item “{code}”."),
                ),
            ));
            continue;
        };
        if !seen.insert(item.item_id) {
            problems.push((
                cell(0, *n),
                Msg::new(
                    format!("показатель «{code}» повторяется."),
                    format!("the item “{code}” is repeated."),
                ),
            ));
            continue;
        }
        let raw = at(r, 4);
        let value = match raw.as_str() {
            "" => None,
            s => match parse_decimal(s) {
                Some(v) => Some(v),
                None => {
                    problems.push((
                        cell(4, *n),
                        Msg::new(
                            format!("«{s}» не число."),
                            format!("“{s}” is not a number."),
                        ),
                    ));
                    continue;
                }
            },
        };
        let comment = at(r, 5);
        if comment.chars().count() > 1000 {
            problems.push((
                cell(5, *n),
                Msg::new(
                    "комментарий длиннее 1000 знаков.",
                    "the comment is over 1,000 characters.",
                ),
            ));
            continue;
        }
        let follow_up = match at(r, 6).to_lowercase().as_str() {
            "" | "нет" | "no" | "0" => false,
            "да" | "yes" | "1" => true,
            other => {
                problems.push((
                    cell(6, *n),
                    Msg::new(
                        format!("«{other}»: да или нет."),
                        format!("“{other}”: yes or no."),
                    ),
                ));
                continue;
            }
        };
        out.push(ValueIn {
            item_id: item.item_id,
            value,
            comment,
            follow_up,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

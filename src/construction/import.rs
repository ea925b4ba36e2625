//! Import of the illegal constructions registry from the spreadsheets the
//! authorities keep (`calamine`): columns matched to fields by their
//! headers (or an explicit mapping), every row checked, every rejected row
//! reported (row, column, reason), de-duplication by cadastral number or
//! address (within the file and against the registry), a preview, and a
//! commit in one transaction: all accepted rows or nothing.

use std::collections::HashMap;
use std::path::Path;

use super::bulk::{self, KeyIndex, Ref};
use super::domain::{self, FIELDS, ObjectForm, ObjectInput, Status, normalize_address};
use super::queries;
use crate::app::AppState;
use crate::db::Db;
use crate::error::{AppError, Msg};
use crate::media::sheet::cell_text;

/// Largest spreadsheet accepted (file size), and what it may unpack to.
pub const MAX_FILE: u64 = 50 * 1024 * 1024;
/// Bytes the workbook may inflate to: shared strings and styles are held in
/// memory while the sheet is read.
const MAX_UNPACKED: u64 = 100 * 1024 * 1024;
/// Rejected rows listed in a report (all are counted).
pub const MAX_LISTED: usize = 1000;

/// One reason a row (or the file, row 0) was refused.
#[derive(Debug, Clone)]
pub struct RowProblem {
    pub row: u64,
    pub column: String,
    pub reason: Msg,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file as a whole cannot be imported; nothing is.
    File(Msg),
    Internal(anyhow::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Internal(e.into())
    }
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Internal(e) => ImportError::Internal(e),
            other => ImportError::File(other.message()),
        }
    }
}

fn file_error(ru: impl Into<String>, en: impl Into<String>) -> ImportError {
    ImportError::File(Msg::new(ru.into(), en.into()))
}

/// A checked row, ready to be written.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub row: u64,
    pub object: ObjectInput,
    /// The object's normalised address (`normalize_address`), its key when
    /// it has no cadastral number: computed once per row.
    pub address_norm: String,
    /// The registry object it is the same as (updated rather than added).
    pub existing: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Prepared {
    pub rows: u64,
    pub accepted: Vec<Accepted>,
    pub rejected_rows: u64,
    pub problems: Vec<RowProblem>,
    /// Columns of the sheet that match no field (ignored).
    pub ignored_columns: Vec<String>,
    /// Field → the column header it was read from.
    pub mapping: Vec<(&'static str, String)>,
}

impl Prepared {
    pub fn new_count(&self) -> usize {
        self.accepted
            .iter()
            .filter(|a| a.existing.is_none())
            .count()
    }

    pub fn update_count(&self) -> usize {
        self.accepted
            .iter()
            .filter(|a| a.existing.is_some())
            .count()
    }
}

/// Header words that name each field (lower case), besides the field code.
fn synonyms(field: &str) -> &'static [&'static str] {
    match field {
        "name" => &["наименование", "наименование объекта", "название", "объект"],
        "address" => &[
            "адрес",
            "адрес объекта",
            "местоположение",
            "местонахождение",
        ],
        "lat" => &["широта", "latitude"],
        "lon" => &["долгота", "longitude", "lng"],
        "footprint" => &["контур", "контур (geojson)"],
        "cadastral_number" => &[
            "кадастровый номер",
            "кадастровый номер земельного участка",
            "кн",
            "cadastral number",
        ],
        "permit_number" => &[
            "номер разрешения",
            "разрешение на строительство",
            "номер разрешения на строительство",
        ],
        "permit_date" => &["дата разрешения", "дата выдачи разрешения"],
        "developer" => &["застройщик", "правообладатель", "собственник", "владелец"],
        "purpose" => &["назначение", "вид объекта", "вид использования"],
        "floors" => &["этажность", "количество этажей", "этажей"],
        "planned_start" => &["начало (план)", "плановое начало"],
        "planned_end" => &["окончание (план)", "плановое окончание"],
        "actual_start" => &["начало (факт)", "фактическое начало"],
        "actual_end" => &["окончание (факт)", "фактическое окончание"],
        "status" => &["статус", "состояние"],
        "detected_on" => &["дата выявления", "выявлено", "дата обнаружения"],
        _ => &[],
    }
}

/// The parts of a header that joins several names with `/`, `|`, `;` or
/// `,`, or adds one in parentheses.
fn header_parts(n: &str) -> impl Iterator<Item = &str> {
    n.split(['/', '|', ';', ',', '(', ')'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Columns that must be present: without a place there is no registry entry.
const REQUIRED: [&str; 3] = ["address", "lat", "lon"];

/// Field → column index, and the headers no field uses.
type Mapping = (Vec<(&'static str, usize)>, Vec<String>);

/// Gives each field still without a column the one free header that
/// `names_it(field, header)` accepts; a field that several free headers
/// name is an error (`several`).
fn claim_columns(
    names: &[String],
    mapping: &mut Vec<(&'static str, usize)>,
    names_it: impl Fn(&str, &str) -> bool,
    several: impl Fn(&str) -> ImportError,
) -> Result<(), ImportError> {
    for f in FIELDS {
        if mapping.iter().any(|(m, _)| *m == f) {
            continue;
        }
        let found: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| !mapping.iter().any(|(_, c)| c == i) && names_it(f, n))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [] => {}
            [i] => mapping.push((f, *i)),
            _ => return Err(several(f)),
        }
    }
    Ok(())
}

/// Matches headers to fields. `overrides` are (field, header) pairs given by
/// the person importing.
pub fn map_columns(
    header: &[String],
    overrides: &[(String, String)],
) -> Result<Mapping, ImportError> {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    let names: Vec<String> = header.iter().map(|h| norm(h)).collect();
    let mut mapping: Vec<(&'static str, usize)> = Vec::new();
    for (field, col) in overrides {
        let Some(f) = FIELDS.iter().find(|f| **f == field.as_str()) else {
            return Err(file_error(
                format!(
                    "Неизвестное поле «{field}» в сопоставлении; поля: {}",
                    FIELDS.join(", ")
                ),
                format!(
                    "Unknown field “{field}” in the mapping; fields: {}",
                    FIELDS.join(", ")
                ),
            ));
        };
        let Some(i) = names.iter().position(|n| *n == norm(col)) else {
            return Err(file_error(
                format!("В таблице нет столбца «{col}» (для поля {field})."),
                format!("The sheet has no column “{col}” (for the field {field})."),
            ));
        };
        mapping.push((f, i));
    }
    let several = |f: &str| {
        file_error(
            format!(
                "Поле «{}» найдено в нескольких столбцах; укажите сопоставление явно.",
                domain::field_label(f, crate::web::i18n::Locale::Ru)
            ),
            format!(
                "The field “{}” matches several columns; give the mapping explicitly.",
                domain::field_label(f, crate::web::i18n::Locale::En)
            ),
        )
    };
    let names_field = |f: &str, n: &str| n == f || synonyms(f).contains(&n);
    // First every header that names a field whole.
    claim_columns(&names, &mut mapping, names_field, several)?;
    // Then the combined headers («Застройщик / Правообладатель», «Этажность
    // (факт)»), for the fields still without a column: a header counts only
    // when its parts name exactly one field, so «Адрес / кадастровый номер»
    // is not guessed and an exact header always wins.
    claim_columns(
        &names,
        &mut mapping,
        |f, n| {
            let named: Vec<&str> = FIELDS
                .iter()
                .copied()
                .filter(|g| header_parts(n).any(|p| names_field(g, p)))
                .collect();
            named == [f]
        },
        several,
    )?;
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|r| !mapping.iter().any(|(m, _)| m == *r))
        .copied()
        .collect();
    if !missing.is_empty() {
        let ru: Vec<&str> = missing
            .iter()
            .map(|m| domain::field_label(m, crate::web::i18n::Locale::Ru))
            .collect();
        let en: Vec<&str> = missing
            .iter()
            .map(|m| domain::field_label(m, crate::web::i18n::Locale::En))
            .collect();
        return Err(file_error(
            format!(
                "Не хватает столбцов: {}. В первой строке таблицы должны быть заголовки, например: Наименование, Адрес, Широта, Долгота, Кадастровый номер, Застройщик, Этажность, Статус, Дата выявления. Найдены: {}.",
                ru.join(", "),
                header.join(", ")
            ),
            format!(
                "Columns are missing: {}. The first row must hold headers such as Name, Address, Latitude, Longitude, Cadastral number, Developer, Floors, Status, Detected on. Found: {}.",
                en.join(", "),
                header.join(", ")
            ),
        ));
    }
    let ignored = header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.trim().is_empty() && !mapping.iter().any(|(_, c)| c == i))
        .map(|(_, h)| h.clone())
        .collect();
    Ok((mapping, ignored))
}

/// Spreadsheet column letters for a 0-based index (A, B, …, AA).
fn column_letter(mut i: u32) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s
}

/// What a registry spreadsheet may cost to read (media/sheet.rs): a
/// regional registry is tens of thousands of rows of a few dozen columns.
pub const SHEET_BUDGET: crate::media::sheet::SheetBudget = crate::media::sheet::SheetBudget {
    max_file: MAX_FILE,
    max_inflated: MAX_UNPACKED,
    max_area: 20_000_000,
    max_cells: 5_000_000,
    max_columns: 256,
};

/// Reads the first sheet: the header, the rows (1-based row numbers as the
/// spreadsheet shows them) and the merged ranges.
#[allow(clippy::type_complexity)]
pub fn read_sheet(
    path: &Path,
) -> Result<
    (
        Vec<String>,
        Vec<(u64, Vec<String>)>,
        Vec<calamine::Dimensions>,
    ),
    ImportError,
> {
    let sheet = crate::media::sheet::read_first_sheet(path, &SHEET_BUDGET, |_, _, d| cell_text(d))
        .map_err(ImportError::File)?;
    let merged = sheet.merged;
    let mut rows = sheet
        .rows
        .into_iter()
        .map(|(row, cells)| (u64::from(row) + 1, cells));
    let header = rows
        .by_ref()
        .find(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .ok_or_else(|| file_error("Лист пуст.", "The sheet is empty."))?;
    if merged
        .iter()
        .any(|m| u64::from(m.start.0) < header.0 && header.0 <= u64::from(m.end.0) + 1)
    {
        return Err(file_error(
            "В строке заголовков объединены ячейки. Разъедините их: у каждого столбца должен быть свой заголовок.",
            "The header row has merged cells. Unmerge them: each column needs its own header.",
        ));
    }
    let body: Vec<(u64, Vec<String>)> = rows
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok((header.1, body, merged))
}

/// Reads and checks a spreadsheet; nothing is written.
pub async fn prepare(
    db: &Db,
    path: &Path,
    overrides: &[(String, String)],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Prepared, ImportError> {
    let p = path.to_owned();
    let (header, rows, merged) = tokio::task::spawn_blocking(move || read_sheet(&p))
        .await
        .map_err(|e| ImportError::Internal(e.into()))??;
    let (mapping, ignored) = map_columns(&header, overrides)?;
    let mut out = Prepared {
        rows: rows.len() as u64,
        ignored_columns: ignored,
        mapping: mapping
            .iter()
            .map(|(f, i)| (*f, header[*i].clone()))
            .collect(),
        ..Default::default()
    };
    let has_status = mapping.iter().any(|(f, _)| *f == "status");
    let total = rows.len() as u64;
    // Keys seen in this file: cadastral number or address → first row.
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (n, (row, cells)) in rows.into_iter().enumerate() {
        if n % 1000 == 0 {
            progress(n as u64, total);
        }
        let mut problems: Vec<RowProblem> = Vec::new();
        for m in &merged {
            if u64::from(m.start.0) < row && row <= u64::from(m.end.0) + 1 {
                problems.push(RowProblem {
                    row,
                    column: format!(
                        "{}{}:{}{}",
                        column_letter(m.start.1),
                        m.start.0 + 1,
                        column_letter(m.end.1),
                        m.end.0 + 1
                    ),
                    reason: Msg::new(
                        "объединённые ячейки: разъедините их и заполните значение в каждой строке",
                        "merged cells: unmerge them and fill the value in every row",
                    ),
                });
                break;
            }
        }
        let get = |field: &str| -> String {
            mapping
                .iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, i)| cells.get(*i))
                .cloned()
                .unwrap_or_default()
        };
        for (f, i) in &mapping {
            if let Some(c) = cells.get(*i)
                && c.starts_with("#ERROR")
            {
                problems.push(RowProblem {
                    row,
                    column: header[*i].clone(),
                    reason: Msg::new(
                        format!("в ячейке ошибка Excel ({c})"),
                        format!("the cell holds an Excel error ({c})"),
                    ),
                });
                let _ = f;
            }
        }
        let mut form = ObjectForm {
            name: get("name"),
            address: get("address"),
            lat: get("lat"),
            lon: get("lon"),
            footprint: get("footprint"),
            cadastral_number: get("cadastral_number"),
            permit_number: get("permit_number"),
            permit_date: get("permit_date"),
            developer: get("developer"),
            purpose: get("purpose"),
            floors: get("floors"),
            planned_start: get("planned_start"),
            planned_end: get("planned_end"),
            actual_start: get("actual_start"),
            actual_end: get("actual_end"),
            status: get("status"),
            detected_on: get("detected_on"),
        };
        // A registry of illegal constructions: that is the status unless a
        // column says otherwise (e.g. demolished).
        if !has_status || form.status.trim().is_empty() {
            form.status = Status::Illegal.as_str().into();
        }
        if form.name.trim().is_empty() {
            form.name = format!("Самовольная постройка: {}", form.address.trim());
        }
        let header_of = |field: &str| {
            mapping
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, i)| header[*i].clone())
                .unwrap_or_else(|| field.to_owned())
        };
        let parsed = form.parse();
        match parsed {
            Err(ps) => {
                for p in ps {
                    problems.push(RowProblem {
                        row,
                        column: header_of(p.field),
                        reason: p.msg,
                    });
                }
            }
            Ok(object) if problems.is_empty() => {
                let address_norm = normalize_address(&object.address);
                let key = object
                    .cadastral_number
                    .clone()
                    .unwrap_or_else(|| address_norm.clone());
                if !key.is_empty() {
                    if let Some(first) = seen.get(&key) {
                        problems.push(RowProblem {
                            row,
                            column: header_of(if object.cadastral_number.is_some() {
                                "cadastral_number"
                            } else {
                                "address"
                            }),
                            reason: Msg::new(
                                format!(
                                    "повтор строки {first} (тот же кадастровый номер или адрес)"
                                ),
                                format!(
                                    "repeats row {first} (the same cadastral number or address)"
                                ),
                            ),
                        });
                    } else {
                        seen.insert(key, row);
                    }
                }
                if problems.is_empty() {
                    // Which registry object it is the same as: looked up
                    // for all rows at once below.
                    out.accepted.push(Accepted {
                        row,
                        object,
                        address_norm,
                        existing: None,
                    });
                }
            }
            Ok(_) => {}
        }
        if !problems.is_empty() {
            out.rejected_rows += 1;
            for p in problems {
                if out.problems.len() < MAX_LISTED {
                    out.problems.push(p);
                }
            }
        }
    }
    // The registry objects the accepted rows are the same as, as
    // `queries::find_same` would answer row by row, in a few queries.
    let mut tx = db.begin().await?;
    let objects = registry_objects(&mut tx, &out.accepted).await?;
    // Read-only: nothing to keep (dropped, rolled back).
    drop(tx);
    let index = index_of(&objects, out.accepted.len());
    let existing: Vec<Option<i64>> = out
        .accepted
        .iter()
        .map(
            |a| match index.find(a.object.cadastral_number.as_deref(), &a.address_norm) {
                Some(Ref::Existing(id)) => Some(id),
                _ => None,
            },
        )
        .collect();
    drop(index);
    for (a, e) in out.accepted.iter_mut().zip(existing) {
        a.existing = e;
    }
    progress(total, total);
    Ok(out)
}

/// The registry objects with any of the rows' keys (cadastral number,
/// normalised address), in a few queries.
async fn registry_objects(
    tx: &mut crate::db::Tx,
    rows: &[Accepted],
) -> Result<Vec<bulk::KeyedObject>, ImportError> {
    let mut cadastrals: Vec<&str> = rows
        .iter()
        .filter_map(|a| a.object.cadastral_number.as_deref())
        .collect();
    let mut addresses: Vec<&str> = rows
        .iter()
        .map(|a| a.address_norm.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    for keys in [&mut cadastrals, &mut addresses] {
        keys.sort_unstable();
        keys.dedup();
    }
    Ok(bulk::objects_with_keys(tx, &cadastrals, &addresses).await?)
}

/// The registry objects indexed by their keys, as stored.
fn index_of(objects: &[bulk::KeyedObject], rows: usize) -> KeyIndex<'_> {
    let mut index = KeyIndex::with_capacity(objects.len() + rows);
    for o in objects {
        index.add(
            Ref::Existing(o.row.object_id),
            o.row.cadastral_number.as_deref(),
            &o.address_norm,
        );
    }
    index
}

/// Writes every accepted row in one transaction: added, or the same object
/// updated; each with a history entry. Returns (added, updated).
///
/// The outcome is that of writing the rows one by one in file order, each
/// matched with `queries::find_same` against the registry as the rows
/// before it left it (a later row may update an object an earlier row
/// added or changed); that walk is done in memory over the objects the
/// rows' keys name, read once inside the transaction, and then written in
/// bulk: new objects and history in multi-row inserts, each updated object
/// once with its last values.
pub async fn commit(
    state: &AppState,
    prepared: &Prepared,
    actor_id: Option<i64>,
    file_name: &str,
) -> Result<(usize, usize), ImportError> {
    let mut tx = state.db.begin().await?;
    // Matched again inside the transaction: an object may have been added
    // since the preview.
    let objects = registry_objects(&mut tx, &prepared.accepted).await?;
    let mut index = index_of(&objects, prepared.accepted.len());
    /// What an object touched by the import currently holds, as the walk
    /// leaves it: as stored, or as a row of the file wrote it.
    #[derive(Clone, Copy)]
    enum Now<'a> {
        Stored(&'a bulk::KeyedObject),
        Row(&'a Accepted),
    }
    impl<'a> Now<'a> {
        fn keys(self) -> (Option<&'a str>, &'a str) {
            match self {
                Now::Stored(o) => (o.row.cadastral_number.as_deref(), &o.address_norm),
                Now::Row(a) => (a.object.cadastral_number.as_deref(), &a.address_norm),
            }
        }
        fn fields(self) -> Vec<(&'static str, String)> {
            match self {
                Now::Stored(o) => o.row.fields(),
                Now::Row(a) => a.object.fields(),
            }
        }
    }
    let mut current: HashMap<Ref, Now<'_>> = objects
        .iter()
        .map(|o| (Ref::Existing(o.row.object_id), Now::Stored(o)))
        .collect();
    // Rows that add an object, each replaced by a later row updating it.
    let mut added: Vec<&Accepted> = Vec::new();
    // Existing objects updated, in the order first updated, and their last rows.
    let mut updated: Vec<i64> = Vec::new();
    let mut last: HashMap<i64, &Accepted> = HashMap::new();
    // What each history entry records: as `json!({"import": note})` (the
    // file name escaped once) or, for an update, with the changes.
    let file = serde_json::Value::from(file_name).to_string();
    let mut history: Vec<(Ref, String)> = Vec::with_capacity(prepared.accepted.len());
    let (mut n_added, mut n_updated) = (0, 0);
    for a in &prepared.accepted {
        let cadastral = a.object.cadastral_number.as_deref();
        match index.find(cadastral, &a.address_norm) {
            Some(r) => {
                let now = current
                    .insert(r, Now::Row(a))
                    .expect("every indexed object is current");
                let (c, n) = now.keys();
                index.remove(r, c, n);
                index.add(r, cadastral, &a.address_norm);
                let changes = super::changes(now.fields(), a.object.fields());
                match r {
                    Ref::Existing(id) => {
                        if last.insert(id, a).is_none() {
                            updated.push(id);
                        }
                    }
                    Ref::Added(k) => added[k] = a,
                }
                let note = serde_json::json!({ "file": file_name, "row": a.row });
                history.push((
                    r,
                    serde_json::json!({ "import": note, "changes": changes }).to_string(),
                ));
                n_updated += 1;
            }
            None => {
                let r = Ref::Added(added.len());
                added.push(a);
                index.add(r, cadastral, &a.address_norm);
                current.insert(r, Now::Row(a));
                history.push((
                    r,
                    format!(r#"{{"import":{{"file":{file},"row":{}}}}}"#, a.row),
                ));
                n_added += 1;
            }
        }
    }
    drop(index);
    drop(current);
    let rows: Vec<(&ObjectInput, &str)> = added
        .iter()
        .map(|a| (&a.object, a.address_norm.as_str()))
        .collect();
    let added_ids = bulk::insert_objects(&mut tx, &rows, "import").await?;
    drop(rows);
    for id in updated {
        // One statement per object (and the personal data's withdrawal
        // when it enters the illegal registry, as a single update does).
        queries::update(&mut tx, id, &last[&id].object, true).await?;
    }
    let entries: Vec<bulk::HistoryEntry> = history
        .into_iter()
        .map(|(r, changes)| bulk::HistoryEntry {
            object_id: match r {
                Ref::Existing(id) => id,
                Ref::Added(k) => added_ids[k],
            },
            action: "imported",
            changes,
        })
        .collect();
    bulk::insert_history(&mut tx, actor_id, &entries).await?;
    crate::datasets::request_refresh(&mut tx, super::REGISTRY).await?;
    crate::datasets::request_refresh(&mut tx, super::ILLEGAL_REGISTRY).await?;
    tx.commit().await?;
    tracing::info!(
        added = n_added,
        updated = n_updated,
        "construction registry import committed"
    );
    Ok((n_added, n_updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_in_russian_map_to_fields() {
        let (m, ignored) = map_columns(
            &h(&[
                "Адрес",
                "Широта",
                "Долгота",
                "Кадастровый номер",
                "Примечание",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(
            m,
            vec![
                ("address", 0),
                ("lat", 1),
                ("lon", 2),
                ("cadastral_number", 3)
            ]
        );
        assert_eq!(ignored, vec!["Примечание".to_owned()]);
    }

    #[test]
    fn wrong_columns_name_what_is_missing() {
        let Err(ImportError::File(m)) = map_columns(&h(&["Улица", "X", "Y"]), &[]) else {
            panic!("expected a file error")
        };
        assert!(
            m.get(crate::web::i18n::Locale::En)
                .contains("Address, Latitude, Longitude")
        );
    }

    #[test]
    fn an_explicit_mapping_wins() {
        let (m, _) = map_columns(
            &h(&["Улица", "X", "Y"]),
            &[
                ("address".into(), "Улица".into()),
                ("lat".into(), "Y".into()),
                ("lon".into(), "X".into()),
            ],
        )
        .unwrap();
        assert!(m.contains(&("lat", 2)) && m.contains(&("lon", 1)));
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn a_combined_header_counts_only_when_it_names_one_field() {
        let (m, ignored) = map_columns(
            &h(&[
                "Адрес",
                "Широта",
                "Долгота",
                "Застройщик / Правообладатель",
                "Адрес / кадастровый номер",
            ]),
            &[],
        )
        .unwrap();
        assert!(m.contains(&("developer", 3)), "{m:?}");
        assert!(
            !m.iter().any(|(f, _)| *f == "cadastral_number"),
            "not guessed: {m:?}"
        );
        assert_eq!(ignored, vec!["Адрес / кадастровый номер".to_owned()]);
    }
}

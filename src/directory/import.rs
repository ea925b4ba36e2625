//! `veche import-directory FILE`: the real directory of a production
//! install, and the routing of citizens' requests, from the spreadsheets an
//! administrator keeps (CSV or XLSX, read within the same limits as every
//! import: `media::sheet`). Every row is checked with the rules of the
//! administrator's form; every rejected row is reported (row, column,
//! reason); all accepted rows are written in one transaction, or none.
//!
//! Two kinds of file, told apart by their headers:
//! - organisations: `id`, `parent_id`, `kind`, `name_ru`, `name_en`,
//!   `short_name_ru`, `short_name_en`, `inn`, `municipality_id` (or
//!   `municipality_slug`), `email`, `phone`, `website` — the columns of
//!   `datasets/organisations.csv`. An existing id is updated; parents may
//!   come in any order in the file.
//! - routing: `category_id`, `municipality` (an id, a name or an OKTMO code;
//!   empty for the category's default), `organisation_id`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::admin::OrgForm;
use super::queries;
use crate::db::{Db, Tx};
use crate::error::Msg;
use crate::web::components::FieldErrors;

/// One reason a row (row 0: the file) was refused.
#[derive(Debug, Clone)]
pub struct RowProblem {
    pub row: u64,
    pub column: String,
    pub reason: Msg,
}

/// What an import did (or would do, on a dry run).
#[derive(Debug, Default)]
pub struct Report {
    pub kind: &'static str,
    pub added: usize,
    pub updated: usize,
    pub problems: Vec<RowProblem>,
    /// Whether anything was written.
    pub written: bool,
    /// The organisations added or updated.
    pub ids: Vec<String>,
}

impl Report {
    /// The report as printed by the command (Russian first, as the
    /// administrators read it, with the English beside).
    pub fn text(&self) -> String {
        let mut out = format!(
            "{}: {} new, {} updated, {} rejected rows{}\n",
            self.kind,
            self.added,
            self.updated,
            self.problems
                .iter()
                .map(|p| p.row)
                .collect::<HashSet<_>>()
                .len(),
            if self.written {
                ""
            } else {
                " (nothing written)"
            }
        );
        for p in self.problems.iter().take(1000) {
            out.push_str(&format!(
                "  row {} {}: {} / {}\n",
                p.row, p.column, p.reason.ru, p.reason.en
            ));
        }
        out
    }
}

fn file_problem(ru: &str, en: &str) -> RowProblem {
    RowProblem {
        row: 0,
        column: String::new(),
        reason: Msg::new(ru.to_owned(), en.to_owned()),
    }
}

/// Imports a directory or routing file. `dry_run` checks and writes
/// nothing; `skip_invalid` writes the accepted rows although others were
/// rejected.
pub async fn import(
    db: &Db,
    path: &Path,
    dry_run: bool,
    skip_invalid: bool,
) -> anyhow::Result<Report> {
    let (header, rows) = match crate::media::sheet::read_table(path) {
        Ok(t) => t,
        Err(m) => {
            return Ok(Report {
                kind: "file",
                problems: vec![RowProblem {
                    row: 0,
                    column: String::new(),
                    reason: m,
                }],
                ..Report::default()
            });
        }
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| match h.trim().to_lowercase().as_str() {
            "municipality_slug" => "municipality_id".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let has = |c: &str| header.iter().any(|h| h == c);
    let records: Vec<(u64, HashMap<String, String>)> = rows
        .into_iter()
        .map(|(row, cells)| {
            let map = header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(|c| c.trim().to_owned()))
                .collect();
            (row, map)
        })
        .collect();
    let mut tx = db.begin().await?;
    let mut report = if has("category_id") && has("organisation_id") {
        routing(&mut tx, &records).await?
    } else if has("id") && has("kind") && has("name_ru") {
        organisations(&mut tx, &records).await?
    } else {
        Report {
            kind: "file",
            problems: vec![file_problem(
                "Не распознаны столбцы: нужен справочник (id, kind, name_ru, …) или маршрутизация (category_id, municipality, organisation_id).",
                "Columns not recognised: a directory (id, kind, name_ru, …) or routing (category_id, municipality, organisation_id) is needed.",
            )],
            ..Report::default()
        }
    };
    let accepted = report.added + report.updated;
    if dry_run || accepted == 0 || (!report.problems.is_empty() && !skip_invalid) {
        drop(tx);
        return Ok(report);
    }
    if report.kind == "organisations" {
        crate::datasets::request_refresh(&mut tx, "organisations").await?;
        // The directory's master tells the other instances.
        super::master::changed(&mut tx, &report.ids).await?;
    }
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

fn org_form(r: &HashMap<String, String>) -> OrgForm {
    let v = serde_json::Value::Object(
        r.iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    );
    serde_json::from_value(v).unwrap_or_default()
}

async fn organisations(
    tx: &mut Tx,
    records: &[(u64, HashMap<String, String>)],
) -> anyhow::Result<Report> {
    let mut report = Report {
        kind: "organisations",
        ..Report::default()
    };
    // Checked one by one, as the form checks them.
    let mut pending: Vec<(u64, String, queries::OrgFields)> = Vec::new();
    let mut seen = HashSet::new();
    for (row, r) in records {
        let mut errors = FieldErrors::new();
        let form = org_form(r);
        let id = errors.check(
            "id",
            super::domain::parse_org_id(r.get("id").map_or("", |s| s)),
        );
        let fields = form.parse(&mut errors);
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            errors.add(
                "id",
                Msg::new(
                    "Этот идентификатор уже встречался выше в файле.",
                    "This id appears earlier in the file.",
                ),
            );
        }
        match (id, fields, errors.is_empty()) {
            (Some(id), Some(fields), true) => pending.push((*row, id, fields)),
            _ => report
                .problems
                .extend(errors.iter().map(|(f, m)| RowProblem {
                    row: *row,
                    column: (*f).to_owned(),
                    reason: m.clone(),
                })),
        }
    }
    // Parents first, in whatever order the file lists them.
    while !pending.is_empty() {
        let mut progress = false;
        let mut rest = Vec::new();
        for (row, id, fields) in pending {
            let parent_ready = match fields.parent_id.as_deref() {
                None => true,
                Some(p) => queries::by_id_tx(tx, p).await?.is_some(),
            };
            if !parent_ready {
                rest.push((row, id, fields));
                continue;
            }
            progress = true;
            let mut errors = FieldErrors::new();
            super::admin::check_parent(tx, &id, fields.parent_id.as_deref(), &mut errors)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            if !errors.is_empty() {
                report
                    .problems
                    .extend(errors.iter().map(|(f, m)| RowProblem {
                        row,
                        column: (*f).to_owned(),
                        reason: m.clone(),
                    }));
                continue;
            }
            if queries::insert(tx, &id, &fields).await? {
                report.added += 1;
            } else {
                queries::update(tx, &id, &fields).await?;
                report.updated += 1;
            }
            report.ids.push(id.clone());
            crate::search::enqueue(tx, super::search::KIND, &id).await?;
        }
        if !progress {
            for (row, _, _) in rest {
                report.problems.push(RowProblem {
                    row,
                    column: "parent_id".into(),
                    reason: Msg::new(
                        "Вышестоящей организации нет ни в справочнике, ни в файле (или подчинение замкнуто в круг).",
                        "The parent is neither in the directory nor in the file (or the hierarchy runs in a circle).",
                    ),
                });
            }
            break;
        }
        pending = rest;
    }
    report.problems.sort_by_key(|p| p.row);
    Ok(report)
}

async fn routing(
    tx: &mut Tx,
    records: &[(u64, HashMap<String, String>)],
) -> anyhow::Result<Report> {
    let mut report = Report {
        kind: "routing",
        ..Report::default()
    };
    for (row, r) in records {
        let get = |c: &str| r.get(c).map_or("", |s| s.as_str());
        let problem = |column: &str, ru: String, en: String| RowProblem {
            row: *row,
            column: column.to_owned(),
            reason: Msg::new(ru, en),
        };
        let category = crate::workflow::routing::category(tx, get("category_id")).await?;
        let Some(category) = category else {
            report.problems.push(problem(
                "category_id",
                format!("Категории «{}» нет.", get("category_id")),
                format!("There is no category “{}”.", get("category_id")),
            ));
            continue;
        };
        let municipality = match get("municipality") {
            "" => None,
            m => match crate::geo::geography().find(m) {
                Some(found) => Some(found.id.clone()),
                None => {
                    report.problems.push(problem(
                        "municipality",
                        format!("Муниципалитет «{m}» не найден (нужен id, название или ОКТМО)."),
                        format!(
                            "No municipality “{m}” (an id, a name or an OKTMO code is needed)."
                        ),
                    ));
                    continue;
                }
            },
        };
        let org = get("organisation_id");
        if !crate::workflow::queries::organisation_exists(tx, org).await? {
            report.problems.push(problem(
                "organisation_id",
                format!("Организации «{org}» нет в справочнике; загрузите справочник раньше маршрутизации."),
                format!("There is no organisation “{org}” in the directory; import the directory before the routing."),
            ));
            continue;
        }
        match &municipality {
            None => {
                crate::workflow::queries::set_category_default(tx, &category.category_id, Some(org))
                    .await?
            }
            Some(m) => {
                crate::workflow::queries::set_routing_rule(tx, &category.category_id, m, Some(org))
                    .await?
            }
        }
        report.updated += 1;
    }
    Ok(report)
}

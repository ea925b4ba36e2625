//! An answered question as the explorer shows it: the pivot with its
//! margins and the names of its rows and columns, as an HTML table with
//! drill-down links, as JSON, as a CSV or XLSX table, as text (the monthly
//! mail) and as the chart's series.

use std::collections::HashMap;

use maud::{Markup, html};
use serde_json::json;

use super::texts::ExplorerTexts;
use crate::bi::query::{self, Answer, Cell, Measure, Question, Totals};
use crate::bi::scope::Scope;
use crate::bi::{Column, Type};
use crate::db::Db;
use crate::error::AppResult;
use crate::web::charts::Series;
use crate::web::components::decimal;
use crate::web::i18n::Locale;
use crate::web::tables::{self, Table};

/// A question's answer within a scope, named in one language.
pub struct Pivot {
    pub q: Question,
    pub answer: Answer,
    pub totals: Totals,
    pub row_names: HashMap<String, String>,
    pub col_names: HashMap<String, String>,
    pub locale: Locale,
}

impl Pivot {
    /// Answers `q` within `scope` (the scope is a clause of every query).
    pub async fn of(
        db: &Db,
        gate: &crate::web::limits::Gate,
        q: &Question,
        scope: &Scope,
        locale: Locale,
    ) -> AppResult<Pivot> {
        let answer = query::answer(db, gate, q, scope).await?;
        let totals = query::totals(db, gate, q, scope).await?;
        let row_names = names(db, q.rows, locale).await?;
        let col_names = match q.cols {
            Some(c) => names(db, c, locale).await?,
            None => HashMap::new(),
        };
        Ok(Pivot {
            q: q.clone(),
            answer,
            totals,
            row_names,
            col_names,
            locale,
        })
    }

    pub fn row_label(&self, key: &str) -> String {
        label(self.q.rows, key, &self.row_names, self.locale)
    }

    pub fn col_label(&self, key: &str) -> String {
        match self.q.cols {
            Some(c) => label(c, key, &self.col_names, self.locale),
            None => measure_name(&self.q, self.locale),
        }
    }

    /// A value as shown: counts whole, percentages and means with
    /// decimals, nothing as a dash.
    pub fn shown(&self, v: Option<f64>) -> String {
        shown(&self.q.measure, self.locale, v)
    }

    /// The address of the records behind a cell (`col` `None`: the row's
    /// total), when the relation has records and the cell any rows.
    pub fn drill(&self, row: &str, col: Option<&str>, cell: Option<Cell>) -> Option<String> {
        self.q.mart.record?;
        cell.filter(|c| c.rows > 0)?;
        let mut pairs = self.q.pairs();
        pairs.push(("cell_row".into(), row.to_owned()));
        if let (Some(c), Some(_)) = (col, self.q.cols) {
            pairs.push(("cell_col".into(), c.to_owned()));
        }
        Some(format!(
            "/bi/explore/records?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        ))
    }

    fn corner(&self) -> String {
        let l = self.locale;
        match self.q.cols {
            Some(c) => format!("{} \\ {}", self.q.rows.label.get(l), c.label.get(l)),
            None => self.q.rows.label.get(l).to_owned(),
        }
    }

    /// The pivot as an HTML table: every cell with a value links to the
    /// records behind it.
    pub fn html(&self, caption: &str) -> Markup {
        let t = ExplorerTexts::get(self.locale);
        let a = &self.answer;
        let cols = self.q.cols.is_some();
        let number = |v: Option<f64>, href: Option<String>| {
            html! {
                @match href {
                    Some(h) => a href=(h) { (self.shown(v)) },
                    None => (self.shown(v)),
                }
            }
        };
        html! {
            div.table-wrap tabindex="0" role="region" aria-label=(caption) {
                table.pm-table #pivot {
                    caption { (caption) }
                    thead {
                        tr {
                            th scope="col" { (self.corner()) }
                            @for c in &a.cols { th scope="col" { (self.col_label(c)) } }
                            @if cols { th scope="col" { (t.total) } }
                        }
                    }
                    tbody {
                        @for r in &a.rows {
                            tr {
                                th scope="row" { (self.row_label(r)) }
                                @for c in &a.cols {
                                    @let cell = a.cell(r, c);
                                    td.num { (number(cell.and_then(|x| x.value), self.drill(r, Some(c), cell))) }
                                }
                                @if cols {
                                    @let cell = self.totals.by_row.get(r).copied();
                                    td.num { (number(cell.and_then(|x| x.value), self.drill(r, None, cell))) }
                                }
                            }
                        }
                    }
                    @if cols || a.rows.len() > 1 {
                        tfoot {
                            tr {
                                th scope="row" { (t.total) }
                                @if cols {
                                    @for c in &a.cols {
                                        td.num { (self.shown(self.totals.by_col.get(c).and_then(|x| x.value))) }
                                    }
                                }
                                td.num { (self.shown(self.totals.all.and_then(|x| x.value))) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The pivot as a table for CSV and XLSX: the same rows and totals as
    /// the page.
    pub fn table(&self) -> Table {
        let t = ExplorerTexts::get(self.locale);
        let a = &self.answer;
        let cols = self.q.cols.is_some();
        let value = |v: Option<f64>| match v {
            None => tables::Cell::Text(String::new()),
            Some(v) if self.q.measure == Measure::Count => tables::Cell::Int(v.round() as i64),
            Some(v) => tables::Cell::Float((v * 100.0).round() / 100.0),
        };
        let mut headers = vec![self.corner()];
        headers.extend(a.cols.iter().map(|c| self.col_label(c)));
        if cols {
            headers.push(t.total.to_owned());
        }
        let mut rows: Vec<Vec<tables::Cell>> = a
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![tables::Cell::Text(self.row_label(r))];
                row.extend(
                    a.cols
                        .iter()
                        .map(|c| value(a.cell(r, c).and_then(|x| x.value))),
                );
                if cols {
                    row.push(value(self.totals.by_row.get(r).and_then(|x| x.value)));
                }
                row
            })
            .collect();
        let mut total = vec![tables::Cell::Text(t.total.to_owned())];
        if cols {
            total.extend(
                a.cols
                    .iter()
                    .map(|c| value(self.totals.by_col.get(c).and_then(|x| x.value))),
            );
        }
        total.push(value(self.totals.all.and_then(|x| x.value)));
        rows.push(total);
        Table {
            name: format!("{}-{}", self.q.mart.name, self.q.rows.name),
            headers,
            rows,
        }
    }

    /// The pivot as JSON: keys, labels, cells with their value and the
    /// count of rows behind each, and the margins.
    pub fn json(&self) -> serde_json::Value {
        let a = &self.answer;
        let cell = |c: &Cell| json!({ "value": c.value, "rows": c.rows });
        json!({
            "question": self.q.query_string(),
            "mart": self.q.mart.name,
            "rows_dimension": self.q.rows.name,
            "cols_dimension": self.q.cols.map(|c| c.name),
            "measure": self.q.measure.key(),
            "period": self.q.period.as_ref().map(|p| json!({ "from": p.from, "to": p.to })),
            "rows": a.rows,
            "cols": a.cols,
            "labels": {
                "rows": a.rows.iter().map(|r| (r.clone(), json!(self.row_label(r)))).collect::<serde_json::Map<_, _>>(),
                "cols": a.cols.iter().map(|c| (c.clone(), json!(self.col_label(c)))).collect::<serde_json::Map<_, _>>(),
            },
            "cells": a.cells.iter().map(|((r, c), x)| json!({
                "row": r, "col": c, "value": x.value, "rows": x.rows,
            })).collect::<Vec<_>>(),
            "totals": {
                "rows": self.totals.by_row.iter().map(|(k, c)| (k.clone(), cell(c))).collect::<serde_json::Map<_, _>>(),
                "cols": self.totals.by_col.iter().map(|(k, c)| (k.clone(), cell(c))).collect::<serde_json::Map<_, _>>(),
                "all": self.totals.all.as_ref().map(cell),
            },
        })
    }

    /// The chart's labels (the rows) and series (one per column).
    pub fn series(&self) -> (Vec<String>, Vec<Series>) {
        let a = &self.answer;
        let labels = a.rows.iter().map(|r| self.row_label(r)).collect();
        let series = a
            .cols
            .iter()
            .map(|c| Series {
                name: if self.q.cols.is_some() {
                    self.col_label(c)
                } else {
                    String::new()
                },
                values: a
                    .rows
                    .iter()
                    .map(|r| a.cell(r, c).and_then(|x| x.value))
                    .collect(),
                emphasis: false,
            })
            .collect();
        (labels, series)
    }

    /// The pivot as plain text, columns aligned (the monthly mail).
    pub fn text(&self) -> String {
        let table = self.table();
        let plain = |c: &tables::Cell| match c {
            tables::Cell::Text(s) | tables::Cell::Link(s, _) => s.clone(),
            tables::Cell::Int(n) => n.to_string(),
            tables::Cell::Float(x) => decimal(self.locale, *x, 2),
            tables::Cell::Share(x) => decimal(self.locale, x * 100.0, 1),
        };
        let mut lines: Vec<Vec<String>> = vec![table.headers.clone()];
        lines.extend(table.rows.iter().map(|r| r.iter().map(plain).collect()));
        let widths: Vec<usize> = (0..table.headers.len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l.get(i).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let mut out = String::new();
        for l in lines {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .map(|(s, w)| {
                    let s: String = s.chars().take(40).collect();
                    format!("{s:<w$}")
                })
                .collect();
            out.push_str(cells.join(" | ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// The measure's name in the page's language.
pub fn measure_name(q: &Question, l: Locale) -> String {
    let t = ExplorerTexts::get(l);
    let of = |c: &str| {
        q.mart
            .column(c)
            .map(|c| c.label.get(l).to_owned())
            .unwrap_or_else(|| c.to_owned())
    };
    match &q.measure {
        Measure::Count => t.count.to_owned(),
        Measure::Share => t.share.to_owned(),
        Measure::OnTime => t.on_time.to_owned(),
        Measure::Sum(c) => format!("{}: {}", t.sum, of(c)),
        Measure::Mean(c) => format!("{}: {}", t.mean, of(c)),
        Measure::Median(c) => format!("{}: {}", t.median, of(c)),
    }
}

/// Decimals a measure is shown with.
pub fn decimals(m: &Measure) -> i64 {
    match m {
        Measure::Count => 0,
        Measure::Share | Measure::OnTime => 1,
        _ => 2,
    }
}

pub fn shown(m: &Measure, l: Locale, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if m.is_percent() => format!("{} %", decimal(l, v, 1)),
        Some(v) => decimal(l, v, decimals(m)),
    }
}

/// A dimension's value as a reader sees it: its name when the column has
/// names, yes/no for flags, the value itself otherwise.
pub fn label(col: &Column, key: &str, names: &HashMap<String, String>, l: Locale) -> String {
    let t = ExplorerTexts::get(l);
    if key.is_empty() {
        return t.empty.to_owned();
    }
    if let Some(n) = names.get(key) {
        return n.clone();
    }
    match (col.ty, key) {
        (Type::Flag, "1") => t.yes.to_owned(),
        (Type::Flag, "0") => t.no.to_owned(),
        _ => key.to_owned(),
    }
}

/// The names of a dimension's values (its definition's `names` query of
/// `id, name_ru, name_en`), in one language; empty without names.
pub async fn names(db: &Db, col: &Column, l: Locale) -> AppResult<HashMap<String, String>> {
    let Some(sql) = col.names else {
        return Ok(HashMap::new());
    };
    // The query is the definition's, never the browser's.
    let rows = crate::on_db!(db, |pool| {
        use sqlx::Row;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        let id = r
                            .try_get::<String, _>(0)
                            .or_else(|_| r.try_get::<i64, _>(0).map(|n| n.to_string()))
                            .unwrap_or_default();
                        let ru = r.try_get::<Option<String>, _>(1).ok().flatten();
                        let en = r.try_get::<Option<String>, _>(2).ok().flatten();
                        (id, ru, en)
                    })
                    .collect::<Vec<_>>()
            })
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, ru, en)| {
            let name = match l {
                Locale::Ru => ru.or(en),
                Locale::En => en.or(ru),
            }?;
            Some((id, name))
        })
        .collect())
}

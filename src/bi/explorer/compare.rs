//! Period comparisons: the last month of the question's period against the
//! month before and the same month a year ago, per row and per column,
//! with the change shown as the rankings show one (`components::change`).

use maud::{Markup, html};

use super::pivot::{Pivot, decimals, shown};
use super::texts::ExplorerTexts;
use crate::bi::query::{self, Cell, Measure, Period, Question, Totals, shift_month};
use crate::bi::scope::Scope;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::components::change;

/// The three months compared and their margins.
pub struct Comparison {
    pub months: [String; 3],
    pub totals: [Totals; 3],
}

/// The comparison of a question's last month, when it has a period.
pub async fn compare(
    db: &Db,
    gate: &crate::web::limits::Gate,
    q: &Question,
    scope: &Scope,
) -> AppResult<Option<Comparison>> {
    let Some(p) = &q.period else {
        return Ok(None);
    };
    let months = [
        p.to.clone(),
        shift_month(&p.to, -1),
        shift_month(&p.to, -12),
    ];
    let mut totals: [Totals; 3] = Default::default();
    for (m, t) in months.iter().zip(totals.iter_mut()) {
        let one = q.with_period(Some(Period {
            from: m.clone(),
            to: m.clone(),
        }));
        *t = query::totals(db, gate, &one, scope).await?;
    }
    Ok(Some(Comparison { months, totals }))
}

/// The comparison as tables: everything, then by rows, then by columns.
pub fn view(p: &Pivot, c: Option<&Comparison>) -> Markup {
    let t = ExplorerTexts::get(p.locale);
    let Some(c) = c else {
        return html! {
            section #compare aria-labelledby="compare-h" {
                h2 #compare-h { (t.compare) }
                p { (t.compare_hint) }
            }
        };
    };
    let by_rows = keys(c, |t| &t.by_row);
    let by_cols = keys(c, |t| &t.by_col);
    html! {
        section #compare aria-labelledby="compare-h" {
            h2 #compare-h { (t.compare) }
            (table(p, c, p.q.rows.label.get(p.locale), &by_rows, |t, k| t.by_row.get(k).copied(), |k| p.row_label(k), true))
            @if let Some(col) = p.q.cols {
                (table(p, c, col.label.get(p.locale), &by_cols, |t, k| t.by_col.get(k).copied(), |k| p.col_label(k), false))
            }
        }
    }
}

fn keys(
    c: &Comparison,
    of: impl Fn(&Totals) -> &std::collections::BTreeMap<String, Cell>,
) -> Vec<String> {
    let mut out: Vec<String> = c
        .totals
        .iter()
        .flat_map(|t| of(t).keys().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn table(
    p: &Pivot,
    c: &Comparison,
    dimension: &str,
    keys: &[String],
    cell: impl Fn(&Totals, &str) -> Option<Cell>,
    label: impl Fn(&str) -> String,
    with_all: bool,
) -> Markup {
    let t = ExplorerTexts::get(p.locale);
    let l = p.locale;
    let m = &p.q.measure;
    let better = (*m == Measure::OnTime).then_some(true);
    // A count or a sum over no rows is 0; a mean, a median or a share in
    // time over no rows has no figure.
    let additive = matches!(m, Measure::Count | Measure::Share | Measure::Sum(_));
    let row = |name: String, cells: [Option<Cell>; 3]| {
        let v = cells.map(|x| match x {
            Some(x) => x.value,
            None if additive => Some(0.0),
            None => None,
        });
        html! {
            tr {
                th scope="row" { (name) }
                td.num { (shown(m, l, v[0])) }
                td.num { (shown(m, l, v[1])) }
                td { (change(l, v[0], v[1], better, decimals(m))) }
                td.num { (shown(m, l, v[2])) }
                td { (change(l, v[0], v[2], better, decimals(m))) }
            }
        }
    };
    html! {
        div.table-wrap tabindex="0" role="region" aria-label={ (t.compare) ": " (dimension) } {
            table.pm-table.compare {
                caption { (t.compare) ": " (dimension) }
                thead {
                    tr {
                        th scope="col" { (dimension) }
                        th scope="col" { (c.months[0]) }
                        th scope="col" { (t.previous) " (" (c.months[1]) ")" }
                        th scope="col" { (t.change) }
                        th scope="col" { (t.year_ago) " (" (c.months[2]) ")" }
                        th scope="col" { (t.change) }
                    }
                }
                tbody {
                    @if with_all {
                        (row(t.all_rows.to_owned(), [c.totals[0].all, c.totals[1].all, c.totals[2].all]))
                    }
                    @for k in keys {
                        (row(label(k), [cell(&c.totals[0], k), cell(&c.totals[1], k), cell(&c.totals[2], k)]))
                    }
                }
            }
        }
    }
}

//! The explorer's form: a GET form, so the address is the question (it can
//! be bookmarked, shared, saved and mailed). Filters are `f.<dimension>`
//! lists the handler turns into the question's `f=<dimension>:<value>`.

use maud::{Markup, html};

use super::pivot::names;
use super::texts::ExplorerTexts;
use crate::bi::query::{Measure, Question};
use crate::bi::scope::Scope;
use crate::bi::{MartDef, Marts, Type, Use};
use crate::db::Db;
use crate::error::AppResult;
use crate::web::charts_bars::Kind;
use crate::web::i18n::Locale;

/// Values offered for an unnamed dimension.
const MAX_OFFERED: usize = 100;

/// Step one: the relation.
pub fn choose_mart(l: Locale, marts: &Marts, current: Option<&str>) -> Markup {
    let t = ExplorerTexts::get(l);
    html! {
        form.inline-form method="get" action="/bi/explore" {
            div.field {
                label for="mart" { (t.relation) }
                select #mart name="mart" {
                    @for m in marts.all() {
                        @let d = m.def();
                        option value=(d.name) selected[current == Some(d.name)] { (d.title.get(l)) " (" (d.name) ")" }
                    }
                }
            }
            button type="submit" { (t.choose) }
        }
    }
}

/// The values a filter of `col` offers: the names when the column has
/// them, else the values present within the viewer's scope.
async fn offered(
    db: &Db,
    gate: &crate::web::limits::Gate,
    mart: &MartDef,
    col: &crate::bi::Column,
    scope: &Scope,
    l: Locale,
) -> AppResult<Vec<(String, String)>> {
    let named = names(db, col, l).await?;
    if !named.is_empty() {
        let mut v: Vec<(String, String)> = named.into_iter().collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        return Ok(v);
    }
    match col.ty {
        // Nothing to ask the database: a flag is 0 or 1.
        Type::Flag => {
            let t = ExplorerTexts::get(l);
            return Ok(vec![
                ("0".into(), t.no.to_owned()),
                ("1".into(), t.yes.to_owned()),
            ]);
        }
        // Days and months are chosen by the period, not listed (listing
        // them would format every row of a large relation).
        Type::Date | Type::Month => return Ok(Vec::new()),
        _ => {}
    }
    let scope_clause = if mart.scoped { scope.clause() } else { None };
    // Names and the scope's clause come from definitions and checked ids.
    let sql = format!(
        "select distinct cast({c} as text) from {m} where {c} is not null and {w} order by 1 limit {MAX_OFFERED}",
        c = col.name,
        m = mart.name,
        w = scope_clause.unwrap_or_else(|| "1 = 1".into()),
    );
    let values = crate::bi::query::strings(db, gate, &sql, &[]).await?;
    let t = ExplorerTexts::get(l);
    Ok(values
        .into_iter()
        .map(|v| {
            let shown = match (col.ty, v.as_str()) {
                (Type::Flag, "1") => t.yes.to_owned(),
                (Type::Flag, "0") => t.no.to_owned(),
                _ => v.clone(),
            };
            (v, shown)
        })
        .collect())
}

/// The form of a question on `mart` (step two), filled from `q` when the
/// question was asked.
pub async fn form(
    db: &Db,
    gate: &crate::web::limits::Gate,
    l: Locale,
    mart: &'static MartDef,
    q: Option<&Question>,
    scope: &Scope,
    chart: Kind,
) -> AppResult<Markup> {
    let t = ExplorerTexts::get(l);
    let dims: Vec<_> = mart
        .columns
        .iter()
        .filter(|c| c.usage == Use::Dimension)
        .collect();
    let measures: Vec<_> = mart
        .columns
        .iter()
        .filter(|c| c.usage == Use::Measure)
        .collect();
    let rows = q.map(|q| q.rows.name).unwrap_or("month");
    let cols = q.and_then(|q| q.cols).map(|c| c.name);
    let measure = q.map(|q| q.measure.key()).unwrap_or_else(|| "count".into());
    let chosen = |dim: &str, v: &str| {
        q.is_some_and(|q| {
            q.filters
                .iter()
                .any(|(c, vs)| c.name == dim && vs.iter().any(|x| x == v))
        })
    };
    let mut filters = Vec::new();
    for c in dims
        .iter()
        .filter(|c| !matches!(c.ty, Type::Date | Type::Month))
    {
        let mut values = offered(db, gate, mart, c, scope, l).await?;
        // A value asked in the address stays in the list, offered or not.
        if let Some(q) = q {
            for (fc, vs) in &q.filters {
                if fc.name == c.name {
                    for v in vs {
                        if !values.iter().any(|(k, _)| k == v) {
                            values.push((v.clone(), v.clone()));
                        }
                    }
                }
            }
        }
        filters.push((*c, values));
    }
    let (from, to) = q
        .and_then(|q| q.period.as_ref())
        .map(|p| (p.from.clone(), p.to.clone()))
        .unwrap_or_default();
    let measure_options = {
        let mut o = vec![
            ("count".to_owned(), t.count.to_owned()),
            ("share".to_owned(), t.share.to_owned()),
        ];
        if mart.on_time.is_some() {
            o.push(("on_time".to_owned(), t.on_time.to_owned()));
        }
        for m in &measures {
            if !matches!(m.ty, Type::Integer | Type::Real | Type::Flag) {
                continue;
            }
            for (k, name) in [("sum", t.sum), ("mean", t.mean), ("median", t.median)] {
                o.push((
                    Measure::key(&match k {
                        "sum" => Measure::Sum(m.name),
                        "mean" => Measure::Mean(m.name),
                        _ => Measure::Median(m.name),
                    }),
                    format!("{name}: {}", m.label.get(l)),
                ));
            }
        }
        o
    };
    Ok(html! {
        form.explore-form method="get" action="/bi/explore" {
            input type="hidden" name="mart" value=(mart.name);
            p { (t.relation) ": " strong { (mart.title.get(l)) } " (" code { (mart.name) } ") — " a href="/bi/explore" { (t.change_relation) } }
            div.inline-form {
                div.field {
                    label for="rows" { (t.rows) }
                    select #rows name="rows" {
                        @for c in &dims { option value=(c.name) selected[c.name == rows] { (c.label.get(l)) } }
                    }
                }
                div.field {
                    label for="cols" { (t.cols) }
                    select #cols name="cols" {
                        option value="" selected[cols.is_none()] { (t.no_cols) }
                        @for c in &dims { option value=(c.name) selected[Some(c.name) == cols] { (c.label.get(l)) } }
                    }
                }
                div.field {
                    label for="measure" { (t.measure) }
                    select #measure name="measure" {
                        @for (k, name) in &measure_options { option value=(k) selected[*k == measure] { (name) } }
                    }
                }
            }
            @if !mart.period.is_empty() {
                fieldset.inline-form {
                    legend { (t.period) }
                    div.field {
                        label for="from" { (t.from) }
                        input #from type="month" name="from" value=(from) placeholder="2026-01" pattern="[0-9]{4}-[0-9]{2}";
                    }
                    div.field {
                        label for="to" { (t.to) }
                        input #to type="month" name="to" value=(to) placeholder="2026-12" pattern="[0-9]{4}-[0-9]{2}";
                    }
                }
            }
            details open[q.is_some_and(|q| !q.filters.is_empty())] {
                summary { (t.filters) }
                p.hint #filters-hint { (t.filters_hint) }
                div.inline-form {
                    @for (c, values) in &filters {
                        @let id = format!("f-{}", c.name);
                        div.field {
                            label for=(id) { (c.label.get(l)) }
                            select id=(id) name={ "f." (c.name) } multiple size="4" aria-describedby="filters-hint" {
                                @for (v, name) in values {
                                    option value=(v) selected[chosen(c.name, v)] { (name) }
                                }
                            }
                        }
                    }
                }
            }
            fieldset.inline-form {
                legend { (t.chart) }
                @for (k, name) in [(Kind::Bar, t.bar), (Kind::Stacked, t.stacked), (Kind::Line, t.line)] {
                    @let id = format!("chart-{}", k.key());
                    div {
                        input id=(id) type="radio" name="chart" value=(k.key()) checked[k == chart];
                        " " label for=(id) { (name) }
                    }
                }
            }
            button type="submit" { (t.show) }
        }
    })
}

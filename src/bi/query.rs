//! A question to the reporting schema, parsed once under limits from the
//! explorer's address, and its answer: a pivot of one measure by one or
//! two dimensions over a period, within the viewer's scope.
//!
//! No SQL comes from the browser: relations, dimensions and measures are
//! looked up in the definitions (`MartDef`), filter values are bound, and
//! the scope's clause is built from checked directory ids. Each answer runs
//! under the expensive-work gate, in a read-only transaction with a time
//! budget, and stops at a cap of cells.

use std::collections::BTreeMap;
use std::time::Duration;

use super::scope::Scope;
use super::{Column, MartDef, Marts, Type, Use, sql};
use crate::db::{Backend, Db};
use crate::error::{AppError, AppResult, Msg};
use crate::on_tx;

/// Filters in one question.
pub const MAX_FILTERS: usize = 10;
/// Values of one filter.
pub const MAX_FILTER_VALUES: usize = 50;
/// Characters of a filter value.
pub const MAX_VALUE_CHARS: usize = 100;
/// Characters of the whole question (its query string).
pub const MAX_QUESTION_CHARS: usize = 4_000;
/// Cells of one answer (rows × columns); a larger answer asks for a filter.
pub const MAX_CELLS: usize = 5_000;
/// Records listed by one drill-down.
pub const MAX_RECORDS: usize = 200;
/// How long one answer may take.
pub const TIME_BUDGET: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Count,
    Sum(&'static str),
    Mean(&'static str),
    Median(&'static str),
    /// The cell's count as a percentage of the answer's total.
    Share,
    /// The mean of the relation's on-time flag, in percent.
    OnTime,
}

impl Measure {
    pub fn key(&self) -> String {
        match self {
            Measure::Count => "count".into(),
            Measure::Sum(c) => format!("sum:{c}"),
            Measure::Mean(c) => format!("mean:{c}"),
            Measure::Median(c) => format!("median:{c}"),
            Measure::Share => "share".into(),
            Measure::OnTime => "on_time".into(),
        }
    }

    /// Whether values are percentages.
    pub fn is_percent(&self) -> bool {
        matches!(self, Measure::Share | Measure::OnTime)
    }
}

/// A period of whole months, `from` to `to` inclusive (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    /// The dates `[start, end)` the period covers.
    pub fn bounds(&self) -> (String, String) {
        (format!("{}-01", self.from), next_month(&self.to) + "-01")
    }
}

/// `YYYY-MM` of the month after.
pub fn next_month(m: &str) -> String {
    shift_month(m, 1)
}

/// `YYYY-MM` moved by `n` months (negative: back).
pub fn shift_month(m: &str, n: i32) -> String {
    let (y, mo) = parse_month(m).unwrap_or((2000, 1));
    let total = y * 12 + (mo as i32 - 1) + n;
    format!(
        "{:04}-{:02}",
        total.div_euclid(12),
        total.rem_euclid(12) + 1
    )
}

fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    ((1900..=2200).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// A question, every part checked against the relation's definition.
#[derive(Debug, Clone)]
pub struct Question {
    pub mart: &'static MartDef,
    pub rows: &'static Column,
    pub cols: Option<&'static Column>,
    pub measure: Measure,
    /// Equality filters: a dimension and the values it may take.
    pub filters: Vec<(&'static Column, Vec<String>)>,
    pub period: Option<Period>,
}

fn bad(en: &str, ru: &str) -> AppError {
    AppError::bad_request("invalid_question", Msg::new(ru.to_owned(), en.to_owned()))
}

impl Question {
    /// Parses `mart`, `rows`, `cols`, `measure`, `from`, `to` and any
    /// number of `f=<dimension>:<value>` pairs.
    pub fn parse(marts: &Marts, pairs: &[(String, String)]) -> AppResult<Question> {
        let chars: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        if chars > MAX_QUESTION_CHARS {
            return Err(bad("The question is too long.", "Слишком длинный запрос."));
        }
        let one = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let mart = one("mart")
            .and_then(|m| marts.get(m))
            .ok_or_else(|| bad("Choose a relation.", "Выберите набор данных."))?
            .def();
        let dimension = |name: &str| {
            mart.column(name)
                .filter(|c| c.usage == Use::Dimension)
                .ok_or_else(|| {
                    bad(
                        "The relation has no such dimension.",
                        "В наборе нет такого измерения.",
                    )
                })
        };
        let rows = dimension(one("rows").unwrap_or("month"))?;
        let cols = one("cols").map(dimension).transpose()?;
        if cols.is_some_and(|c| c.name == rows.name) {
            return Err(bad(
                "Rows and columns must be different dimensions.",
                "Строки и столбцы должны быть разными измерениями.",
            ));
        }
        let measure = parse_measure(mart, one("measure").unwrap_or("count"))?;
        let mut filters: Vec<(&'static Column, Vec<String>)> = Vec::new();
        for (_, v) in pairs.iter().filter(|(k, _)| k == "f") {
            let Some((name, value)) = v.split_once(':') else {
                return Err(bad(
                    "A filter is written dimension:value.",
                    "Фильтр записывается как измерение:значение.",
                ));
            };
            if value.chars().count() > MAX_VALUE_CHARS || value.chars().any(char::is_control) {
                return Err(bad(
                    "A filter value is too long.",
                    "Слишком длинное значение фильтра.",
                ));
            }
            let col = dimension(name)?;
            match filters.iter_mut().find(|(c, _)| c.name == col.name) {
                Some((_, values)) => {
                    if values.len() >= MAX_FILTER_VALUES {
                        return Err(bad(
                            "Too many filter values.",
                            "Слишком много значений фильтра.",
                        ));
                    }
                    values.push(value.to_owned());
                }
                None => {
                    if filters.len() >= MAX_FILTERS {
                        return Err(bad("Too many filters.", "Слишком много фильтров."));
                    }
                    filters.push((col, vec![value.to_owned()]));
                }
            }
        }
        let month = |key: &str| {
            one(key)
                .map(|v| {
                    parse_month(v).map(|_| v.to_owned()).ok_or_else(|| {
                        bad(
                            "A month is written YYYY-MM.",
                            "Месяц записывается как ГГГГ-ММ.",
                        )
                    })
                })
                .transpose()
        };
        let period = match (month("from")?, month("to")?) {
            (None, None) => None,
            (from, to) => {
                let to = to.unwrap_or_else(|| from.clone().unwrap_or_default());
                let from = from.unwrap_or_else(|| to.clone());
                if from > to {
                    return Err(bad(
                        "The period ends before it starts.",
                        "Период заканчивается раньше, чем начинается.",
                    ));
                }
                Some(Period { from, to })
            }
        };
        if period.is_some() && mart.period.is_empty() {
            return Err(bad(
                "The relation has no dates to filter by.",
                "В наборе нет дат для выбора периода.",
            ));
        }
        Ok(Question {
            mart,
            rows,
            cols,
            measure,
            filters,
            period,
        })
    }

    /// The question as query-string pairs (the parser's input), for links
    /// and saved explorations.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut p = vec![
            ("mart".to_owned(), self.mart.name.to_owned()),
            ("rows".to_owned(), self.rows.name.to_owned()),
        ];
        if let Some(c) = self.cols {
            p.push(("cols".into(), c.name.into()));
        }
        p.push(("measure".into(), self.measure.key()));
        for (c, values) in &self.filters {
            for v in values {
                p.push(("f".into(), format!("{}:{v}", c.name)));
            }
        }
        if let Some(per) = &self.period {
            p.push(("from".into(), per.from.clone()));
            p.push(("to".into(), per.to.clone()));
        }
        p
    }

    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self.pairs()).unwrap_or_default()
    }

    /// The same question over another period.
    pub fn with_period(&self, period: Option<Period>) -> Question {
        Question {
            period,
            ..self.clone()
        }
    }
}

fn parse_measure(mart: &'static MartDef, s: &str) -> AppResult<Measure> {
    let numeric = |name: &str| {
        mart.column(name)
            .filter(|c| {
                c.usage == Use::Measure && matches!(c.ty, Type::Integer | Type::Real | Type::Flag)
            })
            .map(|c| c.name)
            .ok_or_else(|| {
                bad(
                    "The relation has no such measure.",
                    "В наборе нет такой меры.",
                )
            })
    };
    Ok(match s.split_once(':') {
        None if s == "count" => Measure::Count,
        None if s == "share" => Measure::Share,
        None if s == "on_time" => match mart.on_time {
            Some(_) => Measure::OnTime,
            None => {
                return Err(bad(
                    "The relation has no deadline to be on time for.",
                    "В наборе нет срока, чтобы считать долю в срок.",
                ));
            }
        },
        Some(("sum", c)) => Measure::Sum(numeric(c)?),
        Some(("mean", c)) => Measure::Mean(numeric(c)?),
        Some(("median", c)) => Measure::Median(numeric(c)?),
        _ => return Err(bad("Unknown measure.", "Неизвестная мера.")),
    })
}

/// One cell: the measure's value (none when no row has a value) and how
/// many rows are behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub rows: i64,
}

/// The pivot: row keys, column keys (one `""` without columns) and cells.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: BTreeMap<(String, String), Cell>,
}

impl Answer {
    pub fn cell(&self, r: &str, c: &str) -> Option<Cell> {
        self.cells.get(&(r.to_owned(), c.to_owned())).copied()
    }

    pub fn total_rows(&self) -> i64 {
        self.cells.values().map(|c| c.rows).sum()
    }
}

/// The `where` clause of a question within a scope, and its bound values.
fn conditions(q: &Question, scope: &Scope) -> (String, Vec<String>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut binds = Vec::new();
    if q.mart.scoped
        && let Some(c) = scope.clause()
    {
        clauses.push(c);
    }
    for (col, values) in &q.filters {
        let mut marks = Vec::new();
        for v in values.iter().filter(|v| !v.is_empty()) {
            binds.push(v.clone());
            marks.push(format!("${}", binds.len()));
        }
        // An empty value is the answer's label of "none" (a null).
        let mut alternatives = Vec::new();
        if !marks.is_empty() {
            alternatives.push(format!(
                "cast({} as text) in ({})",
                col.name,
                marks.join(", ")
            ));
        }
        if values.iter().any(String::is_empty) {
            alternatives.push(format!("{} is null", col.name));
        }
        clauses.push(format!("({})", alternatives.join(" or ")));
    }
    if let Some(p) = &q.period {
        let (start, end) = p.bounds();
        binds.push(start);
        binds.push(end);
        clauses.push(format!(
            "{0} >= ${1} and {0} < ${2}",
            q.mart.period,
            binds.len() - 1,
            binds.len()
        ));
    }
    (clauses.join(" and "), binds)
}

/// The SQL of a question's answer, and its bound values.
pub fn answer_sql(b: Backend, q: &Question, scope: &Scope) -> (String, Vec<String>) {
    grouped_sql(b, q, scope, Some(q.rows), q.cols)
}

/// The SQL of the question's measure grouped by `rows` and `cols` (either
/// left out: one group), for the answer and its totals.
fn grouped_sql(
    b: Backend,
    q: &Question,
    scope: &Scope,
    rows: Option<&Column>,
    cols: Option<&Column>,
) -> (String, Vec<String>) {
    let (conds, binds) = conditions(q, scope);
    let key = |c: Option<&Column>| {
        c.map(|c| format!("coalesce(cast({} as text), '')", c.name))
            .unwrap_or_else(|| "''".into())
    };
    let r = key(rows);
    let c = key(cols);
    let limit = MAX_CELLS + 1;
    let sql = match &q.measure {
        Measure::Median(col) => format!(
            "select r, c, {avg} as v, {n} as n from (
                select {r} as r, {c} as c, {col} as x,
                    row_number() over (partition by {r}, {c} order by {col}) as rn,
                    count(*) over (partition by {r}, {c}) as cnt
                from {mart} where {conds} and {col} is not null) t
             where rn * 2 >= cnt and rn * 2 <= cnt + 2
             group by r, c order by r, c limit {limit}",
            avg = sql::real(b, "avg(x)"),
            n = sql::integer(b, "max(cnt)"),
            mart = q.mart.name,
        ),
        m => {
            let v = match m {
                Measure::Count | Measure::Share => sql::real(b, "count(*)"),
                Measure::Sum(col) => sql::real(b, &format!("sum({col})")),
                Measure::Mean(col) => sql::real(b, &format!("avg({col})")),
                Measure::OnTime => sql::real(
                    b,
                    &format!("avg({}) * 100.0", q.mart.on_time.unwrap_or("0")),
                ),
                Measure::Median(_) => unreachable!("handled above"),
            };
            format!(
                "select {r} as r, {c} as c, {v} as v, {n} as n from {mart} where {conds}
                 group by 1, 2 order by 1, 2 limit {limit}",
                n = sql::integer(b, "count(*)"),
                mart = q.mart.name,
            )
        }
    };
    (sql, binds)
}

/// The SQL listing the keys of the records behind one cell.
pub fn records_sql(
    b: Backend,
    q: &Question,
    scope: &Scope,
    row: &str,
    col: Option<&str>,
) -> Option<(String, Vec<String>)> {
    let key = q.mart.record?;
    let mut cell = q.clone();
    cell.filters.retain(|(c, _)| c.name != q.rows.name);
    cell.filters.push((q.rows, vec![row.to_owned()]));
    if let (Some(c), Some(v)) = (q.cols, col) {
        cell.filters.retain(|(x, _)| x.name != c.name);
        cell.filters.push((c, vec![v.to_owned()]));
    }
    let (conds, binds) = conditions(&cell, scope);
    let _ = b;
    Some((
        format!(
            // Distinct before the limit: a relation of events (supports)
            // has many rows per record.
            "select cast(k as text) from (select distinct {key} as k from {} where {conds}) t
             order by k desc limit {}",
            q.mart.name, MAX_RECORDS
        ),
        binds,
    ))
}

/// Answers a question within a scope.
pub async fn answer(
    db: &Db,
    gate: &crate::web::limits::Gate,
    q: &Question,
    scope: &Scope,
) -> AppResult<Answer> {
    let (sql, binds) = answer_sql(db.backend(), q, scope);
    let mut a = fetch_answer(db, gate, &sql, &binds).await?;
    if q.measure == Measure::Share {
        let total = a.total_rows().max(1) as f64;
        for cell in a.cells.values_mut() {
            cell.value = Some(cell.rows as f64 * 100.0 / total);
        }
    }
    Ok(a)
}

/// The margins of an answer: the measure over each row (all columns), over
/// each column (all rows) and over everything, computed by the database
/// (a mean or a median of a margin is not a sum of cells).
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub by_row: BTreeMap<String, Cell>,
    pub by_col: BTreeMap<String, Cell>,
    pub all: Option<Cell>,
}

/// The margins of a question's answer within a scope.
pub async fn totals(
    db: &Db,
    gate: &crate::web::limits::Gate,
    q: &Question,
    scope: &Scope,
) -> AppResult<Totals> {
    let b = db.backend();
    let mut t = Totals::default();
    let (sql, binds) = grouped_sql(b, q, scope, None, None);
    let all = fetch_answer(db, gate, &sql, &binds).await?;
    t.all = all.cells.values().next().copied();
    let (sql, binds) = grouped_sql(b, q, scope, Some(q.rows), None);
    let by_row = fetch_answer(db, gate, &sql, &binds).await?;
    t.by_row = by_row.cells.into_iter().map(|((r, _), c)| (r, c)).collect();
    if let Some(cols) = q.cols {
        let (sql, binds) = grouped_sql(b, q, scope, Some(cols), None);
        let by_col = fetch_answer(db, gate, &sql, &binds).await?;
        t.by_col = by_col.cells.into_iter().map(|((c, _), x)| (c, x)).collect();
    }
    if q.measure == Measure::Share {
        let total = t.all.map(|c| c.rows).unwrap_or(0).max(1) as f64;
        for cell in t
            .by_row
            .values_mut()
            .chain(t.by_col.values_mut())
            .chain(t.all.iter_mut())
        {
            cell.value = Some(cell.rows as f64 * 100.0 / total);
        }
    }
    Ok(t)
}

/// Ends SQLite's progress handler's watch when the work is over or
/// dropped (a client gone): the connection goes back to the pool with a
/// handler that no longer interrupts anything.
pub struct Budget(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Budget {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A read-only transaction under the time budget. PostgreSQL cancels the
/// statement itself (`statement_timeout`); SQLite's progress handler
/// interrupts it (dropping the future would not stop SQLite's worker
/// thread, which would scan on while the gate let the next one in).
pub async fn budgeted(db: &Db, budget: Duration) -> Result<(crate::db::Tx, Budget), sqlx::Error> {
    let mut tx = db.read().await?;
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    match &mut tx {
        crate::db::Tx::Postgres(_) => {
            crate::exec_tx!(
                &mut tx,
                sqlx::AssertSqlSafe(format!(
                    "set local statement_timeout = {}",
                    budget.as_millis()
                ))
            )?;
            crate::exec_tx!(&mut tx, "set local transaction_read_only = on")?;
        }
        crate::db::Tx::Sqlite(t) => {
            let deadline = std::time::Instant::now() + budget;
            let w = watching.clone();
            let mut handle = t.lock_handle().await?;
            // Asked every few thousand virtual-machine steps: cheap.
            handle.set_progress_handler(4_000, move || {
                !w.load(std::sync::atomic::Ordering::Relaxed)
                    || std::time::Instant::now() < deadline
            });
        }
    }
    Ok((tx, Budget(watching)))
}

async fn fetch_answer(
    db: &Db,
    gate: &crate::web::limits::Gate,
    sql: &str,
    binds: &[String],
) -> AppResult<Answer> {
    let budget = TIME_BUDGET;
    let rows: Vec<(String, String, Option<f64>, i64)> =
        run(db, gate, sql, binds, budget, move |db, sql, binds| {
            Box::pin(async move {
                let (mut tx, _budget) = budgeted(db, budget).await?;
                let rows = on_tx!(&mut tx, |c| {
                    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                    for v in binds {
                        query = query.bind(v);
                    }
                    query.fetch_all(c).await
                })?;
                Ok(rows)
            })
        })
        .await?;
    if rows.len() > MAX_CELLS {
        return Err(AppError::unprocessable(
            "too_many_cells",
            Msg::new(
                format!("Ответ больше {MAX_CELLS} ячеек: добавьте фильтр или сузьте период."),
                format!(
                    "The answer has more than {MAX_CELLS} cells: add a filter or narrow the period."
                ),
            ),
        ));
    }
    let mut a = Answer::default();
    for (r, c, v, n) in rows {
        if !a.rows.contains(&r) {
            a.rows.push(r.clone());
        }
        if !a.cols.contains(&c) {
            a.cols.push(c.clone());
        }
        a.cells.insert((r, c), Cell { value: v, rows: n });
    }
    a.rows.sort();
    a.cols.sort();
    Ok(a)
}

/// The keys of the records behind a cell, within the scope.
pub async fn record_keys(
    db: &Db,
    gate: &crate::web::limits::Gate,
    q: &Question,
    scope: &Scope,
    row: &str,
    col: Option<&str>,
) -> AppResult<Vec<String>> {
    let Some((sql, binds)) = records_sql(db.backend(), q, scope, row, col) else {
        return Ok(Vec::new());
    };
    strings(db, gate, &sql, &binds).await
}

/// One column of text read by a query built from the definitions (record
/// keys, a filter's values), under the gate and the time budget.
pub async fn strings(
    db: &Db,
    gate: &crate::web::limits::Gate,
    sql: &str,
    binds: &[String],
) -> AppResult<Vec<String>> {
    strings_within(db, gate, sql, binds, TIME_BUDGET).await
}

async fn strings_within(
    db: &Db,
    gate: &crate::web::limits::Gate,
    sql: &str,
    binds: &[String],
    budget: Duration,
) -> AppResult<Vec<String>> {
    run(db, gate, sql, binds, budget, move |db, sql, binds| {
        Box::pin(async move {
            let (mut tx, _budget) = budgeted(db, budget).await?;
            let values = on_tx!(&mut tx, |c| {
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for v in binds {
                    query = query.bind(v);
                }
                query.fetch_all(c).await
            })?;
            Ok(values)
        })
    })
    .await
}

type Work<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// Runs a query under the gate and the time budget (kept by the database:
/// `budgeted`; the timeout here is only a backstop, a little later, so the
/// permit is held while the database still works).
async fn run<'a, T>(
    db: &'a Db,
    gate: &crate::web::limits::Gate,
    sql: &'a str,
    binds: &'a [String],
    budget: Duration,
    work: impl FnOnce(&'a Db, &'a str, &'a [String]) -> Work<'a, T>,
) -> AppResult<T> {
    let _permit = gate.enter().await?;
    let backstop = budget + Duration::from_secs(5);
    match tokio::time::timeout(backstop, work(db, sql, binds)).await {
        Ok(r) => r.map_err(over_budget),
        Err(_) => Err(too_slow()),
    }
}

/// The database's own end of the budget as the explorer's message:
/// PostgreSQL's `query_canceled`, SQLite's `SQLITE_INTERRUPT`.
pub fn over_budget(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("57014" | "9")) => {
            too_slow()
        }
        _ => AppError::from(e),
    }
}

fn too_slow() -> AppError {
    AppError::unprocessable(
        "too_slow",
        Msg::new(
            "Запрос не уложился в отведённое время: добавьте фильтр или сузьте период.",
            "The question took too long: add a filter or narrow the period.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's statement stops at the budget (a query that would never
    /// end), and the connection serves the next one.
    #[tokio::test]
    async fn sqlite_stops_a_statement_past_its_budget() {
        let db = Db::connect_url("sqlite::memory:", 1)
            .await
            .expect("an in-memory store");
        let gate = crate::web::limits::Gate::new(1, Duration::from_secs(1));
        let endless = "with recursive c(x) as (select 1 union all select x + 1 from c)
                       select cast(count(*) as text) from c";
        let started = std::time::Instant::now();
        let r = strings_within(&db, &gate, endless, &[], Duration::from_millis(300)).await;
        assert!(
            matches!(
                r,
                Err(AppError::Client {
                    code: "too_slow",
                    ..
                })
            ),
            "{r:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
        let next = strings(&db, &gate, "select 'next'", &[])
            .await
            .expect("the next query");
        assert_eq!(next, vec!["next".to_owned()]);
    }

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month("2026-01", -1), "2025-12");
        assert_eq!(shift_month("2026-12", 1), "2027-01");
        assert_eq!(shift_month("2026-03", -12), "2025-03");
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("26-01").is_none());
    }
}

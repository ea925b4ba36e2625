//! The table view of a data version (HTML and Datasette-compatible JSON):
//! server-side sorting, filtering on any field, keyset pagination; and the
//! map view for datasets with coordinates.
//!
//! Query parameters follow Datasette: `field=value` or `field__op=value`
//! (`exact`, `not`, `gt`, `gte`, `lt`, `lte`, `contains`, `startswith`,
//! `in`, `isnull`, `notnull`), `_sort` / `_sort_desc`, `_size` (up to 1000),
//! `_next` (the opaque token of the next page), `_version` (an older data
//! version), `_shape` (`objects`, `arrays`, `array`) and `_extra=count`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde_json::Value as Json;

use crate::error::{AppError, AppResult, Msg};
use crate::opendata::catalogue::Entry;
use crate::opendata::domain::{FieldDef, FieldFormat, Value, coordinate_fields};
use crate::opendata::queries::VersionRow;
use crate::opendata::store::{self, Cursor, Filter, Op, Sort, StoredRow};
use crate::opendata::views::{OdTexts, title};
use crate::texts;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::limits;

texts!(TableTexts {
    table: "Таблица", "Table";
    map: "Карта", "Map";
    filter: "Фильтр", "Filter";
    field: "Поле", "Field";
    op: "Условие", "Condition";
    value: "Значение", "Value";
    apply: "Применить", "Apply";
    active: "Действующие фильтры", "Active filters";
    remove: "убрать", "remove";
    rows_found: "Строк", "Rows";
    next: "Следующие строки", "Next rows";
    first: "В начало", "First rows";
    sort_asc: "сортировать по возрастанию", "sort ascending";
    sort_desc: "сортировать по убыванию", "sort descending";
    version: "Версия", "Version";
    json: "Эта выборка в JSON", "This view as JSON";
    download_selection: "Скачать выборку:", "Download the selection:";
    for_excel: "Для Excel (XLSX)", "For Excel (XLSX)";
    op_exact: "равно", "equals";
    op_not: "не равно", "is not";
    op_contains: "содержит", "contains";
    op_startswith: "начинается с", "starts with";
    op_gt: "больше", "greater than";
    op_gte: "не меньше", "at least";
    op_lt: "меньше", "less than";
    op_lte: "не больше", "at most";
    op_isnull: "пусто", "is empty";
    op_notnull: "не пусто", "is not empty";
    map_needs_js: "Карта рисуется в браузере с помощью JavaScript. Без него данные доступны в таблице.",
                  "The map is drawn in the browser with JavaScript. Without it, the data is available as a table.";
    map_loading: "Загружаются точки…", "Loading points…";
});

pub const DEFAULT_SIZE: usize = 100;
pub const MAX_SIZE: usize = 1000;

/// A parsed table request.
#[derive(Debug, Clone)]
pub struct TableRequest {
    pub filters: Vec<Filter>,
    pub sort: Option<Sort>,
    pub size: usize,
    pub next: Option<Cursor>,
    pub version: Option<String>,
    pub shape: Shape,
    pub count: bool,
    /// The filter and sort parameters as given, for building links.
    pub params: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Objects,
    Arrays,
    Array,
}

fn bad(ru: String, en: String) -> AppError {
    AppError::bad_request("invalid_table_query", Msg::new(ru, en))
}

fn field_index(fields: &[FieldDef], name: &str) -> AppResult<usize> {
    fields
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let list = fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            bad(
                format!("Поля «{name}» нет в наборе. Поля: {list}."),
                format!("There is no field “{name}” in the dataset. Fields: {list}."),
            )
        })
}

fn too_long() -> AppError {
    bad(
        format!(
            "Значение фильтра длиннее {} символов.",
            limits::MAX_FILTER_VALUE_CHARS
        ),
        format!(
            "A filter value is longer than {} characters.",
            limits::MAX_FILTER_VALUE_CHARS
        ),
    )
}

fn parse_value(f: &FieldDef, raw: &str) -> AppResult<Value> {
    f.format.parse_value(raw).map_err(|m| {
        bad(
            format!("Значение фильтра для поля «{}»: {}.", f.name, m.ru),
            format!("Filter value for the field “{}”: {}.", f.name, m.en),
        )
    })
}

impl TableRequest {
    pub fn parse(pairs: &[(String, String)], fields: &[FieldDef]) -> AppResult<TableRequest> {
        let mut r = TableRequest {
            filters: Vec::new(),
            sort: None,
            size: DEFAULT_SIZE,
            next: None,
            version: None,
            shape: Shape::Objects,
            count: false,
            params: Vec::new(),
        };
        for (k, v) in pairs {
            match k.as_str() {
                "_sort" | "_sort_desc" => {
                    if v.is_empty() {
                        continue;
                    }
                    let field = field_index(fields, v)?;
                    r.sort = Some(Sort {
                        field,
                        desc: k == "_sort_desc",
                    });
                    r.params.push((k.clone(), fields[field].name.clone()));
                }
                "_size" => {
                    r.size = if v == "max" {
                        MAX_SIZE
                    } else {
                        match v.parse::<usize>() {
                            Ok(n) if (1..=MAX_SIZE).contains(&n) => n,
                            _ => {
                                return Err(bad(
                                    format!("_size должен быть числом от 1 до {MAX_SIZE} или max."),
                                    format!("_size must be a number from 1 to {MAX_SIZE}, or max."),
                                ));
                            }
                        }
                    };
                }
                "_next" => {
                    if !v.is_empty() {
                        r.next = Some(Cursor::decode(v).ok_or_else(|| {
                            bad(
                                "Ссылка на следующую страницу повреждена: начните с первой.".into(),
                                "The next-page token is damaged: start from the first page.".into(),
                            )
                        })?);
                    }
                }
                "_version" => r.version = Some(v.clone()).filter(|v| !v.is_empty()),
                "_shape" => {
                    r.shape = match v.as_str() {
                        "objects" => Shape::Objects,
                        "arrays" => Shape::Arrays,
                        "array" => Shape::Array,
                        _ => {
                            return Err(bad(
                                "_shape: objects, arrays или array.".into(),
                                "_shape must be objects, arrays or array.".into(),
                            ));
                        }
                    }
                }
                "_extra" => {
                    for extra in v.split(',') {
                        match extra {
                            "count" => r.count = true,
                            "" => {}
                            other => {
                                return Err(bad(
                                    format!("Неизвестный _extra «{other}» (есть: count)."),
                                    format!("Unknown _extra “{other}” (available: count)."),
                                ));
                            }
                        }
                    }
                }
                "_filter_column" | "_filter_op" | "_filter_value" | "_labels" | "_nocount"
                | "_nofacet" => {}
                key if key.starts_with('_') => {
                    return Err(bad(
                        format!("Неизвестный параметр «{key}»."),
                        format!("Unknown parameter “{key}”."),
                    ));
                }
                key => {
                    if r.filters.len() >= limits::MAX_FILTERS {
                        return Err(bad(
                            format!(
                                "Не больше {} условий отбора в одном запросе.",
                                limits::MAX_FILTERS
                            ),
                            format!("At most {} filters in one request.", limits::MAX_FILTERS),
                        ));
                    }
                    let (name, op) = match key.rsplit_once("__") {
                        Some((n, op)) => (n, Op::parse(op).ok_or_else(|| {
                            bad(
                                format!("Неизвестное условие «{op}» (exact, not, gt, gte, lt, lte, contains, startswith, in, isnull, notnull)."),
                                format!("Unknown condition “{op}” (exact, not, gt, gte, lt, lte, contains, startswith, in, isnull, notnull)."),
                            )
                        })?),
                        None => (key, Op::Eq),
                    };
                    let field = field_index(fields, name)?;
                    let f = &fields[field];
                    let values = match op {
                        Op::IsNull | Op::NotNull => Vec::new(),
                        Op::In => {
                            let items: Vec<String> = if v.trim_start().starts_with('[') {
                                serde_json::from_str::<Vec<Json>>(v)
                                    .map_err(|_| {
                                        bad(
                                            "Список для __in не читается как JSON.".into(),
                                            "The list for __in is not valid JSON.".into(),
                                        )
                                    })?
                                    .into_iter()
                                    .map(|j| {
                                        j.as_str()
                                            .map(str::to_owned)
                                            .unwrap_or_else(|| j.to_string())
                                    })
                                    .collect()
                            } else {
                                v.split(',').map(str::to_owned).collect()
                            };
                            if items.len() > limits::MAX_IN_VALUES {
                                return Err(bad(
                                    format!(
                                        "В списке __in не больше {} значений.",
                                        limits::MAX_IN_VALUES
                                    ),
                                    format!(
                                        "An __in list holds at most {} values.",
                                        limits::MAX_IN_VALUES
                                    ),
                                ));
                            }
                            if items
                                .iter()
                                .any(|i| i.chars().count() > limits::MAX_FILTER_VALUE_CHARS)
                            {
                                return Err(too_long());
                            }
                            items
                                .iter()
                                .map(|i| parse_value(f, i))
                                .collect::<AppResult<_>>()?
                        }
                        Op::Contains | Op::StartsWith => {
                            if !matches!(f.format, FieldFormat::String { .. }) {
                                return Err(bad(
                                    format!(
                                        "Условия contains и startswith применимы только к текстовым полям, а «{}» — {}.",
                                        f.name,
                                        f.format.name()
                                    ),
                                    format!(
                                        "contains and startswith apply to text fields only; “{}” is {}.",
                                        f.name,
                                        f.format.name()
                                    ),
                                ));
                            }
                            if v.chars().count() > limits::MAX_FILTER_VALUE_CHARS {
                                return Err(too_long());
                            }
                            vec![Value::Text(v.clone())]
                        }
                        _ => {
                            if v.chars().count() > limits::MAX_FILTER_VALUE_CHARS {
                                return Err(too_long());
                            }
                            vec![parse_value(f, v)?]
                        }
                    };
                    r.filters.push(Filter { field, op, values });
                    r.params.push((
                        format!(
                            "{}{}",
                            f.name,
                            if op == Op::Eq {
                                String::new()
                            } else {
                                format!("__{}", op.suffix())
                            }
                        ),
                        v.clone(),
                    ));
                }
            }
        }
        // The filter form of the HTML view sends three fields.
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        if let (Some(col), Some(op)) = (get("_filter_column"), get("_filter_op"))
            && !col.is_empty()
        {
            let value = get("_filter_value").unwrap_or_default();
            let key = if op == "exact" {
                col
            } else {
                format!("{col}__{op}")
            };
            let more = TableRequest::parse(&[(key, value)], fields)?;
            r.filters.extend(more.filters);
            r.params.extend(more.params);
        }
        Ok(r)
    }

    fn query_string(&self, extra: &[(&str, String)]) -> String {
        let mut pairs: Vec<(String, String)> = self.params.clone();
        if let Some(v) = &self.version {
            pairs.push(("_version".into(), v.clone()));
        }
        if self.size != DEFAULT_SIZE {
            pairs.push(("_size".into(), self.size.to_string()));
        }
        for (k, v) in extra {
            pairs.push(((*k).to_owned(), v.clone()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// Rows for a request: one page and the next page's cursor.
pub async fn fetch(
    db: &crate::db::Db,
    version: &VersionRow,
    fields: &[FieldDef],
    req: &TableRequest,
) -> AppResult<(Vec<StoredRow>, Option<Cursor>, Option<i64>)> {
    let (rows, next) = store::page(
        db,
        version.version_id,
        fields,
        &req.filters,
        req.sort,
        req.next.as_ref(),
        req.size,
    )
    .await?;
    let count = if req.count {
        Some(if req.filters.is_empty() {
            version.row_count
        } else {
            store::count(db, version.version_id, fields, &req.filters).await?
        })
    } else {
        None
    };
    Ok((rows, next, count))
}

/// `GET /opendata/{id}/table.json`
pub fn json_response(
    path: &str,
    fields: &[FieldDef],
    req: &TableRequest,
    rows: &[StoredRow],
    next: Option<Cursor>,
    count: Option<i64>,
) -> Response {
    let next_token = next.map(|c| c.encode());
    let next_url = next_token
        .as_ref()
        .map(|t| format!("{path}?{}", req.query_string(&[("_next", t.clone())])));
    // Written straight into the body: a page of 1,000 rows as JSON values
    // first would cost more than the query.
    let mut out: Vec<u8> = Vec::with_capacity(64 + rows.len() * (24 + 32 * fields.len()));
    let names: Vec<Vec<u8>> = fields
        .iter()
        .map(|f| serde_json::to_vec(&f.name).unwrap_or_default())
        .collect();
    if req.shape != Shape::Array {
        out.extend_from_slice(b"{\"ok\":true,\"next\":");
        let _ = serde_json::to_writer(&mut out, &next_token);
        out.extend_from_slice(b",\"next_url\":");
        let _ = serde_json::to_writer(&mut out, &next_url);
        if req.shape == Shape::Arrays {
            out.extend_from_slice(b",\"columns\":[\"_row\"");
            for n in &names {
                out.push(b',');
                out.extend_from_slice(n);
            }
            out.push(b']');
        }
        if let Some(c) = count {
            out.extend_from_slice(format!(",\"count\":{c}").as_bytes());
        }
        out.extend_from_slice(b",\"truncated\":false,\"rows\":");
    }
    out.push(b'[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match req.shape {
            Shape::Arrays => {
                out.extend_from_slice(format!("[{}", r.row).as_bytes());
                for v in &r.values {
                    out.push(b',');
                    v.write_json(&mut out);
                }
                out.push(b']');
            }
            _ => {
                out.extend_from_slice(format!("{{\"_row\":{}", r.row).as_bytes());
                for (n, v) in names.iter().zip(&r.values) {
                    out.push(b',');
                    out.extend_from_slice(n);
                    out.push(b':');
                    v.write_json(&mut out);
                }
                out.push(b'}');
            }
        }
    }
    out.push(b']');
    if req.shape != Shape::Array {
        out.push(b'}');
    }
    let mut response = (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        out,
    )
        .into_response();
    if let Some(url) = next_url
        && let Ok(v) = format!("<{url}>; rel=\"next\"").parse()
    {
        response.headers_mut().insert(axum::http::header::LINK, v);
    }
    response
}

fn op_label(l: Locale, op: Op) -> &'static str {
    let t = TableTexts::get(l);
    match op {
        Op::Eq => t.op_exact,
        Op::Ne => t.op_not,
        Op::Contains => t.op_contains,
        Op::StartsWith => t.op_startswith,
        Op::Gt => t.op_gt,
        Op::Gte => t.op_gte,
        Op::Lt => t.op_lt,
        Op::Lte => t.op_lte,
        Op::IsNull => t.op_isnull,
        Op::NotNull => t.op_notnull,
        Op::In => "in",
    }
}

/// `GET /opendata/{id}/table`
#[expect(
    clippy::too_many_arguments,
    reason = "a view of one page with its parts"
)]
pub fn html_page(
    ctx: &PageCtx,
    e: &Entry,
    version: &VersionRow,
    fields: &[FieldDef],
    req: &TableRequest,
    rows: &[StoredRow],
    next: Option<Cursor>,
    count: i64,
) -> Response {
    let t = TableTexts::get(ctx.locale);
    let ot = OdTexts::get(ctx.locale);
    let l = ctx.locale;
    let id = &e.dataset.identifier;
    let base = format!("/opendata/{id}/table");
    let sorted = req.sort.map(|s| (s.field, s.desc));
    let ops = [
        Op::Eq,
        Op::Ne,
        Op::Contains,
        Op::StartsWith,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::IsNull,
        Op::NotNull,
    ];
    // The link that removes the i-th filter and keeps everything else.
    let without = |i: usize| {
        let mut r = req.clone();
        let mut n = 0;
        r.params.retain(|(k, _)| {
            if k.starts_with('_') {
                return true;
            }
            n += 1;
            n - 1 != i
        });
        format!("{base}?{}", r.query_string(&[]))
    };
    let sort_href = |field: usize| {
        let mut r = req.clone();
        r.params.retain(|(k, _)| k != "_sort" && k != "_sort_desc");
        let desc = sorted == Some((field, false));
        let key = if desc { "_sort_desc" } else { "_sort" };
        format!(
            "{base}?{}",
            r.query_string(&[(key, fields[field].name.clone())])
        )
    };
    let filter_params: Vec<&(String, String)> = req
        .params
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .collect();
    let status = StatusCode::OK;
    Page::new(ctx, format!("{} — {}", title(l, e), t.table))
        .crumb(ot.title, "/opendata")
        .crumb(title(l, e).to_owned(), format!("/opendata/{id}"))
        .status(status)
        .render(html! {
            h1 { (title(l, e)) }
            p.muted {
                (t.version) " " (version.stamp) " · " (t.rows_found) ": " strong { (count) }
                @if e.has_coordinates() { " · " a href={ "/opendata/" (id) "/map?" (req.query_string(&[])) } { (t.map) } }
                " · " a href={ "/opendata/" (id) "/table.json?" (req.query_string(&[])) } { (t.json) }
                @if count <= SELECTION_MAX_ROWS {
                    " · " (t.download_selection) " "
                    a href={ "/opendata/" (id) "/table.csv?" (req.query_string(&[])) } { "CSV" } ", "
                    a href={ "/opendata/" (id) "/table.xlsx?" (req.query_string(&[])) } { (t.for_excel) }
                }
            }
            form.filter-form method="get" action=(base) {
                @for (k, v) in &req.params { input type="hidden" name=(k) value=(v); }
                @if let Some(v) = &req.version { input type="hidden" name="_version" value=(v); }
                fieldset {
                    legend { (t.filter) }
                    div.filter-row {
                        div.field {
                            label for="f-col" { (t.field) }
                            select #f-col name="_filter_column" {
                                @for f in fields { option value=(f.name) { (f.label(l)) " (" (f.name) ")" } }
                            }
                        }
                        div.field {
                            label for="f-op" { (t.op) }
                            select #f-op name="_filter_op" {
                                @for op in ops { option value=(op.suffix()) { (op_label(l, op)) } }
                            }
                        }
                        div.field {
                            label for="f-val" { (t.value) }
                            input #f-val type="text" name="_filter_value";
                        }
                        button.button type="submit" { (t.apply) }
                    }
                }
            }
            @if !filter_params.is_empty() {
                div.active-filters {
                    h2.visually-hidden { (t.active) }
                    ul {
                        @for (i, (k, v)) in filter_params.iter().enumerate() {
                            li {
                                code { (k) } " = " code { (v) } " "
                                a href=(without(i)) { "(" (t.remove) ")" }
                            }
                        }
                    }
                }
            }
            div.table-wrap tabindex="0" role="region" aria-label=(t.table) {
                table.data {
                    thead {
                        tr {
                            th scope="col" { "#" }
                            @for (i, f) in fields.iter().enumerate() {
                                @let state = match sorted { Some((s, false)) if s == i => Some("ascending"), Some((s, true)) if s == i => Some("descending"), _ => None };
                                th scope="col" aria-sort=[state] {
                                    a href=(sort_href(i)) title=(if sorted == Some((i, false)) { t.sort_desc } else { t.sort_asc }) {
                                        (f.label(l))
                                        @match state { Some("ascending") => " ▲", Some("descending") => " ▼", _ => "" }
                                    }
                                    br; small.muted { (f.name) }
                                }
                            }
                        }
                    }
                    tbody {
                        @for r in rows {
                            tr {
                                td.num { (r.row) }
                                @for v in &r.values {
                                    @let text = v.to_text();
                                    td class=[matches!(v, Value::Int(_) | Value::Float(_)).then_some("num")] { (text) }
                                }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="pagination" {
                @if req.next.is_some() { a href={ (base) "?" (req.query_string(&[])) } { "« " (t.first) } }
                @if let Some(c) = next { a rel="next" href={ (base) "?" (req.query_string(&[("_next", c.encode())])) } { (t.next) " →" } }
            }
        })
}

/// `GET /opendata/{id}/map`
pub fn map_page(
    ctx: &PageCtx,
    e: &Entry,
    fields: &[FieldDef],
    req: &TableRequest,
) -> AppResult<Response> {
    let t = TableTexts::get(ctx.locale);
    let ot = OdTexts::get(ctx.locale);
    let l = ctx.locale;
    let Some((lat, lon)) = coordinate_fields(fields) else {
        return Err(AppError::not_found());
    };
    let id = &e.dataset.identifier;
    let mut r = req.clone();
    r.size = MAX_SIZE;
    let source = format!("/opendata/{id}/table.json?{}", r.query_string(&[]));
    Ok(Page::new(ctx, format!("{} — {}", title(l, e), t.map))
        .crumb(ot.title, "/opendata")
        .crumb(title(l, e).to_owned(), format!("/opendata/{id}"))
        .with_cluster_map("js/datamap.js")
        .render(html! {
            h1 { (title(l, e)) }
            p { a href={ "/opendata/" (id) "/table?" (req.query_string(&[])) } { (t.table) } }
            figure.map-figure {
                div.map.map-wide #datamap role="region" aria-label=(t.map)
                    data-tiles=(ctx.tile_url)
                    data-source=(source)
                    data-lat=(fields[lat].name) data-lon=(fields[lon].name)
                    data-title=(fields.iter().find(|f| matches!(f.format, FieldFormat::String { .. })).map(|f| f.name.as_str()).unwrap_or("")) {
                    p.map-note { (t.map_needs_js) }
                }
                figcaption.muted #datamap-status aria-live="polite" { (t.map_loading) }
            }
        }))
}

/// Rows a selection download holds at most: the workbook is built in memory.
/// More than this, and the whole dataset's CSV is the way.
pub const SELECTION_MAX_ROWS: i64 = 100_000;

/// `GET /opendata/{id}/table.csv` and `table.xlsx`: the rows a table view
/// selects (its filters and sort), every page of them, to open in a
/// spreadsheet: CSV with a byte-order mark (Russian Excel reads it as
/// UTF-8), or XLSX with text as text, so codes keep their leading zeros.
/// Saved under the dataset's title.
pub async fn selection(
    db: &crate::db::Db,
    e: &Entry,
    version: &VersionRow,
    fields: &[FieldDef],
    req: &TableRequest,
    xlsx: bool,
) -> AppResult<Response> {
    let count = if req.filters.is_empty() {
        version.row_count
    } else {
        store::count(db, version.version_id, fields, &req.filters).await?
    };
    if count > SELECTION_MAX_ROWS {
        return Err(bad(
            format!(
                "Выборка слишком велика для таблицы ({count} строк, можно до {SELECTION_MAX_ROWS}): сузьте фильтр или скачайте весь набор в CSV."
            ),
            format!(
                "The selection is too large for a spreadsheet ({count} rows, up to {SELECTION_MAX_ROWS}): narrow the filter or download the whole dataset as CSV."
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let (page, next) = store::page(
            db,
            version.version_id,
            fields,
            &req.filters,
            req.sort,
            after.as_ref(),
            MAX_SIZE,
        )
        .await?;
        rows.extend(page);
        match next {
            Some(c) if (rows.len() as i64) < SELECTION_MAX_ROWS => after = Some(c),
            _ => break,
        }
    }
    use crate::web::tables::{Cell, Table};
    let table = Table {
        name: e.dataset.identifier.clone(),
        headers: fields.iter().map(|f| f.name.clone()).collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                r.values
                    .into_iter()
                    .map(|v| match v {
                        Value::Null => Cell::Text(String::new()),
                        Value::Text(s) | Value::Date(s) => Cell::Text(s),
                        Value::Int(n) => Cell::Int(n),
                        Value::Float(x) => Cell::Float(x),
                        Value::Bool(b) => Cell::Text(b.to_string()),
                    })
                    .collect()
            })
            .collect(),
    };
    let ext = if xlsx { "xlsx" } else { "csv" };
    // Building a workbook is CPU work: off the async threads.
    let bytes = tokio::task::spawn_blocking(move || {
        if xlsx {
            table.xlsx_bytes()
        } else {
            table.csv_bytes(true)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(if xlsx {
            crate::web::tables::XLSX
        } else {
            "text/csv; charset=utf-8"
        }),
    );
    let readable = crate::opendata::machine::readable_name(
        &format!("{} — выборка", e.dataset.title.trim()),
        &version.stamp,
        ext,
    );
    h.insert(
        axum::http::header::CONTENT_DISPOSITION,
        crate::web::tables::content_disposition(
            "attachment",
            &format!("{}-selection.{ext}", e.dataset.identifier),
            &readable,
        ),
    );
    Ok(r)
}

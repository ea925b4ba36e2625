//! This feature's part of `/api/openapi.json`: publishing versions
//! (`publish.rs`, annotated there), the Datasette-style `table.json` of a
//! dataset (`table.rs`) and the CKAN actions (`ckan.rs`).
//!
//! `table.json` and the CKAN actions read their parameters from the raw
//! query or body (CKAN accepts a JSON body, a form, or the query), so their
//! descriptions sit on empty stubs here. The CKAN router takes any action
//! name at `/api/3/action/{action}` (and `/api/action/{action}`); the
//! document lists each action as its own path so each gets its parameters.
//! Every action answers POST as it answers GET (parameters from the query
//! when the body is empty, as CKAN does); `datastore_search` is described
//! over POST with its JSON body, the way ckanapi sends it.
//! The numbers are the code's limits; the tests below hold them to the
//! constants.

#![allow(dead_code)] // the types below exist only for their schemas

use serde::Serialize;
use utoipa::{IntoParams, IntoResponses, OpenApi, ToSchema};

use crate::web::api_docs::{ApiErrorBody, integer, or_blank};
use crate::web::limits;
use utoipa::openapi::Schema;
use utoipa::openapi::schema::{ObjectBuilder, Type};

// CKAN's parameters: a blank value is the default. The bounds are the
// code's (ckan.rs).

fn natural() -> Schema {
    or_blank(integer(0, None))
}

fn rows() -> Schema {
    or_blank(integer(0, Some(1000)))
}

fn datastore_limit() -> Schema {
    or_blank(integer(0, Some(32000)))
}

fn datastore_offset() -> Schema {
    or_blank(integer(0, Some(limits::MAX_OFFSET)))
}

fn any_integer() -> Schema {
    or_blank(ObjectBuilder::new().schema_type(Type::Integer))
}

/// CKAN's booleans (case-insensitive); blank is false.
fn boolean() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([
            "true", "false", "1", "0", "yes", "no", "on", "off", "",
        ]))
        .build()
        .into()
}

/// A CKAN action's stub: answered over GET and POST alike, under the
/// `ckan` tag, with CKAN's envelope; its path is its name under
/// `/api/3/action/`, and `params(…)` are its parameters, if any.
macro_rules! ckan_action {
    ($(#[doc = $doc:literal])* $name:ident $(, $($params:tt)+)?) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            method(get, post),
            path = concat!("/api/3/action/", stringify!($name)),
            tag = "ckan",
            $($($params)+ ,)?
            responses(CkanAnswers)
        )]
        fn $name() {}
    };
}

#[derive(OpenApi)]
#[openapi(
    paths(
        crate::opendata::publish::api_publish,
        table_json,
        status_show,
        package_list,
        current_package_list_with_resources,
        package_show,
        package_search,
        resource_show,
        organization_list,
        organization_show,
        group_list,
        tag_list,
        license_list,
        datastore_search,
        datastore_search_post,
        help_show,
    ),
    components(schemas(CkanSuccess, CkanFailure, TableJson, TableAnswer)),
    tags(
        (name = "opendata", description = "The open data portal (docs/OPENDATA.md): tables of datasets and publishing"),
        (name = "ckan", description = "A CKAN-compatible read API (CKAN 2.10 Action API). \
            Every action is also at `/api/action/{action}`, over GET or POST (JSON, form or query). \
            Errors use CKAN's envelope `{help, success: false, error: {__type, message}}`; \
            a malformed request body or an unknown action gets a bare JSON string with 400."),
    )
)]
struct OpendataApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    OpendataApi::openapi()
}

// ---- table.json -------------------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct TableParams {
    /// Rows per page: 1 to 1000, or `max` (1000). Default 100.
    #[param(
        rename = "_size",
        pattern = "^([1-9][0-9]{0,2}|1000|max)$",
        example = "10"
    )]
    size: Option<String>,
    /// Sort ascending by a column (one key)
    #[param(rename = "_sort")]
    sort: Option<String>,
    /// Sort descending by a column (one key)
    #[param(rename = "_sort_desc")]
    sort_desc: Option<String>,
    /// The keyset token of the next page (`next` of the previous answer)
    #[param(rename = "_next")]
    next: Option<String>,
    /// A data version's stamp (default: the current version)
    #[param(rename = "_version")]
    version: Option<String>,
    /// `objects` (default), `arrays` or `array`
    #[param(rename = "_shape", inline)]
    shape: Option<Shape>,
    /// `count`: include the number of matching rows
    #[param(rename = "_extra", pattern = "^(count)?$")]
    extra: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
enum Shape {
    Objects,
    Arrays,
    Array,
}

/// A page of a table (`_shape=array`: the rows alone).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum TableAnswer {
    Page(TableJson),
    Rows(Vec<serde_json::Value>),
}

/// A page of a table.
#[derive(Serialize, ToSchema)]
struct TableJson {
    ok: bool,
    /// Token of the next page, null on the last
    next: Option<String>,
    next_url: Option<String>,
    /// With `_shape=arrays`
    columns: Option<Vec<String>>,
    /// With `_extra=count`
    count: Option<i64>,
    truncated: bool,
    /// Objects or arrays, as `_shape` asks
    rows: Vec<serde_json::Value>,
}

/// A page of a dataset's current (or `_version`) data, Datasette-style.
///
/// Filters are `column=value` or `column__op=value` with `op` one of
/// `exact`, `not`, `gt`, `gte`, `lt`, `lte`, `contains`, `startswith`,
/// `isnull`, `notnull`, `in` (a JSON list or comma-separated, at most 100
/// values). At most 20 filters; a value is at most 500 characters. Unknown
/// `_` keys, unknown columns and values that do not fit the column are 400.
#[utoipa::path(
    get,
    path = "/opendata/{identifier}/table.json",
    tag = "opendata",
    params(("identifier" = String, Path, description = "Dataset identifier", example = "2312823003-towns"), TableParams),
    responses(
        (status = 200, description = "A page of rows", body = TableAnswer),
        (status = 400, description = "`invalid_table_query`: a parameter, filter or value the table cannot take", body = ApiErrorBody),
        (status = 404, description = "No such dataset or version", body = ApiErrorBody),
        (status = 503, description = "Too many text scans of large tables at once; retry after `Retry-After` seconds", body = ApiErrorBody),
    )
)]
fn table_json() {}

// ---- CKAN -------------------------------------------------------------------

/// `{help, success: true, result}`
#[derive(Serialize, ToSchema)]
struct CkanSuccess {
    help: String,
    success: bool,
    result: serde_json::Value,
}

/// `{help, success: false, error: {__type, message | field: [messages]}}`
#[derive(Serialize, ToSchema)]
struct CkanFailure {
    help: String,
    success: bool,
    error: serde_json::Value,
}

/// The answers every action may give.
#[derive(IntoResponses)]
enum CkanAnswers {
    /// The result in CKAN's envelope
    #[response(status = 200)]
    Ok(CkanSuccess),
    /// `Search Query Error` in the envelope (package_search), or, as CKAN
    /// does, a bare JSON string when the body is not a JSON object
    #[response(status = 400)]
    BadRequest(serde_json::Value),
    /// `Not Found Error`
    #[response(status = 404)]
    NotFound(CkanFailure),
    /// `Validation Error`: the offending parameter with its messages
    #[response(status = 409)]
    Validation(CkanFailure),
    /// The request body is over 1 MB
    #[response(status = 413)]
    TooLarge(ApiErrorBody),
    /// `Service Unavailable`: too many heavy queries at once; see `Retry-After`
    #[response(status = 503)]
    Busy(CkanFailure),
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct Paging {
    #[param(schema_with = natural)]
    limit: Option<i64>,
    #[param(schema_with = natural)]
    offset: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct AllFields {
    /// Objects instead of names
    #[param(schema_with = boolean)]
    all_fields: Option<bool>,
}

ckan_action!(
    /// The site and the CKAN version it imitates.
    status_show
);

ckan_action!(
    /// Names of every package (dataset), sorted.
    package_list, params(Paging)
);

ckan_action!(
    /// Packages with their resources, most recently changed first.
    current_package_list_with_resources, params(Paging)
);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct IdParam {
    /// The package's name or id
    #[param(example = "2312823003-towns")]
    id: String,
}

ckan_action!(
    /// One package.
    package_show, params(IdParam)
);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Solr-style query (`field:value`, AND/OR/NOT, parentheses); at most
    /// 4000 characters, 400 terms, 24 levels of nesting
    #[param(max_length = 4000)]
    q: Option<String>,
    /// Filter query, same grammar
    #[param(max_length = 4000)]
    fq: Option<String>,
    /// Several filter queries, at most 100
    #[param(max_items = 100)]
    fq_list: Option<Vec<String>>,
    /// Results per page (default 10)
    #[param(schema_with = rows)]
    rows: Option<i64>,
    #[param(schema_with = natural)]
    start: Option<i64>,
    /// e.g. `metadata_modified desc`; at most 3 keys
    sort: Option<String>,
    /// Compute facets (default true)
    #[param(schema_with = boolean)]
    facet: Option<bool>,
    /// Fields to facet on, at most 100
    #[param(rename = "facet.field", max_items = 100)]
    facet_field: Option<Vec<String>>,
    /// Values per facet (negative: all)
    #[param(rename = "facet.limit", schema_with = any_integer)]
    facet_limit: Option<i64>,
    #[param(rename = "facet.mincount", schema_with = any_integer)]
    facet_mincount: Option<i64>,
}

ckan_action!(
    /// Searches packages.
    package_search, params(SearchParams)
);

ckan_action!(
    /// One resource (a published data version).
    resource_show, params(("id" = String, Query, description = "The resource id"))
);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct OrgListParams {
    /// `title` (default), `name` or `package_count`, then `desc` for
    /// descending; another field is a 409
    sort: Option<String>,
    /// Only these organisations (at most 100)
    #[param(max_items = 100)]
    organizations: Option<Vec<String>>,
    #[param(schema_with = boolean)]
    all_fields: Option<bool>,
    /// Default 25 with all_fields, else 1000
    #[param(schema_with = natural)]
    limit: Option<i64>,
    #[param(schema_with = natural)]
    offset: Option<i64>,
}

ckan_action!(
    /// Organisations.
    organization_list, params(OrgListParams)
);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct OrgShowParams {
    /// Organisation id
    #[param(example = "min-digital")]
    id: String,
    /// Add up to 10 of its packages
    #[param(schema_with = boolean)]
    include_datasets: Option<bool>,
}

ckan_action!(
    /// One organisation.
    organization_show, params(OrgShowParams)
);

ckan_action!(
    /// Groups (the topics of datasets).
    group_list, params(AllFields)
);

ckan_action!(
    /// Tags (keywords), optionally those containing `query`.
    tag_list, params(("query" = Option<String>, Query), AllFields)
);

ckan_action!(
    /// The licences datasets use.
    license_list
);

ckan_action!(
    /// Where the documentation is.
    help_show
);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct DatastoreParams {
    /// The resource (`resource_show`); `id` is accepted too
    resource_id: String,
    /// Over GET, a JSON object as text: `{"column": value | [values] |
    /// {"eq"|"lt"|"lte"|"gt"|"gte": value} | null}`; at most 20 filters of
    /// at most 100 values, each at most 500 characters
    filters: Option<String>,
    /// Text searched in every text column, at most 500 characters
    #[param(max_length = 500)]
    q: Option<String>,
    /// Rows (default 100)
    #[param(schema_with = datastore_limit)]
    limit: Option<i64>,
    #[param(schema_with = datastore_offset)]
    offset: Option<i64>,
    /// `column [asc|desc]`, comma-separated, at most 3 keys
    sort: Option<String>,
    /// Columns to return, at most 100
    #[param(max_items = 100)]
    fields: Option<Vec<String>>,
    /// Count the matching rows (default true)
    #[param(schema_with = boolean)]
    include_total: Option<bool>,
    #[param(inline)]
    records_format: Option<RecordsFormat>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
enum RecordsFormat {
    Objects,
    Lists,
    Csv,
    Tsv,
}

/// The rows of a resource, filtered, sorted and paged.
#[utoipa::path(
    get,
    path = "/api/3/action/datastore_search",
    tag = "ckan",
    params(DatastoreParams),
    responses(CkanAnswers)
)]
fn datastore_search() {}

/// The body of `datastore_search` over POST: the same parameters as JSON,
/// `filters` and `q` as objects.
#[derive(ToSchema)]
struct DatastoreBody {
    resource_id: String,
    /// `{"column": value | [values] | {"eq"|"lt"|"lte"|"gt"|"gte": value} | null}`
    filters: Option<std::collections::HashMap<String, serde_json::Value>>,
    q: Option<serde_json::Value>,
    #[schema(minimum = 0, maximum = 32000)]
    limit: Option<i64>,
    #[schema(minimum = 0, maximum = 100000)]
    offset: Option<i64>,
    sort: Option<String>,
    #[schema(max_items = 100)]
    fields: Option<Vec<String>>,
    include_total: Option<bool>,
    #[schema(inline)]
    records_format: Option<RecordsFormat>,
}

/// `datastore_search` with a JSON body (as ckanapi sends it).
#[utoipa::path(
    post,
    path = "/api/3/action/datastore_search",
    tag = "ckan",
    request_body(content = inline(DatastoreBody), content_type = "application/json"),
    responses(CkanAnswers)
)]
fn datastore_search_post() {}

#[cfg(test)]
mod tests {
    use crate::web::api_docs::param_schema;
    use crate::web::limits;

    /// The literals above (utoipa takes only literals) are the code's limits.
    #[test]
    fn the_documented_limits_are_the_codes() {
        let doc = super::fragment();
        let ds = "/api/3/action/datastore_search";
        assert_eq!(
            param_schema(&doc, ds, "get", "q")["maxLength"],
            limits::MAX_FILTER_VALUE_CHARS
        );
        assert_eq!(
            param_schema(&doc, ds, "get", "fields")["maxItems"],
            limits::MAX_IN_VALUES
        );
        let search = "/api/3/action/package_search";
        assert_eq!(
            param_schema(&doc, search, "get", "q")["maxLength"],
            crate::opendata::query::MAX_QUERY_CHARS
        );
        assert_eq!(
            param_schema(&doc, search, "get", "fq_list")["maxItems"],
            limits::MAX_IN_VALUES
        );
        let size = param_schema(&doc, "/opendata/{identifier}/table.json", "get", "_size");
        assert!(
            size["pattern"]
                .as_str()
                .unwrap()
                .contains(&format!("|{}|", crate::opendata::table::MAX_SIZE)),
            "{size}"
        );
    }
}

//! Business intelligence (docs/BI.md): the reporting schema, the analysts'
//! contract. Features describe their read-only relations (`mart_*`) as
//! [`MartDef`]s and plug them in through [`Marts`] in `features.rs`; this
//! service installs them as views on both backends, documents every column
//! (the dictionary page and docs/BI.md come from the same definitions, so
//! they cannot drift), answers the explorer's questions from a whitelist of
//! dimensions and measures, and scopes every answer to the viewer's
//! portfolio in the query itself. It names no feature.
//!
//! - `sql.rs`: the dialect helpers the marts' SQL is written with;
//! - `install.rs`: the views, their comments, the schema version and the
//!   read-only role;
//! - `scope.rs`: whose rows a person may read;
//! - `query.rs`: a question parsed once under limits, its SQL and answer;
//! - `dictionary.rs`: `/bi/schema` and the generated part of docs/BI.md;
//! - `superset.rs`: Superset's embedded dashboards, their guest tokens and
//!   dataset files.
//! - `explorer/`: the staff's explorer, saved explorations, their mail;
//! - `demo.rs`: the demo officer's saved explorations.

pub mod demo;
pub mod dictionary;
pub mod explorer;
pub mod install;
pub mod query;
pub mod scope;
pub mod sql;
pub mod superset;

use std::sync::Arc;

use crate::auth::CurrentUser;
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

/// The version of the reporting schema. A change that removes or renames
/// a column (or changes its meaning) is a new version; the relations of the
/// previous one are kept for one release under `<name>_v<old>`.
pub const SCHEMA_VERSION: i64 = 1;

/// What a column holds. Dates are Moscow dates as text (`YYYY-MM-DD`) and
/// months `YYYY-MM`, the same on both backends, so an analyst's query and
/// the explorer read them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    Integer,
    Real,
    Date,
    Month,
    /// 0 or 1.
    Flag,
}

impl Type {
    pub fn sql_name(self) -> &'static str {
        match self {
            Type::Text => "text",
            Type::Integer => "integer",
            Type::Real => "real",
            Type::Date => "date (text YYYY-MM-DD)",
            Type::Month => "month (text YYYY-MM)",
            Type::Flag => "flag (integer 0/1)",
        }
    }
}

/// How the explorer may use a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Rows, columns and filters group by it.
    Dimension,
    /// Summed, averaged, its median taken.
    Measure,
    /// Only read (a record's key, a grid cell).
    Attribute,
}

/// One column of a relation, documented.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: Type,
    pub usage: Use,
    /// Its short name in the explorer.
    pub label: Label,
    /// What it means: the column's comment in PostgreSQL, the dictionary.
    pub about: Label,
    /// The names of a dimension's values: a query of `id, name_ru,
    /// name_en` (the directory's organisations, the municipalities, …).
    pub names: Option<&'static str>,
}

impl Column {
    pub const fn dimension(name: &'static str, ty: Type, label: Label, about: Label) -> Column {
        Column {
            name,
            ty,
            usage: Use::Dimension,
            label,
            about,
            names: None,
        }
    }

    pub const fn measure(name: &'static str, ty: Type, label: Label, about: Label) -> Column {
        Column {
            name,
            ty,
            usage: Use::Measure,
            label,
            about,
            names: None,
        }
    }

    pub const fn attribute(name: &'static str, ty: Type, label: Label, about: Label) -> Column {
        Column {
            name,
            ty,
            usage: Use::Attribute,
            label,
            about,
            names: None,
        }
    }

    /// A dimension whose values are named by `names`.
    pub const fn named(self, names: &'static str) -> Column {
        Column {
            names: Some(names),
            ..self
        }
    }
}

/// The names of the directory's organisations, municipalities and
/// categories, for dimensions that hold their ids.
pub const ORGANISATION_NAMES: &str =
    "select organisation_id, short_name_ru, short_name_en from organisation";
pub const MUNICIPALITY_NAMES: &str = "select municipality_id, name_ru, name_en from municipality";
pub const CATEGORY_NAMES: &str = "select category_id, name_ru, name_en from category";

/// A place published as the schema's grid cell (`sql::grid`), never the
/// exact point: the same two columns wherever a relation has a place.
pub const LAT_CELL: Column = Column::attribute(
    "lat_cell",
    Type::Real,
    Label::new("Широта (ячейка)", "Latitude (cell)"),
    Label::new(
        "Широта, округлённая до 0,01° (около 1 км): не точное место",
        "Latitude rounded to 0.01° (about 1 km): not the exact place",
    ),
);
pub const LON_CELL: Column = Column::attribute(
    "lon_cell",
    Type::Real,
    Label::new("Долгота (ячейка)", "Longitude (cell)"),
    Label::new(
        "Долгота, округлённая до 0,01°",
        "Longitude rounded to 0.01°",
    ),
);

/// One relation of the reporting schema.
#[derive(Debug)]
pub struct MartDef {
    /// `mart_…`.
    pub name: &'static str,
    pub title: Label,
    pub about: Label,
    pub columns: &'static [Column],
    /// The date column a period filters on and months are taken from.
    pub period: &'static str,
    /// Whether rows carry `portfolio_id` and `organisation_id` and are
    /// read within the viewer's scope. Relations of public figures (open
    /// datasets, participation) are not scoped.
    pub scoped: bool,
    /// The column that holds a record's key, for drill-down.
    pub record: Option<&'static str>,
    /// The 0/1 column whose mean is "on time" (SLA met, done by deadline).
    pub on_time: Option<&'static str>,
    /// The view's body: a `select` naming exactly `columns`, in order.
    pub select: fn(Backend) -> String,
}

impl MartDef {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A feature's relation: its definition, and who may open which record
/// behind a figure (the drill-down asks, the record's own rule answers).
#[async_trait::async_trait]
pub trait Mart: Send + Sync {
    fn def(&self) -> &'static MartDef;

    /// For each of `keys` (in order), the address of the record's page
    /// when the person may open it by the record's own rule, else `None`.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>>;
}

/// The drill-down's links, key by key: `find` looks a record up and gives
/// its page, or nothing when it is gone or the person may not open it.
pub async fn pages<'a, F, Fut>(keys: &'a [String], find: F) -> AppResult<Vec<Option<String>>>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, crate::error::AppError>>,
{
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        out.push(find(k).await?);
    }
    Ok(out)
}

/// `pages` for records whose page every member of the core reads (an
/// order, a case, an indicator): nothing for anyone outside the core.
pub async fn core_pages<'a, F, Fut>(
    user: &CurrentUser,
    keys: &'a [String],
    find: F,
) -> AppResult<Vec<Option<String>>>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, crate::error::AppError>>,
{
    if !user.works_in_core() {
        return Ok(vec![None; keys.len()]);
    }
    pages(keys, find).await
}

/// Every relation, in the dictionary's order (wired in `features.rs`).
#[derive(Clone)]
pub struct Marts(Arc<Vec<Arc<dyn Mart>>>);

impl Marts {
    pub fn new(marts: Vec<Arc<dyn Mart>>) -> Marts {
        Marts(Arc::new(marts))
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Mart>> {
        self.0.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Mart>> {
        self.0.iter().find(|m| m.def().name == name)
    }
}

/// The explorer's and the dictionary's pages.
pub fn router() -> axum::Router<crate::app::AppState> {
    use axum::routing::{get, post};
    use explorer::saved;
    axum::Router::new()
        .route("/bi/schema", get(dictionary::page))
        .route("/bi/explore", get(explorer::page))
        .route("/bi/explore/records", get(explorer::records))
        .route("/bi/explorations", get(saved::list).post(saved::save))
        .route("/bi/explorations/{id}", get(saved::open))
        .route("/bi/explorations/{id}/share", post(saved::share))
        .route("/bi/explorations/{id}/schedule", post(saved::schedule))
        .route("/bi/explorations/{id}/delete", post(saved::delete))
        .merge(superset::router())
}

//! The kinds of citizens' requests the workflow carries: a registry that
//! features fill. Each feature describes its kind once (a `KindSpec`: where
//! its pages live, how it is answered, when it becomes an order) and
//! `features.rs` installs the list; the workflow reads the description and
//! names no feature.

use std::sync::OnceLock;

use crate::web::i18n::{Label, Locale};

/// When a request of a kind becomes an order in the project-management core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAt {
    /// As soon as it is published: the department must act on it.
    Publication,
    /// When the organisation accepts it into a plan: a suggestion is a
    /// proposal until then, not work to do.
    Plan,
    /// Never: it is answered on the portal.
    Never,
}

/// What a feature declares about its kind of request.
#[derive(Debug)]
pub struct KindSpec {
    /// The stored name (`appeal.kind`), stable across releases.
    pub name: &'static str,
    /// The kind's name for people.
    pub label: Label,
    /// Where the pages of its requests live (`{base}/{id}`).
    pub base: &'static str,
    /// The section a request page sits in: its name and path.
    pub section: (Label, &'static str),
    /// Whether staff answer it with «Решено» on its page; a kind answered
    /// another way (a verification's result, an order executed in the core)
    /// says false, and its page offers no competing way.
    pub resolved_on_page: bool,
    /// How the core's order titles it («Обращение № 12: …»).
    pub order_noun: &'static str,
    pub order_at: OrderAt,
    /// The open dataset that publishes this kind, if one does.
    pub registry: Option<&'static str>,
    /// The kind of its search document, if it has one.
    pub search_kind: Option<&'static str>,
    /// Where the page links its municipality and organisation: a kind with
    /// its own browse pages by place and department names them; the others
    /// link the organisation's card.
    pub municipality_href: Option<&'static str>,
    pub organisation_href: &'static str,
    /// The mail subject and the notification line when a request of this
    /// kind is resolved, for a kind whose resolution is not an answer
    /// (`id`, the resolving note).
    pub resolution: Option<Resolution>,
}

/// Texts of a resolution for a kind that words it its own way.
#[derive(Debug)]
pub struct Resolution {
    pub subject: fn(id: i64, note: &str) -> (String, String),
    pub line: fn(id: i64) -> (String, String),
}

/// A kind of request: a registered description, compared by name.
#[derive(Debug, Clone, Copy)]
pub struct Kind(&'static KindSpec);

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.0.name == other.0.name
    }
}
impl Eq for Kind {}

static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();

/// Installs the kinds features register (`features::request_kinds`), once
/// per process; a second installation must name the same kinds.
pub fn install(kinds: Vec<Kind>) {
    let names = |k: &[Kind]| k.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    let installed = KINDS.get_or_init(|| kinds.clone());
    assert_eq!(
        names(installed),
        names(&kinds),
        "request kinds installed twice differently"
    );
}

impl Kind {
    pub const fn new(spec: &'static KindSpec) -> Kind {
        Kind(spec)
    }

    /// Every registered kind, in the order the staff filters list them.
    pub fn all() -> &'static [Kind] {
        KINDS.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::all().iter().copied().find(|k| k.as_str() == s)
    }

    /// The kind of a stored request. A row of a kind no feature registers
    /// any more is shown as the first registered kind rather than failing
    /// the page it is listed on.
    pub fn of(s: &str) -> Kind {
        Kind::parse(s)
            .or_else(|| Kind::all().first().copied())
            .expect("request kinds are installed before any request is read")
    }

    pub fn spec(self) -> &'static KindSpec {
        self.0
    }

    pub fn label(self, l: Locale) -> &'static str {
        self.0.label.get(l)
    }

    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    pub fn base(self) -> &'static str {
        self.0.base
    }

    pub fn path(self, id: i64) -> String {
        format!("{}/{id}", self.base())
    }

    /// A redirect to the page of request `id`, with `tail` (a query or an
    /// anchor, or nothing) after its path.
    pub fn redirect(self, id: i64, tail: &str) -> axum::response::Response {
        use axum::response::IntoResponse;
        axum::response::Redirect::to(&format!("{}{tail}", self.path(id))).into_response()
    }

    pub fn section(self, l: Locale) -> (&'static str, &'static str) {
        (self.0.section.0.get(l), self.0.section.1)
    }

    pub fn resolved_on_page(self) -> bool {
        self.0.resolved_on_page
    }

    pub fn order_noun(self) -> &'static str {
        self.0.order_noun
    }

    pub fn order_at(self) -> OrderAt {
        self.0.order_at
    }

    pub fn registry(self) -> Option<&'static str> {
        self.0.registry
    }

    pub fn search_kind(self) -> Option<&'static str> {
        self.0.search_kind
    }
}

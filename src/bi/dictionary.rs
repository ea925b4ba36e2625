//! The data dictionary: `/bi/schema` (staff) and the generated part of
//! docs/BI.md (`veche bi dictionary`), both from the definitions, so they
//! cannot drift from the views (a test compares the document with them).

use std::fmt::Write;

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::install::all_defs;
use super::{MartDef, Marts, SCHEMA_VERSION, Use};
use crate::app::AppState;
use crate::auth::Core;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

crate::texts!(pub DictTexts {
    title: "Словарь данных отчётности", "Reporting data dictionary";
    intro: "Набор отношений mart_* только для чтения: договор между veche и аналитическими инструментами. Персональных данных в них нет: ни имён, ни адресов почты, ни точных координат граждан.", "The read-only mart_* relations: veche's contract with analysts' tools. They hold no personal data: no names, e-mail addresses or exact coordinates of citizens.";
    version: "Версия схемы", "Schema version";
    column: "Столбец", "Column";
    ty: "Тип", "Type";
    usage: "Роль", "Use";
    meaning: "Значение", "Meaning";
    dimension: "измерение", "dimension";
    measure: "мера", "measure";
    attribute: "атрибут", "attribute";
    period: "Период по столбцу", "Period by column";
    scoped: "Строки видны в пределах портфеля", "Rows are read within the viewer's portfolio";
    explorer: "Открыть в конструкторе", "Open in the explorer";
    contents: "Отношения", "Relations";
});

fn usage(u: Use, t: &DictTexts) -> &'static str {
    match u {
        Use::Dimension => t.dimension,
        Use::Measure => t.measure,
        Use::Attribute => t.attribute,
    }
}

/// `GET /bi/schema`.
pub async fn page(ctx: PageCtx, _: Core, State(state): State<AppState>) -> Response {
    let l = ctx.locale;
    let t = DictTexts::get(l);
    let defs = all_defs(&state.marts);
    let main = html! {
        h1 { (t.title) }
        p { (t.intro) }
        p { (t.version) ": " strong { (SCHEMA_VERSION) } }
        nav aria-label=(t.contents) {
            ul { @for d in &defs { li { a href={ "#" (d.name) } { code { (d.name) } " — " (d.title.get(l)) } } } }
        }
        @for d in &defs {
            section id=(d.name) {
                h2 { code { (d.name) } " — " (d.title.get(l)) }
                p { (d.about.get(l)) }
                @if !d.period.is_empty() { p { (t.period) ": " code { (d.period) } } }
                @if d.scoped { p { (t.scoped) } }
                @if state.marts.get(d.name).is_some() {
                    p { a href={ "/bi/explore?mart=" (d.name) } { (t.explorer) } }
                }
                div.table-scroll {
                    table {
                        caption.visually-hidden { (d.name) }
                        thead { tr { th scope="col" { (t.column) } th scope="col" { (t.ty) } th scope="col" { (t.usage) } th scope="col" { (t.meaning) } } }
                        tbody {
                            @for c in d.columns {
                                tr {
                                    th scope="row" { code { (c.name) } }
                                    td { (c.ty.sql_name()) }
                                    td { (usage(c.usage, t)) }
                                    td { (c.about.get(l)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Page::new(&ctx, t.title)
        .crumb(t.title, "/bi/schema")
        .render(main)
}

fn relation_md(out: &mut String, d: &MartDef) {
    let t = DictTexts::get(Locale::En);
    let _ = writeln!(out, "### `{}`: {}\n", d.name, d.title.get(Locale::En));
    let _ = writeln!(out, "{}\n", d.about.get(Locale::En));
    let mut notes = Vec::new();
    if !d.period.is_empty() {
        notes.push(format!("Period by `{}`.", d.period));
    }
    if d.scoped {
        notes.push(
            "Scoped: rows are read within the viewer's portfolio (`portfolio_id`, `organisation_id`)."
                .to_owned(),
        );
    }
    if let Some(r) = d.record {
        notes.push(format!("Records (drill-down) by `{r}`."));
    }
    if let Some(o) = d.on_time {
        notes.push(format!("On time by `{o}`."));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "{}\n", notes.join(" "));
    }
    let _ = writeln!(out, "| column | type | use | meaning |\n|---|---|---|---|");
    for c in d.columns {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.name,
            c.ty.sql_name(),
            usage(c.usage, t),
            c.about.get(Locale::En).replace('|', "\\|")
        );
    }
    out.push('\n');
}

/// The dictionary as Markdown, in English.
pub fn markdown(marts: &Marts) -> String {
    let mut out = format!("Schema version {SCHEMA_VERSION}.\n\n");
    for d in all_defs(marts) {
        relation_md(&mut out, d);
    }
    out
}

#[cfg(test)]
mod tests {
    /// docs/BI.md carries the dictionary between two markers; it must be
    /// what the definitions say (`veche bi dictionary` prints it).
    #[test]
    fn the_document_matches_the_definitions() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/BI.md");
        let doc = std::fs::read_to_string(path).expect("docs/BI.md exists");
        let start = "<!-- dictionary:start -->\n";
        let end = "<!-- dictionary:end -->";
        let from = doc.find(start).expect("the start marker") + start.len();
        let to = doc.find(end).expect("the end marker");
        let want = super::markdown(&crate::features::bi_marts());
        assert!(
            doc[from..to] == want,
            "docs/BI.md's dictionary is out of date: run `cargo run -- bi dictionary` and paste it between the markers"
        );
    }
}

//! `GET /search`: one search box over everything veche publishes.

use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use crate::error::AppResult;
use crate::search::SearchIndex;
use crate::texts;
use crate::web::extract::Query;
use crate::web::i18n::{Locale, plural_ru};
use crate::web::layout::{Page, PageCtx};

texts!(SearchTexts {
    title: "Поиск", "Search";
    label: "Что вы ищете?", "What are you looking for?";
    button: "Найти", "Search";
    nothing: "Ничего не найдено. Попробуйте другие слова.", "Nothing found. Try other words.";
    hint: "Ищем по органам власти, муниципалитетам и, по мере их появления, по наборам данных, обращениям и объектам строительства.",
          "Searches authorities, municipalities and, as they appear, datasets, reports and construction objects.";
    kind_organisation: "Организация", "Organisation";
    kind_municipality: "Муниципалитет", "Municipality";
});

const PAGE: usize = 20;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<usize>,
}

fn kind_label(locale: Locale, kind: &str) -> &'static str {
    let t = SearchTexts::get(locale);
    match kind {
        "organisation" => t.kind_organisation,
        "municipality" => t.kind_municipality,
        _ => "",
    }
}

pub async fn search_page(
    ctx: PageCtx,
    State(search): State<SearchIndex>,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let t = SearchTexts::get(ctx.locale);
    let q = query.q.trim().chars().take(200).collect::<String>();
    let page = query.page.unwrap_or(1).clamp(1, 50);
    let (total, hits) = if q.is_empty() {
        (0, Vec::new())
    } else {
        search.search(&q, None, PAGE, (page - 1) * PAGE).await?
    };
    let found = match ctx.locale {
        Locale::Ru => format!(
            "Найдено: {total} {}",
            plural_ru(total as i64, "результат", "результата", "результатов")
        ),
        Locale::En => format!("{total} result{}", if total == 1 { "" } else { "s" }),
    };
    Ok(Page::new(&ctx, t.title).render(html! {
        h1 { (t.title) }
        form.search-form role="search" method="get" action="/search" {
            label for="q" { (t.label) }
            div.search-row {
                input #q type="search" name="q" value=(q) autocomplete="off";
                button.button type="submit" { (t.button) }
            }
            p.hint { (t.hint) }
        }
        @if !q.is_empty() {
            p aria-live="polite" { (found) }
            @if hits.is_empty() {
                p { (t.nothing) }
            } @else {
                ol.results start=((page - 1) * PAGE + 1) {
                    @for h in &hits {
                        li {
                            a href=(h.url) { (ctx.locale.pick(&h.title_ru, &h.title_en)) }
                            " " span.badge { (kind_label(ctx.locale, &h.kind)) }
                        }
                    }
                }
                @if total > page * PAGE {
                    p { a href={ "/search?q=" (url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()) "&page=" (page + 1) } rel="next" { "→" } }
                }
            }
        }
    }))
}

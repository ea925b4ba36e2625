//! SLA figures in public: for the krai, per department and per
//! municipality: how many reports, the share answered on time, the median
//! time to the official reaction, and how many are overdue now.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use crate::db::Db;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::geo::geography;
use crate::texts;
use crate::web::extract::Path;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::workflow::queries::{self, AppealFilter, AppealSort, SlaFigures};
use crate::workflow::views::{self, Categories, IssueTexts};

texts!(pub StatsTexts {
    title: "Сроки ответов на обращения", "Response times";
    intro: "Ведомство обязано официально отреагировать на обращение в течение 10 дней после публикации: решить проблему, запланировать работы или закрыть обращение с объяснением причины.",
           "A department must react officially within 10 days of publication: fix the problem, plan the work, or close the report with a reason.";
    total: "Обращений", "Reports";
    on_time: "Отвечено в срок", "Answered on time";
    median: "Медиана времени до ответа", "Median time to answer";
    overdue_now: "Просрочено сейчас", "Overdue now";
    by_organisation: "По ведомствам", "By department";
    by_municipality: "По муниципалитетам", "By municipality";
    organisation: "Организация", "Organisation";
    municipality: "Муниципалитет", "Municipality";
    whole_krai: "Весь край", "The whole krai";
    hours: "ч", "h";
    days: "дн.", "days";
    recent: "Последние обращения", "Latest reports";
    overdue_list: "Просроченные обращения", "Overdue reports";
    all_reports: "Все обращения", "All reports";
    none: "Нет", "None";
});

fn duration(l: Locale, hours: Option<f64>) -> String {
    let t = StatsTexts::get(l);
    match hours {
        None => "—".to_owned(),
        Some(h) if h < 48.0 => format!("{h:.0} {}", t.hours),
        Some(h) => format!("{:.1} {}", h / 24.0, t.days),
    }
}

fn percent(f: &SlaFigures) -> String {
    f.on_time_percent()
        .map(|p| format!("{p:.0} %"))
        .unwrap_or_else(|| "—".to_owned())
}

fn figures(l: Locale, f: &SlaFigures) -> Markup {
    let t = StatsTexts::get(l);
    html! {
        dl.figures {
            div { dt { (t.total) } dd #fig-total { (f.total) } }
            div { dt { (t.on_time) } dd #fig-on-time { (percent(f)) } }
            div { dt { (t.median) } dd #fig-median { (duration(l, f.median_hours)) } }
            div { dt { (t.overdue_now) } dd #fig-overdue { (f.overdue_now) } }
        }
    }
}

fn table<'a>(
    l: Locale,
    head: &str,
    rows: impl Iterator<Item = (String, String, &'a SlaFigures)>,
) -> Markup {
    let t = StatsTexts::get(l);
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
            table {
                thead { tr { th scope="col" { (head) } th scope="col" { (t.total) } th scope="col" { (t.on_time) } th scope="col" { (t.median) } th scope="col" { (t.overdue_now) } } }
                tbody {
                    @for (href, name, f) in rows {
                        tr { th scope="row" { a href=(href) { (name) } } td { (f.total) } td { (percent(f)) } td { (duration(l, f.median_hours)) } td { (f.overdue_now) } }
                    }
                }
            }
        }
    }
}

/// `GET /problems/stats`
pub async fn overview(ctx: PageCtx, State(db): State<Db>) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StatsTexts::get(l);
    let it = IssueTexts::get(l);
    let table_data = queries::sla_table(&db, crate::issues::PROBLEM.as_str(), now()).await?;
    let orgs = crate::directory::queries::list(&db).await?;
    let org_rows: Vec<(String, String, &SlaFigures)> = table_data
        .by_organisation
        .iter()
        .map(|(id, f)| {
            let name = orgs
                .iter()
                .find(|o| &o.organisation_id == id)
                .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
                .unwrap_or_else(|| id.clone());
            (format!("/problems/departments/{id}"), name, f)
        })
        .collect();
    let empty = SlaFigures::default();
    let mut mun_rows: Vec<(String, String, &SlaFigures)> = geography()
        .all()
        .iter()
        .map(|m| {
            (
                format!("/problems/municipalities/{}", m.id),
                m.name(l).to_owned(),
                table_data.by_municipality.get(&m.id).unwrap_or(&empty),
            )
        })
        .collect();
    mun_rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Page::new(&ctx, t.title)
        .crumb(it.title, "/problems")
        .render(html! {
            h1 { (t.title) }
            p { (t.intro) }
            h2 { (t.whole_krai) }
            (figures(l, &table_data.total))
            h2 { (t.by_organisation) }
            (table(l, t.organisation, org_rows.into_iter()))
            h2 { (t.by_municipality) }
            (table(l, t.municipality, mun_rows.into_iter()))
        }))
}

async fn reports_section(
    ctx: &PageCtx,
    db: &Db,
    mut f: AppealFilter,
    list_href: String,
) -> AppResult<Markup> {
    let l = ctx.locale;
    let t = StatsTexts::get(l);
    let cats = Categories::load(db, crate::issues::PROBLEM).await?;
    let at = now();
    f.public_only = true;
    f.limit = 10;
    f.sort = AppealSort::Newest;
    let recent = queries::list_appeals(db, &f).await?;
    let mut o = f.clone();
    o.overdue_at = Some(at);
    o.sort = AppealSort::Due;
    o.limit = 50;
    let overdue = queries::list_appeals(db, &o).await?;
    let ids: Vec<i64> = recent
        .iter()
        .chain(overdue.iter())
        .map(|a| a.appeal_id)
        .collect();
    let photos = queries::first_photos(db, &ids).await?;
    Ok(html! {
        h2 { (t.overdue_list) }
        @if overdue.is_empty() { p { (t.none) } } @else {
            ul.report-list { @for a in &overdue { (views::card(l, &cats, a, photos.get(&a.appeal_id), at)) } }
        }
        h2 { (t.recent) }
        @if recent.is_empty() { p { (t.none) } } @else {
            ul.report-list { @for a in &recent { (views::card(l, &cats, a, photos.get(&a.appeal_id), at)) } }
        }
        p { a href=(list_href) { (t.all_reports) } }
    })
}

/// `GET /problems/departments/{id}`
pub async fn department(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StatsTexts::get(l);
    let org = crate::directory::queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let f =
        queries::sla_figures(&db, crate::issues::PROBLEM.as_str(), Some(&id), None, now()).await?;
    let filter = AppealFilter {
        kind: crate::issues::PROBLEM.as_str().into(),
        organisation_id: Some(id.clone()),
        ..Default::default()
    };
    let section = reports_section(&ctx, &db, filter, "/problems".to_owned()).await?;
    let name = l.pick(&org.name_ru, &org.name_en).to_owned();
    Ok(Page::new(&ctx, name.clone())
        .crumb(IssueTexts::get(l).title, "/problems")
        .crumb(t.title, "/problems/stats")
        .render(html! {
            h1 { (name) }
            p { (t.intro) }
            (figures(l, &f))
            (section)
        }))
}

/// `GET /problems/municipalities/{id}`
pub async fn municipality(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StatsTexts::get(l);
    let m = geography().by_id(&id).ok_or_else(AppError::not_found)?;
    let f =
        queries::sla_figures(&db, crate::issues::PROBLEM.as_str(), None, Some(&id), now()).await?;
    let filter = AppealFilter {
        kind: crate::issues::PROBLEM.as_str().into(),
        municipality_id: Some(id.clone()),
        ..Default::default()
    };
    let section =
        reports_section(&ctx, &db, filter, format!("/problems?municipality={id}")).await?;
    let it = IssueTexts::get(l);
    Ok(Page::new(&ctx, m.name(l).to_owned())
        .crumb(it.title, "/problems")
        .crumb(t.title, "/problems/stats")
        .head(html! {
            link rel="alternate" type="application/atom+xml" title=(it.feed_new) href={ "/problems/feeds/new.atom?municipality=" (id) };
            link rel="alternate" type="application/atom+xml" title=(it.feed_resolved) href={ "/problems/feeds/resolved.atom?municipality=" (id) };
        })
        .render(html! {
            h1 { (m.name(l)) }
            p { (t.intro) }
            (figures(l, &f))
            p { (it.feeds) ": "
                a href={ "/problems/feeds/new.rss?municipality=" (id) } { (it.feed_new) " (RSS)" } ", "
                a href={ "/problems/feeds/resolved.rss?municipality=" (id) } { (it.feed_resolved) " (RSS)" } }
            (section)
        }))
}

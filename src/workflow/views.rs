//! Texts and pieces shared by the pages of citizens' requests (problem
//! reports and construction check requests): categories, headlines, state
//! badges, timeline labels, the pager.

use std::collections::HashMap;

use maud::{Markup, html};
use time::OffsetDateTime;

use super::queries::{self, AppealRow, CategoryRow};
use super::{Kind, State};
use crate::db::Db;
use crate::error::AppResult;
use crate::geo::geography;
use crate::texts;
use crate::web::components::datetime;
use crate::web::i18n::Locale;

texts!(pub IssueTexts {
    title: "Проблемы", "Problems";
    intro: "Сообщите о проблеме в городе или посёлке — яме, неработающем фонаре, мусоре, опасном здании. Обращение направляется в ответственное ведомство, которое публично отвечает в течение 10 дней.",
           "Report a problem in your town or village: a pothole, a broken street light, rubbish, a dangerous building. The report goes to the responsible department, which answers in public within 10 days.";
    new_report: "Сообщить о проблеме", "Report a problem";
    list: "Список", "List";
    map: "Карта", "Map";
    stats: "Сроки ответов", "Response times";
    category: "Категория", "Category";
    municipality: "Муниципалитет", "Municipality";
    organisation: "Ответственная организация", "Responsible organisation";
    state: "Состояние", "State";
    any: "— любое —", "— any —";
    any_category: "— любая —", "— any —";
    any_municipality: "— любой —", "— any —";
    overdue_only: "Только просроченные", "Overdue only";
    sort: "Порядок", "Order";
    sort_new: "сначала новые", "newest first";
    sort_support: "больше поддержки", "most supported";
    sort_due: "ближе срок ответа", "nearest deadline";
    apply: "Показать", "Show";
    found: "Найдено обращений", "Reports found";
    none: "Обращений не найдено.", "No reports found.";
    supporters: "Поддержали", "Supporters";
    supported_by: "Поддержали", "Supporters";
    overdue: "просрочено", "overdue";
    due: "Ответ до", "Answer due by";
    published_on: "Опубликовано", "Published";
    created_on: "Подано", "Submitted";
    feeds: "Подписки", "Feeds";
    feed_new: "Новые обращения", "New reports";
    feed_resolved: "Решённые обращения", "Resolved reports";
    regional: "краевая", "regional";
    municipal: "муниципальная", "municipal";
    responsibility: "Ответственность", "Responsibility";
    no_photo: "Без фото", "No photo";
    author: "Заявитель", "Reporter";
    hidden_name: "имя скрыто по просьбе заявителя", "name hidden at the reporter's request";
    map_intro: "Метки обращений на карте. Приблизьте карту, чтобы увидеть отдельные обращения.",
               "Reports on the map. Zoom in to see single reports.";
    map_nojs: "Карта работает с включённым JavaScript. Все обращения доступны в списке.",
              "The map needs JavaScript. Every report is in the list.";
});

/// Categories by id, for names and groups on pages.
pub struct Categories(pub HashMap<String, CategoryRow>);

impl Categories {
    pub async fn load(db: &Db, kind: Kind) -> AppResult<Categories> {
        let rows = queries::categories(db, kind.as_str()).await?;
        Ok(Categories(
            rows.into_iter()
                .map(|c| (c.category_id.clone(), c))
                .collect(),
        ))
    }

    /// The categories of every kind (category ids are unique across kinds).
    pub async fn load_all(db: &Db) -> AppResult<Categories> {
        let mut all = HashMap::new();
        for &kind in Kind::all() {
            all.extend(Categories::load(db, kind).await?.0);
        }
        Ok(Categories(all))
    }

    pub fn name(&self, l: Locale, id: &str) -> String {
        self.0
            .get(id)
            .map(|c| l.pick(&c.name_ru, &c.name_en).to_owned())
            .unwrap_or_else(|| id.to_owned())
    }

    /// Active categories in catalogue order.
    pub fn active(&self) -> Vec<&CategoryRow> {
        let mut v: Vec<&CategoryRow> = self.0.values().filter(|c| c.active).collect();
        v.sort_by(|a, b| {
            a.sort_order
                .cmp(&b.sort_order)
                .then_with(|| a.category_id.cmp(&b.category_id))
        });
        v
    }

    /// (value, label) pairs for a select, with the responsibility marked.
    pub fn options(&self, l: Locale) -> Vec<(String, String)> {
        let t = IssueTexts::get(l);
        self.active()
            .into_iter()
            .map(|c| {
                let who = if c.responsibility == "regional" {
                    t.regional
                } else {
                    t.municipal
                };
                (
                    c.category_id.clone(),
                    format!("{} ({who})", l.pick(&c.name_ru, &c.name_en)),
                )
            })
            .collect()
    }
}

pub fn municipality_options(l: Locale) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = geography()
        .all()
        .iter()
        .map(|m| (m.id.clone(), m.name(l).to_owned()))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

pub fn municipality_name(l: Locale, id: &str) -> String {
    geography()
        .by_id(id)
        .map(|m| m.name(l).to_owned())
        .unwrap_or_else(|| id.to_owned())
}

pub fn state_options(l: Locale) -> Vec<(String, String)> {
    crate::workflow::lifecycle::ALL_STATES
        .into_iter()
        .filter(|s| s.is_public())
        .map(|s| (s.as_str().to_owned(), s.label(l).to_owned()))
        .collect()
}

/// The headline of a report: its category and where it is.
pub fn headline(l: Locale, cats: &Categories, a: &AppealRow) -> String {
    headline_named(l, &cats.name(l, &a.category_id), a)
}

/// The headline of a report whose category's name is known.
pub fn headline_named(l: Locale, category: &str, a: &AppealRow) -> String {
    let place = if a.address.trim().is_empty() {
        municipality_name(l, &a.municipality_id)
    } else {
        a.address.clone()
    };
    format!("{category} — {place}")
}

/// The state as a badge, with "overdue" when the deadline has passed.
pub fn state_badge(l: Locale, a: &AppealRow, at: OffsetDateTime) -> Markup {
    let t = IssueTexts::get(l);
    let s = a.state();
    html! {
        span class={ "badge state-" (s.as_str()) } { (s.label(l)) }
        @if a.is_overdue(at) {
            " " span.badge.badge-overdue { (t.overdue) }
        }
    }
}

/// One report in a list.
pub fn card(
    l: Locale,
    cats: &Categories,
    a: &AppealRow,
    photo: Option<&String>,
    at: OffsetDateTime,
) -> Markup {
    let t = IssueTexts::get(l);
    let href = Kind::of(&a.kind).path(a.appeal_id);
    html! {
        li.report-card {
            @if let Some(key) = photo {
                img.report-thumb src=(crate::media::url(key, "thumb")) alt="" loading="lazy" width="96" height="72";
            } @else {
                span.report-thumb.report-thumb-empty aria-hidden="true" {}
            }
            div.report-card-body {
                h3 { a href=(href) { "№" (a.appeal_id) ". " (headline(l, cats, a)) } }
                p.report-meta {
                    (state_badge(l, a, at))
                    " · " (municipality_name(l, &a.municipality_id))
                    @if let Some(p) = a.published_at { " · " (datetime(l, p)) }
                    " · " (t.supported_by) ": " (a.support_count)
                    @if let (Some(d), true) = (a.due_at, a.state().awaits_reaction()) {
                        " · " (t.due) " " (datetime(l, d))
                    }
                }
                p.report-excerpt { (excerpt(&a.description, 180)) }
            }
        }
    }
}

pub fn excerpt(text: &str, max: usize) -> String {
    let mut s: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        s.push('…');
    }
    s
}

/// Labels for the public timeline.
pub fn event_label(l: Locale, kind: &str) -> &'static str {
    {
        let t = EventLabels::get(l);
        match kind {
            "submitted" => t.submitted,
            "published" => t.published,
            "clarification_requested" => t.clarification_requested,
            "clarification_answered" => t.clarification_answered,
            "rejected" => t.rejected,
            "accepted" => t.accepted,
            "referred" => t.referred,
            "resolved" => t.resolved,
            "planned" => t.planned,
            "closed" => t.closed,
            "disputed" => t.disputed,
            "confirmed" => t.confirmed,
            "hidden" => t.hidden,
            "unhidden" => t.unhidden,
            "reminded" => t.reminded,
            "escalated" => t.escalated,
            "contact" => t.contact,
            _ => t.other,
        }
    }
}

pub use crate::web::components::pager;

/// Whether a state is one the public lists may be filtered by.
pub fn public_state(s: &str) -> Option<State> {
    State::parse(s).filter(|s| s.is_public())
}

texts!(pub EventLabels {
    submitted: "Обращение подано", "Report submitted";
    published: "Опубликовано и направлено в ведомство", "Published and sent to the department";
    clarification_requested: "Запрошено уточнение", "Clarification requested";
    clarification_answered: "Заявитель дал уточнение", "The reporter clarified";
    rejected: "Отклонено", "Rejected";
    accepted: "Взято в работу", "Work started";
    referred: "Передано в другую организацию", "Referred to another organisation";
    resolved: "Решено", "Resolved";
    planned: "Работы запланированы", "Work planned";
    closed: "Закрыто", "Closed";
    disputed: "Заявитель оспорил решение", "The reporter disputed the resolution";
    confirmed: "Заявитель подтвердил решение", "The reporter confirmed the fix";
    hidden: "Скрыто модератором", "Hidden by a moderator";
    unhidden: "Снова опубликовано", "Visible again";
    reminded: "Ведомству отправлено напоминание о сроке", "The department was reminded of the deadline";
    escalated: "Просрочка передана курирующему заместителю губернатора", "Overdue: escalated to the supervising vice-governor";
    contact: "Контакты заявителя (только для ведомства)", "Reporter's contacts (department only)";
    other: "Событие", "Event";
});

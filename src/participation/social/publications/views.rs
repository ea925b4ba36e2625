//! The pages of publications: the list with its filters, the form, and a
//! publication with its comments.

use maud::{Markup, html};

use super::queries::{CommentRow, PublicationRow};
use super::service::{BODY_MAX, COMMENT_MAX, Choice, Kind, TITLE_MAX};
use crate::participation::social::moderation::{Item, LogRow};
use crate::participation::social::views::{flag_form, person_name};
use crate::web::components::{FieldErrors, Input, Select, datetime, error_summary, pager};
use crate::web::i18n::Locale;
use crate::web::layout::PageCtx;
use crate::workflow::views::{municipality_name, municipality_options};

crate::texts!(pub T {
    title: "Публикации", "Publications";
    lead: "Новости и объявления ведомств и администраций, посты жителей о своих городах. Публикации выходят сразу; модераторы проверяют то, на что пожаловались.", "News and announcements of departments and administrations, and residents' posts about their towns. Publications appear at once; moderators look at what is reported.";
    new: "Написать публикацию", "Write a publication";
    none: "Публикаций пока нет.", "No publications yet.";
    filters: "Отбор", "Filter";
    municipality: "Муниципалитет", "Municipality";
    all_municipalities: "— все —", "— all —";
    kind: "Вид", "Kind";
    all_kinds: "— все —", "— all —";
    show: "Показать", "Show";
    list_label: "Публикации", "Publications";
    col_title: "Заголовок", "Title";
    col_by: "Автор", "By";
    col_date: "Дата", "Date";
    col_comments: "Комментарии", "Comments";
    publish_as: "От чьего имени и что", "As whom, and what";
    publish_as_hint: "Пост жителя — о своём городе; новости и объявления — от имени организации, где вы уполномоченный сотрудник.", "A resident's post is about your town; news and announcements speak for an organisation you are an officer of.";
    choose: "— выберите —", "— choose —";
    municipality_hint: "Для поста жителя обязательно; для новости организации — если она о конкретном муниципалитете.", "Required for a resident's post; for an organisation's news, when it is about one municipality.";
    form_title: "Заголовок", "Title";
    form_body: "Текст", "Text";
    body_hint: "Абзацы разделяйте пустой строкой.", "Separate paragraphs with an empty line.";
    publish: "Опубликовать", "Publish";
    published: "Опубликовано", "Published";
    hidden: "Скрыто модератором", "Hidden by a moderator";
    reason: "Причина", "Reason";
    comments: "Комментарии", "Comments";
    no_comments: "Комментариев пока нет.", "No comments yet.";
    your_comment: "Ваш комментарий", "Your comment";
    add_comment: "Комментировать", "Comment";
    sign_in_to_comment: "Войдите, чтобы комментировать", "Sign in to comment";
    log: "Журнал модерации", "Moderation log";
    log_none: "Модераторы ещё ничего не делали с этой публикацией.", "Moderators have done nothing to this publication yet.";
    hide: "Скрыть", "Hide";
    restore: "Вернуть", "Restore";
    decide: "Скрыть или вернуть с причиной", "Hide or restore with a reason";
    feeds: "Подписаться", "Subscribe";
    atom: "Лента Atom", "Atom feed";
    rss: "Лента RSS", "RSS feed";
    api: "JSON API", "JSON API";
    by_author: "Все публикации автора", "All publications by this author";
});

/// Who a publication is by, as the public sees it: the organisation, or a
/// citizen's name linked to their profile, or "A resident".
pub fn byline(l: Locale, p: &PublicationRow) -> Markup {
    html! {
        @if let Some(org) = &p.organisation_id {
            a href={ "/organisations/" (org) } { (p.organisation_name(l).unwrap_or(org)) }
        } @else if let Some((id, name)) = p.shown_author() {
            a href={ "/people/" (id) } { (name) }
        } @else {
            (person_name(l, ""))
        }
    }
}

/// The list's filters, as they came.
#[derive(Debug, Default, Clone)]
pub struct Shown {
    pub municipality: String,
    pub organisation: String,
    pub author: i64,
    pub kind: String,
    pub page: i64,
    pub pages: i64,
}

impl Shown {
    /// The query string of the filters (without the page).
    pub fn query(&self) -> String {
        let mut q: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("municipality", &self.municipality),
            ("organisation", &self.organisation),
            ("kind", &self.kind),
        ] {
            if !v.is_empty() {
                q.push((k, v.clone()));
            }
        }
        if self.author != 0 {
            q.push(("author", self.author.to_string()));
        }
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }
}

pub fn list(ctx: &PageCtx, rows: &[PublicationRow], s: &Shown) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let q = s.query();
    let with = |path: &str| {
        if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        }
    };
    let kinds: Vec<(String, String)> = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label(l).to_owned()))
        .collect();
    let no_errors = FieldErrors::new();
    html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p { a.button href="/publications/new" { (t.new) } }
        form.filters method="get" action="/publications" aria-label=(t.filters) {
            (Select { name: "municipality", label: t.municipality, options: &municipality_options(l),
                selected: &s.municipality, placeholder: Some(t.all_municipalities), disabled: false }
                .render(l, &no_errors))
            (Select { name: "kind", label: t.kind, options: &kinds, selected: &s.kind,
                placeholder: Some(t.all_kinds), disabled: false }.render(l, &no_errors))
            @if !s.organisation.is_empty() { input type="hidden" name="organisation" value=(s.organisation); }
            @if s.author != 0 { input type="hidden" name="author" value=(s.author); }
            button type="submit" { (t.show) }
        }
        @if rows.is_empty() { p { (t.none) } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #publications aria-label=(t.list_label) {
                    thead { tr {
                        th scope="col" { (t.col_title) } th scope="col" { (t.kind) }
                        th scope="col" { (t.col_by) } th scope="col" { (t.municipality) }
                        th scope="col" { (t.col_date) } th scope="col" { (t.col_comments) }
                    } }
                    tbody {
                        @for p in rows {
                            tr {
                                td { a href={ "/publications/" (p.publication_id) } { (p.title) } }
                                td { (Kind::label_of(l, &p.kind)) }
                                td { (byline(l, p)) }
                                td { @if let Some(m) = &p.municipality_id { (municipality_name(l, m)) } }
                                td { (datetime(l, p.created_at)) }
                                td.num { (p.comment_count) }
                            }
                        }
                    }
                }
            }
        }
        (pager(l, &with("/publications"), s.page, s.pages))
        h2 { (t.feeds) }
        ul.links {
            li { a href=(with("/publications.atom")) { (t.atom) } }
            li { a href=(with("/publications.rss")) { (t.rss) } }
            li { a href="/api/v1/publications" { (t.api) } }
        }
    }
}

/// What the form holds, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct FormFields {
    #[serde(default)]
    pub publish_as: String,
    #[serde(default)]
    pub municipality_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

pub fn form(ctx: &PageCtx, choices: &[Choice], f: &FormFields, errors: &FieldErrors) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let options: Vec<(String, String)> = choices
        .iter()
        .map(|c| {
            let label = match &c.organisation {
                Some(org) => {
                    let name = ctx
                        .user
                        .as_ref()
                        .and_then(|u| u.memberships.iter().find(|m| &m.organisation_id == org))
                        .map_or(org.as_str(), |m| {
                            l.pick(m.name_ru.as_str(), m.name_en.as_str())
                        });
                    format!("{}: {name}", c.kind.label(l))
                }
                None => c.kind.label(l).to_owned(),
            };
            (c.value(), label)
        })
        .collect();
    let selected = if f.publish_as.is_empty() {
        choices.first().map(Choice::value).unwrap_or_default()
    } else {
        f.publish_as.clone()
    };
    html! {
        h1 { (t.new) }
        (error_summary(l, errors))
        form method="post" action="/publications" novalidate {
            (ctx.csrf_field())
            (Select { name: "publish_as", label: t.publish_as, options: &options, selected: &selected,
                placeholder: None, disabled: false }.render(l, errors))
            p.hint { (t.publish_as_hint) }
            (Select { name: "municipality_id", label: t.municipality, options: &municipality_options(l),
                selected: &f.municipality_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            p.hint { (t.municipality_hint) }
            (Input::new("title", t.form_title, &f.title).required().render(l, errors))
            (Input::new("body", t.form_body, &f.body).kind("textarea").required().hint(t.body_hint).render(l, errors))
            p.hint { (TITLE_MAX) " / " (BODY_MAX) }
            button type="submit" { (t.publish) }
        }
    }
}

/// A text as paragraphs: one per line, empty lines dropped.
pub fn paragraphs(text: &str) -> Markup {
    html! {
        @for line in text.lines().map(str::trim).filter(|s| !s.is_empty()) { p { (line) } }
    }
}

/// What a publication's page shows besides the publication: its comments
/// and, for moderators, its log.
pub struct Extra<'a> {
    pub comments: &'a [CommentRow],
    pub log: Option<&'a [LogRow]>,
    /// A refused comment: the typed text and the reason.
    pub comment: (&'a str, &'a FieldErrors),
}

pub fn page(ctx: &PageCtx, p: &PublicationRow, x: &Extra<'_>) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let id = p.publication_id;
    html! {
        article #publication {
            h1 { (p.title) }
            @if p.hidden {
                div.notice.notice-warning role="status" {
                    strong { (t.hidden) } ". " (t.reason) ": " (p.hidden_reason)
                }
            }
            p.meta {
                span.kind { (Kind::label_of(l, &p.kind)) } " · " (byline(l, p))
                @if let Some(m) = &p.municipality_id {
                    " · " a href={ "/publications?municipality=" (m) } { (municipality_name(l, m)) }
                }
                " · " (t.published) " " time datetime=(crate::web::i18n::iso_date(p.created_at.date())) { (datetime(l, p.created_at)) }
            }
            div.body { (paragraphs(&p.body)) }
            @if let Some((author, _)) = p.shown_author() {
                p { a href={ "/publications?author=" (author) } { (t.by_author) } }
            }
            (flag_form(ctx, Item::Publication, id))
        }
        section #comments aria-labelledby="comments-h" {
            h2 #comments-h { (t.comments) " (" (x.comments.len()) ")" }
            @if x.comments.is_empty() { p { (t.no_comments) } }
            ol.comments {
                @for c in x.comments {
                    li id={ "comment-" (c.comment_id) } {
                        p.meta { (person_name(l, &c.author_name)) " · " (datetime(l, c.created_at)) }
                        @if c.hidden {
                            p.hidden-comment { em { (t.hidden) } ". " (t.reason) ": " (c.hidden_reason) }
                        } @else {
                            (paragraphs(&c.body))
                            (flag_form(ctx, Item::Comment, c.comment_id))
                        }
                    }
                }
            }
            @if p.hidden {
            } @else if ctx.user.is_some() {
                (error_summary(l, x.comment.1))
                form method="post" action={ "/publications/" (id) "/comments" } novalidate {
                    (ctx.csrf_field())
                    (Input::new("comment", t.your_comment, x.comment.0).kind("textarea").required()
                        .hint(&format!("≤ {COMMENT_MAX}")).render(l, x.comment.1))
                    button type="submit" { (t.add_comment) }
                }
            } @else {
                p { a.button href=(crate::web::layout::login_href(&ctx.here)) { (t.sign_in_to_comment) } }
            }
        }
        @if let Some(log) = x.log {
            section #moderation-log aria-labelledby="log-h" {
                h2 #log-h { (t.log) }
                p { a href={ "/moderation/social/publication/" (p.publication_id) } { (t.decide) } }
                @if log.is_empty() { p { (t.log_none) } }
                ul {
                    @for e in log {
                        li {
                            (datetime(l, e.created_at)) " · " (e.moderator_name) " · "
                            (if e.action == "hide" { t.hide } else if e.action == "restore" { t.restore } else { e.action.as_str() })
                            @if !e.reason.is_empty() { " · " (e.reason) }
                        }
                    }
                }
            }
        }
    }
}

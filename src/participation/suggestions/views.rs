//! The pages of suggestions: the list, the form, what a suggestion's page
//! adds to the request page (its title, what it answers, the official
//! answer in a suggestion's words, the comments), and the moderators'
//! queue of comments.

use maud::{Markup, html};

use super::queries::{CommentRow, SuggestionRow};
use super::service::{COMMENT_MAX, TEXT_MAX, TITLE_MAX, Target};
use crate::web::components::{FieldErrors, Input, Select, checkbox, datetime, error_summary};
use crate::web::i18n::Locale;
use crate::web::layout::{PageCtx, login_href};
use crate::workflow::queries::AppealRow;
use crate::workflow::{CloseReason, Kind, State};

crate::texts!(pub T {
    title: "Предложения по решению проблем", "Suggestions for solving city problems";
    lead: "Предложите, как решить проблему из сообщения, приоритет развития или другую задачу города. Ответственная организация публично отвечает в течение 10 дней: принято в план с датой, на изучении или отклонено с причиной. Принятое предложение становится поручением исполнителю.", "Suggest how to solve a reported problem, a development priority or another task of the town. The responsible organisation answers publicly within 10 days: accepted into a plan with a date, under study, or declined with a reason. An accepted suggestion becomes an order to an executor.";
    new: "Предложить решение", "Make a suggestion";
    none: "Предложений пока нет.", "No suggestions yet.";
    name: "Предложение", "Suggestion";
    topic: "Тема", "Topic";
    territory: "Территория", "Territory";
    state: "Ответ", "Answer";
    supporters: "Поддержали", "Supporters";
    form_title: "Короткое название", "Short title";
    form_text: "Что предлагаете и почему это решит проблему", "What you suggest and why it solves the problem";
    choose: "— выберите —", "— choose —";
    place: "Где (для предложения без привязки)", "Where (for a suggestion on its own)";
    place_hint: "Координаты метки или адрес с названием населённого пункта.", "The pin's coordinates, or an address with the name of the town.";
    latitude: "Широта", "Latitude";
    longitude: "Долгота", "Longitude";
    address: "Адрес", "Address";
    hide_name: "Не показывать моё имя публично (организация его увидит)", "Do not show my name publicly (the organisation will see it)";
    send: "Отправить", "Send";
    sign_in: "Войдите, чтобы предложить решение", "Sign in to make a suggestion";
    for_problem: "Решение для сообщения о проблеме", "A solution for problem report";
    for_priority: "Решение для приоритета", "A solution for the priority";
    standalone: "Самостоятельное предложение", "A suggestion on its own";
    answer: "Ответ организации", "The organisation's answer";
    accepted: "Принято в план", "Accepted into a plan";
    accepted_until: "срок выполнения", "to be done by";
    done: "Выполнено", "Done";
    under_study: "На изучении", "Under study";
    declined: "Отклонено", "Declined";
    awaiting: "Ответа ещё нет", "No answer yet";
    comments: "Обсуждение", "Discussion";
    no_comments: "Комментариев пока нет.", "No comments yet.";
    your_comment: "Ваш комментарий", "Your comment";
    comment_hint: "Комментарий появится после проверки модератором.", "The comment appears after a moderator checks it.";
    add_comment: "Комментировать", "Comment";
    awaiting_moderation: "ждёт проверки", "awaiting moderation";
    comment_sent: "Спасибо! Комментарий появится после проверки модератором.", "Thank you! The comment appears after a moderator checks it.";
    moderation: "Комментарии к предложениям на проверке", "Comments on suggestions awaiting moderation";
    moderation_none: "Комментариев на проверке нет.", "No comments await moderation.";
    publish: "Опубликовать", "Publish";
    reject: "Отклонить", "Reject";
    to_suggestion: "к предложению", "on suggestion";
    feed: "Лента официальных ответов (Atom)", "Feed of official answers (Atom)";
    api: "JSON API", "JSON API";
    resident: "Житель (имя скрыто)", "A resident (name hidden)";
    for_report_title: "Предложения по решению", "Suggested solutions";
    for_report_none: "Предложений по этой проблеме пока нет.", "No solution has been suggested for this problem yet.";
    suggest_for_report: "Предложить решение", "Suggest a solution";
});

/// A comment's author as the public sees them: the name, unless the
/// account hides it.
fn name(l: Locale, c: &CommentRow) -> &str {
    if c.author_name.is_empty() {
        T::get(l).resident
    } else {
        &c.author_name
    }
}

/// The answer in a suggestion's words: accepted into a plan (with its
/// date), done, under study, declined (with the reason in the text), or
/// none yet.
pub fn answer_label(l: Locale, a: &AppealRow) -> &'static str {
    let t = T::get(l);
    match a.state() {
        State::Planned => t.accepted,
        State::Resolved => t.done,
        State::InProgress => t.under_study,
        State::Closed => t.declined,
        _ => t.awaiting,
    }
}

pub fn target_link(l: Locale, s: &SuggestionRow, priority_title: Option<&str>) -> Markup {
    let t = T::get(l);
    html! {
        @match Target::of(s.target_kind.as_deref(), s.target_id) {
            Some(Target::Problem(id)) => { (t.for_problem) " " a #suggestion-target href=(Kind::of(super::TARGET_KIND).path(id)) { "№" (id) } },
            Some(Target::Priority(id)) => { (t.for_priority) " " a #suggestion-target href={ "/participation/priorities/" (id) } { "«" (priority_title.unwrap_or("")) "»" } },
            None => { (t.standalone) },
        }
    }
}

/// The block on a problem report's page: the suggestions made for it and
/// the way to make one while the report is open.
pub fn for_report(
    l: Locale,
    report: i64,
    open: bool,
    made: &[(AppealRow, SuggestionRow)],
) -> Markup {
    let t = T::get(l);
    html! {
        section #report-suggestions aria-labelledby="report-suggestions-h" {
            h2 #report-suggestions-h { (t.for_report_title) }
            @if made.is_empty() { p { (t.for_report_none) } }
            ul {
                @for (a, s) in made {
                    li { a href=(super::SUGGESTION.path(a.appeal_id)) { (s.title) } " · " (answer_label(l, a)) " · " (t.supporters) ": " (a.support_count) }
                }
            }
            @if open { p { a.button.button-secondary #suggest-for-report href={ "/participation/suggestions/new?problem=" (report) } { (t.suggest_for_report) } } }
        }
    }
}

/// The public list.
pub fn list(
    ctx: &PageCtx,
    rows: &[(AppealRow, SuggestionRow)],
    topics: &crate::workflow::views::Categories,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p { a.button href="/participation/suggestions/new" { (t.new) } }
        @if rows.is_empty() { p { (t.none) } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #suggestions {
                    thead { tr { th scope="col" { (t.name) } th scope="col" { (t.topic) } th scope="col" { (t.territory) } th scope="col" { (t.state) } th scope="col" { (t.supporters) } } }
                    tbody {
                        @for (a, s) in rows {
                            tr {
                                td { a href=(super::SUGGESTION.path(a.appeal_id)) { (s.title) } }
                                td { (topics.name(l, &a.category_id)) }
                                td { (crate::workflow::views::municipality_name(l, &a.municipality_id)) }
                                td { (answer_label(l, a)) }
                                td.num { (a.support_count) }
                            }
                        }
                    }
                }
            }
        }
        ul.links {
            li { a href="/participation/answers.atom" { (t.feed) } }
            li { a href="/api/v1/suggestions" { (t.api) } }
        }
    }
}

/// What the form holds.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct FormFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub target_kind: String,
    #[serde(default)]
    pub target_id: String,
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub lon: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hide_name: Option<String>,
    #[serde(default)]
    pub client_key: String,
}

pub fn form(
    ctx: &PageCtx,
    f: &FormFields,
    errors: &FieldErrors,
    topics: &[(String, String)],
    target: Option<(Target, String)>,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    if ctx.user.is_none() {
        return html! { h1 { (t.new) } p { a.button href=(login_href(&ctx.here)) { (t.sign_in) } } };
    }
    html! {
        h1 { (t.new) }
        form.stack method="post" action="/participation/suggestions/new" {
            (ctx.csrf_field())
            (error_summary(l, errors))
            input type="hidden" name="client_key" value=(if f.client_key.is_empty() { uuid::Uuid::new_v4().to_string() } else { f.client_key.clone() });
            @if let Some((tg, label)) = &target {
                input type="hidden" name="target_kind" value=(tg.kind());
                input type="hidden" name="target_id" value=(tg.id());
                p #form-target { @match tg { Target::Problem(_) => { (t.for_problem) " " }, Target::Priority(_) => { (t.for_priority) " " } } strong { (label) } }
            }
            (Input::new("title", t.form_title, &f.title).required().render(l, errors))
            div.field {
                label for="f-text" { (t.form_text) }
                @if let Some(e) = errors.get("text") { p.field-error #e-text { (e.get(l)) } }
                textarea #f-text name="text" rows="6" maxlength=(TEXT_MAX) required { (f.text) }
            }
            (Select { name: "topic", label: t.topic, options: topics, selected: &f.topic, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            @if target.is_none() {
                fieldset.field {
                    legend { (t.place) }
                    p.hint { (t.place_hint) }
                    @if let Some(e) = errors.get("place") { p.field-error #e-place { (e.get(l)) } }
                    (Input::new("lat", t.latitude, &f.lat).render(l, errors))
                    (Input::new("lon", t.longitude, &f.lon).render(l, errors))
                    (Input::new("address", t.address, &f.address).render(l, errors))
                }
            }
            (checkbox(l, errors, "hide_name", html! { (t.hide_name) }, f.hide_name.is_some()))
            div.actions { button.button type="submit" { (t.send) } }
        }
        p.hint { (TITLE_MAX) " / " (TEXT_MAX) }
    }
}

/// What a suggestion's page adds to the request page.
#[allow(clippy::too_many_arguments)]
pub fn extra(
    ctx: &PageCtx,
    a: &AppealRow,
    s: &SuggestionRow,
    priority_title: Option<&str>,
    comments: &[CommentRow],
    mine_pending: &[CommentRow],
    refusal: Option<&crate::error::Msg>,
    sent: bool,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        section #suggestion aria-labelledby="suggestion-h" {
            h2 #suggestion-h { (s.title) }
            p { (target_link(l, s, priority_title)) }
            p #suggestion-answer { strong { (t.answer) ": " (answer_label(l, a)) }
                @if a.state() == State::Planned {
                    @if let Some(d) = a.planned_date.as_deref().and_then(crate::web::i18n::parse_iso_date) { ", " (t.accepted_until) " " (crate::web::components::date(l, d)) }
                }
                @if a.state() == State::Closed {
                    @if let Some(r) = a.close_reason.as_deref().and_then(CloseReason::parse) { " (" (r.label(l)) ")" }
                }
            }
        }
        section #comments aria-labelledby="comments-h" {
            h2 #comments-h { (t.comments) }
            @if sent { (crate::web::components::notice("success", html! { (t.comment_sent) })) }
            @if comments.is_empty() && mine_pending.is_empty() { p { (t.no_comments) } }
            ol.comments {
                @for c in comments {
                    li.comment { p.timeline-head { strong { (name(l, c)) } " · " (datetime(l, c.created_at)) } p.report-text { (c.body) } }
                }
                @for c in mine_pending {
                    li.comment.pending { p.timeline-head { strong { (name(l, c)) } " · " (datetime(l, c.created_at)) " · " em { (t.awaiting_moderation) } } p.report-text { (c.body) } }
                }
            }
            @match refusal {
                None => {
                    form.stack method="post" action={ (super::SUGGESTION.path(a.appeal_id)) "/comments" } {
                        (ctx.csrf_field())
                        div.field {
                            label for="f-comment" { (t.your_comment) }
                            p.hint #h-comment { (t.comment_hint) }
                            textarea #f-comment name="body" rows="3" maxlength=(COMMENT_MAX) required aria-describedby="h-comment" {}
                        }
                        div.actions { button.button type="submit" { (t.add_comment) } }
                    }
                },
                Some(m) => {
                    @if ctx.user.is_none() { p { a href=(login_href(&ctx.here)) { (m.get(l)) } } }
                    @else { p.hint #comments-closed { (m.get(l)) } }
                },
            }
        }
    }
}

/// The moderators' queue of comments.
pub fn moderation(ctx: &PageCtx, pending: &[CommentRow]) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        h1 { (t.moderation) }
        @if pending.is_empty() { p { (t.moderation_none) } }
        ol.comments {
            @for c in pending {
                li.comment id={ "comment-" (c.comment_id) } {
                    p.timeline-head { strong { (name(l, c)) } " · " (datetime(l, c.created_at)) " · " (t.to_suggestion) " " a href=(super::SUGGESTION.path(c.appeal_id)) { "№" (c.appeal_id) } }
                    p.report-text { (c.body) }
                    form.inline method="post" action={ "/moderation/suggestion-comments/" (c.comment_id) } {
                        (ctx.csrf_field())
                        button.button type="submit" name="decision" value="publish" { (t.publish) }
                        " "
                        button.button.button-secondary type="submit" name="decision" value="reject" { (t.reject) }
                    }
                }
            }
        }
    }
}

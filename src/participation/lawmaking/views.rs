//! The pages of law-making other than an initiative's own (`page.rs`): the
//! list, the concept form and the moderators' queue; and the texts of all.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::comments::CommentRow;
use super::domain::{Initiator, Level, STAGES, Stage};
use super::queries::InitiativeRow;
use super::service::{CONCEPT_MAX, TITLE_MAX};
use crate::web::components::{FieldErrors, Input, Select, date, error_summary, notice};
use crate::web::i18n::Locale;
use crate::web::layout::{PageCtx, login_href};
use crate::workflow::views::{municipality_name, municipality_options};

crate::texts!(pub T {
    title: "Законотворчество", "Law-making";
    lead: "Предложите концепцию регионального или муниципального нормативного акта. Набравшая поддержку концепция проходит обсуждение, работу над текстом с поправками, экспертизу и получает решение правительства; сроки официальных действий контролируются публично.", "Propose the concept of a regional or municipal regulatory act. A concept that gathers support goes through discussion, work on the text with amendments, expertise and a decision of the government; the deadlines of official acts are watched in public.";
    new: "Предложить концепцию", "Propose a concept";
    sign_in: "Войдите, чтобы предложить концепцию", "Sign in to propose a concept";
    none: "Инициатив пока нет.", "No initiatives yet.";
    name: "Инициатива", "Initiative";
    level: "Уровень", "Level";
    stage: "Этап", "Stage";
    organisation: "Ответственная организация", "Responsible organisation";
    supports: "Поддержка", "Support";
    overdue: "Срок нарушен", "Overdue";
    all_stages: "Все этапы", "All stages";
    only_overdue: "Только с нарушенным сроком", "Overdue only";
    show: "Показать", "Show";
    form_title: "Название", "Title";
    form_problem: "Проблема: что не так сейчас", "The problem: what is wrong now";
    form_idea: "Идея: что должен изменить акт", "The idea: what the act should change";
    municipality: "Муниципальное образование (для муниципальной)", "Municipality (for a municipal one)";
    initiator: "Инициатор", "Initiator";
    group: "Название группы (для группы граждан)", "The group's name (for a group of citizens)";
    initiator_organisation: "От имени организации (для организации)", "On behalf of the organisation (for an organisation)";
    choose: "— выберите —", "— choose —";
    send: "Отправить на модерацию", "Send for moderation";
    moderation_hint: "Концепцию проверит модератор; после публикации начнётся сбор поддержки.", "A moderator checks the concept; once it is published, supports are gathered.";
    sent: "Спасибо! Концепция отправлена на модерацию.", "Thank you! The concept was sent for moderation.";
    moderation: "Законотворчество: модерация", "Law-making: moderation";
    concepts: "Концепции на проверке", "Concepts awaiting moderation";
    no_concepts: "Концепций на проверке нет.", "No concepts await moderation.";
    publish: "Опубликовать", "Publish";
    decline: "Отклонить", "Decline";
    reason: "Причина", "Reason";
    flagged: "Комментарии с жалобами", "Flagged comments";
    no_flagged: "Жалоб нет.", "No flags.";
    flags: "жалоб", "flags";
    hide: "Скрыть", "Hide";
    feed: "Инициативы (JSON API)", "Initiatives (JSON API)";
});

pub fn stage_options(l: Locale) -> Vec<(String, String)> {
    STAGES
        .into_iter()
        .chain([Stage::Closed])
        .map(|s| (s.as_str().to_owned(), s.label(l).to_owned()))
        .collect()
}

/// The place an initiative concerns: the krai or its municipality.
pub fn scope(l: Locale, i: &InitiativeRow) -> String {
    match &i.municipality_id {
        Some(m) => municipality_name(l, m),
        None => crate::participation::priorities::views::scope_name(
            l,
            crate::participation::priorities::REGION,
        ),
    }
}

pub fn stage_badge(l: Locale, i: &InitiativeRow) -> Markup {
    html! {
        span.badge class={ "badge-stage-" (i.stage) } {
            @match i.outcome() { Some(o) => { (o.label(l)) }, None => { (i.stage().label(l)) } }
        }
    }
}

/// The list of initiatives.
pub fn list(
    ctx: &PageCtx,
    rows: &[InitiativeRow],
    stage: &str,
    overdue_only: bool,
    at: OffsetDateTime,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p {
            @if ctx.user.is_some() { a.button href="/participation/lawmaking/new" { (t.new) } }
            @else { a.button href=(login_href("/participation/lawmaking/new")) { (t.sign_in) } }
        }
        form.filters method="get" action="/participation/lawmaking" {
            (Select { name: "stage", label: t.stage, options: &stage_options(l), selected: stage, placeholder: Some(t.all_stages), disabled: false }.render(l, &FieldErrors::new()))
            div.field.checkbox {
                input #f-overdue type="checkbox" name="overdue" value="1" checked[overdue_only];
                label for="f-overdue" { (t.only_overdue) }
            }
            div.actions { button.button type="submit" { (t.show) } }
        }
        @if rows.is_empty() { p { (t.none) } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #initiatives {
                    thead { tr { th { (t.name) } th { (t.level) } th { (t.stage) } th { (t.organisation) } th { (t.supports) } } }
                    tbody {
                        @for i in rows {
                            tr {
                                td { a href={ "/participation/lawmaking/" (i.initiative_id) } { (i.title) } }
                                td { (Level::parse(&i.level).map_or("", |v| v.label(l))) ", " (scope(l, i)) }
                                td { (stage_badge(l, i)) @if i.overdue(at) { " " span.badge.badge-overdue { (t.overdue) } } }
                                td { (l.pick(&i.organisation_ru, &i.organisation_en)) }
                                td { (i.support_count) @if i.supports_needed > 0 { " / " (i.supports_needed) } }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/api/v1/initiatives" { (t.feed) } }
    }
}

/// The concept form, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct FormFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub idea: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub municipality_id: String,
    #[serde(default)]
    pub initiator: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub initiator_organisation_id: String,
    #[serde(default)]
    pub organisation_id: String,
}

fn textarea(
    l: Locale,
    errors: &FieldErrors,
    name: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.field.has-error[error.is_some()] {
            label for={ "f-" (name) } { (label) }
            @if let Some(e) = error { p.field-error id={ "e-" (name) } { (e.get(l)) } }
            textarea id={ "f-" (name) } name=(name) rows="5" maxlength=(max) required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("e-{name}"))] { (value) }
        }
    }
}

pub fn form(
    ctx: &PageCtx,
    f: &FormFields,
    errors: &FieldErrors,
    organisations: &[(String, String)],
    mine: &[(String, String)],
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    if ctx.user.is_none() {
        return html! { h1 { (t.new) } p { a.button href=(login_href(&ctx.here)) { (t.sign_in) } } };
    }
    let levels: Vec<(String, String)> = [Level::Municipality, Level::Region]
        .into_iter()
        .map(|v| (v.as_str().to_owned(), v.label(l).to_owned()))
        .collect();
    let initiators: Vec<(String, String)> = Initiator::ALL
        .into_iter()
        .filter(|i| *i != Initiator::Organisation || !mine.is_empty())
        .map(|v| (v.as_str().to_owned(), v.label(l).to_owned()))
        .collect();
    html! {
        h1 { (t.new) }
        p.hint { (t.moderation_hint) }
        form.stack method="post" action="/participation/lawmaking/new" {
            (ctx.csrf_field())
            (error_summary(l, errors))
            (Input::new("title", t.form_title, &f.title).required().render(l, errors))
            (textarea(l, errors, "problem", t.form_problem, &f.problem, CONCEPT_MAX))
            (textarea(l, errors, "idea", t.form_idea, &f.idea, CONCEPT_MAX))
            (Select { name: "level", label: t.level, options: &levels, selected: &f.level, placeholder: None, disabled: false }.render(l, errors))
            (Select { name: "municipality_id", label: t.municipality, options: &municipality_options(l), selected: &f.municipality_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            (Select { name: "initiator", label: t.initiator, options: &initiators, selected: &f.initiator, placeholder: None, disabled: false }.render(l, errors))
            (Input::new("group", t.group, &f.group).render(l, errors))
            @if !mine.is_empty() {
                (Select { name: "initiator_organisation_id", label: t.initiator_organisation, options: mine, selected: &f.initiator_organisation_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            }
            (Select { name: "organisation_id", label: t.organisation, options: organisations, selected: &f.organisation_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            div.actions { button.button type="submit" { (t.send) } }
        }
        p.hint { (TITLE_MAX) " / " (CONCEPT_MAX) }
    }
}

/// The moderators' queue: concepts to publish and flagged comments.
pub fn moderation(ctx: &PageCtx, concepts: &[InitiativeRow], flagged: &[CommentRow]) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        h1 { (t.moderation) }
        section #concepts aria-labelledby="concepts-h" {
            h2 #concepts-h { (t.concepts) }
            @if concepts.is_empty() { p { (t.no_concepts) } }
            @for i in concepts {
                article.card id={ "initiative-" (i.initiative_id) } {
                    h3 { a href={ "/participation/lawmaking/" (i.initiative_id) } { (i.title) } }
                    p { (date(l, i.created_at.date())) " · " (scope(l, i)) " · " (l.pick(&i.organisation_ru, &i.organisation_en)) }
                    p.report-text { (i.problem) }
                    p.report-text { (i.idea) }
                    form.stack method="post" action={ "/participation/lawmaking/" (i.initiative_id) "/act" } {
                        (ctx.csrf_field())
                        div.field {
                            label for={ "reason-" (i.initiative_id) } { (t.reason) }
                            input id={ "reason-" (i.initiative_id) } type="text" name="reason" maxlength="2000";
                        }
                        div.actions {
                            button.button type="submit" name="act" value="publish" { (t.publish) }
                            " "
                            button.button.button-secondary type="submit" name="act" value="decline" { (t.decline) }
                        }
                    }
                }
            }
        }
        section #flagged aria-labelledby="flagged-h" {
            h2 #flagged-h { (t.flagged) }
            @if flagged.is_empty() { p { (t.no_flagged) } }
            ol.comments {
                @for c in flagged {
                    li.comment id={ "comment-" (c.comment_id) } {
                        p.timeline-head {
                            a href={ "/participation/lawmaking/" (c.initiative_id) "#c-" (c.comment_id) } { "№" (c.initiative_id) }
                            " · " (c.flag_count) " " (t.flags)
                        }
                        p.report-text { (c.body) }
                        form.stack method="post" action={ "/moderation/initiative-comments/" (c.comment_id) } {
                            (ctx.csrf_field())
                            div.field {
                                label for={ "hide-" (c.comment_id) } { (t.reason) }
                                input id={ "hide-" (c.comment_id) } type="text" name="reason" maxlength="2000" required;
                            }
                            div.actions { button.button type="submit" name="decision" value="hide" { (t.hide) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn sent_notice(l: Locale) -> Markup {
    notice("success", html! { (T::get(l).sent) })
}

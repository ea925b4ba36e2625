//! An initiative's page: its stages, the concept and its support, the
//! discussion, the text with annotations and amendments, the expertise,
//! the decision, the comparison of the concept with the adopted text, and
//! the public timeline. Every form on it is an act `domain::acts` offers.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::comments::CommentRow;
use super::domain::{Act, Expertise, Level, Outcome, STAGES, Stage, Verdict};
use super::drafts::{AmendmentRow, AnnotationRow, VersionRow};
use super::queries::{ConclusionRow, EventRow, InitiativeRow};
use super::text::{Change, DiffLine, Document};
use super::views::{T as LT, scope, stage_badge};
use crate::web::components::{date, datetime, notice, shown_date};
use crate::web::i18n::Locale;
use crate::web::layout::{PageCtx, login_href};

crate::texts!(pub T {
    initiator: "Инициатор", "Initiator";
    hidden_name: "имя скрыто", "name hidden";
    stages: "Этапы", "Stages";
    concept: "Концепция", "Concept";
    problem: "Проблема", "The problem";
    idea: "Идея", "The idea";
    supports: "Поддержали", "Supported by";
    until: "до", "until";
    support: "Поддержать", "Support";
    supported: "Вы поддержали эту инициативу.", "You support this initiative.";
    act_due: "должна", "is to";
    act_overdue: "Срок нарушен:", "Overdue:";
    act_was_due: "должна была", "was to";
    by: "до", "by";
    discussion: "Обсуждение идеи", "Discussion of the idea";
    no_comments: "Комментариев пока нет.", "No comments yet.";
    your_comment: "Ваш комментарий", "Your comment";
    reply: "Ответить", "Reply";
    comment: "Комментировать", "Comment";
    official: "ответ организации", "the organisation's answer";
    pinned: "Закреплено", "Pinned";
    pin: "Закрепить", "Pin";
    unpin: "Открепить", "Unpin";
    agree: "Согласен", "Agree";
    flag: "Пожаловаться", "Report";
    hidden: "Комментарий скрыт модератором", "The comment was hidden by a moderator";
    text: "Текст документа", "The document's text";
    version: "Редакция", "Version";
    versions: "Редакции", "Versions";
    compare: "Сравнить редакции", "Compare versions";
    from: "с", "from";
    to: "по", "to";
    article: "Статья", "Article";
    annotations: "Комментарии к фрагментам", "Comments on passages";
    earlier: "К прежним редакциям (фрагмент изменён)", "On earlier versions (the passage changed)";
    annotate: "Прокомментировать фрагмент", "Comment on a passage";
    annotate_hint: "Выделите слова в тексте: абзац и фрагмент заполнятся сами. Без скриптов впишите номер абзаца (например, 2.1) и фрагмент дословно.", "Select words in the text and the paragraph and passage fill in themselves. Without scripts, type the paragraph number (such as 2.1) and the passage word for word.";
    paragraph: "Абзац", "Paragraph";
    quote: "Фрагмент", "Passage";
    your_annotation: "Комментарий", "Comment";
    amendments: "Поправки", "Amendments";
    amend: "Предложить поправку", "Propose an amendment";
    proposed: "Новая редакция абзаца", "The paragraph's new wording";
    open: "на рассмотрении", "under review";
    accepted: "принята", "accepted";
    rejected: "отклонена", "rejected";
    applied: "вошла в редакцию", "went into version";
    accept: "Принять", "Accept";
    reject: "Отклонить", "Reject";
    reason: "Причина", "Reason";
    new_version: "Опубликовать новую редакцию", "Publish a new version";
    new_version_hint: "Строки «Статья N. Название» начинают статьи, остальные строки — абзацы. Принятые поправки уже внесены в текст ниже.", "Lines \"Article N. Title\" begin articles, other lines are paragraphs. The accepted amendments are already in the text below.";
    changelog: "Что изменено", "What changed";
    to_expertise: "Передать на экспертизу", "Send to expertise";
    expertise: "Экспертиза", "Expertise";
    experts: "Эксперты", "Experts";
    no_experts: "Эксперты ещё не назначены.", "No experts appointed yet.";
    appoint: "Назначить эксперта", "Appoint an expert";
    email: "Адрес эл. почты эксперта", "The expert's e-mail address";
    conclusions: "Заключения", "Conclusions";
    no_conclusions: "Заключений пока нет.", "No conclusions yet.";
    conclude: "Опубликовать заключение", "Publish a conclusion";
    kind: "Вид экспертизы", "Kind of expertise";
    verdict: "Вывод", "Verdict";
    summary: "Кратко", "Summary";
    document: "Текст заключения", "The conclusion's text";
    expert: "Эксперт", "Expert";
    to_reaction: "Передать на решение", "Pass on for decision";
    reaction: "Решение", "Decision";
    decide: "Опубликовать решение", "Publish the decision";
    outcome: "Решение", "Decision";
    number: "Номер акта", "The act's number";
    act_date: "Дата акта", "The act's date";
    link: "Ссылка на опубликованный акт", "Link to the published act";
    reasons: "Обоснование", "Reasons";
    comparison: "Концепция и принятый текст", "The concept and the adopted text";
    timeline: "Хроника", "Timeline";
    export: "Скачать текст с историей", "Download the text with its history";
    system: "Система", "System";
    moderator: "Модератор", "Moderator";
    citizen: "Житель", "Resident";
    send: "Отправить", "Send";
});

/// Everything an initiative's page shows.
pub struct Data {
    pub i: InitiativeRow,
    pub acts: Vec<Act>,
    pub supported: bool,
    pub timeline: Vec<EventRow>,
    /// The threads of the discussion's page shown, with their replies.
    pub comments: Vec<CommentRow>,
    /// The page shown (from 1), how many there are, and how many comments
    /// the whole discussion has.
    pub comment_page: i64,
    pub comment_pages: i64,
    pub comment_total: i64,
    pub versions: Vec<VersionRow>,
    /// The version shown (the latest unless one is asked for).
    pub shown: Option<usize>,
    pub annotations: Vec<AnnotationRow>,
    pub amendments: Vec<AmendmentRow>,
    pub experts: Vec<(i64, String)>,
    pub conclusions: Vec<ConclusionRow>,
    /// The next version as the organisation's form starts it: the latest
    /// with the accepted amendments applied.
    pub next_text: String,
    pub at: OffsetDateTime,
    /// Whether the signed-in reader follows it (`None`: signed out, or
    /// not public yet).
    pub following: Option<bool>,
}

impl Data {
    pub(super) fn can(&self, a: Act) -> bool {
        self.acts.contains(&a)
    }
}

pub(super) fn act_form(ctx: &PageCtx, id: i64, act: &str, body: Markup) -> Markup {
    html! {
        form.stack method="post" action={ "/participation/lawmaking/" (id) "/act" } {
            (ctx.csrf_field())
            input type="hidden" name="act" value=(act);
            (body)
        }
    }
}

fn field(id: &str, label: &str, body: Markup) -> Markup {
    html! { div.field { label for=(id) { (label) } (body) } }
}

crate::texts!(Events {
    proposed: "Концепция предложена", "Concept proposed";
    published: "Опубликована, начат сбор поддержки", "Published; supports are gathered";
    declined: "Отклонена модератором", "Declined by the moderator";
    version_published: "Опубликована редакция", "Version published";
    amendment_accepted: "Поправка принята", "Amendment accepted";
    amendment_rejected: "Поправка отклонена", "Amendment rejected";
    expert_appointed: "Назначен эксперт", "Expert appointed";
    pinned: "Ответ закреплён", "Answer pinned";
    unpinned: "Ответ откреплён", "Answer unpinned";
    comment_hidden: "Комментарий скрыт модератором", "Comment hidden by a moderator";
    comment_restored: "Комментарий восстановлен", "Comment restored";
});

pub(super) fn event_label(l: Locale, e: &EventRow) -> String {
    action_label(l, &e.action, &e.stage, &e.note)
}

/// What a timeline entry says happened (also the text of its activity).
pub(super) fn action_label(l: Locale, action: &str, stage: &str, note: &str) -> String {
    let t = Events::get(l);
    let action = match action {
        "proposed" => t.proposed,
        "published" => t.published,
        "declined" => t.declined,
        "stage_started" => Stage::parse(stage).map_or("", |s| s.label(l)),
        "version_published" => t.version_published,
        "amendment_accepted" => t.amendment_accepted,
        "amendment_rejected" => t.amendment_rejected,
        "expert_appointed" => t.expert_appointed,
        "conclusion_published" => Expertise::parse(note).map_or("", |k| k.label(l)),
        "decided" | "closed" => Outcome::parse(note).map_or("", |o| o.label(l)),
        "pinned" => t.pinned,
        "unpinned" => t.unpinned,
        "comment_hidden" => t.comment_hidden,
        "comment_restored" => t.comment_restored,
        other => other,
    };
    action.to_owned()
}

fn actor(l: Locale, e: &EventRow) -> String {
    let t = T::get(l);
    match e.actor_role.as_str() {
        "organisation" | "expert" => {
            let org = match (&e.organisation_ru, &e.organisation_en) {
                (Some(ru), Some(en)) => l.pick(ru, en).to_owned(),
                _ => String::new(),
            };
            if e.actor_role == "expert" {
                t.expert.to_owned()
            } else {
                org
            }
        }
        "system" => t.system.to_owned(),
        "moderator" => t.moderator.to_owned(),
        _ if e.actor_name.is_empty() => t.citizen.to_owned(),
        _ => e.actor_name.clone(),
    }
}

pub fn render(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let lt = LT::get(l);
    let i = &d.i;
    let stage = i.stage();
    let reached = |s: Stage| {
        STAGES.iter().position(|x| *x == s) <= STAGES.iter().position(|x| *x == stage)
            || stage == Stage::Closed && d.timeline.iter().any(|e| e.stage == s.as_str())
    };
    html! {
        h1 { (i.title) }
        p.report-meta {
            (stage_badge(l, i)) " · "
            (Level::parse(&i.level).map_or("", |v| v.label(l))) ", " (scope(l, i)) " · "
            a href={ "/organisations/" (i.organisation_id) } { (l.pick(&i.organisation_ru, &i.organisation_en)) }
        }
        @if let Some(f) = d.following {
            (crate::participation::social::views::follow_button(ctx, "initiative", &i.initiative_id.to_string(), f))
        }
        dl.facts {
            dt { (t.initiator) }
            dd {
                (super::domain::Initiator::parse(&i.initiator_kind).map_or("", |k| k.label(l)))
                @if !i.initiator_group.is_empty() { ": " (i.initiator_group) }
                @if i.author_name.is_empty() { " (" (t.hidden_name) ")" } @else { " · " (i.author_name) }
            }
        }
        @if let (Some(due), Some(what)) = (i.act_due_at, stage.act(l)) {
            @if i.overdue(d.at) {
                div.notice.notice-error #overdue { strong { (t.act_overdue) } " " (l.pick(&i.organisation_ru, &i.organisation_en)) " " (t.act_was_due) " " (what) " " (t.by) " " (datetime(l, due)) "." }
            } @else {
                (notice("info", html! { span #act-due { (l.pick(&i.organisation_ru, &i.organisation_en)) " " (t.act_due) " " (what) " " (t.by) " " (datetime(l, due)) "." } }))
            }
        }
        nav aria-label=(t.stages) {
            ol.stages {
                @for s in STAGES {
                    li.current[s == stage] aria-current=[(s == stage).then_some("step")] { @if reached(s) { strong { (s.label(l)) } } @else { (s.label(l)) } }
                }
            }
        }
        (concept(ctx, d))
        @if reached(Stage::Discussion) || d.comment_total > 0 { (discussion(ctx, d)) }
        @if !d.versions.is_empty() || d.can(Act::PublishVersion) { (super::page_text::text(ctx, d)) }
        @if reached(Stage::Expertise) || d.can(Act::AppointExpert) { (expertise(ctx, d)) }
        @if reached(Stage::Reaction) || i.outcome().is_some_and(|o| Outcome::DECISIONS.contains(&o)) { (reaction(ctx, d)) }
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { (t.timeline) }
            ol.timeline {
                @for e in &d.timeline {
                    li { p.timeline-head { strong { (event_label(l, e)) } " · " (datetime(l, e.at)) " · " (actor(l, e)) }
                         @if !e.note.is_empty() && !matches!(e.action.as_str(), "decided" | "closed" | "conclusion_published") { p { (e.note) } } }
                }
            }
        }
        p { a href="/participation/lawmaking" { (lt.title) } }
    }
}

fn concept(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let i = &d.i;
    html! {
        section #concept aria-labelledby="concept-h" {
            h2 #concept-h { (t.concept) }
            h3 { (t.problem) } p.report-text { (i.problem) }
            h3 { (t.idea) } p.report-text { (i.idea) }
            @if i.supports_needed > 0 {
                p #supports { (t.supports) ": " strong { (i.support_count) } " / " (i.supports_needed)
                    @if let (Stage::Concept, Some(end)) = (i.stage(), i.stage_ends_at) { " " (t.until) " " (datetime(l, end)) } }
            }
            @if d.supported { p.hint { (t.supported) } }
            @if d.can(Act::Support) { (act_form(ctx, i.initiative_id, "support", html! { div.actions { button.button type="submit" { (t.support) } } })) }
            @else if ctx.user.is_none() && i.stage() == Stage::Concept { p { a href=(login_href(&ctx.here)) { (t.support) } } }
        }
    }
}

/// Replies by the comment they answer.
type Replies<'a> = std::collections::HashMap<i64, Vec<&'a CommentRow>>;

fn comment_item(
    ctx: &PageCtx,
    d: &Data,
    replies: &Replies<'_>,
    c: &CommentRow,
    depth: usize,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let id = d.i.initiative_id;
    let signed_in = ctx.user.is_some();
    html! {
        li.comment.pinned[c.pinned] id={ "c-" (c.comment_id) } {
            @if c.hidden {
                p.hint { em { (t.hidden) @if !c.hidden_reason.is_empty() { ": " (c.hidden_reason) } } }
            } @else {
                p.timeline-head {
                    @if c.pinned { span.badge { (t.pinned) } " " }
                    strong { @if c.author_name.is_empty() { (t.citizen) } @else { (c.author_name) } }
                    @if c.official { " · " em { (t.official) } }
                    " · " (datetime(l, c.created_at)) " · " (t.agree) ": " (c.support_count)
                }
                p.report-text { (c.body) }
                @if signed_in {
                    div.comment-actions {
                        (act_form(ctx, id, "support_comment", html! { input type="hidden" name="comment_id" value=(c.comment_id); button.button.button-secondary type="submit" { (t.agree) } }))
                        (act_form(ctx, id, "flag_comment", html! { input type="hidden" name="comment_id" value=(c.comment_id); button.button.button-secondary type="submit" { (t.flag) } }))
                        @if d.can(Act::Pin) {
                            (act_form(ctx, id, "pin", html! { input type="hidden" name="comment_id" value=(c.comment_id); input type="hidden" name="pinned" value=(if c.pinned { "0" } else { "1" }); button.button.button-secondary type="submit" { @if c.pinned { (t.unpin) } @else { (t.pin) } } }))
                        }
                    }
                }
                @if d.can(Act::Comment) && depth < 4 {
                    details {
                        summary { (t.reply) }
                        (act_form(ctx, id, "comment", html! {
                            input type="hidden" name="parent" value=(c.comment_id);
                            (field(&format!("reply-{}", c.comment_id), t.your_comment, html! { textarea id={ "reply-" (c.comment_id) } name="body" rows="3" maxlength="2000" required {} }))
                            div.actions { button.button type="submit" { (t.reply) } }
                        }))
                    }
                }
            }
            @if let Some(answers) = replies.get(&c.comment_id) {
                ol.comments { @for r in answers { (comment_item(ctx, d, replies, r, depth + 1)) } }
            }
        }
    }
}

/// Threads a page of the discussion shows.
pub const THREADS_PER_PAGE: usize = 50;

fn discussion(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let mut top: Vec<&CommentRow> = Vec::new();
    let mut replies = Replies::new();
    for c in &d.comments {
        match c.parent_id {
            None => top.push(c),
            Some(p) => replies.entry(p).or_default().push(c),
        }
    }
    let (page, pages) = (d.comment_page, d.comment_pages);
    let base = format!("/participation/lawmaking/{}", d.i.initiative_id);
    html! {
        section #discussion aria-labelledby="discussion-h" {
            h2 #discussion-h { (t.discussion) " (" (d.comment_total) ")" }
            @if let (Stage::Discussion, Some(end)) = (d.i.stage(), d.i.stage_ends_at) { p.hint { (t.until) " " (datetime(l, end)) } }
            @if top.is_empty() { p { (t.no_comments) } }
            ol.comments { @for c in &top { (comment_item(ctx, d, &replies, c, 0)) } }
            (crate::web::components::pager(l, &base, page, pages))
            @if d.can(Act::Comment) {
                (act_form(ctx, d.i.initiative_id, "comment", html! {
                    (field("f-comment", t.your_comment, html! { textarea #f-comment name="body" rows="4" maxlength="2000" required {} }))
                    div.actions { button.button type="submit" { (t.comment) } }
                }))
            }
        }
    }
}

fn expertise(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let id = d.i.initiative_id;
    let kinds: Vec<(String, String)> = Expertise::ALL
        .into_iter()
        .map(|k| (k.as_str().to_owned(), k.label(l).to_owned()))
        .collect();
    let verdicts: Vec<(String, String)> = Verdict::ALL
        .into_iter()
        .map(|k| (k.as_str().to_owned(), k.label(l).to_owned()))
        .collect();
    let none = crate::web::components::FieldErrors::new();
    html! {
        section #expertise aria-labelledby="expertise-h" {
            h2 #expertise-h { (t.expertise) }
            h3 { (t.experts) }
            @if d.experts.is_empty() { p { (t.no_experts) } }
            ul #experts { @for (_, name) in &d.experts { li { @if name.is_empty() { (t.expert) } @else { (name) } } } }
            @if d.can(Act::AppointExpert) {
                details { summary { (t.appoint) }
                    (act_form(ctx, id, "appoint_expert", html! {
                        (field("f-email", t.email, html! { input #f-email type="email" name="email" maxlength="254" required autocomplete="off"; }))
                        div.actions { button.button type="submit" { (t.appoint) } }
                    }))
                }
            }
            h3 { (t.conclusions) }
            @if d.conclusions.is_empty() { p { (t.no_conclusions) } }
            @for c in &d.conclusions {
                article.card.conclusion id={ "conclusion-" (c.kind) } {
                    h4 { (Expertise::parse(&c.kind).map_or("", |k| k.label(l))) }
                    p { strong { (Verdict::parse(&c.verdict).map_or("", |v| v.label(l))) } " · " (t.expert) @if !c.expert_name.is_empty() { ": " (c.expert_name) } " · " (date(l, c.created_at.date())) }
                    p.report-text { (c.summary) }
                    details { summary { (t.document) } div.report-text { (c.document) } }
                }
            }
            @if d.can(Act::Conclude) {
                (act_form(ctx, id, "conclude", html! {
                    (crate::web::components::Select { name: "kind", label: t.kind, options: &kinds, selected: "", placeholder: None, disabled: false }.render(l, &none))
                    (crate::web::components::Select { name: "verdict", label: t.verdict, options: &verdicts, selected: "", placeholder: None, disabled: false }.render(l, &none))
                    (field("f-summary", t.summary, html! { textarea #f-summary name="summary" rows="3" maxlength="2000" required {} }))
                    (field("f-document", t.document, html! { textarea #f-document name="document" rows="10" maxlength="50000" required {} }))
                    div.actions { button.button type="submit" { (t.conclude) } }
                }))
            }
            @if d.can(Act::ToReaction) {
                (act_form(ctx, id, "to_reaction", html! { div.actions { button.button type="submit" { (t.to_reaction) } } }))
            }
        }
    }
}

fn reaction(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let i = &d.i;
    let outcomes: Vec<(String, String)> = Outcome::DECISIONS
        .into_iter()
        .map(|o| (o.as_str().to_owned(), o.label(l).to_owned()))
        .collect();
    let none = crate::web::components::FieldErrors::new();
    html! {
        section #reaction aria-labelledby="reaction-h" {
            h2 #reaction-h { (t.reaction) }
            @if let Some(o) = i.outcome().filter(|o| Outcome::DECISIONS.contains(o)) {
                p #decision { strong { (o.label(l)) }
                    @if !i.decision_number.is_empty() { " · № " (i.decision_number) }
                    @if let Some(dt) = &i.decision_date { " · " (shown_date(l, dt)) }
                }
                @if !i.decision_link.is_empty() { p { a href=(i.decision_link) rel="nofollow noopener" { (t.link) } } }
                @if !i.decision_reasons.is_empty() { p.report-text { (i.decision_reasons) } }
                @if let Some(last) = d.versions.last() { (comparison(l, i, last)) }
            }
            @if d.can(Act::Decide) {
                (act_form(ctx, i.initiative_id, "decide", html! {
                    (crate::web::components::Select { name: "outcome", label: t.outcome, options: &outcomes, selected: "", placeholder: None, disabled: false }.render(l, &none))
                    (field("f-number", t.number, html! { input #f-number type="text" name="number" maxlength="100"; }))
                    (field("f-date", t.act_date, html! { input #f-date type="date" name="date"; }))
                    (field("f-link", t.link, html! { input #f-link type="url" name="link" maxlength="500"; }))
                    (field("f-reasons", t.reasons, html! { textarea #f-reasons name="reasons" rows="4" maxlength="4000" {} }))
                    div.actions { button.button type="submit" { (t.decide) } }
                }))
            }
        }
    }
}

/// The first concept beside the adopted text.
fn comparison(l: Locale, i: &InitiativeRow, last: &VersionRow) -> Markup {
    let t = T::get(l);
    html! {
        section #comparison aria-labelledby="comparison-h" {
            h3 #comparison-h { (t.comparison) }
            div.columns {
                div { h4 { (t.concept) } p.report-text { (i.problem) } p.report-text { (i.idea) } }
                div { h4 { (t.version) " " (last.number) } (document(l, &last.document(), &[])) }
            }
        }
    }
}

/// A text as numbered articles; `marks` are the passages annotated in it
/// (paragraph key and quote), shown highlighted.
pub fn document(l: Locale, doc: &Document, marks: &[(String, String)]) -> Markup {
    let t = T::get(l);
    html! {
        div.law-text {
            @for (a, article) in doc.articles.iter().enumerate() {
                h4 id={ "art-" (a + 1) } { (t.article) " " (a + 1) ". " (article.title) }
                @for (p, text) in article.paragraphs.iter().enumerate() {
                    @let key = format!("{}.{}", a + 1, p + 1);
                    p.law-paragraph id={ "p-" (key) } data-paragraph=(key) {
                        span.paragraph-number { (p + 1) ". " }
                        (highlight(text, marks.iter().filter(|(k, _)| *k == key).map(|(_, q)| q.as_str())))
                    }
                }
            }
        }
    }
}

/// A paragraph with its annotated passages marked.
fn highlight<'a>(text: &str, quotes: impl Iterator<Item = &'a str>) -> Markup {
    let mut spans: Vec<(usize, usize)> = quotes
        .filter(|q| !q.is_empty())
        .filter_map(|q| text.find(q).map(|s| (s, s + q.len())))
        .collect();
    spans.sort();
    // Overlapping passages are one mark; the pieces alternate plain and
    // marked.
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for (s, e) in spans {
        let s = s.max(at);
        if e <= at {
            continue;
        }
        pieces.push((false, &text[at..s]));
        pieces.push((true, &text[s..e]));
        at = e;
    }
    pieces.push((false, &text[at..]));
    html! {
        @for (marked, piece) in pieces {
            @if marked { mark { (piece) } } @else { (piece) }
        }
    }
}

/// The difference of two versions.
pub fn diff(l: Locale, lines: &[DiffLine]) -> Markup {
    let _ = l;
    html! {
        div.diff #diff {
            @for line in lines {
                @match line.change {
                    Change::Same => { p.diff-same { @for (_, s) in &line.parts { (s) } } },
                    Change::Removed => { p.diff-removed { del { @for (e, s) in &line.parts { @if *e { strong { (s) } } @else { (s) } } } } },
                    Change::Added => { p.diff-added { ins { @for (e, s) in &line.parts { @if *e { strong { (s) } } @else { (s) } } } } },
                }
            }
        }
    }
}

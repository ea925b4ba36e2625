//! The pages of priority ranks, as functions of what the handlers read.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::domain::{self, Action, Count, Quarter, Ranked, Topic};
use super::queries::{PriorityRow, RankRow, SnapshotRow};
use super::service::{Burst, Options, ProposalForm, Ranks};
use super::{REGION, population};
use crate::texts;
use crate::web::components::{
    FieldErrors, Input, Select, datetime, error_summary, notice, scroll_label,
};
use crate::web::i18n::Locale;
use crate::web::layout::{PageCtx, login_href};

texts!(pub T {
    suggest: "Предложить, как выполнить этот приоритет", "Suggest how to achieve this priority";
    participation: "Участие", "Participation";
    lead: "Жители края определяют, что важнее всего сделать в их муниципалитете и в крае. Каждый квартал приоритеты ранжируются по доле жителей, поддержавших их.",
          "Residents decide what matters most in their municipality and in the krai. Every quarter the priorities are ranked by the share of residents who supported them.";
    ranks: "Рейтинг приоритетов", "Priority ranks";
    region: "Краснодарский край", "Krasnodar Krai";
    preliminary: "Предварительный рейтинг: квартал ещё идёт, места пересчитываются по мере поддержки.", "Preliminary ranks: the quarter is still open and positions change as supports come in.";
    final_: "Итоговый рейтинг закрытого квартала; не меняется.", "The final ranks of a closed quarter; they do not change.";
    quarter: "Квартал", "Quarter";
    scope: "Где", "Where";
    show: "Показать", "Show";
    position: "Место", "Position";
    change: "Изменение", "Change";
    priority: "Приоритет", "Priority";
    share: "Доля участников", "Share of participants";
    score: "Оценка", "Score";
    supporters: "Поддержали (подтв. + заявл.)", "Supporters (verified + declared)";
    none: "Пока нет опубликованных приоритетов.", "No published priorities yet.";
    how: "Как считается рейтинг", "How the ranks are computed";
    how_local: "Место в муниципалитете — по доле его участников, поддержавших приоритет: v / P, где v — поддержавшие жители муниципалитета, P — все его жители, поддержавшие в квартале хоть один приоритет. При равенстве выше тот, у кого больше нижняя граница 95-процентного интервала Уилсона для доли подтверждённых жителей, затем тот, у кого больше поддержавших.",
               "A municipality's rank orders by the share of its participants who supported a priority: v / P, where v is the residents of the municipality who supported it and P all its residents who supported any priority in the quarter. Ties go to the higher lower bound of the 95 % Wilson interval of the verified residents' share, then to more supporters.";
    how_region: "Место в крае — средневзвешенная по численности населения доля: Σ (Nₘ / N) · (vₘ / Pₘ) по всем 44 муниципалитетам, где Nₘ — население муниципалитета, N — население края. Так каждый муниципалитет весит по числу жителей, а не по тому, сколько из них пришло голосовать.",
                "The region's rank is the population-weighted share: Σ (Nₘ / N) · (vₘ / Pₘ) over the 44 municipalities, where Nₘ is a municipality's population and N the krai's. Each municipality weighs by its population, not by how many of its people came to vote.";
    how_residence: "Голос засчитывается муниципалитету проживания на момент поддержки. Подтверждённое Госуслугами проживание считается полностью, заявленное — с весом", "A support counts for the municipality of residence at the moment it is given. Residence verified by Gosuslugi counts fully, declared residence with the weight";
    how_population: "Население", "Population";
    archive: "Архив рейтингов", "Archive of ranks";
    archive_lead: "Итоги закрытых кварталов. Они также публикуются как открытый набор данных.", "The results of closed quarters. They are also published as an open dataset.";
    closed_at: "Закрыт", "Closed";
    counted: "Приоритетов и поддержек", "Priorities and supports";
    no_archive: "Ещё ни один квартал не закрыт.", "No quarter has closed yet.";
    propose: "Предложить приоритет", "Propose a priority";
    review: "Модерация и проверка", "Moderation and review";
    feed: "Новые приоритеты (Atom)", "New priorities (Atom)";
    topic: "Тема", "Topic";
    organisation: "Ответственная организация", "Responsible organisation";
    support: "Поддержать", "Support";
    withdraw: "Отозвать поддержку", "Withdraw my support";
    you_support: "Вы поддерживаете этот приоритет в этом квартале.", "You support this priority this quarter.";
    used: "Использовано поддержек в квартале", "Supports used this quarter";
    sign_in: "Войдите, чтобы поддержать приоритет.", "Sign in to support the priority.";
    by_municipality: "Поддержка по муниципалитетам в текущем квартале", "Support by municipality this quarter";
    municipality: "Муниципалитет", "Municipality";
    verified: "Подтверждённые", "Verified";
    declared: "Заявленные", "Declared";
    over_time: "Поддержка по неделям квартала", "Support by week of the quarter";
    week: "Неделя", "Week";
    new_supports: "новых поддержек", "new supports";
    history: "Места по кварталам", "Positions by quarter";
    no_history: "Приоритет ещё не был в итоговом рейтинге.", "The priority has not been in a final ranking yet.";
    frozen_note: "Приоритет заморожен: администратор проверяет необычный всплеск поддержки. Поддержка временно не принимается, в рейтинг он не входит.",
                 "The priority is frozen: an administrator is reviewing an unusual burst of supports. It takes no supports for now and is left out of the ranks.";
    title: "Название", "Title";
    description: "Описание", "Description";
    whole_region: "Весь край", "The whole krai";
    choose: "Выберите", "Choose";
    send: "Отправить на модерацию", "Send for moderation";
    proposed: "Приоритет отправлен на модерацию.", "The priority was sent for moderation.";
    waiting: "Ждут модерации", "Awaiting moderation";
    nothing_waiting: "Нет приоритетов на модерации.", "No priorities await moderation.";
    publish: "Опубликовать", "Publish";
    reject: "Отклонить", "Reject";
    reason: "Причина", "Reason";
    bursts: "Всплески поддержки за неделю", "Bursts of support in the past week";
    bursts_lead: "Часы, когда один приоритет поддержали не меньше", "Hours in which one priority got at least";
    bursts_lead2: "раз с учётных записей моложе недели.", "supports from accounts younger than a week.";
    no_bursts: "Всплесков нет.", "No bursts.";
    hour: "Час", "Hour";
    freeze: "Заморозить на проверку", "Freeze for review";
    unfreeze: "Снять заморозку", "Unfreeze";
    frozen_list: "Замороженные", "Frozen";
    done_support: "Ваша поддержка учтена.", "Your support is counted.";
    done_withdraw: "Поддержка отозвана.", "Your support is withdrawn.";
    done: "Готово.", "Done.";
    chart_label: "Столбчатая диаграмма новых поддержек по неделям", "Bar chart of new supports by week";
    map_label: "Карта: доля поддержавших по муниципалитетам", "Map: the share of supporters by municipality";
});

pub fn scope_name(l: Locale, scope: &str) -> String {
    if scope == REGION {
        T::get(l).region.to_owned()
    } else {
        crate::workflow::views::municipality_name(l, scope)
    }
}

fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn counts(c: &Count) -> String {
    format!("{} + {}", c.verified, c.declared)
}

/// The quarter and scope chooser of a ranking.
fn chooser(l: Locale, quarters: &[Quarter], quarter: Quarter, scope: &str) -> Markup {
    let t = T::get(l);
    let q_options: Vec<(String, String)> = quarters
        .iter()
        .map(|q| (q.to_string(), q.label(l)))
        .collect();
    let mut scopes = vec![(REGION.to_owned(), t.region.to_owned())];
    scopes.extend(
        crate::geo::geography()
            .all()
            .iter()
            .map(|m| (m.id.clone(), m.name(l).to_owned())),
    );
    let none = FieldErrors::new();
    html! {
        form.filters method="get" action="/participation/priorities" {
            (Select { name: "quarter", label: t.quarter, options: &q_options, selected: &quarter.to_string(), placeholder: None, disabled: false }.render(l, &none))
            (Select { name: "scope", label: t.scope, options: &scopes, selected: scope, placeholder: None, disabled: false }.render(l, &none))
            button type="submit" { (t.show) }
        }
    }
}

/// A ranking page's body.
pub fn ranking(
    ctx: &PageCtx,
    ranks: &Ranks,
    scope: &str,
    quarters: &[Quarter],
    before: &BTreeMap<i64, i64>,
    priorities: &BTreeMap<i64, PriorityRow>,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let rows = ranks.scope(scope);
    let staff = ctx.user.as_ref().is_some_and(|u| u.is_staff());
    let moderator = ctx.user.as_ref().is_some_and(|u| u.is_moderator());
    html! {
        h1 { (t.ranks) ": " (scope_name(l, scope)) }
        p.lead { (ranks.quarter.label(l)) ". " (if ranks.preliminary { t.preliminary } else { t.final_ }) }
        (chooser(l, quarters, ranks.quarter, scope))
        @if rows.is_empty() {
            p { (t.none) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(scroll_label(l)) {
                table #ranking {
                    thead { tr {
                        th scope="col" { (t.position) }
                        th scope="col" { (t.change) }
                        th scope="col" { (t.priority) }
                        th scope="col" { (if scope == REGION { t.score } else { t.share }) }
                        th scope="col" { (t.supporters) }
                    } }
                    tbody {
                        @for r in rows {
                            @if let Some(p) = priorities.get(&r.priority_id) {
                                tr data-priority=(r.priority_id) {
                                    td.num { (r.position) }
                                    td { (domain::change(r.position, before.get(&r.priority_id).copied(), l)) }
                                    td {
                                        a href={ "/participation/priorities/" (p.priority_id) } { (p.title) }
                                        br;
                                        small { (Topic::parse(&p.topic).map(|x| x.label(l)).unwrap_or("")) " · " (org(l, p)) }
                                    }
                                    td.num { (percent(r.score)) }
                                    td.num { (counts(&r.supporters)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        (formula(l, ranks))
        p.actions {
            a href="/participation/priorities/archive" { (t.archive) }
            " · " a href="/participation/priorities/feed.atom" { (t.feed) }
            @if staff { " · " a href="/participation/priorities/new" { (t.propose) } }
            @if moderator { " · " a href="/participation/priorities/review" { (t.review) } }
        }
    }
}

fn org(l: Locale, p: &PriorityRow) -> &str {
    match l {
        Locale::Ru => &p.organisation_ru,
        Locale::En => &p.organisation_en,
    }
}

/// The formula, the weights and the population it used, as published with
/// every ranking.
fn formula(l: Locale, ranks: &Ranks) -> Markup {
    let t = T::get(l);
    let total: u64 = population::population().values().sum();
    let source = if ranks.population_source == population::SOURCE && l == Locale::En {
        population::SOURCE_EN
    } else {
        ranks.population_source.as_str()
    };
    html! {
        section #formula {
            h2 { (t.how) }
            p { (t.how_local) }
            p { (t.how_region) }
            p { (t.how_residence) " " strong #declared-weight { (ranks.declared_weight) } "." }
            p { (t.how_population) ": " (source) ", " (ranks.population_year) "; N = " (total) "." }
        }
    }
}

/// The archive of snapshots.
pub fn archive(l: Locale, snapshots: &[SnapshotRow]) -> Markup {
    let t = T::get(l);
    html! {
        h1 { (t.archive) }
        p.lead { (t.archive_lead) }
        @if snapshots.is_empty() {
            p { (t.no_archive) }
        } @else {
            ul #snapshots {
                @for s in snapshots {
                    @if let Some(q) = Quarter::parse(&s.quarter) {
                        li {
                            a href={ "/participation/priorities?quarter=" (q) } { (q.label(l)) }
                            " — " (t.closed_at) " " (datetime(l, s.computed_at))
                            ". " (t.counted) ": " (s.priorities) ", " (s.supports) "."
                        }
                    }
                }
            }
        }
    }
}

/// Where a priority stands now, per municipality.
pub struct Standing<'a> {
    pub by_municipality: &'a BTreeMap<String, Count>,
    pub participants: &'a BTreeMap<String, Count>,
    pub weekly: &'a [(time::Date, i64)],
    pub history: &'a [RankRow],
    pub declared_weight: f64,
}

/// A priority's page body.
pub fn priority(ctx: &PageCtx, p: &PriorityRow, o: &Options, s: &Standing<'_>) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let state = p.state();
    let scope = p.municipality_id.as_deref().unwrap_or(REGION);
    html! {
        h1 { (p.title) }
        p.meta {
            (Topic::parse(&p.topic).map(|x| x.label(l)).unwrap_or("")) " · "
            a href={ "/participation/priorities" @if scope != REGION { "?scope=" (scope) } } { (scope_name(l, scope)) }
            " · " (t.organisation) ": " (org(l, p))
            @if !matches!(state, domain::State::Published) { " · " strong #state { (state.label(l)) } }
        }
        @if state == domain::State::Frozen { (notice("warning", html! { (t.frozen_note) })) }
        div.description { @for para in p.description.split('\n') { p { (para) } } }
        (actions(ctx, p, o))
        @if state == domain::State::Published {
            p { a #suggest-for-priority href={ "/participation/suggestions/new?priority=" (p.priority_id) } { (t.suggest) } }
        }
        h2 { (t.by_municipality) }
        (choropleth(l, s))
        div.table-wrap tabindex="0" role="region" aria-label=(scroll_label(l)) {
            table #by-municipality {
                thead { tr {
                    th scope="col" { (t.municipality) }
                    th scope="col" { (t.verified) }
                    th scope="col" { (t.declared) }
                    th scope="col" { (t.share) }
                } }
                tbody {
                    @for (m, c) in s.by_municipality {
                        tr data-municipality=(m) {
                            th scope="row" { (scope_name(l, m)) }
                            td.num { (c.verified) }
                            td.num { (c.declared) }
                            td.num { (percent(local_share(s, m))) }
                        }
                    }
                }
            }
        }
        h2 { (t.over_time) }
        (weekly_chart(l, s.weekly))
        h2 { (t.history) }
        @if s.history.is_empty() {
            p { (t.no_history) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(scroll_label(l)) {
                table #history {
                    thead { tr { th scope="col" { (t.quarter) } th scope="col" { (t.scope) } th scope="col" { (t.position) } th scope="col" { (t.change) } } }
                    tbody {
                        @for (i, r) in s.history.iter().enumerate() {
                            @let before = s.history[..i].iter().rev().find(|h| h.scope == r.scope).map(|h| h.position);
                            tr {
                                td { (Quarter::parse(&r.quarter).map(|q| q.label(l)).unwrap_or_default()) }
                                td { (scope_name(l, &r.scope)) }
                                td.num { (r.position) }
                                td { (domain::change(r.position, before, l)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn local_share(s: &Standing<'_>, m: &str) -> f64 {
    let (Some(c), Some(p)) = (s.by_municipality.get(m), s.participants.get(m)) else {
        return 0.0;
    };
    let d = p.weighted(s.declared_weight);
    if d > 0.0 {
        c.weighted(s.declared_weight) / d
    } else {
        0.0
    }
}

/// The municipalities shaded by the share of their participants who
/// supported (the table beside it says the same in words).
fn choropleth(l: Locale, s: &Standing<'_>) -> Markup {
    let t = T::get(l);
    let shares: BTreeMap<String, f64> = s
        .by_municipality
        .keys()
        .map(|m| (m.clone(), local_share(s, m)))
        .collect();
    crate::geo::views::shaded_map(l, t.map_label, &shares, |m| {
        format!(
            "{}: {}",
            m.name(l),
            percent(shares.get(&m.id).copied().unwrap_or(0.0))
        )
    })
}

/// New supports per week as bars, with the figures in the bars' titles and
/// in a list for screen readers.
fn weekly_chart(l: Locale, weekly: &[(time::Date, i64)]) -> Markup {
    let t = T::get(l);
    let max = weekly.iter().map(|w| w.1).max().unwrap_or(0).max(1);
    let (w, h, bar) = (640.0, 160.0, 640.0 / weekly.len().max(1) as f64);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (w) " " (h + 20.0) } role="img" aria-label=(t.chart_label) xmlns="http://www.w3.org/2000/svg" {
                @for (i, (week, n)) in weekly.iter().enumerate() {
                    @let bh = h * (*n as f64) / (max as f64);
                    rect x=(format!("{:.1}", i as f64 * bar + 2.0)) y=(format!("{:.1}", h - bh)) width=(format!("{:.1}", (bar - 4.0).max(1.0))) height=(format!("{:.1}", bh)) fill="#0b5394" {
                        title { (crate::web::components::date(l, *week)) ": " (n) }
                    }
                }
                line x1="0" y1=(h) x2=(w) y2=(h) stroke="#555" {}
            }
            figcaption {
                ul.chart-data {
                    @for (week, n) in weekly {
                        li { (t.week) " " (crate::web::components::date(l, *week)) ": " (n) " " (t.new_supports) }
                    }
                }
            }
        }
    }
}

fn action_label(l: Locale, a: Action) -> &'static str {
    let t = T::get(l);
    match a {
        Action::Support => t.support,
        Action::Withdraw => t.withdraw,
        Action::Publish => t.publish,
        Action::Reject => t.reject,
        Action::Freeze => t.freeze,
        Action::Unfreeze => t.unfreeze,
    }
}

/// The buttons the rules allow (`domain::decide`), and why supporting is
/// not among them when it is not.
fn actions(ctx: &PageCtx, p: &PriorityRow, o: &Options) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        section #actions {
            @if ctx.user.is_none() {
                p { a href=(login_href(&ctx.here)) { (t.sign_in) } }
            }
            @if o.supports { p #you-support { (t.you_support) } }
            @if ctx.user.is_some() { p.hint { (t.used) ": " (o.used) } }
            @if let Some(b) = &o.blocked {
                @if ctx.user.is_some() && p.state() == domain::State::Published { p #blocked { (b.message().get(l)) } }
            }
            @for a in &o.actions {
                (action_form(ctx, p.priority_id, *a))
            }
        }
    }
}

fn action_form(ctx: &PageCtx, id: i64, a: Action) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let needs_reason = matches!(a, Action::Reject | Action::Freeze);
    let field = format!("reason-{id}-{}", a.as_str());
    html! {
        form.act method="post" action={ "/participation/priorities/" (id) "/act" } {
            (ctx.csrf_field())
            input type="hidden" name="action" value=(a.as_str());
            @if needs_reason {
                label for=(field) { (t.reason) }
                input id=(field) name="note" required minlength="5" maxlength="2000";
            }
            button type="submit" data-action=(a.as_str()) { (action_label(l, a)) }
        }
    }
}

/// The form to propose a priority.
pub fn proposal_form(
    ctx: &PageCtx,
    form: &ProposalForm,
    errors: &FieldErrors,
    organisations: &[(String, String)],
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let topics: Vec<(String, String)> = Topic::ALL
        .iter()
        .map(|x| (x.as_str().to_owned(), x.label(l).to_owned()))
        .collect();
    let mut places = vec![(String::new(), t.whole_region.to_owned())];
    places.extend(
        crate::geo::geography()
            .all()
            .iter()
            .map(|m| (m.id.clone(), m.name(l).to_owned())),
    );
    html! {
        h1 { (t.propose) }
        (error_summary(l, errors))
        form method="post" action="/participation/priorities/new" {
            (ctx.csrf_field())
            (Input::new("title", t.title, &form.title).required().render(l, errors))
            (Input::new("description", t.description, &form.description).kind("textarea").required().render(l, errors))
            (Select { name: "municipality_id", label: t.scope, options: &places, selected: &form.municipality_id, placeholder: None, disabled: false }.render(l, errors))
            (Select { name: "topic", label: t.topic, options: &topics, selected: &form.topic, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            (Select { name: "organisation_id", label: t.organisation, options: organisations, selected: &form.organisation_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
            button type="submit" { (t.send) }
        }
    }
}

/// Moderators' queue; for administrators also the bursts and the frozen.
pub fn review(
    ctx: &PageCtx,
    waiting: &[PriorityRow],
    frozen: &[PriorityRow],
    bursts: Option<(&[Burst], u32)>,
    titles: &BTreeMap<i64, String>,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let item = |p: &PriorityRow, actions: &[Action]| {
        html! {
            li data-priority=(p.priority_id) {
                a href={ "/participation/priorities/" (p.priority_id) } { (p.title) }
                " · " (scope_name(l, p.municipality_id.as_deref().unwrap_or(REGION))) " · " (org(l, p))
                @if !p.state_note.is_empty() { " · " (t.reason) ": " (p.state_note) }
                @for a in actions { (action_form(ctx, p.priority_id, *a)) }
            }
        }
    };
    html! {
        h1 { (t.review) }
        h2 { (t.waiting) }
        @if waiting.is_empty() { p { (t.nothing_waiting) } }
        ul #waiting { @for p in waiting { (item(p, &[Action::Publish, Action::Reject])) } }
        @if let Some((bursts, threshold)) = bursts {
            h2 { (t.bursts) }
            p { (t.bursts_lead) " " (threshold) " " (t.bursts_lead2) }
            @if bursts.is_empty() { p #no-bursts { (t.no_bursts) } }
            div.table-wrap tabindex="0" role="region" aria-label=(scroll_label(l)) {
                table #bursts {
                    thead { tr { th scope="col" { (t.priority) } th scope="col" { (t.hour) } th scope="col" { (t.supporters) } th scope="col" { (t.freeze) } } }
                    tbody {
                        @for b in bursts {
                            tr data-priority=(b.priority_id) {
                                td { a href={ "/participation/priorities/" (b.priority_id) } { (titles.get(&b.priority_id).map(String::as_str).unwrap_or("")) } }
                                td { (datetime(l, b.hour)) }
                                td.num { (b.supports) }
                                td { @if !frozen.iter().any(|f| f.priority_id == b.priority_id) { (action_form(ctx, b.priority_id, Action::Freeze)) } }
                            }
                        }
                    }
                }
            }
            h2 { (t.frozen_list) }
            ul #frozen { @for p in frozen { (item(p, &[Action::Unfreeze])) } }
        }
    }
}

/// The section's landing page.
pub fn landing(l: Locale, top: &[(Ranked, PriorityRow)], quarter: Quarter) -> Markup {
    let t = T::get(l);
    html! {
        section #priorities-block {
            h2 { a href="/participation/priorities" { (t.ranks) } }
            p { (quarter.label(l)) ". " (t.preliminary) }
            @if top.is_empty() { p { (t.none) } }
            ol #top-priorities {
                @for (r, p) in top {
                    li { a href={ "/participation/priorities/" (p.priority_id) } { (p.title) } " — " (percent(r.score)) }
                }
            }
        }
    }
}

/// A notice after an action (`?done=`).
pub fn done(l: Locale, what: &str) -> Option<Markup> {
    let t = T::get(l);
    let text = match what {
        "support" => t.done_support,
        "withdraw" => t.done_withdraw,
        "proposed" => t.proposed,
        "" => return None,
        _ => t.done,
    };
    Some(notice("success", html! { (text) }))
}

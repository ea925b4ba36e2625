//! The pages of service ratings: the month's results, a service's page
//! with its form and history, and their chart (server-drawn SVG with the
//! figures in a table beside it).

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::domain::{Channel, Month, Scale};
use super::queries::{FeedbackRow, ResultRow, ServiceRow};
use crate::web::components::{FieldErrors, error_summary, notice};
use crate::web::i18n::Locale;
use crate::web::layout::{PageCtx, login_href};

crate::texts!(pub T {
    title: "Оценка госуслуг", "Ratings of government services";
    lead: "Оцените услугу, которую вы получили: качество, удобство и скорость, от 1 до 5. Одну услугу можно оценить раз в месяц. Низкая оценка с комментарием попадает организации, которая обязана публично ответить в течение 10 дней.", "Rate a service you received: quality, convenience and speed, from 1 to 5. A service can be rated once a month. A low score with a comment goes to the organisation, which must answer publicly within 10 days.";
    method: "Для каждой услуги за месяц показаны среднее по каждой шкале, число оценок n и 95-процентный доверительный интервал (по распределению Стьюдента). Итог — среднее трёх шкал. Место — среди сопоставимых услуг (та же услуга у разных организаций и в разных каналах) по итогу; при равенстве выше та, у которой выше нижняя граница интервала. Если оценок меньше", "For each service and month: the mean of each scale, the number of ratings n and the 95% confidence interval (Student's t). Overall is the mean of the three scales. The position is among comparable services (the same service from different providers and channels) by the overall mean; of two equal means, the one with the higher lower bound ranks first. With fewer than";
    method_tail: ", вместо чисел написано «мало оценок».", " ratings, the results say “not enough ratings” instead of numbers.";
    month: "Месяц", "Month";
    show: "Показать", "Show";
    preliminary: "Месяц не закончился: результаты предварительные и меняются с каждой оценкой.", "The month is not over: the results are preliminary and change with every rating.";
    closed: "Итоги месяца закрыты и больше не меняются.", "The month is closed; its results no longer change.";
    services: "Услуги", "Services";
    organisations: "Организации", "Organisations";
    service: "Услуга", "Service";
    channel: "Канал", "Channel";
    territory: "Территория", "Territory";
    region: "Весь край", "The whole krai";
    provider: "Организация", "Provider";
    n: "Оценок", "Ratings";
    overall: "Итог (95% интервал)", "Overall (95% interval)";
    change: "Изменение", "Change";
    position: "Место", "Position";
    of: "из", "of";
    not_enough: "мало оценок", "not enough ratings";
    rate: "Оценить услугу", "Rate the service";
    rate_hint: "1 — очень плохо, 5 — отлично.", "1 is very poor, 5 is excellent.";
    comment: "Комментарий (необязательно)", "Comment (optional)";
    comment_hint: "При оценке ниже 3 комментарий станет обращением к организации, и она ответит публично. Ваше имя не будет показано.", "With a score below 3, the comment becomes a request to the organisation, which answers publicly. Your name is not shown.";
    send: "Отправить оценку", "Send the rating";
    sign_in: "Войдите, чтобы оценить услугу", "Sign in to rate the service";
    rated: "Спасибо! Оценка учтена.", "Thank you! Your rating is counted.";
    rated_feedback: "Ваш комментарий передан организации как обращение: ", "Your comment has gone to the organisation as a request: ";
    your_rating: "Ваша оценка в этом месяце", "Your rating this month";
    history: "По месяцам", "By month";
    chart_label: "Итоговая оценка по месяцам со 95-процентными интервалами", "Overall score by month with 95% intervals";
    feedback: "Отзывы и ответы", "Feedback and answers";
    no_feedback: "Отзывов с низкой оценкой не было.", "No feedback with a low score.";
    dataset: "Итоги месяцев — открытый набор данных", "Monthly results as an open dataset";
    api: "JSON API", "JSON API";
    answers_feed: "Лента официальных ответов (Atom)", "Feed of official answers (Atom)";
    no_ratings: "Оценок в этом месяце ещё нет.", "No ratings this month yet.";
    feedback_about: "Отзыв об услуге", "Feedback on the service";
    number: "№", "No.";
});

/// What the results tables show of one subject: a stored or live row, and
/// the previous month's overall mean for the change.
pub struct Line<'a> {
    pub row: &'a ResultRow,
    pub before: Option<f64>,
}

fn fmt2(x: f64) -> String {
    format!("{x:.2}")
}

fn overall_cell(l: Locale, r: &ResultRow) -> Markup {
    let t = T::get(l);
    html! {
        @match (r.overall_mean, r.overall_low, r.overall_high) {
            (Some(m), Some(lo), Some(hi)) => { strong { (fmt2(m)) } " (" (fmt2(lo)) "–" (fmt2(hi)) ")" },
            _ => { span.muted.not-enough { (t.not_enough) } },
        }
    }
}

fn change_cell(r: &ResultRow, before: Option<f64>) -> Markup {
    html! {
        @match super::domain::change(r.overall_mean, before) {
            Some(d) if d > 0.005 => { span.up { "▲" (fmt2(d)) } },
            Some(d) if d < -0.005 => { span.down { "▼" (fmt2(-d)) } },
            Some(_) => { "=" },
            None => { "—" },
        }
    }
}

fn position_cell(l: Locale, r: &ResultRow) -> Markup {
    let t = T::get(l);
    html! {
        @match r.position { Some(p) => { (p) " " (t.of) " " (r.compared) }, None => { "—" } }
    }
}

pub fn territory(l: Locale, m: Option<&str>) -> String {
    match m {
        None => T::get(l).region.to_owned(),
        Some(id) => crate::workflow::views::municipality_name(l, id),
    }
}

pub fn service_name(l: Locale, s: &ServiceRow) -> String {
    l.pick(&s.name_ru, &s.name_en).to_owned()
}

/// The month's results: services by group, then organisations.
#[allow(clippy::too_many_arguments)]
pub fn results(
    ctx: &PageCtx,
    month: Month,
    months: &[Month],
    preliminary: bool,
    min_n: i64,
    services: &BTreeMap<String, ServiceRow>,
    orgs: &BTreeMap<String, (String, String)>,
    lines: &[Line<'_>],
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let month_options: Vec<(String, String)> =
        months.iter().map(|m| (m.to_string(), m.label(l))).collect();
    html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p.hint #method { (t.method) " " (min_n) (t.method_tail) }
        form.filters method="get" action="/participation/services" {
            (crate::web::components::Select { name: "month", label: t.month, options: &month_options, selected: &month.to_string(), placeholder: None, disabled: false }.render(l, &FieldErrors::new()))
            button.button type="submit" { (t.show) }
        }
        p #month-state { strong { (month.label(l)) } ". " @if preliminary { (t.preliminary) } @else { (t.closed) } }
        h2 #services-h { (t.services) }
        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
            table #service-results aria-labelledby="services-h" {
                thead { tr {
                    th scope="col" { (t.service) } th scope="col" { (t.channel) } th scope="col" { (t.territory) }
                    th scope="col" { (t.provider) } th scope="col" { (t.n) } th scope="col" { (t.overall) }
                    th scope="col" { (t.change) } th scope="col" { (t.position) }
                } }
                tbody {
                    @for s in services.values() {
                        @let line = lines.iter().find(|x| x.row.subject_kind == "service" && x.row.subject_id == s.service_id);
                        tr data-service=(s.service_id) {
                            td { a href={ "/participation/services/" (s.service_id) } { (service_name(l, s)) } }
                            td { (Channel::parse(&s.channel).map_or("", |c| c.label(l))) }
                            td { (territory(l, s.municipality_id.as_deref())) }
                            td { (l.pick(&s.organisation_ru, &s.organisation_en)) }
                            @match line {
                                Some(x) => {
                                    td.num { (x.row.n) }
                                    td { (overall_cell(l, x.row)) }
                                    td { (change_cell(x.row, x.before)) }
                                    td { (position_cell(l, x.row)) }
                                },
                                None => { td.num { "0" } td { span.muted { (t.not_enough) } } td { "—" } td { "—" } },
                            }
                        }
                    }
                }
            }
        }
        h2 #orgs-h { (t.organisations) }
        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
            table #organisation-results aria-labelledby="orgs-h" {
                thead { tr { th scope="col" { (t.provider) } th scope="col" { (t.n) } th scope="col" { (t.overall) } th scope="col" { (t.change) } th scope="col" { (t.position) } } }
                tbody {
                    @for x in lines.iter().filter(|x| x.row.subject_kind == "organisation") {
                        tr data-organisation=(x.row.subject_id) {
                            td { a href={ "/organisations/" (x.row.subject_id) } { (orgs.get(&x.row.subject_id).map_or(x.row.subject_id.clone(), |o| l.pick(&o.0, &o.1).to_owned())) } }
                            td.num { (x.row.n) }
                            td { (overall_cell(l, x.row)) }
                            td { (change_cell(x.row, x.before)) }
                            td { (position_cell(l, x.row)) }
                        }
                    }
                }
            }
        }
        ul.links {
            li { a href={ "/opendata/" (super::DATASET) } { (t.dataset) } }
            li { a href="/api/v1/service-results" { (t.api) } }
            li { a href="/participation/answers.atom" { (t.answers_feed) } }
        }
    }
}

/// The rating form's state.
pub struct FormState<'a> {
    pub errors: &'a FieldErrors,
    pub quality: &'a str,
    pub convenience: &'a str,
    pub speed: &'a str,
    pub comment: &'a str,
}

fn scale_field(
    l: Locale,
    name: &'static str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
) -> Markup {
    let err = errors.get(name);
    html! {
        fieldset.field.scores #{ "f-" (name) } aria-describedby=[err.map(|_| format!("e-{name}"))] {
            legend { (label) }
            @if let Some(e) = err { p.field-error id={ "e-" (name) } { (e.get(l)) } }
            @for v in 1..=5 {
                @let id = format!("f-{name}-{v}");
                span.score {
                    input type="radio" id=(id) name=(name) value=(v) required checked[value == v.to_string()];
                    label for=(id) { (v) }
                }
            }
        }
    }
}

/// A service's page.
#[allow(clippy::too_many_arguments)]
pub fn service_page(
    ctx: &PageCtx,
    s: &ServiceRow,
    history: &[ResultRow],
    current: Option<&ResultRow>,
    refusal: Option<&crate::error::Msg>,
    mine: Option<&super::queries::MyRating>,
    form: &FormState<'_>,
    feedback: &[FeedbackRow],
    notice_of: Option<Markup>,
) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    html! {
        @if let Some(n) = notice_of { (n) }
        h1 { (service_name(l, s)) }
        dl.facts {
            dt { (t.provider) } dd { a href={ "/organisations/" (s.organisation_id) } { (l.pick(&s.organisation_ru, &s.organisation_en)) } }
            dt { (t.channel) } dd { (Channel::parse(&s.channel).map_or("", |c| c.label(l))) }
            dt { (t.territory) } dd { (territory(l, s.municipality_id.as_deref())) }
        }
        section #rate aria-labelledby="rate-h" {
            h2 #rate-h { (t.rate) }
            @if ctx.user.is_none() {
                p { a.button href=(login_href(&ctx.here)) { (t.sign_in) } }
            } @else if let Some(m) = mine {
                p #my-rating { (t.your_rating) ": "
                    (Scale::Quality.label(l)) " " (m.quality) ", "
                    (Scale::Convenience.label(l)) " " (m.convenience) ", "
                    (Scale::Speed.label(l)) " " (m.speed) "."
                    @if let Some(id) = m.appeal_id { " " a href=(super::FEEDBACK.path(id)) { (t.feedback_about) " " (t.number) (id) } }
                }
            } @else if let Some(r) = refusal {
                p.notice #rate-refused { (r.get(l)) }
            } @else {
                form.stack method="post" action={ "/participation/services/" (s.service_id) "/rate" } {
                    (ctx.csrf_field())
                    (error_summary(l, form.errors))
                    p.hint { (t.rate_hint) }
                    (scale_field(l, "quality", Scale::Quality.label(l), form.quality, form.errors))
                    (scale_field(l, "convenience", Scale::Convenience.label(l), form.convenience, form.errors))
                    (scale_field(l, "speed", Scale::Speed.label(l), form.speed, form.errors))
                    div.field {
                        label for="f-comment" { (t.comment) }
                        @if let Some(e) = form.errors.get("comment") { p.field-error #e-comment { (e.get(l)) } }
                        p.hint #h-comment { (t.comment_hint) }
                        textarea #f-comment name="comment" rows="3" maxlength=(super::service::COMMENT_MAX) aria-describedby="h-comment" { (form.comment) }
                    }
                    div.actions { button.button type="submit" { (t.send) } }
                }
            }
        }
        section #history aria-labelledby="history-h" {
            h2 #history-h { (t.history) }
            (chart(l, history, current))
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #service-history {
                    thead { tr {
                        th scope="col" { (t.month) } th scope="col" { (t.n) }
                        @for sc in Scale::ALL { th scope="col" { (sc.label(l)) } }
                        th scope="col" { (t.position) }
                    } }
                    tbody {
                        @for r in history.iter().chain(current) {
                            tr {
                                th scope="row" { (Month::parse(&r.month).map_or(r.month.clone(), |m| m.label(l))) @if current.is_some_and(|c| std::ptr::eq(c, r)) { " *" } }
                                td.num { (r.n) }
                                @for (m, lo, hi) in [(r.quality_mean, r.quality_low, r.quality_high), (r.convenience_mean, r.convenience_low, r.convenience_high), (r.speed_mean, r.speed_low, r.speed_high), (r.overall_mean, r.overall_low, r.overall_high)] {
                                    td { @match (m, lo, hi) { (Some(m), Some(lo), Some(hi)) => { (fmt2(m)) " (" (fmt2(lo)) "–" (fmt2(hi)) ")" }, _ => { span.muted { (t.not_enough) } } } }
                                }
                                td { (position_cell(l, r)) }
                            }
                        }
                    }
                }
            }
            @if current.is_some() { p.hint { "* " (t.preliminary) } }
        }
        section #feedback aria-labelledby="feedback-h" {
            h2 #feedback-h { (t.feedback) }
            @if feedback.is_empty() { p { (t.no_feedback) } }
            ul {
                @for f in feedback {
                    li { a href=(super::FEEDBACK.path(f.appeal_id)) { (t.number) (f.appeal_id) } " · " (crate::workflow::State::parse(&f.state).map_or("", |s| s.label(l))) " · " (crate::web::components::datetime(l, f.created_at)) }
                }
            }
        }
    }
}

/// The overall mean by month as points with interval whiskers on a 1–5
/// axis; months without enough ratings are left as gaps (the table says
/// why).
fn chart(l: Locale, history: &[ResultRow], current: Option<&ResultRow>) -> Markup {
    let t = T::get(l);
    let rows: Vec<&ResultRow> = history.iter().chain(current).collect();
    if rows.is_empty() {
        return html! {};
    }
    let (w, h, pad) = (640.0_f64, 200.0_f64, 30.0_f64);
    let step = (w - 2.0 * pad) / rows.len().max(1) as f64;
    let y = |v: f64| h - pad - (v - 1.0) / 4.0 * (h - 2.0 * pad);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(t.chart_label) xmlns="http://www.w3.org/2000/svg" {
                @for v in 1..=5 {
                    line x1=(pad) x2=(w - pad) y1=(format!("{:.1}", y(f64::from(v)))) y2=(format!("{:.1}", y(f64::from(v)))) stroke="#ccc" {}
                    text x="4" y=(format!("{:.1}", y(f64::from(v)) + 4.0)) font-size="11" fill="#333" { (v) }
                }
                @for (i, r) in rows.iter().enumerate() {
                    @let x = pad + step * (i as f64 + 0.5);
                    text x=(format!("{:.1}", x - 18.0)) y=(h - 8.0) font-size="11" fill="#333" { (r.month) }
                    @if let (Some(m), Some(lo), Some(hi)) = (r.overall_mean, r.overall_low, r.overall_high) {
                        line x1=(format!("{x:.1}")) x2=(format!("{x:.1}")) y1=(format!("{:.1}", y(lo))) y2=(format!("{:.1}", y(hi))) stroke="#0b5394" stroke-width="2" {}
                        circle cx=(format!("{x:.1}")) cy=(format!("{:.1}", y(m))) r="5" fill="#0b5394" {
                            title { (r.month) ": " (fmt2(m)) " (" (fmt2(lo)) "–" (fmt2(hi)) "), n = " (r.n) }
                        }
                    }
                }
            }
            figcaption { (t.chart_label) }
        }
    }
}

/// The notice after rating.
pub fn rated_notice(l: Locale, feedback: Option<i64>) -> Markup {
    let t = T::get(l);
    notice(
        "success",
        html! {
            (t.rated)
            @if let Some(id) = feedback { " " (t.rated_feedback) a #feedback-link href=(super::FEEDBACK.path(id)) { (t.number) (id) } }
        },
    )
}

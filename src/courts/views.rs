//! The markup of the court-case pages: the texts, the card and the forms
//! an officer may use (drawn only when `Access` says so).

use maud::{Markup, html};
use time::Date;

use super::domain::{Category, Level, Outcome, PartyKind, Procedure, Risk, Role, show_roubles};
use super::queries::{CaseRow, EnforcementRow, EventRow, HearingRow, InstanceRow, PartyRow};
use crate::texts;
use crate::web::components::date;
use crate::web::i18n::{Locale, iso_date};

texts!(pub CourtTexts {
    title: "Судебные дела", "Court cases";
    orders: "Поручения", "Orders";
    choose: "— выберите —", "— choose —";
    no: "№", "No.";
    subject_hint: "Без имён граждан: предмет виден всем сотрудникам.", "No private person's name: every staff member sees the subject.";
    sections: "Разделы судебных дел", "Court case sections";
    overview: "Обзор", "Overview";
    calendar: "Календарь заседаний", "Hearing calendar";
    counterparties: "Контрагенты", "Counterparties";
    new_case: "Новое дело", "New case";
    cases: "Дела", "Cases";
    case: "Дело", "Case";
    organisation: "Организация", "Organisation";
    portfolio: "Портфель", "Portfolio";
    outside: "Вне портфелей", "Outside portfolios";
    role: "Роль организации", "Our role";
    subject: "Предмет спора", "Subject";
    category: "Категория", "Category";
    procedure: "Кодекс", "Procedure";
    claimed: "Сумма иска, руб.", "Amount claimed, RUB";
    awarded: "Присуждено, руб.", "Amount awarded, RUB";
    risk: "Оценка риска", "Risk";
    lawyer: "Ответственный юрист", "Responsible lawyer";
    nobody: "не назначен", "not assigned";
    link: "Карточка дела в суде", "The court's case card";
    outcome: "Итог", "Outcome";
    pending: "Не рассмотрено", "Pending";
    court: "Суд", "Court";
    number: "Номер дела", "Case number";
    level: "Инстанция", "Instance";
    received: "Поступило", "Received";
    decided: "Решение принято", "Decided";
    full_text: "Изготовлено полностью", "Written out in full";
    in_force: "Вступило в силу", "In force";
    hearings: "Заседания", "Hearings";
    hearing_at: "Дата и время (МСК)", "Date and time (MSK)";
    courtroom: "Зал", "Courtroom";
    result: "Результат", "Result";
    events: "Хронология", "Chronology";
    day: "Дата", "Date";
    event: "Событие", "Event";
    document: "Документ", "Document";
    enforcement: "Исполнение", "Enforcement";
    writ: "Исполнительный лист", "Writ";
    writ_number: "Номер листа", "Writ number";
    writ_date: "Дата выдачи", "Issued on";
    body: "Куда направлен (финансовый орган, казначейство)", "Sent to (finance body, treasury)";
    received_on: "Поступил на исполнение", "Received for payment";
    due_on: "Срок исполнения (БК РФ, гл. 24.1)", "Payment due (Budget Code, ch. 24.1)";
    amount: "Сумма, руб.", "Amount, RUB";
    paid: "Оплачено, руб.", "Paid, RUB";
    unpaid: "Не оплачено по листам, руб.", "Unpaid under writs, RUB";
    add_payment: "Отметить платёж", "Record a payment";
    parties: "Стороны", "Parties";
    kind: "Вид", "Kind";
    name: "Наименование или ФИО", "Name";
    inn: "ИНН", "INN";
    ogrn: "ОГРН", "OGRN";
    private_person: "Физическое лицо", "Private person";
    deadlines: "Сроки обжалования", "Appeal periods";
    prepare_complaint: "Подготовить жалобу", "Prepare the complaint";
    order_open: "поручение открыто, срок", "order open, due";
    at_risk: "Сумма под риском", "Amount at risk";
    at_risk_hint: "Сумма исков к организациям, по которым решение ещё не вступило в силу, по оценке риска юристом.", "The amounts claimed from our organisations in cases without a decision in force, by the lawyer's risk assessment.";
    total: "Всего", "Total";
    open_cases: "Дел на рассмотрении", "Cases pending";
    all_cases: "Всего дел", "All cases";
    outcomes: "Итоги по категориям", "Outcomes by category";
    filter: "Отобрать", "Filter";
    all: "Все", "All";
    show: "Показать", "Show";
    from: "С", "From";
    days: "Дней", "Days";
    no_hearings: "Заседаний в эти дни нет.", "No hearings on these days.";
    no_cases: "Дел нет.", "No cases.";
    save: "Сохранить", "Save";
    create: "Внести дело", "Enter the case";
    counterparty: "Другая сторона", "The other party";
    add_instance: "Дело перешло в следующую инстанцию", "The case moved to a higher instance";
    add_decision: "Решение инстанции", "The instance's decision";
    add_hearing: "Назначено заседание", "A hearing is set";
    add_event: "Событие в хронологию", "An event of the chronology";
    add_enforcement: "Исполнительный лист", "A writ of execution";
    instance: "Инстанция", "Instance";
    change_risk: "Изменить оценку риска", "Change the risk assessment";
    import: "Загрузить список дел", "Import a list of cases";
    import_hint: "Файл .xlsx или .csv со строкой заголовков: «Суд», «Номер дела», «Дата поступления», «ИНН организации» (или «Код организации»), «Роль организации», «Контрагент», «Предмет спора», «Кодекс»; по желанию «Инстанция», «Категория», «Сумма иска, руб.», «Оценка риска», «Вид контрагента», «ИНН контрагента», «ОГРН контрагента», «Ссылка на карточку дела». Дела, чей суд и номер уже известны, пропускаются; файл с ошибками не загружается.", "An .xlsx or .csv file with a header row in Russian: court, case number, date received, the organisation's INN (or directory code), its role, the other party, the subject, the procedure code; optionally the instance, category, amount claimed, risk, kind, INN and OGRN of the other party and a link to the court's card. Cases whose court and number are known are skipped; a file with errors is not imported.";
    file: "Файл", "File";
    upload: "Загрузить", "Import";
    imported: "Загружено дел", "Cases imported";
    skipped: "Уже были (пропущены)", "Already known (skipped)";
    import_failed: "Файл не загружен: исправьте строки и загрузите снова", "The file was not imported: correct the rows and import it again";
    row: "Строка", "Row";
    column: "Столбец", "Column";
    reason: "Причина", "Reason";
    rejected: "Строк с ошибками", "Rows with errors";
    persons_hidden: "Физические лица (имена скрыты)", "Private persons (names withheld)";
    won_count: "В нашу пользу", "Won";
    lost_count: "Не в нашу пользу", "Lost";
    partly_count: "Частично", "Partly";
    settled_count: "Мировое", "Settled";
    reminder_lead: "Напоминание: завтра судебное заседание,", "Reminder: a court hearing tomorrow,";
    demo_note: "Учебные данные демонстрационного региона.", "Demo region's sample data.";
});

pub fn nav(l: Locale) -> Markup {
    let t = CourtTexts::get(l);
    html! {
        nav.pm-nav aria-label=(t.sections) {
            ul {
                li { a href="/pm" { "← " (t.orders) } }
                li { a href="/pm/courts" { (t.overview) } }
                li { a href="/pm/courts/calendar" { (t.calendar) } }
                li { a href="/pm/courts/counterparties" { (t.counterparties) } }
                li { a href="/pm/courts/new" { (t.new_case) } }
            }
        }
    }
}

pub fn outcome_label(l: Locale, code: &str) -> &'static str {
    Outcome::parse(code).map_or(CourtTexts::get(l).pending, |o| o.label(l))
}

pub fn label<T: Copy>(
    parse: fn(&str) -> Option<T>,
    show: fn(T, Locale) -> &'static str,
    code: &str,
    l: Locale,
) -> &'static str {
    parse(code).map_or("—", |v| show(v, l))
}

/// A party as a reader may see it: a private person's name only for those
/// who may see it.
pub fn party_name(l: Locale, p: &PartyRow, see_internal: bool) -> String {
    if p.kind == PartyKind::Person.as_str() && !see_internal {
        CourtTexts::get(l).private_person.to_owned()
    } else {
        p.name.clone()
    }
}

fn opt_date(l: Locale, d: Option<Date>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| date(l, d))
}

pub use crate::web::components::{input, select};

pub fn vocab_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    show: fn(T, Locale) -> &'static str,
    l: Locale,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), show(*v, l).to_owned()))
        .collect()
}

pub struct Card<'a> {
    pub case: &'a CaseRow,
    pub org_name: String,
    pub parties: &'a [PartyRow],
    pub instances: &'a [InstanceRow],
    pub hearings: &'a [HearingRow],
    pub events: &'a [EventRow],
    pub enforcements: &'a [EnforcementRow],
    pub deadlines: Vec<(String, Date)>,
    pub see_internal: bool,
    pub edit: bool,
}

pub fn card(l: Locale, c: &Card<'_>) -> Markup {
    let t = CourtTexts::get(l);
    let k = c.case;
    let base = format!("/pm/courts/cases/{}", k.case_id);
    let instance_options: Vec<(String, String)> = c
        .instances
        .iter()
        .map(|i| {
            (
                i.instance_id.to_string(),
                format!(
                    "{} — {} {} {}",
                    label(Level::parse, Level::label, &i.level, l),
                    i.court,
                    t.no,
                    i.number
                ),
            )
        })
        .collect();
    html! {
        dl.pm-summary {
            div { dt { (t.organisation) } dd #case-org { (c.org_name) } }
            div { dt { (t.role) } dd { (label(Role::parse, Role::label, &k.role, l)) } }
            div { dt { (t.category) } dd { (label(Category::parse, Category::label, &k.category, l)) } }
            div { dt { (t.procedure) } dd { (label(Procedure::parse, Procedure::label, &k.procedure, l)) } }
            div { dt { (t.claimed) } dd #case-claimed { (show_roubles(k.claimed, l)) } }
            div { dt { (t.awarded) } dd #case-awarded { (k.awarded.map_or("—".to_owned(), |a| show_roubles(a, l))) } }
            div { dt { (t.risk) } dd #case-risk { (label(Risk::parse, Risk::label, &k.risk, l)) } }
            div { dt { (t.outcome) } dd #case-outcome { (outcome_label(l, &k.outcome)) } }
            div { dt { (t.lawyer) } dd { (k.lawyer_name.as_deref().unwrap_or(t.nobody)) } }
            @if !k.link.is_empty() { div { dt { (t.link) } dd { a href=(k.link) rel="noopener noreferrer" { (k.link) } } } }
        }
        h2 { (t.parties) }
        ul #case-parties {
            @for p in c.parties {
                li { (label(Role::parse, Role::label, &p.role, l)) ": " (party_name(l, p, c.see_internal))
                    @if p.kind == "organisation" || c.see_internal {
                        @if let Some(inn) = &p.inn { ", " (t.inn) " " (inn) }
                        @if let Some(o) = &p.ogrn { ", " (t.ogrn) " " (o) }
                    }
                }
            }
        }
        @if !c.deadlines.is_empty() {
            h2 { (t.deadlines) }
            ul #case-deadlines {
                @for (article, due) in &c.deadlines {
                    li { (t.prepare_complaint) " (" (article) "): " (t.order_open) " " (date(l, *due)) }
                }
            }
        }
        @for i in c.instances {
            section.case-instance aria-labelledby={ "inst-" (i.instance_id) } {
                h2 id={ "inst-" (i.instance_id) } { (label(Level::parse, Level::label, &i.level, l)) ": " (i.court) ", " (t.no) " " (i.number) }
                dl.pm-summary {
                    div { dt { (t.received) } dd { (date(l, i.received_on)) } }
                    div { dt { (t.decided) } dd { (opt_date(l, i.decided_on)) } }
                    div { dt { (t.full_text) } dd { (opt_date(l, i.full_text_on)) } }
                    div { dt { (t.in_force) } dd { (opt_date(l, i.in_force_on)) } }
                    div { dt { (t.outcome) } dd.instance-outcome { (i.outcome.as_deref().map_or(t.pending, |o| outcome_label(l, o))) } }
                }
                @let hs: Vec<&HearingRow> = c.hearings.iter().filter(|h| h.instance_id == i.instance_id).collect();
                @if !hs.is_empty() {
                    h3 { (t.hearings) }
                    ul.case-hearings {
                        @for h in hs {
                            li { (crate::web::components::datetime(l, h.starts_at)) @if !h.courtroom.is_empty() { ", " (t.courtroom) " " (h.courtroom) } @if !h.result.is_empty() { " — " (h.result) }
                                @if c.edit && h.result.is_empty() {
                                    form.inline-form method="post" action={ (base) "/hearings/" (h.hearing_id) "/result" } {
                                        (input(&format!("hr{}", h.hearing_id), "result", &format!("{} ({})", t.result, crate::web::components::datetime(l, h.starts_at)), "text", true))
                                        button.button type="submit" { (t.save) }
                                    }
                                }
                            }
                        }
                    }
                }
                @let es: Vec<&EventRow> = c.events.iter().filter(|e| e.instance_id == i.instance_id).collect();
                @if !es.is_empty() {
                    h3 { (t.events) }
                    ul.case-events {
                        @for e in es { li { (date(l, e.day)) " — " (e.kind) @if !e.result.is_empty() { ": " (e.result) } @if !e.document.is_empty() { " (" (e.document) ")" } } }
                    }
                }
            }
        }
        @if !c.enforcements.is_empty() {
            h2 { (t.enforcement) }
            div.table-wrap tabindex="0" role="region" aria-label=(t.enforcement) {
                table #case-enforcement {
                    thead { tr { th scope="col" { (t.writ_number) } th scope="col" { (t.writ_date) } th scope="col" { (t.body) } th scope="col" { (t.received_on) } th scope="col" { (t.due_on) } th scope="col" { (t.amount) } th scope="col" { (t.paid) } } }
                    tbody {
                        @for e in c.enforcements {
                            tr {
                                td { (e.writ_number) } td { (date(l, e.writ_date)) } td { (e.body) } td { (date(l, e.received_on)) }
                                td { (date(l, e.due_on)) } td { (show_roubles(e.amount, l)) } td.paid { (show_roubles(e.paid, l)) }
                            }
                        }
                    }
                }
            }
        }
        @if c.edit {
            (forms(l, &base, &instance_options, c.enforcements))
        }
    }
}

fn forms(
    l: Locale,
    base: &str,
    instances: &[(String, String)],
    enforcements: &[EnforcementRow],
) -> Markup {
    let t = CourtTexts::get(l);
    let levels = vocab_options(Level::ALL, Level::as_str, Level::label, l);
    let outcomes = vocab_options(Outcome::ALL, Outcome::as_str, Outcome::label, l);
    let risks = vocab_options(Risk::ALL, Risk::as_str, Risk::label, l);
    html! {
        details.case-form { summary { (t.add_decision) }
            form method="post" action={ (base) "/decision" } {
                (select("dec", "instance_id", t.instance, instances, None))
                (input("dec", "decided_on", t.decided, "date", true))
                (input("dec", "full_text_on", t.full_text, "date", false))
                (input("dec", "in_force_on", t.in_force, "date", false))
                (select("dec", "outcome", t.outcome, &outcomes, Some(t.choose)))
                (input("dec", "awarded", t.awarded, "text", false))
                button.button type="submit" { (t.save) }
            }
        }
        details.case-form { summary { (t.add_hearing) }
            form method="post" action={ (base) "/hearings" } {
                (select("hear", "instance_id", t.instance, instances, None))
                (input("hear", "starts_at", t.hearing_at, "datetime-local", true))
                (input("hear", "courtroom", t.courtroom, "text", false))
                button.button type="submit" { (t.save) }
            }
        }
        details.case-form { summary { (t.add_event) }
            form method="post" action={ (base) "/events" } {
                (select("ev", "instance_id", t.instance, instances, None))
                (input("ev", "day", t.day, "date", true))
                (input("ev", "kind", t.event, "text", true))
                (input("ev", "result", t.result, "text", false))
                (input("ev", "document", t.document, "text", false))
                button.button type="submit" { (t.save) }
            }
        }
        details.case-form { summary { (t.add_instance) }
            form method="post" action={ (base) "/instances" } {
                (select("inst", "level", t.level, &levels[1..], None))
                (input("inst", "court", t.court, "text", true))
                (input("inst", "number", t.number, "text", true))
                (input("inst", "received_on", t.received, "date", true))
                button.button type="submit" { (t.save) }
            }
        }
        details.case-form { summary { (t.add_enforcement) }
            form method="post" action={ (base) "/enforcements" } {
                (input("enf", "writ_number", t.writ_number, "text", true))
                (input("enf", "writ_date", t.writ_date, "date", true))
                (input("enf", "body", t.body, "text", true))
                (input("enf", "received_on", t.received_on, "date", true))
                (input("enf", "amount", t.amount, "text", true))
                button.button type="submit" { (t.save) }
            }
        }
        @for e in enforcements {
            @if e.paid < e.amount {
                details.case-form { summary { (t.add_payment) ": " (e.writ_number) }
                    form method="post" action={ (base) "/enforcements/" (e.enforcement_id) "/payments" } {
                        (input(&format!("pay{}", e.enforcement_id), "amount", &format!("{} ({})", t.amount, e.writ_number), "text", true))
                        button.button type="submit" { (t.save) }
                    }
                }
            }
        }
        details.case-form { summary { (t.change_risk) }
            form method="post" action={ (base) "/risk" } {
                (select("risk", "risk", t.risk, &risks, None))
                button.button type="submit" { (t.save) }
            }
        }
    }
}

/// The hearing calendar's days.
pub fn calendar(
    l: Locale,
    days: &[(Date, Vec<&HearingRow>)],
    orgs: &dyn Fn(&str) -> String,
) -> Markup {
    let t = CourtTexts::get(l);
    html! {
        @if days.is_empty() { p #no-hearings { (t.no_hearings) } }
        @for (d, hs) in days {
            section.calendar-day aria-labelledby={ "day-" (iso_date(*d)) } {
                h2 id={ "day-" (iso_date(*d)) } { (date(l, *d)) }
                ul {
                    @for h in hs {
                        li.hearing {
                            @let at = h.starts_at.to_offset(time::macros::offset!(+3));
                            (format!("{:02}:{:02}", at.hour(), at.minute())) " — "
                            a href={ "/pm/courts/cases/" (h.case_id) } { (h.court) ", " (t.no) " " (h.number) }
                            " (" (label(Level::parse, Level::label, &h.level, l)) "), " (orgs(&h.organisation_id)) ": " (h.subject)
                            @if !h.courtroom.is_empty() { ", " (t.courtroom) " " (h.courtroom) }
                        }
                    }
                }
            }
        }
    }
}

//! The markup of the staffing pages: summaries, the fill chart, the tables
//! and the forms an officer may use (drawn only when `Access` says so).

use maud::{Markup, PreEscaped, html};
use time::Date;

use super::domain::{AbsenceKind, FlagKind, Rates, Totals, percent};
use super::queries::{FlagRow, HoldingRow, ScheduleRow, VacancyRow};
use crate::texts;
use crate::web::components::date;
use crate::web::i18n::{Locale, iso_date};
use crate::web::layout::PageCtx;

pub fn nav(l: Locale) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        nav.pm-nav aria-label=(t.sections) {
            ul {
                li { a href="/pm" { (t.orders_dashboard) } }
                li { a href="/pm/staff" { (t.staff_region) } }
            }
        }
    }
}

/// The date picker every page has: the figures are "as of a date".
pub fn as_of_form(l: Locale, here: &str, at: Date) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        form.inline-form method="get" action=(here) {
            div.field {
                label for="f-date" { (t.as_of) }
                input #f-date type="date" name="date" value=(iso_date(at));
            }
            button.button type="submit" { (t.show) }
        }
    }
}

pub fn summary(l: Locale, s: &Totals, flags: usize) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        dl.pm-summary {
            div { dt { (t.rates) } dd #staff-rates { (s.rates.show(l)) } }
            div { dt { (t.filled) } dd #staff-filled { (s.filled.show(l)) } }
            div { dt { (t.fill_rate) } dd #staff-fill { (percent(s.fill())) " %" } }
            div { dt { (t.temporarily_vacant) } dd #staff-away { (s.away.show(l)) } }
            div { dt { (t.vacant) } dd #staff-vacant { (s.vacant.show(l)) } }
            div { dt { (t.open_flags) } dd #staff-flags { (flags) } }
        }
    }
}

/// Horizontal bars of the fill rate (0–100 %), one per row.
pub fn fill_chart(l: Locale, title: &str, bars: &[(String, f64)]) -> Markup {
    let t = StaffTexts::get(l);
    let (bar_h, gap, label_w, width) = (20.0, 8.0, 260.0, 760.0);
    let plot_w = width - label_w - 70.0;
    let height = bars.len() as f64 * (bar_h + gap) + 20.0;
    let esc = |s: &str| maud::html!((s)).into_string();
    let mut svg = format!(
        r##"<svg class="pm-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="fill-chart-title" xmlns="http://www.w3.org/2000/svg"><title id="fill-chart-title">{}</title>"##,
        esc(title)
    );
    for (i, (name, share)) in bars.iter().enumerate() {
        let y = 10.0 + i as f64 * (bar_h + gap);
        let short: String = name.chars().take(38).collect();
        let w = share.clamp(0.0, 1.0) * plot_w;
        let color = if *share < 0.8 { "#c62828" } else { "#2e7d32" };
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1a1a1a">{}</text><rect x="{label_w}" y="{y:.1}" width="{plot_w:.1}" height="{bar_h}" fill="#e0e0e0"/><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{bar_h}" fill="{color}"><title>{}: {} %</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="#1a1a1a">{} %</text>"##,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(&short),
            esc(t.fill_rate),
            percent(*share),
            label_w + plot_w + 6.0,
            y + bar_h * 0.7,
            percent(*share)
        ));
    }
    svg.push_str("</svg>");
    html! { figure.pm-figure { (PreEscaped(svg)) } }
}

pub fn flag_text(l: Locale, kind: &str, value: i64, unit: &str, position: &str) -> String {
    let t = StaffTexts::get(l);
    match FlagKind::parse(kind) {
        Some(FlagKind::KeyVacant) => {
            format!("{} «{position}» ({unit}): {value} {}", t.key_vacant, t.days)
        }
        Some(FlagKind::UnitFill) => format!("{} «{unit}»: {value} %", t.unit_fill),
        Some(FlagKind::UnitActing) => format!("{} «{unit}»: {value} %", t.unit_acting),
        None => kind.to_owned(),
    }
}

pub fn flags_list(l: Locale, flags: &[(FlagRow, String)]) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        h2 #flags { (t.flags) }
        @if flags.is_empty() { p { (t.no_flags) } } @else {
            ul #flag-list {
                @for (f, text) in flags {
                    li { (text) " — " (t.raised) " " (crate::web::components::datetime(l, f.raised_at)) }
                }
            }
        }
    }
}

pub fn schedules(l: Locale, rows: &[ScheduleRow]) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        h2 { (t.versions) }
        @if rows.is_empty() { p { (t.no_schedule) } } @else {
            ul #schedule-versions {
                @for s in rows {
                    li {
                        (t.order) " № " (s.order_number) " " (t.of) " " (date(l, s.order_date)) ": "
                        (date(l, s.valid_from)) " — "
                        @if let Some(to) = s.valid_to { (date(l, to)) } @else { (t.in_force) }
                    }
                }
            }
        }
    }
}

/// The note of a position in the completeness report: who holds it (for
/// those who may see names), who is away and why, and acting holders.
pub fn holders_note(l: Locale, hs: &[&HoldingRow], names: bool) -> String {
    let t = StaffTexts::get(l);
    hs.iter()
        .map(|h| {
            let who = if names {
                h.person_name.clone()
            } else {
                t.occupied.to_owned()
            };
            let mut s = format!("{who} ({})", Rates(h.rate).show(l));
            if h.acting {
                s.push_str(&format!(", {}", t.acting));
            }
            // Why a holder is away (maternity) is about the person: only
            // for those who see names; others read that the post is held by
            // someone away.
            if let Some(k) = h.absence.as_deref().and_then(AbsenceKind::parse) {
                let why = if names { k.label(l) } else { t.away };
                s.push_str(&format!(", {why}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

// ---- Forms (officers of the organisation and administrators) --------------

pub fn import_form(ctx: &PageCtx, org: &str) -> Markup {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    html! {
        h2 #import { (t.import_t3) }
        p { (t.import_hint) }
        form method="post" action={ "/pm/staff/organisations/" (org) "/import" } enctype="multipart/form-data" {
            (ctx.csrf_field())
            div.field { label for="f-order-number" { (t.order_number) } input #f-order-number name="order_number" required maxlength="100"; }
            div.field { label for="f-order-date" { (t.order_date) } input #f-order-date type="date" name="order_date" required; }
            div.field { label for="f-valid-from" { (t.valid_from) } input #f-valid-from type="date" name="valid_from" required; }
            div.field { label for="f-t3" { (t.t3_file) } input #f-t3 type="file" name="file" accept=".xlsx,.csv" required; }
            button.button type="submit" { (t.import) }
        }
    }
}

pub fn thresholds_form(ctx: &PageCtx, org: &str, th: &super::domain::Thresholds) -> Markup {
    let t = StaffTexts::get(ctx.locale);
    html! {
        h2 { (t.thresholds) }
        form method="post" action={ "/pm/staff/organisations/" (org) "/thresholds" } {
            (ctx.csrf_field())
            div.field { label for="f-key-days" { (t.key_vacant_days) } input #f-key-days type="number" min="0" max="3650" name="key_vacant_days" value=(th.key_vacant_days) required; }
            div.field { label for="f-min-fill" { (t.unit_min_fill) } input #f-min-fill type="number" min="0" max="100" name="unit_min_fill" value=(th.unit_min_fill) required; }
            div.field { label for="f-acting" { (t.acting_max) } input #f-acting type="number" min="0" max="100" name="acting_max" value=(th.acting_max) required; }
            button.button type="submit" { (t.save) }
        }
    }
}

/// Forms of one position: assign a person, open, publish or close its
/// vacancy.
pub fn position_forms(ctx: &PageCtx, org: &str, position_id: i64, today: Date) -> Markup {
    let t = StaffTexts::get(ctx.locale);
    let id = |s: &str| format!("f-{s}-{position_id}");
    html! {
        details.position-forms {
            summary { (t.change) }
            form method="post" action={ "/pm/staff/organisations/" (org) "/assignments" } {
                (ctx.csrf_field())
                input type="hidden" name="position_id" value=(position_id);
                div.field { label for=(id("name")) { (t.person) } input id=(id("name")) name="person_name" required maxlength="200" autocomplete="off"; }
                div.field { label for=(id("rate")) { (t.rate) } input id=(id("rate")) name="rate" value="1" required inputmode="decimal"; }
                div.field { label for=(id("from")) { (t.starts_on) } input id=(id("from")) type="date" name="starts_on" value=(iso_date(today)) required; }
                div.field.checkbox { input id=(id("acting")) type="checkbox" name="acting" value="on"; label for=(id("acting")) { (t.acting_holder) } }
                button.button type="submit" { (t.assign) }
            }
            form method="post" action={ "/pm/staff/organisations/" (org) "/vacancies" } {
                (ctx.csrf_field())
                input type="hidden" name="position_id" value=(position_id);
                div.field { label for=(id("vday")) { (t.day) } input id=(id("vday")) type="date" name="day" value=(iso_date(today)) required; }
                button.button.secondary type="submit" name="action" value="open" { (t.open_vacancy) } " "
                button.button.secondary type="submit" name="action" value="publish" { (t.publish_vacancy) } " "
                button.button.secondary type="submit" name="action" value="close" { (t.close_vacancy) }
            }
        }
    }
}

/// Forms of one assignment: it ends, or its holder goes on leave.
pub fn assignment_forms(ctx: &PageCtx, org: &str, a: i64, today: Date) -> Markup {
    let t = StaffTexts::get(ctx.locale);
    let l = ctx.locale;
    let id = |s: &str| format!("f-{s}-a{a}");
    html! {
        details.position-forms {
            summary { (t.change_assignment) }
            form method="post" action={ "/pm/staff/organisations/" (org) "/assignments/" (a) "/end" } {
                (ctx.csrf_field())
                div.field { label for=(id("last")) { (t.last_day) } input id=(id("last")) type="date" name="last_day" value=(iso_date(today)) required; }
                button.button.secondary type="submit" { (t.end) }
            }
            form method="post" action={ "/pm/staff/organisations/" (org) "/assignments/" (a) "/absences" } {
                (ctx.csrf_field())
                div.field { label for=(id("kind")) { (t.absence) }
                    select id=(id("kind")) name="kind" {
                        option value="maternity" { (AbsenceKind::Maternity.label(l)) }
                        option value="long_leave" { (AbsenceKind::LongLeave.label(l)) }
                    }
                }
                div.field { label for=(id("afrom")) { (t.starts_on) } input id=(id("afrom")) type="date" name="starts_on" value=(iso_date(today)) required; }
                div.field { label for=(id("ato")) { (t.ends_on) } input id=(id("ato")) type="date" name="ends_on"; }
                button.button.secondary type="submit" { (t.add_absence) }
            }
        }
    }
}

pub fn vacancies(l: Locale, rows: &[(VacancyRow, String)]) -> Markup {
    let t = StaffTexts::get(l);
    html! {
        h2 { (t.vacancies) }
        @if rows.is_empty() { p { (t.no_vacancies) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #vacancies {
                    thead { tr { th scope="col" { (t.position) } th scope="col" { (t.opened) } th scope="col" { (t.published) } th scope="col" { (t.closed) } } }
                    tbody {
                        @for (v, title) in rows {
                            tr {
                                td { (title) }
                                td { (date(l, v.opened_on)) }
                                td { @if let Some(d) = v.published_on { (date(l, d)) } }
                                td { @if let Some(d) = v.closed_on { (date(l, d)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

texts!(pub StaffTexts {
    sections: "Разделы контроля", "Control sections";
    orders_dashboard: "Поручения", "Orders";
    staff_region: "Укомплектованность", "Staff completeness";
    region_title: "Укомплектованность штата: сводка по краю", "Staff completeness: the region";
    as_of: "По состоянию на", "As of";
    show: "Показать", "Show";
    rates: "Штатных единиц", "Staff units";
    filled: "Замещено", "Filled";
    fill_rate: "Укомплектованность", "Fill rate";
    temporarily_vacant: "Временно вакантно (отпуск по уходу и др.)", "Temporarily vacant (leave)";
    vacant: "Вакантно", "Vacant";
    open_flags: "Открытых рисков", "Open risks";
    portfolio: "Портфель", "Portfolio";
    organisation: "Организация", "Organisation";
    unit: "Подразделение", "Unit";
    positions: "Должностей", "Posts";
    fill_by_portfolio: "Укомплектованность по портфелям", "Fill rate by portfolio";
    fill_by_organisation: "Укомплектованность по организациям", "Fill rate by organisation";
    fill_by_quarter: "Укомплектованность по кварталам", "Fill rate by quarter";
    outside: "Вне портфелей", "Outside portfolios";
    longest: "Самые долгие вакансии", "The longest vacancies";
    days_vacant: "Дней вакантна", "Days vacant";
    key: "Ключевая", "Key";
    yes: "да", "yes";
    key_vacant: "Ключевая должность вакантна", "Key post vacant";
    days: "дн.", "days";
    unit_fill: "Низкая укомплектованность", "Low fill rate";
    unit_acting: "Много временно исполняющих обязанности", "Many acting holders";
    flags: "Риски", "Risks";
    no_flags: "Рисков нет.", "No risks.";
    raised: "с", "since";
    versions: "Версии штатного расписания", "Versions of the staffing schedule";
    no_schedule: "Штатное расписание ещё не загружено.", "No staffing schedule has been imported yet.";
    order: "Приказ", "Order";
    of: "от", "of";
    in_force: "действует", "in force";
    units: "Подразделения", "Units";
    own: "Собственные должности", "Own posts";
    with_children: "С подчинёнными подразделениями", "With the units below";
    report: "Укомплектованность штата", "Staff completeness report";
    position: "Должность", "Position";
    category: "Категория", "Category";
    note: "Примечание", "Note";
    occupied: "занята", "held";
    away: "временно отсутствует", "temporarily away";
    acting: "временно исполняющий обязанности", "acting";
    vacant_only: "Только вакантные", "Vacancies only";
    all_units: "Все подразделения", "All units";
    filter: "Отобрать", "Filter";
    export_t3: "Штатное расписание (Т-3), XLSX", "Staffing schedule (T-3), XLSX";
    import_t3: "Загрузить штатное расписание (Т-3)", "Import a staffing schedule (T-3)";
    import_hint: "Файл .xlsx или .csv, как его выгружает 1С:ЗУП: строка заголовков формы Т-3 с кодом подразделения, категорией и количеством штатных единиц. Файл с ошибками не загружается, ошибки перечисляются по строкам.", "An .xlsx or .csv file as 1C:ZUP exports it: the header row of the T-3 form with the unit code, the category and the number of staff units. A file with errors is not imported; its errors are listed by row.";
    order_number: "Номер приказа об утверждении", "Number of the approving order";
    order_date: "Дата приказа", "Date of the order";
    valid_from: "Действует с", "In force from";
    t3_file: "Файл Т-3", "T-3 file";
    import: "Загрузить", "Import";
    thresholds: "Пороги рисков", "Risk thresholds";
    key_vacant_days: "Ключевая должность вакантна дольше, дней", "A key post vacant longer than, days";
    unit_min_fill: "Подразделение укомплектовано меньше чем на, %", "A unit filled below, %";
    acting_max: "Доля временно исполняющих обязанности больше, %", "Share of acting holders above, %";
    save: "Сохранить", "Save";
    change: "Назначение и вакансия", "Assignment and vacancy";
    choose_unit: "Чтобы изменить должности, выберите подразделение в отборе выше.", "To change posts, choose a unit in the filter above.";
    person: "Фамилия, имя, отчество", "Full name";
    rate: "Ставка", "Rate";
    starts_on: "С", "From";
    ends_on: "По (если известно)", "Until (if known)";
    acting_holder: "Временно исполняющий обязанности", "Acting holder";
    assign: "Назначить", "Assign";
    day: "Дата", "Date";
    open_vacancy: "Открыть вакансию", "Open a vacancy";
    publish_vacancy: "Вакансия опубликована", "Vacancy published";
    close_vacancy: "Закрыть вакансию", "Close the vacancy";
    change_assignment: "Увольнение или отсутствие", "Leaving or absence";
    last_day: "Последний день", "Last day";
    end: "Освободить должность", "Free the post";
    absence: "Отсутствие с сохранением должности", "Absence keeping the post";
    add_absence: "Отметить отсутствие", "Record the absence";
    vacancies: "Вакансии", "Vacancies";
    no_vacancies: "Вакансий не открывали.", "No vacancy has been opened.";
    opened: "Открыта", "Opened";
    published: "Опубликована", "Published";
    closed: "Закрыта", "Closed";
    holders: "Кто замещает", "Held by";
    import_failed: "Файл не загружен: исправьте строки и загрузите снова", "The file was not imported: correct the rows and import it again";
    row: "Строка", "Row";
    column: "Столбец", "Column";
    reason: "Причина", "Reason";
    rejected: "Строк с ошибками", "Rows with errors";
});

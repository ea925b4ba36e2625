//! The texts and the shared markup of the periodic reports' pages.

use maud::{Markup, html};

use crate::texts;
use crate::web::i18n::Locale;

texts!(pub ReportTexts {
    problems_in_all: "ошибок всего; показаны первые 1000", "problems in all; the first 1,000 are shown";
    title: "Отчётность", "Periodic reports";
    sections: "Разделы отчётности", "Report sections";
    orders: "Поручения", "Orders";
    forms: "Формы отчётности", "Report forms";
    no_forms: "Форм пока нет.", "No forms yet.";
    form: "Форма", "Form";
    code: "Код", "Code";
    name_ru: "Название по-русски", "Name in Russian";
    name_en: "Название по-английски", "Name in English";
    period_type: "Периодичность", "Period type";
    month: "ежемесячно", "monthly";
    quarter: "ежеквартально", "quarterly";
    year: "ежегодно", "yearly";
    owner: "Владелец формы", "Form owner";
    due_days: "Срок сдачи, рабочих дней после периода", "Due, working days after the period";
    lock_days: "Блокировка, рабочих дней после периода", "Locked, working days after the period";
    approval: "Нужно утверждение владельцем", "The owner's approval is needed";
    threshold: "Комментарий обязателен при отклонении от плана больше, %", "A comment is required when the deviation from plan exceeds, %";
    band_good: "Порог «хорошо», % достижения", "“Good” from, % achieved";
    band_fair: "Порог «удовлетворительно», % достижения", "“Fair” from, % achieved";
    public: "Публиковать принятые значения как открытые данные", "Publish accepted values as open data";
    starts: "Первый период", "First period";
    items: "Показатели формы", "Items of the form";
    items_hint: "По строке на показатель: «код; название; название по-английски; ед. изм.; up (рост — лучше) или down; свёртка sum, ytd, last или avg; обязательный да/нет».", "One item a line: “code; name; English name; unit; up (growth is good) or down; aggregation sum, ytd, last or avg; required yes/no”.";
    owed: "Кто сдаёт (коды организаций)", "Who reports (organisation codes)";
    owed_hint: "Коды из справочника организаций через запятую или по строкам.", "Directory codes, comma-separated or one a line.";
    rules: "Правила проверки", "Validation rules";
    rules_hint: "По строке на правило: «левая часть оператор правая часть; high|medium|low; сообщение», например «A2 <= A1; high; Рассмотрено не больше, чем принято». Правила high не дают сдать отчёт.", "One rule a line: “left operator right; high|medium|low; message”, e.g. “A2 <= A1; high; Answered no more than received”. High rules keep a report from being submitted.";
    new_form: "Новая форма", "New form";
    create: "Создать", "Create";
    completeness: "Полнота и своевременность", "Completeness and timeliness";
    organisation: "Организация", "Organisation";
    complete: "Полнота, %", "Completeness, %";
    timely: "Своевременность, %", "Timeliness, %";
    due: "Срок сдачи", "Due";
    lock: "Блокировка", "Locked from";
    state: "Состояние", "State";
    draft: "черновик", "draft";
    submitted: "сдан", "submitted";
    returned: "возвращён на доработку", "returned for rework";
    accepted: "принят", "accepted";
    missing: "не сдан", "missing";
    late: "с опозданием", "late";
    on_time: "в срок", "on time";
    not_due: "срок не наступил", "not due yet";
    report: "Отчёт", "Report";
    period: "Период", "Period";
    item: "Показатель", "Item";
    unit: "Ед. изм.", "Unit";
    plan: "План", "Plan";
    fact: "Факт", "Fact";
    value: "Значение", "Value";
    comment: "Комментарий", "Comment";
    follow_up: "На контроле", "Follow up";
    deviation: "Отклонение", "Deviation";
    deviation_pct: "Отклонение, %", "Deviation, %";
    achievement: "Достижение, %", "Achieved, %";
    band: "Оценка", "Band";
    good: "хорошо", "good";
    fair: "удовлетворительно", "fair";
    poor: "плохо", "poor";
    save: "Сохранить", "Save";
    submit: "Сдать отчёт", "Submit the report";
    accept: "Принять", "Accept";
    return_note: "Что доработать", "What to rework";
    return_for_rework: "Вернуть на доработку", "Return for rework";
    unlock: "Разблокировать на 3 дня", "Unlock for 3 days";
    locked_note: "Срок изменения истёк: отчёт заблокирован, нужна разблокировка владельцем формы.", "The report is locked: its form's owner must unlock it.";
    unlocked_until: "Разблокирован до", "Unlocked until";
    set_plans: "Установить план", "Set the plan";
    basis: "Основание (документ)", "Basis (document)";
    plan_history: "Версии плана", "Plan versions";
    version: "Версия", "Version";
    violations: "Нарушенные правила", "Broken rules";
    importance: "Важность", "Importance";
    history: "Ход отчёта", "The report's history";
    audit: "Изменения значений", "Changes of values";
    when: "Когда", "When";
    who: "Кто", "Who";
    was: "Было", "Was";
    became: "Стало", "Became";
    template: "Шаблон XLSX с планом и значениями", "XLSX template with the plan and the values";
    upload: "Загрузить заполненный XLSX", "Upload the filled-in XLSX";
    file: "Файл", "File";
    send: "Загрузить", "Upload";
    upload_failed: "Файл не загружен: исправьте ячейки и загрузите снова", "The file was not loaded: correct the cells and upload it again";
    cell: "Ячейка", "Cell";
    reason: "Причина", "Reason";
    analysis: "План и факт за год", "Plan and fact over the year";
    aggregation: "Свёртка", "Aggregation";
    sum: "сумма", "sum";
    ytd: "с начала года", "year to date";
    last: "последнее значение", "last value";
    avg: "среднее", "average";
    show: "Показать", "Show";
    periods: "Периодов", "Periods";
    yes: "да", "yes";
    no: "нет", "no";
    demo_note: "Учебные данные демонстрационного региона.", "Demo region's sample data.";
});

pub fn nav(l: Locale) -> Markup {
    let t = ReportTexts::get(l);
    html! {
        nav.pm-nav aria-label=(t.sections) {
            ul {
                li { a href="/pm" { "← " (t.orders) } }
                li { a href="/pm/reports" { (t.forms) } }
            }
        }
    }
}

pub fn period_type_label(l: Locale, s: &str) -> &'static str {
    let t = ReportTexts::get(l);
    match s {
        "quarter" => t.quarter,
        "year" => t.year,
        _ => t.month,
    }
}

pub fn state_label(l: Locale, s: &str) -> &'static str {
    let t = ReportTexts::get(l);
    match s {
        "draft" => t.draft,
        "submitted" => t.submitted,
        "returned" => t.returned,
        "accepted" => t.accepted,
        "not_due" => t.not_due,
        _ => t.missing,
    }
}

pub fn aggregation_label(l: Locale, s: &str) -> &'static str {
    let t = ReportTexts::get(l);
    match s {
        "ytd" => t.ytd,
        "last" => t.last,
        "avg" => t.avg,
        _ => t.sum,
    }
}

pub fn band_label(l: Locale, b: super::domain::Band) -> &'static str {
    let t = ReportTexts::get(l);
    match b {
        super::domain::Band::Good => t.good,
        super::domain::Band::Fair => t.fair,
        super::domain::Band::Poor => t.poor,
    }
}

pub use crate::web::components::decimal as number;

pub fn maybe(l: Locale, v: Option<f64>, decimals: i64) -> String {
    v.map_or_else(|| "—".to_owned(), |v| number(l, v, decimals))
}

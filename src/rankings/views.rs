//! The texts and the markup shared by the rankings' pages.

use maud::{Markup, html};

use super::domain::{Change, Status};
use crate::texts;
use crate::web::i18n::Locale;

texts!(pub RankingTexts {
    title: "Рейтинги", "Rankings";
    sections: "Разделы мониторинга рейтингов", "Ranking monitoring sections";
    orders: "Поручения", "Orders";
    rankings: "Рейтинги регионов", "Rankings of regions";
    indicators: "Показатели эффективности", "Indicators of effectiveness";
    indicators_lead: "Показатели оценки эффективности деятельности высших должностных лиц (Указ Президента РФ от 28.11.2024 № 1014, заменил Указ № 68 от 2021 года). Статус — по методу Open SDG: среднегодовой темп роста от базового года против темпа, нужного для цели.", "Indicators for assessing the effectiveness of the heads of regions (Presidential Decree No. 1014 of 28.11.2024, replacing Decree No. 68 of 2021). The status follows the Open SDG method: the compound annual growth since the base year against the growth the target needs.";
    ranking: "Рейтинг", "Ranking";
    publisher: "Кто составляет", "Publisher";
    methodology: "Методика", "Methodology";
    periodicity: "Периодичность", "Periodicity";
    entities: "Участников", "Entities ranked";
    order_word: "Лучшее место", "Best place";
    lower_better: "1 — лучшее", "1 is the best";
    higher_better: "наибольшее — лучшее", "the highest is the best";
    groups: "Группы (через запятую, от лучшей)", "Groups (comma-separated, best first)";
    group: "Группа", "Group";
    edition: "Выпуск", "Edition";
    editions: "Выпуски", "Editions";
    period: "Период", "Period";
    published_on: "Опубликован", "Published";
    source_url: "Ссылка на публикацию", "Link to the publication";
    place: "Место", "Place";
    score: "Балл", "Score";
    change: "Изменение", "Change";
    new_entry: "впервые", "new";
    region: "Регион", "Region";
    our_region: "наш регион", "our region";
    latest: "Последний выпуск", "Latest edition";
    no_rankings: "Рейтингов пока нет.", "No rankings yet.";
    no_editions: "Выпусков пока нет.", "No editions yet.";
    peers_chart: "Места региона и соседей по выпускам", "Places of the region and its peers by edition";
    peers: "Регион и соседи", "The region and its peers";
    results: "Результаты выпуска", "Results of the edition";
    new_ranking: "Новый рейтинг", "New ranking";
    code: "Код", "Code";
    code_hint: "Латиница, цифры и дефис: часть адреса страницы.", "Latin letters, digits and hyphens: part of the page's address.";
    name_ru: "Название по-русски", "Name in Russian";
    name_en: "Название по-английски", "Name in English";
    create: "Создать", "Create";
    import_edition: "Загрузить выпуск", "Import an edition";
    import_edition_hint: "Файл .xlsx или .csv со строкой заголовков: «Регион» (название, код RU-KDA или ОКАТО), «Место»; по желанию «Балл» и «Группа». Повторная загрузка периода заменяет его таблицу. Строки с ошибками не загружаются и перечисляются.", "An .xlsx or .csv file with a header row: region (a name, a code such as RU-KDA, or an OKATO code), place; optionally score and group. Uploading a period again replaces its table. Rows with errors are skipped and listed.";
    file: "Файл", "File";
    upload: "Загрузить", "Import";
    imported: "Загружено строк", "Rows imported";
    rejected: "Отклонено строк", "Rows rejected";
    rejected_rows: "Отклонённые строки", "Rejected rows";
    row: "Строка", "Row";
    column: "Столбец", "Column";
    reason: "Причина", "Reason";
    import_done: "Загрузка завершена", "Import finished";
    back: "Вернуться", "Back";
    indicator: "Показатель", "Indicator";
    unit: "Ед. изм.", "Unit";
    owner: "Ответственный", "Owner";
    no_owner: "не назначен", "not assigned";
    direction: "Направление", "Direction";
    up: "рост — лучше", "higher is better";
    down: "снижение — лучше", "lower is better";
    band: "в коридоре", "within a band";
    value: "Значение", "Value";
    year: "Год", "Year";
    base: "База", "Base";
    base_year: "Базовый год", "Base year";
    target: "Цель", "Target";
    basis: "Основание (документ)", "Basis (document)";
    status: "Статус", "Status";
    no_status: "Статус не определён", "No status";
    no_status_hint: "нужны значения минимум за два года", "values of at least two years are needed";
    trend: "Динамика", "Trend";
    wording_secondary: "Формулировка по вторичному источнику, не сверена с текстом указа", "Wording from a secondary source, not checked against the decree's text";
    wording_unconfirmed: "Формулировка не подтверждена текстом указа", "Wording not confirmed by the decree's text";
    preliminary: "предварительное", "preliminary";
    final_value: "окончательное", "final";
    revised: "уточнённое", "revised";
    history: "История значений", "History of values";
    revision: "Ред.", "Rev.";
    recorded: "Внесено", "Recorded";
    by: "Кем", "By";
    origin: "Источник", "Source";
    record_value: "Внести значение", "Record a value";
    status_field: "Статус значения", "Status of the value";
    territory: "Территория", "Territory";
    whole_region: "Край в целом", "The krai as a whole";
    set_target: "Установить цель", "Set a target";
    links: "Дорожная карта и базовый год", "Roadmap and base year";
    roadmap: "Дорожная карта (проект)", "Roadmap (project)";
    none: "— нет —", "— none —";
    overdue: "Просроченные мероприятия дорожной карты", "Overdue items of the roadmap";
    no_overdue: "Просроченных мероприятий нет.", "No overdue items.";
    milestone: "веха", "milestone";
    order: "поручение", "order";
    due: "Срок", "Due";
    save: "Сохранить", "Save";
    orders_raised: "Поручения по отставанию", "Orders for falling behind";
    order_title: "Отставание по показателю", "Indicator falling behind";
    cleared: "закрыто", "closed";
    open: "открыто", "open";
    import_values: "Загрузить значения", "Import values";
    import_values_hint: "Файл .xlsx или .csv со строкой заголовков: «Код показателя», «Год», «Значение»; по желанию «Статус» (предварительное / окончательное) и «Территория» (муниципальное образование; пусто — край). Или файл SDMX-ML (.xml) из ЕМИСС для выбранного показателя: берутся наблюдения края (ОКАТО 03…) и его муниципалитетов. Строки с ошибками перечисляются, остальные загружаются.", "An .xlsx or .csv file with a header row: indicator code, year, value; optionally status (preliminary / final) and territory (a municipality; empty for the krai). Or an SDMX-ML file (.xml) from EMISS for the chosen indicator: the observations of the krai (OKATO 03…) and its municipalities are taken. Rows with errors are listed, the rest are imported.";
    sdmx_indicator: "Показатель (для файла SDMX)", "Indicator (for an SDMX file)";
    values_changed: "Значений изменено", "Values changed";
    filter: "Отобрать", "Filter";
    all: "Все", "All";
    statuses: "Статусы", "Statuses";
    achieved: "Цель достигнута", "Achieved";
    on_track: "В графике", "On track";
    needs_acceleration: "Нужно ускорение", "Needs acceleration";
    limited_progress: "Недостаточный прогресс", "Limited progress";
    deterioration: "Ухудшение", "Deterioration";
    method_note: "Статус считается по методу Open SDG; правила для нулевой цели и коридора — в docs/RANKINGS.md.", "The status follows the Open SDG method; the rules for a target of 0 and for a band are in docs/RANKINGS.md.";
    periodicity_year: "ежегодно", "yearly";
    periodicity_half: "раз в полгода", "half-yearly";
    periodicity_quarter: "ежеквартально", "quarterly";
    periodicity_month: "ежемесячно", "monthly";
    demo_note: "Учебные данные демонстрационного региона.", "Demo region's sample data.";
});

pub fn status_label(s: Status, l: Locale) -> &'static str {
    let t = RankingTexts::get(l);
    match s {
        Status::Achieved => t.achieved,
        Status::OnTrack => t.on_track,
        Status::NeedsAcceleration => t.needs_acceleration,
        Status::LimitedProgress => t.limited_progress,
        Status::Deterioration => t.deterioration,
    }
}

pub const STATUSES: [Status; 5] = [
    Status::Achieved,
    Status::OnTrack,
    Status::NeedsAcceleration,
    Status::LimitedProgress,
    Status::Deterioration,
];

pub fn parse_status(s: &str) -> Option<Status> {
    STATUSES.into_iter().find(|x| x.as_str() == s)
}

/// A status as a badge: the words say it, the colour only repeats them.
pub fn status_badge(l: Locale, s: Option<Status>) -> Markup {
    match s {
        Some(s) => html! { span class={ "badge status-" (s.as_str()) } { (status_label(s, l)) } },
        None => html! { span.badge { (RankingTexts::get(l).no_status) } },
    }
}

pub fn value_status(l: Locale, s: &str) -> &'static str {
    let t = RankingTexts::get(l);
    match s {
        "preliminary" => t.preliminary,
        "revised" => t.revised,
        _ => t.final_value,
    }
}

pub fn direction_label(l: Locale, d: &str) -> &'static str {
    let t = RankingTexts::get(l);
    match d {
        "down" => t.down,
        "band" => t.band,
        _ => t.up,
    }
}

pub fn periodicity_label(l: Locale, p: &str) -> &'static str {
    let t = RankingTexts::get(l);
    match p {
        "half" => t.periodicity_half,
        "quarter" => t.periodicity_quarter,
        "month" => t.periodicity_month,
        _ => t.periodicity_year,
    }
}

/// The mark of an indicator whose wording is not the decree's own, as
/// the list says.
pub fn wording_mark(l: Locale, wording: &str) -> Markup {
    let t = RankingTexts::get(l);
    let text = match wording {
        "secondary" => t.wording_secondary,
        "unconfirmed" => t.wording_unconfirmed,
        _ => return html! {},
    };
    html! { " " abbr.wording title=(text) { "*" } span.visually-hidden { " (" (text) ")" } }
}

pub use crate::web::components::decimal as number;

/// A change between editions as a reader sees it.
pub fn change(l: Locale, c: Change) -> Markup {
    let t = RankingTexts::get(l);
    match c {
        Change::New => html! { span.change { (t.new_entry) } },
        Change::Same => html! { span.change { "=" } },
        Change::Better(_) => html! { span.change.better { (c.arrow()) } },
        Change::Worse(_) => html! { span.change.worse { (c.arrow()) } },
    }
}

pub fn nav(l: Locale) -> Markup {
    let t = RankingTexts::get(l);
    html! {
        nav.pm-nav aria-label=(t.sections) {
            ul {
                li { a href="/pm" { "← " (t.orders) } }
                li { a href="/pm/rankings" { (t.rankings) } }
                li { a href="/pm/indicators" { (t.indicators) } }
            }
        }
    }
}

/// The page after an import: its figures (label, element id, number),
/// the rejected rows, the way back.
pub fn import_report(
    ctx: &crate::web::layout::PageCtx,
    back: (&str, &str),
    figures: &[(&str, &str, usize)],
    rejected: &[crate::media::sheet::Problem],
    status: axum::http::StatusCode,
) -> axum::response::Response {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    crate::web::layout::Page::new(ctx, t.import_done)
        .status(status)
        .crumb(back.0, back.1)
        .render(html! {
            h1 { (t.import_done) }
            (nav(l))
            dl.pm-summary {
                @for (label, id, n) in figures { div { dt { (label) } dd id=(id) { (n) } } }
                div { dt { (t.rejected) } dd #rejected { (rejected.len()) } }
            }
            (problems(l, &rejected[..rejected.len().min(1000)]))
            p { a href=(back.1) { (t.back) ": " (back.0) } }
        })
}

/// The table of an import's rejected rows.
pub fn problems(l: Locale, problems: &[crate::media::sheet::Problem]) -> Markup {
    let t = RankingTexts::get(l);
    if problems.is_empty() {
        return html! {};
    }
    html! {
        h2 { (t.rejected_rows) }
        div.table-wrap tabindex="0" role="region" aria-label=(t.rejected_rows) {
            table #import-problems {
                thead { tr { th scope="col" { (t.row) } th scope="col" { (t.column) } th scope="col" { (t.reason) } } }
                tbody { @for p in problems { tr { td { (p.row) } td { (p.column) } td { (p.reason.get(l)) } } } }
            }
        }
    }
}

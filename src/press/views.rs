//! The texts and the markup shared by the media pages: the section's
//! navigation, tone badges (the heuristic always says it is one), a list
//! of stories with what they mention, the labels of kinds and errors.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::domain::{SourceKind, Tone};
use super::entities::Entities;
use super::queries::{MentionRow, StoryRow};
use crate::texts;
use crate::web::components::datetime;
use crate::web::i18n::{Locale, Noun};

/// Other sources that carried a story.
pub const SOURCES: Noun = Noun::new(
    ["источник", "источника", "источников"],
    ["source", "sources"],
);

texts!(pub PressTexts {
    title: "Мониторинг СМИ", "Media monitoring";
    sections: "Разделы мониторинга СМИ", "Media monitoring sections";
    overview: "Обзор", "Overview";
    stories: "Материалы", "Stories";
    sources: "Источники", "Sources";
    health: "Состояние лент", "Feed health";
    officials: "Должностные лица", "Officials";
    my_department: "Мой департамент", "My department";
    lead: "Заголовки, анонсы и ссылки из RSS- и Atom-лент федеральных, региональных и муниципальных СМИ. Один материал в нескольких источниках — одна запись с несколькими появлениями. Полные тексты остаются у издателей.", "Titles, snippets and links from the RSS and Atom feeds of federal, regional and municipal media. One story carried by several sources is one record with several appearances. Full texts stay with their publishers.";
    attention: "Внимание сегодня", "Attention today";
    attention_hint: "Упоминания за сегодня и за 7 дней; доля — упоминаний на 100 материалов дня.", "Mentions today and over 7 days; the share is mentions per 100 stories of the day.";
    entity: "Объект", "Entity";
    today: "Сегодня", "Today";
    week: "За 7 дней", "7 days";
    week_avg: "Среднее за 7 дней", "7-day average";
    share: "Доля, %", "Share, %";
    share_avg: "Доля, скользящее среднее за 7 дней, %", "Share, 7-day moving average, %";
    spike: "всплеск", "spike";
    spikes: "Всплески", "Spikes";
    no_mentions: "Упоминаний пока нет.", "No mentions yet.";
    stories_today: "Материалов сегодня", "Stories today";
    chart_top: "Доля упоминаний, скользящее среднее за 7 дней (% материалов дня)", "Share of mentions, 7-day moving average (% of the day's stories)";
    chart_entity: "Упоминания по дням и скользящее среднее за 7 дней", "Mentions by day and the 7-day moving average";
    day: "День", "Day";
    total: "Материалов всего", "Stories in all";
    mentions: "Упоминания", "Mentions";
    mentions_avg: "Скользящее среднее за 7 дней", "7-day moving average";
    latest: "Последние материалы", "Latest stories";
    no_stories: "Материалов нет.", "No stories.";
    published: "Опубликовано", "Published";
    source: "Источник", "Source";
    appearances: "Появления", "Appearances";
    seen: "Замечено", "Seen";
    link: "Ссылка", "Link";
    tone: "Тональность", "Tone";
    heuristic: "эвристика", "heuristic";
    heuristic_note: "Тональность определяет словарь (эвристика: основы слов, отрицания «не», «нет», «ни», обороты вроде «авария ликвидирована»). Она ошибается; сотрудник может исправить её для своего упоминания. Точность на размеченной выборке — в docs/PRESS.md.", "The tone comes from a lexicon (a heuristic: word stems, negations such as not and no, phrases such as “the accident was cleared”). It makes mistakes; an officer may correct it for their mention. Its accuracy on a labelled set is in docs/PRESS.md.";
    terms: "Что учтено", "Terms counted";
    positive: "позитивная", "positive";
    negative: "негативная", "negative";
    neutral: "нейтральная", "neutral";
    manual: "вручную", "manual";
    set_tone: "Исправить тональность", "Correct the tone";
    back_to_heuristic: "как у эвристики", "as the heuristic says";
    save: "Сохранить", "Save";
    story: "Материал", "Story";
    snippet_note: "Хранятся только заголовок, анонс и ссылка.", "Only the title, the snippet and the link are kept.";
    kind: "Вид", "Kind";
    federal: "федеральное", "federal";
    regional: "региональное", "regional";
    municipal: "муниципальное", "municipal";
    name: "Название", "Name";
    municipality: "Муниципальное образование", "Municipality";
    none: "— нет —", "— none —";
    website: "Сайт", "Website";
    feeds: "Ленты", "Feeds";
    feed: "Лента", "Feed";
    feed_url: "Адрес ленты (RSS или Atom)", "Feed address (RSS or Atom)";
    new_source: "Новый источник", "New source";
    edit_source: "Изменить источник", "Edit the source";
    add_feed: "Добавить ленту", "Add a feed";
    create: "Добавить", "Add";
    demo: "демо", "demo";
    demo_note: "Учебный источник демонстрационного региона: его ленты не опрашиваются.", "A demo region's sample source: its feeds are never polled.";
    no_sources: "Источников пока нет.", "No sources yet.";
    active: "Опрашивать", "Poll";
    on: "опрашивается", "polled";
    off: "выключена", "off";
    state: "Состояние", "State";
    ok: "в порядке", "fine";
    failing: "ошибки", "failing";
    never: "ещё не опрашивалась", "not polled yet";
    last_success: "Последний успех", "Last success";
    last_new: "Последний новый материал", "Last new story";
    errors_in_row: "Ошибок подряд", "Errors in a row";
    next_poll: "Следующий опрос", "Next poll";
    last_status: "Ответ HTTP", "HTTP status";
    last_error: "Последняя ошибка", "Last error";
    found: "Найдено материалов", "Stories found";
    poll_now: "Опросить сейчас", "Poll now";
    health_hint: "Ленты опрашиваются условным GET (ETag, Last-Modified): ответ 304 ничего не загружает. Между запросами к одному сайту — пауза; после ошибок пауза удваивается до предела.", "Feeds are polled with conditional GET (ETag, Last-Modified): a 304 answer loads nothing. Requests to one site are spaced; after errors the wait doubles up to a cap.";
    polled: "Лента опрошена", "The feed was polled";
    not_modified: "не изменилась (304)", "not modified (304)";
    new_stories: "новых материалов", "new stories";
    official: "Должностное лицо", "Official";
    role: "Должность", "Post";
    organisation: "Организация", "Organisation";
    add_official: "Добавить должностное лицо", "Add an official";
    remove: "Убрать", "Remove";
    officials_hint: "Публичные должностные лица: материалы находятся по имени (в любом падеже) и по должности из двух слов и больше.", "Public officials: stories are found by the name (in any case) and by a post of two words or more.";
    no_officials: "Список пуст.", "The list is empty.";
    names: "Названия для поиска", "Names searched for";
    names_hint: "Совпадение ищется по основам слов подряд: «департаментом строительства» находит «департамент строительства».", "A match is the words' stems in a row, so any case of a name finds it.";
    add_name: "Добавить название", "Add a name";
    department: "Департамент", "Department";
    departments: "Департаменты", "Departments";
    queries: "Сохранённые запросы", "Saved queries";
    query: "Запрос", "Query";
    query_hint: "Слова или фразы через запятую; находится любая из фраз в любом падеже.", "Words or phrases, comma-separated; any phrase in any case is found.";
    hits: "Найдено", "Found";
    save_query: "Сохранить запрос", "Save the query";
    delete: "Удалить", "Delete";
    no_queries: "Сохранённых запросов нет.", "No saved queries.";
    query_hits: "Находки запросов", "Queries' finds";
    department_mentions: "Упоминания департамента", "Mentions of the department";
    all_tones: "Любая", "Any";
    filter: "Отобрать", "Filter";
    region_kind: "Регион", "Region";
    municipality_kind: "Муниципалитет", "Municipality";
    department_kind: "Департамент", "Department";
    official_kind: "Должностное лицо", "Official";
    project_kind: "Проект", "Project";
    entity_removed: "больше не отслеживается", "no longer tracked";
    err_too_large: "ответ больше предела", "the answer exceeds the limit";
    err_too_deep: "XML вложен слишком глубоко", "the XML is nested too deep";
    err_too_many: "слишком много элементов XML", "too many XML elements";
    err_not_xml: "не XML", "not XML";
    err_not_feed: "не RSS и не Atom", "neither RSS nor Atom";
    err_refused: "адрес не публичный", "not a public address";
    err_timeout: "нет ответа вовремя", "no answer in time";
    err_connect: "нет соединения", "no connection";
    err_status: "ошибка сервера", "the server's error";
    err_redirects: "слишком много перенаправлений", "too many redirects";
    err_other: "ошибка", "error";
});

pub fn kind_label(l: Locale, kind: &str) -> &'static str {
    let t = PressTexts::get(l);
    match SourceKind::parse(kind) {
        Some(SourceKind::Federal) => t.federal,
        Some(SourceKind::Regional) => t.regional,
        Some(SourceKind::Municipal) => t.municipal,
        None => t.err_other,
    }
}

pub fn tone_label(l: Locale, tone: Tone) -> &'static str {
    let t = PressTexts::get(l);
    match tone {
        Tone::Positive => t.positive,
        Tone::Negative => t.negative,
        Tone::Neutral => t.neutral,
    }
}

/// A tone as a badge: the words say it, the colour repeats them, and a
/// heuristic one says so.
pub fn tone_badge(l: Locale, tone: &str, heuristic: bool) -> Markup {
    let t = PressTexts::get(l);
    let Some(tone) = Tone::parse(tone) else {
        return html! {};
    };
    html! {
        span class={ "badge tone-" (tone.as_str()) } data-tone=(tone.as_str()) {
            (tone_label(l, tone))
            " · "
            @if heuristic { (t.heuristic) } @else { (t.manual) }
        }
    }
}

/// A feed's stored error (`code: detail`) in the reader's language.
pub fn feed_error(l: Locale, stored: &str) -> String {
    let t = PressTexts::get(l);
    let (code, detail) = stored.split_once(": ").unwrap_or((stored, ""));
    let said = match code {
        "too_large" => t.err_too_large,
        "too_deep" => t.err_too_deep,
        "too_many" => t.err_too_many,
        "not_xml" => t.err_not_xml,
        "not_feed" => t.err_not_feed,
        "refused" => t.err_refused,
        "timeout" => t.err_timeout,
        "connect" => t.err_connect,
        "status" => t.err_status,
        "redirects" | "redirect" => t.err_redirects,
        _ => t.err_other,
    };
    if detail.is_empty() {
        said.to_owned()
    } else {
        format!("{said} ({detail})")
    }
}

pub fn nav(l: Locale) -> Markup {
    let t = PressTexts::get(l);
    html! {
        nav.pm-nav aria-label=(t.sections) {
            ul {
                li { a href="/pm/press" { (t.overview) } }
                li { a href="/pm/press/stories" { (t.stories) } }
                li { a href="/pm/press/sources" { (t.sources) } }
                li { a href="/pm/press/health" { (t.health) } }
                li { a href="/pm/press/officials" { (t.officials) } }
                li { a href="/pm/press/departments" { (t.departments) } }
            }
        }
    }
}

pub fn entity_link(l: Locale, entities: &Entities, key: &str) -> Markup {
    let t = PressTexts::get(l);
    match entities.get(key) {
        Some(e) => html! { a href={ "/pm/press/entities/" (key) } { (e.name(l)) } },
        None => html! { span.muted { (key) " (" (t.entity_removed) ")" } },
    }
}

/// The effective tone of a mention: the officer's, else the story's.
pub fn mention_tone<'a>(m: &'a MentionRow, story: &'a StoryRow) -> (&'a str, bool) {
    match &m.tone_override {
        Some(t) => (t.as_str(), false),
        None => (story.tone.as_str(), true),
    }
}

/// Stories with their source, date, tone and what they mention.
pub fn stories_list(
    l: Locale,
    stories: &[StoryRow],
    mentions: &[MentionRow],
    entities: &Entities,
) -> Markup {
    let t = PressTexts::get(l);
    let mut by: BTreeMap<i64, Vec<&MentionRow>> = BTreeMap::new();
    for m in mentions {
        by.entry(m.story_id).or_default().push(m);
    }
    html! {
        @if stories.is_empty() { p { (t.no_stories) } } @else {
            ol.stories {
                @for s in stories {
                    li.story data-story=(s.story_id) {
                        a.story-title href={ "/pm/press/stories/" (s.story_id) } { (s.title) }
                        " "
                        (tone_badge(l, &s.tone, true))
                        p.meta {
                            (s.source_name)
                            @if s.appearances > 1 { " +" (SOURCES.count(l, s.appearances - 1)) }
                            " · " (datetime(l, s.published_at))
                        }
                        @if let Some(ms) = by.get(&s.story_id) {
                            p.mentions {
                                @for (i, m) in ms.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (entity_link(l, entities, &m.entity))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

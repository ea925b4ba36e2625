//! Small view functions shared by every feature: form fields with labels,
//! hints and errors wired for screen readers, the error summary, notices.

use maud::{Markup, html};

use crate::error::Msg;
use crate::web::i18n::Locale;

/// Validation messages of a form, by field name, in the order found.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(&'static str, Msg)>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors(Vec::new())
    }

    pub fn add(&mut self, field: &'static str, msg: Msg) {
        self.0.push((field, msg));
    }

    /// Records the error of a parse result and returns its value, if any.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, Msg>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(&'static str, Msg)> {
        self.0.iter()
    }
}

texts!(pub FormTexts {
    summary_title: "Исправьте, пожалуйста:", "Please correct the following:";
    required: "обязательно", "required";
});

use crate::texts;

/// The list of problems at the top of a form, linking to each field. It takes
/// focus-friendly `role="alert"` so screen readers announce it.
pub fn error_summary(locale: Locale, errors: &FieldErrors) -> Markup {
    let t = FormTexts::get(locale);
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (t.summary_title) }
                ul {
                    @for (field, msg) in errors.iter() {
                        li { a href={ "#f-" (field) } { (msg.get(locale)) } }
                    }
                }
            }
        }
    }
}

/// Options of a text-like input.
pub struct Input<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'static str,
    pub autocomplete: Option<&'static str>,
    pub required: bool,
    pub hint: Option<&'a str>,
    /// `min` and `max` of a date field (`YYYY-MM-DD`).
    pub range: Option<(String, String)>,
}

impl<'a> Input<'a> {
    pub fn new(name: &'static str, label: &'a str, value: &'a str) -> Input<'a> {
        Input {
            name,
            label,
            value,
            kind: "text",
            autocomplete: None,
            required: false,
            hint: None,
            range: None,
        }
    }

    /// A date field that takes days from `from` to `from + years`: the
    /// browser's picker offers no past deadline and no typo year 20266.
    /// A hint to the browser only: the server refuses past days itself
    /// (and order deadlines further than `pm::pages::DEADLINE_YEARS`).
    pub fn date_from(mut self, from: time::Date, years: i32) -> Self {
        self.kind = "date";
        self.range = Some(date_range(from, years));
        self
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn autocomplete(mut self, ac: &'static str) -> Self {
        self.autocomplete = Some(ac);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn render(&self, locale: Locale, errors: &FieldErrors) -> Markup {
        let id = format!("f-{}", self.name);
        let error = errors.get(self.name);
        let described = describedby(self.name, self.hint.is_some(), error.is_some());
        html! {
            div.field.has-error[error.is_some()] {
                label for=(id) {
                    (self.label)
                    @if self.required { span.req { " (" (FormTexts::get(locale).required) ")" } }
                }
                @if let Some(hint) = self.hint { p.hint id={ "h-" (self.name) } { (hint) } }
                @if let Some(e) = error { p.field-error id={ "e-" (self.name) } { (e.get(locale)) } }
                @if self.kind == "textarea" {
                    textarea id=(id) name=(self.name) required[self.required]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()]
                        rows="6" { (self.value) }
                } @else {
                    input id=(id) name=(self.name) type=(self.kind) value=(self.value)
                        min=[self.range.as_ref().map(|r| &r.0)] max=[self.range.as_ref().map(|r| &r.1)]
                        required[self.required] autocomplete=[self.autocomplete]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
                }
            }
        }
    }
}

fn describedby(name: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("h-{name}"));
    }
    if error {
        ids.push(format!("e-{name}"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A `<select>` with a label; `options` are (value, label) pairs.
pub struct Select<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub options: &'a [(String, String)],
    pub selected: &'a str,
    pub placeholder: Option<&'a str>,
    pub disabled: bool,
}

impl Select<'_> {
    pub fn render(&self, locale: Locale, errors: &FieldErrors) -> Markup {
        let name = self.name;
        let id = format!("f-{name}");
        let error = errors.get(name);
        // A long list (organisations, municipalities) gets a search box
        // above it from `js/select-filter.js`; without scripts it is the
        // plain list.
        let filter = (self.options.len() > LONG_LIST)
            .then(|| format!("{} «{}»", SelectTexts::get(locale).find_in, self.label));
        html! {
            div.field.has-error[error.is_some()] {
                label for=(id) { (self.label) }
                @if let Some(e) = error { p.field-error id={ "e-" (name) } { (e.get(locale)) } }
                select id=(id) name=(name) disabled[self.disabled] data-filter=[filter]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| format!("e-{name}"))] {
                    @if let Some(p) = self.placeholder { option value="" { (p) } }
                    @for (value, text) in self.options {
                        option value=(value) selected[value == self.selected] { (text) }
                    }
                }
            }
        }
    }
}

/// How many options make a list long enough to search in.
const LONG_LIST: usize = 15;

texts!(pub SelectTexts {
    find_in: "Найти в списке", "Search the list";
});

/// A checkbox with its label after it.
pub fn checkbox(
    locale: Locale,
    errors: &FieldErrors,
    name: &'static str,
    label: Markup,
    checked: bool,
) -> Markup {
    let id = format!("f-{name}");
    let error = errors.get(name);
    html! {
        div.field.checkbox.has-error[error.is_some()] {
            @if let Some(e) = error { p.field-error id={ "e-" (name) } { (e.get(locale)) } }
            input id=(id) type="checkbox" name=(name) value="on" checked[checked]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("e-{name}"))];
            label for=(id) { (label) }
        }
    }
}

/// A highlighted message box.
pub fn notice(kind: &'static str, body: Markup) -> Markup {
    html! { div class={ "notice notice-" (kind) } role=[(kind == "error").then_some("alert")] { (body) } }
}

/// A date and time for people, in Moscow time (the krai's time zone).
pub fn datetime(locale: Locale, t: time::OffsetDateTime) -> String {
    let msk = t.to_offset(time::macros::offset!(+3));
    let fmt = match locale {
        Locale::Ru => time::macros::format_description!("[day].[month].[year] [hour]:[minute]"),
        Locale::En => time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    };
    msk.format(&fmt).unwrap_or_default()
}

/// `(min, max)` of a date field: `from` to the same day `years` later.
pub fn date_range(from: time::Date, years: i32) -> (String, String) {
    let to = from
        .replace_year(from.year() + years)
        .unwrap_or_else(|_| from.saturating_add(time::Duration::days(365 * years as i64)));
    (
        crate::web::i18n::iso_date(from),
        crate::web::i18n::iso_date(to),
    )
}

/// Today in the krai (Moscow time): the first day a deadline may take.
pub fn today_msk() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+3))
        .date()
}

/// A day for people: ДД.ММ.ГГГГ in Russian, YYYY-MM-DD in English (the
/// same spellings as `datetime`).
pub fn date(locale: Locale, d: time::Date) -> String {
    let fmt = match locale {
        Locale::Ru => time::macros::format_description!("[day].[month].[year]"),
        Locale::En => time::macros::format_description!("[year]-[month]-[day]"),
    };
    d.format(&fmt).unwrap_or_default()
}

/// A stored `YYYY-MM-DD` as people read it ([`date`]); any other text as it
/// is (a value that is not a date is shown, not lost).
pub fn shown_date(locale: Locale, s: &str) -> String {
    match crate::web::i18n::parse_iso_date(s.trim()) {
        Some(d) => date(locale, d),
        None => s.to_owned(),
    }
}

texts!(pub PagerTexts {
    previous: "Назад", "Previous";
    next: "Дальше", "Next";
    page: "Страница", "Page";
    pages: "Страницы", "Pages";
});

/// The page links of a long list: `base` is the list's address with its
/// filters (`page=` is added), `pages` the number of pages (none shown for
/// one).
pub fn pager(l: Locale, base: &str, page: i64, pages: i64) -> Markup {
    let t = PagerTexts::get(l);
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        @if pages > 1 {
            nav.pager aria-label=(t.pages) {
                @if page > 1 { a rel="prev" href={ (base) (sep) "page=" (page - 1) } { "← " (t.previous) } }
                span { (t.page) " " (page) " / " (pages) }
                @if page < pages { a rel="next" href={ (base) (sep) "page=" (page + 1) } { (t.next) " →" } }
            }
        }
    }
}

/// The name of a table's scrolling box: on a phone a wide table scrolls
/// sideways, and a keyboard reaches it only when the box takes focus
/// (`tabindex="0"`, a named region), as axe-core's
/// `scrollable-region-focusable` asks.
pub fn scroll_label(l: crate::web::i18n::Locale) -> &'static str {
    crate::web::layout::LayoutTexts::get(l).scroll_table
}

/// One labelled input of a form; `form` keeps ids unique when a page
/// has several forms.
pub fn input(form: &str, name: &str, label: &str, kind: &str, required: bool) -> Markup {
    let id = format!("{form}-{name}");
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(kind) required[required];
        }
    }
}

/// A labelled choice; with `choose`, an empty first option that must be
/// changed (a choice that matters is never made by default).
pub fn select(
    form: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
    choose: Option<&str>,
) -> Markup {
    let id = format!("{form}-{name}");
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(name) required[choose.is_some()] {
                @if let Some(c) = choose { option value="" { (c) } }
                @for (v, text) in options { option value=(v) { (text) } }
            }
        }
    }
}

/// A figure with `decimals` places (0–6), with the decimal comma in
/// Russian.
pub fn decimal(locale: Locale, v: f64, decimals: i64) -> String {
    let d = usize::try_from(decimals.clamp(0, 6)).unwrap_or(1);
    let s = format!("{v:.d$}");
    match locale {
        Locale::Ru => s.replace('.', ","),
        Locale::En => s,
    }
}

/// A number as people type it: `71,4`, `71.4`, `1 234,5` (spaces and
/// no-break spaces between thousands), a leading minus.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() || cleaned.len() > 40 {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

texts!(pub ChangeTexts {
    up: "рост", "up";
    down: "снижение", "down";
    same: "без изменений", "no change";
    none: "нет данных", "no figure";
});

/// A change between two figures, shown as the rankings show a change of
/// place: an arrow and the difference («▲ 3», «▼ 2», «=»), green when
/// better and red when worse if the figure has a better direction
/// (`higher_is_better`), neutral otherwise; the direction is also in
/// words for screen readers, and the relative change follows when the
/// figure before is not zero.
pub fn change(
    locale: Locale,
    now: Option<f64>,
    before: Option<f64>,
    higher_is_better: Option<bool>,
    decimals: i64,
) -> Markup {
    let t = ChangeTexts::get(locale);
    let (Some(now), Some(before)) = (now, before) else {
        return html! { span.change { "—" span.visually-hidden { " (" (t.none) ")" } } };
    };
    let diff = now - before;
    let step = 0.5 * 10f64.powi(-(decimals.clamp(0, 6) as i32));
    if diff.abs() < step {
        return html! { span.change { "=" span.visually-hidden { " (" (t.same) ")" } } };
    }
    let up = diff > 0.0;
    let class = match higher_is_better {
        Some(h) if h == up => "change better",
        Some(_) => "change worse",
        None => "change",
    };
    let relative =
        (before.abs() > f64::EPSILON).then(|| format!(" ({:+.0} %)", diff / before.abs() * 100.0));
    html! {
        span class=(class) {
            (if up { "▲ " } else { "▼ " }) (decimal(locale, diff.abs(), decimals))
            @if let Some(r) = relative { (r) }
            span.visually-hidden { " (" (if up { t.up } else { t.down }) ")" }
        }
    }
}

//! Two languages: Russian (the default) and English.
//!
//! Texts are Rust structs filled by the [`texts!`] macro, one row per text
//! with both languages side by side. A text missing in one language is a
//! compile error, not a blank on a page, and each feature owns its own table.
//! (Fluent and rust-i18n look texts up by string key at run time; for two
//! languages the compiler's check is worth more than their flexibility.)

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Cookie that remembers the chosen language for a year.
pub const LANG_COOKIE: &str = "veche_lang";

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Ru,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        match code {
            "ru" => Some(Locale::Ru),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    pub fn other(self) -> Locale {
        match self {
            Locale::Ru => Locale::En,
            Locale::En => Locale::Ru,
        }
    }

    /// Picks the Russian or the English variant of a value.
    pub fn pick<'a, T: ?Sized>(self, ru: &'a T, en: &'a T) -> &'a T {
        match self {
            Locale::Ru => ru,
            Locale::En => en,
        }
    }

    /// The locale of a request: the language cookie, else Russian.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Locale {
        cookie_value(headers, LANG_COOKIE)
            .and_then(|v| Locale::parse(&v))
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Locale::from_headers(&parts.headers))
    }
}

/// Reads one cookie from the `Cookie` headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
}

/// A cookie the site keeps for a year on every path, out of reach of other
/// sites' requests that change things (`SameSite=Lax`).
pub fn year_cookie(
    name: &'static str,
    value: String,
) -> axum_extra::extract::cookie::Cookie<'static> {
    axum_extra::extract::cookie::Cookie::build((name, value))
        .path("/")
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build()
}

/// Declares a table of texts with a Russian and an English value per field.
///
/// ```ignore
/// texts!(pub NavTexts {
///     home: "Главная", "Home";
/// });
/// let t = NavTexts::get(locale);
/// ```
#[macro_export]
macro_rules! texts {
    ($vis:vis $name:ident { $($key:ident: $ru:expr, $en:expr;)* }) => {
        $vis struct $name { $(pub $key: &'static str,)* }
        impl $name {
            pub const RU: $name = $name { $($key: $ru,)* };
            pub const EN: $name = $name { $($key: $en,)* };
            pub fn get(locale: $crate::web::i18n::Locale) -> &'static $name {
                match locale {
                    $crate::web::i18n::Locale::Ru => &Self::RU,
                    $crate::web::i18n::Locale::En => &Self::EN,
                }
            }
        }
        // Checked while compiling: a blank text or an English text left in
        // Russian stops the build, naming the table and the key.
        const _: () = {
            $(
                assert!(
                    $crate::web::i18n::is_text($ru),
                    concat!(stringify!($name), ".", stringify!($key), ": the Russian text is empty")
                );
                assert!(
                    $crate::web::i18n::is_english($en),
                    concat!(stringify!($name), ".", stringify!($key), ": the English text is empty or in Cyrillic")
                );
            )*
        };
    };
}

/// Whether a text is there at all (the `texts!` check).
pub const fn is_text(s: &str) -> bool {
    !s.is_empty()
}

/// Whether a text is English: not empty and free of Cyrillic letters
/// (U+0400..U+04FF, lead bytes 0xD0–0xD3 in UTF-8). Names that have no
/// English form are transliterated, as on the pages (Gosuslugi, MEDO).
pub const fn is_english(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] >= 0xD0 && b[i] <= 0xD3 {
            return false;
        }
        i += 1;
    }
    true
}

/// One text in both languages, declared as a constant where a table of
/// texts does not fit (a field of a registered description, such as a
/// request kind's name). A blank or Cyrillic English text stops the build
/// as in `texts!`.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    ru: &'static str,
    en: &'static str,
}

impl Label {
    pub const fn new(ru: &'static str, en: &'static str) -> Label {
        assert!(is_text(ru), "the Russian text is empty");
        assert!(is_english(en), "the English text is empty or in Cyrillic");
        Label { ru, en }
    }

    pub fn get(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Ru => self.ru,
            Locale::En => self.en,
        }
    }
}

/// A noun counted on a page, in every form it takes: Russian has three
/// (1 строка, 2 строки, 5 строк), English two. Declared as a constant,
/// so a blank or Cyrillic English form stops the build as in `texts!`:
///
/// ```ignore
/// pub const ROWS: Noun = Noun::new(["строка", "строки", "строк"], ["row", "rows"]);
/// ROWS.count(locale, 3) // "3 строки" / "3 rows"
/// ```
pub struct Noun {
    ru: [&'static str; 3],
    en: [&'static str; 2],
}

impl Noun {
    pub const fn new(ru: [&'static str; 3], en: [&'static str; 2]) -> Noun {
        assert!(
            is_text(ru[0]) && is_text(ru[1]) && is_text(ru[2]),
            "a Russian form is empty"
        );
        assert!(
            is_english(en[0]) && is_english(en[1]),
            "an English form is empty or in Cyrillic"
        );
        Noun { ru, en }
    }

    /// The number and the noun in the form the number asks for.
    pub fn count(&self, locale: Locale, n: i64) -> String {
        let word = match locale {
            Locale::Ru => plural_ru(n, self.ru[0], self.ru[1], self.ru[2]),
            Locale::En if n == 1 => self.en[0],
            Locale::En => self.en[1],
        };
        format!("{n} {word}")
    }
}

/// Rows of a table or a file.
pub const ROWS: Noun = Noun::new(["строка", "строки", "строк"], ["row", "rows"]);

/// Russian plural form: 1 заявка, 2 заявки, 5 заявок.
pub fn plural_ru<'a>(n: i64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let n = n.unsigned_abs();
    let (n10, n100) = (n % 10, n % 100);
    if n10 == 1 && n100 != 11 {
        one
    } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
        few
    } else {
        many
    }
}

/// A date typed or sent as `YYYY-MM-DD` (forms, APIs), spaces around it
/// ignored. The one parser of such dates; files with other spellings go
/// through `datasets::fields::parse_date`.
pub fn parse_iso_date(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// A date as `YYYY-MM-DD` (forms, files, APIs).
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let f = |n| plural_ru(n, "заявка", "заявки", "заявок");
        assert_eq!(f(1), "заявка");
        assert_eq!(f(21), "заявка");
        assert_eq!(f(3), "заявки");
        assert_eq!(f(11), "заявок");
        assert_eq!(f(14), "заявок");
        assert_eq!(f(25), "заявок");
        assert_eq!(f(0), "заявок");
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("cookie", "a=1; veche_lang=en; b=2".parse().unwrap());
        assert_eq!(Locale::from_headers(&h), Locale::En);
        h.insert("cookie", "veche_lang=de".parse().unwrap());
        assert_eq!(Locale::from_headers(&h), Locale::Ru);
    }

    #[test]
    fn counted_nouns_take_the_form_their_number_asks_for() {
        let ru = |n| ROWS.count(Locale::Ru, n);
        assert_eq!(
            [ru(1), ru(2), ru(5), ru(11), ru(21), ru(22), ru(112), ru(0)],
            [
                "1 строка",
                "2 строки",
                "5 строк",
                "11 строк",
                "21 строка",
                "22 строки",
                "112 строк",
                "0 строк"
            ]
        );
        assert_eq!(ROWS.count(Locale::En, 1), "1 row");
        assert_eq!(ROWS.count(Locale::En, 2), "2 rows");
    }
}

//! Input types of accounts, parsed once at the edge: a value of these types
//! is valid by construction.

use crate::error::Msg;

/// An e-mail address as typed, with its normalised form for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub address: String,
    pub normalised: String,
}

impl Email {
    /// Accepts what a person can receive mail at: one `@`, a non-empty local
    /// part, a domain with a dot, no spaces, at most 254 characters. Anything
    /// stricter refuses real addresses; delivery is proven by the confirmation
    /// mail, not by a regex.
    pub fn parse(input: &str) -> Result<Email, Msg> {
        let address = input.trim();
        let invalid = || {
            Msg::new(
                "Укажите адрес электронной почты в виде имя@домен.ru.",
                "Enter an e-mail address like name@example.org.",
            )
        };
        if address.is_empty() {
            return Err(Msg::new(
                "Укажите адрес электронной почты.",
                "Enter your e-mail address.",
            ));
        }
        if address.chars().count() > 254
            || address.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = address.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(invalid());
        }
        Ok(Email {
            address: address.to_owned(),
            normalised: address.to_lowercase(),
        })
    }
}

/// A new password. Length is what matters (NIST SP 800-63B): at least 10
/// characters, no composition rules, at most 256 so hashing stays cheap.
pub struct NewPassword(pub String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<NewPassword, Msg> {
        let n = input.chars().count();
        if n < 10 {
            return Err(Msg::new(
                "Пароль должен быть не короче 10 символов. Удобно взять несколько слов.",
                "The password must be at least 10 characters long. A few words work well.",
            ));
        }
        if n > 256 {
            return Err(Msg::new(
                "Пароль слишком длинный: не больше 256 символов.",
                "The password is too long: 256 characters at most.",
            ));
        }
        Ok(NewPassword(input.to_owned()))
    }
}

/// The name shown on the site.
#[derive(Debug, Clone)]
pub struct DisplayName(pub String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, Msg> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Msg::new("Укажите имя.", "Enter your name."));
        }
        if name.chars().count() > 100 {
            return Err(Msg::new(
                "Имя слишком длинное: не больше 100 символов.",
                "The name is too long: 100 characters at most.",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Msg::new(
                "Имя содержит недопустимые символы.",
                "The name contains characters that are not allowed.",
            ));
        }
        Ok(DisplayName(name))
    }
}

/// A membership of an organisation gives a staff role in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MembershipKind {
    Officer,
    Executor,
}

impl MembershipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipKind::Officer => "officer",
            MembershipKind::Executor => "executor",
        }
    }

    pub fn parse(s: &str) -> Option<MembershipKind> {
        match s {
            "officer" => Some(MembershipKind::Officer),
            "executor" => Some(MembershipKind::Executor),
            _ => None,
        }
    }
}

/// A global role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalRole {
    Moderator,
    Administrator,
}

impl GlobalRole {
    pub fn as_str(self) -> &'static str {
        match self {
            GlobalRole::Moderator => "moderator",
            GlobalRole::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<GlobalRole> {
        match s {
            "moderator" => Some(GlobalRole::Moderator),
            "administrator" => Some(GlobalRole::Administrator),
            _ => None,
        }
    }
}

/// Longest `next` kept; the site's own addresses are far shorter.
const NEXT_MAX: usize = 2048;

/// Only paths of this site are followed after sign-in, a language switch or
/// an OIDC return, so a crafted link cannot send a person to another site
/// (open redirect). Browsers are lenient: they drop tabs and newlines, read
/// `\` as `/`, and proxies may decode `%2f`, so anything that could become
/// `//host` or `scheme:` on the way is refused, not repaired. Refused values
/// give `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if is_local_path(p) => p.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_local_path(p: &str) -> bool {
    // Visible ASCII only: no control characters, spaces or non-ASCII, which
    // browsers strip or fold (and which a Location header cannot carry).
    if p.len() > NEXT_MAX
        || !p.starts_with('/')
        || !p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    {
        return false;
    }
    // The path part, decoded as often as a chain of proxies might, must stay
    // a rooted path: no `//host`, no backslash, no control character.
    let end = p.find(['?', '#']).unwrap_or(p.len());
    let mut path = p[..end].to_owned();
    let mut settled = false;
    for _ in 0..5 {
        if path.starts_with("//") || path.chars().any(|c| c.is_control() || c == '\\') {
            return false;
        }
        let decoded = percent_encoding::percent_decode_str(&path)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == path {
            settled = true;
            break;
        }
        path = decoded;
    }
    // Still encoded after five rounds is nobody's real link. Last, what a URL
    // parser makes of it against this site must be this site.
    let base = url::Url::parse("http://veche.invalid/").expect("a valid base");
    settled
        && base
            .join(p)
            .is_ok_and(|u| u.origin() == base.origin() && !u.path().starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.ru", " Ivan.Petrov+veche@Mail.RU ", "x@почта.рф"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.ru", "a b@c.ru", "a@.ru", "a@b..ru", "a@b.ru.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("Ivan@Mail.RU").unwrap().normalised,
            "ivan@mail.ru"
        );
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("correct horse").is_ok());
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Иван   Петров ").unwrap().0,
            "Иван Петров"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"я".repeat(101)).is_err());
    }

    #[test]
    fn next_must_be_local() {
        for ok in [
            "/",
            "/problems?x=1",
            "/account",
            "/problems?q=%D0%BF%D0%BE%D0%B4%2F%5C&page=2",
            "/opendata/roads/table?_sort=name#top",
            "/a%20b",
            "/a/b//c",
        ] {
            assert_eq!(safe_next(Some(ok)), ok, "{ok:?} is a local path");
        }
        for bad in [
            "",
            "problems",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/ /evil.example",
            "/\x00/evil.example",
            "/\x0b/evil.example",
            "/\x7f/evil.example",
            "/%2f/evil.example",
            "/%2F/evil.example",
            "/%5c/evil.example",
            "/%5C/evil.example",
            "/%252f/evil.example",
            "/%252F%252F/evil.example",
            "/%25252f/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%5c%5cevil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "/пример",
            "/a?next=\\evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?} must not be followed");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/");
        assert_eq!(safe_next(None), "/");
    }
}

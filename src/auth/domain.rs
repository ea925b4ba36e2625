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

/// Only local paths are followed after sign-in, so a crafted link cannot send
/// a person to another site (open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.contains(['\r', '\n']) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
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
        assert_eq!(safe_next(Some("/problems?x=1")), "/problems?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}

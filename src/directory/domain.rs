//! Organisations of the directory and the rules their fields follow.

use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// The governor's office, the root of the regional executive.
    GovernorOffice,
    /// The portfolio of the governor or a vice-governor: a group of departments.
    Portfolio,
    /// A regional ministry, department, inspection or office.
    Department,
    /// The administration of one of the 44 municipalities.
    MunicipalAdministration,
    /// A state enterprise, institution or company.
    StateCompany,
}

pub const ALL_KINDS: [OrgKind; 5] = [
    OrgKind::GovernorOffice,
    OrgKind::Portfolio,
    OrgKind::Department,
    OrgKind::MunicipalAdministration,
    OrgKind::StateCompany,
];

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::GovernorOffice => "governor_office",
            OrgKind::Portfolio => "portfolio",
            OrgKind::Department => "department",
            OrgKind::MunicipalAdministration => "municipal_administration",
            OrgKind::StateCompany => "state_company",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, locale: Locale) -> &'static str {
        {
            let t = OrgKindLabels::get(locale);
            match self {
                OrgKind::GovernorOffice => t.governor_office,
                OrgKind::Portfolio => t.portfolio,
                OrgKind::Department => t.department,
                OrgKind::MunicipalAdministration => t.municipal_administration,
                OrgKind::StateCompany => t.state_company,
            }
        }
    }
}

/// A stable id: lowercase Latin letters, digits and hyphens, 2 to 64
/// characters, starting with a letter. Other systems store these ids.
pub fn parse_org_id(input: &str) -> Result<String, Msg> {
    let id = input.trim();
    let ok = (2..=64).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(Msg::new(
            "Идентификатор: от 2 до 64 строчных латинских букв, цифр и дефисов, начиная с буквы (например, min-transport).",
            "Id: 2 to 64 lowercase Latin letters, digits and hyphens, starting with a letter (e.g. min-transport).",
        ))
    }
}

/// Whether `inn` is an ИНН with valid check digits: 10 digits (an
/// organisation) or 12 (a person, a sole trader).
pub fn inn_checks(inn: &str) -> bool {
    let d: Vec<u32> = inn.chars().filter_map(|c| c.to_digit(10)).collect();
    let check = |weights: &[u32]| weights.iter().zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11 % 10;
    d.len() == inn.chars().count()
        && match d.len() {
            10 => check(&[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
            12 => {
                check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                    && check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
            }
            _ => false,
        }
}

/// A 10-digit INN of a legal entity with a valid check digit (or empty).
pub fn parse_inn(input: &str) -> Result<Option<String>, Msg> {
    let inn = input.trim();
    if inn.is_empty() {
        return Ok(None);
    }
    if inn.len() == 10 && inn_checks(inn) {
        Ok(Some(inn.to_owned()))
    } else {
        Err(Msg::new(
            "ИНН организации — 10 цифр с верной контрольной суммой. Проверьте номер.",
            "An organisation's INN is 10 digits with a valid check digit. Check the number.",
        ))
    }
}

/// A required name of at most 500 characters.
pub fn parse_name(input: &str) -> Result<String, Msg> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err(Msg::new("Заполните название.", "Enter the name."))
    } else if name.chars().count() > 500 {
        Err(Msg::new(
            "Название слишком длинное: не больше 500 символов.",
            "The name is too long: 500 characters at most.",
        ))
    } else {
        Ok(name)
    }
}

/// An optional single-line contact field.
pub fn parse_optional(input: &str, max: usize) -> Result<Option<String>, Msg> {
    let v = input.trim();
    if v.is_empty() {
        Ok(None)
    } else if v.chars().count() > max || v.chars().any(char::is_control) {
        Err(Msg::new(
            format!(
                "Значение слишком длинное или содержит недопустимые символы (не больше {max})."
            ),
            format!(
                "The value is too long or contains characters that are not allowed ({max} at most)."
            ),
        ))
    } else {
        Ok(Some(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inn_checksum() {
        assert_eq!(
            parse_inn("7707083893").unwrap().as_deref(),
            Some("7707083893")
        );
        assert!(parse_inn("7707083894").is_err());
        assert!(parse_inn("123").is_err());
        assert_eq!(parse_inn(" ").unwrap(), None);
    }

    #[test]
    fn ids() {
        assert!(parse_org_id("min-transport").is_ok());
        assert!(parse_org_id("Min").is_err());
        assert!(parse_org_id("1abc").is_err());
        assert!(parse_org_id("a b").is_err());
    }
}

texts!(pub OrgKindLabels {
    governor_office: "Губернатор", "Governor";
    portfolio: "Курирующий блок", "Portfolio";
    department: "Орган исполнительной власти", "Regional department";
    municipal_administration: "Администрация муниципального образования", "Municipal administration";
    state_company: "Подведомственная организация", "State company";
});

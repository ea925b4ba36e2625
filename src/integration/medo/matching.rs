//! Which organisation of the directory a clause's executor is: by its МЭДО
//! uid, else by its name in any case of the words (the search index's
//! stemmer), so that «Департаменту строительства Краснодарского края»
//! finds «Департамент строительства Краснодарского края». A name that fits
//! several organisations, or none, is not guessed: the clause waits for an
//! administrator with the candidates.

use crate::db::Db;
use crate::fetch_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Known {
    pub organisation_id: String,
    pub name_ru: String,
    pub short_name_ru: String,
    pub medo_uid: Option<String>,
}

/// The directory as matching needs it, read once per package.
pub struct Directory {
    orgs: Vec<(Known, Vec<String>, Vec<String>)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    One(String),
    /// Several fit, or none (empty): an administrator decides.
    Unsure(Vec<String>),
}

impl Directory {
    pub async fn load(db: &Db) -> Result<Directory, sqlx::Error> {
        let all: Vec<Known> = fetch_db!(
            db,
            fetch_all,
            Known,
            "select organisation_id, name_ru, short_name_ru, medo_uid from organisation
             order by organisation_id"
        )?;
        Ok(Directory::new(all))
    }

    pub fn new(all: Vec<Known>) -> Directory {
        let orgs = all
            .into_iter()
            .map(|k| {
                let full = crate::search::stems(&k.name_ru);
                let short = crate::search::stems(&k.short_name_ru);
                (k, full, short)
            })
            .collect();
        Directory { orgs }
    }

    /// The organisation with this МЭДО uid.
    pub fn by_uid(&self, uid: &str) -> Option<&str> {
        let uid = uid.trim();
        if uid.is_empty() {
            return None;
        }
        self.orgs
            .iter()
            .find(|(k, _, _)| {
                k.medo_uid
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(uid))
            })
            .map(|(k, _, _)| k.organisation_id.as_str())
    }

    /// The organisation an executor (uid and name) is.
    pub fn find(&self, uid: Option<&str>, name: &str) -> Match {
        if let Some(id) = uid.and_then(|u| self.by_uid(u)) {
            return Match::One(id.to_owned());
        }
        let words = crate::search::stems(name);
        if words.is_empty() {
            return Match::Unsure(Vec::new());
        }
        // The same words as the full or the short name.
        let same: Vec<String> = self
            .orgs
            .iter()
            .filter(|(_, full, short)| *full == words || *short == words)
            .map(|(k, _, _)| k.organisation_id.clone())
            .collect();
        if same.len() == 1 {
            return Match::One(same[0].clone());
        }
        if !same.is_empty() {
            return Match::Unsure(same);
        }
        // Otherwise the organisations whose full name's words all appear
        // in the executor's (a name with a person, «… (Иванов И. И.)»):
        // a candidate, never chosen alone.
        let within: Vec<String> = self
            .orgs
            .iter()
            .filter(|(_, full, _)| !full.is_empty() && full.iter().all(|w| words.contains(w)))
            .map(|(k, _, _)| k.organisation_id.clone())
            .take(10)
            .collect();
        Match::Unsure(within)
    }
}

/// The organisation holding a МЭДО uid.
pub async fn holder(tx: &mut crate::db::Tx, uid: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = crate::fetch_tx!(
        tx,
        fetch_optional,
        (String,),
        "select organisation_id from organisation where medo_uid = $1",
        uid
    )?;
    Ok(row.map(|r| r.0))
}

/// Sets an organisation's МЭДО uid; `false` when there is no such
/// organisation.
pub async fn set_uid(
    tx: &mut crate::db::Tx,
    organisation_id: &str,
    uid: Option<&str>,
) -> Result<bool, sqlx::Error> {
    crate::exec_tx!(
        tx,
        "update organisation set medo_uid = $2 where organisation_id = $1",
        organisation_id,
        uid
    )
    .map(|n| n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, name: &str, short: &str, uid: Option<&str>) -> Known {
        Known {
            organisation_id: id.into(),
            name_ru: name.into(),
            short_name_ru: short.into(),
            medo_uid: uid.map(Into::into),
        }
    }

    fn directory() -> Directory {
        Directory::new(vec![
            org(
                "dep-construction",
                "Департамент строительства Краснодарского края",
                "Департамент строительства",
                Some("0b7a6f4e-1111-4c1a-9a53-000000000001"),
            ),
            org(
                "min-transport",
                "Министерство транспорта и дорожного хозяйства Краснодарского края",
                "Минтранс",
                None,
            ),
            org("adm-a", "Администрация города", "Администрация", None),
            org("adm-b", "Администрация района", "Администрация", None),
        ])
    }

    #[test]
    fn the_uid_wins_over_the_name() {
        let d = directory();
        assert_eq!(
            d.find(Some("0B7A6F4E-1111-4C1A-9A53-000000000001"), "что угодно"),
            Match::One("dep-construction".into())
        );
    }

    #[test]
    fn a_name_is_found_in_another_case() {
        let d = directory();
        assert_eq!(
            d.find(
                None,
                "Министерству транспорта и дорожного хозяйства Краснодарского края"
            ),
            Match::One("min-transport".into())
        );
        assert_eq!(
            d.find(None, "департаментом строительства"),
            Match::One("dep-construction".into())
        );
    }

    #[test]
    fn an_ambiguous_or_unknown_name_is_not_guessed() {
        let d = directory();
        assert_eq!(
            d.find(None, "Администрации"),
            Match::Unsure(vec!["adm-a".into(), "adm-b".into()])
        );
        assert_eq!(d.find(None, "Министерство культуры"), Match::Unsure(vec![]));
        assert_eq!(
            d.find(
                None,
                "Департамент строительства Краснодарского края (Петров П. П.)"
            ),
            Match::Unsure(vec!["dep-construction".into()])
        );
    }
}

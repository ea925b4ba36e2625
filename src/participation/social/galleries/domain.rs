//! The rules of galleries, as plain functions of the person and the album,
//! and the input checked once into values. Pages offer an action only when
//! the same function that authorises it says yes, so a button never leads
//! to a refusal and a refusal never hides behind a missing button.

use time::Date;

use crate::auth::CurrentUser;
use crate::error::Msg;
use crate::geo::{GeoPoint, geography};
use crate::workflow::input::clean_text;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const CAPTION_MAX: usize = 500;
/// Photos in one upload: the upload limit (`media::upload::MAX_UPLOAD`)
/// is five photos at their size limit.
pub const PHOTOS_PER_UPLOAD: usize = 5;
/// The earliest year a date taken may name: older pictures are scans,
/// and a typo such as 0202 is caught.
pub const EARLIEST_YEAR: i32 = 1850;

/// What the rules need to know about an album.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumAccess {
    pub owner_id: i64,
    pub organisation_id: Option<String>,
    pub hidden: bool,
}

/// The owner, or an officer of the organisation an official album is kept
/// for (a construction site over time is photographed by whoever is on
/// duty, not by the one who opened the album).
pub fn is_keeper(user: &CurrentUser, album: &AlbumAccess) -> bool {
    user.account_id == album.owner_id
        || album
            .organisation_id
            .as_deref()
            .is_some_and(|o| user.is_officer_of(o))
}

/// Who may open an album: anyone while it is shown; its keepers and
/// moderators when a moderator hid it (they see why).
pub fn may_see_album(user: Option<&CurrentUser>, album: &AlbumAccess) -> bool {
    !album.hidden || user.is_some_and(|u| u.is_moderator() || is_keeper(u, album))
}

/// Who may see a photo: those who may see its album, and for a hidden
/// photo only its keepers and moderators.
pub fn may_see_photo(user: Option<&CurrentUser>, album: &AlbumAccess, photo_hidden: bool) -> bool {
    may_see_album(user, album)
        && (!photo_hidden || user.is_some_and(|u| u.is_moderator() || is_keeper(u, album)))
}

/// Whether `user` may add photos to `album` (a ban is checked by the
/// service, which reads the store).
pub fn may_add_photos(user: &CurrentUser, album: &AlbumAccess) -> Result<(), Msg> {
    if !is_keeper(user, album) {
        return Err(Msg::new(
            "Добавлять фотографии может только автор альбома (в альбом ведомства — его сотрудники).",
            "Only the album's author may add photos (to an organisation's album, its officers).",
        ));
    }
    if album.hidden {
        return Err(Msg::new(
            "Альбом скрыт модератором: добавить в него фотографии нельзя.",
            "A moderator hid the album: no photos can be added to it.",
        ));
    }
    Ok(())
}

/// Whether `user` may open an album for `organisation` (`None`: their own).
pub fn may_create_for(user: &CurrentUser, organisation: Option<&str>) -> Result<(), Msg> {
    match organisation {
        Some(o) if !user.is_officer_of(o) => Err(Msg::new(
            "Альбом от имени ведомства может создать только его сотрудник.",
            "Only an officer of an organisation may create an album for it.",
        )),
        _ => Ok(()),
    }
}

/// An album as checked from a form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlbum {
    pub title: String,
    pub description: String,
    pub municipality_id: Option<String>,
    pub organisation_id: Option<String>,
}

pub fn title(s: &str) -> Result<String, Msg> {
    clean_text(s, TITLE_MAX, "название", "title", true)
}

pub fn description(s: &str) -> Result<String, Msg> {
    clean_text(s, DESCRIPTION_MAX, "описание", "description", false)
}

pub fn caption(s: &str) -> Result<String, Msg> {
    clean_text(s, CAPTION_MAX, "подпись", "caption", false)
}

/// An optional municipality: empty is none, anything else one of the 44.
pub fn municipality(s: &str) -> Result<Option<String>, Msg> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    geography()
        .by_id(s)
        .map(|m| Some(m.id.clone()))
        .ok_or_else(|| {
            Msg::new(
                "Такого муниципального образования нет. Выберите его из списка.",
                "There is no such municipality. Choose one from the list.",
            )
        })
}

/// An optional place: both coordinates or neither, inside the krai.
pub fn place(lat: &str, lon: &str) -> Result<Option<GeoPoint>, Msg> {
    match (lat.trim().is_empty(), lon.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => crate::workflow::input::point(lat, lon).map(Some),
        _ => Err(Msg::new(
            "Укажите обе координаты места съёмки или ни одной.",
            "Give both coordinates of the place or neither.",
        )),
    }
}

/// An optional date taken, `YYYY-MM-DD`, not after `today` (the krai's).
pub fn taken_on(s: &str, today: Date) -> Result<Option<Date>, Msg> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = crate::web::i18n::parse_iso_date(s).ok_or_else(|| {
        Msg::new(
            "Дата съёмки — в виде ГГГГ-ММ-ДД, например 2025-05-09.",
            "The date taken is YYYY-MM-DD, such as 2025-05-09.",
        )
    })?;
    if d > today || d.year() < EARLIEST_YEAR {
        return Err(Msg::new(
            format!("Дата съёмки — между {EARLIEST_YEAR} годом и сегодняшним днём."),
            format!("The date taken lies between {EARLIEST_YEAR} and today."),
        ));
    }
    Ok(Some(d))
}

/// At most [`PHOTOS_PER_UPLOAD`] photos, and at least one.
pub fn photo_count(n: usize) -> Result<(), Msg> {
    if n == 0 {
        Err(Msg::new(
            "Выберите хотя бы одну фотографию.",
            "Choose at least one photo.",
        ))
    } else if n > PHOTOS_PER_UPLOAD {
        Err(Msg::new(
            format!("За один раз можно добавить не больше {PHOTOS_PER_UPLOAD} фотографий."),
            format!("At most {PHOTOS_PER_UPLOAD} photos can be added at once."),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Membership;
    use crate::auth::domain::{GlobalRole, MembershipKind};

    fn user(id: i64) -> CurrentUser {
        CurrentUser {
            account_id: id,
            display_name: String::new(),
            email: None,
            locale: crate::web::i18n::Locale::Ru,
            roles: Vec::new(),
            memberships: Vec::new(),
        }
    }

    fn officer(id: i64, org: &str) -> CurrentUser {
        let mut u = user(id);
        u.memberships.push(Membership {
            organisation_id: org.into(),
            kind: MembershipKind::Officer,
            name_ru: String::new(),
            name_en: String::new(),
        });
        u
    }

    fn album(owner: i64, org: Option<&str>, hidden: bool) -> AlbumAccess {
        AlbumAccess {
            owner_id: owner,
            organisation_id: org.map(Into::into),
            hidden,
        }
    }

    #[test]
    fn who_may_add_photos() {
        assert!(may_add_photos(&user(1), &album(1, None, false)).is_ok());
        assert!(may_add_photos(&user(2), &album(1, None, false)).is_err());
        assert!(may_add_photos(&officer(2, "o"), &album(1, Some("o"), false)).is_ok());
        assert!(may_add_photos(&officer(2, "p"), &album(1, Some("o"), false)).is_err());
        assert!(may_add_photos(&user(1), &album(1, None, true)).is_err());
    }

    #[test]
    fn who_sees_what() {
        let mut moderator = user(3);
        moderator.roles.push(GlobalRole::Moderator);
        let hidden = album(1, None, true);
        assert!(!may_see_album(None, &hidden));
        assert!(!may_see_album(Some(&user(2)), &hidden));
        assert!(may_see_album(Some(&user(1)), &hidden));
        assert!(may_see_album(Some(&moderator), &hidden));
        let shown = album(1, None, false);
        assert!(may_see_photo(None, &shown, false));
        assert!(!may_see_photo(None, &shown, true));
        assert!(may_see_photo(Some(&user(1)), &shown, true));
        assert!(may_see_photo(Some(&moderator), &shown, true));
    }

    #[test]
    fn creating_for_an_organisation_takes_an_officer() {
        assert!(may_create_for(&user(1), None).is_ok());
        assert!(may_create_for(&user(1), Some("o")).is_err());
        assert!(may_create_for(&officer(1, "o"), Some("o")).is_ok());
    }

    #[test]
    fn places_and_dates() {
        assert_eq!(place("", "").unwrap(), None);
        assert!(place("45.0355", "").is_err());
        assert!(place("45,0355", "38,9753").unwrap().is_some());
        // Moscow is not in the krai.
        assert!(place("55.75", "37.62").is_err());
        assert!(place("north", "east").is_err());
        let today = time::macros::date!(2026 - 05 - 01);
        assert_eq!(taken_on(" ", today).unwrap(), None);
        assert!(taken_on("2026-04-30", today).unwrap().is_some());
        assert!(taken_on("2026-05-02", today).is_err());
        assert!(taken_on("0202-01-01", today).is_err());
        assert!(taken_on("30.04.2026", today).is_err());
    }

    #[test]
    fn texts_are_bounded() {
        assert!(title("  ").is_err());
        assert!(title(&"я".repeat(TITLE_MAX)).is_ok());
        assert!(title(&"я".repeat(TITLE_MAX + 1)).is_err());
        assert!(caption(&"x".repeat(CAPTION_MAX + 1)).is_err());
        assert!(municipality("atlantis").is_err());
        assert_eq!(municipality("").unwrap(), None);
        assert!(photo_count(0).is_err() && photo_count(6).is_err() && photo_count(5).is_ok());
    }
}

//! What a person does with galleries: open an album, add photos to it.
//! Each is one transaction with its activity and its search document; the
//! `_in` forms take the caller's transaction (the demo writes through them
//! on its own clock). Albums are post-moderated: they are shown at once,
//! and a flag brings them to the moderators' queue.

use axum::http::StatusCode;
use time::Date;

use super::domain::{self, NewAlbum};
use super::queries::{self, PhotoInsert};
use super::{KIND, PHOTOS};
use crate::activity::{Category, NewActivity, topic};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult, Msg};
use crate::geo::GeoPoint;
use crate::media::upload::StoredPhoto;
use crate::participation::social::moderation;
use crate::web::i18n::Locale;

/// A photo to add: stored already (processed, metadata stripped), with
/// what its owner says about it.
pub struct NewPhoto {
    pub stored: StoredPhoto,
    pub caption: String,
    pub point: Option<GeoPoint>,
    pub taken_on: Option<Date>,
}

fn forbidden(m: Msg) -> AppError {
    AppError::client(StatusCode::FORBIDDEN, "forbidden", m)
}

pub fn album_path(id: i64) -> String {
    format!("/galleries/{id}")
}

/// Opens an album in the caller's transaction; its id.
pub async fn create_in(tx: &mut Tx, user: &CurrentUser, a: &NewAlbum) -> AppResult<i64> {
    moderation::may_post(tx, user.account_id).await?;
    domain::may_create_for(user, a.organisation_id.as_deref()).map_err(forbidden)?;
    let account = crate::auth::queries::account_by_id_tx(tx, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let id = queries::insert_album(tx, user.account_id, a).await?;
    let text = if a.organisation_id.is_none() {
        (
            format!("создал(а) альбом «{}»", a.title),
            format!("created the album “{}”", a.title),
        )
    } else {
        (
            format!("Новый альбом: «{}»", a.title),
            format!("New album: “{}”", a.title),
        )
    };
    let place = (a.organisation_id.as_deref(), a.municipality_id.as_deref());
    recorded(tx, user, account.hide_name, id, place, text).await?;
    Ok(id)
}

/// The activity of a change to an album and its search document: the
/// keeper is named unless the album is an organisation's (its officer is
/// not named); followers of the album's organisation and municipality
/// (`place`) see it.
async fn recorded(
    tx: &mut Tx,
    user: &CurrentUser,
    hide_name: bool,
    id: i64,
    (organisation, municipality): (Option<&str>, Option<&str>),
    text: (String, String),
) -> AppResult<()> {
    let mut topics = Vec::new();
    if let Some(o) = organisation {
        topics.push(topic("org", o));
    }
    if let Some(m) = municipality {
        topics.push(topic("municipality", m));
    }
    crate::activity::record(
        tx,
        &NewActivity {
            actor: organisation.is_none().then_some(user.account_id),
            anonymous: hide_name,
            category: Category::Authored,
            subject: &topic(KIND, id),
            topics: &topics,
            text: (&text.0, &text.1),
            link: &album_path(id),
        },
    )
    .await?;
    crate::search::enqueue(tx, KIND, &id.to_string()).await?;
    Ok(())
}

/// Opens an album; its id.
pub async fn create(state: &AppState, user: &CurrentUser, a: &NewAlbum) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let id = create_in(&mut tx, user, a).await?;
    tx.commit().await?;
    state.search.notify();
    Ok(id)
}

/// Records stored photos in an album, in the caller's transaction; their
/// ids. The caller discards the files when this or the commit fails.
pub async fn add_photos_in(
    tx: &mut Tx,
    user: &CurrentUser,
    album_id: i64,
    photos: &[NewPhoto],
) -> AppResult<Vec<i64>> {
    let album = queries::album_tx(tx, album_id)
        .await?
        .filter(|a| domain::may_see_album(Some(user), &a.access()))
        .ok_or_else(AppError::not_found)?;
    domain::may_add_photos(user, &album.access()).map_err(forbidden)?;
    moderation::may_post(tx, user.account_id).await?;
    domain::photo_count(photos.len()).map_err(|m| AppError::unprocessable("invalid_input", m))?;
    let account = crate::auth::queries::account_by_id_tx(tx, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut ids = Vec::new();
    for p in photos {
        ids.push(
            queries::insert_photo(
                tx,
                album_id,
                &PhotoInsert {
                    key: &p.stored.key,
                    width: p.stored.width,
                    height: p.stored.height,
                    caption: &p.caption,
                    point: p.point,
                    taken_on: p.taken_on.map(crate::web::i18n::iso_date),
                },
            )
            .await?,
        );
    }
    let n = photos.len() as i64;
    let text = if album.organisation_id.is_none() {
        (
            format!("добавил(а) {n} фото в альбом «{}»", album.title),
            format!(
                "added {} to the album “{}”",
                PHOTOS.count(Locale::En, n),
                album.title
            ),
        )
    } else {
        (
            format!("В альбом «{}» добавлено фото: {n}", album.title),
            format!(
                "{} added to the album “{}”",
                PHOTOS.count(Locale::En, n),
                album.title
            ),
        )
    };
    let place = (
        album.organisation_id.as_deref(),
        album.municipality_id.as_deref(),
    );
    recorded(tx, user, account.hide_name, album_id, place, text).await?;
    Ok(ids)
}

/// Records stored photos in an album in one transaction; when it fails,
/// the files it would have recorded are removed.
pub async fn add_photos(
    state: &AppState,
    user: &CurrentUser,
    album_id: i64,
    photos: &[NewPhoto],
) -> AppResult<Vec<i64>> {
    let result = async {
        let mut tx = state.db.begin().await?;
        let ids = add_photos_in(&mut tx, user, album_id, photos).await?;
        tx.commit().await?;
        Ok::<_, AppError>(ids)
    }
    .await;
    match result {
        Ok(ids) => {
            state.search.notify();
            Ok(ids)
        }
        Err(e) => {
            let keys: Vec<String> = photos.iter().map(|p| p.stored.key.clone()).collect();
            crate::media::discard(&state.media, &keys).await;
            Err(e)
        }
    }
}

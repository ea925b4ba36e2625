//! The handlers of `/galleries…`: extract, check, call the service, render
//! with `views`. The forms come back with what was typed and each field's
//! error when something is refused.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::domain::{self, NewAlbum, PHOTOS_PER_UPLOAD};
use super::queries::{self, AlbumRow};
use super::service::{self, NewPhoto, album_path};
use super::views;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::media::upload::{PhotoPart, read_photo, store_photos, upload_error};
use crate::participation::social::moderation::{self, Item};
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::PageCtx;

/// Albums on a page of the list.
pub const PER_PAGE: i64 = 24;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub municipality: String,
}

/// `GET /galleries`: shown albums, newest first.
pub async fn list(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let municipality = domain::municipality(&q.municipality)
        .map_err(|m| AppError::unprocessable("invalid_input", m))?
        .unwrap_or_default();
    let total = queries::count_public(&db, &municipality).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let albums =
        queries::public_albums(&db, &municipality, PER_PAGE, (page - 1) * PER_PAGE).await?;
    Ok(views::list_page(&ctx, &albums, &municipality, page, pages))
}

/// The album form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct AlbumForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub municipality_id: String,
    /// Empty: the person's own album; else an organisation they are an
    /// officer of.
    #[serde(default)]
    pub organisation_id: String,
}

impl AlbumForm {
    /// Checks every field, collecting each one's error.
    pub fn check(&self, user: &CurrentUser, errors: &mut FieldErrors) -> Option<NewAlbum> {
        let title = errors.check("title", domain::title(&self.title));
        let description = errors.check("description", domain::description(&self.description));
        let municipality = errors.check(
            "municipality_id",
            domain::municipality(&self.municipality_id),
        );
        let org = Some(self.organisation_id.trim())
            .filter(|o| !o.is_empty())
            .map(str::to_owned);
        let org = errors.check(
            "organisation_id",
            domain::may_create_for(user, org.as_deref()).map(|()| org),
        );
        Some(NewAlbum {
            title: title?,
            description: description?,
            municipality_id: municipality?,
            organisation_id: org?,
        })
    }
}

/// `GET /galleries/new`
pub async fn new_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    Ok(views::new_page(
        &ctx,
        &user,
        &AlbumForm::default(),
        &FieldErrors::new(),
        StatusCode::OK,
    ))
}

/// `POST /galleries`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<AlbumForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let Some(album) = f.check(&user, &mut errors).filter(|_| errors.is_empty()) else {
        return Ok(views::new_page(
            &ctx,
            &user,
            &f,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let id = service::create(&state, &user, &album).await?;
    Ok(Redirect::to(&album_path(id)).into_response())
}

/// One photo's part of the upload form, as typed.
#[derive(Debug, Default, Clone)]
pub struct Slot {
    pub caption: String,
    pub lat: String,
    pub lon: String,
    pub taken_on: String,
    pub file: Option<(String, Vec<u8>)>,
    /// The file was refused while it streamed (too large).
    pub refused: Option<Msg>,
}

impl Slot {
    fn typed(&self) -> bool {
        [&self.caption, &self.lat, &self.lon, &self.taken_on]
            .iter()
            .any(|s| !s.trim().is_empty())
    }
}

/// The names of each slot's fields (`FieldErrors` keys are static).
pub const FILE: [&str; PHOTOS_PER_UPLOAD] = ["photo_1", "photo_2", "photo_3", "photo_4", "photo_5"];
pub const CAPTION: [&str; PHOTOS_PER_UPLOAD] = [
    "caption_1",
    "caption_2",
    "caption_3",
    "caption_4",
    "caption_5",
];
pub const LAT: [&str; PHOTOS_PER_UPLOAD] = ["lat_1", "lat_2", "lat_3", "lat_4", "lat_5"];
pub const LON: [&str; PHOTOS_PER_UPLOAD] = ["lon_1", "lon_2", "lon_3", "lon_4", "lon_5"];
pub const PLACE: [&str; PHOTOS_PER_UPLOAD] =
    ["place_1", "place_2", "place_3", "place_4", "place_5"];
pub const TAKEN: [&str; PHOTOS_PER_UPLOAD] = [
    "taken_on_1",
    "taken_on_2",
    "taken_on_3",
    "taken_on_4",
    "taken_on_5",
];

/// The upload form: a slot per photo, so each caption, place and date
/// stays with its file (an empty file input is dropped by the reader, so
/// one list of files and one of captions could not be matched).
#[derive(Debug, Default, Clone)]
pub struct UploadForm {
    pub slots: [Slot; PHOTOS_PER_UPLOAD],
}

/// Reads the multipart upload form; a file over the size limit is refused
/// as it streams, without being held (`media::upload::read_photo`).
pub async fn read_upload(mut multipart: Multipart) -> AppResult<UploadForm> {
    let mut f = UploadForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(upload_error)? {
        let name = field.name().unwrap_or("").to_owned();
        let Some(i) = name
            .rsplit_once('_')
            .and_then(|(_, n)| n.parse::<usize>().ok())
            .filter(|n| (1..=PHOTOS_PER_UPLOAD).contains(n))
            .map(|n| n - 1)
        else {
            // The CSRF token and anything unknown.
            field.text().await.map_err(upload_error)?;
            continue;
        };
        let slot = &mut f.slots[i];
        if name == FILE[i] {
            match read_photo(&mut field).await? {
                PhotoPart::Photo(n, b) => slot.file = Some((n, b)),
                PhotoPart::TooLarge(m) => slot.refused = Some(m),
                PhotoPart::Empty => {}
            }
            continue;
        }
        let value = field.text().await.map_err(upload_error)?;
        match name.as_str() {
            n if n == CAPTION[i] => slot.caption = value,
            n if n == LAT[i] => slot.lat = value,
            n if n == LON[i] => slot.lon = value,
            n if n == TAKEN[i] => slot.taken_on = value,
            _ => {}
        }
    }
    Ok(f)
}

/// A slot checked: the file and what is said about it.
pub struct CheckedSlot {
    pub file: (String, Vec<u8>),
    pub caption: String,
    pub point: Option<crate::geo::GeoPoint>,
    pub taken_on: Option<time::Date>,
}

impl UploadForm {
    /// Checks every slot, collecting each field's error.
    pub fn check(&self, errors: &mut FieldErrors) -> Vec<CheckedSlot> {
        let today = crate::web::components::today_msk();
        let mut out = Vec::new();
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(m) = &s.refused {
                errors.add(FILE[i], m.clone());
            }
            let Some(file) = &s.file else {
                if s.typed() && s.refused.is_none() {
                    errors.add(
                        FILE[i],
                        Msg::new(
                            "Выберите фотографию, к которой относятся подпись, место и дата.",
                            "Choose the photo the caption, place and date belong to.",
                        ),
                    );
                }
                continue;
            };
            let caption = errors.check(CAPTION[i], domain::caption(&s.caption));
            let point = errors.check(PLACE[i], domain::place(&s.lat, &s.lon));
            let taken_on = errors.check(TAKEN[i], domain::taken_on(&s.taken_on, today));
            if let (Some(caption), Some(point), Some(taken_on)) = (caption, point, taken_on) {
                out.push(CheckedSlot {
                    file: file.clone(),
                    caption,
                    point,
                    taken_on,
                });
            }
        }
        let files = self.slots.iter().filter(|s| s.file.is_some()).count();
        let refused = self.slots.iter().any(|s| s.refused.is_some());
        if !refused {
            errors.check("photos", domain::photo_count(files));
        }
        out
    }
}

/// What the album page shows, loaded for one reader.
pub struct AlbumView {
    pub album: AlbumRow,
    pub photos: Vec<queries::PhotoRow>,
    /// The moderators' log of the album and of its photos, for moderators.
    pub log: Vec<(Item, i64, moderation::LogRow)>,
}

impl AlbumView {
    /// The album as `user` may see it; 404 when they may not.
    pub async fn load(db: &Db, id: i64, user: Option<&CurrentUser>) -> AppResult<AlbumView> {
        let album = queries::album(db, id)
            .await?
            .filter(|a| domain::may_see_album(user, &a.access()))
            .ok_or_else(AppError::not_found)?;
        let access = album.access();
        let photos: Vec<_> = queries::photos(db, id)
            .await?
            .into_iter()
            .filter(|p| domain::may_see_photo(user, &access, p.hidden))
            .collect();
        let mut log = Vec::new();
        if user.is_some_and(CurrentUser::is_moderator) {
            for row in moderation::item_log(db, Item::Album.as_str(), id).await? {
                log.push((Item::Album, id, row));
            }
            // Only photos that drew a moderator's attention can have a log.
            for p in photos.iter().filter(|p| p.hidden || p.flag_count > 0) {
                for row in moderation::item_log(db, Item::Photo.as_str(), p.photo_id).await? {
                    log.push((Item::Photo, p.photo_id, row));
                }
            }
            log.sort_by_key(|(_, _, r)| r.created_at);
        }
        Ok(AlbumView { album, photos, log })
    }
}

/// `GET /galleries/{id}`
pub async fn show(
    ctx: PageCtx,
    user: Option<CurrentUser>,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = AlbumView::load(&db, id, user.as_ref()).await?;
    Ok(views::album_page(
        &ctx,
        &v,
        &UploadForm::default(),
        &FieldErrors::new(),
        StatusCode::OK,
    ))
}

/// `POST /galleries/{id}/photos` (multipart): refused before the upload is
/// read when the person may not add photos.
pub async fn add_photos(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let v = AlbumView::load(&state.db, id, Some(&user)).await?;
    domain::may_add_photos(&user, &v.album.access())
        .map_err(|m| AppError::client(StatusCode::FORBIDDEN, "forbidden", m))?;
    super::super::moderation::may_post_now(&state.db, user.account_id).await?;
    let form = read_upload(multipart).await?;
    let mut errors = FieldErrors::new();
    let checked = form.check(&mut errors);
    if !errors.is_empty() {
        return Ok(views::album_page(
            &ctx,
            &v,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let files = checked.iter().map(|c| c.file.clone()).collect();
    let stored = match store_photos(&state.media, &state.gates, files).await? {
        Ok(s) => s,
        Err(m) => {
            errors.add("photos", m);
            return Ok(views::album_page(
                &ctx,
                &v,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let photos: Vec<NewPhoto> = stored
        .into_iter()
        .zip(checked)
        .map(|(stored, c)| NewPhoto {
            stored,
            caption: c.caption,
            point: c.point,
            taken_on: c.taken_on,
        })
        .collect();
    let ids = service::add_photos(&state, &user, id, &photos).await?;
    let anchor = ids
        .first()
        .map(|p| format!("#photo-{p}"))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("{}{anchor}", album_path(id))).into_response())
}

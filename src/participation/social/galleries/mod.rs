//! Galleries: albums of photos with captions, places and dates taken
//! (docs/PARTICIPATION.md, "The social layer"). Anyone signed in opens an
//! album, personally or, as an officer, for their organisation (a
//! construction site over time); its keepers add photos, which go through
//! the same pipeline as every upload (checked, turned upright, stripped of
//! metadata, resized). Albums and photos are post-moderated: shown at once,
//! flagged by readers, hidden by moderators with a reason.
//!
//! - `domain.rs`: who may do what, and the input checked once;
//! - `queries.rs`: the SQL; `service.rs`: the writes;
//! - `pages.rs`, `views.rs`: `/galleries…`; `api.rs`: `/api/v1/albums…`;
//! - `search.rs`: an album as a search document; `demo.rs`: demo albums,
//!   written by the social layer's demo part.

pub mod api;
pub mod demo;
pub mod domain;
pub mod pages;
pub mod queries;
pub mod search;
pub mod service;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::web::i18n::Noun;

/// The search kind of an album (and the activity subject's prefix).
pub const KIND: &str = "album";

pub const PHOTOS: Noun = Noun::new(
    ["фотография", "фотографии", "фотографий"],
    ["photo", "photos"],
);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/galleries", get(pages::list).post(pages::create))
        .route("/galleries/new", get(pages::new_form))
        .route("/galleries/{id}", get(pages::show))
        .route(
            "/galleries/{id}/photos",
            post(pages::add_photos).layer(DefaultBodyLimit::max(crate::media::upload::MAX_UPLOAD)),
        )
        .route("/api/v1/albums", get(api::list))
        .route("/api/v1/albums/{id}", get(api::one))
}

/// Photos of albums, for `media`: public while neither the photo nor its
/// album is hidden; a hidden one to its keepers and moderators
/// (`domain::may_see_photo`, the rule the pages follow too).
pub struct AlbumPhotos;

#[async_trait::async_trait]
impl crate::media::PhotoRule for AlbumPhotos {
    async fn visibility(
        &self,
        db: &crate::db::Db,
        key: &str,
        user: Option<&CurrentUser>,
    ) -> crate::error::AppResult<Option<crate::media::Visibility>> {
        Ok(queries::photo_access(db, key)
            .await?
            .map(|(album, hidden)| crate::media::Visibility {
                public: domain::may_see_photo(None, &album, hidden),
                visible: domain::may_see_photo(user, &album, hidden),
            }))
    }
}

//! All SQL of galleries. A person's name comes out empty when they hide it
//! (`views::person_name` says "A resident" then).

use sqlx::FromRow;
use time::OffsetDateTime;

use super::domain::AlbumAccess;
use crate::db::{Db, Tx, now};
use crate::{fetch_db, fetch_tx};

/// One album with what its page and the API show about it.
#[derive(Debug, Clone, FromRow)]
pub struct AlbumRow {
    pub album_id: i64,
    pub owner_id: i64,
    /// Empty when the owner hides their name.
    pub owner_name: String,
    pub organisation_id: Option<String>,
    pub organisation_ru: Option<String>,
    pub organisation_en: Option<String>,
    pub municipality_id: Option<String>,
    pub title: String,
    pub description: String,
    pub hidden: bool,
    pub hidden_reason: String,
    pub created_at: OffsetDateTime,
    /// Photos the public sees.
    pub photo_count: i64,
    /// The first photo the public sees.
    pub cover_key: Option<String>,
}

impl AlbumRow {
    pub fn access(&self) -> AlbumAccess {
        AlbumAccess {
            owner_id: self.owner_id,
            organisation_id: self.organisation_id.clone(),
            hidden: self.hidden,
        }
    }

    pub fn organisation(&self, l: crate::web::i18n::Locale) -> Option<&str> {
        match (&self.organisation_ru, &self.organisation_en) {
            (Some(ru), Some(en)) => Some(l.pick(ru.as_str(), en.as_str())),
            _ => None,
        }
    }
}

/// The columns of [`AlbumRow`] from `album al`, as a literal so queries
/// stay `&'static str`.
macro_rules! album_select {
    ($rest:literal) => {
        concat!(
            "select al.album_id, al.owner_id,
                 case when ac.hide_name then '' else ac.display_name end as owner_name,
                 al.organisation_id, o.name_ru as organisation_ru, o.name_en as organisation_en,
                 al.municipality_id, al.title, al.description, al.hidden, al.hidden_reason,
                 al.created_at,
                 (select count(*) from album_photo p
                  where p.album_id = al.album_id and not p.hidden) as photo_count,
                 (select p.media_key from album_photo p
                  where p.album_id = al.album_id and not p.hidden
                  order by p.photo_id limit 1) as cover_key
             from album al
             join account ac on ac.account_id = al.owner_id
             left join organisation o on o.organisation_id = al.organisation_id ",
            $rest
        )
    };
}

/// One photo of an album, hidden or not (the page decides who sees it).
#[derive(Debug, Clone, FromRow)]
pub struct PhotoRow {
    pub photo_id: i64,
    pub album_id: i64,
    pub media_key: String,
    pub width: i64,
    pub height: i64,
    pub caption: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub taken_on: Option<String>,
    pub flag_count: i64,
    pub hidden: bool,
    pub hidden_reason: String,
    pub created_at: OffsetDateTime,
}

impl PhotoRow {
    pub fn place(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }
}

/// An album whatever its state.
pub async fn album(db: &Db, id: i64) -> Result<Option<AlbumRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        AlbumRow,
        album_select!("where al.album_id = $1"),
        id
    )
}

pub async fn album_tx(tx: &mut Tx, id: i64) -> Result<Option<AlbumRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        AlbumRow,
        album_select!("where al.album_id = $1"),
        id
    )
}

/// Shown albums, newest first, in `municipality` when it is not empty.
pub async fn public_albums(
    db: &Db,
    municipality: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<AlbumRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AlbumRow,
        album_select!(
            "where not al.hidden and ($1 = '' or al.municipality_id = $1)
             order by al.created_at desc, al.album_id desc limit $2 offset $3"
        ),
        municipality,
        limit,
        offset
    )
}

pub async fn count_public(db: &Db, municipality: &str) -> Result<i64, sqlx::Error> {
    fetch_db!(
        db,
        fetch_one,
        (i64,),
        "select count(*) from album al
         where not al.hidden and ($1 = '' or al.municipality_id = $1)",
        municipality
    )
    .map(|r| r.0)
}

/// Every shown album's id, for a rebuild of the index.
pub async fn public_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = fetch_db!(
        db,
        fetch_all,
        (i64,),
        "select album_id from album where not hidden order by album_id"
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every photo of an album, oldest first.
pub async fn photos(db: &Db, album: i64) -> Result<Vec<PhotoRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PhotoRow,
        "select photo_id, album_id, media_key, width, height, caption, lat, lon, taken_on,
             flag_count, hidden, hidden_reason, created_at
         from album_photo where album_id = $1 order by photo_id limit 2000",
        album
    )
}

/// What the photo rule needs about the photo stored as `key`: its album's
/// rules and whether the photo itself is hidden.
pub async fn photo_access(db: &Db, key: &str) -> Result<Option<(AlbumAccess, bool)>, sqlx::Error> {
    let row: Option<(i64, Option<String>, bool, bool)> = fetch_db!(
        db,
        fetch_optional,
        (i64, Option<String>, bool, bool),
        "select al.owner_id, al.organisation_id, al.hidden, p.hidden
         from album_photo p join album al on al.album_id = p.album_id
         where p.media_key = $1",
        key
    )?;
    Ok(
        row.map(|(owner_id, organisation_id, hidden, photo_hidden)| {
            (
                AlbumAccess {
                    owner_id,
                    organisation_id,
                    hidden,
                },
                photo_hidden,
            )
        }),
    )
}

pub async fn insert_album(
    tx: &mut Tx,
    owner: i64,
    a: &super::domain::NewAlbum,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into album (owner_id, organisation_id, municipality_id, title, description,
             created_at)
         values ($1, $2, $3, $4, $5, $6) returning album_id",
        owner,
        a.organisation_id.as_deref(),
        a.municipality_id.as_deref(),
        &a.title,
        &a.description,
        now()
    )
    .map(|r| r.0)
}

/// A photo to record: already processed and stored.
pub struct PhotoInsert<'a> {
    pub key: &'a str,
    pub width: u32,
    pub height: u32,
    pub caption: &'a str,
    pub point: Option<crate::geo::GeoPoint>,
    pub taken_on: Option<String>,
}

pub async fn insert_photo(
    tx: &mut Tx,
    album: i64,
    p: &PhotoInsert<'_>,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into album_photo (album_id, media_key, width, height, caption, lat, lon,
             taken_on, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning photo_id",
        album,
        p.key,
        i64::from(p.width),
        i64::from(p.height),
        p.caption,
        p.point.map(|g| g.lat),
        p.point.map(|g| g.lon),
        p.taken_on.as_deref(),
        now()
    )
    .map(|r| r.0)
}

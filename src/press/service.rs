//! Every change of media tracking, shared by the pages and the demo: who
//! may make it (`Rights`, the rule the pages draw their forms from), its
//! checks, one transaction.
//!
//! - The keeper (officers of `VECHE_PRESS_KEEPER`, administrators) keeps
//!   the sources, their feeds, the officials and the extra names, polls a
//!   feed now, and sets the tone of any mention.
//! - A department's officers save queries for their department and set
//!   the tone of its mentions.
//! - Everyone in the core reads.

use time::Date;

use super::domain::{Entity, SourceKind, Tone};
use super::queries::{self, NewSource};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, Msg};

#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    pub keep: bool,
}

pub fn rights(state: &AppState, user: &CurrentUser) -> Rights {
    Rights {
        keep: user.is_admin() || user.is_officer_of(&state.config.press.keeper),
    }
}

/// Whether `user` speaks for a department here: its saved queries, its
/// mentions' tone.
pub fn for_department(state: &AppState, user: &CurrentUser, org: &str) -> bool {
    rights(state, user).keep || user.is_officer_of(org)
}

/// Whether `user` may set the tone of an entity's mention.
pub fn may_set_tone(state: &AppState, user: &CurrentUser, entity: &Entity) -> bool {
    match entity.organisation() {
        Some(org) => for_department(state, user, org),
        None => rights(state, user).keep,
    }
}

fn refuse(allowed: bool) -> AppResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// A source as typed in the form.
pub struct SourceInput {
    pub name: String,
    pub kind: SourceKind,
    pub municipality_id: Option<String>,
    pub website: String,
}

fn taken(what: &'static str) -> AppError {
    AppError::conflict(
        what,
        match what {
            "source_name" => Msg::new(
                "Источник с таким названием уже есть.",
                "A source of that name exists already.",
            ),
            "feed_url" => Msg::new(
                "Лента с таким адресом уже есть.",
                "A feed at that address exists already.",
            ),
            "official" => Msg::new(
                "Такое должностное лицо уже в списке.",
                "That official is on the list already.",
            ),
            _ => Msg::new(
                "У департамента уже есть такой запрос.",
                "The department has that query already.",
            ),
        },
    )
}

fn municipality(id: Option<&str>) -> AppResult<()> {
    match id {
        Some(m) if crate::geo::geography().by_id(m).is_none() => Err(AppError::invalid(
            "Такого муниципального образования нет.",
            "There is no such municipality.",
        )),
        _ => Ok(()),
    }
}

/// A new source, with its first feed when given: checked (the keeper's
/// right first, then the feed's address), then written in one
/// transaction, so a refused feed leaves no source behind.
pub async fn create_source(
    state: &AppState,
    user: &CurrentUser,
    s: &SourceInput,
    feed: Option<&str>,
) -> AppResult<i64> {
    refuse(rights(state, user).keep)?;
    municipality(s.municipality_id.as_deref())?;
    let feed = match feed {
        Some(u) => Some(feed_url(state, u).await?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    let new = NewSource {
        name: &s.name,
        kind: s.kind.as_str(),
        municipality_id: s.municipality_id.as_deref(),
        website: &s.website,
        demo: false,
    };
    let now = crate::db::now();
    let id = queries::insert_source(&mut tx, &new, now)
        .await?
        .ok_or_else(|| taken("source_name"))?;
    if let Some(url) = feed {
        queries::insert_feed(&mut tx, id, &url, now)
            .await?
            .ok_or_else(|| taken("feed_url"))?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn update_source(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    s: &SourceInput,
) -> AppResult<()> {
    refuse(rights(state, user).keep)?;
    municipality(s.municipality_id.as_deref())?;
    let mut tx = state.db.begin().await?;
    if queries::source_named(&mut tx, &s.name, id).await? {
        return Err(taken("source_name"));
    }
    let new = NewSource {
        name: &s.name,
        kind: s.kind.as_str(),
        municipality_id: s.municipality_id.as_deref(),
        website: &s.website,
        demo: false,
    };
    if queries::update_source(&mut tx, id, &new, crate::db::now()).await? == 0 {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// A feed's address as saved: http(s), at most 2,000 characters, and,
/// unless the host is allowed, a public address (the outbound rules of
/// the exchange; polling checks again after every resolution).
pub async fn feed_url(state: &AppState, raw: &str) -> AppResult<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > super::domain::MAX_URL {
        return Err(AppError::invalid(
            "Укажите адрес ленты (до 2000 знаков).",
            "Give the feed's address (up to 2,000 characters).",
        ));
    }
    let url = crate::integration::outbound::check_url(
        raw,
        &state.config.integration.outbound_allow_hosts,
    )
    .await
    .map_err(|m| AppError::unprocessable("feed_url", m))?;
    Ok(url.to_string())
}

pub async fn add_feed(
    state: &AppState,
    user: &CurrentUser,
    source_id: i64,
    url: &str,
) -> AppResult<i64> {
    refuse(rights(state, user).keep)?;
    let url = feed_url(state, url).await?;
    let mut tx = state.db.begin().await?;
    let id = queries::insert_feed(&mut tx, source_id, &url, crate::db::now())
        .await?
        .ok_or_else(|| taken("feed_url"))?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_feed(
    state: &AppState,
    user: &CurrentUser,
    feed_id: i64,
    url: &str,
    active: bool,
) -> AppResult<()> {
    refuse(rights(state, user).keep)?;
    let url = feed_url(state, url).await?;
    let mut tx = state.db.begin().await?;
    if queries::feed_at(&mut tx, &url, feed_id).await? {
        return Err(taken("feed_url"));
    }
    if queries::set_feed(&mut tx, feed_id, &url, active, crate::db::now()).await? == 0 {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

pub async fn add_official(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    role: &str,
    org: Option<&str>,
) -> AppResult<i64> {
    refuse(rights(state, user).keep)?;
    if let Some(o) = org
        && crate::directory::queries::by_id(&state.db, o)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(
            "Такой организации нет.",
            "There is no such organisation.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let id = queries::insert_official(&mut tx, name, role, org, crate::db::now())
        .await?
        .ok_or_else(|| taken("official"))?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_official(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<()> {
    refuse(rights(state, user).keep)?;
    let mut tx = state.db.begin().await?;
    queries::delete_official(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_alias(
    state: &AppState,
    user: &CurrentUser,
    entity: &Entity,
    phrase: &str,
) -> AppResult<()> {
    refuse(rights(state, user).keep)?;
    if super::matching::phrase(phrase, 3).is_none() {
        return Err(AppError::invalid(
            "В названии нет слов, которые можно искать.",
            "The name has no words to look for.",
        ));
    }
    let mut tx = state.db.begin().await?;
    queries::add_alias(
        &mut tx,
        &entity.key(),
        phrase,
        user.account_id,
        crate::db::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_alias(
    state: &AppState,
    user: &CurrentUser,
    entity: &Entity,
    id: i64,
) -> AppResult<()> {
    refuse(rights(state, user).keep)?;
    let mut tx = state.db.begin().await?;
    queries::delete_alias(&mut tx, id, &entity.key()).await?;
    tx.commit().await?;
    Ok(())
}

/// How far back a new saved query looks for its first hits.
pub const BACKFILL_DAYS: i64 = 30;
/// How many stories it reads doing so.
const BACKFILL_STORIES: i64 = 20_000;

/// Saves a department's query and finds its hits among the stories of
/// the last 30 days; how many it found.
pub async fn save_query(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    words: &str,
) -> AppResult<usize> {
    refuse(for_department(state, user, org))?;
    let phrases = super::entities::query_phrases(words);
    if phrases.is_empty() {
        return Err(AppError::invalid(
            "В запросе нет слов, которые можно искать.",
            "The query has no words to look for.",
        ));
    }
    let since: Date = super::domain::day_of(crate::db::now()) - time::Duration::days(BACKFILL_DAYS);
    let recent = queries::recent_texts(&state.db, since, BACKFILL_STORIES).await?;
    let mut tx = state.db.begin().await?;
    let id = queries::insert_query(&mut tx, org, words, user.account_id, crate::db::now())
        .await?
        .ok_or_else(|| taken("query"))?;
    let mut m = super::matching::Matcher::default();
    for p in phrases {
        m.add(p, super::matching::Target::Query(id));
    }
    let mut found = 0;
    for (story_id, day, title, snippet) in &recent {
        let text = super::ingest::text_of(title, snippet);
        if !m.find(&crate::search::stems(&text)).is_empty() {
            queries::add_hit(&mut tx, id, *story_id, *day).await?;
            found += 1;
        }
    }
    tx.commit().await?;
    Ok(found)
}

pub async fn delete_query(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    id: i64,
) -> AppResult<()> {
    refuse(for_department(state, user, org))?;
    let mut tx = state.db.begin().await?;
    queries::delete_query(&mut tx, id, org).await?;
    tx.commit().await?;
    Ok(())
}

/// An officer's tone of a mention (`None`: back to the heuristic's).
pub async fn set_tone(
    state: &AppState,
    user: &CurrentUser,
    mention_id: i64,
    tone: Option<Tone>,
) -> AppResult<i64> {
    let m = queries::mention(&state.db, mention_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let entity = Entity::parse(&m.entity).ok_or_else(AppError::not_found)?;
    refuse(may_set_tone(state, user, &entity))?;
    let mut tx = state.db.begin().await?;
    queries::set_override(
        &mut tx,
        mention_id,
        tone.map(Tone::as_str),
        user.account_id,
        crate::db::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(m.story_id)
}

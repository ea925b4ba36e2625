//! Items to stories, one path for the poller, the demo and the
//! benchmark: each item's link is normalised; a story is found by the
//! link's key, or by the title's hash among stories published within
//! `VECHE_PRESS_DEDUP_DAYS` of it; otherwise it is new, and its title and
//! snippet are matched against the tracked names and saved queries and
//! given a heuristic tone. Either way the source gets its appearance.
//! Everything of one feed's poll is one transaction.

use std::sync::LazyLock;

use time::{Duration, OffsetDateTime};

use super::domain::{self, Tone};
use super::matching::{Matcher, Target};
use super::parse::Item;
use super::queries::{self, NewStory};
use super::tone::{self, Lexicon};
use crate::db::Tx;

/// The lexicon shipped in `datasets/press/` (docs/PRESS.md names it and
/// its licence), stemmed as the index stems.
static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::parse(
        include_str!("../../datasets/press/tone-lexicon-ru.tsv"),
        &crate::search::stem,
    )
    .unwrap_or_else(|e| {
        // A unit test keeps this from shipping; a running server still
        // tracks the media, every story neutral.
        tracing::error!(error = %e, "the tone lexicon does not parse");
        Lexicon::default()
    })
});

/// The heuristic tone of a text: its tone, score and the terms that
/// made it («авария −2, ликвидирована авария +2»).
#[derive(Debug, Clone, PartialEq)]
pub struct Heuristic {
    pub tone: Tone,
    pub score: i32,
    pub hits: String,
}

/// Scores `text` with the lexicon: the scorer's words, each stemmed by
/// the search index's stemmer (sentence and clause marks kept as they
/// are).
pub fn heuristic(text: &str) -> Heuristic {
    let stems: Vec<String> = tone::words(text)
        .into_iter()
        .map(|w| {
            if !w.chars().any(char::is_alphabetic) {
                return w;
            }
            let s = crate::search::stem(&w);
            if s.is_empty() { w } else { s }
        })
        .collect();
    let scored = tone::score(&LEXICON, &stems);
    let hits = scored
        .hits
        .iter()
        .map(|h| format!("{} {:+}", h.term, h.weight))
        .collect::<Vec<_>>()
        .join(", ");
    Heuristic {
        tone: match scored.tone {
            tone::Tone::Positive => Tone::Positive,
            tone::Tone::Negative => Tone::Negative,
            tone::Tone::Neutral => Tone::Neutral,
        },
        score: scored.score,
        hits: domain::cut(&hits, 300),
    }
}

/// What one ingestion needs: the names to match and the window of
/// title deduplication.
pub struct Context {
    pub matcher: Matcher,
    pub dedup: Duration,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub new_stories: i64,
    pub appearances: i64,
    /// Items without a usable link.
    pub skipped: i64,
}

/// The story's text as matched and scored.
pub fn text_of(title: &str, snippet: &str) -> String {
    if snippet.is_empty() {
        title.to_owned()
    } else {
        format!("{title}. {snippet}")
    }
}

/// Stores `items` of a source (and its feed, when polled) inside `tx`.
pub async fn ingest(
    tx: &mut Tx,
    ctx: &Context,
    source_id: i64,
    feed_id: Option<i64>,
    items: &[Item],
    now: OffsetDateTime,
) -> Result<Outcome, sqlx::Error> {
    let mut out = Outcome::default();
    for item in items {
        let Some((url, key)) = domain::normalise_url(&item.url) else {
            out.skipped += 1;
            continue;
        };
        let published = domain::published(item.published, now);
        let hash = domain::title_hash(&item.title);
        let mut found = queries::story_by_key(tx, &key).await?;
        // An undated item's link seen before under another story's key (a
        // copy matched by its title then) is that story, however old: it
        // would otherwise come back as news once the window has passed. A
        // dated item keeps its date, so its title finds the story again.
        if found.is_none() && item.published.is_none() {
            found = queries::story_by_appearance(tx, &url).await?;
        }
        if found.is_none() && !hash.is_empty() {
            found =
                queries::story_by_title(tx, &hash, published - ctx.dedup, published + ctx.dedup)
                    .await?;
        }
        let story_id = match found {
            Some(id) => id,
            None => match store_new(
                tx,
                ctx,
                source_id,
                item,
                (&url, &key, &hash),
                published,
                now,
            )
            .await?
            {
                Some(id) => {
                    out.new_stories += 1;
                    id
                }
                // Another poller stored it between the look and the insert.
                None => queries::story_by_key(tx, &key)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)?,
            },
        };
        if queries::add_appearance(tx, story_id, source_id, feed_id, &url, now).await? {
            out.appearances += 1;
        }
    }
    Ok(out)
}

async fn store_new(
    tx: &mut Tx,
    ctx: &Context,
    source_id: i64,
    item: &Item,
    (url, key, hash): (&str, &str, &str),
    published: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let text = text_of(&item.title, &item.snippet);
    let h = heuristic(&text);
    let day = domain::day_of(published);
    let new = NewStory {
        url,
        url_key: key,
        title: &item.title,
        title_hash: hash,
        snippet: &item.snippet,
        published_at: published,
        day,
        source_id,
        tone: h.tone.as_str(),
        tone_score: f64::from(h.score),
        tone_hits: &h.hits,
    };
    let Some(id) = queries::insert_story(tx, &new, now).await? else {
        return Ok(None);
    };
    for target in ctx.matcher.find(&crate::search::stems(&text)) {
        match target {
            Target::Entity(key) => queries::add_mention(tx, id, &key, day).await?,
            Target::Query(q) => queries::add_hit(tx, q, id, day).await?,
        };
    }
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicon_parses_and_scores() {
        let lexicon = Lexicon::parse(
            include_str!("../../datasets/press/tone-lexicon-ru.tsv"),
            &crate::search::stem,
        )
        .expect("the shipped lexicon parses");
        let (words, phrases, negators) = lexicon.counts();
        assert!(words > 100 && phrases > 10 && negators >= 3);
        assert_eq!(
            heuristic("На трассе М-4 произошла авария").tone,
            Tone::Negative
        );
        assert_eq!(
            heuristic("Авария на водоводе ликвидирована").tone,
            Tone::Positive
        );
        let h = heuristic("В Сочи открыли новую школу");
        assert_eq!(h.tone, Tone::Positive, "{h:?}");
        assert!(!h.hits.is_empty());
    }
}

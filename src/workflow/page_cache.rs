//! The page of a request as someone not signed in sees it, kept until
//! anything is committed to the database or the page's own clock runs out.
//!
//! A report linked from the news is read by thousands who are not signed
//! in, and their page is the same for all of them: rendering it once per
//! change, not once per reader, takes the database out of the busiest
//! path. What invalidates a kept page:
//! - any commit to the database, by this process or another
//!   (`db::changes::Changes`): the page is made of the request, its timeline and
//!   photos, names from the directory and blocks other features add, and
//!   telling which commit touched which of them is not worth the risk;
//! - the request's deadline passing while it awaits an answer (the page
//!   then says it is overdue, with no commit at all);
//! - nothing else: the signed-in never get a kept page, nor a request with
//!   a query (its sign-in link comes back to that address).
//!
//! Where commits cannot be counted without a round trip (PostgreSQL),
//! nothing is kept. The tests are in `tests/http/report_page.rs`.

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

use crate::db::{Db, changes::Changes};
use crate::web::i18n::Locale;

/// At most this many pages are kept (a few megabytes); beyond it, pages
/// are rendered as if none were kept until the next commit empties it.
const PAGES: usize = 512;

/// Which page: the request's kind, its id, the language.
pub type Key = (&'static str, i64, Locale);

/// A rendered page: its title and the main part the layout goes around.
#[derive(Clone)]
pub struct Rendered {
    pub title: String,
    pub main: String,
}

struct Entry {
    page: Rendered,
    /// The last instant the page is right at (`right_until`).
    until: Option<OffsetDateTime>,
}

struct Pages {
    /// The commit counter the pages were rendered at.
    version: i64,
    pages: HashMap<Key, Entry>,
}

pub struct AnonymousPages {
    changes: Changes,
    pages: Mutex<Pages>,
}

/// What `AnonymousPages::get` found.
pub enum Found {
    Kept(Rendered),
    /// Nothing usable: render the page, reading after this call, and
    /// `keep` it with this version (none: do not keep it).
    Render(Option<i64>),
}

/// The last instant a page made at `at` is right at, for a request
/// awaiting an answer (`awaits_reaction`) by `due`: `AppealRow::is_overdue`
/// says "overdue" once the clock is past `due`, so a page that did not say
/// it is right up to `due` itself. None when nothing on it moves with the
/// clock, or it said so already.
pub fn right_until(
    awaits_reaction: bool,
    due: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Option<OffsetDateTime> {
    due.filter(|d| awaits_reaction && at <= *d)
}

impl AnonymousPages {
    pub async fn new(db: &Db) -> AnonymousPages {
        AnonymousPages {
            changes: Changes::of(db).await,
            pages: Mutex::new(Pages {
                version: i64::MIN,
                pages: HashMap::new(),
            }),
        }
    }

    /// The page kept for `key` if nothing has been committed since it was
    /// rendered and its deadline has not passed at `at`.
    pub fn get(&self, key: &Key, at: OffsetDateTime) -> Found {
        let Some(version) = self.changes.version() else {
            return Found::Render(None);
        };
        let mut p = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        // The counter only grows. A request that asked it just before
        // another saw a newer commit renders without keeping.
        if version < p.version {
            return Found::Render(None);
        }
        if version > p.version {
            p.version = version;
            p.pages.clear();
        }
        match p.pages.get(key) {
            Some(e) if e.until.is_none_or(|u| at <= u) => Found::Kept(e.page.clone()),
            _ => Found::Render(Some(version)),
        }
    }

    /// Whether a page is kept for `key` now (no commit since it was), for
    /// the tests and diagnostics; the clock is not asked.
    pub fn holds(&self, key: &Key) -> bool {
        let Some(version) = self.changes.version() else {
            return false;
        };
        let p = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        p.version == version && p.pages.contains_key(key)
    }

    /// Keeps `page`, rendered from reads made after `get` answered
    /// `version`, right until the instant `until` at the latest. Once a
    /// `get` has seen a newer commit, a page kept under an older number
    /// is not kept (it would be emptied at once anyway).
    pub fn keep(&self, key: Key, version: i64, page: Rendered, until: Option<OffsetDateTime>) {
        let mut p = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if p.version == version && p.pages.len() < PAGES {
            p.pages.insert(key, Entry { page, until });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(main: &str) -> Rendered {
        Rendered {
            title: "№1".into(),
            main: main.into(),
        }
    }

    fn kept(found: Found) -> Option<String> {
        match found {
            Found::Kept(p) => Some(p.main),
            Found::Render(_) => None,
        }
    }

    /// What was kept is served until the next commit of any connection,
    /// or until its deadline.
    #[tokio::test]
    async fn kept_until_a_commit_or_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect_url(&url, 2).await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!()
        };
        sqlx::query("create table t (x integer)")
            .execute(pool)
            .await
            .unwrap();
        let pages = AnonymousPages::new(&db).await;
        let key: Key = ("problem", 1, Locale::Ru);
        let at = crate::db::now();
        let Found::Render(Some(v)) = pages.get(&key, at) else {
            panic!("nothing kept yet, and the counter known")
        };
        pages.keep(key, v, page("a"), None);
        assert_eq!(kept(pages.get(&key, at)).as_deref(), Some("a"));
        // Another language, another page.
        assert_eq!(kept(pages.get(&("problem", 1, Locale::En), at)), None);

        sqlx::query("insert into t values (1)")
            .execute(pool)
            .await
            .unwrap();
        let Found::Render(Some(v2)) = pages.get(&key, at) else {
            panic!("a commit ends what was kept")
        };
        assert!(v2 > v);
        // A page rendered from reads before that commit is not kept.
        pages.keep(key, v, page("old"), None);
        assert_eq!(kept(pages.get(&key, at)), None);

        // Made before its deadline: right up to the deadline itself.
        let due = at + time::Duration::seconds(10);
        let until = right_until(true, Some(due), due);
        assert_eq!(until, Some(due));
        pages.keep(key, v2, page("b"), until);
        assert_eq!(kept(pages.get(&key, due)).as_deref(), Some("b"));
        let second = time::Duration::seconds(1);
        assert_eq!(kept(pages.get(&key, due + second)), None);
        // Made after it (it says "overdue"), or not awaiting an answer:
        // nothing moves with the clock.
        assert_eq!(right_until(true, Some(due), due + second), None);
        assert_eq!(right_until(false, Some(due), at), None);
        assert_eq!(right_until(true, None, at), None);
    }

    /// PostgreSQL and in-memory databases keep nothing.
    #[tokio::test]
    async fn nothing_kept_without_a_file() {
        let db = Db::connect_url("sqlite::memory:", 1).await.unwrap();
        let pages = AnonymousPages::new(&db).await;
        assert!(matches!(
            pages.get(&("problem", 1, Locale::Ru), crate::db::now()),
            Found::Render(None)
        ));
    }
}

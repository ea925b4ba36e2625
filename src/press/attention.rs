//! Attention: an entity's mentions per day, their share of the day's
//! stories (every story of every tracked source is in scope), the 7-day
//! moving averages; the hourly spike detector, which mails the entity's
//! owners once per entity and day; the daily digest of each department,
//! mailed once per day.

use std::collections::BTreeMap;

use time::{Date, Duration, OffsetDateTime};

use super::domain::{self, Entity, MSK, Spike};
use super::entities::Entities;
use super::queries::{self, StoryRow};
use crate::app::AppState;
use crate::error::AppResult;
use crate::integration::mail::{self, OutgoingMail};
use crate::web::i18n::{Locale, iso_date};

/// Days of history a spike is measured against.
pub const HISTORY_DAYS: i64 = 28;
/// The window of the moving averages.
pub const WINDOW: usize = 7;

/// Today in the krai, by the service clock (the demo moves it).
pub fn today() -> Date {
    domain::day_of(crate::db::now())
}

/// An entity's daily figures over `days` days up to `to`.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub days: Vec<Date>,
    pub totals: Vec<i64>,
    pub counts: Vec<i64>,
    /// Mentions per 100 stories of the day.
    pub share: Vec<f64>,
    pub count_avg: Vec<f64>,
    pub share_avg: Vec<f64>,
}

fn percent(count: i64, total: i64) -> f64 {
    if total > 0 {
        100.0 * count as f64 / total as f64
    } else {
        0.0
    }
}

/// The series of `entity` (or of every mention, `""`), the averages
/// counted over the days before the first shown too.
pub async fn series(db: &crate::db::Db, entity: &str, to: Date, days: i64) -> AppResult<Series> {
    let lead = WINDOW as i64 - 1;
    let from = to - Duration::days(days - 1 + lead);
    let totals: BTreeMap<Date, i64> = queries::daily_totals(db, from, to)
        .await?
        .into_iter()
        .collect();
    let mut counts: BTreeMap<Date, i64> = BTreeMap::new();
    for (_, d, n) in queries::daily_mentions(db, entity, from, to).await? {
        *counts.entry(d).or_default() += n;
    }
    let all: Vec<Date> = (0..days + lead).map(|i| from + Duration::days(i)).collect();
    let total: Vec<i64> = all
        .iter()
        .map(|d| totals.get(d).copied().unwrap_or(0))
        .collect();
    let count: Vec<i64> = all
        .iter()
        .map(|d| counts.get(d).copied().unwrap_or(0))
        .collect();
    let share: Vec<f64> = count
        .iter()
        .zip(&total)
        .map(|(c, t)| percent(*c, *t))
        .collect();
    let count_f: Vec<f64> = count.iter().map(|c| *c as f64).collect();
    let skip = lead as usize;
    Ok(Series {
        days: all[skip..].to_vec(),
        totals: total[skip..].to_vec(),
        counts: count[skip..].to_vec(),
        share: share[skip..].to_vec(),
        count_avg: domain::moving_average(&count_f, WINDOW)[skip..].to_vec(),
        share_avg: domain::moving_average(&share, WINDOW)[skip..].to_vec(),
    })
}

/// One row of the attention table: an entity's mentions today and over
/// the week.
#[derive(Debug, Clone)]
pub struct Attention {
    pub key: String,
    pub today: i64,
    pub week: i64,
    pub week_avg: f64,
    pub share_today: f64,
}

/// The entities mentioned in the week to `day`, the most mentioned first.
pub async fn attention(db: &crate::db::Db, day: Date) -> AppResult<(i64, Vec<Attention>)> {
    let from = day - Duration::days(WINDOW as i64 - 1);
    let total_today = queries::daily_totals(db, day, day)
        .await?
        .first()
        .map_or(0, |r| r.1);
    let mut by: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (e, d, n) in queries::daily_mentions(db, "", from, day).await? {
        let x = by.entry(e).or_default();
        x.1 += n;
        if d == day {
            x.0 += n;
        }
    }
    let mut rows: Vec<Attention> = by
        .into_iter()
        .map(|(key, (today, week))| Attention {
            key,
            today,
            week,
            week_avg: week as f64 / WINDOW as f64,
            share_today: percent(today, total_today),
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.today, b.week)
            .cmp(&(a.today, a.week))
            .then(a.key.cmp(&b.key))
    });
    Ok((total_today, rows))
}

/// Who hears of an entity: its department's officers, or the keeper's.
async fn owners(state: &AppState, entity: &Entity) -> AppResult<Vec<(String, String)>> {
    let org = entity.organisation().unwrap_or(&state.config.press.keeper);
    Ok(queries::officer_mails(&state.db, org).await?)
}

fn stories_text(stories: &[StoryRow], limit: usize) -> String {
    let mut out = String::new();
    for s in stories.iter().take(limit) {
        out.push_str(&format!("- {} ({})\n  {}\n", s.title, s.source_name, s.url));
    }
    out
}

/// Finds today's spikes and mails each entity's owners once; how many
/// spikes were new.
pub async fn detect_spikes(state: &AppState, day: Date) -> AppResult<usize> {
    let from = day - Duration::days(HISTORY_DAYS);
    let mut by: BTreeMap<String, BTreeMap<Date, i64>> = BTreeMap::new();
    for (e, d, n) in queries::daily_mentions(&state.db, "", from, day).await? {
        *by.entry(e).or_default().entry(d).or_default() += n;
    }
    let c = &state.config.press;
    let mut found: Vec<(String, Spike)> = Vec::new();
    for (key, days) in &by {
        let today = days.get(&day).copied().unwrap_or(0);
        let history: Vec<i64> = (1..=HISTORY_DAYS)
            .map(|i| days.get(&(day - Duration::days(i))).copied().unwrap_or(0))
            .collect();
        if let Some(s) = domain::spike(&history, today, c.spike_k, c.spike_min) {
            found.push((key.clone(), s));
        }
    }
    if found.is_empty() {
        return Ok(0);
    }
    let entities = super::entities::load(state).await?;
    let mut new = 0;
    for (key, s) in found {
        let Some(entity) = Entity::parse(&key) else {
            continue;
        };
        let to = owners(state, &entity).await?;
        let filter = queries::StoryFilter {
            entity: &key,
            since: Some(day),
            ..Default::default()
        };
        let stories = queries::stories(&state.db, &filter, 10, 0).await?;
        let mut tx = state.db.begin().await?;
        if !queries::raise_spike(&mut tx, &key, day, &s, crate::db::now()).await? {
            continue;
        }
        for (address, _) in &to {
            mail::enqueue(
                &mut tx,
                &spike_mail(state, &entities, &key, day, &s, &stories, address),
            )
            .await?;
        }
        tx.commit().await?;
        new += 1;
    }
    Ok(new)
}

fn spike_mail(
    state: &AppState,
    entities: &Entities,
    key: &str,
    day: Date,
    s: &Spike,
    stories: &[StoryRow],
    to: &str,
) -> OutgoingMail {
    let url = format!("{}/pm/press/entities/{key}", state.config.base_url());
    let list = stories_text(stories, 10);
    let name_ru = entities.name(key, Locale::Ru);
    let name_en = entities.name(key, Locale::En);
    let date = iso_date(day);
    let text = |l: Locale| match l {
        Locale::Ru => format!(
            "Всплеск упоминаний: «{name_ru}» — {} за {date} при среднем {:.1} в день за 28 дней \
             до того (порог {:.1}).\n\n{list}\n{url}\n",
            s.count, s.mean, s.threshold
        ),
        Locale::En => format!(
            "A spike of mentions: \"{name_en}\", {} on {date} against a mean of {:.1} a day over \
             the 28 days before (threshold {:.1}).\n\n{list}\n{url}\n",
            s.count, s.mean, s.threshold
        ),
    };
    OutgoingMail {
        to: to.to_owned(),
        subject: format!(
            "Всплеск упоминаний в СМИ: {name_ru} — {} за {date}",
            s.count
        ),
        body: format!("{}\n---\n{}", text(Locale::Ru), text(Locale::En)),
    }
}

/// The day whose digest is due at `now`: today from the digest hour on,
/// yesterday before it (a server down at the hour sends it later).
pub fn digest_day(now: OffsetDateTime, hour: u8) -> Date {
    let local = now.to_offset(MSK);
    if local.hour() >= hour {
        local.date()
    } else {
        local.date() - Duration::days(1)
    }
}

/// Mails each department in the news its digest of the day, once; how
/// many departments were handled.
pub async fn send_digests(state: &AppState, now: OffsetDateTime) -> AppResult<usize> {
    let day = digest_day(now, state.config.press.digest_hour);
    let orgs = queries::departments_in_the_news(&state.db, day).await?;
    if orgs.is_empty() {
        return Ok(0);
    }
    let entities = super::entities::load(state).await?;
    let mut done = 0;
    for org in orgs {
        let to = queries::officer_mails(&state.db, &org).await?;
        let stories = queries::department_day(&state.db, &org, day, 51).await?;
        let mut tx = state.db.begin().await?;
        if !queries::mark_digest(&mut tx, &org, day, now).await? {
            continue;
        }
        let key = Entity::Organisation(org.clone()).key();
        for (address, _) in &to {
            mail::enqueue(
                &mut tx,
                &digest_mail(state, &entities, &key, &org, day, &stories, address),
            )
            .await?;
        }
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

fn digest_mail(
    state: &AppState,
    entities: &Entities,
    key: &str,
    org: &str,
    day: Date,
    stories: &[StoryRow],
    to: &str,
) -> OutgoingMail {
    let url = format!("{}/pm/press/departments/{org}", state.config.base_url());
    let shown = stories.len().min(50);
    let more = stories.len() > 50;
    let list = stories_text(stories, 50);
    let date = iso_date(day);
    let text = |l: Locale| match l {
        Locale::Ru => format!(
            "Сводка СМИ за {date}: «{}» — упоминания и находки сохранённых запросов, {shown}{}.\n\
             Тональность — эвристика словаря, её можно исправить на странице.\n\n{list}\n{url}\n",
            entities.name(key, Locale::Ru),
            if more { " и больше" } else { "" }
        ),
        Locale::En => format!(
            "Media digest of {date}: \"{}\": mentions and saved queries' finds, {shown}{}.\n\
             The tone is a lexicon heuristic; it can be corrected on the page.\n\n{list}\n{url}\n",
            entities.name(key, Locale::En),
            if more { " and more" } else { "" }
        ),
    };
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Сводка СМИ за {date}: {shown} материалов"),
        body: format!("{}\n---\n{}", text(Locale::Ru), text(Locale::En)),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn the_digest_of_a_day_is_due_from_its_hour() {
        let d = |t| super::digest_day(t, 18);
        assert_eq!(
            d(datetime!(2026-12-02 15:00 UTC)),
            time::macros::date!(2026 - 12 - 02)
        );
        assert_eq!(
            d(datetime!(2026-12-02 14:59 UTC)),
            time::macros::date!(2026 - 12 - 01)
        );
    }
}

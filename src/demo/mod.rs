//! The living demo region: reports, construction objects, orders and the
//! people behind them, generated on the first start so a newcomer sees every
//! feature at work (docs/ARCHITECTURE.md, "Demo content").
//!
//! - Each feature writes its own part (`DemoPart`, registered in
//!   `features.rs`); this kernel runs the parts in order, each in one
//!   transaction together with its row in `demo_part`, so a restart writes
//!   only what is missing and never twice.
//! - Parts write through the features' own services (filing a report,
//!   answering it, giving and delegating an order), never by hand-made rows,
//!   so every event, notification, search document and open-data refresh is
//!   the one a real action makes. They run on a hand-set clock
//!   (`db::with_clock`) that walks through the past weeks, so dates are
//!   relative to the first start; the core applies the portal's messages at
//!   the time they were sent.
//! - Deterministic: one seed, one random stream per part.
//! - People: citizens and staff are accounts without a password on the
//!   reserved `.invalid` domain (RFC 2606), told on the site only, never by
//!   mail. The accounts a person may sign in with (one per role, one
//!   password) exist only when the server listens on a loopback address.

pub mod accounts;
pub mod pages;
mod people;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, OffsetDateTime};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Tx, now};
use crate::geo::GeoPoint;
use crate::on_tx;

/// The seed of the whole demo region: change it and every generated record
/// changes.
const SEED: u64 = 0x7665_6368_6532_3032;

/// The domain of every demo e-mail address: reserved, never delivered.
pub const MAIL_DOMAIN: &str = "demo.veche.invalid";

/// One feature's share of the demo region.
#[async_trait::async_trait]
pub trait DemoPart: Send + Sync {
    /// Recorded in `demo_part` once written; never renamed.
    fn name(&self) -> &'static str;
    /// Writes the part inside `tx`; returns how many items it made.
    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize>;
}

/// The parts, in the order they are written (later parts use what earlier
/// ones made).
pub struct DemoParts(Vec<Arc<dyn DemoPart>>);

impl DemoParts {
    pub fn new(parts: Vec<Arc<dyn DemoPart>>) -> DemoParts {
        DemoParts(parts)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }
}

/// What a part has to write with: the application, a random stream, the
/// clock, and the demo's people.
pub struct Gen<'a> {
    pub state: &'a AppState,
    rng: StdRng,
    /// The moment the demo is generated: every date is relative to it.
    pub start: OffsetDateTime,
    scale: u32,
    people: HashMap<String, CurrentUser>,
}

impl<'a> Gen<'a> {
    fn new(state: &'a AppState, part: &str, start: OffsetDateTime) -> Gen<'a> {
        // One stream per part: adding a part does not change the others.
        let salt = part.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        Gen {
            state,
            rng: StdRng::seed_from_u64(SEED ^ salt),
            start,
            scale: state.config.server.demo_scale,
            people: HashMap::new(),
        }
    }

    /// `full` scaled by `VECHE_DEMO_SCALE`, at least one.
    pub fn count(&self, full: usize) -> usize {
        (full * self.scale as usize / 100).max(1)
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    pub fn pick<'b, T>(&mut self, xs: &'b [T]) -> &'b T {
        &xs[self.rng.random_range(0..xs.len())]
    }

    /// An index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.rng.random_range(0..total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A working-hours moment (8:00–20:00, Moscow) `days` days before the
    /// start.
    pub fn days_ago(&mut self, days: i64) -> OffsetDateTime {
        let minutes = self.between(8 * 60, 20 * 60);
        let day = self.start.to_offset(crate::workflow::sla::MSK).date() - Duration::days(days);
        let t = day
            .with_hms(0, 0, 0)
            .map(|d| d.assume_offset(crate::workflow::sla::MSK))
            .unwrap_or(self.start)
            + Duration::minutes(minutes);
        t.min(self.start)
    }

    /// Moves the clock the services read (never past the start).
    pub fn at(&self, t: OffsetDateTime) {
        crate::db::set_clock(t.min(self.start));
    }

    /// The start's date in Moscow.
    pub fn today(&self) -> Date {
        self.start.to_offset(crate::workflow::sla::MSK).date()
    }

    /// A place where people live: a town, chosen by the square root of its
    /// population (so towns are denser without Krasnodar taking everything),
    /// or now and then any point of a municipality, with a street address.
    pub fn place(&mut self) -> Place {
        let towns = crate::geo::geocode::towns();
        let geography = crate::geo::geography();
        for _ in 0..50 {
            let (point, town) = if self.chance(0.8) && !towns.is_empty() {
                let weights: Vec<u32> = towns
                    .iter()
                    .map(|t| (f64::from(t.population.max(1000))).sqrt() as u32)
                    .collect();
                let t = &towns[self.weighted(&weights)];
                // Within about 2 km of the centre.
                let dlat = self.rng.random_range(-0.018..0.018);
                let dlon = self.rng.random_range(-0.025..0.025);
                (
                    GeoPoint {
                        lat: t.point.lat + dlat,
                        lon: t.point.lon + dlon,
                    },
                    Some(t.name.clone()),
                )
            } else {
                let m = self.pick(geography.all());
                let [x0, y0, x1, y1] = m.bbox;
                (
                    GeoPoint {
                        lat: self.rng.random_range(y0..y1),
                        lon: self.rng.random_range(x0..x1),
                    },
                    None,
                )
            };
            let Ok(m) = geography.locate(point) else {
                continue;
            };
            let town = town.unwrap_or_else(|| m.admin_centre_ru.clone());
            let street = *self.pick(STREETS);
            let house = self.between(1, 180);
            return Place {
                point: GeoPoint {
                    lat: (point.lat * 1e6).round() / 1e6,
                    lon: (point.lon * 1e6).round() / 1e6,
                },
                municipality_id: m.id.clone(),
                address: format!("{town}, {street}, {house}"),
            };
        }
        // The region's capital, should every try fall into the sea.
        Place {
            point: GeoPoint {
                lat: 45.035,
                lon: 38.975,
            },
            municipality_id: "krasnodar".into(),
            address: "Краснодар, ул. Красная, 1".into(),
        }
    }

    /// A generated picture (stripes and shapes, plainly not a photograph of
    /// a real place), stored through the same pipeline as an upload.
    pub async fn photo(&mut self) -> anyhow::Result<crate::media::upload::StoredPhoto> {
        let hue = self.between(0, 359) as f64;
        let seed = self.rng.random::<u64>();
        let bytes = tokio::task::spawn_blocking(move || picture(hue, seed)).await??;
        let stored = crate::media::upload::store_photos(
            &self.state.media,
            &self.state.gates,
            vec![("demo.jpg".to_owned(), bytes)],
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .map_err(|m| anyhow::anyhow!("{}", m.ru))?;
        stored
            .into_iter()
            .next()
            .context("the demo picture was not stored")
    }
}

/// A point with its municipality and a street address.
pub struct Place {
    pub point: GeoPoint,
    pub municipality_id: String,
    pub address: String,
}

const STREETS: &[&str] = &[
    "ул. Красная",
    "ул. Северная",
    "ул. Мира",
    "ул. Ленина",
    "ул. Садовая",
    "ул. Школьная",
    "ул. Набережная",
    "ул. Советская",
    "ул. Кубанская",
    "ул. Гагарина",
    "ул. Пушкина",
    "ул. Октябрьская",
    "ул. Победы",
    "ул. Центральная",
    "пер. Тихий",
    "пр. Строителей",
];

fn picture(hue: f64, seed: u64) -> anyhow::Result<Vec<u8>> {
    use image::{Rgb, RgbImage};
    let mut rng = StdRng::seed_from_u64(seed);
    let (w, h) = (480u32, 360u32);
    let colour = |hue: f64, light: f64| -> Rgb<u8> {
        // HSL with saturation 0.45.
        let c = (1.0 - (2.0 * light - 1.0).abs()) * 0.45;
        let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
        let m = light - c / 2.0;
        let (r, g, b) = match (hue / 60.0) as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let to = |v: f64| ((v + m) * 255.0).clamp(0.0, 255.0) as u8;
        Rgb([to(r), to(g), to(b)])
    };
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let stripe = ((x + y) / 24) % 2 == 0;
        colour(hue, if stripe { 0.62 } else { 0.68 })
    });
    for _ in 0..rng.random_range(2..5) {
        let (cx, cy) = (
            rng.random_range(60..w - 60) as f64,
            rng.random_range(60..h - 60) as f64,
        );
        let (rx, ry) = (rng.random_range(25.0..90.0), rng.random_range(20.0..70.0));
        let fill = colour((hue + rng.random_range(90.0..270.0)) % 360.0, 0.4);
        for y in 0..h {
            for x in 0..w {
                let dx = (x as f64 - cx) / rx;
                let dy = (y as f64 - cy) / ry;
                if dx * dx + dy * dy <= 1.0 {
                    img.put_pixel(x, y, fill);
                }
            }
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img)?;
    Ok(out)
}

/// What [`ensure`] did.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Parts written now, with their item counts.
    pub parts: Vec<(&'static str, usize)>,
}

/// Writes the parts not written yet. Runs before the server's workers start;
/// what the parts queued (the core's copies of requests, open-data
/// refreshes, search documents) is applied here for the integration
/// messages, and by the workers for the rest.
pub async fn ensure(state: &AppState, parts: &DemoParts) -> anyhow::Result<Loaded> {
    let start = now();
    let mut loaded = Loaded::default();
    for part in &parts.0 {
        let name = part.name();
        if is_loaded(state, name).await? {
            continue;
        }
        let began = std::time::Instant::now();
        let n = crate::db::with_clock(async {
            let mut g = Gen::new(state, name, start);
            let mut tx = state.db.begin().await?;
            let n = part
                .load(&mut tx, &mut g)
                .await
                .with_context(|| format!("the demo part {name} failed"))?;
            crate::exec_tx!(
                &mut tx,
                "insert into demo_part (name, items, loaded_at) values ($1, $2, $3)",
                name,
                n as i64,
                start
            )?;
            tx.commit().await?;
            // The core takes the portal's messages at the time they were
            // sent (the exchange moves the clock to each); the queue itself
            // runs at the start, when every one of them is due.
            crate::db::set_clock(start);
            while state.exchange.deliver_pending(state).await? > 0 {}
            Ok::<_, anyhow::Error>(n)
        })
        .await?;
        tracing::info!(
            part = name,
            items = n,
            ms = began.elapsed().as_millis() as u64,
            "demo part written"
        );
        loaded.parts.push((name, n));
    }
    Ok(loaded)
}

async fn is_loaded(state: &AppState, name: &str) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let found = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar::<_, i64>("select items from demo_part where name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await
    })?;
    tx.commit().await?;
    Ok(found.is_some())
}

/// Deletes what veche keeps in an embedded data folder (the SQLite store,
/// the search index, photos and files, the local mailbox), and nothing
/// else there. Refuses with PostgreSQL, and when an account outside the demo
/// exists: that is someone's real data.
pub async fn reset_data_folder(config: &crate::config::Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.database_url.is_none(),
        "demo --reset recreates the embedded SQLite store; with PostgreSQL, drop and create the database instead"
    );
    let store = config.data_dir.join("veche.db");
    if store.exists() {
        let db = crate::db::Db::connect(config).await?;
        let mut tx = db.begin().await?;
        let real = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from account where email_norm is null or email_norm not like $1",
            )
            .bind(format!("%@{MAIL_DOMAIN}"))
            .fetch_one(conn)
            .await
        })
        // Unreadable is not "none": then nothing is deleted.
        .context("cannot tell whose accounts the data folder holds")?;
        tx.commit().await?;
        db.close().await;
        anyhow::ensure!(
            real == 0,
            "{} holds {real} account(s) that are not demo accounts: not deleting it",
            config.data_dir.display()
        );
    }
    for file in ["veche.db", "veche.db-wal", "veche.db-shm"] {
        let p = config.data_dir.join(file);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot delete {}", p.display()))?;
        }
    }
    for dir in [config.index_dir(), config.media_dir(), config.mailbox_dir()] {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot delete {}", dir.display()))?;
        }
    }
    Ok(())
}

/// The department of the demo officer (the one answering most citizens'
/// reports) and more departments, `n` in all: the internal features'
/// demo content lives in them, so the demo officer can try every form.
pub async fn departments(g: &Gen<'_>, n: usize) -> anyhow::Result<Vec<String>> {
    let all = crate::directory::queries::list(&g.state.db).await?;
    let busiest: Option<(String,)> = crate::fetch_db!(
        &g.state.db,
        fetch_optional,
        (String,),
        "select organisation_id from appeal where kind = 'problem' and organisation_id is not null
         group by organisation_id order by count(*) desc, organisation_id limit 1"
    )?;
    let mut out: Vec<String> = busiest.into_iter().map(|r| r.0).collect();
    for o in all.iter().filter(|o| o.kind == "department") {
        if out.len() >= n {
            break;
        }
        if !out.contains(&o.organisation_id) {
            out.push(o.organisation_id.clone());
        }
    }
    Ok(out)
}

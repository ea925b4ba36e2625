//! The demo region's service ratings: forty services in twelve groups of
//! comparable ones (the same service from different providers and
//! channels), rated by residents through the three months before this one
//! and this month so far. Each service has its own level and spread, so
//! the ranks and intervals differ; two are rated so rarely that they show
//! "not enough ratings". Some low scores come with comments: those became
//! feedback requests, most of them answered by the provider. The scheduled
//! job closes the three past months right after the demo is written.

use time::{Duration, OffsetDateTime};

use super::domain::Month;
use super::queries::{self, NewService};
use super::service::{self, Rating};
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::workflow::{Action, Actor, Role};

pub struct Services;

/// id, group, name (ru, en), provider, municipality, channel, level (mean
/// ×10), popularity.
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    u32,
    u32,
);

const KG: (&str, &str) = (
    "Постановка на учёт в детский сад",
    "Kindergarten waiting list",
);
const BP: (&str, &str) = ("Разрешение на строительство", "Building permit");
const LAND: (&str, &str) = ("Аренда земельного участка", "Lease of a land plot");
const CHILD: (&str, &str) = ("Ежемесячная выплата на ребёнка", "Monthly child allowance");
const LARGE: (&str, &str) = (
    "Удостоверение многодетной семьи",
    "Large family certificate",
);
const MARRIAGE: (&str, &str) = ("Регистрация брака", "Marriage registration");
const BIRTH: (&str, &str) = ("Регистрация рождения", "Birth registration");
const SCHOOL: (&str, &str) = ("Запись в первый класс", "First-grade enrolment");
const DOCTOR: (&str, &str) = ("Запись к врачу", "Doctor's appointment");
const HUNT: (&str, &str) = ("Разрешение на добычу охотничьих ресурсов", "Hunting permit");
const ARCHIVE: (&str, &str) = ("Архивная справка", "Archive certificate");
const TRACTOR: (&str, &str) = (
    "Регистрация самоходной техники",
    "Registration of self-propelled machinery",
);

macro_rules! s {
    ($id:literal, $grp:literal, $name:expr, $org:literal, $m:expr, $ch:literal, $lvl:literal, $pop:literal) => {
        ($id, $grp, $name.0, $name.1, $org, $m, $ch, $lvl, $pop)
    };
}

const SERVICES: &[Seed] = &[
    s!(
        "kg-krasnodar-online",
        "kindergarten",
        KG,
        "admin-krasnodar",
        Some("krasnodar"),
        "online",
        41,
        30
    ),
    s!(
        "kg-krasnodar-mfc",
        "kindergarten",
        KG,
        "admin-krasnodar",
        Some("krasnodar"),
        "mfc",
        37,
        22
    ),
    s!(
        "kg-sochi-mfc",
        "kindergarten",
        KG,
        "admin-sochi",
        Some("sochi"),
        "mfc",
        34,
        16
    ),
    s!(
        "kg-novorossiysk-mfc",
        "kindergarten",
        KG,
        "admin-novorossiysk",
        Some("novorossiysk"),
        "mfc",
        39,
        12
    ),
    s!(
        "kg-armavir-mfc",
        "kindergarten",
        KG,
        "admin-armavir",
        Some("armavir"),
        "mfc",
        43,
        10
    ),
    s!(
        "kg-anapa-online",
        "kindergarten",
        KG,
        "admin-anapa",
        Some("anapa"),
        "online",
        30,
        9
    ),
    s!(
        "bp-krasnodar-mfc",
        "building-permit",
        BP,
        "admin-krasnodar",
        Some("krasnodar"),
        "mfc",
        32,
        14
    ),
    s!(
        "bp-krasnodar-office",
        "building-permit",
        BP,
        "admin-krasnodar",
        Some("krasnodar"),
        "office",
        28,
        10
    ),
    s!(
        "bp-sochi-mfc",
        "building-permit",
        BP,
        "admin-sochi",
        Some("sochi"),
        "mfc",
        30,
        11
    ),
    s!(
        "bp-gelendzhik-office",
        "building-permit",
        BP,
        "admin-gelendzhik",
        Some("gelendzhik"),
        "office",
        26,
        2
    ),
    s!(
        "bp-novorossiysk-mfc",
        "building-permit",
        BP,
        "admin-novorossiysk",
        Some("novorossiysk"),
        "mfc",
        35,
        9
    ),
    s!(
        "land-region-mfc",
        "land-lease",
        LAND,
        "dep-property",
        None,
        "mfc",
        36,
        12
    ),
    s!(
        "land-region-office",
        "land-lease",
        LAND,
        "dep-property",
        None,
        "office",
        31,
        9
    ),
    s!(
        "land-region-online",
        "land-lease",
        LAND,
        "dep-property",
        None,
        "online",
        38,
        11
    ),
    s!(
        "land-krasnodar-mfc",
        "land-lease",
        LAND,
        "admin-krasnodar",
        Some("krasnodar"),
        "mfc",
        33,
        10
    ),
    s!(
        "land-sochi-mfc",
        "land-lease",
        LAND,
        "admin-sochi",
        Some("sochi"),
        "mfc",
        29,
        9
    ),
    s!(
        "child-region-mfc",
        "child-allowance",
        CHILD,
        "min-social",
        None,
        "mfc",
        40,
        26
    ),
    s!(
        "child-region-office",
        "child-allowance",
        CHILD,
        "min-social",
        None,
        "office",
        35,
        14
    ),
    s!(
        "child-region-online",
        "child-allowance",
        CHILD,
        "min-social",
        None,
        "online",
        44,
        30
    ),
    s!(
        "large-region-mfc",
        "large-family",
        LARGE,
        "min-social",
        None,
        "mfc",
        42,
        12
    ),
    s!(
        "large-region-online",
        "large-family",
        LARGE,
        "min-social",
        None,
        "online",
        45,
        10
    ),
    s!(
        "large-region-office",
        "large-family",
        LARGE,
        "dep-family",
        None,
        "office",
        38,
        9
    ),
    s!(
        "marriage-region-office",
        "marriage",
        MARRIAGE,
        "upr-civil-registry",
        None,
        "office",
        46,
        12
    ),
    s!(
        "marriage-region-online",
        "marriage",
        MARRIAGE,
        "upr-civil-registry",
        None,
        "online",
        43,
        11
    ),
    s!(
        "birth-region-office",
        "birth",
        BIRTH,
        "upr-civil-registry",
        None,
        "office",
        44,
        11
    ),
    s!(
        "birth-region-mfc",
        "birth",
        BIRTH,
        "upr-civil-registry",
        None,
        "mfc",
        42,
        12
    ),
    s!(
        "birth-region-online",
        "birth",
        BIRTH,
        "upr-civil-registry",
        None,
        "online",
        40,
        10
    ),
    s!(
        "school-region-online",
        "school",
        SCHOOL,
        "min-education",
        None,
        "online",
        33,
        24
    ),
    s!(
        "school-krasnodar-online",
        "school",
        SCHOOL,
        "admin-krasnodar",
        Some("krasnodar"),
        "online",
        30,
        18
    ),
    s!(
        "school-sochi-online",
        "school",
        SCHOOL,
        "admin-sochi",
        Some("sochi"),
        "online",
        36,
        10
    ),
    s!(
        "school-armavir-mfc",
        "school",
        SCHOOL,
        "admin-armavir",
        Some("armavir"),
        "mfc",
        41,
        9
    ),
    s!(
        "doctor-region-online",
        "doctor",
        DOCTOR,
        "min-health",
        None,
        "online",
        31,
        30
    ),
    s!(
        "doctor-region-office",
        "doctor",
        DOCTOR,
        "min-health",
        None,
        "office",
        27,
        22
    ),
    s!(
        "hunt-region-online",
        "hunting",
        HUNT,
        "dep-hunting-fishing",
        None,
        "online",
        39,
        10
    ),
    s!(
        "hunt-region-office",
        "hunting",
        HUNT,
        "dep-hunting-fishing",
        None,
        "office",
        34,
        2
    ),
    s!(
        "archive-region-mfc",
        "archive",
        ARCHIVE,
        "upr-archives",
        None,
        "mfc",
        41,
        10
    ),
    s!(
        "archive-region-online",
        "archive",
        ARCHIVE,
        "upr-archives",
        None,
        "online",
        37,
        9
    ),
    s!(
        "archive-region-office",
        "archive",
        ARCHIVE,
        "upr-archives",
        None,
        "office",
        43,
        9
    ),
    s!(
        "tractor-region-office",
        "machinery",
        TRACTOR,
        "insp-gostekhnadzor",
        None,
        "office",
        35,
        9
    ),
    s!(
        "tractor-region-mfc",
        "machinery",
        TRACTOR,
        "insp-gostekhnadzor",
        None,
        "mfc",
        38,
        10
    ),
];

const COMMENTS: &[&str] = &[
    "Ждал приёма больше двух часов, электронная очередь не работала.",
    "Документы вернули на доработку трижды, каждый раз с новым замечанием.",
    "Срок рассмотрения сорвали на две недели, никто не предупредил.",
    "На сайте форма зависает на последнем шаге, заявление не отправляется.",
    "Сотрудник не смог объяснить, каких документов не хватает.",
    "По телефону невозможно дозвониться, запись только лично.",
];

const ANSWERS: &[&str] = &[
    "Проверили работу электронной очереди: терминал заменён, время ожидания контролируем ежедневно. Приносим извинения.",
    "Перечень документов размещён на сайте и в МФЦ; сотрудникам проведено разъяснение, заявление рассмотрено.",
    "Форма на портале исправлена разработчиком, заявление можно подать повторно, срок отсчитывается с первой попытки.",
];

/// A score around a service's level (×10): its level ± a spread, 1..5.
fn score(g: &mut Gen<'_>, level: u32) -> u8 {
    let x = level as i64 + g.between(-14, 14) + g.between(-8, 8);
    ((x + 5) / 10).clamp(1, 5) as u8
}

fn start_of(m: Month) -> OffsetDateTime {
    m.first_day()
        .with_hms(0, 0, 0)
        .map(|d| d.assume_offset(crate::workflow::sla::MSK))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// How many residents rate at full scale.
const RATERS: usize = 900;

#[async_trait::async_trait]
impl DemoPart for Services {
    fn name(&self) -> &'static str {
        "services"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let current = Month::at(g.start);
        let months = [
            current.previous().previous().previous(),
            current.previous().previous(),
            current.previous(),
            current,
        ];
        g.at(start_of(months[0]) - Duration::days(20));
        for (id, grp, ru, en, org, m, ch, _, _) in SERVICES {
            queries::insert_service(
                tx,
                &NewService {
                    service_id: id,
                    grp,
                    name_ru: ru,
                    name_en: en,
                    organisation_id: org,
                    municipality_id: *m,
                    channel: ch,
                },
            )
            .await?;
        }
        let mut raters: Vec<CurrentUser> = Vec::new();
        let places = [
            "krasnodar",
            "sochi",
            "novorossiysk",
            "armavir",
            "anapa",
            "gelendzhik",
            "yeysky",
        ];
        for n in 0..g.count(RATERS) {
            let m = places[n % places.len()];
            raters.push(g.resident(tx, "rater", n, m, true).await?);
        }
        let popularity: Vec<u32> = SERVICES.iter().map(|s| s.8).collect();
        let mut written = SERVICES.len();
        let mut feedback: Vec<(i64, &'static str)> = Vec::new();
        for (k, month) in months.iter().enumerate() {
            let from = start_of(*month);
            let till = if *month == current {
                g.start
            } else {
                start_of(month.next())
            };
            // Each month drifts a little from the last.
            let drift: Vec<i64> = SERVICES.iter().map(|_| g.between(-3, 3)).collect();
            for u in &raters {
                // Most people use two or three services a month.
                let k_services = g.between(1, 3) as usize;
                let mut chosen: Vec<usize> = Vec::new();
                for _ in 0..k_services {
                    let i = g.weighted(&popularity);
                    if !chosen.contains(&i) {
                        chosen.push(i);
                    }
                }
                for i in chosen {
                    let s = &SERVICES[i];
                    if !g.chance(0.6) {
                        continue;
                    }
                    let span = (till - from).whole_minutes().max(1);
                    let at = from + Duration::minutes(g.between(0, span - 1));
                    g.at(at);
                    let level = (s.7 as i64 + drift[i] + k as i64).max(10) as u32;
                    let (q, c, sp) = (score(g, level), score(g, level), score(g, level));
                    let low = q < 3 || c < 3 || sp < 3;
                    // The first few low scores always come with a comment,
                    // so a small demo shows feedback too.
                    let comment =
                        if low && feedback.len() < 24 && (feedback.len() < 3 || g.chance(0.08)) {
                            *g.pick(COMMENTS)
                        } else {
                            ""
                        };
                    let r = Rating {
                        scores: super::domain::Scores::new(q, c, sp)
                            .ok_or_else(|| anyhow::anyhow!("score out of range"))?,
                        comment: comment.to_owned(),
                    };
                    let done = service::rate_in(tx, g.state, u, s.0, &r).await?;
                    if let Some(a) = done.feedback {
                        feedback.push((a, s.4));
                    }
                    written += 1;
                }
            }
        }
        // The providers answered most feedback within a week; the newest
        // wait, one of them past its deadline.
        let moderator = g.moderator(tx).await?;
        for (n, (appeal_id, org)) in feedback.iter().enumerate() {
            let Some(a) = crate::workflow::queries::appeal_tx(tx, *appeal_id).await? else {
                continue;
            };
            // Published by the moderator within hours (when pre-moderation
            // is on, as it is by default).
            if a.state() == crate::workflow::State::Submitted {
                g.at((a.created_at + Duration::hours(3)).min(g.start));
                crate::workflow::perform_in(
                    tx,
                    g.state,
                    *appeal_id,
                    Actor::Person {
                        user: Some(&moderator),
                        role: Role::Moderator,
                    },
                    Action::Approve,
                    &[],
                )
                .await?;
            }
            if n % 4 == 3 {
                continue;
            }
            let answer_at = a.created_at + Duration::days(g.between(1, 7));
            if answer_at >= g.start {
                continue;
            }
            g.at(answer_at);
            let officer = g.officer(tx, org).await?;
            crate::workflow::perform_in(
                tx,
                g.state,
                *appeal_id,
                Actor::Person {
                    user: Some(&officer),
                    role: Role::Officer,
                },
                Action::Resolve {
                    text: (*g.pick(ANSWERS)).to_owned(),
                },
                &[],
            )
            .await?;
        }
        g.at(g.start);
        Ok(written)
    }
}

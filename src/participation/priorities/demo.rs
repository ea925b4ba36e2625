//! The demo region's priority ranks: twenty-two priorities (twelve for the
//! krai, ten of the largest towns) proposed by their departments and
//! administrations and published by the moderator; residents of all 44
//! municipalities (about two in three verified) who supported them through
//! the whole previous quarter and the current one so far; one priority
//! waiting for moderation; and an evening burst of brand-new accounts behind
//! one priority, for the administrators' review. The previous quarter is
//! closed into its snapshot by the scheduled job right after the demo is
//! written.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use super::domain::{Action, Quarter, Topic};
use super::service::{self, Proposal, Settings};
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Priorities;

/// A demo priority: title, description, municipality (`None`: the krai),
/// topic, organisation, and how popular it is.
struct Seed(
    &'static str,
    &'static str,
    Option<&'static str>,
    Topic,
    &'static str,
    u32,
);

const PRIORITIES: &[Seed] = &[
    Seed(
        "Ремонт региональных дорог между районами",
        "Привести в нормативное состояние дороги регионального значения, которые связывают районные центры, в первую очередь участки с ямами и без обочин.",
        None,
        Topic::Roads,
        "min-transport",
        100,
    ),
    Seed(
        "Новые автобусы и электрички пригородного сообщения",
        "Обновить подвижной состав пригородных маршрутов и согласовать расписания автобусов и электричек.",
        None,
        Topic::Transport,
        "min-transport",
        70,
    ),
    Seed(
        "Замена изношенных водопроводных сетей",
        "Заменить водопроводы с износом более 70 %, из-за которых в посёлках летом нет воды по нескольку дней.",
        None,
        Topic::Housing,
        "min-energy-housing",
        90,
    ),
    Seed(
        "Газификация сёл и хуторов",
        "Довести газ до сёл и хуторов, где его нет, и помочь жителям с подключением домов.",
        None,
        Topic::Housing,
        "min-energy-housing",
        60,
    ),
    Seed(
        "Новые школы вместо работы в две смены",
        "Построить школы в районах, где дети учатся во вторую смену, прежде всего в новых микрорайонах.",
        None,
        Topic::Education,
        "min-education",
        85,
    ),
    Seed(
        "Фельдшерско-акушерские пункты в малых сёлах",
        "Открыть или отремонтировать ФАПы в сёлах, откуда до ближайшей больницы больше 20 километров.",
        None,
        Topic::Health,
        "min-health",
        75,
    ),
    Seed(
        "Очистка рек и берегов от мусора",
        "Расчистить русла малых рек и убрать свалки по берегам, наладить вывоз мусора из прибрежных посёлков.",
        None,
        Topic::Environment,
        "min-natural-resources",
        45,
    ),
    Seed(
        "Спортивные площадки во дворах",
        "Поставить во дворах и у школ открытые площадки для футбола, баскетбола и воркаута.",
        None,
        Topic::CultureSport,
        "min-sport",
        40,
    ),
    Seed(
        "Поддержка фермеров и местных рынков",
        "Упростить торговлю фермерской продукцией на местных рынках и ярмарках выходного дня.",
        None,
        Topic::Economy,
        "min-agriculture",
        30,
    ),
    Seed(
        "Освещение улиц и пешеходных переходов",
        "Осветить улицы частного сектора и все пешеходные переходы у школ и остановок.",
        None,
        Topic::Safety,
        "min-energy-housing",
        55,
    ),
    Seed(
        "Доступная среда для людей с инвалидностью",
        "Пандусы, понижение бордюров и звуковые светофоры у поликлиник, МФЦ и остановок.",
        None,
        Topic::PublicSpaces,
        "min-social",
        25,
    ),
    Seed(
        "Защита пляжей и черноморского побережья",
        "Остановить застройку пляжей, открыть свободный проход к морю и укрепить берег от размыва.",
        None,
        Topic::Environment,
        "min-resorts",
        35,
    ),
    Seed(
        "Развязки на выездах из Краснодара",
        "Построить развязки на выездах на Ростовское шоссе и на Новороссийск, чтобы убрать утренние пробки.",
        Some("krasnodar"),
        Topic::Roads,
        "admin-krasnodar",
        120,
    ),
    Seed(
        "Парки и скверы в новых микрорайонах",
        "Отвести и благоустроить места для парков в новых микрорайонах, пока их не заняли дома.",
        Some("krasnodar"),
        Topic::PublicSpaces,
        "admin-krasnodar",
        80,
    ),
    Seed(
        "Детские сады в Прикубанском округе",
        "Построить детские сады в Прикубанском округе, где очередь самая длинная в городе.",
        Some("krasnodar"),
        Topic::Education,
        "admin-krasnodar",
        70,
    ),
    Seed(
        "Ливневая канализация в Сочи",
        "Построить ливнёвку на улицах, которые затапливает после каждого сильного дождя.",
        Some("sochi"),
        Topic::Housing,
        "admin-sochi",
        110,
    ),
    Seed(
        "Общественный транспорт в Адлере",
        "Добавить автобусы на маршруты Адлера и выделенные полосы на главных улицах.",
        Some("sochi"),
        Topic::Transport,
        "admin-sochi",
        60,
    ),
    Seed(
        "Пыль от цементных заводов",
        "Добиться фильтров и постоянного контроля выбросов цементных заводов Новороссийска.",
        Some("novorossiysk"),
        Topic::Environment,
        "admin-novorossiysk",
        110,
    ),
    Seed(
        "Набережная и выход к морю",
        "Продлить набережную и открыть жителям выход к морю, закрытый складами.",
        Some("novorossiysk"),
        Topic::PublicSpaces,
        "admin-novorossiysk",
        60,
    ),
    Seed(
        "Ремонт поликлиник Армавира",
        "Отремонтировать городские поликлиники и вернуть в них узких специалистов.",
        Some("armavir"),
        Topic::Health,
        "admin-armavir",
        100,
    ),
    Seed(
        "Очистка побережья Анапы от нефтепродуктов",
        "Довести до конца очистку пляжей и дна у берега после разлива мазута.",
        Some("anapa"),
        Topic::Environment,
        "admin-anapa",
        130,
    ),
    Seed(
        "Водоснабжение Геленджика летом",
        "Построить водовод и резервуары, чтобы летом не отключали воду по графику.",
        Some("gelendzhik"),
        Topic::Housing,
        "admin-gelendzhik",
        110,
    ),
];

/// How many residents take part at full scale.
const RESIDENTS: usize = 1200;

/// Picks `k` different items by weight.
fn pick_many(g: &mut Gen<'_>, weights: &[(usize, u32)], k: usize) -> Vec<usize> {
    let mut left: Vec<(usize, u32)> = weights.to_vec();
    let mut out = Vec::new();
    while out.len() < k && !left.is_empty() {
        let w: Vec<u32> = left.iter().map(|x| x.1.max(1)).collect();
        let i = g.weighted(&w);
        out.push(left.remove(i).0);
    }
    out
}

/// A moment within `from..to`, working hours or evening.
fn moment(g: &mut Gen<'_>, from: OffsetDateTime, to: OffsetDateTime) -> OffsetDateTime {
    let span = (to - from).whole_minutes().max(1);
    from + Duration::minutes(g.between(0, span - 1))
}

fn start_of(q: Quarter) -> OffsetDateTime {
    q.first_day()
        .with_hms(0, 0, 0)
        .map(|d| d.assume_offset(crate::workflow::sla::MSK))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[async_trait::async_trait]
impl DemoPart for Priorities {
    fn name(&self) -> &'static str {
        "priorities"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let settings = Settings::of(&g.state.config);
        let current = Quarter::at(g.start);
        let previous = current.previous();
        let moderator = g.moderator(tx).await?;
        // Priorities, published a fortnight before the previous quarter.
        g.at(start_of(previous) - Duration::days(14));
        let mut ids = Vec::new();
        for Seed(title, description, place, topic, org, _) in PRIORITIES {
            let officer = g.officer(tx, org).await?;
            let id = service::propose_in(
                tx,
                &officer,
                &Proposal {
                    title: (*title).to_owned(),
                    description: (*description).to_owned(),
                    municipality_id: place.map(str::to_owned),
                    topic: *topic,
                    organisation_id: (*org).to_owned(),
                },
            )
            .await?;
            service::act_in(tx, &settings, &moderator, id, Action::Publish, "").await?;
            ids.push(id);
        }
        // Residents, registered well before they vote (no burst).
        g.at(start_of(previous) - Duration::days(30));
        let population = super::population::population();
        let municipalities: Vec<(&String, u32)> = population
            .iter()
            .map(|(m, n)| (m, (*n / 1000) as u32))
            .collect();
        let weights: Vec<u32> = municipalities.iter().map(|m| m.1).collect();
        let mut residents: Vec<(CurrentUser, String)> = Vec::new();
        for n in 0..g.count(RESIDENTS) {
            let m = municipalities[g.weighted(&weights)].0.clone();
            let verified = g.chance(0.65);
            let u = g.resident(tx, "resident", n, &m, verified).await?;
            residents.push((u, m));
        }
        // Each municipality likes the krai's priorities a little
        // differently; the current quarter drifts from the previous one.
        let mut affinity: BTreeMap<(usize, String), u32> = BTreeMap::new();
        let mut supports = 0;
        for (quarter, turnout, till) in
            [(previous, 0.8, start_of(current)), (current, 0.7, g.start)]
        {
            let from = start_of(quarter);
            let drift: Vec<u32> = (0..PRIORITIES.len())
                .map(|_| g.between(70, 130) as u32)
                .collect();
            for (u, m) in &residents {
                if !g.chance(turnout) {
                    continue;
                }
                let mut eligible = Vec::new();
                for (i, p) in PRIORITIES.iter().enumerate() {
                    if p.2.is_some_and(|place| place != m.as_str()) {
                        continue;
                    }
                    let a = match affinity.get(&(i, m.clone())) {
                        Some(a) => *a,
                        None => {
                            let a = g.between(50, 150) as u32;
                            affinity.insert((i, m.clone()), a);
                            a
                        }
                    };
                    eligible.push((i, p.5 * a * drift[i] / 10_000));
                }
                let k = [1, 2, 2, 3, 3, 3, 4, 5][g.between(0, 7) as usize];
                let k = k.min(settings.per_quarter as usize);
                for i in pick_many(g, &eligible, k) {
                    let t = moment(g, from, till);
                    g.at(t);
                    service::act_in(tx, &settings, u, ids[i], Action::Support, "").await?;
                    supports += 1;
                }
            }
        }
        // The demo's citizen (the role account) lives in Krasnodar, verified,
        // and supports two priorities, with three supports left to give.
        g.at(g.start - Duration::days(3));
        let citizen = g.citizen(tx, 0).await?;
        crate::auth::queries::set_municipality(tx, citizen.account_id, "krasnodar", "verified")
            .await?;
        for i in [0, 12] {
            service::act_in(tx, &settings, &citizen, ids[i], Action::Support, "").await?;
            supports += 1;
        }
        // A proposal waiting for the moderator.
        g.at(g.start - Duration::days(2));
        let officer = g.officer(tx, "min-culture").await?;
        service::propose_in(
            tx,
            &officer,
            &Proposal {
                title: "Дома культуры в сёлах".into(),
                description: "Отремонтировать сельские дома культуры и вернуть в них кружки для детей и взрослых.".into(),
                municipality_id: None,
                topic: Topic::CultureSport,
                organisation_id: "min-culture".into(),
            },
        )
        .await?;
        // Yesterday evening, within the hour: new accounts, all for one
        // priority (the administrators' review shows it).
        let evening = g.start - Duration::days(1);
        let evening = evening
            .replace_time(time::macros::time!(18:00))
            .min(g.start);
        let target = ids[7];
        for n in 0..(settings.burst as usize + 5) {
            g.at(evening + Duration::minutes(n as i64));
            let u = g.resident(tx, "newcomer", n, "krasnodar", false).await?;
            g.at(evening + Duration::minutes(n as i64 * 2));
            service::act_in(tx, &settings, &u, target, Action::Support, "").await?;
            supports += 1;
        }
        Ok(ids.len() + 1 + supports)
    }
}

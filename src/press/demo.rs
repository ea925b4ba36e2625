//! The demo region's media: thirty fictional sources (labelled «демо»,
//! their feeds at addresses under `demo.veche.invalid`, never polled),
//! three demo officials, and about three hundred stories over the last
//! thirty days written through the same ingestion as polled ones (so
//! they are deduplicated, matched and toned for real): a third carried by
//! two or three sources, some with tracking parameters in their links;
//! the demo officer's department quiet for a month and in the news today
//! (the spike the first hourly run mails about); a few tones corrected by
//! hand; and a saved query of that department.

use time::{Duration, OffsetDateTime};

use super::domain::SourceKind;
use super::entities::{self, official_phrases};
use super::ingest::{self, Context};
use super::matching::Target;
use super::parse::Item;
use super::queries::{self, NewSource};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Press;

/// name, kind, municipality (for municipal media), address slug.
#[rustfmt::skip]
const SOURCES: &[(&str, SourceKind, &str, &str)] = &[
    ("Федеральный вестник (демо)", SourceKind::Federal, "", "fed-vestnik"),
    ("Новости страны (демо)", SourceKind::Federal, "", "fed-novosti"),
    ("Деловая газета (демо)", SourceKind::Federal, "", "fed-delo"),
    ("Общероссийское радио (демо)", SourceKind::Federal, "", "fed-radio"),
    ("Информагентство «Страна» (демо)", SourceKind::Federal, "", "fed-strana"),
    ("Кубанские вести (демо)", SourceKind::Regional, "", "reg-vesti"),
    ("Краевая газета (демо)", SourceKind::Regional, "", "reg-gazeta"),
    ("Юг сегодня (демо)", SourceKind::Regional, "", "reg-yug"),
    ("Телеканал «Край» (демо)", SourceKind::Regional, "", "reg-tv"),
    ("Радио «Кубанская волна» (демо)", SourceKind::Regional, "", "reg-radio"),
    ("Экономика Кубани (демо)", SourceKind::Regional, "", "reg-econ"),
    ("Кубань онлайн (демо)", SourceKind::Regional, "", "reg-online"),
    ("Черноморский курьер (демо)", SourceKind::Regional, "", "reg-kurier"),
    ("Степной край (демо)", SourceKind::Regional, "", "reg-step"),
    ("Краснодарские известия (демо)", SourceKind::Municipal, "krasnodar", "mun-krasnodar"),
    ("Сочинский вестник (демо)", SourceKind::Municipal, "sochi", "mun-sochi"),
    ("Новороссийская неделя (демо)", SourceKind::Municipal, "novorossiysk", "mun-nvrsk"),
    ("Анапский курьер (демо)", SourceKind::Municipal, "anapa", "mun-anapa"),
    ("Армавирская правда (демо)", SourceKind::Municipal, "armavir", "mun-armavir"),
    ("Геленджикский берег (демо)", SourceKind::Municipal, "gelendzhik", "mun-gel"),
    ("Ейская заря (демо)", SourceKind::Municipal, "yeysky", "mun-yeysk"),
    ("Абинская газета (демо)", SourceKind::Municipal, "abinsky", "mun-abinsk"),
    ("Крымская новь (демо)", SourceKind::Municipal, "krymsky", "mun-krymsk"),
    ("Тихорецкие вести (демо)", SourceKind::Municipal, "tikhoretsky", "mun-tikh"),
    ("Лабинская жизнь (демо)", SourceKind::Municipal, "labinsky", "mun-labinsk"),
    ("Туапсинский вестник (демо)", SourceKind::Municipal, "tuapsinsky", "mun-tuapse"),
    ("Темрюкская газета (демо)", SourceKind::Municipal, "temryuksky", "mun-temryuk"),
    ("Кропоткинская неделя (демо)", SourceKind::Municipal, "kavkazsky", "mun-kavkaz"),
    ("Славянские новости (демо)", SourceKind::Municipal, "slavyansky", "mun-slav"),
    ("Белореченская трибуна (демо)", SourceKind::Municipal, "belorechensky", "mun-bel"),
];

/// name, post, organisation.
const OFFICIALS: &[(&str, &str, &str)] = &[
    ("Демьян Примеров", "глава администрации (демо)", ""),
    (
        "Олеся Образцова",
        "министр здравоохранения Краснодарского края",
        "min-health",
    ),
    (
        "Тимур Учебнов",
        "министр транспорта и дорожного хозяйства Краснодарского края",
        "min-transport",
    ),
];

/// Titles and snippets with `{m}` (a municipality), `{d}` (a department),
/// `{p}` (a project), `{o}` (an official's post).
#[rustfmt::skip]
const STORIES: &[(&str, &str)] = &[
    ("{m}: после ремонта открыли новую школу на 550 мест", "Строители завершили работы раньше срока, первые ученики придут в сентябре."),
    ("Авария на водоводе ликвидирована: {m} снова с водой", "Аварийные бригады работали всю ночь, подача воды восстановлена."),
    ("{m} признан лучшим по благоустройству дворов", "Победителей конкурса наградили на краевом совещании."),
    ("В ведомстве «{d}» подвели итоги года: план выполнен", "Все запланированные объекты сданы в срок."),
    ("{m}: жители жалуются на перебои с водой", "Обращения поступают третью неделю, ремонт сетей затягивается."),
    ("Авария на теплотрассе оставила без тепла десятки домов: {m}", "Причины выясняет комиссия, жильцы ждут восстановления отопления."),
    ("Прокуратура нашла нарушения в работе ведомства «{d}»", "По итогам проверки внесено представление, виновных привлекут к ответственности."),
    ("Сроки срываются: проект «{p}» отстаёт от графика", "Подрядчик не успевает, работы задерживаются."),
    ("В ведомстве «{d}» проведут приём граждан", "Приём пройдёт в четверг, записаться можно по телефону."),
    ("{m}: совет депутатов обсудит бюджет на следующий год", "Заседание назначено на вторник."),
    ("Совещание по проекту «{p}» пройдёт на следующей неделе", "Участники обсудят график работ."),
    ("{o} провёл рабочую встречу с главами районов", "Обсуждались вопросы подготовки к отопительному сезону."),
    ("{m}: в поликлинике появился новый томограф", "Оборудование закупили по краевой программе, запись уже открыта."),
    ("{m}: пожар на складе тушили шесть часов", "Пострадавших нет, ущерб оценивают."),
    ("Ведомство «{d}» сообщило о выплате субсидий аграриям", "Средства перечислены ста двадцати хозяйствам."),
];

fn fill(s: &str, m: &str, d: &str, p: &str, o: &str) -> String {
    s.replace("{m}", m)
        .replace("{d}", d)
        .replace("{p}", p)
        .replace("{o}", o)
}

#[async_trait::async_trait]
impl DemoPart for Press {
    fn name(&self) -> &'static str {
        "press"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let start = g.start;
        let mut sources = Vec::new();
        for (name, kind, mun, slug) in SOURCES {
            let new = NewSource {
                name,
                kind: kind.as_str(),
                municipality_id: (!mun.is_empty()).then_some(*mun),
                website: &format!("https://{slug}.demo.veche.invalid/"),
                demo: true,
            };
            let Some(id) = queries::insert_source(tx, &new, start).await? else {
                continue;
            };
            let url = format!("https://{slug}.demo.veche.invalid/rss.xml");
            let feed = queries::insert_feed(tx, id, &url, start).await?;
            sources.push((id, feed, *slug));
        }
        anyhow::ensure!(!sources.is_empty(), "no demo sources");
        // The names as the poller would match them; the officials are
        // added here, inside this transaction, so their phrases too.
        let entities = entities::load(g.state).await?;
        let mut ctx = Context {
            matcher: entities.matcher(&[]),
            dedup: Duration::days(i64::from(g.state.config.press.dedup_days)),
        };
        for (name, post, org) in OFFICIALS {
            let org = (!org.is_empty()).then_some(*org);
            if let Some(id) = queries::insert_official(tx, name, post, org, start).await? {
                for p in official_phrases(name, post) {
                    ctx.matcher
                        .add(p, Target::Entity(super::domain::Entity::Official(id).key()));
                }
            }
        }
        let ours = crate::demo::departments(g, 4).await?;
        let depts: Vec<(String, String)> = ours
            .iter()
            .filter_map(|o| {
                entities
                    .get(&super::domain::Entity::Organisation(o.clone()).key())
                    .map(|e| (o.clone(), e.name_ru.clone()))
            })
            .collect();
        anyhow::ensure!(!depts.is_empty(), "no demo departments");
        let projects: Vec<String> = g
            .state
            .roadmaps
            .list(&g.state.db)
            .await?
            .into_iter()
            .map(|r| r.title)
            .take(8)
            .collect();
        let muns: Vec<String> = crate::geo::geography()
            .all()
            .iter()
            .map(|m| m.name_ru.clone())
            .collect();
        // The spiking department is the first of the internal features'
        // demo departments (the demo officer's, when the busiest
        // organisation is a department): its officer reads the mail. Its
        // stories name it without the region, so only it spikes.
        let (spiking, spiking_name) = depts[0].clone();
        let spiking_name = spiking_name.replace(" Краснодарского края", "");
        let posts: Vec<&str> = OFFICIALS.iter().map(|o| o.1).collect();
        let mut made = 0;
        let total = g.count(300);
        for n in 0..total {
            let days = g.between(0, 29);
            let published = g.days_ago(days);
            let (title, snippet) = *g.pick(STORIES);
            // The spiking department stays out of the month before.
            let mut d = g.pick(&depts[1.min(depts.len() - 1)..]).1.clone();
            if depts.len() == 1 {
                d = "Министерство культуры Краснодарского края".into();
            }
            let m = g.pick(&muns).clone();
            let p = if projects.is_empty() {
                m.clone()
            } else {
                g.pick(&projects).clone()
            };
            let o = (*g.pick(&posts)).to_owned();
            let item = Item {
                url: format!(
                    "https://{}.demo.veche.invalid/news/{n}",
                    sources[n % sources.len()].2
                ),
                title: fill(title, &m, &d, &p, &o),
                snippet: fill(snippet, &m, &d, &p, &o),
                published: Some(published),
            };
            made += carry(tx, g, &ctx, &sources, &item, published, start).await?;
        }
        // Today: the department in the news a dozen times, spread over the
        // hours of the day so far (in Moscow).
        let midnight = g.today().midnight().assume_offset(super::domain::MSK);
        let step = (start - midnight) / 13;
        for n in 0..12 {
            let published = start - step * (n + 1);
            let (title, snippet) = STORIES[[3, 6, 8, 14][n as usize % 4]];
            let m = muns[(n as usize * 7) % muns.len()].clone();
            let item = Item {
                url: format!("https://reg-vesti.demo.veche.invalid/today/{n}"),
                title: format!("{} ({m})", fill(title, &m, &spiking_name, "", "")),
                snippet: fill(snippet, &m, &spiking_name, "", ""),
                published: Some(published),
            };
            made += carry(tx, g, &ctx, &sources, &item, published, start).await?;
        }
        corrections(tx, g, &spiking).await?;
        let officer = g.officer(tx, &spiking).await?;
        queries::insert_query(
            tx,
            &spiking,
            "капитальный ремонт, новую школу",
            officer.account_id,
            start,
        )
        .await?;
        Ok(made)
    }
}

/// Stores an item as its first source carried it, and in a third of the
/// cases as one or two more sources did (one with tracking parameters in
/// the link, one under its own link with the same title); how many
/// appearances were stored.
async fn carry(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    ctx: &Context,
    sources: &[(i64, Option<i64>, &str)],
    item: &Item,
    published: OffsetDateTime,
    start: OffsetDateTime,
) -> anyhow::Result<usize> {
    let seen = (published + Duration::minutes(7)).min(start);
    let (first, feed, _) = sources[g.between(0, sources.len() as i64 - 1) as usize];
    let mut made = ingest::ingest(tx, ctx, first, feed, std::slice::from_ref(item), seen)
        .await?
        .appearances;
    if g.chance(0.35) {
        for k in 0..g.between(1, 2) {
            let (other, feed, slug) = sources[g.between(0, sources.len() as i64 - 1) as usize];
            let copy = Item {
                url: if k == 0 {
                    format!("{}?utm_source=rss&utm_medium={slug}", item.url)
                } else {
                    format!(
                        "https://{slug}.demo.veche.invalid/copy/{}",
                        g.between(1, 1_000_000)
                    )
                },
                ..item.clone()
            };
            let later = (seen + Duration::minutes(g.between(5, 180))).min(start);
            made += ingest::ingest(tx, ctx, other, feed, &[copy], later)
                .await?
                .appearances;
        }
    }
    Ok(made as usize)
}

/// The demo officer corrects the heuristic on a few of the department's
/// mentions, so the page shows who set a tone and when.
async fn corrections(tx: &mut Tx, g: &mut Gen<'_>, org: &str) -> anyhow::Result<()> {
    let officer = g.officer(tx, org).await?;
    let key = super::domain::Entity::Organisation(org.to_owned()).key();
    let rows: Vec<(i64, String)> = crate::fetch_tx!(
        tx,
        fetch_all,
        (i64, String),
        "select m.mention_id, s.tone from press_mention m join press_story s on s.story_id = m.story_id
         where m.entity = $1 order by m.mention_id limit 3",
        &key
    )?;
    for (id, tone) in rows {
        let corrected = if tone == "neg" { "neu" } else { "pos" };
        queries::set_override(tx, id, Some(corrected), officer.account_id, g.start).await?;
    }
    Ok(())
}

//! The demo region's problem reports: about 600 over the 44 municipalities,
//! filed over the past seven weeks and carried through every state of the
//! lifecycle by the same services citizens, moderators and officers use.

use time::{Duration, OffsetDateTime};

use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::workflow::lifecycle::{Action, CloseReason, Role, State};
use crate::workflow::{self, Actor, NewRequest};

pub struct Reports;

/// What happens to a report, with how often (out of 100).
#[derive(Clone, Copy, PartialEq)]
enum Story {
    AwaitsModeration,
    Rejected,
    Waiting,
    Overdue,
    InProgress,
    Planned,
    Resolved,
    Fixed,
    Disputed,
    Closed,
    Clarification,
    Referred,
    Hidden,
}

const STORIES: &[(Story, u32)] = &[
    (Story::AwaitsModeration, 3),
    (Story::Rejected, 3),
    (Story::Waiting, 13),
    (Story::Overdue, 8),
    (Story::InProgress, 12),
    (Story::Planned, 10),
    (Story::Resolved, 8),
    (Story::Fixed, 22),
    (Story::Disputed, 5),
    (Story::Closed, 6),
    (Story::Clarification, 4),
    (Story::Referred, 4),
    (Story::Hidden, 2),
];

/// What citizens write, by category (the first word of each is varied).
fn descriptions(category: &str) -> &'static [&'static str] {
    match category {
        "road-pothole" | "regional-road" => &[
            "Глубокая яма на проезжей части, машины объезжают её по встречной полосе.",
            "Разрушено покрытие у перекрёстка, после дождя яму не видно, пробиты уже два колеса.",
            "Выбоины по всей длине квартала, асфальт крошится.",
        ],
        "street-lighting" => &[
            "Третью неделю не горят фонари вдоль всей улицы, вечером идти страшно.",
            "Не работает освещение у пешеходного перехода возле школы.",
        ],
        "waste-containers" => &[
            "Контейнеры переполнены, мусор не вывозили с понедельника.",
            "Мусор лежит вокруг площадки, контейнеров не хватает.",
        ],
        "illegal-dump" => &[
            "На пустыре за гаражами растёт свалка строительного мусора.",
            "Вдоль лесополосы выгружают бытовой мусор, уже несколько куч.",
        ],
        "yard-improvement" => &[
            "Во дворе разбит тротуар, пожилым людям трудно пройти.",
            "Во дворе нет ни одной скамейки, бордюры разрушены.",
        ],
        "playground" => &[
            "На детской площадке сломаны качели, торчат болты.",
            "Горка на площадке треснула, дети могут пораниться.",
        ],
        "fallen-tree" => &[
            "Сухое дерево наклонилось над тротуаром и проводами.",
            "После ветра упало дерево и перегородило проезд во двор.",
        ],
        "snow-ice" => &["Тротуар не посыпан, сплошная наледь у остановки."],
        "dangerous-building" => &[
            "По стене заброшенного здания идёт трещина, рядом ходят дети.",
            "С фасада дома падает штукатурка прямо на тротуар.",
        ],
        "heating-water" => &[
            "Во всём доме нет горячей воды уже неделю.",
            "Батареи еле тёплые, в квартирах 15 градусов.",
        ],
        "public-transport" | "bus-stop" => &[
            "Автобус по маршруту ходит раз в час вместо 20 минут.",
            "Павильон остановки разбит, крыша протекает.",
        ],
        "stray-animals" => &["Стая собак у школы бросается на детей."],
        "school-building" => &["В школе протекает крыша спортзала, занятия переносят."],
        "clinic" => {
            &["В поликлинике не работает лифт, пожилые не могут попасть к врачу на 4 этаж."]
        }
        "construction-site" => {
            &["Стройка работает ночью, грязь с колёс растаскивают по всей улице."]
        }
        _ => &["Прошу разобраться и принять меры."],
    }
}

const RESOLVED: &[&str] = &[
    "Работы выполнены, место осмотрено специалистом.",
    "Неисправность устранена бригадой подрядчика.",
    "Выполнен ремонт, результат принят комиссией.",
];
const PLANNED: &[&str] = &[
    "Работы включены в план текущего ремонта.",
    "Объект включён в программу на следующий сезон, подрядчик определён.",
];
const DISPUTES: &[&str] = &[
    "Ничего не сделано, всё как было.",
    "Сделали только половину, вторая часть осталась.",
];

#[async_trait::async_trait]
impl DemoPart for Reports {
    fn name(&self) -> &'static str {
        "problem-reports"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let categories =
            crate::workflow::views::Categories::load(&g.state.db, crate::issues::PROBLEM).await?;
        let mut ids: Vec<String> = categories
            .active()
            .iter()
            .map(|c| c.category_id.clone())
            .collect();
        ids.sort();
        anyhow::ensure!(!ids.is_empty(), "no problem categories");
        let weights: Vec<u32> = STORIES.iter().map(|s| s.1).collect();
        let n = g.count(600);
        let mut filed = Vec::new();
        for i in 0..n {
            // Every story once first, so even a small demo shows every state.
            let story = match STORIES.get(i) {
                Some(s) => s.0,
                None => STORIES[g.weighted(&weights)].0,
            };
            let category = g.pick(&ids).clone();
            if let Some(id) = report(tx, g, story, &category).await? {
                filed.push(id);
            }
        }
        // Neighbours support and follow the public ones.
        for &id in &filed {
            let supporters = match g.between(0, 9) {
                0..=3 => 0,
                4..=7 => g.between(1, 4),
                _ => g.between(5, 25),
            };
            for _ in 0..supporters {
                let who = g.any_citizen(tx).await?;
                // A supporter who is the author, already supports, or comes
                // after it closed is refused, as on the site.
                let _ = workflow::support::support_in(tx, id, who.account_id).await;
            }
        }
        Ok(n)
    }
}

/// Files one report and plays its story; returns the id when it is public
/// and open to support.
async fn report(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    story: Story,
    category: &str,
) -> anyhow::Result<Option<i64>> {
    let age = match story {
        Story::AwaitsModeration => 0,
        Story::Waiting => g.between(0, 7),
        Story::Overdue => g.between(16, 45),
        Story::Resolved => g.between(3, 9),
        // The citizen has a few days to answer before it expires.
        Story::Clarification => g.between(1, 3),
        _ => g.between(4, 48),
    };
    let t0 = g.days_ago(age);
    g.at(t0);
    let author = g.any_citizen(tx).await?;
    let place = g.place();
    let description = g.pick(descriptions(category)).to_string();
    let photos = if g.chance(0.25) {
        vec![g.photo().await?]
    } else {
        Vec::new()
    };
    let hide_name = g.chance(0.15);
    let a = workflow::submit_in(
        tx,
        g.state,
        author.account_id,
        &NewRequest {
            kind: crate::issues::PROBLEM,
            category_id: category.to_owned(),
            point: place.point,
            approximate: false,
            address: place.address,
            description,
            hide_name,
            contact: None,
            client_key: None,
            organisation_id: None,
        },
        &photos,
    )
    .await?;
    let id = a.appeal_id;
    let mut t = t0;
    let moderator = g.moderator(tx).await?;
    if a.state() == State::Submitted {
        match story {
            Story::AwaitsModeration => return Ok(None),
            Story::Rejected => {
                t = later(g, t, 2, 20);
                act(tx, g, id, &moderator, Role::Moderator, t, Action::Reject {
                    reason: "Обращение не содержит описания проблемы и места; подайте его заново с подробностями.".into(),
                })
                .await?;
                return Ok(None);
            }
            _ => {
                t = later(g, t, 1, 10);
                act(tx, g, id, &moderator, Role::Moderator, t, Action::Approve).await?;
            }
        }
    }
    let Some(org) = workflow::queries::appeal_tx(tx, id)
        .await?
        .and_then(|a| a.organisation_id)
    else {
        return Ok(Some(id));
    };
    let officer = g.officer(tx, &org).await?;
    let resolve = |g: &mut Gen<'_>| Action::Resolve {
        text: g.pick(RESOLVED).to_string(),
    };
    match story {
        Story::AwaitsModeration | Story::Rejected | Story::Waiting | Story::Overdue => {}
        Story::Hidden => {
            t = later(g, t, 2, 30);
            act(
                tx,
                g,
                id,
                &moderator,
                Role::Moderator,
                t,
                Action::Hide {
                    reason: "Оскорбительные выражения в тексте.".into(),
                },
            )
            .await?;
            return Ok(None);
        }
        Story::Clarification => {
            t = later(g, t, 4, 40);
            act(
                tx,
                g,
                id,
                &officer,
                Role::Officer,
                t,
                Action::AskClarification {
                    question: "Уточните, пожалуйста, номер дома или ближайший ориентир.".into(),
                },
            )
            .await?;
            return Ok(None);
        }
        Story::Closed => {
            t = later(g, t, 4, 60);
            let reason = *g.pick(&[CloseReason::Duplicate, CloseReason::NoActionNeeded]);
            act(
                tx,
                g,
                id,
                &officer,
                Role::Officer,
                t,
                Action::Close {
                    reason,
                    text:
                        "Вопрос уже рассматривается по более раннему обращению; работы учтены там."
                            .into(),
                },
            )
            .await?;
            return Ok(None);
        }
        Story::Referred => {
            t = later(g, t, 4, 30);
            let to = if org == "min-transport" {
                "min-energy-housing"
            } else {
                "min-transport"
            };
            act(
                tx,
                g,
                id,
                &officer,
                Role::Officer,
                t,
                Action::Refer {
                    organisation_id: to.into(),
                    reason: "Вопрос относится к ведению другого ведомства.".into(),
                },
            )
            .await?;
            let other = g.officer(tx, to).await?;
            t = later(g, t, 4, 30);
            act(tx, g, id, &other, Role::Officer, t, Action::Accept).await?;
        }
        _ => {
            t = later(g, t, 3, 50);
            act(tx, g, id, &officer, Role::Officer, t, Action::Accept).await?;
        }
    }
    match story {
        Story::Planned => {
            t = later(g, t, 24, 150);
            let date = g.today() + Duration::days(g.between(20, 160));
            let budget = g
                .chance(0.6)
                .then(|| format!("{},{} млн ₽", g.between(1, 9), g.between(0, 9)));
            let text = g.pick(PLANNED).to_string();
            act(
                tx,
                g,
                id,
                &officer,
                Role::Officer,
                t,
                Action::Plan { date, budget, text },
            )
            .await?;
        }
        Story::Resolved => {
            t = t.max(g.start - Duration::days(2));
            t = later(g, t, 1, 20);
            let r = resolve(g);
            act(tx, g, id, &officer, Role::Officer, t, r).await?;
            return Ok(None);
        }
        Story::Fixed | Story::Disputed => {
            t = later(g, t, 24, 200);
            let r = resolve(g);
            act(tx, g, id, &officer, Role::Officer, t, r).await?;
            t = later(g, t, 2, 48);
            if story == Story::Fixed {
                act(tx, g, id, &author, Role::Author, t, Action::ConfirmFixed).await?;
                return Ok(None);
            }
            let text = g.pick(DISPUTES).to_string();
            act(
                tx,
                g,
                id,
                &author,
                Role::Author,
                t,
                Action::Dispute { text },
            )
            .await?;
        }
        _ => {}
    }
    Ok(Some(id))
}

/// A moment between `lo` and `hi` hours after `t`, never after the start.
fn later(g: &mut Gen<'_>, t: OffsetDateTime, lo: i64, hi: i64) -> OffsetDateTime {
    (t + Duration::minutes(g.between(lo * 60, hi * 60))).min(g.start - Duration::minutes(1))
}

async fn act(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    id: i64,
    user: &CurrentUser,
    role: Role,
    at: OffsetDateTime,
    action: Action,
) -> anyhow::Result<()> {
    g.at(at);
    workflow::perform_in(
        tx,
        g.state,
        id,
        Actor::Person {
            user: Some(user),
            role,
        },
        action,
        &[],
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo report {id}: {e:?}"))?;
    Ok(())
}

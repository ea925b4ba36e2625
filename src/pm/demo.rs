//! The demo region's orders: about 450 given by the governor and the
//! vice-governors to their departments over the past three months (with
//! their sub-orders and the orders the portal's requests make, about 1,300
//! in the core), delegated to executors, reported, returned, accepted, some
//! overdue, some linked to the demo projects.

use time::{Duration, OffsetDateTime};

use super::domain::{OrderAction, Outcome, Priority, Source};
use super::orders::{Actor, act_in};
use super::orders::{OrderDraft, create_in, delegate_in};
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Orders;

const TITLES: &[&str] = &[
    "Обеспечить ремонт дорог к началу туристического сезона",
    "Подготовить предложения по снижению очередей в поликлиниках",
    "Провести выездную проверку хода строительства школ",
    "Представить план ликвидации несанкционированных свалок",
    "Организовать приём граждан по вопросам ЖКХ",
    "Проанализировать исполнение национальных проектов за квартал",
    "Обеспечить готовность объектов теплоснабжения к зиме",
    "Подготовить доклад о ходе газификации населённых пунктов",
    "Устранить замечания контрольного органа по закупкам",
    "Разработать дорожную карту цифровизации услуг",
    "Обеспечить освещение пешеходных переходов у школ",
    "Подготовить информацию для совещания у губернатора",
];

const REPORTS: &[&str] = &[
    "Работы выполнены в полном объёме, акты приложены.",
    "Мероприятия проведены, результаты направлены в аппарат.",
    "Доклад подготовлен и согласован.",
];

/// What happens to an order, with how often (out of 100).
const STORIES: &[(&str, u32)] = &[
    ("new", 8),
    ("accepted", 7),
    ("in_progress", 22),
    ("reported", 10),
    ("done", 38),
    ("returned", 7),
    ("cancelled", 4),
    ("referred", 4),
];

#[async_trait::async_trait]
impl DemoPart for Orders {
    fn name(&self) -> &'static str {
        "pm-orders"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let orgs = crate::directory::queries::list(&g.state.db).await?;
        let departments: Vec<(String, String)> = orgs
            .iter()
            .filter(|o| o.kind == "department")
            .filter_map(|o| Some((o.organisation_id.clone(), o.parent_id.clone()?)))
            .collect();
        anyhow::ensure!(!departments.is_empty(), "no departments in the directory");
        let projects = super::projects::projects(&g.state.db).await?;
        let weights: Vec<u32> = STORIES.iter().map(|s| s.1).collect();
        let n = g.count(450);
        let mut made = 0;
        for i in 0..n {
            let (dept, portfolio) = g.pick(&departments).clone();
            // A third come from the governor, the rest from the portfolio's
            // vice-governor.
            let giver_org = if g.chance(0.33) {
                "governor".to_owned()
            } else {
                portfolio
            };
            let giver = g.officer(tx, &giver_org).await?;
            let officer = g.officer(tx, &dept).await?;
            let story = match STORIES.get(i) {
                Some(s) => s.0,
                None => STORIES[g.weighted(&weights)].0,
            };
            // Finished orders spread over three months; open ones are
            // recent and mostly due ahead, about one in six overdue (as a
            // healthy portfolio looks, so the overdue ones stand out).
            let open = !matches!(story, "done" | "cancelled");
            let age = if open {
                g.between(0, 30)
            } else {
                g.between(5, 90)
            };
            let t0 = g.days_ago(age);
            g.at(t0);
            let due_in = if !open {
                g.between(10, 45)
            } else if age > 6 && g.chance(0.17) {
                g.between(4, age - 1)
            } else {
                g.between(age + 3, age + 45)
            };
            let deadline = end_of_day(t0 + Duration::days(due_in));
            let project = projects
                .iter()
                .find(|p| p.organisation_id == dept)
                .filter(|_| g.chance(0.6));
            let draft = OrderDraft {
                title: g.pick(TITLES).to_string(),
                description: format!("Поручение № {} демонстрационного региона.", i + 1),
                source: *g.pick(&[
                    Source::Meeting,
                    Source::Meeting,
                    Source::FederalProgramme,
                    Source::Manual,
                ]),
                organisation_id: dept.clone(),
                executor_id: None,
                deadline,
                priority: *g.pick(&[
                    Priority::Normal,
                    Priority::Normal,
                    Priority::High,
                    Priority::Critical,
                    Priority::Low,
                ]),
                required: true,
                project_id: project.map(|p| p.project_id),
                stage_id: None,
                creator_organisation_id: Some(giver_org.clone()),
            };
            let id = create_in(tx, g.state, &giver, &draft)
                .await
                .map_err(|e| anyhow::anyhow!("demo order {i}: {e:?}"))?;
            made += 1;
            let mut t = t0;
            let step = |g: &mut Gen<'_>, t: OffsetDateTime| later(g, t);
            if story == "new" {
                continue;
            }
            if story == "referred" {
                let (other, _) = g.pick(&departments).clone();
                if other != dept {
                    t = step(g, t);
                    act(
                        tx,
                        g,
                        id,
                        &officer,
                        t,
                        OrderAction::Refer {
                            organisation_id: other,
                            reason: "Вопрос в ведении другого ведомства.".into(),
                        },
                    )
                    .await?;
                }
                continue;
            }
            if story == "cancelled" {
                t = step(g, t);
                act(
                    tx,
                    g,
                    id,
                    &giver,
                    t,
                    OrderAction::Cancel {
                        reason: "Поручение утратило актуальность.".into(),
                    },
                )
                .await?;
                continue;
            }
            t = step(g, t);
            act(tx, g, id, &officer, t, OrderAction::Accept).await?;
            if story == "accepted" {
                continue;
            }
            // Two in five are split between the department's executors.
            let mut children = Vec::new();
            if g.chance(0.4) {
                for k in 0..g.between(1, 3) as usize {
                    t = step(g, t);
                    // A sub-order is due before its parent, and not in the past.
                    if t + Duration::days(2) > deadline {
                        break;
                    }
                    let executor = g.executor(tx, &dept, k).await?;
                    g.at(t);
                    let child = OrderDraft {
                        title: format!("Подготовить материалы: часть {}", k + 1),
                        description: String::new(),
                        source: draft.source,
                        organisation_id: dept.clone(),
                        executor_id: Some(executor.account_id),
                        deadline: (deadline - Duration::days(g.between(0, 5)))
                            .max(t + Duration::days(1)),
                        priority: draft.priority,
                        required: true,
                        project_id: None,
                        stage_id: None,
                        creator_organisation_id: None,
                    };
                    let cid = delegate_in(tx, g.state, &officer, id, &child)
                        .await
                        .map_err(|e| anyhow::anyhow!("demo sub-order of {id}: {e:?}"))?;
                    made += 1;
                    children.push((cid, executor));
                }
            }
            if children.is_empty() {
                t = step(g, t);
                act(tx, g, id, &officer, t, OrderAction::Start).await?;
            }
            if story == "in_progress" {
                // Some of the executors have started their part.
                for (cid, executor) in &children {
                    if g.chance(0.5) {
                        t = step(g, t);
                        act(tx, g, *cid, executor, t, OrderAction::Start).await?;
                    }
                }
                continue;
            }
            for (cid, executor) in &children {
                t = step(g, t);
                act(tx, g, *cid, executor, t, OrderAction::Start).await?;
                t = step(g, t);
                let r = report(g);
                act(tx, g, *cid, executor, t, r).await?;
                t = step(g, t);
                act(tx, g, *cid, &officer, t, OrderAction::AcceptReport).await?;
            }
            t = step(g, t);
            let r = report(g);
            act(tx, g, id, &officer, t, r).await?;
            match story {
                "reported" => {}
                "returned" => {
                    t = step(g, t);
                    act(
                        tx,
                        g,
                        id,
                        &giver,
                        t,
                        OrderAction::Return {
                            note: "Доклад неполный: приложите акты и фотоматериалы.".into(),
                        },
                    )
                    .await?;
                }
                _ => {
                    t = step(g, t);
                    act(tx, g, id, &giver, t, OrderAction::AcceptReport).await?;
                }
            }
        }
        Ok(made)
    }
}

fn report(g: &mut Gen<'_>) -> OrderAction {
    OrderAction::SubmitReport {
        text: g.pick(REPORTS).to_string(),
        outcome: None::<Outcome>,
        planned_date: None,
    }
}

/// The next step: half a day to four days later, never after the start.
fn later(g: &mut Gen<'_>, t: OffsetDateTime) -> OffsetDateTime {
    (t + Duration::minutes(g.between(12 * 60, 4 * 24 * 60))).min(g.start)
}

/// 23:59 Moscow time of the day `t` falls on.
fn end_of_day(t: OffsetDateTime) -> OffsetDateTime {
    let msk = t.to_offset(crate::workflow::sla::MSK);
    msk.replace_time(time::macros::time!(23:59))
}

async fn act(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    id: i64,
    user: &CurrentUser,
    at: OffsetDateTime,
    action: OrderAction,
) -> anyhow::Result<()> {
    g.at(at);
    let kind = action.event_kind();
    act_in(tx, g.state, id, Actor::Person(user), action, &[])
        .await
        .map_err(|e| anyhow::anyhow!("demo order {id} ({kind}): {e:?}"))?;
    Ok(())
}

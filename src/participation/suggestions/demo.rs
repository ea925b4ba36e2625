//! The demo region's suggestions: residents' solutions for the most
//! supported open problem reports, two for priorities and one on its own;
//! the organisations answered some (accepted into a plan, which made an
//! order in the core; under study; declined), the rest wait within their
//! deadline. A few comments are published and one waits for the
//! moderator.

use time::Duration;

use super::queries;
use super::service::{self, Proposal, Target};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::workflow::{Action, Actor, CloseReason, Role, State};

pub struct Suggestions;

/// A solution for a report of a category group: topic, title, text.
fn for_group(grp: &str) -> (&'static str, &'static str, &'static str) {
    match grp {
        "roads" => (
            "suggestion-roads-transport",
            "Ремонтировать картами, а не латками",
            "Ямочный ремонт на этом участке делают каждый год, и через месяц ямы возвращаются. Предлагаю снять старое покрытие картами по всей ширине полосы и уложить новое с гарантией подрядчика.",
        ),
        "lighting" => (
            "suggestion-housing-utilities",
            "Светодиодные светильники с датчиками",
            "Заменить старые лампы на светодиодные светильники с датчиками движения: светлее, дешевле в обслуживании, и неисправность видна диспетчеру сразу.",
        ),
        "waste" => (
            "suggestion-housing-utilities",
            "Крытая площадка и график вывоза на табличке",
            "Поставить крытую контейнерную площадку с ограждением и повесить табличку с графиком вывоза и телефоном перевозчика, чтобы жители могли сообщать о срывах сразу.",
        ),
        "transport" => (
            "suggestion-roads-transport",
            "Табло с прибытием автобусов",
            "Поставить на остановке табло с прогнозом прибытия по данным ГЛОНАСС и навес с освещением.",
        ),
        "yards" => (
            "suggestion-public-space",
            "Благоустроить двор по программе с участием жителей",
            "Включить двор в программу благоустройства: жители готовы собрать подписи и участвовать в выборе проекта и в приёмке работ.",
        ),
        _ => (
            "suggestion-other",
            "Назначить ответственного и срок",
            "Назначить ответственного за этот участок, опубликовать срок устранения и отчитываться жителям фотографиями до и после.",
        ),
    }
}

#[derive(sqlx::FromRow)]
struct Candidate {
    appeal_id: i64,
    grp: String,
}

#[async_trait::async_trait]
impl DemoPart for Suggestions {
    fn name(&self) -> &'static str {
        "suggestions"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let reports: Vec<Candidate> = crate::fetch_tx!(
            tx,
            fetch_all,
            Candidate,
            "select a.appeal_id, c.grp from appeal a join category c on c.category_id = a.category_id
             where a.kind = 'problem' and a.state in ('published', 'in_progress', 'reopened')
             order by a.support_count desc, a.appeal_id limit 8"
        )?;
        let priorities: Vec<(i64,)> = crate::fetch_tx!(
            tx,
            fetch_all,
            (i64,),
            "select priority_id from priority where state = 'published' order by priority_id limit 2"
        )?;
        let moderator = g.moderator(tx).await?;
        let mut proposals: Vec<Proposal> = Vec::new();
        for r in &reports {
            let (topic, title, text) = for_group(&r.grp);
            proposals.push(Proposal {
                title: title.into(),
                description: text.into(),
                topic: topic.into(),
                target: Some(Target::Problem(r.appeal_id)),
                place: None,
                address: String::new(),
                hide_name: false,
                client_key: None,
            });
        }
        for (id,) in &priorities {
            proposals.push(Proposal {
                title: "Публиковать карту работ по приоритету".into(),
                description: "Вести на портале карту работ по этому приоритету с этапами, сроками и подрядчиками, чтобы жители видели, где и когда будут работы.".into(),
                topic: "suggestion-other".into(),
                target: Some(Target::Priority(*id)),
                place: None,
                address: String::new(),
                hide_name: false,
                client_key: None,
            });
        }
        proposals.push(Proposal {
            title: "Велодорожка вдоль набережной Кубани".into(),
            description: "Сделать выделенную велодорожку вдоль набережной, отделив её от пешеходной части бордюром и разметкой.".into(),
            topic: "suggestion-public-space".into(),
            target: None,
            place: Some(crate::workflow::input::Place {
                point: crate::geo::GeoPoint {
                    lat: 45.0213,
                    lon: 38.9702,
                },
                approximate: false,
            }),
            address: "Краснодар, набережная реки Кубань".into(),
            hide_name: true,
            client_key: None,
        });
        let mut written = 0;
        for (n, p) in proposals.iter().enumerate() {
            // Filed over the last three weeks; the oldest are answered.
            let filed_days = 20 - (n as i64 * 2).min(19);
            let at = g.days_ago(filed_days).min(g.start);
            g.at(at);
            let citizen = g.citizen(tx, n % 3).await?;
            let a = service::submit_in(tx, g.state, &citizen, p).await?;
            written += 1;
            let id = a.appeal_id;
            let act = |user, role, action| (user, role, action);
            let mut steps = Vec::new();
            if a.state() == State::Submitted {
                steps.push(act(moderator.clone(), Role::Moderator, Action::Approve));
            }
            let officer = match a.organisation_id.as_deref() {
                Some(org) => Some(g.officer(tx, org).await?),
                None => None,
            };
            if let Some(officer) = officer {
                let answer = match n % 5 {
                    0 => Some(Action::Plan {
                        date: g.today() + Duration::days(45),
                        budget: Some("Муниципальная программа благоустройства".into()),
                        text: "Предложение принято: работы включены в план, подрядчик определён.".into(),
                    }),
                    1 => Some(Action::Accept),
                    2 => Some(Action::Close {
                        reason: CloseReason::NoActionNeeded,
                        text: "Предложенное решение уже выполняется по действующей программе; отдельные работы не нужны.".into(),
                    }),
                    _ => None,
                };
                if filed_days > 6
                    && let Some(action) = answer
                {
                    steps.push(act(officer, Role::Officer, action));
                }
            }
            for (i, (user, role, action)) in steps.into_iter().enumerate() {
                let at = g
                    .days_ago((filed_days - 1 - i as i64 * 2).max(0))
                    .min(g.start);
                g.at(at);
                crate::workflow::perform_in(
                    tx,
                    g.state,
                    id,
                    Actor::Person {
                        user: Some(&user),
                        role,
                    },
                    action,
                    &[],
                )
                .await?;
            }
            // Neighbours discuss the first few.
            if n < 3 {
                let neighbour = g.citizen(tx, 3 + n).await?;
                let at = g.days_ago((filed_days - 1).max(0)).min(g.start);
                g.at(at);
                queries::add_comment(
                    tx,
                    id,
                    neighbour.account_id,
                    "Поддерживаю. Живу рядом, проблема тянется уже несколько лет.",
                )
                .await?;
                if n < 2 {
                    crate::exec_tx!(
                        tx,
                        "update suggestion_comment set state = 'published', moderator_id = $2, moderated_at = $3
                         where appeal_id = $1 and state = 'pending'",
                        id,
                        moderator.account_id,
                        crate::db::now()
                    )?;
                }
                written += 1;
            }
        }
        g.at(g.start);
        Ok(written)
    }
}

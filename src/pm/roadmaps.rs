//! The core's projects as roadmaps for other features
//! (`workflow::roadmaps`): an indicator's page shows the overdue
//! milestones and orders of the project that should move it.

use time::OffsetDateTime;

use super::projects::{self, ProjectRow};
use crate::db::Db;
use crate::error::AppResult;
use crate::on_db;
use crate::workflow::roadmaps::{Overdue, Roadmap, Roadmaps};

pub struct ProjectRoadmaps;

fn roadmap(p: &ProjectRow) -> Roadmap {
    Roadmap {
        id: p.project_id,
        code: p.code.clone(),
        title: p.title.clone(),
        url: format!("/pm/projects/{}", p.project_id),
    }
}

#[async_trait::async_trait]
impl Roadmaps for ProjectRoadmaps {
    async fn list(&self, db: &Db) -> AppResult<Vec<Roadmap>> {
        Ok(projects::projects(db).await?.iter().map(roadmap).collect())
    }

    async fn overdue(
        &self,
        db: &Db,
        id: i64,
        now: OffsetDateTime,
    ) -> AppResult<Option<(Roadmap, Vec<Overdue>)>> {
        let Some(p) = projects::project(db, id).await? else {
            return Ok(None);
        };
        let today = now.to_offset(time::macros::offset!(+3)).date();
        let mut late: Vec<Overdue> = projects::milestones(db, id)
            .await?
            .into_iter()
            .filter(|m| m.done_at.is_none())
            .filter_map(|m| {
                let due = crate::web::i18n::parse_iso_date(&m.due_on)?;
                (due < today).then(|| Overdue {
                    title: m.title,
                    due,
                    kind: "milestone",
                    url: format!("/pm/projects/{id}"),
                })
            })
            .collect();
        // The states `domain::is_overdue` counts: not final, no report
        // waiting for review.
        let orders: Vec<(i64, String, OffsetDateTime)> = on_db!(db, |pool| {
            sqlx::query_as(
                "select order_id, title, deadline from pm_order
                 where project_id = $1 and done_at is null and deadline < $2
                   and state not in ('done', 'cancelled', 'report_submitted')
                 order by deadline, order_id",
            )
            .bind(id)
            .bind(now)
            .fetch_all(pool)
            .await
        })?;
        late.extend(
            orders
                .into_iter()
                .map(|(order_id, title, deadline)| Overdue {
                    title,
                    due: deadline.to_offset(time::macros::offset!(+3)).date(),
                    kind: "order",
                    url: format!("/pm/orders/{order_id}"),
                }),
        );
        late.sort_by_key(|o| (o.due, o.kind));
        Ok(Some((roadmap(&p), late)))
    }
}

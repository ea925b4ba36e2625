//! The core's part of a person's agenda (`workflow::agenda`): the
//! deadlines of the orders they execute, of the orders they gave (and the
//! delegated task control: how each stands), and the milestones of the
//! projects of their organisations.

use time::OffsetDateTime;

use super::domain::OrderState;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::i18n::Locale;
use crate::workflow::agenda::{AgendaItem, AgendaSource, Given, Person, Standing};

pub struct Deadlines;

#[derive(sqlx::FromRow)]
struct OrderLine {
    order_id: i64,
    title: String,
    deadline: OffsetDateTime,
    state: String,
    done_at: Option<OffsetDateTime>,
    executor_ru: String,
    executor_en: String,
}

const ORDER_LINE: &str = "select o.order_id, o.title, o.deadline, o.state, o.done_at,
        coalesce(a.display_name, g.short_name_ru) as executor_ru,
        coalesce(a.display_name, g.short_name_en) as executor_en
   from pm_order o
   join organisation g on g.organisation_id = o.organisation_id
   left join account a on a.account_id = o.executor_id";

#[derive(sqlx::FromRow)]
struct MilestoneLine {
    project_id: i64,
    title: String,
    due_on: String,
    project: String,
}

fn state_of(s: &str) -> OrderState {
    OrderState::parse(s).unwrap_or(OrderState::New)
}

#[async_trait::async_trait]
impl AgendaSource for Deadlines {
    fn kinds(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("order", "Поручение мне", "My order"),
            ("delegated", "Моё поручение другим", "Order I gave"),
            (
                "milestone",
                "Контрольная точка проекта",
                "Project milestone",
            ),
        ]
    }

    async fn items(
        &self,
        db: &Db,
        person: &Person,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> AppResult<Vec<AgendaItem>> {
        let now = crate::db::now();
        let mut out = Vec::new();
        let mine: Vec<OrderLine> = crate::fetch_db!(
            db,
            fetch_all,
            OrderLine,
            sqlx::AssertSqlSafe(format!(
                "{ORDER_LINE} where o.executor_id = $1 and o.state not in ('done', 'cancelled')
                   and o.deadline >= $2 and o.deadline < $3 order by o.deadline limit 5000"
            )),
            person.account_id,
            from,
            to
        )?;
        for o in mine {
            let s = state_of(&o.state);
            out.push(AgendaItem {
                key: format!("order:{}", o.order_id),
                kind: "order",
                title: format!("№ {}: {}", o.order_id, o.title),
                at: o.deadline,
                all_day: false,
                url: format!("/pm/orders/{}", o.order_id),
                note: (
                    s.label(Locale::Ru).to_owned(),
                    s.label(Locale::En).to_owned(),
                ),
                overdue: super::domain::is_overdue(s, o.deadline, now),
            });
        }
        let given: Vec<OrderLine> = crate::fetch_db!(
            db,
            fetch_all,
            OrderLine,
            sqlx::AssertSqlSafe(format!(
                "{ORDER_LINE} where o.creator_id = $1 and o.state not in ('done', 'cancelled')
                   and o.deadline >= $2 and o.deadline < $3 order by o.deadline limit 5000"
            )),
            person.account_id,
            from,
            to
        )?;
        for o in given {
            let s = state_of(&o.state);
            out.push(AgendaItem {
                key: format!("order:{}", o.order_id),
                kind: "delegated",
                title: format!("№ {}: {}", o.order_id, o.title),
                at: o.deadline,
                all_day: false,
                url: format!("/pm/orders/{}", o.order_id),
                note: (
                    format!("{} — {}", o.executor_ru, s.label(Locale::Ru)),
                    format!("{} — {}", o.executor_en, s.label(Locale::En)),
                ),
                overdue: super::domain::is_overdue(s, o.deadline, now),
            });
        }
        let msk = time::macros::offset!(+3);
        let day = |t: OffsetDateTime| crate::web::i18n::iso_date(t.to_offset(msk).date());
        let milestones: Vec<MilestoneLine> = crate::fetch_db!(
            db,
            fetch_all,
            MilestoneLine,
            "select m.project_id, m.title, m.due_on, p.title as project
               from pm_milestone m join pm_project p on p.project_id = m.project_id
              where m.done_at is null and m.due_on >= $2 and m.due_on < $3
                and (p.created_by = $1 or p.organisation_id in
                     (select organisation_id from membership where account_id = $1))
              order by m.due_on limit 5000",
            person.account_id,
            day(from),
            day(to)
        )?;
        for m in milestones {
            let Some(d) = crate::web::i18n::parse_iso_date(&m.due_on) else {
                continue;
            };
            let at = d.midnight().assume_offset(msk);
            out.push(AgendaItem {
                key: format!("project:{}", m.project_id),
                kind: "milestone",
                title: m.title,
                at,
                all_day: true,
                url: format!("/pm/projects/{}", m.project_id),
                note: (m.project.clone(), m.project),
                overdue: d < now.to_offset(msk).date(),
            });
        }
        Ok(out)
    }

    async fn given(&self, db: &Db, person: &Person, now: OffsetDateTime) -> AppResult<Vec<Given>> {
        let rows: Vec<OrderLine> = crate::fetch_db!(
            db,
            fetch_all,
            OrderLine,
            sqlx::AssertSqlSafe(format!(
                "{ORDER_LINE} where o.creator_id = $1 and o.state <> 'cancelled'
                 order by o.deadline limit 20000"
            )),
            person.account_id
        )?;
        Ok(rows
            .into_iter()
            .map(|o| {
                let s = state_of(&o.state);
                let standing = match (s, o.done_at) {
                    (OrderState::Done, Some(d)) if d > o.deadline => Standing::DoneLate,
                    (OrderState::Done, _) => Standing::DoneOnTime,
                    _ if super::domain::is_overdue(s, o.deadline, now) => Standing::Overdue,
                    _ => Standing::InTime,
                };
                Given {
                    title: format!("№ {}: {}", o.order_id, o.title),
                    url: format!("/pm/orders/{}", o.order_id),
                    executor: o.executor_ru,
                    deadline: o.deadline,
                    standing,
                }
            })
            .collect())
    }
}

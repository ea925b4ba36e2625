//! Court hearings on a person's agenda (`workflow::agenda`): those of the
//! cases they are the lawyer of, and of their organisations' cases. The
//! court, the number and the courtroom only: a case's parties (a private
//! person among them) stay on its card.

use time::OffsetDateTime;

use crate::db::Db;
use crate::error::AppResult;
use crate::workflow::agenda::{AgendaItem, AgendaSource, Person};

pub struct Hearings;

#[derive(sqlx::FromRow)]
struct Line {
    hearing_id: i64,
    case_id: i64,
    starts_at: OffsetDateTime,
    courtroom: String,
    court: String,
    number: String,
}

#[async_trait::async_trait]
impl AgendaSource for Hearings {
    fn kinds(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[("hearing", "Судебное заседание", "Court hearing")]
    }

    async fn items(
        &self,
        db: &Db,
        person: &Person,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> AppResult<Vec<AgendaItem>> {
        let rows: Vec<Line> = crate::fetch_db!(
            db,
            fetch_all,
            Line,
            "select h.hearing_id, c.case_id, h.starts_at, h.courtroom, i.court, i.number
               from court_hearing h
               join court_instance i on i.instance_id = h.instance_id
               join court_case c on c.case_id = i.case_id
              where h.starts_at >= $2 and h.starts_at < $3
                and (c.lawyer_account_id = $1 or c.organisation_id in
                     (select organisation_id from membership where account_id = $1))
              order by h.starts_at limit 5000",
            person.account_id,
            from,
            to
        )?;
        Ok(rows
            .into_iter()
            .map(|h| AgendaItem {
                key: format!("hearing:{}", h.hearing_id),
                kind: "hearing",
                title: format!("{}, № {}", h.court, h.number),
                at: h.starts_at,
                all_day: false,
                url: format!("/pm/courts/cases/{}", h.case_id),
                note: if h.courtroom.is_empty() {
                    (String::new(), String::new())
                } else {
                    (
                        format!("зал {}", h.courtroom),
                        format!("courtroom {}", h.courtroom),
                    )
                },
                overdue: false,
            })
            .collect())
    }
}

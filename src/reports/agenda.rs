//! Report forms on a person's agenda (`workflow::agenda`): each period a
//! form their organisation owes falls due in the window, until it is
//! submitted.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use super::domain::{Period, PeriodType};
use crate::db::Db;
use crate::error::AppResult;
use crate::workflow::agenda::{AgendaItem, AgendaSource, Person};

pub struct FormsDue;

#[async_trait::async_trait]
impl AgendaSource for FormsDue {
    fn kinds(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[("report", "Срок сдачи отчёта", "Report due")]
    }

    async fn items(
        &self,
        db: &Db,
        person: &Person,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> AppResult<Vec<AgendaItem>> {
        let owed: Vec<(i64, String)> = crate::fetch_db!(
            db,
            fetch_all,
            (i64, String),
            "select form_id, organisation_id from report_owed where organisation_id in
               (select organisation_id from membership where account_id = $1)",
            person.account_id
        )?;
        if owed.is_empty() {
            return Ok(Vec::new());
        }
        let done: HashSet<(i64, String, String)> = crate::fetch_db!(
            db,
            fetch_all,
            (i64, String, String),
            "select form_id, organisation_id, period from report_submission
              where state in ('submitted', 'accepted') and organisation_id in
               (select organisation_id from membership where account_id = $1)",
            person.account_id
        )?
        .into_iter()
        .collect();
        let forms = super::queries::forms(db).await?;
        let now = crate::db::now();
        let mut out = Vec::new();
        for (form_id, org) in owed {
            let Some(f) = forms.iter().find(|f| f.form_id == form_id) else {
                continue;
            };
            let Some(kind) = PeriodType::parse(&f.period_type) else {
                continue;
            };
            let first = Period::parse(kind, &f.starts);
            // A period falls due up to 60 working days after it ends.
            let lo = Period::containing(kind, (from - Duration::days(120)).date());
            let hi = Period::containing(kind, to.date());
            for p in lo.through(hi) {
                if first.is_some_and(|s| p < s) {
                    continue;
                }
                let due = super::service::due_at(f, p);
                if due < from || due >= to || done.contains(&(form_id, org.clone(), p.to_string()))
                {
                    continue;
                }
                out.push(AgendaItem {
                    key: format!("report:{}:{org}:{p}", f.code),
                    kind: "report",
                    title: format!("{} ({p})", f.name_ru),
                    at: due,
                    all_day: false,
                    url: format!("/pm/reports/{}/{org}/{p}", f.code),
                    note: (org.clone(), org.clone()),
                    overdue: due < now,
                });
            }
        }
        Ok(out)
    }
}

//! The demo planner: the demo officer's own tasks (one linked to an order
//! they gave, one done), a weekly planning meeting that recurs and a
//! monthly check, a meeting tomorrow with the department's executor
//! (accepted) and another colleague invited, a meeting three days ago
//! whose two decisions went to the core as orders, reminders on most;
//! and a task for the demo executor. Dated relative to today.

use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::domain::{DEFAULT_ZONE, Kind};
use super::queries::{self, DecisionRow, Write};
use super::rrule::Rule;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::integration::messages::{Body, MeetingDecided, MeetingDecision};

pub struct Planner;

struct Item<'a> {
    kind: Kind,
    title: &'a str,
    notes: &'a str,
    start: PrimitiveDateTime,
    end: Option<PrimitiveDateTime>,
    all_day: bool,
    rule: Option<&'a str>,
    remind: &'a str,
    link: Option<(String, String, String)>,
}

async fn write(
    tx: &mut Tx,
    who: &CurrentUser,
    i: Item<'_>,
    now: OffsetDateTime,
) -> anyhow::Result<i64> {
    let z = DEFAULT_ZONE;
    let rule = match i.rule {
        Some(text) => {
            Some(Rule::parse(text, i.start, z.offset()).map_err(|r| anyhow::anyhow!(r.1))?)
        }
        None => None,
    };
    let id = queries::insert_item(
        tx,
        who.account_id,
        &Write {
            kind: i.kind,
            title: i.title,
            notes: i.notes,
            at: z.moment(i.start),
            ends_at: i.end.map(|e| z.moment(e)),
            all_day: i.all_day,
            tz: z.name(),
            rrule: rule.as_ref().map(|r| r.to_text(z.offset())),
            series_end: rule
                .as_ref()
                .and_then(|r| r.last(i.start))
                .map(|t| z.moment(t)),
            remind: i.remind.to_owned(),
            link: i.link,
        },
    )
    .await?;
    super::service::reschedule(tx, id, now).await?;
    Ok(id)
}

fn at(day: time::Date, h: u8, m: u8) -> PrimitiveDateTime {
    day.with_time(Time::from_hms(h, m, 0).unwrap_or(Time::MIDNIGHT))
}

#[async_trait::async_trait]
impl DemoPart for Planner {
    fn name(&self) -> &'static str {
        "planner"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let orgs = crate::demo::departments(g, 2).await?;
        let Some(org) = orgs.first().cloned() else {
            return Ok(0);
        };
        let officer = g.officer(tx, &org).await?;
        let executor = g.executor(tx, &org, 0).await?;
        let colleague = g.executor(tx, &org, 1).await?;
        let today = g.today();
        let now = g.start;
        // What the officer's agenda knows: an order they gave, to link.
        let person = super::service::person_of(&officer);
        let known = g
            .state
            .agenda
            .items(
                &g.state.db,
                &person,
                now - Duration::days(30),
                now + Duration::days(90),
            )
            .await?;
        let link = known
            .iter()
            .find(|a| a.kind == "delegated" || a.kind == "order")
            .map(|a| (a.key.clone(), a.title.clone(), a.url.clone()));
        let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
        let mut made = 0;
        let task = |title, day, h, remind, link| Item {
            kind: Kind::Task,
            title,
            notes: "",
            start: at(day, h, 0),
            end: None,
            all_day: false,
            rule: None,
            remind,
            link,
        };
        write(
            tx,
            &officer,
            task(
                "Подготовить доклад к совещанию у губернатора (демо)",
                today + Duration::days(2),
                10,
                "60",
                link,
            ),
            now,
        )
        .await?;
        let done = write(
            tx,
            &officer,
            task(
                "Согласовать график отпусков отдела (демо)",
                today - Duration::days(1),
                17,
                "",
                None,
            ),
            now,
        )
        .await?;
        queries::set_done(tx, done, true).await?;
        let until = today + Duration::days(90);
        let weekly = format!(
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL={:04}{:02}{:02}",
            until.year(),
            u8::from(until.month()),
            until.day()
        );
        write(
            tx,
            &officer,
            Item {
                kind: Kind::Event,
                title: "Планёрка отдела (демо)",
                notes: "Короткий обход задач недели.",
                start: at(monday, 9, 0),
                end: Some(at(monday, 9, 30)),
                all_day: false,
                rule: Some(&weekly),
                remind: "15",
                link: None,
            },
            now,
        )
        .await?;
        write(
            tx,
            &officer,
            Item {
                kind: Kind::Task,
                title: "Сверка отчётности с финансовым органом (демо)",
                notes: "",
                start: at(today.replace_day(1).unwrap_or(today), 0, 0),
                end: None,
                all_day: true,
                rule: Some("FREQ=MONTHLY;BYMONTHDAY=25;COUNT=12"),
                remind: "1440",
                link: None,
            },
            now,
        )
        .await?;
        made += 4;
        let meeting = |title, day, h| Item {
            kind: Kind::Meeting,
            title,
            notes: "",
            start: at(day, h, 0),
            end: Some(at(day, h + 1, 0)),
            all_day: false,
            rule: None,
            remind: "30",
            link: None,
        };
        let next = write(
            tx,
            &officer,
            meeting(
                "Совещание по ремонту дорог (демо)",
                today + Duration::days(1),
                11,
            ),
            now,
        )
        .await?;
        queries::set_invitees(tx, next, &[executor.account_id, colleague.account_id]).await?;
        queries::respond(tx, next, executor.account_id, "accepted").await?;
        let held_on = today - Duration::days(3);
        let past = write(
            tx,
            &officer,
            meeting("Совещание по благоустройству дворов (демо)", held_on, 15),
            now,
        )
        .await?;
        queries::set_invitees(tx, past, &[executor.account_id]).await?;
        queries::respond(tx, past, executor.account_id, "accepted").await?;
        let other = orgs.get(1).cloned().unwrap_or_else(|| org.clone());
        let decisions = [
            (
                "Подготовить перечень дворов для ремонта в следующем году",
                org.clone(),
                14,
            ),
            ("Согласовать сметы на освещение дворов", other, 21),
        ];
        let msk = crate::workflow::sla::MSK;
        let mut sent = Vec::new();
        for (n, (text, o, days)) in decisions.iter().enumerate() {
            let day = today + Duration::days(*days);
            let row = DecisionRow {
                n: n as i64 + 1,
                text: (*text).to_owned(),
                organisation_id: o.clone(),
                deadline: crate::web::i18n::iso_date(day),
            };
            queries::insert_decision(tx, past, &row).await?;
            sent.push(MeetingDecision {
                n: row.n,
                text: row.text,
                organisation_id: row.organisation_id,
                deadline: at(day, 18, 0)
                    .assume_offset(msk)
                    .to_offset(time::UtcOffset::UTC),
            });
        }
        queries::mark_decided(tx, past).await?;
        crate::integration::exchange::emit(
            tx,
            crate::integration::core_destination(&g.state.config),
            Body::MeetingDecided(MeetingDecided {
                meeting_id: past,
                organiser_id: Some(officer.account_id),
                title: "Совещание по благоустройству дворов (демо)".to_owned(),
                held_at: at(held_on, 15, 0)
                    .assume_offset(msk)
                    .to_offset(time::UtcOffset::UTC),
                url: format!("{}/pm/planner/items/{past}", g.state.config.base_url()),
                decisions: sent,
            }),
        )
        .await?;
        made += 2;
        write(
            tx,
            &executor,
            task(
                "Подготовить фотоотчёт о ремонте (демо)",
                today + Duration::days(1),
                16,
                "30",
                None,
            ),
            now,
        )
        .await?;
        made += 1;
        Ok(made)
    }
}

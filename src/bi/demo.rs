//! The demo region's saved explorations: the demo officer (the officer of
//! the department answering most reports) has, for every relation of the
//! reporting schema, its count by month over the last year (the first one
//! mailed monthly), and for relations with a deadline the on-time share
//! by portfolio over the last quarter, shared with the whole core. Built
//! from the registered definitions, so it names no feature.

use crate::bi::query::{Question, shift_month};
use crate::bi::{MartDef, Use};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::web::i18n::Locale;

pub struct Explorations;

fn dimension(d: &'static MartDef, prefer: &[&str]) -> Option<&'static str> {
    let dims = || d.columns.iter().filter(|c| c.usage == Use::Dimension);
    prefer
        .iter()
        .find_map(|p| dims().find(|c| c.name == *p))
        .or_else(|| dims().next())
        .map(|c| c.name)
}

#[async_trait::async_trait]
impl DemoPart for Explorations {
    fn name(&self) -> &'static str {
        "bi_explorations"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let Some(org) = crate::demo::departments(g, 1).await?.into_iter().next() else {
            return Ok(0);
        };
        let officer = g.officer(tx, &org).await?.account_id;
        let month = crate::bi::explorer::mail::month_of(g.start);
        let marts = g.state.marts.clone();
        let mut made = 0;
        for m in marts.all() {
            let d = m.def();
            let Some(rows) = dimension(d, &["month"]) else {
                continue;
            };
            let title = d.title.get(Locale::Ru);
            let mut asks = vec![(
                format!("{title}: по месяцам"),
                format!(
                    "mart={}&rows={rows}&measure=count&from={}&to={month}&chart=line",
                    d.name,
                    shift_month(&month, -11)
                ),
                "",
                made == 0,
            )];
            if d.on_time.is_some()
                && let Some(by) = dimension(d, &["portfolio_id", "organisation_id"])
            {
                asks.push((
                    format!("{title}: доля в срок по портфелям"),
                    format!(
                        "mart={}&rows={by}&measure=on_time&from={}&to={month}&chart=bar",
                        d.name,
                        shift_month(&month, -2)
                    ),
                    "core",
                    false,
                ));
            }
            for (title, question, shared, monthly) in asks {
                let raw: Vec<(String, String)> = serde_urlencoded::from_str(&question)?;
                let (pairs, _) = crate::bi::explorer::split(raw);
                // A definition without dates takes no period: skip it.
                if Question::parse(&marts, &pairs).is_err() {
                    continue;
                }
                let id = crate::bi::explorer::saved::insert(tx, officer, &title, &question).await?;
                crate::exec_tx!(
                    &mut *tx,
                    "update bi_exploration set shared_with = $1, monthly = $2 where exploration_id = $3",
                    shared,
                    i64::from(monthly),
                    id
                )?;
                made += 1;
            }
        }
        Ok(made)
    }
}

//! What the request machinery writes to the shared activity stream, for
//! every kind of request: its public changes (the organisation or the site
//! acting, seen by those who follow the request or the organisation), its
//! author's filing once it is public, and supports. A person's own acts
//! show where they made them public (`activity`).

use super::kind_of;
use super::notify::event_text;
use super::queries::AppealRow;
use crate::activity::{self, Category, NewActivity, topic};
use crate::db::Tx;

fn topics(a: &AppealRow) -> Vec<String> {
    let mut t = vec![topic("request", a.appeal_id)];
    if let Some(o) = &a.organisation_id {
        t.push(topic("org", o));
    }
    t.push(topic("municipality", &a.municipality_id));
    t
}

/// A request that stops being public (hidden by a moderator) takes its
/// activity out of every feed and profile; one made public again brings
/// it back.
pub async fn visibility(tx: &mut Tx, a: &AppealRow, from: &str) -> Result<(), sqlx::Error> {
    let was = super::lifecycle::State::parse(from).is_some_and(|s| s.is_public());
    let is = a.state().is_public();
    if was != is {
        activity::hide(tx, &topic("request", a.appeal_id), !is).await?;
    }
    Ok(())
}

/// A public change of a public request (`kind` as the timeline names it).
pub async fn changed(tx: &mut Tx, a: &AppealRow, kind: &str) -> Result<(), sqlx::Error> {
    if !a.state().is_public() {
        return Ok(());
    }
    let (ru, en) = event_text(kind, a);
    activity::record(
        tx,
        &NewActivity::official(
            &topic("request", a.appeal_id),
            &topics(a),
            (&ru, &en),
            &kind_of(a).path(a.appeal_id),
        ),
    )
    .await?;
    Ok(())
}

/// The author's request, once it is public.
pub async fn published(tx: &mut Tx, a: &AppealRow) -> Result<(), sqlx::Error> {
    let k = kind_of(a);
    let category = if k.as_str() == "suggestion" {
        Category::Suggestions
    } else {
        Category::Reports
    };
    let (ru, en) = (
        format!("подал(а) обращение №{}", a.appeal_id),
        format!("filed request #{}", a.appeal_id),
    );
    activity::record(
        tx,
        &NewActivity {
            actor: Some(a.author_id),
            anonymous: a.hide_name,
            category,
            subject: &topic("request", a.appeal_id),
            topics: &topics(a),
            text: (&ru, &en),
            link: &k.path(a.appeal_id),
        },
    )
    .await?;
    Ok(())
}

/// A person supported the request.
pub async fn supported(tx: &mut Tx, a: &AppealRow, account: i64) -> Result<(), sqlx::Error> {
    let (ru, en) = (
        format!("поддержал(а) обращение №{}", a.appeal_id),
        format!("supported request #{}", a.appeal_id),
    );
    activity::record(
        tx,
        &NewActivity {
            actor: Some(account),
            anonymous: false,
            category: Category::Supports,
            subject: &topic("request", a.appeal_id),
            topics: &[topic("request", a.appeal_id)],
            text: (&ru, &en),
            link: &kind_of(a).path(a.appeal_id),
        },
    )
    .await?;
    Ok(())
}

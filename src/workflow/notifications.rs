//! Every person's notifications (`/account/notifications`): what the
//! shared services wrote for them (`notify`), newest first, whichever
//! feature the change came from. Viewing marks them read.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppResult;
use crate::texts;
use crate::web::components::datetime;
use crate::web::layout::{Page, PageCtx};
use crate::workflow::queries;

texts!(pub NotificationTexts {
    notifications: "Уведомления", "Notifications";
    no_notifications: "Уведомлений пока нет.", "No notifications yet.";
    new_mark: "новое", "new";
});

/// `GET /account/notifications`: newest first; viewing marks them read.
pub async fn notifications(
    mut ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = NotificationTexts::get(l);
    let list = queries::notifications(&db, user.account_id, 100).await?;
    queries::mark_read(&db, user.account_id).await?;
    // Read now: the header's badge goes, the list still marks what was new.
    ctx.unread = 0;
    Ok(Page::new(&ctx, t.notifications)
        .crumb(ctx.t().account, "/account")
        .render(html! {
            h1 { (t.notifications) }
            @if list.is_empty() { p { (t.no_notifications) } } @else {
                ul.notifications {
                    @for n in &list {
                        li.unread[n.read_at.is_none()] {
                            @if n.read_at.is_none() { span.badge { (t.new_mark) } " " }
                            a href=(n.link) { (l.pick(&n.text_ru, &n.text_en)) }
                            " · " (datetime(l, n.created_at))
                        }
                    }
                }
            }
        }))
}

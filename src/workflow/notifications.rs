//! Every person's notifications (`/account/notifications`): what the
//! shared services wrote for them (`notify`), newest first, whichever
//! feature the change came from. Viewing marks them read.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
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
    how: "Как сообщать", "How to tell you";
    by_mail: "На сайте и по почте", "In the site and by mail";
    site_only: "Только на сайте", "In the site only";
    save: "Сохранить", "Save";
    saved: "Сохранено: уведомления будут приходить так, как вы выбрали.", "Saved: notifications will reach you as you chose.";
    no_notifications: "Уведомлений пока нет.", "No notifications yet.";
    new_mark: "новое", "new";
});

/// `GET /account/notifications`: newest first; viewing marks them read.
pub async fn notifications(
    mut ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = NotificationTexts::get(l);
    let list = queries::notifications(&db, user.account_id, 100).await?;
    let by_mail = queries::notify_by_mail(&db, user.account_id).await?;
    queries::mark_read(&db, user.account_id).await?;
    // Read now: the header's badge goes, the list still marks what was new.
    ctx.unread = 0;
    Ok(Page::new(&ctx, t.notifications)
        .crumb(ctx.t().account, "/account")
        .render(html! {
            h1 { (t.notifications) }
            @if q.saved.is_some() { (crate::web::components::notice("success", html! { (t.saved) })) }
            form method="post" action="/account/notifications/settings" {
                (ctx.csrf_field())
                fieldset {
                    legend { (t.how) }
                    div.field {
                        input #n-mail type="radio" name="mail" value="on" checked[by_mail];
                        " " label for="n-mail" { (t.by_mail) }
                    }
                    div.field {
                        input #n-site type="radio" name="mail" value="off" checked[!by_mail];
                        " " label for="n-site" { (t.site_only) }
                    }
                }
                button.button type="submit" { (t.save) }
            }
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

#[derive(Debug, serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ChoiceForm {
    mail: String,
}

/// `POST /account/notifications/settings`: mail and the site, or the site
/// only.
pub async fn choose(
    user: CurrentUser,
    State(db): State<Db>,
    axum::Form(f): axum::Form<ChoiceForm>,
) -> AppResult<Response> {
    let mail = match f.mail.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(crate::error::AppError::invalid(
                "Выберите, как сообщать: на сайте и по почте или только на сайте.",
                "Choose how to tell you: in the site and by mail, or in the site only.",
            ));
        }
    };
    queries::set_notify_by_mail(&db, user.account_id, mail).await?;
    Ok(axum::response::Redirect::to("/account/notifications?saved=1").into_response())
}

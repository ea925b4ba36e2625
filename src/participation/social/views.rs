//! Pieces of the social pages that several of them show.

use maud::{Markup, html};

use super::moderation::Item;
use crate::web::i18n::Locale;
use crate::web::layout::PageCtx;

crate::texts!(T {
    report_abuse: "Пожаловаться", "Report abuse";
    reason: "Причина жалобы", "Reason for the report";
    send_report: "Отправить жалобу модераторам", "Send the report to the moderators";
    resident: "Житель края", "A resident";
});

/// The report-abuse button of an item: a disclosure with the reason,
/// posted to `POST /flag` (signed in; the sign-in page otherwise).
pub fn flag_form(ctx: &PageCtx, item: Item, id: i64) -> Markup {
    let t = T::get(ctx.locale);
    let field = format!("flag-{}-{id}", item.as_str());
    html! {
        details.flag {
            summary { (t.report_abuse) }
            form method="post" action="/flag" {
                (ctx.csrf_field())
                input type="hidden" name="item" value=(item.as_str());
                input type="hidden" name="id" value=(id);
                input type="hidden" name="back" value=(ctx.here);
                label for=(field) { (t.reason) }
                input id=(field) name="reason" maxlength="500" required;
                button type="submit" { (t.send_report) }
            }
        }
    }
}

/// A person's name as others see it: "A resident" when they hide it.
pub fn person_name(l: Locale, name: &str) -> String {
    if name.is_empty() {
        T::get(l).resident.to_owned()
    } else {
        name.to_owned()
    }
}

crate::texts!(F {
    follow: "Подписаться", "Follow";
    unfollow: "Отписаться", "Unfollow";
});

/// A follow (or unfollow) button for a topic, back to this page.
pub fn follow_button(ctx: &PageCtx, kind: &str, id: &str, following: bool) -> Markup {
    let t = F::get(ctx.locale);
    html! {
        form.inline.follow method="post" action="/follow" {
            (ctx.csrf_field())
            input type="hidden" name="kind" value=(kind);
            input type="hidden" name="id" value=(id);
            input type="hidden" name="follow" value=(if following { "0" } else { "1" });
            input type="hidden" name="back" value=(ctx.here);
            button type="submit" aria-pressed=(if following { "true" } else { "false" }) {
                (if following { t.unfollow } else { t.follow })
            }
        }
    }
}

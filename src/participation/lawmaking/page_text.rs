//! The text section of an initiative's page: the shown version with its
//! annotated passages, the annotations that belong to earlier wordings,
//! the amendments and their decisions, the comparison of versions, and the
//! organisation's forms.

use maud::{Markup, html};

use super::domain::Act;
use super::page::{Data, T, act_form, document};
use crate::web::components::datetime;
use crate::web::layout::PageCtx;

pub fn text(ctx: &PageCtx, d: &Data) -> Markup {
    let l = ctx.locale;
    let t = T::get(l);
    let id = d.i.initiative_id;
    let shown = d.shown.and_then(|n| d.versions.get(n));
    let latest = d.versions.last();
    let doc = shown.map(|v| v.document());
    // Each annotation stands where its passage still stands in the shown
    // version; the others are listed apart, with the version they were on.
    let mut anchored = Vec::new();
    let mut earlier = Vec::new();
    if let (Some(doc), Some(v)) = (&doc, shown) {
        for a in &d.annotations {
            if a.version_number > v.number {
                continue;
            }
            match doc.anchor(&a.paragraph, &a.quote) {
                Some(key) => anchored.push((key, a)),
                None => earlier.push(a),
            }
        }
    }
    let marks: Vec<(String, String)> = anchored
        .iter()
        .map(|(k, a)| (k.clone(), a.quote.clone()))
        .collect();
    html! {
        section #text aria-labelledby="text-h" {
            h2 #text-h { (t.text) }
            @if let Some(v) = shown {
                nav aria-label=(t.versions) {
                    p { (t.versions) ": "
                        @for (n, other) in d.versions.iter().enumerate() {
                            @if n > 0 { " · " }
                            @if other.number == v.number { strong aria-current="page" { (t.version) " " (other.number) } }
                            @else { a href={ "/participation/lawmaking/" (id) "?version=" (other.number) "#text" } { (t.version) " " (other.number) } }
                        }
                    }
                }
                p.hint #shown-version { (t.version) " " (v.number) " · " (datetime(l, v.created_at)) @if !v.changelog.is_empty() { " · " (v.changelog) } }
                @if let Some(doc) = &doc { (document(l, doc, &marks)) }
                @if d.versions.len() > 1 {
                    form.filters method="get" action={ "/participation/lawmaking/" (id) "/diff" } {
                        div.field { label for="f-from" { (t.from) } select #f-from name="from" { @for o in &d.versions { option value=(o.number) selected[o.number == 1] { (t.version) " " (o.number) } } } }
                        div.field { label for="f-to" { (t.to) } select #f-to name="to" { @for o in &d.versions { option value=(o.number) selected[Some(o.number) == latest.map(|x| x.number)] { (t.version) " " (o.number) } } } }
                        div.actions { button.button type="submit" { (t.compare) } }
                    }
                }
                p { (t.export) ": "
                    a href={ "/participation/lawmaking/" (id) "/export.pdf" } { "PDF" } " · "
                    a href={ "/participation/lawmaking/" (id) "/export.docx" } { "DOCX" }
                }
            }
            h3 { (t.annotations) }
            ol.comments #annotations {
                @for (key, a) in &anchored {
                    li.comment { p.timeline-head { a href={ "#p-" (key) } { (t.paragraph) " " (key) } " · «" mark { (a.quote) } "» · " (name(l, &a.author_name)) " · " (datetime(l, a.created_at)) } p.report-text { (a.body) } }
                }
            }
            @if !earlier.is_empty() {
                h4 { (t.earlier) }
                ol.comments #earlier-annotations {
                    @for a in &earlier {
                        li.comment { p.timeline-head { (t.version) " " (a.version_number) ", " (t.paragraph) " " (a.paragraph) " · «" (a.quote) "» · " (name(l, &a.author_name)) } p.report-text { (a.body) } }
                    }
                }
            }
            @if let (true, Some(v)) = (d.can(Act::Annotate), latest) {
                details #annotate { summary { (t.annotate) }
                    (act_form(ctx, id, "annotate", html! {
                        input type="hidden" name="version" value=(v.version_id);
                        p.hint { (t.annotate_hint) }
                        div.field { label for="f-paragraph" { (t.paragraph) } input #f-paragraph type="text" name="paragraph" maxlength="10" required inputmode="decimal"; }
                        div.field { label for="f-quote" { (t.quote) } textarea #f-quote name="quote" rows="2" maxlength="1000" required {} }
                        div.field { label for="f-annotation" { (t.your_annotation) } textarea #f-annotation name="body" rows="3" maxlength="2000" required {} }
                        div.actions { button.button type="submit" { (t.send) } }
                    }))
                }
            }
            h3 { (t.amendments) }
            ol.comments #amendments {
                @for m in &d.amendments {
                    li.comment id={ "amendment-" (m.amendment_id) } {
                        p.timeline-head { (t.version) " " (m.version_number) ", " (t.paragraph) " " (m.paragraph) " · " (name(l, &m.author_name)) " · "
                            strong.amendment-state { @match m.state.as_str() { "accepted" => (t.accepted), "rejected" => (t.rejected), _ => (t.open) } }
                            @if let Some(n) = m.applied_number { " · " (t.applied) " " (n) }
                        }
                        p.report-text { (m.proposed) }
                        @if !m.reason.is_empty() { p { em { (t.reason) ": " (m.reason) } } }
                        @if m.state == "open" && d.can(Act::DecideAmendment) {
                            (act_form(ctx, id, "decide_amendment", html! {
                                input type="hidden" name="amendment_id" value=(m.amendment_id);
                                div.field { label for={ "reason-" (m.amendment_id) } { (t.reason) } input id={ "reason-" (m.amendment_id) } type="text" name="reason" maxlength="2000" required; }
                                div.actions {
                                    button.button type="submit" name="accept" value="1" { (t.accept) } " "
                                    button.button.button-secondary type="submit" name="accept" value="0" { (t.reject) }
                                }
                            }))
                        }
                    }
                }
            }
            @if let (true, Some(v)) = (d.can(Act::Amend), latest) {
                details #amend { summary { (t.amend) }
                    (act_form(ctx, id, "amend", html! {
                        input type="hidden" name="version" value=(v.version_id);
                        div.field { label for="f-amend-paragraph" { (t.paragraph) } input #f-amend-paragraph type="text" name="paragraph" maxlength="10" required inputmode="decimal"; }
                        div.field { label for="f-proposed" { (t.proposed) } textarea #f-proposed name="proposed" rows="4" maxlength="5000" required {} }
                        div.actions { button.button type="submit" { (t.send) } }
                    }))
                }
            }
            @if d.can(Act::PublishVersion) {
                details #new-version open[d.versions.is_empty()] { summary { (t.new_version) }
                    (act_form(ctx, id, "publish_version", html! {
                        p.hint #h-version { (t.new_version_hint) }
                        div.field { label for="f-body" { (t.text) } textarea #f-body name="body" rows="16" maxlength="100000" required aria-describedby="h-version" { (d.next_text) } }
                        div.field { label for="f-changelog" { (t.changelog) } input #f-changelog type="text" name="changelog" maxlength="2000"; }
                        div.actions { button.button type="submit" { (t.new_version) } }
                    }))
                }
            }
            @if d.can(Act::ToExpertise) {
                (act_form(ctx, id, "to_expertise", html! { div.actions { button.button type="submit" { (t.to_expertise) } } }))
            }
        }
    }
}

fn name(l: crate::web::i18n::Locale, n: &str) -> String {
    if n.is_empty() {
        T::get(l).citizen.to_owned()
    } else {
        n.to_owned()
    }
}

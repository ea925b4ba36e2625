//! Pages of the organisation directory.

use axum::response::Response;
use maud::{Markup, html};

use crate::directory::OrgKind;
use crate::directory::queries::OrgRow;
use crate::geo::geography;
use crate::texts;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

texts!(pub DirTexts {
    title: "Органы власти и организации", "Authorities and organisations";
    problems: "Обращения граждан и сроки ответов", "Citizens' reports and response times";
    intro: "Структура исполнительной власти Краснодарского края: курирующие блоки губернатора и его заместителей, органы власти, администрации муниципальных образований и подведомственные организации.",
           "The structure of the executive of Krasnodar Krai: the portfolios of the governor and the vice-governors, regional departments, municipal administrations and state companies.";
    demo_note: "Демонстрационный справочник: названия, ИНН и контакты правдоподобны, но не проверены и не должны использоваться для обращений.",
               "Demo directory: names, INNs and contacts are plausible but unverified and must not be used to contact anyone.";
    regional: "Региональные органы власти", "Regional authorities";
    municipal: "Администрации муниципальных образований", "Municipal administrations";
    kind: "Тип", "Kind";
    parent: "Подчинение", "Reports to";
    inn: "ИНН", "INN";
    email: "Электронная почта", "E-mail";
    phone: "Телефон", "Phone";
    website: "Сайт", "Website";
    municipality: "Муниципальное образование", "Municipality";
    subordinate: "Подчинённые организации", "Subordinate organisations";
    edit: "Редактировать", "Edit";
    add: "Добавить организацию", "Add an organisation";
    id: "Идентификатор", "Id";
    machine: "Справочник в машиночитаемом виде", "The directory in machine-readable form";
});

pub fn org_name(locale: Locale, o: &OrgRow) -> &str {
    locale.pick(&o.name_ru, &o.name_en)
}

fn org_link(locale: Locale, o: &OrgRow) -> Markup {
    html! { a href={ "/organisations/" (o.organisation_id) } { (org_name(locale, o)) } }
}

fn subtree(locale: Locale, all: &[OrgRow], parent: &str, depth: usize) -> Markup {
    let children: Vec<&OrgRow> = all
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(parent) && o.kind != "municipal_administration")
        .collect();
    html! {
        @if !children.is_empty() && depth < 8 {
            ul.tree {
                @for c in children {
                    li {
                        (org_link(locale, c))
                        (subtree(locale, all, &c.organisation_id, depth + 1))
                    }
                }
            }
        }
    }
}

pub fn list_page(ctx: &PageCtx, orgs: &[OrgRow]) -> Response {
    let t = DirTexts::get(ctx.locale);
    let l = ctx.locale;
    let roots: Vec<&OrgRow> = orgs
        .iter()
        .filter(|o| o.parent_id.is_none() && o.kind != "municipal_administration")
        .collect();
    let municipal: Vec<&OrgRow> = orgs
        .iter()
        .filter(|o| o.kind == "municipal_administration")
        .collect();
    Page::new(ctx, t.title).render(html! {
        h1 { (t.title) }
        p.lead { (t.intro) }
        p.notice.notice-info { (t.demo_note) }
        @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) {
            p { a.button href="/admin/organisations/new" { (t.add) } }
        }
        section {
            h2 { (t.regional) }
            ul.tree {
                @for r in &roots {
                    li {
                        (org_link(l, r))
                        (subtree(l, orgs, &r.organisation_id, 1))
                    }
                }
            }
        }
        section {
            h2 { (t.municipal) }
            ul.columns {
                @for m in &municipal { li { (org_link(l, m)) } }
            }
        }
        p { (t.machine) ": " a href="/api/v1/organisations" { "JSON" } }
    })
}

pub fn show_page(
    ctx: &PageCtx,
    org: &OrgRow,
    parent: Option<&OrgRow>,
    children: &[OrgRow],
) -> Response {
    let t = DirTexts::get(ctx.locale);
    let l = ctx.locale;
    let name = org_name(l, org).to_owned();
    let kind = OrgKind::parse(&org.kind).map(|k| k.label(l)).unwrap_or("");
    Page::new(ctx, name.clone())
        .crumb(t.title, "/organisations")
        .render(html! {
            h1 { (name) }
            @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) {
                p { a.button-small href={ "/admin/organisations/" (org.organisation_id) "/edit" } { (t.edit) } }
            }
            dl.facts {
                dt { (t.kind) } dd { (kind) }
                dt { (t.id) } dd { code { (org.organisation_id) } }
                dt { (crate::web::layout::LayoutTexts::get(l).nav_problems) }
                dd { a href={ "/problems/departments/" (org.organisation_id) } { (t.problems) } }
                @if let Some(p) = parent { dt { (t.parent) } dd { (org_link(l, p)) } }
                @if let Some(m) = org.municipality_id.as_deref().and_then(|id| geography().by_id(id)) {
                    dt { (t.municipality) } dd { a href={ "/municipalities/" (m.id) } { (m.name(l)) } }
                }
                @if let Some(inn) = &org.inn { dt { (t.inn) } dd { (inn) } }
                @if let Some(e) = &org.email { dt { (t.email) } dd { a href={ "mailto:" (e) } { (e) } } }
                @if let Some(p) = &org.phone { dt { (t.phone) } dd { (p) } }
                @if let Some(w) = &org.website {
                    @if w.starts_with("https://") || w.starts_with("http://") {
                        dt { (t.website) } dd { a href=(w) rel="external noopener" { (w) } }
                    }
                }
            }
            @if !children.is_empty() {
                h2 { (t.subordinate) }
                ul { @for c in children { li { (org_link(l, c)) } } }
            }
            p.muted { (t.demo_note) }
        })
}

//! Administrators' view of МЭДО: the packages read and written, the
//! clauses waiting for an executor (named here, which opens their order,
//! or dropped), and the directory's МЭДО uids.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::store;
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppError, AppResult};
use crate::integration::inbound::{self, Sender};
use crate::integration::messages::{Body, Message};
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, datetime};
use crate::web::extract::Form;
use crate::web::layout::{Page, PageCtx};

/// `GET /admin/integration/medo`
pub async fn show(
    ctx: PageCtx,
    _admin: Admin,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = MedoTexts::get(l);
    let packages = store::latest(&state.db, 200).await?;
    let waiting = store::waiting(&state.db).await?;
    let orgs = crate::directory::queries::list(&state.db).await?;
    let options: Vec<(String, String)> = orgs.iter().map(|o| o.option(l)).collect();
    let errors = FieldErrors::new();
    let title = t.medo;
    Ok(Page::new(&ctx, title)
        .crumb(t.administration, "/admin")
        .crumb(t.integration, "/admin/integration")
        .render(html! {
            h1 { (title) }
            p { (t.intro) }
            h2 { (t.waiting) }
            @if waiting.is_empty() { p #no-pending { (t.none) } } @else {
                @for w in &waiting {
                    @let candidates: Vec<(String, String)> = {
                        let mut c: Vec<(String, String)> = options.iter().filter(|(id, _)| w.candidates.0.contains(id)).cloned().collect();
                        c.extend(options.iter().filter(|(id, _)| !w.candidates.0.contains(id)).cloned());
                        c
                    };
                    section.card.pending {
                        h3 { (t.clause) " " (w.clause) " · " (t.document) " № " (w.payload.0.number) " " (w.payload.0.date) }
                        p { (t.executor_named) " «" (w.principal) "»" }
                        @if !w.candidates.0.is_empty() { p { (t.candidates) " " (w.candidates.0.join(", ")) } }
                        form method="post" action=(format!("/admin/integration/medo/pending/{}", w.pending_id)) {
                            (ctx.csrf_field())
                            (Select { name: "organisation_id", label: t.organisation, options: &candidates, selected: w.candidates.0.first().map(String::as_str).unwrap_or(""), placeholder: None, disabled: false }.render(l, &errors))
                            button.button type="submit" name="action" value="open" { (t.open_order) }
                            " "
                            button.button.secondary type="submit" name="action" value="drop" { (t.drop) }
                        }
                    }
                }
            }
            h2 { (t.packages) }
            @if packages.is_empty() { p #no-packages { (t.none) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) { table #medo-packages {
                    thead { tr {
                        th scope="col" { "№" }
                        th scope="col" { (t.partner) }
                        th scope="col" { (t.direction) }
                        th scope="col" { (t.kind) }
                        th scope="col" { (t.document) }
                        th scope="col" { (t.status) }
                        th scope="col" { (t.folder) }
                        th scope="col" { (t.when) }
                    } }
                    tbody {
                        @for p in &packages {
                            tr {
                                td { (p.package_id) }
                                td { code { (p.partner_id) } }
                                td { @if p.direction == "in" { (t.inbound) } @else { (t.outbound) } }
                                td { (p.kind) }
                                td { @if let Some(n) = &p.document_number { "№ " (n) } " " (p.document_date.clone().unwrap_or_default()) }
                                td {
                                    (p.status)
                                    @if let Some(r) = &p.registration_number { " " (r) }
                                    @if !p.reason.is_empty() { br; (p.reason) }
                                    @if !p.detail.is_empty() { br; small { (p.detail) } }
                                }
                                td { code { (p.folder) } }
                                td { (datetime(l, p.created_at)) }
                            }
                        }
                    }
                } }
            }
            h2 { (t.uids) }
            p { (t.uids_help) }
            form method="post" action="/admin/integration/medo/organisations" {
                (ctx.csrf_field())
                (Select { name: "organisation_id", label: t.organisation, options: &options, selected: "", placeholder: None, disabled: false }.render(l, &errors))
                (Input::new("medo_uid", t.medo_uid, "").render(l, &errors))
                button.button type="submit" { (t.save) }
            }
        }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ResolveForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    action: String,
}

/// `POST /admin/integration/medo/pending/{id}`: the clause's order opened
/// for the organisation named, or the clause dropped.
pub async fn resolve(
    _admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let row = store::pending_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let open = f.action != "drop";
    let org = f.organisation_id.trim();
    if open
        && crate::directory::queries::by_id_tx(&mut tx, org)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(
            "Выберите организацию из справочника.",
            "Choose an organisation of the directory.",
        ));
    }
    if !store::resolve(&mut tx, id, open.then_some(org)).await? {
        // Another administrator was first: nothing to do.
        return Ok(Redirect::to("/admin/integration/medo").into_response());
    }
    if open {
        let package = store::package_tx(&mut tx, row.package_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let partner = crate::integration::partners::get(&state.db, &package.partner_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let mut doc = row.payload.0.clone();
        for c in &mut doc.clauses {
            c.organisation_id = org.to_owned();
        }
        let message = Message {
            v: crate::integration::inbound::MESSAGE_VERSION,
            id: format!("medo-pending-{id}"),
            sent_at: crate::db::now(),
            body: Body::DocumentReceived(doc),
        };
        inbound::apply_within(&mut tx, &state, &Sender::Partner(partner), &message, &[]).await?;
    }
    tx.commit().await?;
    state.mailer.notify();
    state.exchange.notify();
    state.search.notify();
    Ok(Redirect::to("/admin/integration/medo").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct UidForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    medo_uid: String,
}

/// `POST /admin/integration/medo/organisations`: an organisation's МЭДО
/// uid (empty: none).
pub async fn set_uid(
    _admin: Admin,
    State(state): State<AppState>,
    Form(f): Form<UidForm>,
) -> AppResult<Response> {
    let uid = f.medo_uid.trim().to_lowercase();
    if !uid.is_empty() && uuid::Uuid::parse_str(&uid).is_err() {
        return Err(AppError::invalid(
            "Идентификатор участника МЭДО — GUID.",
            "A MEDO participant id is a GUID.",
        ));
    }
    let mut tx = state.db.begin().await?;
    if !uid.is_empty()
        && super::matching::holder(&mut tx, &uid)
            .await?
            .is_some_and(|o| o != f.organisation_id.trim())
    {
        return Err(AppError::invalid(
            "Этот идентификатор МЭДО уже у другой организации.",
            "This MEDO id belongs to another organisation already.",
        ));
    }
    if !super::matching::set_uid(
        &mut tx,
        f.organisation_id.trim(),
        (!uid.is_empty()).then_some(&uid),
    )
    .await?
    {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(Redirect::to("/admin/integration/medo").into_response())
}

texts!(MedoTexts {
    medo: "МЭДО", "MEDO";
    administration: "Администрирование", "Administration";
    integration: "Интеграция", "Integration";
    intro: "Пакеты межведомственного электронного документооборота: входящие документы становятся поручениями, уведомления о ходе исполнения уходят в исходящую папку партнёра. Электронные подписи проверяет шлюз МЭДО, не veche.", "Packages of the interdepartmental electronic document flow: documents received become orders, notices of their progress go to the partner's outbound folder. Electronic signatures are checked by the MEDO gateway, not by veche.";
    waiting: "Пункты, ждущие исполнителя", "Clauses waiting for an executor";
    none: "Нет.", "None.";
    clause: "Пункт", "Clause";
    document: "документ", "document";
    executor_named: "Исполнитель в документе:", "Executor named in the document:";
    candidates: "Похожие организации:", "Similar organisations:";
    organisation: "Организация", "Organisation";
    open_order: "Создать поручение", "Open the order";
    drop: "Не создавать", "Drop";
    packages: "Пакеты", "Packages";
    partner: "Партнёр", "Partner";
    direction: "Направление", "Direction";
    inbound: "входящий", "inbound";
    outbound: "исходящий", "outbound";
    kind: "Вид", "Kind";
    status: "Состояние", "Status";
    folder: "Папка", "Folder";
    when: "Когда", "When";
    uids: "Идентификаторы МЭДО организаций", "Organisations' MEDO ids";
    uids_help: "Исполнитель пункта ищется сначала по идентификатору участника МЭДО, затем по названию.", "A clause's executor is found by its MEDO participant id first, then by its name.";
    medo_uid: "Идентификатор участника МЭДО (GUID; пусто — нет)", "MEDO participant id (GUID; empty: none)";
    save: "Сохранить", "Save";
});

//! One order: its page, its tree, the actions on it and their files.

use super::*;
use crate::db::Db;
use crate::texts;

/// `GET /pm/orders/{id}`
pub async fn show(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<crate::app::AppState>,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = orders::view::OrderView::load(&db, id, &user).await?;
    let version = super::super::staff_app::order_version(&db, id).await?;
    let moved = match super::super::federation::moved_to_db(&db, id).await? {
        Some(to) => Some(moved_notice(&state, ctx.locale, &to, id)),
        None => None,
    };
    Ok(order_page(&ctx, &user, &v, version, now(), moved))
}

/// An order that moved to another core with its organisation: read-only
/// here, with a link to it there.
fn moved_notice(state: &crate::app::AppState, l: Locale, to: &str, id: i64) -> Markup {
    let tx = OrderTexts::get(l);
    let here = state
        .federation
        .as_deref()
        .map(|f| f.this().id.clone())
        .unwrap_or_else(|| crate::integration::exchange::LOCAL.to_owned());
    let url = state
        .federation
        .as_deref()
        .and_then(|f| f.get(to))
        .map(|i| {
            format!(
                "{}/pm/orders/moved/{here}/{id}",
                i.url.trim_end_matches('/')
            )
        });
    html! {
        div.notice role="status" #order-moved {
            p { (tx.moved_notice) " «" (to) "». " (tx.moved_read_only) }
            @if let Some(u) = url { p { a href=(u) { (tx.moved_link) } } }
        }
    }
}

/// The order page: facts, report, tree, files, the actions the rules
/// allow this person now, and the history.
fn order_page(
    ctx: &PageCtx,
    user: &CurrentUser,
    v: &orders::view::OrderView,
    version: i64,
    at: OffsetDateTime,
    moved: Option<Markup>,
) -> Response {
    let l = ctx.locale;
    let tx = OrderTexts::get(l);
    let (o, tree, events, files, files_open, people) = (
        &v.order,
        &v.tree,
        &v.events,
        &v.files,
        v.files_open,
        &v.people,
    );
    let id = o.order_id;
    let org_name = |oid: &str| v.org_name(l, oid);
    let side = v.side;
    let member_options = v.member_options();
    let sub_orgs = v.sub_organisations(l);
    let all_orgs = v.all_organisations(l);
    let open_children = v.open_children;
    let request = &v.request;
    let s = o.state();
    let assignee = matches!(side, Side::Assignee | Side::Both);
    let open = matches!(
        s,
        OrderState::New | OrderState::Accepted | OrderState::InProgress | OrderState::Returned
    );
    let errors = crate::web::components::FieldErrors::new();
    // The actions offered are those the rules allow this person now
    // (`orders::may`, the check `act` makes), tried with a stand-in for what
    // the form will carry.
    let may = |action: &OrderAction| orders::may(o, user, open_children, action).is_ok();
    let text = || "·".to_owned();
    let report = orders::may(
        o,
        user,
        open_children,
        &OrderAction::SubmitReport {
            text: text(),
            outcome: (o.appeal_id.is_some() && o.parent_id.is_none()).then_some(Outcome::Resolved),
            planned_date: None,
        },
    );
    // An executor who may not report yet is told why (required sub-orders
    // still open) rather than left without the form.
    let report_waits = match &report {
        Err(domain::Refusal::State(m)) if assignee && open => Some(m.get(l).to_owned()),
        _ => None,
    };
    let title = format!("{} № {}", tx.order, o.order_id);
    let act_url = format!("/pm/orders/{id}/act");
    // The staff's phone app keeps this page and queues its actions without
    // a signal (pm/staff_app.rs, web/js/staff.js).
    let mut page = Page::new(ctx, title.clone())
        .manifest("/pm/manifest.webmanifest")
        .script("js/staff.js")
        .crumb(tx.crumb_orders, "/pm")
        .crumb(tx.orders, "/pm/orders");
    if request.is_some() {
        page = page.with_map();
    }
    page.render(html! {
        h1 { (title) ": " (o.title) }
        (nav(l))
        @if let Some(m) = &moved { (m) }
        (super::super::staff_app::app_bar(ctx))
        p #order-state { (state_badge(l, o, at)) }
        dl.pm-facts {
            dt { (tx.responsible_organisation) } dd #order-organisation { a href={ "/pm/organisations/" (o.organisation_id) } { (org_name(&o.organisation_id)) } }
            dt { (tx.executor) } dd { @if let Some(e) = o.executor_id { (people.get(&e).cloned().unwrap_or_default()) } @else { "—" } }
            dt { (tx.deadline) } dd { (datetime(l, o.deadline)) }
            dt { (tx.priority) } dd { (Priority::parse(&o.priority).map(|p| p.label(l)).unwrap_or("")) }
            dt { (tx.source) } dd { (Source::parse(&o.source).map(|p| p.label(l)).unwrap_or("")) }
            dt { (tx.given) } dd { @if let Some(c) = o.creator_id { (people.get(&c).cloned().unwrap_or_default()) } @else if let Some(c) = &o.creator_organisation_id { (org_name(c)) } @else if o.source == Source::Initiative.as_str() { (tx.portal_initiative) } @else { (tx.portal_citizen_s_report) } }
            @if let (Some(u), None) = (&o.appeal_url, o.appeal_id) {
                dt { (tx.on_portal) } dd { a href=(u) #order-source-page { (u) } }
            }
            @if let (Some(u), Some(n)) = (&o.appeal_url, o.appeal_id) {
                dt { (tx.request) }
                dd {
                    a href=(u) #order-request { (tx.request_no) " " (n) }
                    @if let Some(r) = &request { " · " (r.appeal.state().label(l)) }
                }
            }
            @if let Some(p) = o.parent_id { dt { (tx.parent_order) } dd { a href={ "/pm/orders/" (p) } { "№ " (p) } } }
        }
        @if !o.description.is_empty() { div.pm-description { @for line in o.description.lines() { p { (line) } } } }
        @if let Some(r) = &request {
            section aria-labelledby="request-h" {
                h2 #request-h { (tx.the_request) }
                @if !r.photos.is_empty() {
                    ul.photo-list {
                        @for k in &r.photos {
                            li { a href=(crate::media::url(k, "full")) { img src=(crate::media::url(k, "thumb")) alt=(tx.request_photo) loading="lazy"; } }
                        }
                    }
                }
                p { @if !r.appeal.address.is_empty() { (r.appeal.address) " · " } (format!("{:.5}, {:.5}", r.appeal.lat, r.appeal.lon)) }
                div.map.small-map role="region" aria-label=(tx.request_place) data-geojson-inline="request-point" data-tiles=(ctx.tile_url) {}
                (crate::web::layout::json_script("request-point", &serde_json::json!({
                    "type": "FeatureCollection",
                    "features": [{ "type": "Feature", "geometry": { "type": "Point", "coordinates": [r.appeal.lon, r.appeal.lat] },
                                   "properties": { "name": format!("{} {}", tx.request_no, r.appeal.appeal_id) } }]
                })))
            }
        }
        @if let Some(r) = &o.report_text {
            section aria-labelledby="report-h" {
                h2 #report-h { (tx.report_execution) }
                @if let Some(x) = o.report_outcome.as_deref().and_then(Outcome::parse) { p { strong { (x.label(l)) } @if let Some(d) = o.report_planned_date.as_deref().and_then(crate::web::i18n::parse_iso_date) { " — " (crate::web::components::date(l, d)) } } }
                p #order-report { (r) }
            }
        }
        @if tree.len() > 1 {
            section aria-labelledby="tree-h" {
                h2 #tree-h { (tx.delegation_tree) }
                (tree_markup(l, tree, tree.first().map(|t| t.order_id).unwrap_or(id), id, &org_name, at))
            }
        }
        @if !files.is_empty() {
            section aria-labelledby="files-h" {
                h2 #files-h { (tx.attachments) }
                ul.pm-files { @for f in files { li {
                    @if files_open { a href={ "/pm/attachments/" (f.attachment_id) } { (f.file_name) } } @else { (f.file_name) } " (" (f.size / 1024) " KB)"
                    // A dictated order's recording plays in place for those who may read it.
                    @if files_open && f.content_type.starts_with("audio/") {
                        br; audio controls preload="none" src={ "/pm/attachments/" (f.attachment_id) } aria-label=(f.file_name) {}
                    }
                } } }
            }
        }
        // A moved order refuses every action (`federation::refuse_if_moved`,
        // before the rules): none is offered.
        @if moved.is_none() {
        section #actions aria-labelledby="actions-h" data-order=(id) data-version=(version) {
            h2 #actions-h { (tx.actions) }
            @if may(&OrderAction::Accept) {
                form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field()) input type="hidden" name="action" value="accept"; button.button type="submit" { (tx.accept) } }
            }
            @if may(&OrderAction::Start) {
                form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field()) input type="hidden" name="action" value="start"; button.button type="submit" { (tx.start_work) } }
            }
            @if let Some(why) = &report_waits { p.hint #report-waits { (why) } }
            @if report.is_ok() {
                details {
                    summary { (tx.submit_report_execution) }
                    form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field())
                        input type="hidden" name="action" value="report";
                        (crate::web::components::Input::new("text", tx.what_was_done, "").kind("textarea").required().render(l, &errors))
                        @if o.appeal_id.is_some() && o.parent_id.is_none() {
                            fieldset {
                                legend { (tx.answer_citizen) }
                                div.field.radio { input #o-resolved type="radio" name="outcome" value="resolved" checked; label for="o-resolved" { (tx.resolved) } }
                                div.field.radio { input #o-planned type="radio" name="outcome" value="planned"; label for="o-planned" { (tx.planned_give_date) } }
                                (crate::web::components::Input::new("planned_date", tx.planned_date, "").date_from(crate::web::components::today_msk().next_day().unwrap_or(crate::web::components::today_msk()), DEADLINE_YEARS).render(l, &errors))
                            }
                        }
                        div.field { label for="f-files" { (tx.photos_documents_up_10) } input #f-files type="file" name="files" multiple; }
                        button.button type="submit" { (tx.submit_report) }
                    }
                }
                details {
                    summary { (tx.delegate_sub_order) }
                    form method="post" action={ "/pm/orders/" (id) "/delegate" } {
                        (ctx.csrf_field())
                        (crate::web::components::Input::new("title", tx.title, "").required().render(l, &errors))
                        (crate::web::components::Input::new("description", tx.description, "").kind("textarea").render(l, &errors))
                        (crate::web::components::Select { name: "organisation_id", label: tx.unit, options: &sub_orgs, selected: &o.organisation_id, placeholder: None, disabled: false }.render(l, &errors))
                        (crate::web::components::Input::new("executor_id", tx.executor_account_number_optional, "").render(l, &errors))
                        (crate::web::components::Input::new("deadline", tx.deadline, "").date_from(crate::web::components::today_msk(), DEADLINE_YEARS).required().render(l, &errors))
                        (crate::web::components::checkbox(l, &errors, "required", html! { (tx.required_before_parent_s) }, true))
                        button.button type="submit" { (tx.delegate) }
                    }
                }
            }
            @if assignee && !s.is_final() && (user.is_admin() || user.is_officer_of(&o.organisation_id)) && !member_options.is_empty() {
                form method="post" action={ "/pm/orders/" (id) "/assign" } {
                    (ctx.csrf_field())
                    (crate::web::components::Select { name: "executor_id", label: tx.executor, options: &member_options, selected: &o.executor_id.map(|e| e.to_string()).unwrap_or_default(), placeholder: Some(tx.the_organisation), disabled: false }.render(l, &errors))
                    button.button type="submit" { (tx.assign) }
                }
            }
            @if may(&OrderAction::AcceptReport) {
                form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field()) input type="hidden" name="action" value="accept_report"; button.button type="submit" { (tx.accept_report) } }
            }
            @if may(&OrderAction::Return { note: text() }) {
                form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field())
                    input type="hidden" name="action" value="return";
                    (crate::web::components::Input::new("text", tx.what_rework, "").kind("textarea").required().render(l, &errors))
                    button.button type="submit" { (tx.return_rework) }
                }
            }
            @if may(&OrderAction::Refer { organisation_id: "\u{0}another".to_owned(), reason: text() }) {
                details {
                    summary { (tx.refer_another_organisation) }
                    form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field())
                        input type="hidden" name="action" value="refer";
                        (crate::web::components::Select { name: "organisation_id", label: tx.organisation, options: &all_orgs, selected: "", placeholder: Some(tx.choose), disabled: false }.render(l, &errors))
                        (crate::web::components::Input::new("text", tx.reason, "").kind("textarea").required().render(l, &errors))
                        button.button type="submit" { (tx.refer) }
                    }
                }
            }
            @if may(&OrderAction::Cancel { reason: text() }) {
                details {
                    summary { (tx.cancel_order) }
                    form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field())
                        input type="hidden" name="action" value="cancel";
                        (crate::web::components::Input::new("text", tx.cancel_reason, "").kind("textarea").required().render(l, &errors))
                        button.button.danger type="submit" { (tx.cancel_submit) }
                    }
                }
            }
            @if may(&OrderAction::Comment { text: text() }) {
                form method="post" action=(act_url) enctype="multipart/form-data" { (ctx.csrf_field())
                    input type="hidden" name="action" value="comment";
                    (crate::web::components::Input::new("text", tx.comment, "").kind("textarea").required().render(l, &errors))
                    div.field { label for="f-cfiles" { (tx.attachments) } input #f-cfiles type="file" name="files" multiple; }
                    button.button type="submit" { (tx.add_comment) }
                }
            }
        }
        }
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { (tx.history) }
            ol.timeline {
                @for e in events {
                    li {
                        strong { (event_label(l, &e.kind)) }
                        " · " (datetime(l, e.created_at))
                        @if let Some(n) = &e.actor_name { " · " (n) } @else if !e.actor_label.is_empty() { " · " (e.actor_label) }
                        @if !e.note.is_empty() { p { (e.note) } }
                    }
                }
            }
        }
    })
}

pub(super) fn event_label(l: Locale, kind: &str) -> &'static str {
    let tx = OrderTexts::get(l);
    match kind {
        "created" => tx.created,
        "accepted" => tx.accepted,
        "started" => tx.work_started,
        "report_submitted" => tx.report_submitted,
        "report_accepted" => tx.report_accepted,
        "returned" => tx.returned_rework,
        "cancelled" => tx.cancelled,
        "planned" => tx.planned_new_deadline,
        "referred" => tx.referred,
        "delegated" => tx.sub_order_given,
        "assigned" => tx.executor_assigned,
        "comment" => tx.comment_lower,
        "moved" => tx.moved_event,
        "moved_in" => tx.moved_in_event,
        _ => tx.change,
    }
}

pub(super) fn tree_markup(
    l: Locale,
    tree: &[OrderRow],
    node: i64,
    here: i64,
    org_name: &dyn Fn(&str) -> String,
    at: OffsetDateTime,
) -> Markup {
    let Some(o) = tree.iter().find(|t| t.order_id == node) else {
        return html! {};
    };
    let children: Vec<&OrderRow> = tree.iter().filter(|t| t.parent_id == Some(node)).collect();
    html! {
        ul.pm-tree {
            li {
                @if node == here { strong aria-current="true" { "№ " (o.order_id) ": " (o.title) } }
                @else { a href={ "/pm/orders/" (o.order_id) } { "№ " (o.order_id) ": " (o.title) } }
                " — " (org_name(&o.organisation_id)) " · " (state_badge(l, o, at))
                @if !o.required { " · " (OrderTexts::get(l).optional) }
                @for c in children { (tree_markup(l, tree, c.order_id, here, org_name, at)) }
            }
        }
    }
}

/// What an action form sends.
#[derive(Default)]
pub(super) struct ActionForm {
    action: String,
    text: String,
    outcome: String,
    planned_date: String,
    organisation_id: String,
    files: Vec<(String, Vec<u8>)>,
    file_error: Option<Msg>,
}

pub const MAX_FILES: usize = 10;

pub(super) async fn read_action(multipart: Multipart) -> AppResult<ActionForm> {
    let mut f = ActionForm::default();
    let upload =
        crate::media::upload::read_multipart(multipart, "files", |name, value| match name {
            "action" => f.action = value,
            "text" => f.text = value,
            "outcome" => f.outcome = value,
            "planned_date" => f.planned_date = value,
            "organisation_id" => f.organisation_id = value,
            _ => {}
        })
        .await?;
    f.files = upload.files;
    f.file_error = upload.error;
    Ok(f)
}

/// Stores uploaded files: images are cleaned like every photo (no metadata
/// survives); PDF and office documents are kept as sent; anything else is
/// refused.
pub async fn store_files(
    state: &AppState,
    files: Vec<(String, Vec<u8>)>,
) -> AppResult<Vec<Attached>> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let result: AppResult<()> = async {
        for (name, bytes) in files {
            let name = sanitize_name(&name);
            let is_image = matches!(image::guess_format(&bytes), Ok(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP));
            if is_image {
                let stored = match crate::media::upload::store_photos(&state.media, &state.gates, vec![(name.clone(), bytes.clone())]).await? {
                    Ok(s) => s,
                    Err(m) => return Err(AppError::unprocessable("invalid_file", m)),
                };
                for s in stored {
                    keys.push(s.key.clone());
                    out.push(Attached { key: s.key, file_name: name.clone(), content_type: "image/jpeg".into(), size: bytes.len() as i64, is_photo: true });
                }
                continue;
            }
            let content_type = document_type(&bytes, &name).ok_or_else(|| {
                AppError::invalid(
                    format!("Файл «{name}» не принят: прикладывайте фото (JPEG, PNG, WebP), PDF или документы Office (DOCX, XLSX, ODT)."),
                    format!("The file “{name}” was not accepted: attach photos (JPEG, PNG, WebP), PDF or Office documents (DOCX, XLSX, ODT)."),
                )
            })?;
            let key = uuid::Uuid::new_v4().simple().to_string();
            let size = bytes.len() as i64;
            state.media.put(&crate::media::file_key(&key), bytes).await.map_err(AppError::Internal)?;
            keys.push(key.clone());
            out.push(Attached { key, file_name: name, content_type: content_type.into(), size, is_photo: false });
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        discard_files(state, &out).await;
        return Err(e);
    }
    Ok(out)
}

pub async fn discard_files(state: &AppState, files: &[Attached]) {
    let photos: Vec<String> = files
        .iter()
        .filter(|f| f.is_photo)
        .map(|f| f.key.clone())
        .collect();
    crate::media::discard(&state.media, &photos).await;
    for f in files.iter().filter(|f| !f.is_photo) {
        let _ = state.media.delete(&crate::media::file_key(&f.key)).await;
    }
}

pub(super) fn sanitize_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "file".into()
    } else {
        clean
    }
}

pub(super) fn document_type(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    // Office Open XML and OpenDocument files are ZIP archives.
    if bytes.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".docx") {
            return Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if lower.ends_with(".xlsx") {
            return Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if lower.ends_with(".odt") {
            return Some("application/vnd.oasis.opendocument.text");
        }
    }
    None
}

/// `POST /pm/orders/{id}/act` (multipart; the CSRF token is its first field)
pub async fn act(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = read_action(multipart).await?;
    if let Some(m) = form.file_error {
        return Err(AppError::unprocessable("too_large", m));
    }
    if form.files.len() > MAX_FILES {
        return Err(AppError::invalid(
            "Можно приложить не больше 10 файлов.",
            "You can attach at most 10 files.",
        ));
    }
    let action = match form.action.as_str() {
        "accept" => OrderAction::Accept,
        "start" => OrderAction::Start,
        "report" => {
            let outcome = match form.outcome.as_str() {
                "" => None,
                o => Some(Outcome::parse(o).ok_or_else(|| {
                    AppError::invalid(
                        "Выберите: решено или запланировано.",
                        "Choose: resolved or planned.",
                    )
                })?),
            };
            let planned_date = if outcome == Some(Outcome::Planned) {
                Some(
                    crate::web::i18n::parse_iso_date(form.planned_date.trim()).ok_or_else(
                        || {
                            AppError::invalid(
                                "Укажите планируемую дату в формате ГГГГ-ММ-ДД.",
                                "Give the planned date as YYYY-MM-DD.",
                            )
                        },
                    )?,
                )
            } else {
                None
            };
            OrderAction::SubmitReport {
                text: form.text,
                outcome,
                planned_date,
            }
        }
        "accept_report" => OrderAction::AcceptReport,
        "return" => OrderAction::Return { note: form.text },
        "cancel" => OrderAction::Cancel { reason: form.text },
        "refer" => OrderAction::Refer {
            organisation_id: form.organisation_id,
            reason: form.text,
        },
        "comment" => OrderAction::Comment { text: form.text },
        _ => {
            return Err(AppError::bad_request(
                "unknown_action",
                Msg::new("Неизвестное действие.", "Unknown action."),
            ));
        }
    };
    let files = store_files(&state, form.files).await?;
    match orders::act(&state, id, orders::Actor::Person(&user), action, &files).await {
        Ok(_) => Ok(Redirect::to(&format!("/pm/orders/{id}#timeline")).into_response()),
        Err(e) => {
            discard_files(&state, &files).await;
            Err(e)
        }
    }
}

texts!(OrderTexts {
    moved_notice: "Поручение передано вместе с организацией в экземпляр", "The order moved with its organisation to the instance";
    moved_read_only: "Здесь оно только для чтения: действия с ним выполняются там.", "Here it is read-only: act on it there.";
    moved_link: "Открыть поручение там", "Open the order there";
    moved_event: "передано в другой экземпляр", "moved to another instance";
    moved_in_event: "получено из другого экземпляра", "received from another instance";
    order: "Поручение", "Order";
    crumb_orders: "Управление поручениями", "Orders";
    orders: "Поручения", "Orders";
    responsible_organisation: "Ответственная организация", "Responsible organisation";
    executor: "Исполнитель", "Executor";
    deadline: "Срок", "Deadline";
    priority: "Приоритет", "Priority";
    source: "Источник", "Source";
    given: "Автор", "Given by";
    portal_citizen_s_report: "портал (обращение гражданина)", "the portal (a citizen's report)";
    portal_initiative: "портал (решение по законодательной инициативе)", "the portal (a decision on a law-making initiative)";
    on_portal: "На портале", "On the portal";
    request: "Обращение", "Request";
    parent_order: "Родительское поручение", "Parent order";
    report_execution: "Отчёт об исполнении", "Report of execution";
    delegation_tree: "Вертикаль исполнения", "Delegation tree";
    attachments: "Вложения", "Attachments";
    actions: "Действия", "Actions";
    accept: "Принять к исполнению", "Accept";
    start_work: "Начать работу", "Start work";
    submit_report_execution: "Представить отчёт об исполнении", "Submit the report of execution";
    what_was_done: "Что сделано", "What was done";
    answer_citizen: "Ответ гражданину", "The answer to the citizen";
    resolved: "решено", "resolved";
    planned_give_date: "запланировано (укажите дату)", "planned (give the date)";
    planned_date: "Планируемая дата", "Planned date";
    photos_documents_up_10: "Фото и документы (до 10 файлов по 15 МБ)", "Photos and documents (up to 10 files, 15 MB each)";
    submit_report: "Представить отчёт", "Submit the report";
    delegate_sub_order: "Дать дочернее поручение", "Delegate a sub-order";
    title: "Заголовок", "Title";
    description: "Описание", "Description";
    unit: "Подразделение", "Unit";
    executor_account_number_optional: "Исполнитель (номер учётной записи, необязательно)", "Executor (account number, optional)";
    required_before_parent_s: "обязательно для отчёта по родительскому поручению", "required before the parent's report";
    delegate: "Дать поручение", "Delegate";
    the_organisation: "— организация —", "— the organisation —";
    assign: "Назначить", "Assign";
    accept_report: "Принять отчёт", "Accept the report";
    what_rework: "Что доработать", "What to rework";
    return_rework: "Вернуть на доработку", "Return for rework";
    refer_another_organisation: "Передать другой организации", "Refer to another organisation";
    organisation: "Организация", "Organisation";
    choose: "— выберите —", "— choose —";
    reason: "Причина", "Reason";
    refer: "Передать", "Refer";
    cancel_order: "Отменить поручение", "Cancel the order";
    cancel_reason: "Причина отмены", "Reason";
    cancel_submit: "Отменить", "Cancel the order";
    comment: "Комментарий", "Comment";
    add_comment: "Добавить комментарий", "Add a comment";
    history: "История", "History";
    created: "создано", "created";
    accepted: "принято", "accepted";
    work_started: "начата работа", "work started";
    report_submitted: "представлен отчёт", "report submitted";
    report_accepted: "отчёт принят", "report accepted";
    returned_rework: "возвращено на доработку", "returned for rework";
    cancelled: "отменено", "cancelled";
    planned_new_deadline: "запланировано, новый срок", "planned, new deadline";
    request_no: "Обращение №", "Request #";
    the_request: "Обращение гражданина", "The citizen's request";
    request_photo: "Фото из обращения", "Photo from the request";
    request_place: "Место на карте", "The place on the map";
    referred: "передано другой организации", "referred";
    sub_order_given: "дано дочернее поручение", "sub-order given";
    executor_assigned: "назначен исполнитель", "executor assigned";
    comment_lower: "комментарий", "comment";
    change: "изменение", "change";
    optional: "необязательное", "optional";
});

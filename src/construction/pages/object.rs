//! One object: its page, the form to add or edit it, documents, and the JSON API.

use super::*;
use crate::db::Db;
use crate::texts;

/// `GET /construction/objects/{id}`
pub async fn show(ctx: PageCtx, State(db): State<Db>, Path(id): Path<i64>) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = ObjectTexts::get(l);
    let edit = ctx.user.as_ref().is_some_and(may_edit);
    let o = queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    // Old values in the history are as personal as the current one.
    let hide_personal = o.owner_is_personal() && !edit;
    let o = as_seen(o, edit);
    let docs = queries::documents(&db, id).await?;
    let history = queries::history(&db, id).await?;
    let checks = super::super::checks::object_section(l, &db, id).await?;
    let geo = {
        let mut f = vec![
            json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [o.lon, o.lat] }, "properties": { "name": o.name, "color": o.status().color(), "status_label": o.status().label(l) } }),
        ];
        if let Some(fp) = o
            .footprint
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        {
            f.push(json!({ "type": "Feature", "geometry": fp, "properties": { "footprint": true, "color": o.status().color() } }));
        }
        json!({ "type": "FeatureCollection", "features": f })
    };
    let facts: Vec<(&str, String)> = o
        .fields()
        .into_iter()
        .filter(|(f, v)| {
            !v.is_empty() && !matches!(*f, "name" | "footprint" | "status" | "lat" | "lon")
        })
        .collect();
    Ok(Page::new(&ctx, o.name.clone())
        .crumb(tx.construction, "/construction")
        .with_map()
        .render(html! {
            h1 { (o.name) }
            p #object-status { span.badge style={ "border-color:" (o.status().color()) } { (o.status().label(l)) }
                @if o.illegal { " " span.badge.overdue { (tx.illegal_constructions_registry) } } }
            dl.pm-facts {
                dt { (tx.municipality) } dd { a href={ "/municipalities/" (o.municipality_id) } { (municipality_name(l, &o.municipality_id)) } }
                @for (f, v) in &facts { dt { (field_label(f, l)) } dd { (crate::web::components::shown_date(l, v)) } }
                dt { (tx.coordinates) } dd { (format!("{:.6}, {:.6}", o.lat, o.lon)) }
            }
            div #object-map .map.small-map data-geojson-inline="object-geo" data-tiles=(ctx.tile_url) role="region" aria-label=(tx.object_map) {}
            (crate::web::layout::json_script("object-geo", &geo))
            section aria-labelledby="docs-h" {
                h2 #docs-h { (tx.approval_documents) }
                @if docs.is_empty() { p { (tx.no_documents) } } @else {
                    ul { @for d in &docs { li { a href={ "/construction/documents/" (d.document_id) } { (d.title) } " (PDF, " (d.size / 1024) " KB)" } } }
                }
                @if edit {
                    form method="post" action={ "/construction/objects/" (id) "/documents" } enctype="multipart/form-data" { (ctx.csrf_field())
                        (Input::new("title", tx.document_title, "").required().render(l, &FieldErrors::new()))
                        div.field { label for="f-file" { (tx.pdf_file_up_20) } input #f-file type="file" name="file" accept="application/pdf" required; }
                        button.button type="submit" { (tx.attach) }
                    }
                }
            }
            @if edit { p { a.button href={ "/construction/objects/" (id) "/edit" } { (tx.edit) } } }
            (checks)
            section aria-labelledby="history-h" {
                h2 #history-h { (tx.history_changes) }
                ol.timeline {
                    @for h in &history {
                        li {
                            strong { (history_label(l, &h.action)) } " · " (datetime(l, h.created_at))
                            @if let Some(n) = &h.actor_name { " · " (n) } @else if !h.actor_label.is_empty() { " · " (h.actor_label) }
                            (changes_markup(l, &h.changes, hide_personal))
                        }
                    }
                }
            }
        }))
}

pub(super) fn history_label(l: Locale, action: &str) -> &'static str {
    let tx = ObjectTexts::get(l);
    match action {
        "created" => tx.added_registry,
        "updated" => tx.changed,
        "imported" => tx.imported_spreadsheet,
        "document" => tx.document_attached,
        "verified" => tx.changed_verification,
        _ => tx.change,
    }
}

/// What a history entry changed; `hide_personal` leaves out the fields that
/// may name a private person (`queries::PERSONAL_FIELDS`).
///
/// Values are shown as people read them: a status by its label, not its
/// code; an empty value as a dash.
fn shown_value(l: Locale, field: &str, v: &Value) -> String {
    let Some(text) = v.as_str().filter(|s| !s.is_empty()) else {
        return "—".to_owned();
    };
    match field {
        "status" => crate::construction::domain::Status::parse(text)
            .map(|s| s.label(l).to_owned())
            .unwrap_or_else(|| text.to_owned()),
        _ => crate::web::components::shown_date(l, text),
    }
}

pub(super) fn changes_markup(l: Locale, changes: &str, hide_personal: bool) -> Markup {
    let v: Value = serde_json::from_str(changes).unwrap_or(Value::Null);
    let map = v.get("changes").unwrap_or(&v);
    html! {
        @if let Some(m) = map.as_object() {
            @if !m.is_empty() {
                ul {
                    @for (f, pair) in m.iter().filter(|(f, _)| !(hide_personal && queries::PERSONAL_FIELDS.contains(&f.as_str()))) {
                        @if let Some([old, new]) = pair.as_array().map(|a| a.as_slice()).and_then(|a| <&[Value; 2]>::try_from(a).ok()) {
                            li { (field_label(f, l)) ": " (shown_value(l, f, old)) " → " (shown_value(l, f, new)) }
                        }
                    }
                }
            }
        }
        @if let Some(t) = v.get("title").and_then(Value::as_str) { p { (t) } }
    }
}

/// The object form's map: Leaflet with Leaflet-Geoman (vendored from the
/// npm registry) to drop the point and draw the footprint.
fn drawing(page: Page<'_>) -> Page<'_> {
    page.head(html! {
        link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet-geoman/leaflet-geoman.css"));
    })
    .script("vendor/leaflet/leaflet.js")
    .script("vendor/leaflet-geoman/leaflet-geoman.min.js")
    .script("js/object-form.js")
}

pub(super) fn object_form(
    ctx: &PageCtx,
    action: &str,
    values: &ObjectForm,
    errors: &FieldErrors,
) -> Markup {
    let l = ctx.locale;
    let statuses: Vec<(String, String)> = ALL_STATUSES
        .iter()
        .map(|s| (s.as_str().into(), s.label(l).into()))
        .collect();
    let value = |f: &str| -> String {
        match f {
            "name" => values.name.clone(),
            "address" => values.address.clone(),
            "lat" => values.lat.clone(),
            "lon" => values.lon.clone(),
            "footprint" => values.footprint.clone(),
            "cadastral_number" => values.cadastral_number.clone(),
            "permit_number" => values.permit_number.clone(),
            "permit_date" => values.permit_date.clone(),
            "developer" => values.developer.clone(),
            "purpose" => values.purpose.clone(),
            "floors" => values.floors.clone(),
            "planned_start" => values.planned_start.clone(),
            "planned_end" => values.planned_end.clone(),
            "actual_start" => values.actual_start.clone(),
            "actual_end" => values.actual_end.clone(),
            "detected_on" => values.detected_on.clone(),
            _ => String::new(),
        }
    };
    html! {
        (crate::web::components::error_summary(l, errors))
        form method="post" action=(action) {
            (ctx.csrf_field())
            // Filled from the map by `js/object-form.js`; the fields below
            // stay the way to type them (and the raw GeoJSON of the footprint
            // for power users).
            div.field {
                p.hint #h-object-map { (ObjectTexts::get(l).map_hint) }
                div #object-pick-map .pick-map data-tiles=(ctx.tile_url) role="region"
                    aria-label=(ObjectTexts::get(l).map_label) aria-describedby="h-object-map" {
                    p.map-fallback { (ObjectTexts::get(l).map_needs_script) }
                }
            }
            @for f in FIELDS {
                @if f == "status" {
                    (Select { name: "status", label: field_label("status", l), options: &statuses, selected: &values.status, placeholder: None, disabled: false }.render(l, errors))
                } @else {
                    @let v = value(f);
                    @let kind = match f { "footprint" => "textarea", "permit_date" | "planned_start" | "planned_end" | "actual_start" | "actual_end" | "detected_on" => "date", _ => "text" };
                    @let input = Input::new(f, field_label(f, l), &v).kind(kind);
                    @let input = if matches!(f, "name" | "lat" | "lon") { input.required() } else { input };
                    (input.render(l, errors))
                }
            }
            button.button type="submit" { (ObjectTexts::get(l).save) }
        }
    }
}

/// `GET /construction/objects/new`
pub async fn new_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let tx = ObjectTexts::get(l);
    let title = tx.new_construction_object;
    let values = ObjectForm {
        status: "under_construction".into(),
        ..Default::default()
    };
    Ok(
        drawing(Page::new(&ctx, title).crumb(tx.construction, "/construction")).render(html! {
            h1 { (title) }
            (object_form(&ctx, "/construction/objects/new", &values, &FieldErrors::new()))
        }),
    )
}

pub(super) fn form_errors(problems: Vec<super::super::domain::FieldProblem>) -> FieldErrors {
    let mut e = FieldErrors::new();
    for p in problems {
        let field = FIELDS
            .iter()
            .find(|f| **f == p.field)
            .copied()
            .unwrap_or("name");
        e.add(field, p.msg);
    }
    e
}

/// Creates an object with its history entry, in one transaction.
pub(super) async fn save_new(db: &Db, o: &ObjectInput, actor: Option<i64>) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let id = save_new_in(&mut tx, o, actor, "officer").await?;
    tx.commit().await?;
    Ok(id)
}

/// [`save_new`] inside the caller's transaction, with the record's source.
pub(crate) async fn save_new_in(
    tx: &mut crate::db::Tx,
    o: &ObjectInput,
    actor: Option<i64>,
    source: &str,
) -> AppResult<i64> {
    let id = queries::insert(tx, o, false, source).await?;
    queries::add_history(tx, id, actor, "", "created", &json!({})).await?;
    refresh(tx, o.status == Status::Illegal).await?;
    Ok(id)
}

pub(super) async fn refresh(tx: &mut crate::db::Tx, illegal: bool) -> AppResult<()> {
    crate::datasets::request_refresh(tx, super::super::REGISTRY).await?;
    if illegal {
        crate::datasets::request_refresh(tx, super::super::ILLEGAL_REGISTRY).await?;
    }
    Ok(())
}

/// `POST /construction/objects/new`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Form(f): Form<ObjectForm>,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    match f.parse() {
        Ok(o) => {
            let id = save_new(&db, &o, Some(user.account_id)).await?;
            Ok(Redirect::to(&format!("/construction/objects/{id}?done=1")).into_response())
        }
        Err(problems) => {
            let title = ObjectTexts::get(l).new_construction_object;
            Ok(drawing(Page::new(&ctx, title))
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(html! {
                    h1 { (title) }
                    (object_form(&ctx, "/construction/objects/new", &f, &form_errors(problems)))
                }))
        }
    }
}

pub fn form_of(o: &ObjectRow) -> ObjectForm {
    let v = |f: &str| {
        o.fields()
            .into_iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v)
            .unwrap_or_default()
    };
    ObjectForm {
        name: v("name"),
        address: v("address"),
        lat: v("lat"),
        lon: v("lon"),
        footprint: v("footprint"),
        cadastral_number: v("cadastral_number"),
        permit_number: v("permit_number"),
        permit_date: v("permit_date"),
        developer: v("developer"),
        purpose: v("purpose"),
        floors: v("floors"),
        planned_start: v("planned_start"),
        planned_end: v("planned_end"),
        actual_start: v("actual_start"),
        actual_end: v("actual_end"),
        status: v("status"),
        detected_on: v("detected_on"),
    }
}

/// `GET /construction/objects/{id}/edit`
pub async fn edit_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    editor(&user)?;
    let o = queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let l = ctx.locale;
    let tx = ObjectTexts::get(l);
    Ok(drawing(Page::new(&ctx, o.name.clone()).crumb(tx.construction, "/construction")).render(html! {
        h1 { (tx.edit_title) (o.name) }
        (object_form(&ctx, &format!("/construction/objects/{id}/edit"), &form_of(&o), &FieldErrors::new()))
    }))
}

/// `POST /construction/objects/{id}/edit`
pub async fn update(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(f): Form<ObjectForm>,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let tx = ObjectTexts::get(l);
    let input = match f.parse() {
        Ok(o) => o,
        Err(problems) => {
            return Ok(drawing(Page::new(&ctx, tx.edit_object)).status(StatusCode::UNPROCESSABLE_ENTITY).render(html! {
                h1 { (tx.edit_object) }
                (object_form(&ctx, &format!("/construction/objects/{id}/edit"), &f, &form_errors(problems)))
            }));
        }
    };
    save_changes(&db, id, &input, user.account_id).await?;
    Ok(Redirect::to(&format!("/construction/objects/{id}?done=1")).into_response())
}

/// Saves an edit in one transaction: the object, its history (what
/// changed), and the refresh of the open registries. The form and the API
/// both write through here.
async fn save_changes(db: &Db, id: i64, input: &ObjectInput, actor: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before = queries::object_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let diff = changes(before.fields(), input.fields());
    queries::update(&mut tx, id, input, before.illegal).await?;
    queries::add_history(
        &mut tx,
        id,
        Some(actor),
        "",
        "updated",
        &json!({ "changes": diff }),
    )
    .await?;
    refresh(&mut tx, before.illegal || input.status == Status::Illegal).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /construction/objects/{id}/documents` (multipart, PDF)
pub async fn add_document(
    user: CurrentUser,
    State(media): State<crate::media::MediaStore>,
    State(db): State<Db>,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    editor(&user)?;
    queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut title = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        match field.name().unwrap_or("") {
            "title" => title = field.text().await.map_err(upload_error)?,
            "file" => {
                let name = field.file_name().unwrap_or("document.pdf").to_owned();
                let bytes = field.bytes().await.map_err(upload_error)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(AppError::invalid(
            "Укажите название документа (до 300 символов).",
            "Give the document's title (up to 300 characters).",
        ));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::invalid(
            "Приложите файл PDF.",
            "Attach a PDF file.",
        ));
    };
    if bytes.len() > 20 * 1024 * 1024 {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Msg::new("Файл больше 20 МБ.", "The file is larger than 20 MB."),
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(AppError::invalid(
            format!("«{name}» — не PDF. Приложите документ в формате PDF."),
            format!("“{name}” is not a PDF. Attach the document as PDF."),
        ));
    }
    let key = uuid::Uuid::new_v4().simple().to_string();
    let size = bytes.len() as i64;
    media
        .put(&crate::media::file_key(&key), bytes)
        .await
        .map_err(AppError::Internal)?;
    let recorded = async {
        let mut tx = db.begin().await?;
        queries::insert_document(&mut tx, id, &title, &key, &name, size).await?;
        queries::add_history(
            &mut tx,
            id,
            Some(user.account_id),
            "",
            "document",
            &json!({ "title": title }),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = recorded {
        // Stored but never recorded: nobody could reach it.
        let _ = media.delete(&crate::media::file_key(&key)).await;
        return Err(e);
    }
    Ok(Redirect::to(&format!("/construction/objects/{id}?done=1#docs-h")).into_response())
}

pub(super) fn upload_error(err: axum::extract::multipart::MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        super::importing::upload_error_too_large()
    } else {
        AppError::bad_request(
            "upload",
            Msg::new(
                format!("Загрузка прервана: {}", err.body_text()),
                format!("The upload failed: {}", err.body_text()),
            ),
        )
    }
}

/// `GET /construction/documents/{id}`: public; a download.
pub async fn document(
    State(media): State<crate::media::MediaStore>,
    State(db): State<Db>,
    Path(id): Path<i64>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> AppResult<Response> {
    let d = queries::document(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut r = media
        .serve(&crate::media::file_key(&d.media_key), &method, &headers)
        .await
        .map_err(AppError::Internal)?
        .ok_or_else(AppError::not_found)?;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let name: String = url::form_urlencoded::byte_serialize(d.file_name.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `POST /api/v1/construction/objects` (Bearer token of an officer of the
/// supervision authority): the fields as JSON, answered with the object.
pub async fn api_create(
    State(db): State<Db>,
    headers: HeaderMap,
    crate::web::extract::Json(f): crate::web::extract::Json<ObjectForm>,
) -> AppResult<Response> {
    let user = crate::auth::tokens::bearer_user(&db, &headers).await?;
    editor(&user)?;
    let o = f.parse().map_err(|problems| {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::En)))
            .collect();
        let list_ru: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::Ru)))
            .collect();
        AppError::invalid(list_ru.join("; "), list.join("; "))
    })?;
    let id = save_new(&db, &o, Some(user.account_id)).await?;
    let row = queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(json!(row))).into_response())
}

/// `PUT /api/v1/construction/objects/{id}`: the whole object as JSON (as
/// for creating it); the change is recorded in its history.
pub async fn api_update(
    State(db): State<Db>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    crate::web::extract::Json(f): crate::web::extract::Json<ObjectForm>,
) -> AppResult<Response> {
    let user = crate::auth::tokens::bearer_user(&db, &headers).await?;
    editor(&user)?;
    let input = f.parse().map_err(problems_error)?;
    save_changes(&db, id, &input, user.account_id).await?;
    let row = queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(json!(row)).into_response())
}

/// `GET /api/v1/construction/objects/{id}`: public; the authority's
/// officers (signed in, or with a personal token) get the personal fields.
pub async fn api_show(
    State(db): State<Db>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = queries::object(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let editor = match user {
        Some(u) => may_edit(&u),
        // A token that does not resolve is no worse than none here.
        None if headers.contains_key(header::AUTHORIZATION) => {
            crate::auth::tokens::bearer_user(&db, &headers)
                .await
                .is_ok_and(|u| may_edit(&u))
        }
        None => false,
    };
    Ok(Json(json!(as_seen(row, editor))).into_response())
}

pub(super) fn problems_error(problems: Vec<super::super::domain::FieldProblem>) -> AppError {
    let en: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::En)))
        .collect();
    let ru: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::Ru)))
        .collect();
    AppError::invalid(ru.join("; "), en.join("; "))
}

texts!(ObjectTexts {
    construction: "Стройка", "Construction";
    illegal_constructions_registry: "в реестре самовольных построек", "in the illegal constructions registry";
    municipality: "Муниципалитет", "Municipality";
    coordinates: "Координаты", "Coordinates";
    object_map: "Объект на карте", "The object on the map";
    approval_documents: "Разрешительные документы", "Approval documents";
    no_documents: "Документов нет.", "No documents.";
    document_title: "Название документа", "Document title";
    pdf_file_up_20: "Файл PDF (до 20 МБ)", "PDF file (up to 20 MB)";
    attach: "Приложить", "Attach";
    edit: "Изменить", "Edit";
    history_changes: "История изменений", "History of changes";
    added_registry: "внесён в реестр", "added to the registry";
    changed: "изменён", "changed";
    imported_spreadsheet: "загружен из таблицы", "imported from a spreadsheet";
    document_attached: "приложен документ", "document attached";
    changed_verification: "внесён по результату проверки", "changed by a verification";
    change: "изменение", "change";
    save: "Сохранить", "Save";
    map_label: "Карта: точка и контур объекта", "Map: the object's point and footprint";
    map_hint: "Щёлкните по карте, чтобы поставить точку (её можно перетащить); контур нарисуйте кнопкой многоугольника или прямоугольника слева. Поля ниже заполнятся сами и остаются доступны для ввода.", "Click the map to place the point (it can be dragged); draw the footprint with the polygon or rectangle button on the left. The fields below fill in and can still be typed.";
    map_needs_script: "Карта работает с JavaScript; без него введите широту, долготу и контур (GeoJSON) в поля ниже.", "The map needs JavaScript; without it, type the latitude, longitude and footprint (GeoJSON) below.";
    new_construction_object: "Новый объект строительства", "A new construction object";
    edit_title: "Изменить: ", "Edit: ";
    edit_object: "Изменить объект", "Edit the object";
});

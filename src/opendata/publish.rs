//! Department officers publish new data versions: through the web (upload a
//! CSV or XLSX file) and through an authenticated API
//! (`POST /api/v1/opendata/{identifier}/versions` with a personal API
//! token). Both are validated exactly like `veche import`: they call the same
//! `import::publish`.

use axum::extract::{Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use futures::StreamExt;
use maud::html;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::opendata::catalogue::Catalogue;
use crate::opendata::catalogue::Entry;
use crate::opendata::import::{self, ImportError, Outcome, Source};
use crate::opendata::queries::{self, StructureRow};
use crate::opendata::views::{OdTexts, title};
use crate::texts;
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};

/// What a new version says changed when the publisher writes nothing: the
/// passport's provenance is kept in Russian (MR 3.0), whatever the page's language.
const PROVENANCE_DEFAULT: &str = "Обновление набора открытых данных";

texts!(PublishTexts {
    title: "Новая версия данных", "New data version";
    reading: "Как читать CSV (если определилось неверно)", "How to read the CSV (if the guess was wrong)";
    encoding: "Кодировка", "Encoding";
    delimiter: "Разделитель", "Separator";
    detect: "определить автоматически", "detect";
    comma: "запятая", "comma";
    semicolon: "точка с запятой", "semicolon";
    tab: "табуляция", "tab";
    intro: "Загрузите файл CSV (UTF-8 или Windows-1251 — как сохраняет Excel; запятая, точка с запятой или табуляция) или XLSX с заголовком из имён полей структуры. Файл проверяется целиком: если в нём есть ошибки, ничего не публикуется.",
           "Upload a CSV (UTF-8 or Windows-1251, as Excel saves it; comma, semicolon or tab) or XLSX file whose header row holds the structure's field names. The whole file is checked: if it has errors, nothing is published.";
    file: "Файл данных", "Data file";
    provenance: "Что изменилось", "What changed";
    submit: "Проверить и опубликовать", "Check and publish";
    fields: "Поля структуры", "Fields of the structure";
    published: "Опубликована версия", "Published version";
    unchanged: "Файл совпадает с текущей версией — новая версия не создана.", "The file equals the current version: no new version was created.";
    rejected: "Файл не опубликован. Исправьте ошибки и загрузите его снова.", "The file was not published. Fix the problems and upload it again.";
    line: "Строка", "Line";
    field: "Поле", "Field";
    reason: "Причина", "Reason";
    whole_file: "весь файл", "whole file";
    more: "и ещё ошибок:", "more problems:";
    back: "К паспорту набора", "Back to the passport";
    no_file: "Выберите файл для загрузки.", "Choose a file to upload.";
    tokens_title: "Ключи API", "API tokens";
    tokens_intro: "Ключ API позволяет программам публиковать данные от вашего имени (заголовок Authorization: Bearer <ключ>). Ключ показывается один раз; храните его как пароль.",
                  "An API token lets programs publish data on your behalf (header Authorization: Bearer <token>). The token is shown once; keep it like a password.";
    token_name: "Название ключа", "Token name";
    token_create: "Создать ключ", "Create a token";
    token_created: "Новый ключ (скопируйте его сейчас, он больше не будет показан):", "Your new token (copy it now; it will not be shown again):";
    token_revoke: "Отозвать", "Revoke";
    token_used: "использован", "last used";
    token_never: "не использовался", "never used";
});

/// Whether the user may publish versions of this dataset: an officer of the
/// owner organisation, or an administrator.
pub fn may_publish(user: &CurrentUser, e: &Entry) -> bool {
    user.is_admin() || user.is_officer_of(&e.dataset.organisation_id)
}

/// The structure new data must follow: the current version's, or the newest
/// one recorded.
pub async fn current_structure(db: &Db, e: &Entry) -> AppResult<StructureRow> {
    if let Some(s) = &e.structure {
        return Ok(s.clone());
    }
    queries::structures(db, e.dataset.dataset_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            AppError::conflict(
                "no_structure",
                Msg::new(
                    "У набора ещё нет структуры: сначала опишите её.",
                    "The dataset has no structure yet: describe it first.",
                ),
            )
        })
}

fn form_page(
    ctx: &PageCtx,
    e: &Entry,
    structure: &StructureRow,
    outcome: Option<&Result<Outcome, ImportError>>,
    extra_error: Option<Msg>,
    read_as: Option<Msg>,
) -> Response {
    let t = PublishTexts::get(ctx.locale);
    let ot = OdTexts::get(ctx.locale);
    let l = ctx.locale;
    let id = &e.dataset.identifier;
    let status = match outcome {
        Some(Err(ImportError::Rejected { .. })) => StatusCode::UNPROCESSABLE_ENTITY,
        _ if extra_error.is_some() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let action = format!("/opendata/{id}/publish");
    Page::new(ctx, t.title)
        .crumb(ot.title, "/opendata")
        .crumb(title(l, e).to_owned(), format!("/opendata/{id}"))
        .status(status)
        .render(html! {
            h1 { (t.title) }
            p.lead { (title(l, e)) }
            @if let Some(m) = &extra_error {
                div.notice.notice-error role="alert" { (m.get(l)) }
            }
            @if let (Some(m), Some(_)) = (&read_as, outcome) {
                p #read-as { (m.get(l)) }
            }
            @match outcome {
                Some(Ok(Outcome::Published { stamp, rows })) => {
                    div.notice.notice-success role="status" { (t.published) " " strong { (stamp) } " (" (crate::web::i18n::ROWS.count(l, *rows)) ")." " " a href={ "/opendata/" (id) } { (t.back) } }
                }
                Some(Ok(Outcome::Unchanged { .. })) => { div.notice role="status" { (t.unchanged) } }
                Some(Err(ImportError::Rejected { problems, total })) => {
                    div.error-summary role="alert" tabindex="-1" {
                        h2 { (t.rejected) }
                        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                            table {
                                thead { tr { th { (t.line) } th { (t.field) } th { (t.reason) } } }
                                tbody {
                                    @for p in problems.iter().take(200) {
                                        tr {
                                            td { @if p.line == 0 { (t.whole_file) } @else { (p.line) } }
                                            td { code { (p.field) } }
                                            td { (p.reason.get(l)) }
                                        }
                                    }
                                }
                            }
                        }
                        @if *total > problems.len().min(200) { p { (t.more) " " (total - problems.len().min(200)) } }
                    }
                }
                _ => {}
            }
            p { (t.intro) }
            form.stack method="post" action=(action) enctype="multipart/form-data" { (ctx.csrf_field())
                div.field {
                    label for="f-file" { (t.file) }
                    input #f-file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                }
                // The guess of how a CSV reads, for the officer to correct
                // when it was wrong (the page says what was used).
                details {
                    summary { (t.reading) }
                    (crate::web::components::Select { name: "encoding", label: t.encoding, options: &[("utf-8".into(), "UTF-8".into()), ("windows-1251".into(), "Windows-1251".into())], selected: "", placeholder: Some(t.detect), disabled: false }.render(l, &crate::web::components::FieldErrors::new()))
                    (crate::web::components::Select { name: "delimiter", label: t.delimiter, options: &[("comma".into(), t.comma.into()), ("semicolon".into(), t.semicolon.into()), ("tab".into(), t.tab.into())], selected: "", placeholder: Some(t.detect), disabled: false }.render(l, &crate::web::components::FieldErrors::new()))
                }
                div.field {
                    label for="f-provenance" { (t.provenance) }
                    input #f-provenance type="text" name="provenance" value=(PROVENANCE_DEFAULT) maxlength="500";
                }
                div.actions { button.button type="submit" { (t.submit) } }
            }
            h2 { (t.fields) }
            ul {
                @for f in structure.fields() {
                    li { code { (f.name) } " — " (f.label(l)) " (" (f.format.name()) ")" }
                }
            }
        })
}

async fn entry(
    catalogue: &Catalogue,
    db: &Db,
    identifier: &str,
) -> AppResult<std::sync::Arc<Entry>> {
    let snapshot = catalogue.snapshot(db).await?;
    snapshot
        .get(identifier)
        .cloned()
        .ok_or_else(AppError::not_found)
}

/// `GET /opendata/{id}/publish`
pub async fn publish_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(catalogue): State<Catalogue>,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let e = entry(&catalogue, &db, &id).await?;
    if !may_publish(&user, &e) {
        return Err(AppError::forbidden());
    }
    let structure = current_structure(&db, &e).await?;
    Ok(form_page(&ctx, &e, &structure, None, None, None))
}

/// Writes an upload to a temporary file, refusing more than `limit` bytes.
async fn save_upload(
    config: &Config,
    mut stream: impl futures::Stream<Item = Result<axum::body::Bytes, String>> + Unpin,
    limit: usize,
) -> Result<(std::path::PathBuf, usize), AppError> {
    let dir = config.data_dir.join("tmp");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(anyhow::Error::from)?;
    let path = dir.join(format!("upload-{}", uuid::Uuid::new_v4()));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(anyhow::Error::from)?;
    let mut size = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(too_large_or(e, limit));
            }
        };
        size += chunk.len();
        if size > limit {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(too_large(limit));
        }
        file.write_all(&chunk).await.map_err(anyhow::Error::from)?;
    }
    file.flush().await.map_err(anyhow::Error::from)?;
    Ok((path, size))
}

fn too_large(limit: usize) -> AppError {
    AppError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        Msg::new(
            format!(
                "Файл больше допустимых {} МБ. Загрузите большие наборы командой veche import или разделите файл.",
                limit >> 20
            ),
            format!(
                "The file is larger than the {} MB allowed. Load large datasets with `veche import`, or split the file.",
                limit >> 20
            ),
        ),
    )
}

fn too_large_or(detail: String, limit: usize) -> AppError {
    if detail.contains("length limit") || detail.contains("too large") {
        too_large(limit)
    } else {
        AppError::bad_request(
            "upload",
            Msg::new(
                format!("Загрузка прервалась: {detail}"),
                format!("The upload was interrupted: {detail}"),
            ),
        )
    }
}

/// XLSX files are zip archives: they start with `PK\x03\x04`.
fn source_for(path: std::path::PathBuf, head: &[u8]) -> Source {
    if head.starts_with(b"PK\x03\x04") {
        Source::Xlsx(path)
    } else {
        Source::Csv(path)
    }
}

/// The reading the officer chose for a CSV, the rest as detected; `None`
/// when they left both to detection. A workbook has no such choice.
async fn chosen_reading(
    path: &std::path::Path,
    head: &[u8],
    encoding: &str,
    delimiter: &str,
) -> Result<Option<import::Sniffed>, Msg> {
    use import::TextEncoding;
    let encoding = match encoding {
        "" => None,
        "utf-8" => Some(TextEncoding::Utf8),
        "windows-1251" => Some(TextEncoding::Windows1251),
        _ => {
            return Err(Msg::new(
                "Выберите кодировку из списка.",
                "Choose the encoding from the list.",
            ));
        }
    };
    let delimiter = match delimiter {
        "" => None,
        "comma" => Some(b','),
        "semicolon" => Some(b';'),
        "tab" => Some(b'\t'),
        _ => {
            return Err(Msg::new(
                "Выберите разделитель из списка.",
                "Choose the separator from the list.",
            ));
        }
    };
    if (encoding.is_none() && delimiter.is_none()) || head.starts_with(b"PK\x03\x04") {
        return Ok(None);
    }
    let p = path.to_owned();
    let guessed = tokio::task::spawn_blocking(move || import::sniff_file(&p))
        .await
        .ok()
        .flatten();
    Ok(Some(import::Sniffed {
        encoding: encoding
            .or(guessed.map(|g| g.encoding))
            .unwrap_or(TextEncoding::Utf8),
        delimiter: delimiter.or(guessed.map(|g| g.delimiter)).unwrap_or(b','),
    }))
}

/// How a CSV was read (encoding, separator), to say it: a wrong guess
/// shows. Nothing for a workbook.
async fn read_as(path: &std::path::Path, head: &[u8]) -> Option<Msg> {
    if head.starts_with(b"PK\x03\x04") {
        return None;
    }
    let p = path.to_owned();
    tokio::task::spawn_blocking(move || import::sniff_file(&p))
        .await
        .ok()
        .flatten()
        .map(|s| s.describe())
}

async fn first_bytes(path: &std::path::Path) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 8];
    if let Ok(mut f) = tokio::fs::File::open(path).await {
        let n = f.read(&mut buf).await.unwrap_or(0);
        buf.truncate(n);
    }
    buf
}

fn provenance_of(text: &str) -> String {
    let t: String = text.chars().filter(|c| !c.is_control()).take(500).collect();
    let t = t.trim();
    if t.is_empty() {
        "Обновление набора открытых данных".to_owned()
    } else {
        t.to_owned()
    }
}

/// Reading a spreadsheet or a large CSV is expensive work: one turn at the
/// gate (web/limits.rs); the upload at `path` is dropped when none comes.
async fn turn_to_read(
    gates: &crate::web::limits::Gates,
    path: &std::path::Path,
) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
    match gates.expensive.enter().await {
        Ok(p) => Ok(p),
        Err(e) => {
            let _ = tokio::fs::remove_file(path).await;
            Err(e)
        }
    }
}

/// `POST /opendata/{id}/publish` (multipart; the CSRF token is its first field).
pub async fn publish_upload(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let e = entry(&state.catalogue, &state.db, &id).await?;
    if !may_publish(&user, &e) {
        return Err(AppError::forbidden());
    }
    let structure = current_structure(&state.db, &e).await?;
    let limit = state.config.server.max_body_mb * 1024 * 1024;
    let mut upload = None;
    let mut provenance = String::new();
    // Empty: as detected.
    let (mut encoding, mut delimiter) = (String::new(), String::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|err| too_large_or(err.body_text(), limit))?
    {
        match field.name() {
            Some("file") => {
                let named = field.file_name().is_some_and(|n| !n.is_empty());
                let stream = field.map(|r| r.map_err(|e| e.body_text()));
                let (path, size) = save_upload(&state.config, Box::pin(stream), limit).await?;
                if named && size > 0 {
                    upload = Some(path);
                } else {
                    let _ = tokio::fs::remove_file(&path).await;
                }
            }
            Some("provenance") => {
                provenance = field
                    .text()
                    .await
                    .map_err(|err| too_large_or(err.body_text(), limit))?
            }
            Some(name @ ("encoding" | "delimiter")) => {
                let name = name.to_owned();
                let value = field
                    .text()
                    .await
                    .map_err(|err| too_large_or(err.body_text(), limit))?;
                if name == "encoding" {
                    encoding = value;
                } else {
                    delimiter = value;
                }
            }
            _ => {}
        }
    }
    let Some(path) = upload else {
        return Ok(form_page(
            &ctx,
            &e,
            &structure,
            None,
            Some(Msg::new(PublishTexts::RU.no_file, PublishTexts::EN.no_file)),
            None,
        ));
    };
    let _permit = turn_to_read(&state.gates, &path).await?;
    let head = first_bytes(&path).await;
    let chosen = match chosen_reading(&path, &head, &encoding, &delimiter).await {
        Ok(c) => c,
        Err(m) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Ok(form_page(&ctx, &e, &structure, None, Some(m), None));
        }
    };
    let read_as = match chosen {
        Some(s) => Some(s.describe()),
        None => read_as(&path, &head).await,
    };
    let source = match chosen {
        Some(s) => import::Source::CsvAs(path.clone(), s),
        None => source_for(path.clone(), &head),
    };
    let outcome = import::publish(
        &state,
        &e.dataset,
        &structure,
        source,
        None,
        &provenance_of(&provenance),
        None,
    )
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    if let Err(ImportError::Internal(err)) = outcome {
        return Err(AppError::Internal(err));
    }
    tracing::info!(account_id = user.account_id, dataset = %e.dataset.identifier, ok = outcome.is_ok(), "data version uploaded");
    Ok(form_page(
        &ctx,
        &e,
        &structure,
        Some(&outcome),
        None,
        read_as,
    ))
}

/// `POST /api/v1/opendata/{identifier}/versions`: the body is the file
/// (`text/csv`, the XLSX media type, or multipart with a `file` field);
/// `?provenance=` says what changed.
#[utoipa::path(
    post,
    path = "/api/v1/opendata/{identifier}/versions",
    tag = "opendata",
    params(
        ("identifier" = String, Path, description = "Dataset identifier, e.g. 2312823003-towns"),
        ("provenance" = Option<String>, Query, description = "What changed (the passport's provenance)"),
    ),
    request_body(content = String, description = "The data file: CSV (UTF-8 or Windows-1251; comma, semicolon or tab, read from the header line) or XLSX", content_type = "text/csv"),
    responses(
        (status = 201, description = "A new version was published", body = Object),
        (status = 200, description = "The file equals the current version; nothing changed", body = Object),
        (status = 400, description = "A multipart body without a `file` field, or an unreadable upload", body = crate::web::api_docs::ApiErrorBody),
        (status = 401, description = "No or unknown API token", body = crate::web::api_docs::ApiErrorBody),
        (status = 403, description = "The token's account may not publish this dataset", body = crate::web::api_docs::ApiErrorBody),
        (status = 404, description = "No such dataset", body = crate::web::api_docs::ApiErrorBody),
        (status = 413, description = "The file is too large", body = crate::web::api_docs::ApiErrorBody),
        (status = 415, description = "Neither CSV, XLSX nor multipart", body = crate::web::api_docs::ApiErrorBody),
        (status = 422, description = "The file does not match the structure: every problem with line, field and reason; nothing was published", body = Object),
    ),
    security(("bearer" = []))
)]
pub async fn api_publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> AppResult<Response> {
    let user = crate::auth::tokens::bearer_user(&state.db, request.headers()).await?;
    let e = entry(&state.catalogue, &state.db, &id).await?;
    if !may_publish(&user, &e) {
        return Err(AppError::forbidden());
    }
    let structure = current_structure(&state.db, &e).await?;
    let provenance = request
        .uri()
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "provenance")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let content_type = crate::web::extract::content_type(request.headers());
    let limit = state.config.server.max_body_mb * 1024 * 1024;
    let path = if content_type.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(request, &state)
            .await
            .map_err(|err| too_large_or(err.body_text(), limit))?;
        let mut found = None;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|err| too_large_or(err.body_text(), limit))?
        {
            if field.name() == Some("file") {
                let stream = field.map(|r| r.map_err(|e| e.body_text()));
                found = Some(save_upload(&state.config, Box::pin(stream), limit).await?.0);
            }
        }
        found.ok_or_else(|| {
            AppError::bad_request(
                "no_file",
                Msg::new(
                    "В запросе нет поля file.",
                    "The request has no `file` field.",
                ),
            )
        })?
    } else {
        let known = [
            "text/csv",
            "text/plain",
            "application/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/octet-stream",
        ];
        if !known.iter().any(|k| content_type.starts_with(k)) {
            return Err(AppError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Msg::new(
                    "Отправьте файл как text/csv, как XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) или в multipart/form-data с полем file.",
                    "Send the file as text/csv, as XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet), or as multipart/form-data with a `file` field.",
                ),
            ));
        }
        let stream = request
            .into_body()
            .into_data_stream()
            .map(|r| r.map_err(|e| e.to_string()));
        save_upload(&state.config, Box::pin(stream), limit).await?.0
    };
    let _permit = turn_to_read(&state.gates, &path).await?;
    let head = first_bytes(&path).await;
    let read_as = read_as(&path, &head).await;
    let outcome = import::publish(
        &state,
        &e.dataset,
        &structure,
        source_for(path.clone(), &head),
        None,
        &provenance_of(&provenance),
        None,
    )
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    tracing::info!(account_id = user.account_id, dataset = %e.dataset.identifier, ok = outcome.is_ok(), "data version published through the API");
    let base = state.config.base_url();
    Ok(match outcome {
        Ok(Outcome::Published { stamp, rows }) => (
            StatusCode::CREATED,
            axum::Json(json!({
                "status": "published",
                "version": stamp,
                "rows": rows,
                "read_as": read_as.as_ref().map(|m| m.en.clone()),
                "url": format!("{base}/opendata/{}/data-{stamp}-structure-{}.csv", e.dataset.identifier, structure.stamp),
            })),
        )
            .into_response(),
        Ok(Outcome::Unchanged { stamp }) => (StatusCode::OK, axum::Json(json!({"status": "unchanged", "version": stamp}))).into_response(),
        Err(ImportError::Rejected { problems, total }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({
                "error": {
                    "status": 422,
                    "code": "rejected",
                    "message": format!("The file does not match the dataset's structure ({total} problem(s)); nothing was published."),
                    "message_ru": format!("Файл не соответствует структуре набора (ошибок: {total}); ничего не опубликовано."),
                    "total": total,
                    "problems": problems.iter().map(|p| json!({"line": p.line, "field": p.field, "reason": p.reason.en, "reason_ru": p.reason.ru})).collect::<Vec<_>>(),
                }
            })),
        )
            .into_response(),
        Err(ImportError::Internal(err)) => return Err(AppError::Internal(err)),
    })
}

use axum::extract::FromRequest;

/// `GET /account/tokens`
pub async fn tokens_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
) -> AppResult<Response> {
    render_tokens(&ctx, &db, &user, None).await
}

async fn render_tokens(
    ctx: &PageCtx,
    db: &Db,
    user: &CurrentUser,
    created: Option<String>,
) -> AppResult<Response> {
    let t = PublishTexts::get(ctx.locale);
    let tokens = crate::auth::tokens::tokens_of(db, user.account_id).await?;
    Ok(Page::new(ctx, t.tokens_title).crumb(ctx.t().account, "/account").render(html! {
        h1 { (t.tokens_title) }
        p { (t.tokens_intro) }
        @if let Some(token) = created {
            div.notice.notice-success role="status" {
                p { (t.token_created) }
                p { code #new-token { (token) } }
            }
        }
        ul {
            @for tok in &tokens {
                li {
                    strong { (tok.name) } " — "
                    @match tok.last_used_at { Some(u) => { (t.token_used) " " (crate::web::components::datetime(ctx.locale, u)) }, None => { (t.token_never) } }
                    form.inline method="post" action="/account/tokens/revoke" {
                        (ctx.csrf_field())
                        input type="hidden" name="id" value=(&tok.token_hash[..16]);
                        " " button.link-button type="submit" { (t.token_revoke) }
                    }
                }
            }
        }
        form.stack method="post" action="/account/tokens" {
            (ctx.csrf_field())
            div.field {
                label for="f-name" { (t.token_name) }
                input #f-name type="text" name="name" required maxlength="100";
            }
            div.actions { button.button type="submit" { (t.token_create) } }
        }
    }))
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/tokens`
pub async fn create_token(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let name: String = form
        .name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let name = if name.is_empty() {
        "API".to_owned()
    } else {
        name
    };
    let token = crate::auth::tokens::create(&db, user.account_id, &name).await?;
    render_tokens(&ctx, &db, &user, Some(token)).await
}

#[derive(serde::Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    id: String,
}

/// `POST /account/tokens/revoke`
pub async fn revoke_token(
    user: CurrentUser,
    State(db): State<Db>,
    Form(form): Form<RevokeForm>,
) -> AppResult<Response> {
    if form.id.len() == 16 && form.id.bytes().all(|b| b.is_ascii_hexdigit()) {
        crate::auth::tokens::delete_token(&db, user.account_id, &form.id).await?;
    }
    Ok(Redirect::to("/account/tokens?done=1").into_response())
}

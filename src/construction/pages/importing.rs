//! Import of a registry spreadsheet: upload, preview, commit.

use super::*;
use crate::config::Config;
use crate::texts;
use std::sync::Arc;

// ---- Import ---------------------------------------------------------------

/// `GET /construction/import`
pub async fn import_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let tx = ImportTexts::get(l);
    let title = tx.import_illegal_constructions_registry;
    Ok(Page::new(&ctx, title).crumb(tx.construction, "/construction").render(html! {
        h1 { (title) }
        (nav(l, Some(&user)))
        p { (tx.first_row_holds_headers) }
        form method="post" action="/construction/import" enctype="multipart/form-data" { (ctx.csrf_field())
            div.field { label for="f-file" { (tx.xlsx_file_up_50) } input #f-file type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required; }
            button.button type="submit" { (tx.check) }
        }
    }))
}

/// The previewed sheet waits for its confirmation in the media store: the
/// confirming request may reach another node.
pub(super) fn import_key(key: &str) -> String {
    format!("imports/{key}.xlsx")
}

/// Where this node reads a sheet: its own disk, for one request.
pub(super) fn local_path(config: &Config, key: &str) -> std::path::PathBuf {
    config
        .data_dir
        .join("tmp")
        .join(format!("import-{key}.xlsx"))
}

pub(super) fn import_error(e: ImportError) -> AppError {
    match e {
        ImportError::File(m) => AppError::unprocessable("invalid_spreadsheet", m),
        ImportError::Internal(e) => AppError::Internal(e),
    }
}

pub(super) fn preview_markup(ctx: &PageCtx, key: &str, p: &import::Prepared) -> Markup {
    let l = ctx.locale;
    let tx = ImportTexts::get(l);
    html! {
        dl.pm-summary {
            div { dt { (tx.rows_sheet) } dd #rows-total { (p.rows) } }
            div { dt { (tx.new_objects) } dd #rows-new { (p.new_count()) } }
            div { dt { (tx.update_registry_objects) } dd #rows-updated { (p.update_count()) } }
            div { dt { (tx.rows_rejected) } dd #rows-rejected { (p.rejected_rows) } }
        }
        p { (tx.columns_matched)
            @for (i, (f, h)) in p.mapping.iter().enumerate() { @if i > 0 { ", " } (field_label(f, l)) " ← «" (h) "»" } }
        @if !p.ignored_columns.is_empty() { p { (tx.columns_not_used) (p.ignored_columns.join(", ")) } }
        @if !p.problems.is_empty() {
            h2 { (tx.rejected_rows) }
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) { table #import-problems {
                thead { tr { th scope="col" { (tx.row) } th scope="col" { (tx.column) } th scope="col" { (tx.reason) } } }
                tbody { @for pr in &p.problems { tr { td { (pr.row) } td { (pr.column) } td { (pr.reason.get(l)) } } } }
            } }
            @if p.rejected_rows as usize > p.problems.len() { p { (tx.first_reasons_are_shown) (p.rejected_rows) } }
        }
        @if p.accepted.is_empty() {
            (notice("error", html! { p { (tx.no_row_can_imported) } }))
        } @else {
            form method="post" action={ "/construction/import/" (key) "/commit" } {
                (ctx.csrf_field())
                button.button type="submit" {
                    (tx.import) (crate::web::i18n::ROWS.count(l, p.accepted.len() as i64))
                    @if p.rejected_rows > 0 { (tx.skipping_rejected) (p.rejected_rows) }
                }
            }
        }
    }
}

/// `POST /construction/import` (multipart): checks the file and shows the
/// preview; nothing is written to the registry.
pub async fn import_preview(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    State(gates): State<Gates>,
    State(media): State<crate::media::MediaStore>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let tx = ImportTexts::get(l);
    let key = uuid::Uuid::new_v4().simple().to_string();
    let path = local_path(&config, &key);
    let dir = path.parent().expect("a folder").to_owned();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    forget_stale_previews(&media).await;
    let mut got = false;
    while let Some(mut field) = multipart.next_field().await.map_err(upload_error)? {
        if field.name() != Some("file") {
            continue;
        }
        use tokio::io::AsyncWriteExt;
        let mut out = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
            size += chunk.len() as u64;
            if size > import::MAX_FILE {
                drop(out);
                let _ = tokio::fs::remove_file(&path).await;
                return Err(upload_error_too_large());
            }
            out.write_all(&chunk)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
        }
        out.flush()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        got = size > 0;
    }
    if !got {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(AppError::invalid(
            "Выберите файл .xlsx.",
            "Choose an .xlsx file.",
        ));
    }
    // Reading a spreadsheet is expensive work: one turn at the gate
    // (web/limits.rs).
    let permit = gates.expensive.enter().await;
    if permit.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    let _permit = permit?;
    let prepared = import::prepare(&db, &path, &[], &|_, _| {}).await;
    // Kept for the confirmation only when there is something to confirm.
    let kept = match &prepared {
        Ok(p) if !p.accepted.is_empty() => media
            .put_file(&import_key(&key), &path)
            .await
            .map_err(AppError::Internal),
        _ => Ok(()),
    };
    let _ = tokio::fs::remove_file(&path).await;
    kept?;
    let prepared = prepared.map_err(import_error)?;
    let title = tx.import_preview;
    Ok(Page::new(&ctx, title)
        .crumb(tx.construction, "/construction")
        .render(html! {
            h1 { (title) }
            (preview_markup(&ctx, &key, &prepared))
        }))
}

/// Previews nobody confirmed within a day are removed.
pub(super) async fn forget_stale_previews(media: &crate::media::MediaStore) {
    let day = std::time::Duration::from_secs(24 * 3600);
    if let Err(e) = media.delete_older("imports", day).await {
        tracing::warn!(error = %format!("{e:#}"), "stale import previews not removed");
    }
}

pub(super) fn upload_error_too_large() -> AppError {
    AppError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        Msg::new(
            format!(
                "Файл больше {} МБ. Разделите таблицу на части.",
                import::MAX_FILE >> 20
            ),
            format!(
                "The file is larger than {} MB. Split the sheet.",
                import::MAX_FILE >> 20
            ),
        ),
    )
}

/// `POST /construction/import/{key}/commit`: the previewed file, checked
/// again and written in one transaction.
pub async fn import_commit(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    editor(&user)?;
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found());
    }
    let dir = state.config.data_dir.join("tmp");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let path = local_path(&state.config, &key);
    let found = state
        .media
        .get_file(&import_key(&key), &path)
        .await
        .map_err(AppError::Internal);
    if !found.as_ref().is_ok_and(|f| *f) {
        let _ = tokio::fs::remove_file(&path).await;
        found?;
        return Err(AppError::conflict(
            "import_gone",
            Msg::new(
                "Этот импорт уже загружен или отменён. Загрузите файл снова.",
                "This import was already committed or discarded. Upload the file again.",
            ),
        ));
    }
    let done = async {
        // The sheet is read again here: a turn at the gate like the preview.
        let _permit = state.gates.expensive.enter().await?;
        let prepared = import::prepare(&state.db, &path, &[], &|_, _| {})
            .await
            .map_err(import_error)?;
        if prepared.accepted.is_empty() {
            return Err(AppError::invalid(
                "Нет строк для загрузки.",
                "There are no rows to import.",
            ));
        }
        import::commit(
            &state,
            &prepared,
            Some(user.account_id),
            &format!("{key}.xlsx"),
        )
        .await
        .map_err(import_error)
    }
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    let (added, updated) = done?;
    // Committed once: the same confirmation sent again finds nothing.
    if let Err(e) = state.media.delete(&import_key(&key)).await {
        tracing::warn!(error = %format!("{e:#}"), "a committed import's sheet was not removed");
    }
    Ok(Redirect::to(&format!(
        "/construction/illegal?imported={added}&updated={updated}"
    ))
    .into_response())
}

texts!(ImportTexts {
    import_illegal_constructions_registry: "Импорт реестра самовольных построек из Excel", "Import of the illegal constructions registry from Excel";
    construction: "Стройка", "Construction";
    first_row_holds_headers: "Первая строка листа — заголовки. Обязательны столбцы «Адрес», «Широта», «Долгота»; распознаются также «Наименование», «Кадастровый номер», «Застройщик», «Назначение», «Этажность», «Статус», «Дата выявления», «Номер разрешения», «Дата разрешения». Строки с тем же кадастровым номером или адресом, что у объекта в реестре, обновляют его. Сначала будет показан предварительный просмотр; в реестр ничего не попадёт, пока вы не подтвердите.", "The first row holds headers. Address, Latitude and Longitude are required; Name, Cadastral number, Developer, Purpose, Floors, Status, Detected on, Permit number and Permit date are recognised too (in Russian or as field codes). Rows with the cadastral number or address of an object in the registry update it. You will see a preview first; nothing enters the registry until you confirm.";
    xlsx_file_up_50: "Файл .xlsx (до 50 МБ)", ".xlsx file (up to 50 MB)";
    check: "Проверить", "Check";
    rows_sheet: "Строк в таблице", "Rows in the sheet";
    new_objects: "Новых объектов", "New objects";
    update_registry_objects: "Обновят объекты реестра", "Update registry objects";
    rows_rejected: "Отклонено строк", "Rows rejected";
    columns_matched: "Сопоставление столбцов: ", "Columns matched: ";
    columns_not_used: "Не использованы столбцы: ", "Columns not used: ";
    rejected_rows: "Отклонённые строки", "Rejected rows";
    row: "Строка", "Row";
    column: "Столбец", "Column";
    reason: "Причина", "Reason";
    first_reasons_are_shown: "Показаны первые причины; всего отклонено строк: ", "The first reasons are shown; rows rejected in all: ";
    no_row_can_imported: "Нет ни одной строки, которую можно загрузить. Исправьте таблицу и загрузите её снова.", "No row can be imported. Fix the sheet and upload it again.";
    import: "Загрузить ", "Import ";
    skipping_rejected: ", пропустив отклонённые: ", ", skipping the rejected: ";
    import_preview: "Предварительный просмотр импорта", "Import preview";
});

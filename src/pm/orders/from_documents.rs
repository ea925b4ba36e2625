//! Documents received over МЭДО (`document.received`): each clause becomes
//! an order to its responsible organisation, with the document's files;
//! each co-executor gets a sub-order of it, so that their part is tracked
//! and overdue like any order (watchers would owe nothing). The sub-orders
//! are not required: the responsible executor answers for the clause, as
//! in doc-flow practice, and is not held up by a co-executor's silence.

use super::*;

pub async fn create_from_document(
    tx: &mut Tx,
    state: &AppState,
    p: &Partner,
    d: &m::DocumentReceived,
) -> AppResult<()> {
    if p.kind != "medo" {
        return Err(AppError::unprocessable(
            "not_accepted",
            Msg::new(
                "Документы принимаются только от партнёров МЭДО.",
                "Documents are accepted only from MEDO partners.",
            ),
        ));
    }
    let reference = format!("МЭДО: № {} от {}", d.number, russian_date(&d.date));
    for c in &d.clauses {
        let key = format!("{}:document:{}:{}", p.partner_id, d.document_uid, c.clause);
        let title = clause_title(&c.clause, &c.text);
        let description = format!("{reference}\n{}\n\n{}", d.title, c.text);
        let new = NewOrder {
            parent_id: None,
            root_id: None,
            project_id: None,
            stage_id: None,
            title: &title,
            description: &description,
            source: Source::Document.as_str(),
            appeal_id: None,
            appeal_url: None,
            origin: &p.partner_id,
            external_key: Some(&key),
            creator_id: None,
            creator_organisation_id: None,
            organisation_id: &c.organisation_id,
            executor_id: None,
            deadline: c.deadline,
            priority: domain::Priority::Normal.as_str(),
            required: true,
        };
        let Some(id) = open_once(tx, state, true, &new).await? else {
            continue;
        };
        for f in &d.files {
            queries::insert_attachment(
                tx,
                &queries::NewAttachment {
                    order_id: id,
                    event_id: None,
                    media_key: &f.key,
                    file_name: &f.file_name,
                    content_type: &f.content_type,
                    size: f.size,
                    is_photo: false,
                },
            )
            .await?;
        }
        for co in c.co_executors.iter().filter(|o| **o != c.organisation_id) {
            let sub_key = format!("{key}:{co}");
            let sub = NewOrder {
                parent_id: Some(id),
                root_id: Some(id),
                organisation_id: co,
                external_key: Some(&sub_key),
                required: false,
                ..new
            };
            open_once(tx, state, true, &sub).await?;
        }
    }
    Ok(())
}

/// «п. 2: Обеспечить …», at most 200 characters.
fn clause_title(clause: &str, text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let full = format!("п. {clause}: {}", first.trim());
    if full.chars().count() <= 200 {
        return full;
    }
    let cut: String = full.chars().take(199).collect();
    format!("{cut}…")
}

/// `2026-11-28` → `28.11.2026` (as documents are referred to).
fn russian_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

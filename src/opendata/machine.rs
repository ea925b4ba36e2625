//! The machine-readable files of Methodical Recommendations 3.0: the registry
//! (`/opendata/list.{csv,json,xml}`), passports (`meta.*`), data files
//! (`data-{D}-structure-{S}.*`) and structure files (`structure-{S}.*`).

use std::io::Write;
use std::sync::Arc;

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{HeaderMap, Request};
use axum::response::Response;
use quick_xml::escape::escape;
use serde_json::json;

use crate::app::AppState;
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::opendata::catalogue::{Entry, Snapshot};
use crate::opendata::domain::{Ext, FieldDef, STANDARD_VERSION, compact_date, structure_file_name};
use crate::opendata::http::{Disposition, Validators, respond};
use crate::opendata::loader::structure_csv;
use crate::opendata::queries::VersionRow;
use crate::opendata::store;

/// Absolute URL of a path, for machine files that must carry one.
fn abs(config: &Config, path: &str) -> String {
    format!("{}{path}", config.base_url())
}

fn entry_path(e: &Entry) -> String {
    format!("/opendata/{}", e.dataset.identifier)
}

/// Text fit for XML 1.0 (control characters it forbids are dropped).
pub fn xml_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&cleaned).into_owned()
}

/// An indented XML document (the MR 3.0 list and passport files), written
/// through `quick_xml`: two spaces a level, text cleaned by `xml_text`'s rule
/// and escaped by the writer.
struct XmlDoc(quick_xml::Writer<Vec<u8>>);

impl XmlDoc {
    fn new(root: &str) -> std::io::Result<XmlDoc> {
        let head = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
        let mut w = XmlDoc(quick_xml::Writer::new_with_indent(head, b' ', 2));
        w.open(root)?;
        Ok(w)
    }

    fn open(&mut self, name: &str) -> std::io::Result<()> {
        self.0.write_event(quick_xml::events::Event::Start(
            quick_xml::events::BytesStart::new(name),
        ))
    }

    fn close(&mut self, name: &str) -> std::io::Result<()> {
        self.0.write_event(quick_xml::events::Event::End(
            quick_xml::events::BytesEnd::new(name),
        ))
    }

    fn text(&mut self, name: &str, value: &str) -> std::io::Result<()> {
        let cleaned: String = value
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .collect();
        self.0
            .create_element(name)
            .write_text_content(quick_xml::events::BytesText::new(&cleaned))
            .map(|_| ())
    }

    fn finish(mut self, root: &str) -> std::io::Result<Vec<u8>> {
        self.close(root)?;
        let mut out = self.0.into_inner();
        out.push(b'\n');
        Ok(out)
    }
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

// ---- the registry ----------------------------------------------------------

pub fn list(state: &AppState, snapshot: &Snapshot, ext: Ext, headers: &HeaderMap) -> Response {
    let entries: Vec<&Arc<Entry>> = snapshot
        .entries
        .iter()
        .filter(|e| e.current().is_some())
        .collect();
    let body = match ext {
        Ext::Csv => {
            let mut rows = vec![
                vec![
                    "property".into(),
                    "title".into(),
                    "value".into(),
                    "format".into(),
                ],
                vec![
                    "standardversion".into(),
                    "Версия методических рекомендаций".into(),
                    STANDARD_VERSION.into(),
                    String::new(),
                ],
            ];
            for e in &entries {
                rows.push(vec![
                    e.dataset.identifier.clone(),
                    e.dataset.title.clone(),
                    abs(&state.config, &format!("{}/meta.csv", entry_path(e))),
                    "csv".into(),
                ]);
            }
            csv_bytes(&rows)
        }
        Ext::Json => serde_json::to_vec_pretty(&json!({
            "standardversion": STANDARD_VERSION,
            "meta": entries.iter().map(|e| json!({
                "identifier": e.dataset.identifier,
                "title": e.dataset.title,
                "link": abs(&state.config, &format!("{}/meta.json", entry_path(e))),
                "format": "json",
            })).collect::<Vec<_>>(),
        }))
        .unwrap_or_default(),
        Ext::Xml => (|| {
            let mut x = XmlDoc::new("list")?;
            x.text("standardversion", STANDARD_VERSION)?;
            x.open("meta")?;
            for e in &entries {
                x.open("item")?;
                x.text("identifier", &e.dataset.identifier)?;
                x.text("title", &e.dataset.title)?;
                x.text(
                    "link",
                    &abs(&state.config, &format!("{}/meta.xml", entry_path(e))),
                )?;
                x.text("format", "xml")?;
                x.close("item")?;
            }
            x.close("meta")?;
            x.finish("list")
        })()
        .unwrap_or_default(),
    };
    let modified = snapshot.modified().unwrap_or_else(crate::db::now);
    let v = Validators::of_content(&body, modified);
    respond(
        headers,
        &v,
        ext.content_type(),
        &format!("list.{}", ext.as_str()),
        Disposition::Inline,
        || Body::from(body),
    )
}

// ---- passports -----------------------------------------------------------

/// Links to data versions and to structure versions (stamp, URL).
type Links<'a> = (Vec<(String, &'a VersionRow)>, Vec<(String, String, String)>);

/// The passport's data and structure versions, newest first.
fn version_links<'a>(state: &AppState, e: &'a Entry, ext: Ext) -> Links<'a> {
    let data = e
        .versions
        .iter()
        .map(|v| {
            (
                abs(
                    &state.config,
                    &format!("{}/{}", entry_path(e), v.file_name(ext)),
                ),
                v,
            )
        })
        .collect();
    let mut structures: Vec<(String, String, String)> = Vec::new();
    for v in &e.versions {
        if !structures.iter().any(|s| s.0 == v.structure_stamp) {
            let ext = if ext == Ext::Xml { Ext::Json } else { ext };
            structures.push((
                v.structure_stamp.clone(),
                abs(
                    &state.config,
                    &format!(
                        "{}/{}",
                        entry_path(e),
                        structure_file_name(&v.structure_stamp, ext)
                    ),
                ),
                v.structure_stamp.clone(),
            ));
        }
    }
    (data, structures)
}

pub fn meta(state: &AppState, e: &Entry, ext: Ext, headers: &HeaderMap) -> Response {
    let d = &e.dataset;
    let (data, structures) = version_links(state, e, ext);
    let body = match ext {
        Ext::Csv => {
            let mut rows = vec![
                vec!["property".into(), "value".into()],
                vec!["standardversion".into(), STANDARD_VERSION.into()],
                vec!["identifier".into(), d.identifier.clone()],
                vec!["title".into(), d.title.clone()],
                vec!["description".into(), d.description.clone()],
                vec!["creator".into(), e.org_name_ru.clone()],
                vec!["created".into(), compact_date(&d.created)],
                vec!["modified".into(), compact_date(&d.modified)],
                vec!["subject".into(), d.subject.clone()],
                vec!["format".into(), d.format.clone()],
                vec!["provenance".into(), d.provenance.clone()],
                vec!["valid".into(), compact_date(&d.valid)],
                vec!["publishername".into(), d.publisher_name.clone()],
                vec!["publisherphone".into(), d.publisher_phone.clone()],
                vec!["publishermbox".into(), d.publisher_mbox.clone()],
            ];
            for (url, v) in &data {
                rows.push(vec![format!("data-{}-structure-{}", v.stamp, v.structure_stamp), url.clone()]);
            }
            for (stamp, url, _) in &structures {
                rows.push(vec![format!("structure-{stamp}"), url.clone()]);
            }
            csv_bytes(&rows)
        }
        Ext::Json => serde_json::to_vec_pretty(&json!({
            "standardversion": STANDARD_VERSION,
            "identifier": d.identifier,
            "title": d.title,
            "description": d.description,
            "creator": e.org_name_ru,
            "created": compact_date(&d.created),
            "modified": compact_date(&d.modified),
            "subject": d.subject,
            // The files this passport links to.
            "format": "json",
            "provenance": d.provenance,
            "valid": compact_date(&d.valid),
            "data": data.iter().map(|(url, v)| json!({
                "source": url,
                "created": compact_date(&v.valid),
                "provenance": v.provenance,
                "valid": compact_date(&v.valid),
                "structure": v.structure_stamp,
            })).collect::<Vec<_>>(),
            "structure": structures.iter().map(|(stamp, url, _)| json!({"source": url, "created": stamp})).collect::<Vec<_>>(),
            "publisher": {"name": d.publisher_name, "phone": d.publisher_phone, "mbox": d.publisher_mbox},
        }))
        .unwrap_or_default(),
        Ext::Xml => (|| {
            let mut x = XmlDoc::new("meta")?;
            x.text("standardversion", STANDARD_VERSION)?;
            x.text("identifier", &d.identifier)?;
            x.text("title", &d.title)?;
            x.text("description", &d.description)?;
            x.text("creator", &e.org_name_ru)?;
            x.text("created", &compact_date(&d.created))?;
            x.text("modified", &compact_date(&d.modified))?;
            x.text("subject", &d.subject)?;
            x.text("format", "xml")?;
            x.text("provenance", &d.provenance)?;
            x.text("valid", &compact_date(&d.valid))?;
            x.open("data")?;
            for (url, v) in &data {
                x.open("dataversion")?;
                x.text("source", url)?;
                x.text("created", &compact_date(&v.valid))?;
                x.text("provenance", &v.provenance)?;
                x.text("valid", &compact_date(&v.valid))?;
                x.text("structure", &v.structure_stamp)?;
                x.close("dataversion")?;
            }
            x.close("data")?;
            x.open("structure")?;
            for (stamp, url, _) in &structures {
                x.open("structureversion")?;
                x.text("source", url)?;
                x.text("created", stamp)?;
                x.close("structureversion")?;
            }
            x.close("structure")?;
            x.open("publisher")?;
            x.text("name", &d.publisher_name)?;
            x.text("phone", &d.publisher_phone)?;
            x.text("mbox", &d.publisher_mbox)?;
            x.close("publisher")?;
            x.finish("meta")
        })()
        .unwrap_or_default(),
    };
    let v = Validators::of_content(&body, d.updated_at);
    respond(
        headers,
        &v,
        ext.content_type(),
        &format!("meta.{}", ext.as_str()),
        Disposition::Inline,
        || Body::from(body),
    )
}

// ---- structure files -------------------------------------------------------

pub fn structure(
    e: &Entry,
    stamp: &str,
    fields: &[FieldDef],
    created: time::OffsetDateTime,
    ext: Ext,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let body = match ext {
        Ext::Csv => structure_csv(fields).into_bytes(),
        Ext::Json => serde_json::to_vec_pretty(&json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": e.dataset.title,
            "type": "array",
            "items": {
                "type": "object",
                "properties": fields.iter().map(|f| (f.name.clone(), json_schema(f))).collect::<serde_json::Map<_, _>>(),
                "required": fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
            },
        }))
        .unwrap_or_default(),
        Ext::Xml => return Err(AppError::not_found()),
    };
    let v = Validators::of_content(&body, created);
    Ok(respond(
        headers,
        &v,
        ext.content_type(),
        &structure_file_name(stamp, ext),
        Disposition::Inline,
        || Body::from(body),
    ))
}

fn json_schema(f: &FieldDef) -> serde_json::Value {
    use crate::opendata::domain::FieldFormat;
    let mut s = match f.format {
        FieldFormat::String { max: Some(n) } => json!({"type": "string", "maxLength": n}),
        FieldFormat::String { max: None } => json!({"type": "string"}),
        FieldFormat::Integer => json!({"type": ["integer", "null"]}),
        FieldFormat::Float => json!({"type": ["number", "null"]}),
        FieldFormat::Date => json!({"type": ["string", "null"], "format": "date"}),
        FieldFormat::Boolean => json!({"type": ["boolean", "null"]}),
    };
    s["title"] = json!(f.ru);
    s["description"] = json!(f.en);
    s
}

// ---- data files ------------------------------------------------------------

/// Rows fetched per round trip while streaming an export.
const EXPORT_PAGE: i64 = 2000;

/// A data file: the stored CSV as it was published, or JSON/XML streamed
/// from the version's table, page by page, in constant memory.
pub async fn data(
    state: &AppState,
    e: &Entry,
    version: &VersionRow,
    fields: Vec<FieldDef>,
    ext: Ext,
    request: Request<Body>,
) -> AppResult<Response> {
    let validators = Validators::new(
        format!(
            "{}-{}",
            &version.sha256[..version.sha256.len().min(24)],
            ext.as_str()
        ),
        version.published_at.unwrap_or(version.created_at),
    );
    let file_name = version.file_name(ext);
    let readable = Disposition::Named(readable_name(
        &e.dataset.title,
        &version.stamp,
        ext.as_str(),
    ));
    let headers = request.headers().clone();
    if validators.fresh(&headers) {
        return Ok(validators.not_modified());
    }
    match ext {
        Ext::Csv => {
            let key = crate::opendata::import::csv_key(&e.dataset, &file_name);
            // The store answers ranges (resumable downloads) and streams,
            // from the folder or the bucket.
            let served = state
                .media
                .serve(&key, request.method(), &headers)
                .await
                .map_err(|err| AppError::Internal(err.context(format!("serving {file_name}"))))?;
            let Some(mut r) = served else {
                // Another node may have just replaced the version (a day's
                // preliminary one) and removed its file, before this node's
                // catalogue caught up: then it is gone, not a fault.
                let still = crate::opendata::queries::version_by_stamp(
                    &state.db,
                    e.dataset.dataset_id,
                    &version.stamp,
                )
                .await?;
                if still.is_none_or(|v| v.state != "published") {
                    return Err(AppError::not_found());
                }
                return Err(AppError::Internal(anyhow::anyhow!(
                    "the file of {} {} is missing",
                    e.dataset.identifier,
                    version.stamp
                )));
            };
            let shaped = respond(
                &HeaderMap::new(),
                &validators,
                ext.content_type(),
                &file_name,
                readable,
                Body::empty,
            );
            for (k, v) in shaped.headers() {
                r.headers_mut().insert(k, v.clone());
            }
            Ok(r)
        }
        Ext::Json | Ext::Xml => {
            let stream = export_stream(
                state.db.clone(),
                version.version_id,
                fields,
                ext,
                e.dataset.identifier.clone(),
            );
            Ok(respond(
                &headers,
                &validators,
                ext.content_type(),
                &file_name,
                readable,
                || Body::from_stream(stream),
            ))
        }
    }
}

/// The name a download is saved under: the dataset's title and the
/// version's date («Населённые пункты (24.11.2026).csv»), not the passport's
/// `data-20261124-structure-20261124.csv`, which stays the address.
pub fn readable_name(title: &str, stamp: &str, ext: &str) -> String {
    let date = match (stamp.get(0..4), stamp.get(4..6), stamp.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!(" ({d}.{m}.{y})"),
        _ => String::new(),
    };
    format!("{}{date}.{ext}", title.trim())
}

fn export_stream(
    db: crate::db::Db,
    version_id: i64,
    fields: Vec<FieldDef>,
    ext: Ext,
    identifier: String,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    async_stream::try_stream! {
        let head = match ext {
            Ext::Json => "[".to_owned(),
            _ => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dataset identifier=\"{}\">\n", xml_text(&identifier)),
        };
        yield Bytes::from(head);
        let mut last = 0i64;
        let mut first = true;
        loop {
            let rows = store::rows_after(&db, version_id, &fields, last, EXPORT_PAGE)
                .await
                .map_err(std::io::Error::other)?;
            let Some(end) = rows.last() else { break };
            last = end.row;
            let buf = serialize_rows(&rows, &fields, ext, first)?;
            first = false;
            yield Bytes::from(buf);
        }
        yield Bytes::from(match ext {
            Ext::Json => "\n]\n",
            _ => "</dataset>\n",
        });
    }
}

/// One page of rows as JSON objects (comma-separated) or XML `<row>`s.
fn serialize_rows(
    rows: &[store::StoredRow],
    fields: &[FieldDef],
    ext: Ext,
    first: bool,
) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(rows.len() * 128);
    for (n, r) in rows.iter().enumerate() {
        match ext {
            Ext::Json => {
                if !(first && n == 0) {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"\n{");
                for (i, (f, v)) in fields.iter().zip(&r.values).enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, &f.name).map_err(std::io::Error::other)?;
                    buf.push(b':');
                    serde_json::to_writer(&mut buf, &v.to_json()).map_err(std::io::Error::other)?;
                }
                buf.push(b'}');
            }
            _ => {
                buf.extend_from_slice(b"  <row>");
                for (f, v) in fields.iter().zip(&r.values) {
                    if *v == crate::opendata::domain::Value::Null {
                        write!(buf, "<{} />", f.name)?;
                    } else {
                        write!(buf, "<{0}>{1}</{0}>", f.name, xml_text(&v.to_text()))?;
                    }
                }
                buf.extend_from_slice(b"</row>\n");
            }
        }
    }
    Ok(buf)
}

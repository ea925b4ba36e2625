//! The GET side: discovery, services, service definitions, requests with
//! their filters, one request, tokens.

use super::*;
use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;

// ---- GET /open311/v2/{discovery,services,requests}.{xml,json} --------------

pub(super) async fn root_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("resource")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = match name {
        "discovery" => Ok(discovery(&state.config, format)),
        "services" => services(&state, &headers, &p, format).await,
        "requests" => requests(&state, &headers, &p, format).await,
        _ => Err(Failure::not_found("resource")),
    };
    finish(format, r)
}

pub(super) fn discovery(config: &Config, format: Format) -> Response {
    let base = config.base_url();
    let changeset = "2026-11-25T00:00:00Z";
    let v = json!({
        "changeset": changeset,
        "contact": format!("Министерство цифрового развития Краснодарского края — {base}/problems"),
        "key_service": format!("Ключи выдают администраторы портала: {base}/admin/open311"),
        "endpoints": [{
            "specification": SPEC,
            "url": format!("{base}/open311/v2"),
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    });
    body(format, v, "discovery", "discovery")
}

pub(super) async fn services(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
    format: Format,
) -> Answer {
    jurisdiction(&state.config, p)?;
    let l = locale(headers, p);
    let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
    let list: Vec<Value> = cats
        .active()
        .into_iter()
        .map(|c| {
            json!({
                "service_code": c.category_id,
                "service_name": l.pick(&c.name_ru, &c.name_en),
                "description": l.pick(&c.description_ru, &c.description_en),
                "metadata": false,
                "type": "realtime",
                "keywords": c.keywords,
                "group": c.grp,
            })
        })
        .collect();
    Ok(body(format, Value::Array(list), "services", "service"))
}

/// `GET /open311/v2/services/{code}.{fmt}`: no category needs extra
/// attributes (`metadata` is false), so definitions list none.
pub(super) async fn service_definition(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((code, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("service_code")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = async {
        jurisdiction(&config, &p)?;
        let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
        if !cats.0.get(code).is_some_and(|c| c.active) {
            return Err(Failure::not_found("service_code"));
        }
        Ok(body(
            format,
            json!({ "service_code": code, "attributes": [] }),
            "service_definition",
            "service_definition",
        ))
    }
    .await;
    finish(format, r)
}

/// A public report as an Open311 service request.
pub(super) fn request_json(
    state: &AppState,
    l: Locale,
    cats: &Categories,
    orgs: &[crate::directory::queries::OrgRow],
    a: &AppealRow,
    photo: Option<&String>,
    notes: Option<Vec<Value>>,
) -> Value {
    let s = a.state();
    let open = s.is_open();
    let base = state.config.base_url();
    let planned = a
        .planned_date
        .as_deref()
        .and_then(crate::web::i18n::parse_iso_date);
    let expected = match (planned, a.due_at) {
        (Some(d), _) if open => Some(w3c(d
            .with_hms(18, 0, 0)
            .unwrap_or(d.midnight())
            .assume_offset(crate::workflow::sla::MSK))),
        (_, Some(due)) if s.awaits_reaction() => Some(w3c(due)),
        _ => None,
    };
    let closed_at = if open {
        None
    } else {
        a.closed_at.or(a.resolved_at)
    };
    let status_notes = match (
        &a.reaction_text,
        a.close_reason
            .as_deref()
            .and_then(crate::workflow::CloseReason::parse),
    ) {
        (Some(t), Some(r)) => Some(format!("{}: {t}", r.label(l))),
        (Some(t), None) => Some(t.clone()),
        (None, _) => None,
    };
    let notice = planned.map(|d| match l {
        Locale::Ru => format!("Работы запланированы на {d}"),
        Locale::En => format!("Work is planned for {d}"),
    });
    let agency = a.organisation_id.as_deref().map(|id| {
        orgs.iter()
            .find(|o| o.organisation_id == id)
            .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
            .unwrap_or_else(|| id.to_owned())
    });
    let mut v = json!({
        "service_request_id": a.appeal_id.to_string(),
        "status": if open { "open" } else { "closed" },
        "status_notes": status_notes,
        "service_name": cats.name(l, &a.category_id),
        "service_code": a.category_id,
        "description": a.description,
        "agency_responsible": agency,
        "service_notice": notice,
        "requested_datetime": w3c(a.created_at),
        "updated_datetime": w3c(closed_at.unwrap_or(a.updated_at)),
        "expected_datetime": expected,
        "address": if a.address.is_empty() { crate::workflow::views::municipality_name(l, &a.municipality_id) } else { a.address.clone() },
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": a.lat,
        "long": a.lon,
        "media_url": photo.map(|k| format!("{base}{}", crate::media::url(k, "full"))),
    });
    if let (Some(notes), Some(obj)) = (notes, v.as_object_mut()) {
        obj.insert("notes".into(), Value::Array(notes));
    }
    v
}

pub(super) async fn notes_of(db: &Db, l: Locale, id: i64) -> Result<Vec<Value>, Failure> {
    Ok(queries::events(db, id, false)
        .await?
        .iter()
        .map(|e| {
            json!({
                "datetime": w3c(e.created_at),
                "summary": crate::workflow::views::event_label(l, &e.kind),
                "description": e.note,
                "type": e.kind,
            })
        })
        .collect())
}

pub(super) async fn render_requests(
    state: &AppState,
    l: Locale,
    rows: &[AppealRow],
    extensions: bool,
    format: Format,
) -> Answer {
    let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
    let orgs = crate::directory::queries::list(&state.db).await?;
    let photos = queries::first_photos(
        &state.db,
        &rows.iter().map(|a| a.appeal_id).collect::<Vec<_>>(),
    )
    .await?;
    let mut list = Vec::with_capacity(rows.len());
    for a in rows {
        let notes = if extensions {
            Some(notes_of(&state.db, l, a.appeal_id).await?)
        } else {
            None
        };
        list.push(request_json(
            state,
            l,
            &cats,
            &orgs,
            a,
            photos.get(&a.appeal_id),
            notes,
        ));
    }
    Ok(body(
        format,
        Value::Array(list),
        "service_requests",
        "request",
    ))
}

/// Largest page; also the default ("the first 1000 requests").
pub(super) const MAX_PAGE_SIZE: i64 = 1000;

pub(super) async fn requests(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
    format: Format,
) -> Answer {
    let municipality = jurisdiction(&state.config, p)?;
    let l = locale(headers, p);
    let mut f = AppealFilter {
        kind: crate::issues::PROBLEM.as_str().into(),
        public_only: true,
        sort: AppealSort::Newest,
        ..Default::default()
    };
    let ids = p.list("service_request_id");
    if !ids.is_empty() {
        // The standard: ids override every other argument.
        f.ids = ids
            .iter()
            .map(|i| {
                i.parse::<i64>().map_err(|_| {
                    Failure::bad("service_request_id must be a comma-separated list of request ids")
                })
            })
            .collect::<Result<_, _>>()?;
        if f.ids.len() > 1000 {
            return Err(Failure::bad(
                "At most 1000 service_request_id values at once",
            ));
        }
        f.limit = MAX_PAGE_SIZE;
        let rows = queries::list_appeals(&state.db, &f).await?;
        return render_requests(state, l, &rows, p.get("extensions") == Some("true"), format).await;
    }
    f.municipality_id = municipality;
    let codes = p.list("service_code");
    if !codes.is_empty() {
        let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
        if let Some(bad) = codes.iter().find(|c| !cats.0.contains_key(c.as_str())) {
            return Err(Failure::not_found(&format!("service_code {bad}")));
        }
        f.categories_in = codes;
    }
    let statuses = p.list("status");
    for s in &statuses {
        if !matches!(s.as_str(), "open" | "closed") {
            return Err(Failure::bad(
                "status must be open, closed, or both separated by a comma",
            ));
        }
    }
    if statuses.len() == 1 {
        f.open = Some(statuses[0] == "open");
    }
    let end = match p.get("end_date") {
        Some(v) => Some(parse_w3c("end_date", v)?),
        None => None,
    };
    let start = match p.get("start_date") {
        Some(v) => Some(parse_w3c("start_date", v)?),
        None => None,
    };
    let window = Duration::days(90);
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        // Checked: a date at the calendar's edge must not overflow (panic).
        (Some(s), None) => (
            s,
            s.checked_add(window)
                .ok_or_else(|| Failure::bad("start_date is out of range"))?,
        ),
        (None, Some(e)) => (
            e.checked_sub(window)
                .ok_or_else(|| Failure::bad("end_date is out of range"))?,
            e,
        ),
        (None, None) => {
            let end = now() + Duration::minutes(1);
            (end - window, end)
        }
    };
    if end < start {
        return Err(Failure::bad("end_date is before start_date"));
    }
    if end - start > window + Duration::seconds(1) {
        return Err(Failure::bad(
            "start_date and end_date may span at most 90 days",
        ));
    }
    f.created_from = Some(start);
    f.created_to = Some(end);
    if let Some(v) = p.get("updated_after") {
        f.updated_from = Some(parse_w3c("updated_after", v)?);
    }
    if let Some(v) = p.get("updated_before") {
        f.updated_to = Some(parse_w3c("updated_before", v)?);
    }
    if let Some(a) = p.get("agency_responsible") {
        f.organisations_in = a.split('|').map(str::to_owned).collect();
        if f.organisations_in.len() > crate::web::limits::MAX_IN_VALUES {
            return Err(Failure::bad(
                "agency_responsible lists at most 100 agencies",
            ));
        }
    }
    let page_size = match p.get("page_size") {
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| Failure::bad("page_size must be a number from 1 to 1000"))?,
        None => MAX_PAGE_SIZE,
    };
    let page = match p.get("page") {
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| Failure::bad("page must be a positive number"))?,
        None => 1,
    };
    f.limit = page_size;
    f.offset = (page - 1) * page_size;
    if f.offset > crate::web::limits::MAX_OFFSET {
        // The database would walk every skipped request: narrow by dates.
        return Err(Failure::bad(
            "page × page_size may skip at most 100000 requests; narrow the dates instead",
        ));
    }
    let rows = queries::list_appeals(&state.db, &f).await?;
    render_requests(state, l, &rows, p.get("extensions") == Some("true"), format).await
}

/// `GET /open311/v2/requests/{id}.{fmt}`: a list of one.
pub(super) async fn one_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((id, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("service_request_id")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = async {
        jurisdiction(&state.config, &p)?;
        let id: i64 = id
            .parse()
            .map_err(|_| Failure::not_found("service_request_id"))?;
        let a = queries::appeal(&state.db, id)
            .await?
            .filter(|a| a.kind == crate::issues::PROBLEM.as_str() && a.state().is_public())
            .ok_or_else(|| Failure::not_found("service_request_id"))?;
        render_requests(
            &state,
            locale(&headers, &p),
            &[a],
            p.get("extensions") == Some("true"),
            format,
        )
        .await
    }
    .await;
    finish(format, r)
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: every service is `realtime`, so
/// a request's id is its own token. A report that is not public answers as
/// an unknown token does, so ids cannot be probed for hidden reports.
pub(super) async fn token(
    State(db): State<Db>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let Some((t, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("token")));
    };
    let r = async {
        let id: i64 = t.parse().map_err(|_| Failure::not_found("token"))?;
        let a = queries::appeal(&db, id)
            .await?
            .filter(|a| a.kind == crate::issues::PROBLEM.as_str() && a.state().is_public())
            .ok_or_else(|| Failure::not_found("token"))?;
        Ok(body(
            format,
            json!([{ "service_request_id": a.appeal_id.to_string(), "token": t }]),
            "service_requests",
            "request",
        ))
    }
    .await;
    finish(format, r)
}

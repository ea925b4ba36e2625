//! The POST side: a request filed by a client with an API key.

use super::*;

// ---- POST /open311/v2/requests.{fmt} ---------------------------------------

pub(super) async fn root_post(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    request: Request,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("resource")));
    };
    if name != "requests" {
        return finish(
            format,
            Err(Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Only requests accept POST",
            )),
        );
    }
    let r = create(&state, request, format).await;
    finish(format, r)
}

/// Reads an urlencoded body, or a multipart one with `media` photos (the
/// v2.1 draft's upload, used by FixMyStreet's client).
pub(super) async fn read_post(
    state: &AppState,
    request: Request,
) -> Result<(Params, Vec<(String, Vec<u8>)>), Failure> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    if !is_multipart {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?;
        return Ok((Params::parse(&bytes), Vec::new()));
    }
    let mut mp = Multipart::from_request(request, state)
        .await
        .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?;
    let mut fields = Vec::new();
    let mut media = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "media" || name == "media[]" || field.file_name().is_some() {
            let file_name = field.file_name().unwrap_or("media").to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                Failure::bad(format!("The upload could not be read: {}", e.body_text()))
            })?;
            if bytes.len() > crate::media::MAX_BYTES {
                return Err(Failure::bad(format!(
                    "{file_name} is larger than {} MB",
                    crate::media::MAX_BYTES >> 20
                )));
            }
            if !bytes.is_empty() {
                media.push((file_name, bytes.to_vec()));
            }
        } else {
            let v = field.text().await.map_err(|e| {
                Failure::bad(format!("The body could not be read: {}", e.body_text()))
            })?;
            fields.push((name, v));
        }
    }
    Ok((Params(fields), media))
}

pub(super) async fn create(state: &AppState, request: Request, format: Format) -> Answer {
    let (p, media) = read_post(state, request).await?;
    let Some(key) = p.get("api_key") else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "api_key is missing -- can't proceed with create_request.",
        ));
    };
    let Some(author) =
        queries::open311_key_account(&state.db, &crate::auth::queries::token_hash(key)).await?
    else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "Invalid api_key received -- can't proceed with create_request.",
        ));
    };
    jurisdiction(&state.config, &p)?;
    let code = p
        .get("service_code")
        .ok_or_else(|| Failure::bad("service_code is missing"))?;
    let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
    if !cats.0.get(code).is_some_and(|c| c.active) {
        return Err(Failure::not_found("service_code"));
    }
    let address = p.get("address_string").unwrap_or("");
    let (lat, lon) = (p.get("lat").unwrap_or(""), p.get("long").unwrap_or(""));
    if (lat.is_empty() || lon.is_empty()) && address.is_empty() {
        return Err(Failure::bad(
            "A location is required: lat and long, or address_string",
        ));
    }
    let point = crate::workflow::input::parse_place(lat, lon, address)
        .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    let description = crate::workflow::input::clean_text(
        p.get("description").unwrap_or(""),
        4000,
        "описание",
        "description",
        true,
    )
    .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    let address =
        crate::workflow::input::clean_text(address, 300, "адрес", "address_string", false)
            .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    if media.len() > 5 {
        return Err(Failure::bad("At most 5 media files"));
    }
    // How to reach the reporter stays internal (staff only), never public.
    let contact: Vec<String> = [
        ("first_name", "Имя"),
        ("last_name", "Фамилия"),
        ("email", "E-mail"),
        ("phone", "Телефон"),
        ("device_id", "Устройство"),
        ("account_id", "Учётная запись"),
        ("media_url", "Фото (ссылка)"),
    ]
    .iter()
    .filter_map(|(k, label)| {
        p.get(k)
            .map(|v| format!("{label}: {}", v.chars().take(300).collect::<String>()))
    })
    .collect();
    let request = NewRequest {
        kind: crate::issues::PROBLEM,
        category_id: code.to_owned(),
        point: point.point,
        approximate: point.approximate,
        address,
        description,
        hide_name: false,
        contact: (!contact.is_empty()).then(|| contact.join("\n")),
        client_key: None,
        organisation_id: None,
    };
    let photos = match crate::media::upload::store_photos(&state.media, &state.gates, media).await?
    {
        Ok(p) => p,
        Err(m) => return Err(Failure::from_msg(StatusCode::BAD_REQUEST, &m)),
    };
    let keys: Vec<String> = photos.iter().map(|p| p.key.clone()).collect();
    let a = match workflow::submit(state, author, &request, &photos).await {
        Ok(a) => a,
        Err(e) => {
            crate::media::discard(&state.media, &keys).await;
            return Err(e.into());
        }
    };
    let notice = if a.state().is_public() {
        "Обращение опубликовано и направлено в ответственное ведомство. / The request is published and sent to the responsible department."
    } else {
        "Обращение будет опубликовано после проверки модератором. / The request will be published after a moderator checks it."
    };
    Ok(body(
        format,
        json!([{ "service_request_id": a.appeal_id.to_string(), "service_notice": notice, "account_id": Value::Null }]),
        "service_requests",
        "request",
    ))
}

//! package_search, organization_list and datastore_search.

use super::*;

pub(super) async fn package_search(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Box<RawValue>, CkanError> {
    let q = p.str("q").unwrap_or_default();
    let mut fq_parts = Vec::new();
    if let Some(fq) = p.str("fq") {
        fq_parts.push(fq);
    }
    fq_parts.extend(p.list("fq_list")?);
    let rows = p.int("rows", 10)?;
    if !(0..=1000).contains(&rows) {
        return Err(validation("rows", "Must be between 0 and 1000"));
    }
    let start = p.int("start", 0)?;
    if start < 0 {
        return Err(validation("start", "Must be a natural number"));
    }
    let sort_text = p.str("sort").unwrap_or_default();
    let sort_keys = query::parse_sort(&sort_text).map_err(|e| CkanError::SearchQuery(e.0))?;
    let q_expr = query::parse(&q).map_err(|e| CkanError::SearchQuery(e.0))?;
    let mut fq_exprs = Vec::new();
    for fq in &fq_parts {
        let e = query::parse(fq).map_err(|e| CkanError::SearchQuery(e.0))?;
        query::validate(&e).map_err(|e| CkanError::SearchQuery(e.0))?;
        fq_exprs.push(e);
    }
    query::validate(&q_expr).map_err(|e| CkanError::SearchQuery(e.0))?;
    let fq_expr = if fq_exprs.is_empty() {
        query::Expr::All
    } else {
        query::Expr::And(fq_exprs)
    };
    let mut results = query::run(&state.search, snapshot, &q_expr, &fq_expr).await?;
    let count = results.len();
    let start = (start as usize).min(count);
    let end = (start + rows as usize).min(count);
    // Only the page is put in order; facets count every result anyway.
    query::sort_top(snapshot, &mut results, &sort_keys, end);
    let base = state.config.base_url();
    let page: Vec<Package<'_>> = results[start..end]
        .iter()
        .map(|&(_, place)| package(&base, &snapshot.entries[place as usize]))
        .collect();

    let facet_fields = p.list("facet.field")?;
    let facet_on = p.bool("facet", true)?;
    let facet_limit = p.int("facet.limit", 50)?;
    let mincount = p.int("facet.mincount", 1)?.max(1) as usize;
    let mut facets_json = Map::new();
    let mut search_facets = Map::new();
    if facet_on && !facet_fields.is_empty() {
        let matched: Vec<&Arc<Entry>> = results
            .iter()
            .map(|&(_, place)| &snapshot.entries[place as usize])
            .collect();
        let names: Vec<&str> = facet_fields.iter().map(String::as_str).collect();
        let limit = if facet_limit < 0 {
            usize::MAX
        } else {
            facet_limit as usize
        };
        let computed = facets(&matched, &names, limit);
        let org_titles: HashMap<&str, &str> = snapshot
            .entries
            .iter()
            .map(|e| (e.dataset.organisation_id.as_str(), e.org_name_ru.as_str()))
            .collect();
        for field in &facet_fields {
            let Some(f) = computed.get(field) else {
                continue;
            };
            let counts: Vec<&(String, usize)> =
                f.counts.iter().filter(|(_, c)| *c >= mincount).collect();
            facets_json.insert(
                field.clone(),
                json!(
                    counts
                        .iter()
                        .map(|(v, c)| (v.clone(), json!(c)))
                        .collect::<Map<_, _>>()
                ),
            );
            let display = |v: &str| -> String {
                match field.as_str() {
                    "organization" => org_titles
                        .get(v)
                        .map(|s| (*s).to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    "groups" => TOPICS
                        .iter()
                        .find(|t| t.0 == v)
                        .map(|t| t.1.to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    "license_id" => license(v)
                        .map(|l| l.1.to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    _ => v.to_owned(),
                }
            };
            let mut items: Vec<Json> = counts
                .iter()
                .map(|(v, c)| json!({"name": v, "display_name": display(v), "count": c}))
                .collect();
            // CKAN sorts items by display name, descending.
            items.sort_by(|a, b| b["display_name"].as_str().cmp(&a["display_name"].as_str()));
            search_facets.insert(field.clone(), json!({"title": field, "items": items}));
        }
    }
    let sort_echo = if sort_text.is_empty() {
        "score desc, metadata_modified desc".to_owned()
    } else {
        sort_text
    };
    #[derive(Serialize)]
    struct Answer<'a> {
        count: usize,
        sort: String,
        results: Vec<Package<'a>>,
        facets: Map<String, Json>,
        search_facets: Map<String, Json>,
    }
    Ok(serde_json::value::to_raw_value(&Answer {
        count,
        sort: sort_echo,
        results: page,
        facets: facets_json,
        search_facets,
    })?)
}

pub(super) async fn organization_list(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Json, CkanError> {
    let mut orgs = crate::directory::queries::list(&state.db).await?;
    let sort = p.str("sort").unwrap_or_else(|| "title asc".into());
    let (key, desc) = {
        let mut w = sort.split_whitespace();
        (
            w.next().unwrap_or("title").to_owned(),
            w.next().is_some_and(|d| d.eq_ignore_ascii_case("desc")),
        )
    };
    match key.as_str() {
        "name" => orgs.sort_by(|a, b| a.organisation_id.cmp(&b.organisation_id)),
        "package_count" => orgs.sort_by_key(|o| count_for(snapshot, &o.organisation_id)),
        "title" => orgs.sort_by(|a, b| a.name_ru.cmp(&b.name_ru)),
        other => {
            return Err(validation(
                "sort",
                &format!("Cannot sort by field `{other}`"),
            ));
        }
    }
    if desc {
        orgs.reverse();
    }
    let filter = p.list("organizations")?;
    if !filter.is_empty() {
        orgs.retain(|o| filter.contains(&o.organisation_id));
    }
    let all = p.bool("all_fields", false)?;
    let default_limit = if all { 25 } else { 1000 };
    let limit = p.int("limit", default_limit)?;
    let offset = p.int("offset", 0)?;
    if limit < 0 || offset < 0 {
        return Err(validation("limit", "Must be a natural number"));
    }
    let page: Vec<Json> = orgs
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|o| {
            if all {
                organization(o, count_for(snapshot, &o.organisation_id))
            } else {
                json!(o.organisation_id)
            }
        })
        .collect();
    Ok(json!(page))
}

pub(super) fn ckan_type(f: FieldFormat) -> &'static str {
    match f {
        FieldFormat::String { .. } => "text",
        FieldFormat::Integer => "int",
        FieldFormat::Float => "numeric",
        FieldFormat::Date => "date",
        FieldFormat::Boolean => "bool",
    }
}

pub(super) async fn datastore_search(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Json, CkanError> {
    let rid = p
        .str("resource_id")
        .or_else(|| p.str("id"))
        .ok_or_else(|| validation("resource_id", "Missing value"))?;
    let (_, v) = snapshot
        .by_resource(&rid)
        .ok_or_else(|| CkanError::NotFound(format!("Resource \"{rid}\" was not found.")))?;
    let structure = crate::opendata::queries::structure_by_id(&state.db, v.structure_id)
        .await?
        .ok_or_else(|| CkanError::NotFound("Resource structure was not found.".into()))?;
    let fields = structure.fields();
    let find = |name: &str| fields.iter().position(|f| f.name == name);

    let limit = p.int("limit", 100)?;
    if !(0..=32000).contains(&limit) {
        return Err(validation("limit", "Must be between 0 and 32000"));
    }
    let offset = p.int("offset", 0)?;
    if !(0..=limits::MAX_OFFSET).contains(&offset) {
        return Err(validation(
            "offset",
            &format!(
                "Must be between 0 and {}; download the resource for deeper reads",
                limits::MAX_OFFSET
            ),
        ));
    }
    let include_total = p.bool("include_total", true)?;
    let records_format = p.str("records_format").unwrap_or_else(|| "objects".into());
    if !["objects", "lists", "csv", "tsv"].contains(&records_format.as_str()) {
        return Err(validation(
            "records_format",
            "Must be one of: objects, lists, csv, tsv",
        ));
    }

    // filters: {"field": value | [values] | {"gte": x, ...}}
    let mut filters = Vec::new();
    if let Some(obj) = p.object("filters")? {
        for (name, value) in obj {
            let Some(i) = find(&name) else {
                return Err(validation(
                    "filters",
                    &format!("field \"{name}\" not in resource"),
                ));
            };
            let parse = |j: &Json| -> Result<crate::opendata::domain::Value, CkanError> {
                let text = j
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| j.to_string());
                fields[i]
                    .format
                    .parse_value(&text)
                    .map_err(|m| validation("filters", &format!("{name}: {}", m.en)))
            };
            match &value {
                Json::Array(items) => filters.push(Filter {
                    field: i,
                    op: Op::In,
                    values: items.iter().map(parse).collect::<Result<_, _>>()?,
                }),
                Json::Object(ops) => {
                    for (op, v) in ops {
                        let op = match op.as_str() {
                            "eq" => Op::Eq,
                            "lt" => Op::Lt,
                            "lte" => Op::Lte,
                            "gt" => Op::Gt,
                            "gte" => Op::Gte,
                            other => {
                                return Err(validation(
                                    "filters",
                                    &format!(
                                        "unknown operator \"{other}\"; use eq, lt, lte, gt, gte"
                                    ),
                                ));
                            }
                        };
                        filters.push(Filter {
                            field: i,
                            op,
                            values: vec![parse(v)?],
                        });
                    }
                }
                Json::Null => filters.push(Filter {
                    field: i,
                    op: Op::IsNull,
                    values: vec![],
                }),
                other => filters.push(Filter {
                    field: i,
                    op: Op::Eq,
                    values: vec![parse(other)?],
                }),
            }
        }
    }
    // q: a string over all text fields (a dict per field is narrowed to
    // "contains" on that field).
    let mut text_q = None;
    match p.0.get("q") {
        Some(Json::Object(per_field)) => {
            for (name, value) in per_field {
                let i = find(name)
                    .ok_or_else(|| validation("q", &format!("field \"{name}\" not in resource")))?;
                let text = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                filters.push(Filter {
                    field: i,
                    op: Op::Contains,
                    values: vec![crate::opendata::domain::Value::Text(text)],
                });
            }
        }
        _ => text_q = p.str("q").filter(|s| !s.trim().is_empty()),
    }
    let mut sorts = Vec::new();
    if let Some(sort) = p.str("sort") {
        for part in sort.split(',') {
            let mut w = part.split_whitespace();
            let Some(name) = w.next() else { continue };
            let name = name.trim_matches('"');
            let desc = w.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            if name == "_id" {
                continue;
            }
            let i = find(name)
                .ok_or_else(|| validation("sort", &format!("field \"{name}\" not in resource")))?;
            sorts.push(Sort { field: i, desc });
        }
        if sorts.len() > limits::MAX_SORT_KEYS {
            return Err(validation(
                "sort",
                &format!("At most {} sort fields", limits::MAX_SORT_KEYS),
            ));
        }
    }
    if filters.len() > limits::MAX_FILTERS
        || filters
            .iter()
            .any(|f| f.values.len() > limits::MAX_IN_VALUES)
    {
        return Err(validation(
            "filters",
            &format!(
                "At most {} filters of at most {} values each",
                limits::MAX_FILTERS,
                limits::MAX_IN_VALUES
            ),
        ));
    }
    if filters.iter().any(|f| {
        f.values.iter().any(|v| match v {
            crate::opendata::domain::Value::Text(t) => {
                t.chars().count() > limits::MAX_FILTER_VALUE_CHARS
            }
            _ => false,
        })
    }) || text_q
        .as_deref()
        .is_some_and(|q| q.chars().count() > limits::MAX_FILTER_VALUE_CHARS)
    {
        return Err(validation(
            "q",
            &format!(
                "Values are at most {} characters",
                limits::MAX_FILTER_VALUE_CHARS
            ),
        ));
    }
    // Text search and substring filters scan every row: one turn at the
    // expensive-work gate for the query and its count.
    let _permit = if text_q.is_some() || filters.iter().any(|f| f.op == Op::Contains) {
        Some(
            state
                .gates
                .expensive
                .enter()
                .await
                .map_err(|_| CkanError::Busy)?,
        )
    } else {
        None
    };
    let wanted: Vec<String> = p.list("fields")?;
    for name in &wanted {
        if name != "_id" && find(name).is_none() {
            return Err(validation(
                "fields",
                &format!("field \"{name}\" not in resource"),
            ));
        }
    }
    let columns: Vec<(String, Option<usize>)> = if wanted.is_empty() {
        std::iter::once(("_id".to_owned(), None))
            .chain(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), Some(i))),
            )
            .collect()
    } else {
        wanted.iter().map(|n| (n.clone(), find(n))).collect()
    };
    let rows = if limit == 0 {
        Vec::new()
    } else {
        store::offset_page(
            &state.db,
            v.version_id,
            &fields,
            &filters,
            text_q.as_deref(),
            &sorts,
            limit,
            offset,
        )
        .await?
    };
    let total = if include_total {
        Some(if filters.is_empty() && text_q.is_none() {
            v.row_count
        } else {
            store::count_matching(
                &state.db,
                v.version_id,
                &fields,
                &filters,
                text_q.as_deref(),
            )
            .await?
        })
    } else {
        None
    };
    let field_json: Vec<Json> = columns
        .iter()
        .map(|(name, i)| match i {
            None => json!({"id": "_id", "type": "int"}),
            Some(i) => json!({"id": name, "type": ckan_type(fields[*i].format), "info": {"label": fields[*i].ru, "notes": fields[*i].en}}),
        })
        .collect();
    let cell = |r: &store::StoredRow, i: &Option<usize>| match i {
        None => json!(r.row),
        Some(i) => r.values[*i].to_json(),
    };
    let records: Json = match records_format.as_str() {
        "objects" => json!(
            rows.iter()
                .map(|r| columns
                    .iter()
                    .map(|(n, i)| (n.clone(), cell(r, i)))
                    .collect::<Map<_, _>>())
                .collect::<Vec<_>>()
        ),
        "lists" => json!(
            rows.iter()
                .map(|r| columns.iter().map(|(_, i)| cell(r, i)).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        ),
        sep => {
            let delimiter = if sep == "tsv" { b'\t' } else { b',' };
            let mut w = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(Vec::new());
            for r in &rows {
                let record: Vec<String> = columns
                    .iter()
                    .map(|(_, i)| match i {
                        None => r.row.to_string(),
                        Some(i) => crate::opendata::import::protect_cell(&r.values[*i].to_text())
                            .into_owned(),
                    })
                    .collect();
                let _ = w.write_record(&record);
            }
            json!(String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default())
        }
    };
    let base = "/api/3/action/datastore_search";
    let mut out = json!({
        "resource_id": v.uuid,
        "include_total": include_total,
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "fields": field_json,
        "records": records,
        "_links": {
            "start": format!("{base}?resource_id={}", v.uuid),
            "next": format!("{base}?resource_id={}&offset={}", v.uuid, offset + limit),
        },
    });
    if let Some(t) = total {
        out["total"] = json!(t);
        out["total_was_estimated"] = json!(false);
    }
    Ok(out)
}

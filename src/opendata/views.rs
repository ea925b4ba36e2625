//! Pages of the open data portal: the catalogue with search and facets, and
//! the passport page (with the standard's RDFa and a schema.org `Dataset`
//! block), its versions and its structure.

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use maud::{Markup, html};
use serde_json::json;

use crate::opendata::catalogue::{Entry, Facet};
use crate::opendata::domain::{Ext, STANDARD_VERSION, license, structure_file_name, topic_label};
use crate::texts;
use crate::web::i18n::{Locale, plural_ru};
use crate::web::layout::{Page, PageCtx};

texts!(pub OdTexts {
    title: "Открытые данные", "Open data";
    intro: "Наборы открытых данных органов власти Краснодарского края с паспортами по методическим рекомендациям 3.0. Данные можно смотреть в таблице и на карте, скачивать в CSV, JSON и XML и получать через API (CKAN, DCAT).",
           "Open datasets of the authorities of Krasnodar Krai with passports under Methodical Recommendations 3.0. Browse them as tables and maps, download them as CSV, JSON and XML, or harvest them through the APIs (CKAN, DCAT).";
    search_label: "Поиск по наборам данных", "Search datasets";
    search_button: "Найти", "Search";
    facet_org: "Владелец", "Owner";
    facet_topic: "Тема", "Topic";
    facet_format: "Формат", "Format";
    facet_municipality: "Муниципалитет", "Municipality";
    clear: "Сбросить фильтры", "Clear filters";
    sort_label: "Сортировка", "Sort by";
    sort_relevance: "по релевантности", "relevance";
    sort_modified: "по дате изменения", "last change";
    sort_title: "по названию", "title";
    nothing: "Ничего не найдено. Уберите фильтры или измените запрос.", "Nothing found. Remove filters or change the query.";
    updated: "Обновлён", "Updated";
    next: "Следующая страница", "Next page";
    prev: "Предыдущая страница", "Previous page";
    machine: "Машиночитаемые файлы", "Machine-readable files";
    passport: "Паспорт набора данных", "Dataset passport";
    p_identifier: "Идентификационный номер", "Identifier";
    p_title: "Наименование набора данных", "Title";
    p_description: "Описание набора данных", "Description";
    p_creator: "Владелец набора данных", "Owner";
    p_publisher: "Ответственное лицо", "Responsible person";
    p_phone: "Телефон ответственного лица", "Phone of the responsible person";
    p_mbox: "Адрес электронной почты ответственного лица", "E-mail of the responsible person";
    p_link: "Гиперссылка (URL) на набор", "Link to the data";
    p_format: "Формат данных", "Format";
    p_structure: "Описание структуры набора данных", "Structure";
    p_created: "Дата первой публикации", "First published";
    p_modified: "Дата последнего внесения изменений", "Last changed";
    p_provenance: "Содержание последнего изменения", "Last change";
    p_valid: "Дата актуальности набора данных", "Valid as of";
    p_subject: "Ключевые слова", "Keywords";
    p_versions: "Гиперссылки на версии набора данных", "Data versions";
    p_structures: "Гиперссылки на версии структуры", "Structure versions";
    p_standard: "Версия методических рекомендаций", "Version of the recommendations";
    p_license: "Лицензия", "Licence";
    p_topic: "Тема", "Topic";
    p_frequency: "Периодичность актуализации", "Update frequency";
    view_table: "Таблица", "Table";
    view_map: "Карта", "Map";
    for_excel: "Для Excel (XLSX)", "For Excel (XLSX)";
    download: "Скачать", "Download";
    structure_title: "Структура", "Structure";
    field_name: "Поле", "Field";
    field_ru: "Описание", "Description";
    field_en: "Описание на английском", "English description";
    field_format: "Формат", "Format";
    versions_title: "Версии", "Versions";
    v_date: "Версия", "Version";
    v_rows: "Строк", "Rows";
    v_size: "Размер CSV", "CSV size";
    v_provenance: "Изменение", "Change";
    no_data: "Данные ещё не опубликованы.", "No data has been published yet.";
    publish: "Опубликовать новую версию", "Publish a new version";
    alternate: "Описание в DCAT", "DCAT description";
    api: "API", "API";
});

/// The catalogue's query, as the page's form sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<usize>,
}

impl CatalogueQuery {
    fn href(&self, change: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("org", self.org.clone()),
            ("topic", self.topic.clone()),
            ("format", self.format.clone()),
            ("municipality", self.municipality.clone()),
            ("sort", self.sort.clone()),
        ];
        for (k, v) in change {
            if let Some(p) = pairs.iter_mut().find(|p| p.0 == *k) {
                p.1 = (*v).to_owned();
            } else {
                pairs.push((k, (*v).to_owned()));
            }
        }
        let qs = serde_urlencoded::to_string(
            pairs.iter().filter(|p| !p.1.is_empty()).collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        if qs.is_empty() {
            "/opendata".to_owned()
        } else {
            format!("/opendata?{qs}")
        }
    }
}

pub struct CatalogueView<'a> {
    pub query: &'a CatalogueQuery,
    pub total: usize,
    pub results: Vec<&'a Arc<Entry>>,
    pub facets: HashMap<String, Facet>,
    pub org_names: HashMap<String, (String, String)>,
    pub page: usize,
    pub per_page: usize,
}

fn facet_label(
    l: Locale,
    field: &str,
    value: &str,
    org_names: &HashMap<String, (String, String)>,
) -> String {
    match field {
        "organization" => org_names
            .get(value)
            .map(|(ru, en)| l.pick(ru, en).to_owned())
            .unwrap_or_else(|| value.to_owned()),
        "groups" => topic_label(value, l).to_owned(),
        "municipality" => crate::geo::geography()
            .by_id(value)
            .map(|m| m.name(l).to_owned())
            .unwrap_or_else(|| value.to_owned()),
        _ => value.to_owned(),
    }
}

pub fn catalogue_page(ctx: &PageCtx, v: CatalogueView<'_>) -> Response {
    let t = OdTexts::get(ctx.locale);
    let l = ctx.locale;
    let q = v.query;
    let found = match l {
        Locale::Ru => format!(
            "Найдено: {} {}",
            v.total,
            plural_ru(v.total as i64, "набор", "набора", "наборов")
        ),
        Locale::En => format!("{} dataset{}", v.total, if v.total == 1 { "" } else { "s" }),
    };
    let facet_groups = [
        ("organization", "org", t.facet_org, q.org.as_str()),
        ("groups", "topic", t.facet_topic, q.topic.as_str()),
        ("res_format", "format", t.facet_format, q.format.as_str()),
        (
            "municipality",
            "municipality",
            t.facet_municipality,
            q.municipality.as_str(),
        ),
    ];
    let head = html! {
        link rel="alternate" type="text/turtle" href="/catalog.ttl" title="DCAT (Turtle)";
        link rel="alternate" type="application/ld+json" href="/catalog.jsonld" title="DCAT (JSON-LD)";
        link rel="alternate" type="application/rdf+xml" href="/catalog.rdf" title="DCAT (RDF/XML)";
    };
    Page::new(ctx, t.title).head(head).render(html! {
        h1 { (t.title) }
        p.lead { (t.intro) }
        form.search-form role="search" method="get" action="/opendata" {
            label for="q" { (t.search_label) }
            div.search-row {
                input #q type="search" name="q" value=(q.q);
                @for (param, value) in [("org", &q.org), ("topic", &q.topic), ("format", &q.format), ("municipality", &q.municipality), ("sort", &q.sort)] {
                    @if !value.is_empty() { input type="hidden" name=(param) value=(value); }
                }
                button.button type="submit" { (t.search_button) }
            }
        }
        div.catalogue {
            aside.facets aria-label=(t.facet_org) {
                @for (field, param, label, selected) in facet_groups {
                    @if let Some(f) = v.facets.get(field) {
                        @if !f.counts.is_empty() {
                            section.facet {
                                h2 { (label) }
                                ul {
                                    @for (value, count) in &f.counts {
                                        @let on = selected.eq_ignore_ascii_case(value);
                                        li {
                                            a href=(q.href(&[(param, if on { "" } else { value.as_str() }), ("page", "")])) aria-current=[on.then_some("true")] class=[on.then_some("selected")] {
                                                (facet_label(l, field, value, &v.org_names))
                                            }
                                            " " span.count { "(" (count) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !(q.org.is_empty() && q.topic.is_empty() && q.format.is_empty() && q.municipality.is_empty()) {
                    p { a href=(q.href(&[("org", ""), ("topic", ""), ("format", ""), ("municipality", ""), ("page", "")])) { (t.clear) } }
                }
            }
            section.results-list {
                div.results-head {
                    p aria-live="polite" { (found) }
                    p.sort {
                        (t.sort_label) ": "
                        @for (key, label) in [("", t.sort_relevance), ("modified", t.sort_modified), ("title", t.sort_title)] {
                            @if q.sort == key { strong { (label) } } @else { a href=(q.href(&[("sort", key), ("page", "")])) { (label) } }
                            " "
                        }
                    }
                }
                @if v.results.is_empty() {
                    p { (t.nothing) }
                }
                ol.datasets {
                    @for e in &v.results {
                        li.dataset-card {
                            h2 { a href={ "/opendata/" (e.dataset.identifier) } { (title(l, e)) } }
                            p.muted { (l.pick(&e.org_name_ru, &e.org_name_en)) " · " (topic_label(&e.dataset.topic, l)) }
                            p { (excerpt(description(l, e), 240)) }
                            p.muted {
                                (t.updated) " " (e.dataset.modified)
                                @if let Some(cur) = e.current() { " · " (crate::web::i18n::ROWS.count(l, cur.row_count)) }
                                " · CSV, JSON, XML"
                            }
                        }
                    }
                }
                nav.pager aria-label="pagination" {
                    @if v.page > 1 {
                        a rel="prev" href=(q.href(&[("page", &(v.page - 1).to_string())])) { "← " (t.prev) }
                    }
                    @if v.page * v.per_page < v.total {
                        a rel="next" href=(q.href(&[("page", &(v.page + 1).to_string())])) { (t.next) " →" }
                    }
                }
                h2 { (t.machine) }
                ul {
                    li { a href="/opendata/list.csv" { "list.csv" } ", " a href="/opendata/list.json" { "list.json" } ", " a href="/opendata/list.xml" { "list.xml" } }
                    li { "CKAN: " a href="/api/3/action/package_list" { "/api/3/action/package_list" } }
                    li { "DCAT: " a href="/catalog.ttl" { "catalog.ttl" } ", " a href="/catalog.jsonld" { "catalog.jsonld" } ", " a href="/catalog.rdf" { "catalog.rdf" } }
                }
            }
        }
    })
}

pub fn title(l: Locale, e: &Entry) -> &str {
    if l == Locale::En && !e.dataset.title_en.is_empty() {
        &e.dataset.title_en
    } else {
        &e.dataset.title
    }
}

pub fn description(l: Locale, e: &Entry) -> &str {
    if l == Locale::En && !e.dataset.description_en.is_empty() {
        &e.dataset.description_en
    } else {
        &e.dataset.description
    }
}

fn excerpt(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(n).collect();
        format!("{}…", cut.trim_end())
    }
}

fn human_size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// The schema.org `Dataset` block for search engines.
fn json_ld(base: &str, e: &Entry) -> serde_json::Value {
    let d = &e.dataset;
    let lic = license(&d.license_id);
    json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": format!("{base}/dataset/{}", d.identifier),
        "name": d.title,
        "alternateName": d.title_en,
        "description": d.description,
        "identifier": d.identifier,
        "url": format!("{base}/opendata/{}", d.identifier),
        "keywords": e.keywords,
        "inLanguage": "ru",
        "license": lic.map(|l| l.2),
        "datePublished": d.created,
        "dateModified": d.modified,
        "isAccessibleForFree": true,
        "publisher": {"@type": "Organization", "name": e.org_name_ru},
        "creator": {"@type": "Organization", "name": e.org_name_ru},
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "Открытые данные Краснодарского края — Вече", "url": format!("{base}/opendata")},
        "distribution": e.current().map(|v| vec![
            json!({"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": format!("{base}/opendata/{}/{}", d.identifier, v.file_name(Ext::Csv)), "contentSize": v.byte_size.to_string()}),
            json!({"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": format!("{base}/opendata/{}/{}", d.identifier, v.file_name(Ext::Json))}),
            json!({"@type": "DataDownload", "encodingFormat": "application/xml", "contentUrl": format!("{base}/opendata/{}/{}", d.identifier, v.file_name(Ext::Xml))}),
        ]).unwrap_or_default(),
    })
}

pub fn passport_page(ctx: &PageCtx, base: &str, e: &Entry, can_publish: bool) -> Response {
    let t = OdTexts::get(ctx.locale);
    let l = ctx.locale;
    let d = &e.dataset;
    let id = &d.identifier;
    let page_title = title(l, e).to_owned();
    let head = html! {
        link rel="alternate" type="text/turtle" href={ "/dataset/" (id) ".ttl" } title="DCAT (Turtle)";
        link rel="alternate" type="application/ld+json" href={ "/dataset/" (id) ".jsonld" } title="DCAT (JSON-LD)";
        link rel="alternate" type="application/rdf+xml" href={ "/dataset/" (id) ".rdf" } title="DCAT (RDF/XML)";
        link rel="alternate" type="application/json" href={ "/opendata/" (id) "/meta.json" } title="Passport (JSON)";
        (crate::web::layout::json_ld(&json_ld(base, e)))
    };
    let lic = license(&d.license_id);
    let current = e.current();
    let row = |label: &str, prop: Option<&str>, value: Markup| {
        html! {
            tr { th scope="row" { (label) } td property=[prop] { (value) } }
        }
    };
    Page::new(ctx, page_title.clone())
        .crumb(t.title, "/opendata")
        .head(head)
        .render(html! {
            h1 { (page_title) }
            p.lead { (l.pick(&e.org_name_ru, &e.org_name_en)) }
            @if let Some(v) = current {
                p.actions {
                    a.button href={ "/opendata/" (id) "/table" } { (t.view_table) }
                    @if e.has_coordinates() { a.button href={ "/opendata/" (id) "/map" } { (t.view_map) } }
                    a.button-small href={ "/opendata/" (id) "/" (v.file_name(Ext::Csv)) } download { (t.download) " CSV" }
                    a.button-small href={ "/opendata/" (id) "/" (v.file_name(Ext::Json)) } download { "JSON" }
                    a.button-small href={ "/opendata/" (id) "/" (v.file_name(Ext::Xml)) } download { "XML" }
                    @if v.row_count <= crate::opendata::table::SELECTION_MAX_ROWS {
                        a.button-small href={ "/opendata/" (id) "/table.xlsx" } download { (t.for_excel) }
                    }
                }
            } @else {
                p.notice { (t.no_data) }
            }
            @if can_publish {
                p { a href={ "/opendata/" (id) "/publish" } { (t.publish) } }
            }
            h2 { (t.passport) }
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) prefix="dc: http://purl.org/dc/terms/ foaf: http://xmlns.com/foaf/0.1/" about={ "/opendata/" (id) } typeof="foaf:Document" {
                div rel="dc:conformsTo" resource=(STANDARD_VERSION) {}
                table.passport {
                    tbody {
                        (row(t.p_standard, None, html! { "3.0" }))
                        (row(t.p_identifier, Some("dc:identifier"), html! { (id) }))
                        (row(t.p_title, Some("dc:title"), html! { (d.title) }))
                        (row(t.p_description, Some("dc:description"), html! { (d.description) }))
                        (row(t.p_creator, Some("dc:creator"), html! { (e.org_name_ru) }))
                        tr {
                            th scope="row" { (t.p_publisher) }
                            td rel="dc:publisher" { span typeof="foaf:Person" { span property="foaf:name" { (d.publisher_name) } } }
                        }
                        (row(t.p_phone, Some("foaf:phone"), html! { (d.publisher_phone) }))
                        (row(t.p_mbox, Some("foaf:mbox"), html! { a href={ "mailto:" (d.publisher_mbox) } { (d.publisher_mbox) } }))
                        @if let Some(v) = current {
                            (row(t.p_link, None, html! { a href={ "/opendata/" (id) "/" (v.file_name(Ext::Csv)) } { (v.file_name(Ext::Csv)) } }))
                        }
                        (row(t.p_format, Some("dc:format"), html! { (d.format) }))
                        @if let Some(v) = current {
                            (row(t.p_structure, None, html! { a href={ "/opendata/" (id) "/" (structure_file_name(&v.structure_stamp, Ext::Csv)) } { (structure_file_name(&v.structure_stamp, Ext::Csv)) } }))
                        }
                        (row(t.p_created, Some("dc:created"), html! { (d.created) }))
                        (row(t.p_modified, Some("dc:modified"), html! { (d.modified) }))
                        (row(t.p_provenance, Some("dc:provenance"), html! { (d.provenance) }))
                        (row(t.p_valid, Some("dc:valid"), html! { (d.valid) }))
                        (row(t.p_subject, Some("dc:subject"), html! { (d.subject) }))
                        (row(t.p_license, None, html! {
                            @if let Some((_, name, url)) = lic { a rel="license" href=(url) { (name) } } @else { (d.license_id) }
                        }))
                        (row(t.p_topic, None, html! { (topic_label(&d.topic, l)) }))
                        @if !d.frequency.is_empty() { (row(t.p_frequency, None, html! { (d.frequency) })) }
                    }
                }
                div typeof="dc:Collection" about="#data" {
                    @for v in &e.versions {
                        div rel="dc:hasPart" resource={ "#data-" (v.stamp) } {
                            div typeof="foaf:Document" about={ "#data-" (v.stamp) } {
                                span rel="dc:source" resource={ "/opendata/" (id) "/" (v.file_name(Ext::Csv)) } {}
                                span property="dc:created" content=(v.valid) {}
                                span property="dc:provenance" content=(v.provenance) {}
                                span rel="dc:conformsTo" resource={ "#structure-" (v.structure_stamp) } {}
                            }
                        }
                    }
                }
            }
            @if !e.fields.is_empty() {
                h2 #structure { (t.structure_title) }
                div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                    table {
                        thead { tr { th { (t.field_name) } th { (t.field_ru) } th { (t.field_en) } th { (t.field_format) } } }
                        tbody {
                            @for f in &e.fields {
                                tr { td { code { (f.name) } } td { (f.ru) } td { (f.en) } td { (f.format.name()) } }
                            }
                        }
                    }
                }
            }
            @if !e.versions.is_empty() {
                h2 #versions { (t.versions_title) }
                div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                    table {
                        thead { tr { th { (t.v_date) } th { (t.v_rows) } th { (t.v_size) } th { (t.v_provenance) } th { (t.download) } } }
                        tbody {
                            @for v in &e.versions {
                                tr {
                                    td { (v.stamp) }
                                    td { (v.row_count) }
                                    td { (human_size(v.byte_size)) }
                                    td { (v.provenance) }
                                    td {
                                        a href={ "/opendata/" (id) "/" (v.file_name(Ext::Csv)) } { "CSV" } " "
                                        a href={ "/opendata/" (id) "/" (v.file_name(Ext::Json)) } { "JSON" } " "
                                        a href={ "/opendata/" (id) "/" (v.file_name(Ext::Xml)) } { "XML" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t.machine) }
            ul {
                li { (t.passport) ": " a href={ "/opendata/" (id) "/meta.csv" } { "meta.csv" } ", " a href={ "/opendata/" (id) "/meta.json" } { "meta.json" } ", " a href={ "/opendata/" (id) "/meta.xml" } { "meta.xml" } }
                li { (t.alternate) ": " a href={ "/dataset/" (id) ".ttl" } { "Turtle" } ", " a href={ "/dataset/" (id) ".jsonld" } { "JSON-LD" } ", " a href={ "/dataset/" (id) ".rdf" } { "RDF/XML" } }
                li { (t.api) ": " a href={ "/api/3/action/package_show?id=" (d.identifier_norm) } { "package_show" } }
            }
        })
}

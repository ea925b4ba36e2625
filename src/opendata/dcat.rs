//! DCAT-AP 3 for harvesters: `/catalog.{ttl,jsonld,rdf}` (paged with Hydra,
//! 100 datasets a page) and `/dataset/{identifier}.{ttl,jsonld,rdf}`. The
//! graph is built once per request as triples (`oxrdf`) and written by the
//! serialisers of `oxrdfio`, so the three formats always say the same thing.

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfSerializer};

use crate::app::AppState;
use crate::config::Config;
use crate::error::{AppError, AppResult, Msg};
use crate::opendata::catalogue::{Entry, Snapshot};
use crate::opendata::domain::{Ext, STANDARD_VERSION, license, topic_label};
use crate::opendata::http::{Disposition, Validators, respond};
use crate::web::i18n::Locale;

pub const PAGE_SIZE: usize = 100;

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfKind {
    Turtle,
    JsonLd,
    RdfXml,
}

impl RdfKind {
    pub fn parse(ext: &str) -> Option<RdfKind> {
        match ext {
            "ttl" => Some(RdfKind::Turtle),
            "jsonld" => Some(RdfKind::JsonLd),
            "rdf" | "xml" => Some(RdfKind::RdfXml),
            _ => None,
        }
    }

    fn format(self) -> RdfFormat {
        match self {
            RdfKind::Turtle => RdfFormat::Turtle,
            RdfKind::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            RdfKind::RdfXml => RdfFormat::RdfXml,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            RdfKind::Turtle => "text/turtle; charset=utf-8",
            RdfKind::JsonLd => "application/ld+json",
            RdfKind::RdfXml => "application/rdf+xml",
        }
    }

    fn ext(self) -> &'static str {
        match self {
            RdfKind::Turtle => "ttl",
            RdfKind::JsonLd => "jsonld",
            RdfKind::RdfXml => "rdf",
        }
    }
}

fn n(iri: impl Into<String>) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn p(ns: &str, local: &str) -> NamedNode {
    n(format!("{ns}{local}"))
}

/// Builds triples.
struct Graph {
    triples: Vec<Triple>,
}

impl Graph {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, pred: NamedNode, o: impl Into<Term>) {
        self.triples.push(Triple::new(s, pred, o));
    }

    fn lit(
        &mut self,
        s: impl Into<NamedOrBlankNode> + Clone,
        pred: NamedNode,
        value: &str,
        lang: Option<&str>,
    ) {
        if value.trim().is_empty() {
            return;
        }
        let o = match lang {
            Some(l) => Literal::new_language_tagged_literal_unchecked(value, l),
            None => Literal::new_simple_literal(value),
        };
        self.add(s, pred, o);
    }

    fn typed(
        &mut self,
        s: impl Into<NamedOrBlankNode>,
        pred: NamedNode,
        value: &str,
        ty: oxrdf::NamedNodeRef<'_>,
    ) {
        self.add(s, pred, Literal::new_typed_literal(value, ty));
    }
}

fn org_node(base: &str, id: &str) -> NamedNode {
    n(format!("{base}/organisations/{id}"))
}

fn dataset_node(base: &str, e: &Entry) -> NamedNode {
    n(format!("{base}/dataset/{}", e.dataset.identifier))
}

fn add_dataset(g: &mut Graph, base: &str, e: &Entry) {
    let d = &e.dataset;
    let ds = dataset_node(base, e);
    g.add(ds.clone(), rdf::TYPE.into_owned(), p(DCAT, "Dataset"));
    g.lit(ds.clone(), p(DCT, "title"), &d.title, Some("ru"));
    g.lit(ds.clone(), p(DCT, "title"), &d.title_en, Some("en"));
    g.lit(
        ds.clone(),
        p(DCT, "description"),
        &d.description,
        Some("ru"),
    );
    g.lit(
        ds.clone(),
        p(DCT, "description"),
        &d.description_en,
        Some("en"),
    );
    g.lit(ds.clone(), p(DCT, "identifier"), &d.identifier, None);
    for k in &e.keywords {
        g.lit(ds.clone(), p(DCAT, "keyword"), k, Some("ru"));
    }
    let org = org_node(base, &d.organisation_id);
    g.add(ds.clone(), p(DCT, "publisher"), org.clone());
    g.add(ds.clone(), p(DCT, "creator"), org.clone());
    g.add(org.clone(), rdf::TYPE.into_owned(), p(FOAF, "Organization"));
    g.lit(org.clone(), p(FOAF, "name"), &e.org_name_ru, Some("ru"));
    g.lit(org, p(FOAF, "name"), &e.org_name_en, Some("en"));
    g.typed(ds.clone(), p(DCT, "issued"), &d.created, xsd::DATE);
    g.typed(ds.clone(), p(DCT, "modified"), &d.modified, xsd::DATE);
    g.add(
        ds.clone(),
        p(DCAT, "landingPage"),
        n(format!("{base}/opendata/{}", d.identifier)),
    );
    g.add(
        ds.clone(),
        p(DCT, "language"),
        n("http://publications.europa.eu/resource/authority/language/RUS"),
    );
    g.add(ds.clone(), p(DCT, "conformsTo"), n(STANDARD_VERSION));
    let theme = n(format!("{base}/opendata?topic={}", d.topic));
    g.add(ds.clone(), p(DCAT, "theme"), theme.clone());
    g.add(theme.clone(), rdf::TYPE.into_owned(), p(SKOS, "Concept"));
    g.lit(
        theme.clone(),
        p(SKOS, "prefLabel"),
        topic_label(&d.topic, Locale::Ru),
        Some("ru"),
    );
    g.lit(
        theme,
        p(SKOS, "prefLabel"),
        topic_label(&d.topic, Locale::En),
        Some("en"),
    );
    if let Some(m) = d.municipality_id.as_deref() {
        g.add(
            ds.clone(),
            p(DCT, "spatial"),
            n(format!("{base}/municipalities/{m}")),
        );
    }
    if !d.frequency.is_empty() {
        g.lit(
            ds.clone(),
            p(DCT, "accrualPeriodicity"),
            &d.frequency,
            Some("ru"),
        );
    }
    // A stable blank node, so the document (and its ETag) is the same on
    // every request.
    let contact = BlankNode::new_unchecked(format!("contact{}", d.dataset_id));
    g.add(ds.clone(), p(DCAT, "contactPoint"), contact.clone());
    g.add(contact.clone(), rdf::TYPE.into_owned(), p(VCARD, "Kind"));
    g.lit(
        contact.clone(),
        p(VCARD, "fn"),
        &d.publisher_name,
        Some("ru"),
    );
    g.add(
        contact.clone(),
        p(VCARD, "hasEmail"),
        n(format!("mailto:{}", d.publisher_mbox)),
    );
    g.lit(contact, p(VCARD, "hasTelephone"), &d.publisher_phone, None);
    let lic = license(&d.license_id).map(|l| n(l.2));
    if let Some(v) = e.current() {
        for (ext, media) in [
            (Ext::Csv, "text/csv"),
            (Ext::Json, "application/json"),
            (Ext::Xml, "application/xml"),
        ] {
            let url = n(format!(
                "{base}/opendata/{}/{}",
                d.identifier,
                v.file_name(ext)
            ));
            g.add(ds.clone(), p(DCAT, "distribution"), url.clone());
            g.add(url.clone(), rdf::TYPE.into_owned(), p(DCAT, "Distribution"));
            g.lit(url.clone(), p(DCT, "title"), &v.file_name(ext), None);
            g.add(url.clone(), p(DCAT, "accessURL"), url.clone());
            g.add(url.clone(), p(DCAT, "downloadURL"), url.clone());
            g.add(
                url.clone(),
                p(DCAT, "mediaType"),
                n(format!(
                    "http://www.iana.org/assignments/media-types/{media}"
                )),
            );
            g.lit(
                url.clone(),
                p(DCT, "format"),
                &ext.as_str().to_uppercase(),
                None,
            );
            if let Some(l) = &lic {
                g.add(url.clone(), p(DCT, "license"), l.clone());
            }
            g.add(
                url.clone(),
                p(DCT, "conformsTo"),
                n(format!(
                    "{base}/opendata/{}/structure-{}.csv",
                    d.identifier, v.structure_stamp
                )),
            );
            if ext == Ext::Csv {
                g.typed(
                    url.clone(),
                    p(DCAT, "byteSize"),
                    &v.byte_size.to_string(),
                    xsd::NON_NEGATIVE_INTEGER,
                );
            }
            if let Some(t) = v.published_at {
                g.typed(
                    url.clone(),
                    p(DCT, "issued"),
                    &crate::opendata::catalogue::iso(t),
                    xsd::DATE_TIME,
                );
            }
        }
    }
}

fn serialize(g: &Graph, kind: RdfKind) -> anyhow::Result<Vec<u8>> {
    let mut s = RdfSerializer::from_format(kind.format());
    for (prefix, iri) in [
        ("dcat", DCAT),
        ("dct", DCT),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("hydra", HYDRA),
        ("skos", SKOS),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ] {
        s = s.with_prefix(prefix, iri)?;
    }
    let mut w = s.for_writer(Vec::new());
    for t in &g.triples {
        w.serialize_triple(t)?;
    }
    Ok(w.finish()?)
}

/// `GET /dataset/{identifier}.{ext}`
pub fn dataset(
    config: &Config,
    e: &Entry,
    kind: RdfKind,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let base = config.base_url();
    let mut g = Graph {
        triples: Vec::new(),
    };
    add_dataset(&mut g, &base, e);
    let body = serialize(&g, kind)?;
    let v = Validators::of_content(&body, e.dataset.updated_at);
    let name = format!("{}.{}", e.dataset.identifier, kind.ext());
    Ok(respond(
        headers,
        &v,
        kind.content_type(),
        &name,
        Disposition::Inline,
        || Body::from(body),
    ))
}

/// `GET /catalog.{ext}?page=N`
pub fn catalog(
    state: &AppState,
    snapshot: &Snapshot,
    kind: RdfKind,
    page: Option<&str>,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let base = state.config.base_url();
    let page: usize = match page {
        None | Some("") => 1,
        Some(p) => p.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
            AppError::bad_request(
                "invalid_page",
                Msg::new(
                    "Номер страницы — целое число от 1.",
                    "The page number must be a whole number from 1.",
                ),
            )
        })?,
    };
    let entries: Vec<&std::sync::Arc<Entry>> = snapshot.entries.iter().collect();
    let total = entries.len();
    let last = total.div_ceil(PAGE_SIZE).max(1);
    if page > last {
        return Err(AppError::not_found());
    }
    let mut g = Graph {
        triples: Vec::new(),
    };
    let cat = n(format!("{base}/catalog"));
    g.add(cat.clone(), rdf::TYPE.into_owned(), p(DCAT, "Catalog"));
    g.lit(
        cat.clone(),
        p(DCT, "title"),
        "Открытые данные Краснодарского края — Вече",
        Some("ru"),
    );
    g.lit(
        cat.clone(),
        p(DCT, "title"),
        "Open data of Krasnodar Krai — Veche",
        Some("en"),
    );
    g.lit(
        cat.clone(),
        p(DCT, "description"),
        "Наборы открытых данных органов власти Краснодарского края",
        Some("ru"),
    );
    g.lit(
        cat.clone(),
        p(DCT, "description"),
        "Open datasets of the authorities of Krasnodar Krai",
        Some("en"),
    );
    let publisher = org_node(&base, "min-digital");
    g.add(cat.clone(), p(DCT, "publisher"), publisher.clone());
    g.add(
        publisher.clone(),
        rdf::TYPE.into_owned(),
        p(FOAF, "Organization"),
    );
    g.lit(
        publisher,
        p(FOAF, "name"),
        "Министерство цифрового развития Краснодарского края",
        Some("ru"),
    );
    g.add(
        cat.clone(),
        p(FOAF, "homepage"),
        n(format!("{base}/opendata")),
    );
    g.add(
        cat.clone(),
        p(DCT, "language"),
        n("http://publications.europa.eu/resource/authority/language/RUS"),
    );
    if let Some(m) = snapshot.modified() {
        g.typed(
            cat.clone(),
            p(DCT, "modified"),
            &crate::opendata::catalogue::iso(m),
            xsd::DATE_TIME,
        );
    }
    for e in entries.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
        g.add(cat.clone(), p(DCAT, "dataset"), dataset_node(&base, e));
        add_dataset(&mut g, &base, e);
    }
    let url = |n: usize| format!("{base}/catalog.{}?page={n}", kind.ext());
    let view = self::n(url(page));
    g.add(
        view.clone(),
        rdf::TYPE.into_owned(),
        p(HYDRA, "PartialCollectionView"),
    );
    g.add(
        view.clone(),
        rdf::TYPE.into_owned(),
        p(HYDRA, "PagedCollection"),
    );
    g.lit(view.clone(), p(HYDRA, "first"), &url(1), None);
    g.lit(view.clone(), p(HYDRA, "last"), &url(last), None);
    if page < last {
        g.lit(view.clone(), p(HYDRA, "next"), &url(page + 1), None);
    }
    if page > 1 {
        g.lit(view.clone(), p(HYDRA, "previous"), &url(page - 1), None);
    }
    g.typed(
        view.clone(),
        p(HYDRA, "totalItems"),
        &total.to_string(),
        xsd::INTEGER,
    );
    g.typed(
        view,
        p(HYDRA, "itemsPerPage"),
        &PAGE_SIZE.to_string(),
        xsd::INTEGER,
    );
    let body = serialize(&g, kind)?;
    let v = Validators::of_content(&body, snapshot.modified().unwrap_or_else(crate::db::now));
    Ok(respond(
        headers,
        &v,
        kind.content_type(),
        &format!("catalog.{}", kind.ext()),
        Disposition::Inline,
        || Body::from(body),
    ))
}

//! The package and resource dictionaries, as types written straight to
//! JSON. A page of ten packages built as `serde_json::Value` trees (an
//! ordered map per object, every key hashed and every string copied) was a
//! tenth of a catalogue search at 100,000 passports; the fields below are
//! borrowed from the snapshot's entry and serialised in CKAN's order.

use serde::Serialize;

use super::ckan_time;
use crate::opendata::catalogue::Entry;
use crate::opendata::domain::{Ext, STANDARD_VERSION, TOPICS, license};
use crate::opendata::queries::VersionRow;

/// JSON `null` for the fields CKAN has and veche leaves empty.
type Null = Option<()>;

#[derive(Serialize)]
pub struct Package<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    notes: &'a str,
    author: Null,
    author_email: Null,
    maintainer: &'a str,
    maintainer_email: &'a str,
    license_id: &'a str,
    license_title: Option<&'static str>,
    license_url: Option<&'static str>,
    isopen: bool,
    url: String,
    version: Option<&'a str>,
    state: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    private: bool,
    metadata_created: String,
    metadata_modified: String,
    creator_user_id: Null,
    num_resources: usize,
    num_tags: usize,
    owner_org: &'a str,
    organization: Organization<'a>,
    groups: [Group<'a>; 1],
    tags: Vec<Tag<'a>>,
    extras: [Extra<'a>; 7],
    relationships_as_object: &'static [()],
    relationships_as_subject: &'static [()],
    resources: Vec<Resource<'a>>,
}

#[derive(Serialize)]
struct Organization<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'a str,
    image_url: &'static str,
    created: String,
    is_organization: bool,
    approval_status: &'static str,
    state: &'static str,
}

#[derive(Serialize)]
struct Group<'a> {
    id: &'a str,
    name: &'a str,
    title: &'static str,
    display_name: &'static str,
    description: &'static str,
    image_display_url: &'static str,
}

#[derive(Serialize)]
struct Tag<'a> {
    id: &'a str,
    name: &'a str,
    display_name: &'a str,
    state: &'static str,
    vocabulary_id: Null,
}

#[derive(Serialize)]
struct Extra<'a> {
    key: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
pub struct Resource<'a> {
    id: &'a str,
    package_id: &'a str,
    position: usize,
    state: &'static str,
    name: String,
    description: &'a str,
    format: &'static str,
    mimetype: &'static str,
    mimetype_inner: Null,
    url: String,
    url_type: &'static str,
    size: i64,
    hash: String,
    created: String,
    last_modified: String,
    metadata_modified: String,
    cache_url: Null,
    cache_last_updated: Null,
    resource_type: Null,
    datastore_active: bool,
    row_count: i64,
    structure: String,
}

pub fn package<'a>(base: &str, e: &'a Entry) -> Package<'a> {
    let d = &e.dataset;
    let lic = license(&d.license_id);
    let topic_ru = TOPICS
        .iter()
        .find(|t| t.0 == d.topic)
        .map(|t| t.1)
        .unwrap_or("");
    Package {
        id: &d.uuid,
        name: &d.identifier_norm,
        title: &d.title,
        notes: &d.description,
        author: None,
        author_email: None,
        maintainer: &d.publisher_name,
        maintainer_email: &d.publisher_mbox,
        license_id: &d.license_id,
        license_title: lic.map(|l| l.1),
        license_url: lic.map(|l| l.2),
        isopen: true,
        url: format!("{base}/opendata/{}", d.identifier),
        version: e.current().map(|v| v.stamp.as_str()),
        state: "active",
        kind: "dataset",
        private: false,
        metadata_created: ckan_time(d.created_at),
        metadata_modified: ckan_time(d.updated_at),
        creator_user_id: None,
        num_resources: e.versions.len(),
        num_tags: e.keywords.len(),
        owner_org: &d.organisation_id,
        organization: Organization {
            id: &d.organisation_id,
            name: &d.organisation_id,
            title: &e.org_name_ru,
            kind: "organization",
            description: &e.org_name_en,
            image_url: "",
            created: ckan_time(d.created_at),
            is_organization: true,
            approval_status: "approved",
            state: "active",
        },
        groups: [Group {
            id: &d.topic,
            name: &d.topic,
            title: topic_ru,
            display_name: topic_ru,
            description: "",
            image_display_url: "",
        }],
        tags: e
            .keywords
            .iter()
            .map(|k| Tag {
                id: k,
                name: k,
                display_name: k,
                state: "active",
                vocabulary_id: None,
            })
            .collect(),
        extras: [
            ("identifier", d.identifier.as_str()),
            ("standardversion", STANDARD_VERSION),
            ("provenance", &d.provenance),
            ("valid", &d.valid),
            ("frequency", &d.frequency),
            ("maintainer_phone", &d.publisher_phone),
            ("municipality", d.municipality_id.as_deref().unwrap_or("")),
        ]
        .map(|(key, value)| Extra { key, value }),
        relationships_as_object: &[],
        relationships_as_subject: &[],
        resources: e
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| resource(base, e, v, i))
            .collect(),
    }
}

pub fn resource<'a>(base: &str, e: &'a Entry, v: &'a VersionRow, position: usize) -> Resource<'a> {
    let d = &e.dataset;
    let name = v.file_name(Ext::Csv);
    Resource {
        id: &v.uuid,
        package_id: &d.uuid,
        position,
        state: "active",
        url: format!("{base}/opendata/{}/{name}", d.identifier),
        name,
        description: &v.provenance,
        format: "CSV",
        mimetype: "text/csv",
        mimetype_inner: None,
        url_type: "upload",
        size: v.byte_size,
        hash: format!("sha256:{}", v.sha256),
        created: ckan_time(v.created_at),
        last_modified: ckan_time(v.published_at.unwrap_or(v.created_at)),
        metadata_modified: ckan_time(v.published_at.unwrap_or(v.created_at)),
        cache_url: None,
        cache_last_updated: None,
        resource_type: None,
        datastore_active: true,
        row_count: v.row_count,
        structure: format!(
            "{base}/opendata/{}/structure-{}.csv",
            d.identifier, v.structure_stamp
        ),
    }
}

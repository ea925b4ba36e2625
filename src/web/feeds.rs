//! RSS 2.0 and Atom documents, built with the `rss` and `atom_syndication`
//! crates, for every feature's feeds: a feature gathers its entries, this
//! writes them.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

use crate::web::i18n::Locale;

/// One entry of a feed.
pub struct Entry {
    /// Atom's `id`: stable and unique across feeds.
    pub id: String,
    /// RSS's `guid` (not a link).
    pub guid: String,
    pub title: String,
    pub url: String,
    pub at: OffsetDateTime,
    pub summary: String,
}

/// A feed: its title, its own address, the page it mirrors, and entries
/// newest first.
pub struct Feed {
    pub title: String,
    pub self_url: String,
    pub list_url: String,
    pub locale: Locale,
    pub entries: Vec<Entry>,
}

fn atom_date(t: OffsetDateTime) -> atom_syndication::FixedDateTime {
    atom_syndication::FixedDateTime::parse_from_rfc3339(&t.format(&Rfc3339).unwrap_or_default())
        .unwrap_or_default()
}

fn respond(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Feed readers poll; a minute's staleness costs nobody anything.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    r
}

impl Feed {
    /// The newest entry's time (now for an empty feed).
    fn updated(&self) -> OffsetDateTime {
        self.entries
            .iter()
            .map(|e| e.at)
            .max()
            .unwrap_or_else(crate::db::now)
    }

    /// The feed as Atom.
    pub fn atom(self) -> Response {
        let updated = atom_date(self.updated());
        let entries = self
            .entries
            .into_iter()
            .map(|e| atom_syndication::Entry {
                id: e.id,
                title: atom_syndication::Text::plain(e.title),
                updated: atom_date(e.at),
                published: Some(atom_date(e.at)),
                links: vec![atom_syndication::Link {
                    href: e.url,
                    ..Default::default()
                }],
                summary: Some(atom_syndication::Text::plain(e.summary)),
                ..Default::default()
            })
            .collect();
        let feed = atom_syndication::Feed {
            id: self.self_url.clone(),
            title: atom_syndication::Text::plain(self.title),
            updated,
            links: vec![
                atom_syndication::Link {
                    href: self.self_url,
                    rel: "self".into(),
                    ..Default::default()
                },
                atom_syndication::Link {
                    href: self.list_url,
                    ..Default::default()
                },
            ],
            lang: Some(self.locale.code().to_owned()),
            entries,
            ..Default::default()
        };
        respond(feed.to_string(), "application/atom+xml; charset=utf-8")
    }

    /// The feed as RSS 2.0, with the channel's description.
    pub fn rss(self, description: &str) -> Response {
        let updated = self.updated();
        let items: Vec<rss::Item> = self
            .entries
            .into_iter()
            .map(|e| {
                rss::ItemBuilder::default()
                    .title(Some(e.title))
                    .link(Some(e.url))
                    .guid(Some(rss::Guid {
                        value: e.guid,
                        permalink: false,
                    }))
                    .pub_date(e.at.format(&Rfc2822).ok())
                    .description(Some(e.summary))
                    .build()
            })
            .collect();
        let channel = rss::ChannelBuilder::default()
            .title(self.title)
            .link(self.list_url)
            .description(description)
            .language(Some(self.locale.code().to_owned()))
            .last_build_date(updated.format(&Rfc2822).ok())
            .items(items)
            .build();
        respond(channel.to_string(), "application/rss+xml; charset=utf-8")
    }
}

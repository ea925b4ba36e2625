//! The search schema and its analyzers. Any edit of this file changes
//! [`schema_version`], and an index built with another version is rebuilt
//! from the database at start-up, so the schema can never silently drift.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

pub const RU: &str = "veche_ru";
pub const EN: &str = "veche_en";

/// Field handles, resolved once.
#[derive(Clone, Copy)]
pub struct Fields {
    /// `kind:id`, unique per document; used to replace and delete.
    pub key: Field,
    /// Also a fast column: a search of one kind checks it per hit
    /// (`super::nums`).
    pub kind: Field,
    pub id: Field,
    pub num: Field,
    pub url: Field,
    pub title_ru: Field,
    pub title_en: Field,
    pub body_ru: Field,
    pub body_en: Field,
    /// Municipality id, when the document belongs to one (for facets).
    pub municipality: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_text_field("id", STRING | STORED),
        num: b.add_u64_field("num", FAST),
        url: b.add_text_field("url", STORED),
        title_ru: b.add_text_field("title_ru", text(RU, true)),
        title_en: b.add_text_field("title_en", text(EN, true)),
        body_ru: b.add_text_field("body_ru", text(RU, false)),
        body_en: b.add_text_field("body_en", text(EN, false)),
        municipality: b.add_text_field("municipality", STRING | STORED),
    };
    (b.build(), fields)
}

/// Russian and English analyzers: split on non-letters, lower-case, fold ё
/// into е (Russian texts use both spellings), stem.
pub fn register_tokenizers(index: &tantivy::Index) {
    let ru = russian();
    let en = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build();
    index.tokenizers().register(RU, ru);
    index.tokenizers().register(EN, en);
}

/// The Russian analyzer, also used outside the index (`super::stems`), so
/// a word matched elsewhere is the word the index finds.
pub fn russian() -> TextAnalyzer {
    russian_up_to(40)
}

/// The Russian analyzer dropping words of `limit` bytes or more: the
/// index keeps its terms short; matching outside it takes every word.
pub fn russian_up_to(limit: usize) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(limit))
        .filter(LowerCaser)
        .filter(super::yo::YoFolding)
        .filter(Stemmer::new(Language::Russian))
        .build()
}

/// A hash of this file's source: the schema version stored beside the index.
pub fn schema_version() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(include_str!("schema.rs").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

//! A collector for "every hit of one kind, in no order": the numeric id and
//! the score of each matching document.
//!
//! `TopDocs` with a limit of every document keeps a heap and sorts all the
//! hits when the segments are merged; a caller that ranks the hits itself
//! (the open-data catalogue does, after its own filters) pays for that sort
//! for nothing. At 100,000 passports it was 27 % of a catalogue search.
//!
//! The kind is checked here rather than by a `kind:…` clause in the query:
//! intersecting the words' hits with the posting list of a kind that holds
//! nearly every document (seeking both lists for every hit, and scoring the
//! kind's term) was a sixth of a catalogue search at 100,000 passports.
//! And each hit's id is read from a table decoded once per segment
//! ([`Tables`]), not from the fast columns: decoding `kind` and `num` for
//! every hit was another sixth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// In a table: the document is of another kind.
const OTHER: u64 = u64::MAX;

/// Each segment's numeric ids for one kind, by document ([`OTHER`] for a
/// document of another kind), decoded from the `kind` and `num` fast
/// columns once.
///
/// What invalidates it: nothing can, because a segment never changes once
/// written (a changed document is deleted from its segment, which the
/// collector never sees, and added to a new one). A table is dropped when
/// its segment leaves the index (merged or wiped), at the next search.
#[derive(Default)]
pub struct Tables(Mutex<HashMap<TableKey, Arc<[u64]>>>);

/// A segment and a kind.
type TableKey = (SegmentId, String);

impl Tables {
    /// The table of every segment of `searcher`, by segment ordinal.
    pub fn of(&self, searcher: &Searcher, kind: &str) -> tantivy::Result<Vec<Arc<[u64]>>> {
        let mut map = self
            .0
            .lock()
            .map_err(|_| tantivy::TantivyError::InternalError("tables lock".into()))?;
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        map.retain(|(id, _), _| live.contains(id));
        let mut out = Vec::with_capacity(live.len());
        for segment in searcher.segment_readers() {
            let key = (segment.segment_id(), kind.to_owned());
            let table = match map.get(&key) {
                Some(t) => t.clone(),
                None => {
                    let t = decode(segment, kind)?;
                    map.insert(key, t.clone());
                    t
                }
            };
            out.push(table);
        }
        Ok(out)
    }
}

fn decode(segment: &SegmentReader, kind: &str) -> tantivy::Result<Arc<[u64]>> {
    let fast = segment.fast_fields();
    let mut table = vec![OTHER; segment.max_doc() as usize];
    let ord = match fast.str("kind")? {
        Some(kinds) => kinds.dictionary().term_ord(kind)?.map(|o| (kinds, o)),
        None => None,
    };
    if let Some((kinds, ord)) = ord {
        let nums = fast.u64("num")?;
        let kinds = kinds.ords();
        for (doc, slot) in table.iter_mut().enumerate() {
            let doc = doc as DocId;
            if kinds.first(doc) == Some(ord)
                && let Some(n) = nums.first(doc).filter(|&n| n != OTHER)
            {
                *slot = n;
            }
        }
    }
    Ok(table.into())
}

/// Gathers `(num, score)` of every matching document of one kind, unsorted,
/// segment by segment.
pub struct Nums {
    /// [`Tables::of`] the searcher this collects for.
    pub tables: Vec<Arc<[u64]>>,
}

pub struct SegmentNums {
    table: Arc<[u64]>,
    out: Vec<(u64, f32)>,
}

impl Collector for Nums {
    /// Each segment's hits: not merged into one vector, which copied every
    /// hit once more (5 % of a search at 100,000 passports).
    type Fruit = Vec<Vec<(u64, f32)>>;
    type Child = SegmentNums;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentNums> {
        let table = self.tables.get(ordinal as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError("a segment without its table".into())
        })?;
        Ok(SegmentNums {
            table,
            // Room for a common word's hits without growing from nothing
            // (growing was 5 % of a search at 100,000 passports); pages
            // never touched cost nothing.
            out: Vec::with_capacity((segment.num_docs() as usize / 2).min(1 << 18)),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, f32)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentNums {
    type Fruit = Vec<(u64, f32)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(&n) = self.table.get(doc as usize)
            && n != OTHER
        {
            self.out.push((n, score));
        }
    }

    fn harvest(self) -> Vec<(u64, f32)> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::schema;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{Index, IndexWriter, Term, doc};

    /// A table is built per segment and dropped with it: after a document
    /// is replaced and the segments merged, a search sees only the new
    /// document, and only the live segments keep tables.
    #[test]
    fn tables_follow_the_segments() {
        let (schema, f) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_tokenizers(&index);
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let add = |w: &mut IndexWriter, kind: &str, key: &str, num: u64, word: &str| {
            w.add_document(doc!(
                f.key => key, f.kind => kind, f.num => num, f.title_ru => word.to_owned()
            ))
            .unwrap();
        };
        add(&mut w, "dataset", "dataset:a", 7, "парки");
        add(&mut w, "problem", "problem:1", 7, "парки");
        w.commit().unwrap();
        add(&mut w, "dataset", "dataset:b", 9, "парки");
        w.commit().unwrap();
        let reader = index.reader().unwrap();
        let tables = Tables::default();
        let search = |reader: &tantivy::IndexReader, word: &str| {
            reader.reload().unwrap();
            let searcher = reader.searcher();
            let query = TermQuery::new(
                Term::from_field_text(f.title_ru, word),
                IndexRecordOption::WithFreqs,
            );
            let nums = Nums {
                tables: tables.of(&searcher, "dataset").unwrap(),
            };
            let mut found: Vec<u64> = searcher
                .search(&query, &nums)
                .unwrap()
                .into_iter()
                .flatten()
                .map(|(n, _)| n)
                .collect();
            found.sort();
            found
        };
        // The stemmed form of «парки».
        let stem = crate::search::stem("парки");
        assert_eq!(search(&reader, &stem), vec![7, 9], "datasets only");
        assert_eq!(tables.0.lock().unwrap().len(), 2);

        // Dataset 7 renamed: deleted from its segment, added to a new one.
        w.delete_term(Term::from_field_text(f.key, "dataset:a"));
        add(&mut w, "dataset", "dataset:a", 7, "скверы");
        w.commit().unwrap();
        assert_eq!(search(&reader, &stem), vec![9]);
        assert_eq!(search(&reader, &crate::search::stem("скверы")), vec![7]);

        // Merged into one segment: the old tables go, one is built.
        let ids = index.searchable_segment_ids().unwrap();
        w.merge(&ids).wait().unwrap();
        w.wait_merging_threads().unwrap();
        assert_eq!(search(&reader, &stem), vec![9]);
        assert_eq!(tables.0.lock().unwrap().len(), 1);
    }
}

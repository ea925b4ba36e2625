//! Finding names in a story, morphology-aware: a name and a story are
//! both reduced to the stems the search index uses (`search::stems`), and
//! a name matches where its stems follow each other in the story's stems,
//! so «департаментом строительства» matches «департамент строительства».
//! Names are indexed by their first stem: a story is read once, whatever
//! the number of names.

use std::collections::{BTreeSet, HashMap};

/// What a phrase stands for: an entity (by its key) or a saved query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Entity(String),
    Query(i64),
}

#[derive(Debug, Default)]
pub struct Matcher {
    phrases: Vec<(Vec<String>, Target)>,
    by_first: HashMap<String, Vec<usize>>,
}

/// A phrase's stems; `None` when there is nothing to match (empty, or a
/// single stem of fewer than `min_single` letters, which would match too
/// much: «ДИО», «ГЖИ»).
pub fn phrase(text: &str, min_single: usize) -> Option<Vec<String>> {
    let stems = crate::search::stems(text);
    match stems.len() {
        0 => None,
        1 if stems[0].chars().count() < min_single => None,
        _ => Some(stems),
    }
}

impl Matcher {
    pub fn add(&mut self, stems: Vec<String>, target: Target) {
        let Some(first) = stems.first().cloned() else {
            return;
        };
        if self
            .phrases
            .iter()
            .any(|(s, t)| *s == stems && *t == target)
        {
            return;
        }
        self.by_first
            .entry(first)
            .or_default()
            .push(self.phrases.len());
        self.phrases.push((stems, target));
    }

    /// Adds `text` as a phrase of `target` (see [`phrase`]).
    pub fn add_text(&mut self, text: &str, target: Target) {
        if let Some(stems) = phrase(text, 4) {
            self.add(stems, target);
        }
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Everything named in `stems`.
    pub fn find(&self, stems: &[String]) -> BTreeSet<Target> {
        let mut found = BTreeSet::new();
        for (i, s) in stems.iter().enumerate() {
            let Some(candidates) = self.by_first.get(s) else {
                continue;
            };
            for &p in candidates {
                let (words, target) = &self.phrases[p];
                if stems[i..].starts_with(words) {
                    found.insert(target.clone());
                }
            }
        }
        found
    }
}

/// The stems of a department's full name without what every department
/// of the region shares ("… Краснодарского края", "… администрации
/// (губернатора) Краснодарского края"), so a story that says
/// «министерство здравоохранения» finds «Министерство здравоохранения
/// Краснодарского края»; `region` holds the stems of the region's names.
pub fn department_phrase(name: &str, region: &[Vec<String>]) -> Option<Vec<String>> {
    let mut stems = crate::search::stems(name);
    for r in region {
        if !r.is_empty() && stems.ends_with(r) && stems.len() > r.len() {
            stems.truncate(stems.len() - r.len());
            break;
        }
    }
    let admin = crate::search::stem("администрации");
    let governor = crate::search::stem("губернатора");
    if stems.last() == Some(&governor) && stems.len() > 2 && stems[stems.len() - 2] == admin {
        stems.truncate(stems.len() - 2);
    } else if stems.last() == Some(&admin) && stems.len() > 1 {
        stems.pop();
    }
    // "… КК" (Краснодарский край) closes the short names.
    if stems.last().is_some_and(|s| s == "кк") && stems.len() > 1 {
        stems.pop();
    }
    match stems.len() {
        0 => None,
        1 if stems[0].chars().count() < 5 => None,
        _ => Some(stems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        let mut m = Matcher::default();
        m.add_text(
            "департамент строительства",
            Target::Entity("org:dep-x".into()),
        );
        m.add_text("Абинский район", Target::Entity("mun:abinsky".into()));
        m.add_text("Абинск", Target::Entity("mun:abinsky".into()));
        m.add_text("Кубань", Target::Entity("region".into()));
        m.add_text("ДИО", Target::Entity("org:dep-property".into()));
        m.add_text("капитальный ремонт", Target::Query(3));
        m
    }

    fn found(m: &Matcher, text: &str) -> Vec<Target> {
        m.find(&crate::search::stems(text)).into_iter().collect()
    }

    #[test]
    fn names_match_in_any_case_of_declension() {
        let m = matcher();
        assert_eq!(
            found(
                &m,
                "Работу проверили сотрудники Департаментом строительства."
            ),
            vec![Target::Entity("org:dep-x".into())]
        );
        assert_eq!(
            found(&m, "В Абинском районе начался капитальный ремонт школ"),
            vec![Target::Entity("mun:abinsky".into()), Target::Query(3)]
        );
        assert_eq!(
            found(&m, "Жители Абинска и всей Кубани"),
            vec![
                Target::Entity("mun:abinsky".into()),
                Target::Entity("region".into())
            ]
        );
        // The words apart are not the phrase.
        assert!(found(&m, "департамент культуры и строительства").is_empty());
        // A short abbreviation is not matched at all.
        assert!(found(&m, "ДИО сообщает").is_empty());
        assert_eq!(m.len(), 5);
    }

    #[test]
    fn departments_are_named_without_the_region() {
        let region = vec![crate::search::stems("Краснодарский край")];
        let p = |n: &str| department_phrase(n, &region).map(|s| s.join(" "));
        assert_eq!(
            p("Министерство здравоохранения Краснодарского края"),
            p("министерство здравоохранения")
        );
        assert_eq!(
            p("Департамент контроля администрации губернатора Краснодарского края"),
            p("департамент контроля")
        );
        assert_eq!(
            p("Департамент внутренней политики администрации Краснодарского края"),
            p("департамент внутренней политики")
        );
        assert_eq!(p("Минздрав КК"), p("минздрав"));
        assert_eq!(p("ДИО КК"), None);
    }
}

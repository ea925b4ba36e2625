//! What is tracked, and by which names: the region (its configured
//! names), the 44 municipalities (their names, and their centres where a
//! centre's name is not an adjective that other places share:
//! «Ленинградская», «Кавказская»), the departments of the directory (the
//! full name without the region, and the short name), the officials the
//! keeper lists (name and post), the core's projects (through the shared
//! registry of roadmaps, by title), and every extra name the keeper adds.

use std::collections::HashMap;

use super::domain::Entity;
use super::matching::{Matcher, Target, department_phrase, phrase};
use super::queries;
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::i18n::Locale;

#[derive(Debug, Clone)]
pub struct EntityInfo {
    pub entity: Entity,
    pub key: String,
    pub name_ru: String,
    pub name_en: String,
    pub phrases: Vec<Vec<String>>,
}

impl EntityInfo {
    pub fn name(&self, l: Locale) -> &str {
        l.pick(&self.name_ru, &self.name_en)
    }
}

#[derive(Debug, Default)]
pub struct Entities {
    pub list: Vec<EntityInfo>,
    by_key: HashMap<String, usize>,
}

impl Entities {
    pub fn get(&self, key: &str) -> Option<&EntityInfo> {
        self.by_key.get(key).map(|i| &self.list[*i])
    }

    /// An entity's name, or its key when it is no longer tracked (an
    /// official removed from the list).
    pub fn name(&self, key: &str, l: Locale) -> String {
        self.get(key)
            .map_or_else(|| key.to_owned(), |e| e.name(l).to_owned())
    }

    fn push(&mut self, entity: Entity, name_ru: &str, name_en: &str, phrases: Vec<Vec<String>>) {
        let key = entity.key();
        self.by_key.insert(key.clone(), self.list.len());
        self.list.push(EntityInfo {
            entity,
            key,
            name_ru: name_ru.to_owned(),
            name_en: name_en.to_owned(),
            phrases,
        });
    }

    /// The matcher of these names and of the departments' saved queries.
    pub fn matcher(&self, saved: &[queries::QueryRow]) -> Matcher {
        let mut m = Matcher::default();
        for e in &self.list {
            for p in &e.phrases {
                m.add(p.clone(), Target::Entity(e.key.clone()));
            }
        }
        for q in saved {
            for p in query_phrases(&q.words) {
                m.add(p, Target::Query(q.query_id));
            }
        }
        m
    }
}

/// A saved query's phrases: its comma-separated parts.
pub fn query_phrases(words: &str) -> Vec<Vec<String>> {
    words.split(',').filter_map(|p| phrase(p, 3)).collect()
}

/// An official's phrases: the name in its cases (the stemmer keeps
/// «Петров» and «Петрова» apart, so the forms of each word are stemmed
/// too), and the post when it has two words or more («министр» alone
/// would find every minister).
pub fn official_phrases(name: &str, role: &str) -> Vec<Vec<String>> {
    const ENDINGS: [&str; 8] = ["", "а", "у", "ом", "ым", "е", "ой", "ы"];
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for word in name.split_whitespace().take(4) {
        let mut forms: Vec<String> = ENDINGS
            .iter()
            .map(|e| crate::search::stem(&format!("{word}{e}")))
            .filter(|s| !s.is_empty())
            .collect();
        forms.sort();
        forms.dedup();
        out = out
            .iter()
            .flat_map(|head| {
                forms.iter().map(move |f| {
                    let mut h = head.clone();
                    h.push(f.clone());
                    h
                })
            })
            .take(256)
            .collect();
    }
    out.retain(|p| p.len() >= 2 || p.first().is_some_and(|s| s.chars().count() >= 5));
    if let Some(r) = phrase(role, usize::MAX) {
        out.push(r);
    }
    out
}

/// Whether a centre's name reads as an adjective another place may share
/// (the stanitsas: «Ленинградская», «Мостовской», «Успенское»).
fn adjectival(name: &str) -> bool {
    ["ая", "ой", "ое", "ий", "ые"]
        .iter()
        .any(|end| name.ends_with(end))
}

/// Everything tracked, with its names.
pub async fn load(state: &AppState) -> AppResult<Entities> {
    let mut out = Entities::default();
    let names: Vec<&str> = state
        .config
        .press
        .region_names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    let region: Vec<Vec<String>> = names.iter().filter_map(|n| phrase(n, 4)).collect();
    let first = names.first().copied().unwrap_or("Регион");
    out.push(Entity::Region, first, "The region", region.clone());
    for m in crate::geo::geography().all() {
        let mut ps: Vec<Vec<String>> = phrase(&m.name_ru, 4).into_iter().collect();
        if m.admin_centre_ru != m.name_ru && !adjectival(&m.admin_centre_ru) {
            ps.extend(phrase(&m.admin_centre_ru, 4));
        }
        out.push(
            Entity::Municipality(m.id.clone()),
            &m.name_ru,
            &m.name_en,
            ps,
        );
    }
    for o in crate::directory::queries::list(&state.db)
        .await?
        .into_iter()
        .filter(|o| o.kind == "department")
    {
        let ps = [&o.name_ru, &o.short_name_ru]
            .iter()
            .filter_map(|n| department_phrase(n, &region))
            .collect();
        out.push(
            Entity::Organisation(o.organisation_id.clone()),
            &o.name_ru,
            &o.name_en,
            ps,
        );
    }
    for p in queries::officials(&state.db).await? {
        let ps = official_phrases(&p.name, &p.role);
        let label = if p.role.is_empty() {
            p.name.clone()
        } else {
            format!("{} ({})", p.name, p.role)
        };
        out.push(Entity::Official(p.official_id), &label, &label, ps);
    }
    for r in state.roadmaps.list(&state.db).await? {
        let ps = phrase(&r.title, 5).into_iter().collect();
        out.push(Entity::Project(r.id), &r.title, &r.title, ps);
    }
    for a in queries::aliases(&state.db).await? {
        if let (Some(i), Some(p)) = (out.by_key.get(&a.entity), phrase(&a.phrase, 3)) {
            out.list[*i].phrases.push(p);
        }
    }
    Ok(out)
}

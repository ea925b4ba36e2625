#![allow(clippy::unwrap_used)]

//! The two migration histories stay in lock-step: the same file names, in the
//! same order, in `migrations/sqlite/` and `migrations/postgres/`.

fn names(dir: &str) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    v.sort();
    v
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_files() {
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
    for name in &sqlite {
        let (version, rest) = name.split_once('_').unwrap();
        assert_eq!(version.len(), 14, "{name}: YYYYMMDDHHMMSS_ prefix");
        assert!(version.bytes().all(|b| b.is_ascii_digit()), "{name}");
        assert!(rest.ends_with(".sql"), "{name}");
    }
}

#[test]
fn every_table_exists_in_both_histories() {
    let tables = |dir: &str| {
        let mut t: Vec<String> = names(dir)
            .iter()
            .flat_map(|n| {
                let sql = std::fs::read_to_string(format!(
                    "{}/migrations/{dir}/{n}",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap();
                // A table SQLite rebuilds (`create table x_next`, copy,
                // drop, `alter table x_next rename to x`) is the same table.
                let renamed: Vec<(String, String)> = sql
                    .lines()
                    .filter_map(|l| {
                        let r = l.trim().strip_prefix("alter table ")?;
                        let (from, to) = r.split_once(" rename to ")?;
                        Some((from.to_owned(), to.trim_end_matches(';').to_owned()))
                    })
                    .collect();
                sql.lines()
                    .filter_map(|l| {
                        l.trim()
                            .strip_prefix("create table ")
                            .map(|r| r.split([' ', '(']).next().unwrap().to_owned())
                    })
                    .map(|t| {
                        renamed
                            .iter()
                            .find(|(from, _)| *from == t)
                            .map_or(t.clone(), |(_, to)| to.clone())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        t.sort();
        t.dedup();
        t
    };
    assert_eq!(tables("sqlite"), tables("postgres"));
}

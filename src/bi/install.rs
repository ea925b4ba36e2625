//! Installs the reporting schema: the views, their comments (PostgreSQL),
//! the schema version, and the grants of the read-only roles.
//!
//! The views are created from the definitions at start, in one transaction
//! under an advisory lock (several processes may start at once), and only
//! when the definitions changed (a fingerprint is kept in `bi_schema`), so
//! a restart does not drop what an analyst's tool is reading. Before
//! migrations run, the views are dropped: a migration that rebuilds a table
//! (SQLite's way to change a constraint) must not trip over a view naming
//! it; they come back after.

use sha2::{Digest, Sha256};

use super::{MartDef, Marts, SCHEMA_VERSION};
use crate::db::{Backend, Db, Tx};
use crate::web::i18n::{Label, Locale};
use crate::{exec_tx, on_tx};

/// The schema's own relations, before the features' ones: the directory
/// with each organisation's portfolio (the scope and most marts join it),
/// and the version.
const ORGANISATIONS: MartDef = MartDef {
    name: "mart_organisations",
    title: Label::new("Организации", "Organisations"),
    about: Label::new(
        "Справочник организаций с портфелем (вице-губернатора или губернатора), к которому каждая относится",
        "The directory of organisations with the portfolio (a vice-governor's or the governor's) each belongs to",
    ),
    columns: &[
        super::Column::dimension(
            "organisation_id",
            super::Type::Text,
            Label::new("Организация", "Organisation"),
            Label::new("Идентификатор организации в справочнике", "The organisation's directory id"),
        )
        .named(super::ORGANISATION_NAMES),
        super::Column::dimension(
            "kind",
            super::Type::Text,
            Label::new("Вид", "Kind"),
            Label::new(
                "governor_office, portfolio, department, municipal_administration или state_company",
                "governor_office, portfolio, department, municipal_administration or state_company",
            ),
        ),
        super::Column::attribute(
            "parent_id",
            super::Type::Text,
            Label::new("Вышестоящая", "Parent"),
            Label::new("Вышестоящая организация", "The organisation above it"),
        ),
        super::Column::dimension(
            "portfolio_id",
            super::Type::Text,
            Label::new("Портфель", "Portfolio"),
            Label::new(
                "Ближайший портфель над организацией (или канцелярия губернатора); пусто для муниципалитетов",
                "The nearest portfolio at or above the organisation (or the governor's office); empty for municipalities",
            ),
        )
        .named(super::ORGANISATION_NAMES),
        super::Column::dimension(
            "municipality_id",
            super::Type::Text,
            Label::new("Муниципалитет", "Municipality"),
            Label::new("Муниципальное образование организации, если есть", "The organisation's municipality, if any"),
        )
        .named(super::MUNICIPALITY_NAMES),
        super::Column::attribute(
            "name_ru",
            super::Type::Text,
            Label::new("Название", "Name (Russian)"),
            Label::new("Краткое название по-русски", "The short name in Russian"),
        ),
        super::Column::attribute(
            "name_en",
            super::Type::Text,
            Label::new("Название (англ.)", "Name"),
            Label::new("Краткое название по-английски", "The short name in English"),
        ),
    ],
    period: "",
    scoped: false,
    record: None,
    on_time: None,
    select: organisations_sql,
};

fn organisations_sql(_: Backend) -> String {
    // The nearest portfolio above an organisation, else the nearest
    // governor's office, as `directory::tree::portfolio_of` decides.
    "with recursive up (organisation_id, ancestor_id, depth) as (
        select organisation_id, organisation_id, 0 from organisation
        union all
        select up.organisation_id, o.parent_id, up.depth + 1
        from up join organisation o on o.organisation_id = up.ancestor_id
        where o.parent_id is not null and up.depth < 20
    )
    select o.organisation_id, o.kind, o.parent_id,
        coalesce(
            (select u.ancestor_id from up u join organisation a on a.organisation_id = u.ancestor_id
             where u.organisation_id = o.organisation_id and a.kind = 'portfolio'
             order by u.depth limit 1),
            (select u.ancestor_id from up u join organisation a on a.organisation_id = u.ancestor_id
             where u.organisation_id = o.organisation_id and a.kind = 'governor_office'
             order by u.depth limit 1)) as portfolio_id,
        o.municipality_id, o.short_name_ru as name_ru, o.short_name_en as name_en
    from organisation o"
        .into()
}

const SCHEMA: MartDef = MartDef {
    name: "mart_schema",
    title: Label::new("Версия схемы", "Schema version"),
    about: Label::new(
        "Одна строка: версия схемы отчётности",
        "One row: the version of the reporting schema",
    ),
    columns: &[super::Column::attribute(
        "version",
        super::Type::Integer,
        Label::new("Версия", "Version"),
        Label::new(
            "Растёт, когда столбец удалён или переименован",
            "Grows when a column is removed or renamed",
        ),
    )],
    period: "",
    scoped: false,
    record: None,
    on_time: None,
    select: schema_sql,
};

fn schema_sql(b: Backend) -> String {
    match b {
        Backend::Sqlite => format!("select {SCHEMA_VERSION} as version"),
        Backend::Postgres => format!("select cast({SCHEMA_VERSION} as bigint) as version"),
    }
}

/// The schema's own relations.
pub fn core_defs() -> [&'static MartDef; 2] {
    [&SCHEMA, &ORGANISATIONS]
}

/// Every relation in creation order: the schema's own, then the features'.
pub fn all_defs(marts: &Marts) -> Vec<&'static MartDef> {
    core_defs()
        .into_iter()
        .chain(marts.all().map(|m| m.def()))
        .collect()
}

fn fingerprint(defs: &[&MartDef], b: Backend) -> String {
    let mut h = Sha256::new();
    h.update(SCHEMA_VERSION.to_le_bytes());
    for d in defs {
        h.update(d.name.as_bytes());
        h.update((d.select)(b).as_bytes());
        for c in d.columns {
            h.update(c.name.as_bytes());
            h.update(c.about.get(Locale::Ru).as_bytes());
            h.update(c.about.get(Locale::En).as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn comment(l: &Label) -> String {
    format!("{} / {}", l.get(Locale::Ru), l.get(Locale::En)).replace('\'', "''")
}

/// Creates (or re-creates) the views when their definitions changed.
pub async fn install(db: &Db, marts: &Marts) -> anyhow::Result<()> {
    let defs = all_defs(marts);
    let b = db.backend();
    let print = fingerprint(&defs, b);
    let mut tx = db.begin().await?;
    if b == Backend::Postgres {
        // One process installs; the others wait here and find it done.
        exec_tx!(&mut tx, "select pg_advisory_xact_lock(7306)")?;
    }
    let current: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select fingerprint from bi_schema where singleton = 1"
    )
    .fetch_optional(c)
    .await)?;
    if current.as_deref() == Some(print.as_str()) {
        // Nothing changed: the transaction ends unwritten.
        drop(tx);
        return Ok(());
    }
    drop_in(&mut tx, &defs).await?;
    for d in &defs {
        let sql = format!("create view {} as {}", d.name, (d.select)(b));
        exec_tx!(&mut tx, sqlx::AssertSqlSafe(sql))
            .map_err(|e| anyhow::anyhow!("creating the view {}: {e}", d.name))?;
        if b == Backend::Postgres {
            let sql = format!("comment on view {} is '{}'", d.name, comment(&d.about));
            exec_tx!(&mut tx, sqlx::AssertSqlSafe(sql))?;
            for c in d.columns {
                let sql = format!(
                    "comment on column {}.{} is '{}'",
                    d.name,
                    c.name,
                    comment(&c.about)
                );
                exec_tx!(&mut tx, sqlx::AssertSqlSafe(sql))?;
            }
        }
    }
    if b == Backend::Postgres {
        // A role dropped by hand since is skipped, not a reason to stop
        // the server starting.
        let roles: Vec<String> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "select role from bi_reader where role in (select rolname from pg_roles) order by role"
        )
        .fetch_all(c)
        .await
        })?;
        for role in roles {
            grant_in(&mut tx, &defs, &role).await?;
        }
    }
    exec_tx!(
        &mut tx,
        "insert into bi_schema (singleton, version, fingerprint, installed_at) values (1, $1, $2, $3)
         on conflict (singleton) do update set version = excluded.version,
             fingerprint = excluded.fingerprint, installed_at = excluded.installed_at",
        SCHEMA_VERSION,
        print,
        crate::db::now()
    )?;
    tx.commit().await?;
    Ok(())
}

/// Drops every relation named `mart_*` (and forgets the fingerprint), before
/// migrations run.
pub async fn drop_views(db: &Db) -> anyhow::Result<()> {
    let b = db.backend();
    let mut tx = db.begin().await?;
    let names: Vec<String> = match b {
        Backend::Sqlite => on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "select name from sqlite_master where type = 'view' and name like 'mart\\_%' escape '\\'"
        )
        .fetch_all(c)
        .await
        })?,
        Backend::Postgres => on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select table_name::text from information_schema.views
             where table_schema = current_schema() and table_name like 'mart\\_%'"
        )
        .fetch_all(c)
        .await)?,
    };
    for n in names {
        let sql = match b {
            Backend::Sqlite => format!("drop view if exists \"{n}\""),
            Backend::Postgres => format!("drop view if exists \"{n}\" cascade"),
        };
        exec_tx!(&mut tx, sqlx::AssertSqlSafe(sql))?;
    }
    // The table exists only once the BI migration ran.
    let has_table: bool = match b {
        Backend::Sqlite => {
            on_tx!(&mut tx, |c| sqlx::query_scalar::<_, i64>(
                "select count(*) from sqlite_master where type = 'table' and name = 'bi_schema'"
            )
            .fetch_one(c)
            .await)?
                > 0
        }
        Backend::Postgres => {
            on_tx!(&mut tx, |c| sqlx::query_scalar::<_, i64>(
                "select count(*) from information_schema.tables
             where table_schema = current_schema() and table_name = 'bi_schema'"
            )
            .fetch_one(c)
            .await)?
                > 0
        }
    };
    if has_table {
        exec_tx!(&mut tx, "delete from bi_schema")?;
    }
    tx.commit().await?;
    Ok(())
}

async fn drop_in(tx: &mut Tx, defs: &[&MartDef]) -> anyhow::Result<()> {
    for d in defs.iter().rev() {
        let sql = match tx.backend() {
            Backend::Sqlite => format!("drop view if exists {}", d.name),
            Backend::Postgres => format!("drop view if exists {} cascade", d.name),
        };
        exec_tx!(&mut *tx, sqlx::AssertSqlSafe(sql))?;
    }
    Ok(())
}

async fn grant_in(tx: &mut Tx, defs: &[&MartDef], role: &str) -> anyhow::Result<()> {
    let role = quote_ident(role)?;
    exec_tx!(
        &mut *tx,
        sqlx::AssertSqlSafe(format!("grant usage on schema public to {role}"))
    )?;
    for d in defs {
        exec_tx!(
            &mut *tx,
            sqlx::AssertSqlSafe(format!("grant select on {} to {role}", d.name))
        )?;
    }
    Ok(())
}

/// A role name quoted for SQL; names are letters, digits and `_` only.
fn quote_ident(role: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        !role.is_empty()
            && role.len() <= 63
            && role
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !role.as_bytes()[0].is_ascii_digit(),
        "a role name is 1 to 63 lower-case letters, digits and '_', not starting with a digit"
    );
    Ok(format!("\"{role}\""))
}

/// `veche bi grant-readonly ROLE`: creates (if missing) a PostgreSQL role
/// that can log in with `password` and read only the `mart_*` relations,
/// and remembers it so re-created views keep the grant. The views read the
/// tables with their owner's rights, so the role needs no grant on them.
pub async fn grant_readonly(
    db: &Db,
    marts: &Marts,
    role: &str,
    password: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        db.backend() == Backend::Postgres,
        "read-only roles are a PostgreSQL feature; an SQLite file is shared read-only by opening it with mode=ro (docs/BI.md)"
    );
    let quoted = quote_ident(role)?;
    install(db, marts).await?;
    let mut tx = db.begin().await?;
    let exists: bool = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select exists (select 1 from pg_roles where rolname = $1)"
    )
    .bind(role)
    .fetch_one(c)
    .await)?;
    if !exists {
        exec_tx!(
            &mut tx,
            sqlx::AssertSqlSafe(format!("create role {quoted} nologin"))
        )?;
    }
    if let Some(p) = password {
        let p = p.replace('\'', "''");
        exec_tx!(
            &mut tx,
            sqlx::AssertSqlSafe(format!("alter role {quoted} login password '{p}'"))
        )?;
    }
    let defs = all_defs(marts);
    grant_in(&mut tx, &defs, role).await?;
    exec_tx!(
        &mut tx,
        "insert into bi_reader (role, granted_at) values ($1, $2) on conflict (role) do nothing",
        role,
        crate::db::now()
    )?;
    tx.commit().await?;
    Ok(())
}

/// Runs the migrations shipped with the binary with the views out of their
/// way, then installs the views: every place that migrates goes through
/// here. On PostgreSQL one process at a time does it (a session lock on a
/// connection of its own, outside the pool), so a process starting beside
/// another never drops the views the other has just installed.
pub async fn migrate(db: &Db, marts: &Marts) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut lock = match db {
        Db::Postgres(pool) => {
            let mut c = sqlx::PgConnection::connect_with(&pool.connect_options()).await?;
            sqlx::query("select pg_advisory_lock(7307)")
                .execute(&mut c)
                .await?;
            Some(c)
        }
        Db::Sqlite(_) => None,
    };
    let done = async {
        if db.has_pending_migrations().await? {
            drop_views(db).await?;
            db.migrate().await?;
        }
        install(db, marts).await
    }
    .await;
    if let Some(c) = lock.take() {
        // Closing the session releases the lock as well.
        let _ = c.close().await;
    }
    done
}

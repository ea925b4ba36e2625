//! Business intelligence through HTTP (docs/BI.md): the reporting schema's
//! relations on both backends, the dictionary page, the explorer, the
//! read-only role and the BI platform's files.

mod superset;

use axum::http::StatusCode;

use crate::both_backends;
use crate::problems::{citizen, sign_in_as};

mod drill;
mod explorer;
mod fixture;
mod marts;
mod privacy;

both_backends!(
    the_dictionary_lists_every_column_and_every_view_answers,
    |app| {
        // Citizens do not read the dictionary; staff of the core do.
        citizen(&app, "bi-citizen@example.ru", "Житель").await;
        assert_ne!(app.get("/bi/schema").await.status, StatusCode::OK);
        let officer = citizen(&app, "bi-officer@krasnodar.ru", "Аналитик").await;
        app.make_officer(officer, "min-economy").await;
        sign_in_as(&app, "bi-officer@krasnodar.ru").await;
        let page = app.get("/bi/schema").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let marts = veche::features::bi_marts();
        let defs = veche::bi::install::all_defs(&marts);
        assert!(defs.len() >= 5, "the schema's relations: {}", defs.len());
        for d in defs {
            assert!(
                page.body.contains(&format!("id=\"{}\"", d.name)),
                "{} is not listed",
                d.name
            );
            for c in d.columns {
                assert!(
                    page.body.contains(&format!("<code>{}</code>", c.name)),
                    "{}.{} is not listed",
                    d.name,
                    c.name
                );
            }
            // Every view exists and answers with exactly its documented
            // columns, in order.
            let names = select_columns(&app, d.name).await;
            let want: Vec<&str> = d.columns.iter().map(|c| c.name).collect();
            assert_eq!(names, want, "the columns of {}", d.name);
        }
        assert_eq!(
            app.scalar("select version from mart_schema").await,
            veche::bi::SCHEMA_VERSION
        );
    }
);

/// The column names a relation answers with.
pub async fn select_columns(app: &crate::helpers::TestApp, relation: &str) -> Vec<String> {
    use sqlx::{Column, Row};
    let sql = format!("select * from {relation} limit 1");
    // An empty relation still has columns: describe through a query that
    // yields one row of nulls beside it.
    let sql = format!("select t.* from (select 1 as one) o left join ({sql}) t on 1 = 1");
    veche::on_db!(&app.state.db, |pool| {
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(pool)
            .await
            .unwrap();
        row.columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect::<Vec<_>>()
    })
}

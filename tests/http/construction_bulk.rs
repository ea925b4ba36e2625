//! The spreadsheet import's bulk path through HTTP: a sheet larger than one
//! multi-row insert is previewed and committed; a row matched to an object
//! an earlier row of the same file added updates it (as row-by-row writing
//! did); each object's history entry names its own row; a failure in the
//! middle of the writes leaves nothing behind, and the same preview can be
//! committed once the cause is gone.

use axum::http::StatusCode;

use crate::both_backends;
use crate::construction::{commit_path, officer, upload, xlsx};
use crate::helpers::{Backend, TestApp};

/// Rows of the sheet: more than two multi-row inserts of objects.
const ROWS: u32 = 2_500;

fn big_sheet() -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "Наименование",
            "Адрес",
            "Широта",
            "Долгота",
            "Кадастровый номер",
            "Этажность",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    // Sheet rows 2 ..= ROWS + 1, named after their row.
    for r in 2..ROWS + 2 {
        rows.push(vec![
            format!("Объект {r}"),
            format!("Краснодар, ул. Пакетная, {r}"),
            "45.05".into(),
            "38.98".into(),
            format!("23:43:{r:07}:1"),
            "3".into(),
        ]);
    }
    // Row ROWS + 2: no cadastral number, the address of row 2 written
    // otherwise: the object row 2 adds, updated.
    rows.push(vec![
        "Объект 2".into(),
        "краснодар, УЛ. ПАКЕТНАЯ 2".into(),
        "45.05".into(),
        "38.98".into(),
        String::new(),
        "5".into(),
    ]);
    // Row ROWS + 3: refused, and reported by its number.
    rows.push(vec![
        "Объект с ошибкой".into(),
        "Краснодар, ул. Пакетная, 0".into(),
        "широта".into(),
        "38.98".into(),
        String::new(),
        String::new(),
    ]);
    let refs: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
    xlsx(&refs, None)
}

/// Runs DDL of the test's own (a trigger) on the app's database.
async fn ddl(app: &TestApp, statements: &[&str]) {
    for s in statements {
        let sql = (*s).to_owned();
        veche::on_db!(&app.state.db, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(pool)
                .await
                .unwrap();
        });
    }
}

/// Makes the insert of the object of sheet row 2,400 fail: it is in the
/// third multi-row insert, after two have been written.
async fn refuse_row_2400(app: &TestApp) {
    match app.backend {
        Backend::Sqlite => {
            ddl(
                app,
                &["create trigger refuse_2400 before insert on construction_object
                   when new.name = 'Объект 2400'
                   begin select raise(abort, 'refused by the test'); end"],
            )
            .await
        }
        Backend::Postgres => {
            ddl(
                app,
                &[
                    "create function refuse_2400() returns trigger language plpgsql as $$
                     begin
                       if new.name = 'Объект 2400' then raise exception 'refused by the test'; end if;
                       return new;
                     end $$",
                    "create trigger refuse_2400 before insert on construction_object
                     for each row execute function refuse_2400()",
                ],
            )
            .await
        }
    }
}

both_backends!(a_large_import_is_written_in_bulk_all_or_nothing, |app| {
    officer(&app).await;
    let objects = "select count(*) from construction_object";
    let history = "select count(*) from construction_history";
    let preview = upload(&app, "big.xlsx", big_sheet()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview
            .body
            .contains(&format!(r#"id="rows-total">{}<"#, ROWS + 2)),
        "{}",
        preview.body
    );
    // Matched against the registry only (empty): every accepted row is new.
    assert!(
        preview
            .body
            .contains(&format!(r#"id="rows-new">{}<"#, ROWS + 1)),
        "{}",
        preview.body
    );
    assert!(preview.body.contains(r#"id="rows-rejected">1<"#));
    let problems = preview
        .body
        .split(r#"id="import-problems""#)
        .nth(1)
        .unwrap();
    assert!(
        problems.contains(&format!("<tr><td>{}</td><td>Широта</td>", ROWS + 3)),
        "{problems}"
    );

    // A failure in the third insert: nothing of the first two stays.
    refuse_row_2400(&app).await;
    let commit = commit_path(&preview);
    let token = preview.csrf_token();
    let failed = app.post_form_raw(&commit, &[("csrf_token", &token)]).await;
    assert_eq!(
        failed.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.body
    );
    assert_eq!(app.scalar(objects).await, 0);
    assert_eq!(app.scalar(history).await, 0);

    // The cause removed, the same preview is committed whole.
    ddl(
        &app,
        &[match app.backend {
            Backend::Sqlite => "drop trigger refuse_2400",
            Backend::Postgres => "drop trigger refuse_2400 on construction_object",
        }],
    )
    .await;
    let done = app.post_form_raw(&commit, &[("csrf_token", &token)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.headers["location"],
        format!("/construction/illegal?imported={ROWS}&updated=1").as_str()
    );
    assert_eq!(app.scalar(objects).await, i64::from(ROWS));
    assert_eq!(app.scalar(history).await, i64::from(ROWS) + 1);
    // Each object's first history entry names the row it came from.
    assert_eq!(
        app.scalar(
            r#"select count(*) from construction_history h
                   join construction_object o on o.object_id = h.object_id
                   where h.changes like ('%"row":' || substr(o.name, 8) || '}%')"#
        )
        .await,
        i64::from(ROWS)
    );
    // The object of row 2, updated by the later row with its address.
    let id = app
        .scalar("select object_id from construction_object where name = 'Объект 2'")
        .await;
    assert_eq!(
        app.scalar(&format!(
            "select floors from construction_object where object_id = {id}"
        ))
        .await,
        5
    );
    let page = app.get(&format!("/construction/objects/{id}")).await;
    assert!(page.body.contains("Этажность: 3 → 5"), "{}", page.body);
    // The last object added is the last row's, with its own values.
    assert_eq!(
            app.scalar(&format!(
                "select count(*) from construction_object where object_id = (select max(object_id) from construction_object)
                   and name = 'Объект {}' and cadastral_number = '23:43:{:07}:1'",
                ROWS + 1,
                ROWS + 1
            ))
            .await,
            1
        );
});

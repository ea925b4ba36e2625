//! The first production start (issue 13): without the demo, an
//! administrator loads the real directory and the routing from files with
//! `veche import-directory`, every row checked, a rejected row stopping the
//! file unless `--skip-invalid`; reports are then routed by it.

use axum::http::StatusCode;

use crate::both_backends;
use crate::opendata_api::veche;
use crate::problems::{KRASNODAR, appeal, citizen, file, id_from, set, sign_in_as};

fn run(app: &crate::helpers::TestApp, args: &[&str]) -> (bool, String) {
    crate::helpers::output_of(veche(app).arg("import-directory").args(args))
}

both_backends!(
    a_production_directory_and_its_routing_come_from_files,
    config = |c| c.server.demo = false,
    |app| {
        let dir = tempfile::tempdir().unwrap();
        let orgs = dir.path().join("organisations.csv");
        // Semicolons, as Excel writes CSV here; the unit before its parent;
        // one row with an unknown kind and no name.
        std::fs::write(
            &orgs,
            "id;parent_id;kind;name_ru;name_en;short_name_ru;short_name_en;inn;municipality_id;email;phone;website\n\
             roads-office;sochi-admin;department;Управление дорог;Roads office;Дороги;Roads;;;;;\n\
             sochi-admin;;municipal_administration;Администрация города Сочи;Sochi City Administration;Администрация Сочи;Sochi administration;;sochi;;;https://sochi.ru\n\
             broken;;castle;;;;;;;;;\n",
        )
        .unwrap();
        let path = orgs.to_str().unwrap();

        // One rejected row: the whole file waits, every problem is named.
        let (ok, out) = run(&app, &[path]);
        assert!(!ok, "{out}");
        assert!(
            out.contains("row 4 kind") && out.contains("row 4 name_ru"),
            "{out}"
        );
        assert!(out.contains("nothing written"), "{out}");
        assert_eq!(
            app.get("/organisations/sochi-admin").await.status,
            StatusCode::NOT_FOUND
        );

        // A dry run checks and writes nothing either.
        let (_, out) = run(&app, &[path, "--dry-run", "--skip-invalid"]);
        assert!(out.contains("2 new"), "{out}");
        assert_eq!(
            app.get("/organisations/sochi-admin").await.status,
            StatusCode::NOT_FOUND
        );

        // With --skip-invalid the good rows go in, parents first.
        let (ok, out) = run(&app, &[path, "--skip-invalid"]);
        assert!(ok, "{out}");
        assert!(out.contains("2 new") && out.contains("1 rejected"), "{out}");
        let unit = app.get("/organisations/roads-office").await;
        assert_eq!(unit.status, StatusCode::OK);
        assert!(
            unit.body.contains("/organisations/sochi-admin"),
            "the parent is linked"
        );
        // Importing again updates, adds nothing.
        let (ok, out) = run(&app, &[path, "--skip-invalid"]);
        assert!(ok && out.contains("0 new, 2 updated"), "{out}");

        // The routing: a default for potholes and a rule for Sochi.
        let routing = dir.path().join("routing.csv");
        std::fs::write(
            &routing,
            "category_id,municipality,organisation_id\n\
             road-pothole,,roads-office\n\
             road-pothole,Сочи,sochi-admin\n\
             no-such-category,,roads-office\n",
        )
        .unwrap();
        let (ok, out) = run(&app, &[routing.to_str().unwrap(), "--skip-invalid"]);
        assert!(ok, "{out}");
        assert!(out.contains("row 4 category_id"), "{out}");

        set(&app, "premoderation", "off").await;
        citizen(&app, "first@example.ru", "Первая Жительница").await;
        sign_in_as(&app, "first@example.ru").await;
        let sochi = id_from(
            &file(
                &app,
                "road-pothole",
                ("43.5855", "39.7231"),
                "Яма в Сочи.",
                &[],
            )
            .await,
        );
        let krasnodar =
            id_from(&file(&app, "road-pothole", KRASNODAR, "Яма в Краснодаре.", &[]).await);
        assert_eq!(
            appeal(&app, sochi).await.organisation_id.as_deref(),
            Some("sochi-admin")
        );
        assert_eq!(
            appeal(&app, krasnodar).await.organisation_id.as_deref(),
            Some("roads-office")
        );

        // Not a directory at all: refused as a whole.
        let junk = dir.path().join("junk.txt");
        std::fs::write(&junk, "hello").unwrap();
        let (ok, out) = run(&app, &[junk.to_str().unwrap()]);
        assert!(!ok && out.contains(".csv"), "{out}");
    }
);

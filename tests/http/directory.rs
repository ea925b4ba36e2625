use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;

async fn org_count(app: &TestApp) -> i64 {
    veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from organisation"
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

both_backends!(
    the_directory_shows_portfolios_departments_and_municipal_administrations,
    |app| {
        let r = app.get("/organisations").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Губернатор Краснодарского края"));
        assert!(r.body.contains("Министерство транспорта"));
        assert!(
            r.body.contains("Демонстрационный справочник"),
            "demo data is labelled"
        );
        assert_eq!(r.body.matches("/organisations/admin-").count(), 44);

        let r = app.get("/organisations/min-transport").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("/organisations/vg-infrastructure"),
            "its portfolio"
        );

        let list = app.get("/api/v1/organisations").await.json();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 100);
        let kinds = |k: &str| list.iter().filter(|o| o["kind"] == k).count();
        assert_eq!(kinds("municipal_administration"), 44);
        assert_eq!(kinds("portfolio"), 9);
        assert!(kinds("department") >= 38);
        let one = app
            .get("/api/v1/organisations/dep-construction-supervision")
            .await
            .json();
        assert_eq!(one["parent_id"], "vg-construction");
        assert_eq!(
            app.get("/api/v1/organisations/nope").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    administrators_edit_the_directory_and_search_follows,
    |app| {
        app.signed_in_admin().await;
        let edit = "/admin/organisations/min-transport/edit";
        let form = app.get(edit).await;
        assert_eq!(form.status, StatusCode::OK);
        let mut fields = vec![
            ("kind", "department"),
            ("parent_id", "vg-infrastructure"),
            (
                "name_ru",
                "Министерство транспорта и автомобильных дорог Краснодарского края",
            ),
            (
                "name_en",
                "Ministry of Transport and Motorways of Krasnodar Krai",
            ),
            ("short_name_ru", "Минтранс"),
            ("short_name_en", "Mintrans"),
            ("inn", "1234567890"),
            ("email", "mintrans@krasnodar.ru"),
        ];
        let r = app.submit(edit, edit, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a bad INN");
        assert!(r.body.contains("контрольной суммой"));
        fields[6] = ("inn", "");
        fields[1] = ("parent_id", "min-transport");
        let r = app.submit(edit, edit, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reporting to itself"
        );
        assert!(r.body.contains("не может подчиняться сама себе"));
        assert!(
            app.get("/organisations/min-transport")
                .await
                .body
                .contains("Министерство транспорта и дорожного"),
            "unchanged"
        );

        fields[1] = ("parent_id", "vg-infrastructure");
        let r = app.submit(edit, edit, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/organisations/min-transport?done=1");
        // The change is confirmed on the page it lands on.
        let landed = app.get(r.location()).await.body;
        assert!(landed.contains("Готово: изменения сохранены."), "{landed}");
        assert!(
            app.get("/organisations/min-transport")
                .await
                .body
                .contains("автомобильных дорог")
        );

        app.run_workers().await;
        let r = app.get("/search?q=автомобильные").await;
        assert!(
            r.body.contains("/organisations/min-transport"),
            "stemmed search finds the new name: {}",
            r.body
        );

        // A new organisation.
        let new = "/admin/organisations/new";
        let r = app
            .submit(
                new,
                new,
                &[
                    ("id", "gku-test"),
                    ("kind", "state_company"),
                    ("parent_id", "min-transport"),
                    ("name_ru", "ГКУ Тест"),
                    ("name_en", "Test agency"),
                    ("short_name_ru", "Тест"),
                    ("short_name_en", "Test"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(
                new,
                new,
                &[
                    ("id", "gku-test"),
                    ("kind", "state_company"),
                    ("name_ru", "Дубль"),
                    ("name_en", "Dup"),
                    ("short_name_ru", "Д"),
                    ("short_name_en", "D"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("уже занят"));
        assert_eq!(org_count(&app).await, 101);
    }
);

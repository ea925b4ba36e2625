use axum::http::StatusCode;

use crate::both_backends;

both_backends!(points_are_placed_in_their_municipality, |app| {
    for (lat, lon, id, name) in [
        (45.0355, 38.9753, "krasnodar", "Краснодар"),
        (43.5855, 39.7231, "sochi", "Сочи"),
    ] {
        let r = app
            .get(&format!("/api/v1/locate?lat={lat}&lon={lon}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["id"], id);
        assert_eq!(j["name"], name);
        assert_eq!(j["kind"], "urban_okrug");
    }
});

both_backends!(points_outside_the_region_get_a_clear_json_error, |app| {
    // The Sea of Azov.
    let r = app.get("/api/v1/locate?lat=46.2&lon=37.0").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["error"]["code"], "outside_region");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in the sea or in a neighbouring region")
    );
    assert!(
        j["error"]["message_ru"]
            .as_str()
            .unwrap()
            .contains("в море")
    );
    // Moscow: far away, and the message suggests swapped coordinates.
    let r = app.get("/api/v1/locate?lat=55.75&lon=37.62").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("swapped")
    );
    // Not a coordinate at all.
    let r = app.get("/api/v1/locate?lat=95&lon=38").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "invalid_coordinates");
    let r = app.get("/api/v1/locate?lat=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "invalid_query");
});

both_backends!(municipalities_are_served_as_geojson, |app| {
    let r = app.get("/api/v1/municipalities").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/geo+json");
    let j = r.json();
    assert_eq!(j["type"], "FeatureCollection");
    let features = j["features"].as_array().unwrap();
    assert_eq!(features.len(), 44);
    let krasnodar = features
        .iter()
        .find(|f| f["properties"]["id"] == "krasnodar")
        .unwrap();
    assert_eq!(krasnodar["properties"]["name"], "Краснодар");
    assert_eq!(krasnodar["properties"]["oktmo"], "03701000");
    assert_eq!(krasnodar["properties"]["kind"], "urban_okrug");
    assert_eq!(krasnodar["geometry"]["type"], "MultiPolygon");
    let full = r.body.len();
    let map = app.get("/api/v1/municipalities?detail=map").await;
    assert!(map.body.len() * 2 < full, "the map detail is much lighter");
    assert_eq!(map.json()["features"].as_array().unwrap().len(), 44);

    let one = app.get("/api/v1/municipalities/sochi").await;
    assert_eq!(one.json()["properties"]["name_en"], "Sochi");
    assert_eq!(
        app.get("/api/v1/municipalities/atlantis").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = app.get("/api/v1/municipalities?detail=huge").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let stored = veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from municipality"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(stored, 44);
});

both_backends!(each_municipality_has_a_page_with_its_map, |app| {
    let r = app.get("/municipalities/krasnodar").await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert!(b.contains("<h1>Краснодар</h1>"));
    assert!(b.contains("03701000"), "OKTMO");
    assert!(
        b.contains("/organisations/admin-krasnodar"),
        "its administration"
    );
    assert!(b.contains("leaflet.js"));
    assert!(
        b.contains(r#"id="municipality-geojson""#),
        "the outline for the map"
    );
    assert!(
        b.contains("<svg"),
        "an outline that works without scripts or tiles"
    );
    assert!(
        b.contains("tile.openstreetmap.org"),
        "the configured tile URL"
    );

    let r = app.get("/municipalities").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("<path").count(), 44, "all 44 outlines");
    assert_eq!(
        app.get("/municipalities/atlantis").await.status,
        StatusCode::NOT_FOUND
    );
});

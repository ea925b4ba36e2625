//! Law-making through HTTP: an initiative's whole path from a concept to an
//! adopted act (supports, the discussion, versions with an accepted
//! amendment and an annotation that survives, the expertise, the
//! decision, the exports read back), a concept that fails to gather
//! support, who may write the expertise, and overdue reactions in public.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, sign_in_as};

const ORG: &str = "admin-krasnodar";

fn rules(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
    c.participation.initiative_supports_municipal = 2;
}

const V1: &str = "Статья 1. Предмет\n1. Закон регулирует благоустройство дворов.\n2. Он действует в крае.\n\nСтатья 2. Сроки\n1. Дворы благоустраиваются за три года.\n";

async fn moderator(app: &TestApp, email: &str) -> i64 {
    let id = citizen(app, email, "Модератор Мария").await;
    let mut tx = app.state.db.begin().await.unwrap();
    veche::auth::queries::grant_role(&mut tx, id, veche::auth::domain::GlobalRole::Moderator)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn page(id: i64) -> String {
    format!("/participation/lawmaking/{id}")
}

/// Takes an act from the initiative's page, as its form does.
async fn act(app: &TestApp, id: i64, fields: &[(&str, &str)]) -> crate::helpers::TestResponse {
    app.submit(&page(id), &format!("{}/act", page(id)), fields)
        .await
}

async fn stage(app: &TestApp, id: i64) -> (String, Option<String>) {
    let i = veche::participation::lawmaking::queries::initiative(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    (i.stage, i.outcome)
}

/// Moves an initiative's clocks back, as if `days` had passed.
async fn age(app: &TestApp, id: i64, days: i64) {
    let shift = |t: Option<time::OffsetDateTime>| t.map(|t| t - time::Duration::days(days));
    let i = veche::participation::lawmaking::queries::initiative(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    let (ends, due) = (shift(i.stage_ends_at), shift(i.act_due_at));
    veche::exec_db!(
        &app.state.db,
        "update initiative set stage_ends_at = $2, act_due_at = $3 where initiative_id = $1",
        id,
        ends,
        due
    )
    .unwrap();
}

async fn sweep(app: &TestApp) -> usize {
    veche::participation::lawmaking::sweep::sweep(&app.state)
        .await
        .unwrap()
}

/// A municipal concept by Olga, published by a moderator: its id.
async fn published_concept(app: &TestApp, title: &str) -> i64 {
    citizen(app, "olga@krd.example", "Ольга Инициатор").await;
    sign_in_as(app, "olga@krd.example").await;
    let r = app
        .submit(
            "/participation/lawmaking/new",
            "/participation/lawmaking/new",
            &[
                ("title", title),
                ("problem", "Дворы годами ждут ремонта, очереди нет."),
                (
                    "idea",
                    "Закон о ежегодной программе благоустройства дворов.",
                ),
                ("level", "municipality"),
                ("municipality_id", "krasnodar"),
                ("initiator", "citizen"),
                ("organisation_id", ORG),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/participation/lawmaking/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Before moderation it is the author's and the moderators' only.
    assert!(
        app.get(r.location())
            .await
            .body
            .contains("отправлена на модерацию")
    );
    app.clear_cookies();
    assert_eq!(app.get(&page(id)).await.status, StatusCode::NOT_FOUND);
    moderator(app, "mod@krd.example").await;
    sign_in_as(app, "mod@krd.example").await;
    let queue = app.get("/moderation/initiatives").await;
    assert!(queue.body.contains(title), "{}", queue.body);
    let r = act(app, id, &[("act", "publish")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(stage(app, id).await.0, "concept");
    id
}

/// Drives a published concept through support and discussion to the text
/// stage, with an officer of the responsible organisation signed up.
async fn in_text_stage(app: &TestApp, title: &str) -> i64 {
    let id = published_concept(app, title).await;
    for (email, name) in [("ivan@krd.example", "Иван"), ("petr@krd.example", "Пётр")] {
        citizen(app, email, name).await;
        sign_in_as(app, email).await;
        let r = act(app, id, &[("act", "support")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    assert_eq!(stage(app, id).await.0, "discussion");
    let officer = citizen(app, "officer@krd.example", "Сотрудник Администрации").await;
    app.make_officer(officer, ORG).await;
    age(app, id, 31).await;
    assert_eq!(sweep(app).await, 1);
    assert_eq!(stage(app, id).await.0, "text");
    id
}

fn version_id(app_body: &str) -> String {
    let at = app_body
        .find("name=\"version\" value=\"")
        .expect("a form with the version");
    app_body[at + 22..].split('"').next().unwrap().to_owned()
}

both_backends!(
    an_initiative_goes_from_concept_to_an_adopted_act,
    config = rules,
    |app| {
        // Hostile input: an overlong title is refused and nothing is written.
        citizen(&app, "early@krd.example", "Ранний").await;
        sign_in_as(&app, "early@krd.example").await;
        let long = "Ж".repeat(201);
        let r = app
            .submit(
                "/participation/lawmaking/new",
                "/participation/lawmaking/new",
                &[
                    ("title", long.as_str()),
                    ("problem", "п"),
                    ("idea", "и"),
                    ("level", "municipality"),
                    ("municipality_id", "krasnodar"),
                    ("initiator", "citizen"),
                    ("organisation_id", ORG),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.scalar("select count(*) from initiative").await, 0);

        let id = published_concept(&app, "Закон о благоустройстве дворов").await;
        assert_eq!(
            app.scalar("select supports_needed from initiative").await,
            2
        );
        // Supports: Ivan once (a second time is refused), then Pyotr, which
        // is enough: the discussion starts at once.
        citizen(&app, "ivan@krd.example", "Иван Комментатор").await;
        sign_in_as(&app, "ivan@krd.example").await;
        assert!(app.get(&page(id)).await.body.contains("value=\"support\""));
        assert_eq!(
            act(&app, id, &[("act", "support")]).await.status,
            StatusCode::SEE_OTHER
        );
        let again = app
            .post_form_raw(
                &format!("{}/act", page(id)),
                &[
                    ("csrf_token", &app.get(&page(id)).await.csrf_token()),
                    ("act", "support"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        citizen(&app, "petr@krd.example", "Пётр Поправкин").await;
        sign_in_as(&app, "petr@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "support")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(stage(&app, id).await.0, "discussion");

        // The discussion: Ivan comments, the organisation answers in the
        // thread and pins its answer.
        sign_in_as(&app, "ivan@krd.example").await;
        let r = act(
            &app,
            id,
            &[("act", "comment"), ("body", "Нужен ли отдельный закон?")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let question = app
            .scalar("select max(comment_id) from initiative_comment")
            .await;
        let officer = citizen(&app, "officer@krd.example", "Сотрудник Администрации").await;
        app.make_officer(officer, ORG).await;
        sign_in_as(&app, "officer@krd.example").await;
        let q = question.to_string();
        let r = act(
            &app,
            id,
            &[
                ("act", "comment"),
                ("parent", &q),
                ("body", "Да: программа нужна на несколько лет."),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let answer = app
            .scalar("select max(comment_id) from initiative_comment")
            .await
            .to_string();
        assert_eq!(
            act(
                &app,
                id,
                &[("act", "pin"), ("comment_id", &answer), ("pinned", "1")]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        app.clear_cookies();
        let public = app.get(&page(id)).await.body;
        assert!(
            public.contains("Да: программа нужна")
                && public.contains("ответ организации")
                && public.contains("Закреплено"),
            "{public}"
        );

        // The discussion's time runs out: the text stage owes a draft.
        age(&app, id, 31).await;
        assert_eq!(sweep(&app).await, 1);
        assert_eq!(stage(&app, id).await.0, "text");
        assert!(app.get(&page(id)).await.body.contains("id=\"act-due\""));
        sign_in_as(&app, "officer@krd.example").await;
        let r = act(
            &app,
            id,
            &[
                ("act", "publish_version"),
                ("body", V1),
                ("changelog", "Первая редакция"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.scalar("select count(*) from initiative where act_due_at is null")
                .await,
            1,
            "the draft was the act owed"
        );

        // Ivan annotates two passages; Pyotr proposes an amendment to one.
        sign_in_as(&app, "ivan@krd.example").await;
        let body = app.get(&page(id)).await.body;
        let v1 = version_id(&body);
        for (p, quote, note) in [
            ("2.1", "три года", "Слишком долго."),
            ("1.2", "действует в крае", "Уточните территорию."),
        ] {
            let r = act(
                &app,
                id,
                &[
                    ("act", "annotate"),
                    ("version", &v1),
                    ("paragraph", p),
                    ("quote", quote),
                    ("body", note),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // A quote that is not in the paragraph is refused.
        let r = act(
            &app,
            id,
            &[
                ("act", "annotate"),
                ("version", &v1),
                ("paragraph", "2.1"),
                ("quote", "пять лет"),
                ("body", "?"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        sign_in_as(&app, "petr@krd.example").await;
        let r = act(
            &app,
            id,
            &[
                ("act", "amend"),
                ("version", &v1),
                ("paragraph", "1.2"),
                ("proposed", "Он действует\nв Краснодарском крае."),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let amendment = app
            .scalar("select max(amendment_id) from initiative_amendment")
            .await
            .to_string();

        // The text cannot go to expertise with an amendment undecided.
        sign_in_as(&app, "officer@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "to_expertise")]).await.status,
            StatusCode::CONFLICT
        );
        let r = act(
            &app,
            id,
            &[
                ("act", "decide_amendment"),
                ("amendment_id", &amendment),
                ("accept", "1"),
                ("reason", "Уточняет территорию."),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The form of the next version starts with the accepted wording.
        let body = app.get(&page(id)).await.body;
        assert!(
            body.contains("2. Он действует в Краснодарском крае."),
            "{body}"
        );
        let v2_text = V1.replace("Он действует в крае.", "Он действует в Краснодарском крае.");
        let r = act(
            &app,
            id,
            &[
                ("act", "publish_version"),
                ("body", &v2_text),
                ("changelog", "Поправка принята"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.scalar("select count(*) from initiative_amendment a join initiative_version v on v.version_id = a.applied_in where v.number = 2").await,
            1,
            "the accepted amendment went into version 2"
        );

        // On version 2 the unchanged passage keeps its annotation; the
        // reworded one's is listed with version 1.
        app.clear_cookies();
        let body = app.get(&page(id)).await.body;
        let text = &body[body.find("id=\"p-2.1\"").unwrap()..];
        assert!(
            text[..text.find("</p>").unwrap()].contains("<mark>три года</mark>"),
            "{body}"
        );
        let earlier = &body[body
            .find("id=\"earlier-annotations\"")
            .expect("earlier annotations")..];
        assert!(earlier.contains("действует в крае") && earlier.contains("Уточните территорию."));
        assert!(body.contains("вошла в редакцию 2"));
        // The readable difference of the two versions.
        let diff = app.get(&format!("{}/diff?from=1&to=2", page(id))).await;
        assert_eq!(diff.status, StatusCode::OK);
        assert!(
            diff.body.contains("<del>")
                && diff.body.contains("<ins>")
                && diff.body.contains("<strong>Краснодарском "),
            "{}",
            diff.body
        );
        assert_eq!(
            app.get(&format!("{}/diff?from=1&to=9", page(id)))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Expertise: an appointed expert concludes; everyone reads it.
        citizen(&app, "expert@law.example", "Эксперт Правов").await;
        sign_in_as(&app, "officer@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "to_expertise")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(
                &app,
                id,
                &[("act", "appoint_expert"), ("email", "expert@law.example")]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        sign_in_as(&app, "expert@law.example").await;
        let r = act(
            &app,
            id,
            &[
                ("act", "conclude"),
                ("kind", "legal"),
                ("verdict", "remarks"),
                ("summary", "Соответствует законодательству, есть замечания."),
                ("document", "Полный текст правового заключения."),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        sign_in_as(&app, "officer@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "to_reaction")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(stage(&app, id).await.0, "reaction");
        // An adopted act needs its number and date.
        assert_eq!(
            act(&app, id, &[("act", "decide"), ("outcome", "adopted")])
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let r = act(
            &app,
            id,
            &[
                ("act", "decide"),
                ("outcome", "adopted"),
                ("number", "4512-КЗ"),
                ("date", "2026-11-20"),
                (
                    "link",
                    "https://publication.pravo.gov.ru/document/2300202611200001",
                ),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            stage(&app, id).await,
            ("closed".into(), Some("adopted".into()))
        );
        // The decision is mirrored in the core as an order to the
        // responsible organisation, linked to the initiative.
        app.run_workers().await;
        let order = app
            .scalar("select order_id from pm_order where source = 'initiative' and organisation_id = 'admin-krasnodar'")
            .await;
        let o = app.get(&format!("/pm/orders/{order}")).await;
        assert_eq!(o.status, StatusCode::OK);
        assert!(
            o.body.contains("Закон о благоустройстве дворов") && o.body.contains(&page(id)),
            "{}",
            o.body
        );

        // The public page: the decision, the concept beside the adopted
        // text, and the timeline of who did what.
        app.clear_cookies();
        let body = app.get(&page(id)).await.body;
        assert!(body.contains("id=\"decision\"") && body.contains("4512-КЗ"));
        let comparison = &body[body.find("id=\"comparison\"").expect("comparison")..];
        assert!(
            comparison.contains("Закон о ежегодной программе")
                && comparison.contains("Краснодарском крае")
        );
        let timeline = &body[body.find("id=\"timeline\"").unwrap()..];
        for step in [
            "Концепция предложена",
            "2. Обсуждение идеи",
            "Опубликована редакция",
            "Поправка принята",
            "Назначен эксперт",
            "Правовая экспертиза",
            "Принят нормативный акт",
        ] {
            assert!(timeline.contains(step), "the timeline misses {step}");
        }
        assert!(
            timeline.contains("Администрация"),
            "officials are named by organisation"
        );
        let api = app.get(&format!("/api/v1/initiatives/{id}")).await.json();
        assert_eq!(api["outcome"], "adopted");
        assert_eq!(api["conclusions"][0]["verdict"], "remarks");
        assert_eq!(api["decision"]["number"], "4512-КЗ");

        // The exports, read back.
        let docx = app.get(&format!("{}/export.docx", page(id))).await;
        assert_eq!(docx.status, StatusCode::OK);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        for s in [
            "Закон о благоустройстве дворов",
            "Он действует в Краснодарском крае.",
            "4512-КЗ",
            "Поправка принята",
        ] {
            assert!(xml.contains(s), "the DOCX misses {s}");
        }
        let pdf = app.get(&format!("{}/export.pdf", page(id))).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        if let Some(text) = crate::construction::pdf_text(&pdf.bytes) {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for s in [
                "Закон о благоустройстве дворов",
                "Краснодарском крае",
                "4512-КЗ",
            ] {
                assert!(flat.contains(s), "the PDF misses {s}: {flat}");
            }
        }
        crate::hostile::still_healthy(&app).await;
    }
);

both_backends!(
    a_concept_short_of_support_closes_in_time,
    config = rules,
    |app| {
        let id = published_concept(&app, "Закон о тишине во дворах").await;
        citizen(&app, "ivan@krd.example", "Иван").await;
        sign_in_as(&app, "ivan@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "support")]).await.status,
            StatusCode::SEE_OTHER
        );
        // Before the end nothing moves; after it the concept closes.
        assert_eq!(sweep(&app).await, 0);
        age(&app, id, 91).await;
        // Past its end, before the hourly job has run, a support is refused
        // and not offered: it cannot move the concept on late.
        citizen(&app, "petr@krd.example", "Пётр").await;
        sign_in_as(&app, "petr@krd.example").await;
        assert!(!app.get(&page(id)).await.body.contains("value=\"support\""));
        let token = app.get(&page(id)).await.csrf_token();
        let r = app
            .post_form_raw(
                &format!("{}/act", page(id)),
                &[("csrf_token", &token), ("act", "support")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(sweep(&app).await, 1);
        assert_eq!(
            stage(&app, id).await,
            ("closed".into(), Some("not_enough_support".into()))
        );
        assert_eq!(sweep(&app).await, 0, "a closed concept is not moved twice");
        citizen(&app, "late@krd.example", "Опоздавший").await;
        sign_in_as(&app, "late@krd.example").await;
        let body = app.get(&page(id)).await.body;
        assert!(body.contains("Недостаточно поддержки"));
        assert!(!body.contains("value=\"support\""), "no support is offered");
        let r = app
            .post_form_raw(
                &format!("{}/act", page(id)),
                &[
                    ("csrf_token", &app.get(&page(id)).await.csrf_token()),
                    ("act", "support"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.scalar("select support_count from initiative").await, 1);
    }
);

both_backends!(
    the_expertise_is_read_by_all_and_written_by_appointed_experts,
    config = rules,
    |app| {
        let id = in_text_stage(&app, "Закон о велодорожках").await;
        sign_in_as(&app, "officer@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "publish_version"), ("body", V1)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&app, id, &[("act", "to_expertise")]).await.status,
            StatusCode::SEE_OTHER
        );
        citizen(&app, "expert@law.example", "Эксперт Финансов").await;
        sign_in_as(&app, "officer@krd.example").await;
        // An address nobody signed up with is refused.
        assert_eq!(
            act(
                &app,
                id,
                &[("act", "appoint_expert"), ("email", "nobody@law.example")]
            )
            .await
            .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            act(
                &app,
                id,
                &[("act", "appoint_expert"), ("email", "expert@law.example")]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let conclusion = [
            ("act", "conclude"),
            ("kind", "financial"),
            ("verdict", "opposes"),
            ("summary", "Нет источника финансирования."),
            ("document", "Расчёт расходов приложен."),
        ];
        // Neither a citizen, nor the organisation's own officer, nor the
        // initiator writes a conclusion; the page offers them no form.
        for who in [
            "ivan@krd.example",
            "officer@krd.example",
            "olga@krd.example",
        ] {
            sign_in_as(&app, who).await;
            assert!(
                !app.get(&page(id)).await.body.contains("value=\"conclude\""),
                "{who} is offered the form"
            );
            assert_eq!(
                act(&app, id, &conclusion).await.status,
                StatusCode::CONFLICT,
                "{who} concluded"
            );
        }
        assert_eq!(
            app.scalar("select count(*) from initiative_conclusion")
                .await,
            0
        );
        sign_in_as(&app, "expert@law.example").await;
        assert!(app.get(&page(id)).await.body.contains("value=\"conclude\""));
        assert_eq!(
            act(&app, id, &conclusion).await.status,
            StatusCode::SEE_OTHER
        );
        // One conclusion of a kind.
        assert_eq!(
            act(&app, id, &conclusion).await.status,
            StatusCode::CONFLICT
        );
        // Everyone reads it, signed in or not.
        app.clear_cookies();
        let body = app.get(&page(id)).await.body;
        let block = &body[body
            .find("id=\"conclusion-financial\"")
            .expect("the conclusion")..];
        assert!(
            block.contains("Не поддерживает")
                && block.contains("Нет источника финансирования.")
                && block.contains("Эксперт Финансов")
        );
        let list = app.get("/api/v1/initiatives").await.json();
        assert_eq!(
            list["initiatives"][0]["conclusions"][0]["kind"],
            "financial"
        );
    }
);

both_backends!(overdue_reactions_are_public, config = rules, |app| {
    let id = in_text_stage(&app, "Закон о детских площадках").await;
    // The draft is owed within the SLA; past it the lateness is public.
    app.clear_cookies();
    assert!(app.get(&page(id)).await.body.contains("id=\"act-due\""));
    assert!(
        !app.get("/participation/lawmaking?overdue=1")
            .await
            .body
            .contains("Закон о детских площадках")
    );
    age(&app, id, 30).await;
    let body = app.get(&page(id)).await.body;
    let notice = &body[body.find("id=\"overdue\"").expect("an overdue notice")..];
    assert!(notice.contains("опубликовать проект текста"), "{notice}");
    // The same in English.
    app.set_cookie("veche_lang", "en");
    let en = app.get(&page(id)).await.body;
    assert!(
        en.contains("Overdue:") && en.contains("publish the draft text"),
        "{en}"
    );
    app.set_cookie("veche_lang", "ru");
    let list = app.get("/participation/lawmaking?overdue=1").await.body;
    assert!(list.contains("Закон о детских площадках") && list.contains("Срок нарушен"));
    assert_eq!(
        app.get(&format!("/api/v1/initiatives/{id}")).await.json()["overdue"],
        true
    );
    // The late act done, the initiative is no longer overdue; the decision
    // stage owes its own and is watched the same way.
    sign_in_as(&app, "officer@krd.example").await;
    assert_eq!(
        act(&app, id, &[("act", "publish_version"), ("body", V1)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get(&format!("/api/v1/initiatives/{id}")).await.json()["overdue"],
        false
    );
    assert_eq!(
        act(&app, id, &[("act", "to_expertise")]).await.status,
        StatusCode::SEE_OTHER
    );
    citizen(&app, "expert@law.example", "Эксперт").await;
    sign_in_as(&app, "officer@krd.example").await;
    act(
        &app,
        id,
        &[("act", "appoint_expert"), ("email", "expert@law.example")],
    )
    .await;
    sign_in_as(&app, "expert@law.example").await;
    act(
        &app,
        id,
        &[
            ("act", "conclude"),
            ("kind", "legal"),
            ("verdict", "supports"),
            ("summary", "Замечаний нет."),
            ("document", "Текст."),
        ],
    )
    .await;
    sign_in_as(&app, "officer@krd.example").await;
    assert_eq!(
        act(&app, id, &[("act", "to_reaction")]).await.status,
        StatusCode::SEE_OTHER
    );
    age(&app, id, 30).await;
    app.clear_cookies();
    let body = app.get(&page(id)).await.body;
    assert!(body[body.find("id=\"overdue\"").expect("overdue")..].contains("опубликовать решение"));
    // A rejection says why.
    sign_in_as(&app, "officer@krd.example").await;
    assert_eq!(
        act(&app, id, &[("act", "decide"), ("outcome", "rejected")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(
            &app,
            id,
            &[
                ("act", "decide"),
                ("outcome", "rejected"),
                ("reasons", "Вопрос решён федеральным законом.")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    app.clear_cookies();
    let body = app.get(&page(id)).await.body;
    assert!(!body.contains("id=\"overdue\"") && body.contains("Вопрос решён федеральным законом."));
});

both_backends!(
    a_moderator_hides_a_flagged_comment_with_a_reason,
    config = rules,
    |app| {
        let id = published_concept(&app, "Закон о парковках").await;
        for email in ["ivan@krd.example", "petr@krd.example"] {
            citizen(&app, email, "Житель").await;
            sign_in_as(&app, email).await;
            act(&app, id, &[("act", "support")]).await;
        }
        sign_in_as(&app, "ivan@krd.example").await;
        act(
            &app,
            id,
            &[("act", "comment"), ("body", "Грубость и оскорбления")],
        )
        .await;
        let c = app
            .scalar("select max(comment_id) from initiative_comment")
            .await
            .to_string();
        sign_in_as(&app, "petr@krd.example").await;
        assert_eq!(
            act(&app, id, &[("act", "flag_comment"), ("comment_id", &c)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        sign_in_as(&app, "mod@krd.example").await;
        let queue = app.get("/moderation/initiatives").await.body;
        assert!(queue.contains("Грубость и оскорбления"));
        let r = app
            .submit(
                "/moderation/initiatives",
                &format!("/moderation/initiative-comments/{c}"),
                &[("decision", "hide"), ("reason", "Оскорбления")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.clear_cookies();
        let body = app.get(&page(id)).await.body;
        assert!(
            !body.contains("Грубость и оскорбления")
                && body.contains("Комментарий скрыт модератором: Оскорбления")
        );

        // Replies nest four deep; a deeper one is refused (hostile input:
        // a chain of thousands would not render).
        let mut parent = c.clone();
        for (k, who) in [
            "petr@krd.example",
            "ivan@krd.example",
            "petr@krd.example",
            "ivan@krd.example",
        ]
        .iter()
        .enumerate()
        {
            sign_in_as(&app, who).await;
            let body = format!("Ответ {k}");
            let r = act(
                &app,
                id,
                &[("act", "comment"), ("parent", &parent), ("body", &body)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            parent = app
                .scalar("select max(comment_id) from initiative_comment")
                .await
                .to_string();
        }
        sign_in_as(&app, "petr@krd.example").await;
        let r = act(
            &app,
            id,
            &[
                ("act", "comment"),
                ("parent", &parent),
                ("body", "Слишком глубоко"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.scalar("select count(*) from initiative_comment").await,
            5
        );
        assert!(app.get(&page(id)).await.body.contains("Ответ 3"));
    }
);

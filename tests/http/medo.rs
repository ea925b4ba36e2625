//! МЭДО through the real interfaces: packages as «Дело» writes them
//! (windows-1251 envelope, IEDMS 2.6 XML, a PDF) dropped in a partner's
//! inbound folder, read by the gateway, and answered in its outbound
//! folder; the orders they open acted on through HTTP. Every XML veche
//! writes is checked with `xmllint --schema` against IEDMS.xsd 2.6.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::StatusCode;
use veche::integration::medo as md;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, sign_in_as};

/// The sender of the fixture: the administration's «Дело».
pub const DELO_UID: &str = "a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/medo")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// The administrator registers the «Дело» of the administration as a МЭДО
/// partner (through the form); its folders are under the data folder.
pub async fn delo_partner(app: &TestApp) -> (PathBuf, PathBuf) {
    app.signed_in_admin().await;
    let inbound = app.dir.path().join("medo-in");
    let outbound = app.dir.path().join("medo-out");
    std::fs::create_dir_all(&inbound).unwrap();
    let r = app
        .submit(
            "/admin/integration",
            "/admin/integration",
            &[
                ("partner_id", "delo"),
                ("name", "СЭД «Дело» администрации"),
                ("kind", "medo"),
                ("organisations", "governor"),
                ("medo_uid", DELO_UID),
                ("inbound_dir", inbound.to_str().unwrap()),
                ("outbound_dir", outbound.to_str().unwrap()),
                ("encoding", "windows-1251"),
            ],
        )
        .await;
    // A generated secret is shown on the page (200), never in a URL.
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (inbound, outbound)
}

pub async fn poll(app: &TestApp) -> md::gateway::Round {
    md::gateway::poll_settled(&app.state, Duration::ZERO)
        .await
        .unwrap()
}

/// The packages in the outbound folder, in the order they were written.
pub fn written(outbound: &Path) -> Vec<(String, md::Package)> {
    let Ok(list) = std::fs::read_dir(outbound) else {
        return Vec::new();
    };
    let mut names: Vec<String> = list
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let p = md::read_package(&outbound.join(&n), &md::Limits::default())
                .unwrap_or_else(|r| panic!("veche's own package {n} unreadable: {r:?}"));
            (n, p)
        })
        .collect()
}

/// What a package says, in the protocol's words.
pub fn said(p: &md::Package) -> String {
    match &p.communication.body {
        md::Body::Acknowledgment(a) => format!("Квитанция:{}", a.accepted),
        md::Body::Notification(n) => match &n.event {
            md::Event::Refused { reason } => format!("Отказано:{}", reason.as_str()),
            md::Event::Registered { .. } => "Зарегистрирован".into(),
            md::Event::ExecutorAssigned { .. } => "Назначен исполнитель".into(),
            md::Event::CourseChanged { .. } => "Исполнение".into(),
            md::Event::ReportSent { .. } => "Доклад направлен".into(),
            other => format!("{other:?}"),
        },
        md::Body::Document(_) => "Документ".into(),
    }
}

/// Every XML veche wrote validates against the schema (xmllint from
/// Debian's libxml2-utils; a loud skip without it, a failure under CI).
pub fn validate_all(outbound: &Path) {
    if std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "xmllint is required under CI=true (apt-get install libxml2-utils)"
        );
        eprintln!("\n*** SKIPPING schema validation: xmllint is not installed (libxml2-utils).\n");
        return;
    }
    let schema = fixtures().join("IEDMS.xsd");
    let mut checked = 0;
    for (name, p) in written(outbound) {
        let xml = p.dir.join(&p.xml_name);
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&schema)
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} does not validate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked > 0, "nothing was written to validate");
}

both_backends!(
    a_delo_protocol_becomes_orders_with_a_receipt_and_a_registration,
    |app| {
        let (inbound, outbound) = delo_partner(&app).await;
        copy_dir(&fixtures().join("delo-protocol"), &inbound.join("0001"));
        let round = poll(&app).await;
        assert_eq!(round.registered, 1, "{round:?}");
        // Three clauses, three orders to the two ministries, each with its
        // deadline (the end of the working day in Moscow) and the protocol's
        // PDF; the co-executors' parts are sub-orders.
        let orders = app
            .scalar("select count(*) from pm_order where source = 'document' and parent_id is null")
            .await;
        assert_eq!(orders, 3);
        let mut tx = app.state.db.begin().await.unwrap();
        let rows: Vec<(i64, String, String, time::OffsetDateTime)> = veche::fetch_tx!(
            &mut tx,
            fetch_all,
            (i64, String, String, time::OffsetDateTime),
            "select order_id, organisation_id, description, deadline from pm_order
         where source = 'document' and parent_id is null order by deadline"
        )
        .unwrap();
        tx.commit().await.unwrap();
        let got: Vec<(&str, String)> = rows
            .iter()
            .map(|(_, o, _, d)| {
                (
                    o.as_str(),
                    d.to_offset(time::macros::offset!(+3)).to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "min-transport",
                    "2024-05-01 18:00:00.0 +03:00:00".to_owned()
                ),
                ("min-health", "2024-06-01 18:00:00.0 +03:00:00".to_owned()),
                (
                    "min-transport",
                    "2024-06-15 18:00:00.0 +03:00:00".to_owned()
                ),
            ]
        );
        assert!(
            rows[0].2.starts_with("МЭДО: № 17-пр от 14.03.2024"),
            "{}",
            rows[0].2
        );
        let subs = app
            .scalar(
                "select count(*) from pm_order where source = 'document' and parent_id is not null",
            )
            .await;
        assert_eq!(
            subs, 2,
            "clause 2's co-executor and clause 3's second principal"
        );
        for (id, ..) in &rows {
            let files = app
                .scalar(&format!(
                    "select count(*) from pm_attachment where order_id = {id}
                 and file_name = 'text0000000000.pdf' and content_type = 'application/pdf'"
                ))
                .await;
            assert_eq!(files, 1, "the protocol's text is attached to order {id}");
        }
        // The administrator sees the order as the core shows it.
        let page = app.get(&format!("/pm/orders/{}", rows[0].0)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("МЭДО: № 17-пр от 14.03.2024"));
        assert!(page.body.contains("text0000000000.pdf"));

        // At once: one Квитанция and one Зарегистрирован with veche's number.
        app.run_workers().await;
        let out = written(&outbound);
        let words: Vec<String> = out.iter().map(|(_, p)| said(p)).collect();
        assert_eq!(words, vec!["Квитанция:true", "Зарегистрирован"]);
        let md::Body::Notification(n) = &out[1].1.communication.body else {
            unreachable!()
        };
        let md::Event::Registered { num } = &n.event else {
            unreachable!()
        };
        assert!(num.number.ends_with("-МЭДО"), "{}", num.number);
        assert_eq!(
            n.document_uid.as_str(),
            "8e2b4d6f-1a3c-4e5b-9d7f-0a2c4e6b8d13"
        );
        // The envelope is windows-1251, as «Дело» expects.
        let envelope = std::fs::read(out[0].1.dir.join("envelope.ini")).unwrap();
        assert!(
            std::str::from_utf8(&envelope).is_err(),
            "windows-1251, not UTF-8"
        );
        assert!(
            encoding_rs::WINDOWS_1251
                .decode(&envelope)
                .0
                .contains("[ПИСЬМО КП ПС СЗИ]")
        );
        validate_all(&outbound);

        // The same package again (a gateway's retry): applied once.
        copy_dir(&fixtures().join("delo-protocol"), &inbound.join("0002"));
        let again = poll(&app).await;
        assert_eq!(again.repeated, 1, "{again:?}");
        app.run_workers().await;
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'document'")
                .await,
            5
        );
        assert_eq!(written(&outbound).len(), 2, "nothing answered twice");
        // Handled folders are moved aside.
        assert!(!inbound.join("0001").exists() && inbound.join(".done/0001").exists());
        let admin = app.get("/admin/integration/medo").await;
        assert!(admin.body.contains("17-пр") && admin.body.contains("-МЭДО"));
    }
);

/// The fixture changed as a test needs it (in windows-1251, as sent).
pub fn variant(to: &Path, edit: impl Fn(String) -> String) {
    copy_dir(&fixtures().join("delo-protocol"), to);
    let path = to.join("document.xml");
    let text = encoding_rs::WINDOWS_1251
        .decode(&std::fs::read(&path).unwrap())
        .0
        .into_owned();
    let edited = edit(text);
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(&edited);
    assert!(!bad);
    std::fs::write(&path, bytes).unwrap();
}

both_backends!(
    a_misaddressed_document_is_refused_with_the_right_reason,
    |app| {
        let (inbound, outbound) = delo_partner(&app).await;
        // A МЭДО partner's fields are checked: a GUID, absolute and
        // different folders, a known encoding; nothing is saved otherwise.
        for (uid, inbound_dir, outbound_dir, encoding) in [
            ("not-a-guid", "/srv/in", "/srv/out", "windows-1251"),
            (DELO_UID, "relative/in", "/srv/out", "windows-1251"),
            (DELO_UID, "/srv/same", "/srv/same", "windows-1251"),
            (DELO_UID, "/srv/in", "/srv/out", "koi8-r"),
        ] {
            let r = app
                .submit(
                    "/admin/integration",
                    "/admin/integration",
                    &[
                        ("partner_id", "bad-medo"),
                        ("name", "Плохой"),
                        ("kind", "medo"),
                        ("organisations", "governor"),
                        ("medo_uid", uid),
                        ("inbound_dir", inbound_dir),
                        ("outbound_dir", outbound_dir),
                        ("encoding", encoding),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{uid} {inbound_dir} {encoding}"
            );
        }
        assert_eq!(
            app.scalar("select count(*) from integration_partner where partner_id = 'bad-medo'")
                .await,
            0
        );
        variant(&inbound.join("wrong"), |xml| {
            xml.replace(
                "Министерство транспорта и дорожного хозяйства Краснодарского края",
                "Министерство транспорта Республики Адыгея",
            )
            .replace(
                "Министерство здравоохранения Краснодарского края",
                "Министерство здравоохранения Республики Адыгея",
            )
            .replace(
                "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e0",
                "d1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e0",
            )
        });
        let round = poll(&app).await;
        assert_eq!(round.refused, 1, "{round:?}");
        app.run_workers().await;
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'document'")
                .await,
            0
        );
        let words: Vec<String> = written(&outbound).iter().map(|(_, p)| said(p)).collect();
        assert_eq!(words, vec!["Квитанция:true", "Отказано:Ошибка адресации"]);
        validate_all(&outbound);
        assert!(inbound.join(".refused/wrong").exists());
        let admin = app.get("/admin/integration/medo").await;
        assert!(admin.body.contains("Ошибка адресации"));
    }
);

both_backends!(an_unsure_executor_waits_for_an_administrator, |app| {
    let (inbound, _outbound) = delo_partner(&app).await;
    // Clause 1's executor named so that no organisation is sure.
    variant(&inbound.join("0001"), |xml| {
        let tag = "<xdms:principal xdms:uid=\"c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e01\">";
        let at = xml.find(tag).expect("clause 1's principal");
        let (head, tail) = xml.split_at(at);
        let tail = tail.replacen(tag, "<xdms:principal>", 1).replacen(
            "Министерство транспорта и дорожного хозяйства Краснодарского края",
            "Дорожная служба",
            1,
        );
        format!("{head}{tail}")
    });
    assert_eq!(poll(&app).await.registered, 1);
    assert_eq!(
        app.scalar("select count(*) from pm_order where source = 'document' and parent_id is null")
            .await,
        2
    );
    let page = app.get("/admin/integration/medo").await;
    assert!(
        page.body.contains("Дорожная служба"),
        "the clause waits with its executor's name"
    );
    let pending = app
        .scalar("select min(pending_id) from integration_medo_pending")
        .await;
    let r = app
        .submit(
            "/admin/integration/medo",
            &format!("/admin/integration/medo/pending/{pending}"),
            &[("organisation_id", "min-transport"), ("action", "open")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar("select count(*) from pm_order where source = 'document' and parent_id is null and organisation_id = 'min-transport'").await,
        2
    );
    // Once only, whoever presses again.
    let again = app
        .submit(
            "/admin/integration/medo",
            &format!("/admin/integration/medo/pending/{pending}"),
            &[("organisation_id", "min-health"), ("action", "open")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar("select count(*) from pm_order where source = 'document' and parent_id is null")
            .await,
        3
    );
    assert!(
        app.get("/admin/integration/medo")
            .await
            .body
            .contains("id=\"no-pending\"")
    );
    // The directory's МЭДО ids: one organisation each.
    let uid = "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b";
    for (org, status) in [
        ("min-transport", StatusCode::SEE_OTHER),
        ("min-health", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = app
            .submit(
                "/admin/integration/medo",
                "/admin/integration/medo/organisations",
                &[("organisation_id", org), ("medo_uid", uid)],
            )
            .await;
        assert_eq!(r.status, status, "{org}: {}", r.body);
    }
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from organisation where medo_uid = '{uid}'"
        ))
        .await,
        1
    );
});

both_backends!(
    the_orders_life_goes_back_in_order_exactly_once_across_a_restart,
    |app| {
        let (inbound, outbound) = delo_partner(&app).await;
        copy_dir(&fixtures().join("delo-protocol"), &inbound.join("0001"));
        assert_eq!(poll(&app).await.registered, 1);
        app.run_workers().await;
        let order = app
        .scalar("select min(order_id) from pm_order where source = 'document' and organisation_id = 'min-health' and parent_id is null")
        .await;
        let officer = citizen(&app, "health@krasnodar.ru", "Сидорова Анна").await;
        app.make_officer(officer, "min-health").await;
        sign_in_as(&app, "health@krasnodar.ru").await;
        let page = format!("/pm/orders/{order}");
        let act = |fields: Vec<(&'static str, &'static str)>| {
            let app = &app;
            let page = page.clone();
            async move {
                let r = post_form(app, &page, &format!("{page}/act"), &fields, &[]).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }
        };
        act(vec![("action", "accept")]).await;
        // veche stops before delivering, and starts again.
        let jar = app.jar();
        let app = app.restarted().await;
        app.restore_jar(jar);
        app.run_workers().await;
        let post = |fields: Vec<(&'static str, &'static str)>| {
            let app = &app;
            let page = page.clone();
            async move {
                let r = post_form(app, &page, &format!("{page}/act"), &fields, &[]).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }
        };
        post(vec![
            ("action", "comment"),
            ("text", "Пункты развёрнуты на 12 пляжах из 20"),
        ])
        .await;
        app.run_workers().await;
        post(vec![
            ("action", "report"),
            ("text", "Медицинские пункты работают на всех 20 пляжах"),
        ])
        .await;
        app.run_workers().await;
        app.run_workers().await;
        let out = written(&outbound);
        let words: Vec<String> = out.iter().map(|(_, p)| said(p)).collect();
        assert_eq!(
            words,
            vec![
                "Квитанция:true",
                "Зарегистрирован",
                "Назначен исполнитель",
                "Исполнение",
                "Исполнение",
                "Доклад направлен",
            ]
        );
        // The progress carries its text; the report travels as a file.
        let md::Body::Notification(n) = &out[3].1.communication.body else {
            unreachable!()
        };
        let md::Event::CourseChanged { text, .. } = &n.event else {
            unreachable!()
        };
        assert_eq!(text, "Пункты развёрнуты на 12 пляжах из 20");
        assert_eq!(
            n.clause.as_ref().and_then(|c| c.designation.as_deref()),
            Some("2")
        );
        let report = &out[5].1;
        let file = report
            .files
            .iter()
            .find(|f| f.name.ends_with(".txt"))
            .expect("the report file");
        let text = encoding_rs::WINDOWS_1251
            .decode(&std::fs::read(&file.path).unwrap())
            .0
            .into_owned();
        assert!(
            text.contains("Медицинские пункты работают на всех 20 пляжах"),
            "{text}"
        );
        validate_all(&outbound);
        // Delivering again (a crash after writing, before the outbox forgot the
        // message) writes nothing twice.
        app.run_workers().await;
        assert_eq!(written(&outbound).len(), 6);
        // A message delivered, its folder taken away by the gateway, and the
        // delivery repeated (the outbox row outlived a crash): not written
        // again.
        use veche::integration::messages as m;
        let message = m::Message::new(m::Body::DocumentNotice(m::DocumentNotice {
            message_uid: "5d1c6a2e-8f3b-4c1a-9e7d-2b4f6a8c0e13".into(),
            document_uid: None,
            document_number: None,
            document_date: None,
            notice: m::Notice::Acknowledged {
                accepted: true,
                comment: String::new(),
            },
        }));
        md::deliver::deliver(&app.state, "delo", &message)
            .await
            .unwrap();
        let taken = outbound.join(format!("{}-1", message.id));
        assert!(taken.exists());
        std::fs::remove_dir_all(&taken).unwrap();
        md::deliver::deliver(&app.state, "delo", &message)
            .await
            .unwrap();
        assert!(!taken.exists(), "recorded, so not written twice");
    }
);

/// The fixture's envelope changed (in windows-1251).
fn edit_envelope(dir: &Path, edit: impl Fn(String) -> String) {
    let path = dir.join("envelope.ini");
    let text = encoding_rs::WINDOWS_1251
        .decode(&std::fs::read(&path).unwrap())
        .0
        .into_owned();
    std::fs::write(&path, encoding_rs::WINDOWS_1251.encode(&edit(text)).0).unwrap();
}

both_backends!(hostile_packages_are_refused_cleanly_with_a_report, |app| {
    let (inbound, outbound) = delo_partner(&app).await;
    // A huge XML (17 MiB of annotation).
    variant(&inbound.join("huge"), |xml| {
        xml.replace(
            "<xdms:annotation>",
            &format!("<xdms:annotation>{}", "а".repeat(17 << 20)),
        )
    });
    // Entity expansion (the billion laughs).
    variant(&inbound.join("entities"), |xml| {
        let doctype = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>";
        xml.replacen("?>", &format!("?>{doctype}"), 1)
            .replace("<xdms:annotation>", "<xdms:annotation>&lol3;")
    });
    // A path in a file name.
    copy_dir(&fixtures().join("delo-protocol"), &inbound.join("path"));
    edit_envelope(&inbound.join("path"), |e| {
        e.replace("1=text0000000000.pdf", "1=../../escape.pdf")
    });
    // A file the envelope names is missing.
    copy_dir(&fixtures().join("delo-protocol"), &inbound.join("missing"));
    std::fs::remove_file(inbound.join("missing/text0000000000.pdf")).unwrap();
    // Bytes that are not what the declaration says (windows-1251 declared
    // as UTF-8).
    variant(&inbound.join("encoding"), |xml| {
        xml.replacen("windows-1251", "UTF-8", 1)
    });
    let round = poll(&app).await;
    assert_eq!(round.refused, 5, "{round:?}");
    assert_eq!(round.registered, 0);
    assert_eq!(
        app.scalar("select count(*) from pm_order where source = 'document'")
            .await,
        0
    );
    assert_eq!(app.scalar("select count(*) from pm_attachment").await, 0);
    assert!(!inbound.parent().unwrap().join("escape.pdf").exists());
    for name in ["huge", "entities", "path", "missing", "encoding"] {
        assert!(
            inbound.join(".refused").join(name).exists(),
            "{name} set aside"
        );
    }
    // The report: each package with its reason, in the schema's words.
    let page = app.get("/admin/integration/medo").await;
    assert_eq!(page.status, StatusCode::OK);
    for reason in [
        "Текст не соответствует регламенту",
        "Не полная комплектация",
        "Текст неразборчив",
    ] {
        assert!(page.body.contains(reason), "{reason} reported");
    }
    app.run_workers().await;
    assert!(
        written(&outbound).is_empty(),
        "nothing answered to packages nobody can be told of"
    );
    // The gateway is still alive for the next good package.
    copy_dir(&fixtures().join("delo-protocol"), &inbound.join("good"));
    assert_eq!(poll(&app).await.registered, 1);
});

/// A notification from the partner about a document veche sent, as its
/// gateway would drop it in veche's inbound folder.
fn notify(inbound: &Path, name: &str, document: &md::Guid, event: md::Event) {
    let now = time::OffsetDateTime::now_utc();
    let c = md::Communication {
        header: md::Header {
            uid: Some(md::Guid::new()),
            created: Some(md::Timestamp::from(now)),
            source: md::Party {
                uid: md::Guid::parse(DIRECTUM_UID).unwrap(),
                name: "Министерство транспорта и дорожного хозяйства Краснодарского края".into(),
                comment: None,
            },
            operator: None,
            comment: None,
        },
        body: md::Body::Notification(Box::new(md::Notification {
            document_uid: document.clone(),
            document_id: None,
            message_uid: None,
            time: md::Timestamp::from(now),
            foundation: None,
            clause: None,
            correspondent: None,
            event,
            comment: None,
        })),
        delivery: Vec::new(),
    };
    let xml = md::to_xml(&c, md::Charset::Windows1251).unwrap();
    let envelope = md::Envelope::new(
        "Уведомление",
        vec!["KRD-MEDO~VECHE".into()],
        time::PrimitiveDateTime::new(now.date(), now.time()),
    );
    md::write_package(&inbound.join(name), &envelope, "document.xml", &xml, &[]).unwrap();
}

const DIRECTUM_UID: &str = "b4e2d3c5-6a7f-4b81-9c02-c3d4e5f60718";

both_backends!(
    an_order_to_a_ministry_in_its_own_system_leaves_as_a_document,
    |app| {
        app.signed_in_admin().await;
        let inbound = app.dir.path().join("directum-in");
        let outbound = app.dir.path().join("directum-out");
        std::fs::create_dir_all(&inbound).unwrap();
        let r = app
            .submit(
                "/admin/integration",
                "/admin/integration",
                &[
                    ("partner_id", "directum-transport"),
                    ("name", "DIRECTUM Минтранса"),
                    ("kind", "medo"),
                    ("organisations", "min-transport"),
                    ("medo_uid", DIRECTUM_UID),
                    ("inbound_dir", inbound.to_str().unwrap()),
                    ("outbound_dir", outbound.to_str().unwrap()),
                    ("encoding", "utf-8"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let order =
            crate::integration::new_order(&app, "min-transport", "Подготовить мосты к паводку")
                .await;
        crate::integration::new_order(&app, "min-health", "Не их поручение").await;
        app.run_workers().await;
        let out = written(&outbound);
        assert_eq!(out.len(), 1, "one document, for the ministry's order only");
        let md::Body::Document(d) = &out[0].1.communication.body else {
            panic!("not a document: {}", said(&out[0].1))
        };
        assert_eq!(d.clauses.len(), 1);
        assert!(
            d.clauses[0]
                .text
                .as_deref()
                .unwrap_or("")
                .contains("Подготовить мосты к паводку")
        );
        assert_eq!(d.num.number, format!("{order}-П"));
        assert!(
            out[0].1.files.iter().any(|f| f.name.ends_with(".txt")),
            "the order's text"
        );
        validate_all(&outbound);
        let uid = d.uid.clone();

        // The ministry's system answers: accepted, in progress, reported.
        let executor = md::Addressee {
            uid: None,
            contact: md::Contact {
                organization: Some(md::Qualified::new("Минтранс")),
                person: Some(md::Qualified::new("Петров П. П.")),
                ..md::Contact::default()
            },
            comment: None,
        };
        notify(
            &inbound,
            "n1",
            &uid,
            md::Event::ExecutorAssigned {
                secretary: executor.clone(),
                manager: executor.clone(),
                executor,
            },
        );
        notify(
            &inbound,
            "n2",
            &uid,
            md::Event::CourseChanged {
                text: "Обследовано 14 мостов из 30".into(),
                reference: None,
            },
        );
        assert_eq!(poll(&app).await.applied, 2);
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from pm_order where order_id = {order} and state = 'accepted'"
            ))
            .await,
            1,
            "accepted by the ministry's notification"
        );
        assert_eq!(
        app.scalar(&format!(
            "select count(*) from pm_order_event where order_id = {order} and note like '%14 мостов из 30%'"
        ))
        .await,
        1
    );
        notify(
            &inbound,
            "n3",
            &uid,
            md::Event::ReportSent {
                report: md::Reference {
                    contact: md::Contact::default(),
                    num: md::DocNumber {
                        number: "15-исх".into(),
                        date: None,
                    },
                    comment: None,
                },
            },
        );
        assert_eq!(poll(&app).await.applied, 1);
        assert_eq!(
        app.scalar(&format!("select count(*) from pm_order where order_id = {order} and state = 'report_submitted'"))
            .await,
        1
    );
        // A notification about a document veche never sent changes nothing.
        notify(
            &inbound,
            "n4",
            &md::Guid::new(),
            md::Event::CourseChanged {
                text: "?".into(),
                reference: None,
            },
        );
        assert_eq!(poll(&app).await.refused, 1);
    }
);

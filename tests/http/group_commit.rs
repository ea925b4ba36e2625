//! Group commit of supports (docs/SCALE.md): many citizens support at
//! once; their votes share transactions, yet each gets the answer it
//! would get alone, and what is stored is what one vote at a time stores.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::both_backends;
use crate::problems::{KRASNODAR, citizen, file, id_from, set, sign_in_as};

const VOTERS: usize = 30;

both_backends!(
    votes_at_once_share_transactions_and_keep_their_answers,
    // Thirty citizens register and sign in from one address.
    config = |c| {
        c.server.login_attempts_per_minute = 1000;
        c.server.account_actions_per_minute = 1000;
    },
    |app| {
        set(&app, "premoderation", "off").await;
        citizen(&app, "author@example.ru", "Автор").await;
        sign_in_as(&app, "author@example.ru").await;
        let id = id_from(
            &file(
                &app,
                "waste-containers",
                KRASNODAR,
                "Контейнеры не вывозят.",
                &[],
            )
            .await,
        );
        let page = format!("/problems/{id}");
        // Each voter: its session cookies and its form token.
        let mut voters = vec![(cookies(&app.jar()), app.get(&page).await.csrf_token())];
        for i in 0..VOTERS {
            citizen(&app, &format!("v{i}@example.ru"), "Житель").await;
            sign_in_as(&app, &format!("v{i}@example.ru")).await;
            voters.push((cookies(&app.jar()), app.get(&page).await.csrf_token()));
        }
        // All at once: the author (refused: one's own report), every voter,
        // and the first voter a second time (one of its two is refused).
        let mut sends = voters.clone();
        sends.push(voters[1].clone());
        let (before_batches, before_votes) = app.state.supports.counts();
        let answers = futures::future::join_all(sends.iter().map(|(cookie, token)| {
            let body = format!("csrf_token={}", urlencode(token));
            app.router.clone().oneshot(
                Request::post(format!("/problems/{id}/support"))
                    .header(header::COOKIE, cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
        }))
        .await;
        let statuses: Vec<StatusCode> = answers.into_iter().map(|r| r.unwrap().status()).collect();
        assert_eq!(statuses[0], StatusCode::CONFLICT, "one's own report");
        let taken = statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count();
        assert_eq!((taken, refused), (VOTERS, 2), "{statuses:?}");
        let (batches, votes) = app.state.supports.counts();
        assert_eq!(
            votes - before_votes,
            VOTERS as u64 + 2,
            "every vote went through the writer"
        );
        assert!(
            batches - before_batches < votes - before_votes,
            "votes shared transactions: {} in {}",
            votes - before_votes,
            batches - before_batches
        );

        // Stored as one vote at a time stores it: the rows, the count, the
        // follows, the supporters' activity, and the index's event.
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from appeal_support where appeal_id = {id}"
            ))
            .await,
            VOTERS as i64
        );
        assert_eq!(
            app.scalar(&format!(
                "select support_count from appeal where appeal_id = {id}"
            ))
            .await,
            VOTERS as i64
        );
        assert!(
            app.scalar(&format!(
                "select count(*) from appeal_follow where appeal_id = {id}"
            ))
            .await
                >= VOTERS as i64
        );
        assert!(
            app.scalar(&format!(
                "select count(*) from search_event where kind = 'problem' and doc_id = '{id}'"
            ))
            .await
                > VOTERS as i64
        );
        let shown = app.get(&page).await.body;
        assert!(
            shown.contains(&format!("id=\"support-count\">{VOTERS}<")),
            "the page shows the count"
        );

        // A withdrawal goes the same way.
        let (cookie, token) = &voters[2];
        let r = app
            .router
            .clone()
            .oneshot(
                Request::post(format!("/problems/{id}/unsupport"))
                    .header(header::COOKIE, cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf_token={}", urlencode(token))))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.scalar(&format!(
                "select support_count from appeal where appeal_id = {id}"
            ))
            .await,
            VOTERS as i64 - 1
        );

        // A second node's writer on the same database (its own process's
        // `Supports`): every voter supports a second request through both
        // nodes at once. Each gets one vote taken and one refused, never a
        // 500, though the two writers meet on the request's row and keys.
        sign_in_as(&app, "author@example.ru").await;
        let id2 = id_from(&file(&app, "waste-containers", KRASNODAR, "Урна сломана.", &[]).await);
        let other = veche::workflow::batch::Supports::from_env();
        let mut accounts = Vec::new();
        for i in 0..VOTERS {
            accounts.push(
                app.scalar(&format!(
                    "select account_id from account where email_norm = 'v{i}@example.ru'"
                ))
                .await,
            );
        }
        let db = &app.state.db;
        let vote = veche::workflow::batch::Vote::Support;
        // The second node's batch holds them in the opposite order, so the
        // two transactions wait on each other's keys.
        let here = accounts
            .iter()
            .map(|&a| app.state.supports.vote(db, vote, id2, a));
        let there = accounts.iter().rev().map(|&a| other.vote(db, vote, id2, a));
        let answers = futures::future::join_all(here.chain(there)).await;
        let mut taken = 0;
        for a in &answers {
            match a {
                Ok(_) => taken += 1,
                Err(e) => assert_eq!(e.status(), StatusCode::CONFLICT, "{e:?}"),
            }
        }
        assert_eq!(taken, VOTERS, "one vote per citizen");
        assert_eq!(
            app.scalar(&format!(
                "select support_count from appeal where appeal_id = {id2}"
            ))
            .await,
            VOTERS as i64
        );
    }
);

fn cookies(jar: &std::collections::BTreeMap<String, String>) -> String {
    jar.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

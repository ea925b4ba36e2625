//! Mail goes over real SMTP when configured: a minimal SMTP server on
//! loopback receives what veche sends.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::{Backend, TestApp};

/// Accepts mail and keeps each message's DATA.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(buf));
                            data = None;
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"502 unknown\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmation_mail_goes_over_smtp_when_configured() {
    let (port, received) = smtp_server().await;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
    })
    .await
    .unwrap();
    let r = app
        .submit(
            "/auth/register",
            "/auth/register",
            &[
                ("email", "smtp@example.ru"),
                ("display_name", "S"),
                ("password", "correct horse battery"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.run_workers().await;
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "one mail delivered");
    let raw = messages[0].as_bytes();
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address().unwrap(),
        "smtp@example.ru"
    );
    let body = parsed.body_text(0).unwrap();
    assert!(body.contains("/auth/confirm/"), "{body}");
    assert!(
        app.mailbox().is_empty(),
        "nothing written to the local mailbox"
    );
    let pending = veche::db::queue::pending(&app.state.db, "mail")
        .await
        .unwrap();
    assert_eq!(pending, 0, "the outbox is empty once sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_that_cannot_be_sent_waits_in_the_outbox() {
    // Nothing listens on this port: delivery fails and is retried later.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
    })
    .await
    .unwrap();
    app.submit(
        "/auth/register",
        "/auth/register",
        &[
            ("email", "later@example.ru"),
            ("display_name", "L"),
            ("password", "correct horse battery"),
            ("consent", "on"),
        ],
    )
    .await;
    app.run_workers().await;
    assert_eq!(
        veche::db::queue::pending(&app.state.db, "mail")
            .await
            .unwrap(),
        1,
        "kept for a retry"
    );
    let account = veche::auth::queries::account_by_email(&app.state.db, "later@example.ru")
        .await
        .unwrap();
    assert!(account.is_some(), "the registration itself is not lost");
}

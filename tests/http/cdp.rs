//! A small Chrome DevTools Protocol client for the tests that must drive a
//! real headless Chromium (run a script in a page, cut the network): the
//! accessibility audit and the phone app. `--dump-dom` is enough for the
//! rest of the browser tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A headless Chromium with its DevTools port open; killed when dropped.
pub struct Browser {
    _child: tokio::process::Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn launch(path: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=390,844",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                    return rest.split('/').next().unwrap().parse::<u16>().unwrap();
                }
            }
            panic!("chromium did not open its DevTools port");
        })
        .await
        .expect("chromium opens its DevTools port within 30 s");
        // Keep draining stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Browser {
            _child: child,
            port,
            _profile: profile,
        }
    }

    /// A new tab.
    pub async fn page(&self) -> Page {
        let target: Value = reqwest::Client::new()
            .put(format!(
                "http://127.0.0.1:{}/json/new?about:blank",
                self.port
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = target["webSocketDebuggerUrl"].as_str().unwrap().to_owned();
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut page = Page { ws, next_id: 0 };
        page.call("Page.enable", json!({})).await;
        page.call("Network.enable", json!({})).await;
        page
    }
}

/// One tab, driven by commands.
pub struct Page {
    ws: Socket,
    next_id: u64,
}

impl Page {
    /// Sends a command and waits for its answer (events on the way are
    /// dropped).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.ws
            .send(Message::text(
                json!({ "id": id, "method": method, "params": params }).to_string(),
            ))
            .await
            .unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(msg) = self.ws.next().await {
                let Ok(Message::Text(text)) = msg else {
                    continue;
                };
                let v: Value = serde_json::from_str(&text).unwrap();
                if v["id"] == json!(id) {
                    return v;
                }
            }
            panic!("the DevTools connection closed");
        })
        .await
        .unwrap_or_else(|_| panic!("{method} did not answer in 60 s"));
        if let Some(e) = answer.get("error") {
            panic!("{method}: {e}");
        }
        answer["result"].clone()
    }

    /// Runs `expression` in the page (awaiting a promise) and returns its
    /// value; a thrown exception fails the test with its text.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            )
            .await;
        if let Some(e) = r.get("exceptionDetails") {
            panic!("the page threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Opens `url` and waits until the page and its scripts have loaded
    /// (and a little more, for the scripts' own requests).
    pub async fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
        self.settle().await;
    }

    /// Waits for the current document to finish loading.
    pub async fn settle(&mut self) {
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let state = self
                .call(
                    "Runtime.evaluate",
                    json!({ "expression": "document.readyState + ' ' + location.href", "returnByValue": true }),
                )
                .await;
            if state["result"]["value"]
                .as_str()
                .is_some_and(|s| s.starts_with("complete") && !s.ends_with("about:blank"))
            {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return;
            }
        }
        panic!("the page did not finish loading");
    }

    /// Cuts the network off (or back on) as a phone losing its signal.
    pub async fn offline(&mut self, offline: bool) {
        self.call(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
    }
}

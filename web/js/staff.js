// The staff's phone app, page side (the task list and order pages; the
// service worker is the site's, js/sw.js). It
// - says when a page shown without a signal was saved ("last synced");
// - keeps the pages of the orders listed, and the planner's list, on the
//   phone while there is a signal, so they open without one;
// - queues the actions taken without a signal (accept, start work,
//   comment, report of execution with photos) in IndexedDB, each with a
//   one-time key and the order's version it was made against, and sends
//   them when the signal returns to /pm/api/orders/{id}/actions: a replay
//   applies nothing twice; an order that changed meanwhile answers 409 and
//   the action stays on the phone, its text shown, to send again or drop;
// - offers Web Push on this device (opt-in, opt-out).
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";
  var PAGES = "veche-pages";
  var OFFLINE_ACTIONS = ["accept", "start", "comment", "report"];

  function say(text, href, linkText) {
    var box = document.getElementById("actions-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "actions-status";
      box.className = "notice";
      box.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (!main) { return null; }
      main.insertBefore(box, main.firstChild);
    }
    var p = document.createElement("p");
    p.textContent = text + " ";
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = linkText || (en ? "Open" : "Открыть");
      p.appendChild(a);
    }
    box.appendChild(p);
    return p;
  }

  function bump(attr) {
    var html = document.documentElement;
    html.setAttribute(attr, String(Number(html.getAttribute(attr) || 0) + 1));
  }

  // ---- Last synced ---------------------------------------------------------
  var synced = document.getElementById("synced");
  function showSynced() {
    if (!synced) { return; }
    if (navigator.onLine) { synced.hidden = true; return; }
    var at = new Date(synced.getAttribute("data-at"));
    var when = isNaN(at) ? "" : at.toLocaleString(en ? "en-GB" : "ru-RU",
      { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
    synced.textContent = synced.getAttribute("data-label") + (when ? (en ? " at " : " ") + when + "." : ".");
    synced.hidden = false;
  }
  showSynced();
  window.addEventListener("online", showSynced);
  window.addEventListener("offline", showSynced);

  // ---- Pages kept for offline ----------------------------------------------
  function keepPages() {
    if (!window.caches || !navigator.onLine) { return; }
    caches.open(PAGES).then(function (cache) {
      // The service worker words push notifications in this language.
      cache.put("/__veche/lang", new Response(en ? "en" : "ru"));
      var seen = {};
      var urls = [];
      Array.prototype.forEach.call(document.querySelectorAll('#main a[href^="/pm/orders/"]'), function (a) {
        var path = a.getAttribute("href");
        if (/^\/pm\/orders\/\d+$/.test(path) && !seen[path] && path !== location.pathname && urls.length < 50) {
          seen[path] = true;
          urls.push(path);
        }
      });
      if (location.pathname === "/pm/tasks") { urls.push("/pm/planner?view=list"); }
      // One at a time: a phone on a weak signal keeps its bandwidth.
      return urls.reduce(function (p, url) {
        return p.then(function () {
          return fetch(url, { credentials: "same-origin" }).then(function (r) {
            // A page that is not there (404) or a sign-in redirect is not kept.
            if (r.ok && !r.redirected) { return cache.put(url, r); }
          }).catch(function () {});
        });
      }, Promise.resolve());
    }).catch(function () {});
  }

  // ---- The queue -------------------------------------------------------------
  if (!window.indexedDB || !window.Promise) { return; }
  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open("veche-staff", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("actions", { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction("actions", mode);
        var req = work(t.objectStore("actions"));
        t.oncomplete = function () { ok(req ? req.result : undefined); };
        t.onerror = function () { fail(t.error); };
      });
    });
  }
  var queue = {
    all: function () { return store("readonly", function (s) { return s.getAll(); }); },
    put: function (d) { return store("readwrite", function (s) { return s.put(d); }); },
    remove: function (key) { return store("readwrite", function (s) { return s["delete"](key); }); }
  };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  var NAMES = {
    accept: ["принятие поручения", "acceptance of the order"],
    start: ["начало работы", "start of work"],
    comment: ["комментарий", "comment"],
    report: ["отчёт об исполнении", "report of execution"]
  };
  function named(d) { return (NAMES[d.action] || ["", ""])[en ? 1 : 0]; }

  // Without a signal an action of the order's page is kept on the phone.
  var actions = document.getElementById("actions");
  if (actions) {
    actions.addEventListener("submit", function (e) {
      if (navigator.onLine) { return; }
      var form = e.target;
      var data = new FormData(form);
      var action = String(data.get("action") || "");
      if (OFFLINE_ACTIONS.indexOf(action) < 0) { return; }
      e.preventDefault();
      var files = [];
      data.getAll("files").forEach(function (f) { if (f && f.size) { files.push({ name: f.name || "photo.jpg", file: f }); } });
      var d = {
        key: uuid(),
        order: Number(actions.getAttribute("data-order")),
        version: Number(actions.getAttribute("data-version")),
        action: action,
        text: String(data.get("text") || ""),
        outcome: String(data.get("outcome") || ""),
        planned_date: String(data.get("planned_date") || ""),
        files: files,
        saved: new Date().toISOString()
      };
      queue.put(d).then(function () {
        form.reset();
        bump("data-actions-queued");
        say(en ? "No signal: the " + named(d) + " is kept on this phone and will be sent when the signal returns."
               : "Нет связи: " + named(d) + " сохранено на телефоне и отправится, когда связь появится.");
      }).catch(function () {
        say(en ? "The action could not be kept on this phone." : "Не удалось сохранить действие на телефоне.");
      });
    });
  }

  function showConflict(d) {
    var c = d.conflict || {};
    var msg = c.message ? (en ? c.message.en : c.message.ru) : "";
    var p = say((en ? "Not sent: " : "Не отправлено: ") + named(d) + (en ? " to order No. " : " к поручению № ") + d.order +
      ". " + msg, "/pm/orders/" + d.order, en ? "Open the order" : "Открыть поручение");
    if (!p) { return; }
    p.className = "conflict";
    if (d.text) {
      var q = document.createElement("blockquote");
      q.textContent = d.text;
      p.appendChild(q);
    }
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button";
    again.textContent = en ? "Send again to the order as it is now" : "Отправить заново к поручению, как оно есть сейчас";
    again.addEventListener("click", function () {
      queue.remove(d.key).then(function () {
        d.key = uuid();
        d.version = c.order ? c.order.version : d.version;
        delete d.conflict;
        return queue.put(d);
      }).then(function () { p.remove(); sendAll(); });
    });
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "button secondary";
    drop.textContent = en ? "Discard" : "Удалить";
    drop.addEventListener("click", function () { queue.remove(d.key).then(function () { p.remove(); }); });
    p.appendChild(again);
    p.appendChild(drop);
  }

  function send(d) {
    var body = new FormData();
    // The token first: the server reads it before the photos.
    body.append("csrf_token", token());
    body.append("key", d.key);
    body.append("version", String(d.version));
    body.append("action", d.action);
    body.append("text", d.text);
    body.append("outcome", d.outcome);
    body.append("planned_date", d.planned_date);
    d.files.forEach(function (f) { body.append("files", f.file, f.name); });
    return fetch("/pm/api/orders/" + d.order + "/actions", {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) {
        if (r.ok) {
          return queue.remove(d.key).then(function () {
            bump("data-actions-sent");
            say((en ? "Sent: " : "Отправлено: ") + named(d) + (en ? " to order No. " : " к поручению № ") + d.order + ".",
              "/pm/orders/" + d.order);
          });
        }
        if (r.status === 409) {
          return r.json().then(function (c) {
            d.conflict = c;
            return queue.put(d).then(function () { bump("data-actions-conflicts"); showConflict(d); });
          });
        }
        if (r.status === 404 || r.status === 422) {
          return r.json().catch(function () { return {}; }).then(function (e) {
            // The site's errors: {"error": {"message": en, "message_ru": ru}}.
            d.conflict = { message: e.error ? { ru: e.error.message_ru, en: e.error.message } : null };
            return queue.put(d).then(function () { showConflict(d); });
          });
        }
        // Signed out, or the server is busy: kept for the next try.
      })
      .catch(function () { /* still no signal */ });
  }

  var sending = false;
  function sendAll() {
    if (sending) { return; }
    if (!navigator.onLine || !token()) { keepPages(); return; }
    sending = true;
    queue.all()
      .then(function (list) {
        list.sort(function (a, b) { return a.saved < b.saved ? -1 : 1; });
        return list.reduce(function (p, d) {
          return p.then(function () {
            if (d.conflict) { showConflict(d); return; }
            return send(d);
          });
        }, Promise.resolve());
      })
      .catch(function () {})
      .then(function () { sending = false; keepPages(); });
  }
  window.addEventListener("online", sendAll);
  sendAll();
  // "online" can come before the network answers, or never on a page opened
  // while the phone still thought it had no signal: look again while
  // actions wait (those in conflict wait for the person, not for the timer).
  setInterval(function () {
    if (sending || !navigator.onLine) { return; }
    queue.all().then(function (list) {
      if (list.some(function (d) { return !d.conflict; })) { sendAll(); }
    }).catch(function () {});
  }, 5000);

  // ---- Web Push, opt-in per device ----------------------------------------
  var optin = document.getElementById("push-optin");
  if (!optin || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) { return; }
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  function key(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function post(url, value) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token() },
      body: JSON.stringify(value)
    });
  }
  function show(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; optin.hidden = false; }
  navigator.serviceWorker.ready.then(function (reg) {
    reg.pushManager.getSubscription().then(function (s) { show(!!s); });
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (p) {
        if (p !== "granted") { return; }
        return fetch("/push/key").then(function (r) { return r.json(); }).then(function (k) {
          return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(k.public_key) });
        }).then(function (s) {
          return post("/push/subscriptions", { subscription: s.toJSON(), scope: "/pm/" });
        }).then(function (r) { if (r.ok) { show(true); } });
      }).catch(function () {
        say(en ? "Notifications could not be turned on on this device." : "Не удалось включить уведомления на этом устройстве.");
      });
    });
    off.addEventListener("click", function () {
      reg.pushManager.getSubscription().then(function (s) {
        if (!s) { show(false); return; }
        var endpoint = s.endpoint;
        return s.unsubscribe().then(function () { return post("/push/subscriptions/delete", { endpoint: endpoint }); })
          .then(function () { show(false); });
      }).catch(function () {});
    });
  }).catch(function () {});
})();

// The phone app, page side (every page): registers the service worker;
// keeps a report written without a signal on the phone (IndexedDB: text,
// category, place, photos) and sends it when the signal returns, with the
// page's CSRF token and the citizen's session like any form. The form's
// one-time key (client_key) makes a repeated sending file nothing new, so a
// draft becomes exactly one report. Sign-out forgets the pages the service
// worker kept.
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  document.addEventListener("submit", function (e) {
    var action = e.target.getAttribute && e.target.getAttribute("action");
    if (action === "/auth/logout" && window.caches) { caches.delete("veche-pages"); }
  }, true);
  if (!window.indexedDB || !window.Promise) { return; }

  var CSRF = "csrf_token";

  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open("veche", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("drafts", { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction("drafts", mode);
        var req = work(t.objectStore("drafts"));
        t.oncomplete = function () { ok(req ? req.result : undefined); };
        t.onerror = function () { fail(t.error); };
      });
    });
  }
  var drafts = {
    all: function () { return store("readonly", function (s) { return s.getAll(); }); },
    put: function (d) { return store("readwrite", function (s) { return s.put(d); }); },
    remove: function (key) { return store("readwrite", function (s) { return s["delete"](key); }); }
  };

  // One status line at the top of the page, read out by screen readers.
  function say(text, href) {
    var box = document.getElementById("drafts-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "drafts-status";
      box.className = "notice";
      box.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (!main) { return; }
      main.insertBefore(box, main.firstChild);
    }
    var p = document.createElement("p");
    p.textContent = text + " ";
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = en ? "Open" : "Открыть";
      p.appendChild(a);
    }
    box.appendChild(p);
  }

  // Without a signal the report form keeps what was written.
  var form = document.querySelector('form[action="/problems/new"]');
  if (form) {
    form.addEventListener("submit", function (e) {
      if (navigator.onLine) { return; }
      e.preventDefault();
      var data = new FormData(form);
      var fields = [];
      var files = [];
      data.forEach(function (value, name) {
        if (name === CSRF) { return; }
        if (typeof value === "object") {
          if (value.size) { files.push({ name: name, file: value }); }
        } else {
          fields.push([name, value]);
        }
      });
      var key = data.get("client_key") || String(Date.now());
      drafts.put({ key: key, saved: new Date().toISOString(), fields: fields, files: files })
        .then(function () {
          form.setAttribute("data-draft-saved", key);
          say(en ? "No signal: the report is kept on this phone and will be sent when the signal returns."
                 : "Нет связи: обращение сохранено на телефоне и отправится, когда связь появится.");
        })
        .catch(function () {
          say(en ? "The report could not be kept on this phone." : "Не удалось сохранить обращение на телефоне.");
        });
    });
  }

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function send(d) {
    var body = new FormData();
    // The token first: the server reads it before the photos.
    body.append(CSRF, token());
    d.fields.forEach(function (kv) { if (kv[0] !== "not_duplicate") { body.append(kv[0], kv[1]); } });
    // Written offline, the citizen could not be shown similar reports
    // nearby; the report goes in as its own.
    body.append("not_duplicate", "on");
    d.files.forEach(function (f) { body.append(f.name, f.file, f.file.name || "photo.jpg"); });
    return fetch("/problems/new", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        var filed = /^\/problems\/(\d+)$/.exec(new URL(r.url).pathname);
        if (r.ok && filed) {
          return drafts.remove(d.key).then(function () {
            document.documentElement.setAttribute("data-drafts-sent",
              String(Number(document.documentElement.getAttribute("data-drafts-sent") || 0) + 1));
            say((en ? "Sent: report No. " : "Отправлено: обращение № ") + filed[1] + ".", "/problems/" + filed[1]);
          });
        }
        if (r.status === 422) {
          // Refused as written (a place outside the region, say): it
          // cannot go in by itself; the citizen writes it again.
          return drafts.remove(d.key).then(function () {
            say(en ? "A report written offline was not accepted; please fill in the form again."
                   : "Обращение, написанное без связи, не принято; заполните форму заново.", "/problems/new");
          });
        }
        // Signed out, or the server is busy: kept for the next try.
      })
      .catch(function () { /* still no signal */ });
  }

  var sending = false;
  function sendAll() {
    if (sending || !navigator.onLine || !token()) { return; }
    sending = true;
    drafts.all()
      .then(function (list) {
        return list.reduce(function (p, d) { return p.then(function () { return send(d); }); }, Promise.resolve());
      })
      .catch(function () {})
      .then(function () { sending = false; });
  }
  window.addEventListener("online", sendAll);
  sendAll();
})();

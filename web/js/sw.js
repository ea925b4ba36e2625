// veche's service worker (served as /sw.js, scope: the whole site).
// - Static files (versioned addresses) come from the cache first.
// - Pages come from the network first; the ones a citizen needs without a
//   signal (their reports, the reports they follow, the new report form,
//   the home page) are kept, and shown from the cache when the network
//   fails. Any other page falls back to /offline. The staff's app
//   (js/staff.js) keeps the task list, the order pages opened or listed
//   there, and the planner's list the same way.
// - Web Push: a message is a count and a part of the site, never a text
//   (integration/push); it is worded here, in the language the staff
//   pages left in the cache.
// - Nothing is sent from here: drafts are the page's (js/pwa.js), so the
//   CSRF and session rules stay those of a form.
"use strict";
var PAGES = "veche-pages";
var STATIC = "veche-static-v1";

function keep(pathname) {
  return pathname === "/" || pathname === "/offline" || pathname === "/problems/new" ||
    pathname === "/account/requests" || /^\/problems\/\d+$/.test(pathname) ||
    pathname === "/pm/tasks" || /^\/pm\/orders\/\d+$/.test(pathname);
}

// The key a page is kept under: its path; the planner's phone list keeps
// its query, which makes it that list.
function keyOf(url) {
  if (url.pathname === "/pm/planner" && url.search === "?view=list") { return "/pm/planner?view=list"; }
  return url.pathname;
}

function kept(url) {
  return keep(url.pathname) || keyOf(url) !== url.pathname;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(PAGES)
      .then(function (cache) { return cache.add("/offline"); })
      .catch(function () {})
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (n) { return n !== PAGES && n !== STATIC; })
          .map(function (n) { return caches.delete(n); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function cacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

function networkFirst(request, url) {
  return fetch(request)
    .then(function (response) {
      // Only complete pages of this site, not redirects to the sign-in.
      if (response.ok && response.type === "basic" && !response.redirected && kept(url)) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(keyOf(url), copy); });
      }
      return response;
    })
    .catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(keyOf(url)).then(function (hit) {
          return hit || cache.match("/offline");
        });
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") { return; }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/api/v1/towns" ||
      url.pathname === "/api/v1/municipalities") {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, url));
  }
});

// Russian counts: 1 новое уведомление, 2 новых уведомления, 5 новых уведомлений.
function countRu(n) {
  var d = n % 10, h = n % 100;
  if (d === 1 && h !== 11) { return n + " новое уведомление"; }
  if (d >= 2 && d <= 4 && (h < 12 || h > 14)) { return n + " новых уведомления"; }
  return n + " новых уведомлений";
}

function words(lang, n, staff) {
  if (lang === "en") {
    var what = n === 1 ? "1 new notification" : n + " new notifications";
    return { title: staff ? "Veche — orders" : "Veche", body: "You have " + what + (staff ? " about your orders." : ".") };
  }
  return { title: staff ? "Вече — поручения" : "Вече", body: "У вас " + countRu(n) + (staff ? " по поручениям." : ".") };
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var n = Math.max(1, Number(data.count) || 1);
  var staff = data.scope === "/pm/";
  event.waitUntil(
    caches.open(PAGES)
      .then(function (cache) { return cache.match("/__veche/lang"); })
      .then(function (r) { return r ? r.text() : "ru"; })
      .catch(function () { return "ru"; })
      .then(function (lang) {
        var t = words(lang, n, staff);
        return self.registration.showNotification(t.title, {
          body: t.body,
          tag: "veche" + (data.scope || "/"),
          renotify: true,
          data: { url: staff ? "/pm/tasks" : "/" }
        });
      })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then(function (list) {
      for (var i = 0; i < list.length; i++) {
        if (new URL(list[i].url).pathname === url && list[i].focus) { return list[i].focus(); }
      }
      return self.clients.openWindow(url);
    })
  );
});

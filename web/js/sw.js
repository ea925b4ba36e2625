// veche's service worker (served as /sw.js, scope: the whole site).
// - Static files (versioned addresses) come from the cache first.
// - Pages come from the network first; the ones a citizen needs without a
//   signal (their reports, the reports they follow, the new report form,
//   the home page) are kept, and shown from the cache when the network
//   fails. Any other page falls back to /offline.
// - Nothing is sent from here: drafts are the page's (js/pwa.js), so the
//   CSRF and session rules stay those of a form.
"use strict";
var PAGES = "veche-pages";
var STATIC = "veche-static-v1";

function keep(pathname) {
  return pathname === "/" || pathname === "/offline" || pathname === "/problems/new" ||
    pathname === "/account/requests" || /^\/problems\/\d+$/.test(pathname);
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
      if (response.ok && response.type === "basic" && !response.redirected && keep(url.pathname)) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    })
    .catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) {
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

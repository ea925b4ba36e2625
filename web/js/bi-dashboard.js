// An embedded Superset dashboard (docs/BI.md, "Superset"). The vendored
// embedded SDK draws Superset's frame; each guest token comes from veche
// (POST .../token with the page's CSRF token), which signs it for the
// viewer's portfolio. Until the frame loads, or if Superset cannot be
// reached, the text fallback above it stays.
(function () {
  "use strict";
  var mount = document.getElementById("superset-dashboard");
  var fallback = document.getElementById("superset-fallback");
  if (!mount || typeof supersetEmbeddedSdk === "undefined") { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function fetchGuestToken() {
    return fetch(mount.dataset.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error("token: " + r.status); }
      return r.json();
    }).then(function (body) { return body.token; });
  }

  // Ask for a token first: no token (not allowed, not configured) means no
  // frame at all, and the fallback says why.
  fetchGuestToken().then(function () {
    return supersetEmbeddedSdk.embedDashboard({
      id: mount.dataset.dashboard,
      supersetDomain: mount.dataset.supersetUrl,
      mountPoint: mount,
      fetchGuestToken: fetchGuestToken,
      dashboardUiConfig: { hideTitle: true, filters: { expanded: false } }
    });
  }).then(function () {
    var frame = mount.querySelector("iframe");
    if (!frame) { return; }
    frame.title = mount.dataset.frameTitle || "Superset";
    frame.addEventListener("load", function () {
      if (fallback) { fallback.hidden = true; }
    });
  }).catch(function () {
    if (fallback) { fallback.hidden = false; }
  });
})();

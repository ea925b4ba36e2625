// The map view of a dataset: streams the filtered rows as JSON pages (keyset
// pagination, 1000 rows a page) and clusters the points, like
// datasette-cluster-map. Works without tiles: markers are drawn by the browser.
(function () {
  "use strict";
  var el = document.getElementById("datamap");
  if (!el || typeof L === "undefined") { return; }
  var status = document.getElementById("datamap-status");
  var lang = document.documentElement.lang;
  var latKey = el.getAttribute("data-lat"), lonKey = el.getAttribute("data-lon");
  var titleKey = el.getAttribute("data-title");
  el.innerHTML = "";
  var map = L.vecheMap(el, { scrollWheelZoom: false });
  map.setView([45.2, 39.0], 7);
  var cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50 });
  map.addLayer(cluster);
  var shown = 0, MAX_PAGES = 100;

  function popup(row) {
    var box = document.createElement("div");
    var keys = Object.keys(row).filter(function (k) { return k !== "_row"; }).slice(0, 8);
    keys.forEach(function (k) {
      var p = document.createElement("div");
      var b = document.createElement("strong");
      b.textContent = k + ": ";
      p.appendChild(b);
      p.appendChild(document.createTextNode(row[k] === null ? "" : String(row[k])));
      box.appendChild(p);
    });
    return box;
  }

  function say(done) {
    if (!status) { return; }
    status.textContent = (lang === "en" ? "Points on the map: " : "Точек на карте: ") + shown +
      (done ? "" : (lang === "en" ? " (loading…)" : " (загружаются…)"));
  }

  function load(url, page) {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var markers = [];
        data.rows.forEach(function (row) {
          var lat = row[latKey], lon = row[lonKey];
          if (typeof lat === "number" && typeof lon === "number" && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
            var m = L.marker([lat, lon], { title: titleKey && row[titleKey] ? String(row[titleKey]) : "" });
            m.bindPopup(popup(row));
            markers.push(m);
          }
        });
        cluster.addLayers(markers);
        shown += markers.length;
        if (page === 0 && markers.length) { map.fitBounds(cluster.getBounds(), { padding: [10, 10] }); }
        var more = data.next_url && page + 1 < MAX_PAGES;
        say(!more);
        if (more) { load(data.next_url, page + 1); } else { el.setAttribute("data-map-ready", "1"); }
      })
      .catch(function () { say(true); el.setAttribute("data-map-ready", "error"); });
  }
  load(el.getAttribute("data-source"), 0);
})();

// The map of the construction registry: objects in view from the GeoJSON
// endpoint (with the page's filters), coloured by status, clustered in the
// browser; footprints drawn as polygons. Markers are keyboard-focusable
// and the map works without tiles.
(function () {
  "use strict";
  var el = document.getElementById("construction-map");
  if (!el || typeof L === "undefined") { return; }
  var src = el.getAttribute("data-src");
  el.innerHTML = "";
  var map = L.vecheMap(el, { scrollWheelZoom: true });
  map.setView([45.2, 39.0], 7);
  var shapes = L.layerGroup().addTo(map);
  var cluster = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup({ maxClusterRadius: 40 }) : L.layerGroup();
  map.addLayer(cluster);
  var seq = 0;

  function popup(p) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = p.url;
    a.textContent = p.name;
    box.appendChild(a);
    var meta = document.createElement("div");
    meta.textContent = p.status_label + (p.address ? " · " + p.address : "");
    box.appendChild(meta);
    return box;
  }

  function load() {
    var mine = ++seq;
    var url = src + (src.indexOf("?") < 0 ? "?" : "&") + "bbox=" + map.getBounds().toBBoxString();
    fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== seq) { return; }
        shapes.clearLayers();
        cluster.clearLayers();
        var markers = 0;
        data.features.forEach(function (f) {
          var p = f.properties;
          if (p.footprint) {
            L.geoJSON(f, { style: { color: p.color, weight: 2, fillOpacity: 0.25 }, bubblingMouseEvents: false }).bindPopup(popup(p)).addTo(shapes);
            return;
          }
          var c = f.geometry.coordinates;
          var icon = L.divIcon({ className: "status-marker", html: '<span style="background:' + p.color + '"></span>', iconSize: [18, 18] });
          cluster.addLayer(L.marker([c[1], c[0]], { icon: icon, title: p.name, keyboard: true }).bindPopup(popup(p)));
          markers += 1;
        });
        el.setAttribute("data-map-ready", "1");
        el.setAttribute("data-markers", String(markers));
      })
      .catch(function () { el.setAttribute("data-map-error", "1"); });
  }

  // A click on an empty spot: the building is not in the registry, ask
  // for a check of that place (markers and footprints keep their own).
  var checkHref = el.getAttribute("data-check-href");
  if (checkHref) {
    map.on("click", function (e) {
      var a = document.createElement("a");
      a.href = checkHref + "?lat=" + e.latlng.lat.toFixed(6) + "&lon=" + e.latlng.lng.toFixed(6);
      a.textContent = el.getAttribute("data-check-label") || "";
      L.popup().setLatLng(e.latlng).setContent(a).openOn(map);
    });
  }

  map.on("moveend", load);
  load();
})();

// The map of problem reports: asks the bounding-box GeoJSON endpoint for the
// reports in view whenever the view changes. Far out, the server answers
// with clusters (a count per grid cell); close in, with single reports,
// clustered in the browser. Markers are drawn by the browser, so the map
// works without tiles.
(function () {
  "use strict";
  var el = document.getElementById("problems-map");
  if (!el || typeof L === "undefined") { return; }
  var en = document.documentElement.lang === "en";
  var status = document.getElementById("problems-map-status");
  var src = el.getAttribute("data-src");
  el.innerHTML = "";
  var map = L.vecheMap(el, { scrollWheelZoom: true });
  map.setView([45.2, 39.0], 7);
  var layer = L.layerGroup().addTo(map);
  var cluster = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup({ maxClusterRadius: 45 }) : L.layerGroup();
  map.addLayer(cluster);
  var seq = 0;

  function popup(p) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = p.url;
    a.textContent = p.title;
    box.appendChild(a);
    var meta = document.createElement("div");
    meta.textContent = p.state_label + (p.overdue ? (en ? " · overdue" : " · просрочено") : "") +
      " · " + p.support_count + (en ? " supporters" : " поддержали");
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
        layer.clearLayers();
        cluster.clearLayers();
        var count = 0;
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          if (p.cluster) {
            count += p.count;
            var size = p.count < 100 ? 34 : (p.count < 1000 ? 42 : 52);
            var icon = L.divIcon({ html: "<span>" + p.count + "</span>", className: "server-cluster", iconSize: [size, size] });
            var m = L.marker([c[1], c[0]], { icon: icon, keyboard: true, title: String(p.count) });
            m.on("click", function () { map.setView([c[1], c[0]], map.getZoom() + 2); });
            layer.addLayer(m);
          } else {
            count += 1;
            var marker = L.marker([c[1], c[0]], { title: p.title });
            marker.bindPopup(popup(p));
            cluster.addLayer(marker);
          }
        });
        if (status) { status.textContent = (en ? "Reports in view: " : "Обращений в этой области: ") + count; }
        el.setAttribute("data-map-ready", "1");
      })
      .catch(function () { if (status) { status.textContent = en ? "The reports could not be loaded." : "Не удалось загрузить обращения."; } });
  }
  var timer = null;
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 200); });
  load();
})();

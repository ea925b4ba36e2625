// Veche maps: turns every `.map` container into a Leaflet map showing its
// GeoJSON (inline in the page or fetched from a URL). Tiles load from the
// configured tile server; when they cannot, the outlines still show, because
// they are vector layers drawn by the browser. Without this script the
// server-drawn SVG in the container stays in place.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var STYLE = { color: "#073763", weight: 1.5, fillColor: "#0b5394", fillOpacity: 0.15 };

  function popupFor(feature) {
    var p = feature.properties || {};
    var lang = document.documentElement.lang;
    var name = (lang === "en" && p.name_en) ? p.name_en : (p.name || "");
    var el = document.createElement("div");
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = name;
      el.appendChild(a);
    } else {
      el.textContent = name;
    }
    return el;
  }

  function show(container, data) {
    container.innerHTML = "";
    var map = L.vecheMap(container, { scrollWheelZoom: false });
    var layer = L.geoJSON(data, {
      style: function () { return STYLE; },
      // A place known only as a town's centre is an area, not a pin.
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        return p.approximate ? L.circle(latlng, { radius: 1500, color: STYLE.color, weight: 1.5, fillColor: STYLE.fillColor, fillOpacity: 0.15 }) : L.marker(latlng);
      },
      onEachFeature: function (feature, l) {
        l.bindPopup(popupFor(feature));
        l.on("mouseover", function () { l.setStyle({ fillOpacity: 0.35 }); });
        l.on("mouseout", function () { l.setStyle({ fillOpacity: STYLE.fillOpacity }); });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); }
    container.setAttribute("data-map-ready", "1");
  }

  function init(container) {
    var inline = container.getAttribute("data-geojson-inline");
    var src = container.getAttribute("data-geojson-src");
    if (inline) {
      var block = document.getElementById(inline);
      if (block) { show(container, JSON.parse(block.textContent)); }
    } else if (src) {
      fetch(src, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { show(container, data); })
        .catch(function () { /* keep the server-drawn outline */ });
    }
  }

  var maps = document.querySelectorAll(".map");
  for (var i = 0; i < maps.length; i++) { init(maps[i]); }
})();

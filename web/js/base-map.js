// The region under every map, drawn by the browser: the land of the 44
// municipalities on a water-coloured ground, their borders and the names of
// the main towns. Tiles, when they load, cover the land (borders and names
// stay above them); when they cannot load, or VECHE_TILE_URL is empty, the
// map still reads. Hooked into every Leaflet map of the site, so each map
// script needs nothing of its own.
(function () {
  "use strict";
  // Once per page, however many times the script is included.
  if (typeof L === "undefined" || L.vecheMap) { return; }

  var cache = {};
  // One request per address per page, however many maps ask.
  function get(url, done) {
    var entry = cache[url];
    if (!entry) {
      entry = cache[url] = { data: null, waiting: [] };
      fetch(url, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          entry.data = data;
          entry.waiting.splice(0).forEach(function (f) { f(data); });
        })
        .catch(function () { entry.waiting = []; });
    }
    if (entry.data) { done(entry.data); } else { entry.waiting.push(done); }
  }

  function pane(map, name, z) {
    var p = map.createPane(name);
    p.style.zIndex = z;
    p.style.pointerEvents = "none";
    return p;
  }

  // Without a tile layer a map has no zoom limit of its own, and marker
  // clustering refuses to start without one.
  L.Map.mergeOptions({ maxZoom: 19 });

  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

  // Every map of the site is made here: Leaflet's prefix, the tiles named by
  // the container's `data-tiles` (none when empty), and the OpenStreetMap
  // credit either way (the drawn region is OpenStreetMap data too).
  L.vecheMap = function (el, options) {
    var map = L.map(el, options || { scrollWheelZoom: false });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    } else {
      map.attributionControl.addAttribution(ATTRIBUTION);
    }
    return map;
  };

  L.Map.addInitHook(function () {
    var map = this;
    var container = map.getContainer();
    container.classList.add("base-map");
    // Land under the tiles (200), borders and names above them, below the
    // site's own layers (400) and markers (600).
    pane(map, "baseLand", 150);
    pane(map, "baseLines", 250);
    pane(map, "baseLabels", 260);
    get("/api/v1/municipalities?detail=map", function (data) {
      L.geoJSON(data, {
        pane: "baseLand",
        interactive: false,
        style: function () { return { stroke: false, fillColor: "#f2efe9", fillOpacity: 1, className: "base-land" }; }
      }).addTo(map);
      L.geoJSON(data, {
        pane: "baseLines",
        interactive: false,
        style: function () { return { color: "#7b8794", weight: 1, fill: false, className: "base-outline" }; }
      }).addTo(map);
      container.setAttribute("data-base-ready", "1");
    });
    get("/api/v1/towns", function (data) {
      L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties || {};
          var label = document.createElement("span");
          label.textContent = (document.documentElement.lang === "en" && p.name_en) ? p.name_en : p.name;
          return L.marker(latlng, {
            pane: "baseLabels",
            interactive: false,
            keyboard: false,
            icon: L.divIcon({ className: "base-town" + (p.population > 100000 ? " base-town-big" : ""), html: label.outerHTML, iconSize: null })
          });
        }
      }).addTo(map);
    });
  });
})();

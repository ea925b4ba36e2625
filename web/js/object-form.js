// The registry object form's map: a click drops the object's point (drag it
// to adjust), and Leaflet-Geoman's polygon and rectangle tools draw its
// footprint. Both are written into the form's fields (latitude, longitude,
// and the footprint as GeoJSON), which stay editable: typing there moves the
// map. Without scripts, or without tiles, the fields alone still work.
(function () {
  "use strict";
  var el = document.getElementById("object-pick-map");
  var lat = document.getElementById("f-lat");
  var lon = document.getElementById("f-lon");
  var fp = document.getElementById("f-footprint");
  if (!el || !lat || !lon || !fp || typeof L === "undefined") { return; }
  var en = document.documentElement.lang === "en";

  el.innerHTML = "";
  var map = L.vecheMap(el, { scrollWheelZoom: false });

  var marker = null;
  var shape = null;

  function number(input) {
    var x = parseFloat(String(input.value).replace(",", "."));
    return isFinite(x) ? x : null;
  }

  function setPoint(ll, write) {
    if (!marker) {
      marker = L.marker(ll, { draggable: true, keyboard: true, title: en ? "The object's point" : "Точка объекта" }).addTo(map);
      marker.on("dragend", function () { setPoint(marker.getLatLng(), true); });
    } else {
      marker.setLatLng(ll);
    }
    if (write) {
      lat.value = ll.lat.toFixed(6);
      lon.value = ll.lng.toFixed(6);
    }
  }

  function writeFootprint() {
    if (!shape) { fp.value = ""; return; }
    var gj = shape.toGeoJSON();
    var geometry = gj.type === "FeatureCollection" ? (gj.features[0] || {}).geometry : gj.geometry;
    fp.value = geometry ? JSON.stringify(geometry) : "";
    // A footprint without a point yet: its centre is the point.
    if (number(lat) === null || number(lon) === null) { setPoint(shape.getBounds().getCenter(), true); }
  }

  function adopt(layer) {
    if (shape && shape !== layer) { map.removeLayer(shape); }
    shape = layer;
    if (layer.on) { layer.on("pm:edit", writeFootprint); }
  }

  function showTyped() {
    var la = number(lat), lo = number(lon);
    if (la !== null && lo !== null) { setPoint([la, lo], false); }
    if (fp.value.trim()) {
      try {
        var layer = L.geoJSON(JSON.parse(fp.value)).getLayers()[0];
        if (layer) { layer.addTo(map); adopt(layer); }
      } catch (e) { /* the server says what is wrong with it */ }
    }
  }

  showTyped();
  if (shape && shape.getBounds) { map.fitBounds(shape.getBounds(), { maxZoom: 18 }); }
  else if (marker) { map.setView(marker.getLatLng(), 17); }
  else { map.setView([45.2, 39.0], 7); }

  map.on("click", function (e) { setPoint(e.latlng, true); });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var la = number(lat), lo = number(lon);
      if (la !== null && lo !== null) { setPoint([la, lo], false); map.setView([la, lo], Math.max(map.getZoom(), 16)); }
    });
  });
  fp.addEventListener("change", function () {
    if (shape) { map.removeLayer(shape); shape = null; }
    showTyped();
  });

  if (map.pm) {
    map.pm.setLang(en ? "en" : "ru");
    map.pm.addControls({
      position: "topleft",
      drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false, drawText: false,
      drawPolygon: true, drawRectangle: true,
      editMode: true, dragMode: false, cutPolygon: false, removalMode: true, rotateMode: false
    });
    map.on("pm:create", function (e) { adopt(e.layer); writeFootprint(); });
    map.on("pm:remove", function (e) {
      if (e.layer === shape) { shape = null; fp.value = ""; }
      if (e.layer === marker) { marker = null; }
    });
  }
  el.setAttribute("data-map-ready", "1");
})();

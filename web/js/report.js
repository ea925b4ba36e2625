// The report form: a map to drop a pin on (or "use my location"), kept in
// step with the latitude and longitude fields, and a check for open reports
// of the same category nearby, offered for support instead of a duplicate.
// Without this script the form still works with an address or coordinates.
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  var latInput = document.getElementById("f-lat");
  var lonInput = document.getElementById("f-lon");
  var category = document.getElementById("f-category");
  var live = document.getElementById("nearby-live");
  var dupBox = document.getElementById("not-duplicate-box");
  var lang = document.documentElement.lang;
  var en = lang === "en";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  if (!el || !latInput || !lonInput || typeof L === "undefined") { return; }

  el.innerHTML = "";
  var map = L.vecheMap(el, { scrollWheelZoom: false });
  var marker = null;

  function current() {
    var lat = parseFloat(String(latInput.value).replace(",", "."));
    var lon = parseFloat(String(lonInput.value).replace(",", "."));
    return (isFinite(lat) && isFinite(lon)) ? [lat, lon] : null;
  }

  function place(lat, lon, fromMap) {
    if (!marker) {
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: en ? "Problem location" : "Место проблемы" }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        place(p.lat, p.lng, true);
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    if (fromMap) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
    }
    checkNearby();
  }

  var start = current();
  // Without a point yet, the citizen's own municipality (data-bbox:
  // min lon, min lat, max lon, max lat), else the whole krai.
  var bbox = (el.getAttribute("data-bbox") || "").split(",").map(parseFloat);
  if (start) { map.setView(start, 16); place(start[0], start[1], false); }
  else if (bbox.length === 4 && bbox.every(isFinite)) { map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]); }
  else { map.setView([45.2, 39.0], 7); }
  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, true); });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var p = current();
      if (p) { place(p[0], p[1], false); map.setView(p, Math.max(map.getZoom(), 15)); }
    });
  });
  el.setAttribute("data-map-ready", "1");

  var locate = document.getElementById("locate-me");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        place(pos.coords.latitude, pos.coords.longitude, true);
        map.setView([pos.coords.latitude, pos.coords.longitude], 17);
      }, function () {
        locate.disabled = false;
        if (live) { live.textContent = en ? "Your location is not available. Drop a pin on the map or type an address." : "Местоположение недоступно. Поставьте метку на карте или введите адрес."; }
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  var pending = null;
  var placeLine = document.getElementById("pick-place");
  // Under the map: the municipality of the pin and who will answer there
  // («Сочи · ответит: Администрация г. Сочи»).
  function sayPlace(place) {
    if (!placeLine) { return; }
    if (!place) { placeLine.textContent = ""; return; }
    var text = place.municipality || "";
    if (place.answers) { text += (en ? " · will answer: " : " · ответит: ") + place.answers; }
    placeLine.textContent = text;
  }
  function checkNearby() {
    var p = current();
    if (!p) { return; }
    var cat = category && category.value ? category.value : "";
    clearTimeout(pending);
    pending = setTimeout(function () {
      var url = "/api/v1/problems/nearby?lat=" + p[0] + "&lon=" + p[1] + (cat ? "&category=" + encodeURIComponent(cat) : "");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { reports: [] }; })
        .then(function (data) {
          sayPlace(data.place);
          // Duplicates only make sense within the chosen category.
          if (live) { show(cat ? (data.reports || []) : []); }
        })
        .catch(function () { /* the server checks again on submit */ });
    }, 300);
  }

  function show(reports) {
    live.innerHTML = "";
    if (dupBox) { dupBox.hidden = reports.length === 0; }
    if (!reports.length) { return; }
    var box = document.createElement("section");
    box.className = "nearby";
    var h = document.createElement("h2");
    h.textContent = en ? "A similar problem has been reported nearby" : "Рядом уже сообщили о похожей проблеме";
    box.appendChild(h);
    var ul = document.createElement("ul");
    ul.className = "nearby-list";
    reports.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + r.distance_m + (en ? " m" : " м") + ") — " + r.description + " "));
      var form = document.createElement("form");
      form.method = "post";
      form.action = r.url + "/support";
      form.className = "inline";
      var token = document.createElement("input");
      token.type = "hidden"; token.name = "csrf_token"; token.value = csrf;
      form.appendChild(token);
      var b = document.createElement("button");
      b.type = "submit"; b.className = "button button-small";
      b.textContent = en ? "Support this report" : "Поддержать это обращение";
      form.appendChild(b);
      li.appendChild(form);
      ul.appendChild(li);
    });
    box.appendChild(ul);
    live.appendChild(box);
  }
  if (category) { category.addEventListener("change", checkNearby); }
})();

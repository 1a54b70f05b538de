/* The public map of cases: asks GET /api/v1/public/cases/map for the part in view (with
   the page's filters) and draws what comes back: numbered cells when zoomed out (tap one
   to zoom into it), one pin per case close up (tap for the case and its page). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var strings = cfg.strings;
  var lang = document.documentElement.lang;
  var status = document.getElementById("map-status");

  function t(key, params) {
    return (strings[key] || key).replace(/%\((\w+)\)s/g, function (_m, name) {
      return params && params[name] !== undefined ? String(params[name]) : "";
    });
  }
  function name(ref) {
    return (lang === "en" && ref.name_en) || ref.name;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // 高德 tiles are drawn in GCJ-02; the cases are WGS-84 (the published forward transform,
  // and its inverse by iteration: within a metre, plenty for a map of cases).
  var gcj = cfg.map.tiles && cfg.map.tiles.crs === "gcj02";
  function shift(lat, lng) {
    var a = 6378245.0, ee = 0.00669342162296594323, x = lng - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    var dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * Math.PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad);
    var sq = Math.sqrt(magic);
    return [lat + (dLat * 180.0) / ((a * (1 - ee)) / (magic * sq) * Math.PI),
      lng + (dLng * 180.0) / (a / sq * Math.cos(rad) * Math.PI)];
  }
  function toMap(lat, lng) { return gcj ? L.latLng(shift(lat, lng)) : L.latLng(lat, lng); }
  function fromMap(ll) {
    if (!gcj) return [ll.lat, ll.lng];
    var w = [ll.lat, ll.lng];
    for (var i = 0; i < 3; i++) {
      var g = shift(w[0], w[1]);
      w = [w[0] + ll.lat - g[0], w[1] + ll.lng - g[1]];
    }
    return w;
  }

  var map = L.map("map", { attributionControl: !!cfg.map.tiles, maxZoom: 19 })
    .setView(toMap(45.76, 126.63), 11);
  // The outlines arrive after the first view: they fit the map to the city only if
  // nobody has moved it meanwhile (a person who zoomed in is not thrown back out).
  var untouched = true;
  map.on("movestart zoomstart", function () { untouched = false; });
  if (cfg.map.tiles) {
    var tiles = cfg.map.tiles;
    L.tileLayer(tiles.url, { subdomains: tiles.subdomains || "abc", attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
    if (tiles.labels) L.tileLayer(tiles.labels, { subdomains: tiles.subdomains, maxZoom: 19 }).addTo(map);
  } else {
    map.getContainer().classList.add("map-plain");
  }
  // The districts as the ground (without tiles) and the first view.
  fetch("/m/districts.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    var layer = L.geoJSON(geo, {
      coordsToLatLng: function (c) { return toMap(c[1], c[0]); },
      style: { color: "#07c160", weight: 1.2, fillColor: "#07c160", fillOpacity: 0.05 },
      interactive: false,
      onEachFeature: function (f, l) {
        if (!cfg.map.tiles) l.bindTooltip(name(f.properties), { permanent: true, direction: "center", className: "district-label" });
      }
    }).addTo(map);
    layer.bringToBack();
    if (untouched && layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { animate: false });
  }).catch(function () { /* the cases still show without outlines */ });

  var shown = L.layerGroup().addTo(map);
  var asked = 0;

  function load() {
    var b = map.getBounds();
    var sw = fromMap(b.getSouthWest()), ne = fromMap(b.getNorthEast());
    var clamp = function (v, lim) { return Math.max(-lim, Math.min(lim, v)); };
    var params = new URLSearchParams(cfg.filters);
    params.set("bbox", [clamp(sw[1], 180), clamp(sw[0], 90), clamp(ne[1], 180), clamp(ne[0], 90)]
      .map(function (v) { return v.toFixed(6); }).join(","));
    params.set("zoom", String(Math.round(map.getZoom())));
    var mine = ++asked;
    fetch(cfg.api + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { if (mine === asked) draw(data); })
      .catch(function () { if (mine === asked) status.textContent = t("failed"); });
  }

  function draw(data) {
    // A pin's popup moves the map to fit (auto-pan), which asks again and redraws: the
    // pin whose popup the person just opened stays as it is if its case is still there.
    var keep = null, kept = false, old = [];
    shown.eachLayer(function (l) {
      if (!keep && l.isPopupOpen && l.isPopupOpen()) keep = l; else old.push(l);
    });
    old.forEach(function (l) { shown.removeLayer(l); });
    map.getContainer().dataset.mode = data.mode;
    map.getContainer().dataset.zoom = String(data.zoom);  // what is drawn (tests wait for it)
    status.textContent = data.total ? t("in_view", { n: data.total }) : t("none_in_view");
    data.cells.forEach(function (c) {
      var size = c.count >= 100 ? "l" : c.count >= 10 ? "m" : "s";
      var icon = L.divIcon({ className: "cell cell-" + size, html: String(c.count), iconSize: null });
      var label = c.count === 1 ? t("one_case_here") : t("cases_here", { n: c.count });
      var m = L.marker(toMap(c.lat, c.lng), { icon: icon, title: label, alt: label, keyboard: true });
      m.on("click", function () {
        map.fitBounds(L.latLngBounds(toMap(c.bounds[1], c.bounds[0]), toMap(c.bounds[3], c.bounds[2])));
      });
      shown.addLayer(m);
    });
    data.markers.forEach(function (c) {
      var at = toMap(c.lat, c.lng);
      if (c.coarse) {
        shown.addLayer(L.circle(at, { radius: 70, className: "coarse-area", interactive: false }));
      }
      if (keep && keep.options.number === c.number) { kept = true; return; }
      var pin = L.marker(at, { title: name(c.category) + " · " + c.number, alt: name(c.category), number: c.number });
      pin.bindPopup(function () { return popup(c); }, { maxWidth: 230, autoPanPadding: [12, 12] });
      shown.addLayer(pin);
    });
    if (keep && !kept) shown.removeLayer(keep);
  }

  function popup(c) {
    var date = c.created_at.slice(0, 10);
    var lines = [
      el("b", {}, [name(c.category)]),
      el("p", {}, [
        el("span", { class: "badge state family-" + c.family + " state-" + c.state }, [c.state_label]),
        " " + c.number + " · " + date
      ])
    ];
    if (c.coarse) lines.push(el("p", { class: "coarse" }, [t("coarse")]));
    lines.push(el("a", { class: "popup-link", href: c.url }, [t("open_case")]));
    return el("div", { class: "popup" }, lines);
  }

  map.on("moveend", load);
  load();
  window.SSPPublicMap = map;  // for the browser tests and for debugging on a phone
})();

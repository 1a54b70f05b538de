/* The report page: photos (shrunk, EXIF position kept), place on a map, category,
   department preview and nearby cases (me too), and an upload that survives a weak network. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t, cfg = SSP.config;
  SSP.report = SSP.report || {};
  var form = document.getElementById("report");
  // [{file (to send), url (thumbnail), busy}] or, for a photo already on the server
  // (sent in the WeChat chat or taken with the JS-SDK), {draftPhoto: id, url, busy}.
  var photos = [];
  var exifPos = null;       // {lat, lng, cs} from the first photo that has one
  var pos = null;           // the chosen place {lat, lng, cs}
  var exifEndpoint = true;  // false once /api/v1/photos/exif-location answered 404
  var idempotencyKey = SSP.randomId() + SSP.randomId();
  var LONG_SIDE = 1800;
  // A draft gathered in the WeChat chat (or by the JS-SDK): its token opens it.
  var draftToken = "";
  var DRAFT_KEY = "ssp.draft";

  // ------------------------------------------------------------ EXIF GPS (JPEG)

  // The GPS position in a JPEG's EXIF block, or null. Reads only the few bytes needed.
  function exifGps(buf) {
    var v = new DataView(buf);
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    var off = 2;
    while (off + 4 < v.byteLength) {
      var marker = v.getUint16(off);
      var size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) return tiffGps(v, off + 10);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
      off += 2 + size;
    }
    return null;
  }
  function tiffGps(v, start) {
    var little = v.getUint16(start) === 0x4949;
    var u16 = function (o) { return v.getUint16(start + o, little); };
    var u32 = function (o) { return v.getUint32(start + o, little); };
    function entries(ifd) {
      var out = {}, n = u16(ifd);
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12;
        out[u16(e)] = { type: u16(e + 2), count: u32(e + 4), at: e + 8 };
      }
      return out;
    }
    function rationals(e) {
      var o = u32(e.at), vals = [];
      for (var i = 0; i < e.count; i++) vals.push(u32(o + i * 8) / (u32(o + i * 8 + 4) || 1));
      return vals;
    }
    function dms(e, ref, negative) {
      var r = rationals(e);
      var deg = r[0] + (r[1] || 0) / 60 + (r[2] || 0) / 3600;
      return String.fromCharCode(v.getUint8(start + ref.at)) === negative ? -deg : deg;
    }
    try {
      var ifd0 = entries(u32(4));
      if (!ifd0[0x8825]) return null;
      var gps = entries(u32(ifd0[0x8825].at));
      if (!gps[2] || !gps[4] || !gps[1] || !gps[3]) return null;
      var lat = dms(gps[2], gps[1], "S"), lng = dms(gps[4], gps[3], "W");
      if (!isFinite(lat) || !isFinite(lng) || (lat === 0 && lng === 0)) return null;
      return { lat: lat, lng: lng, cs: "wgs84" };
    } catch (err) {
      return null;  // a damaged EXIF block: no position, not an error
    }
  }

  function readBuffer(file) {
    return new Promise(function (resolve) {
      var r = new FileReader();
      r.onload = function () { resolve(r.result); };
      r.onerror = function () { resolve(null); };
      r.readAsArrayBuffer(file.slice(0, 256 * 1024));
    });
  }

  // Ask the server (it also reads HEIC); silently unavailable where that endpoint is missing.
  function serverExif(file) {
    if (!exifEndpoint) return Promise.resolve(null);
    var data = new FormData();
    data.append("photo", file, file.name || "photo.jpg");
    return fetch("/api/v1/photos/exif-location", {
      method: "POST", body: data, headers: { "X-CSRFToken": SSP.csrf() }, credentials: "same-origin"
    }).then(function (r) {
      // The endpoint answers 404 in JSON for "no position in this photo"; a 404 page
      // that is not JSON means the endpoint is not installed: stop asking.
      var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
      if ((r.status === 404 && !json) || r.status === 405) { exifEndpoint = false; return null; }
      return r.ok ? r.json() : null;
    }).then(function (d) {
      return d && typeof d.lat === "number" ? { lat: d.lat, lng: d.lng, cs: d.coord_system || "wgs84" } : null;
    }).catch(function () { return null; });
  }

  // ------------------------------------------------------------ shrinking

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(file);
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var w = img.naturalWidth, h = img.naturalHeight, scale = LONG_SIDE / Math.max(w, h);
        if (scale >= 1 && file.size < 1.5 * 1024 * 1024) { URL.revokeObjectURL(url); resolve(file); return; }
        scale = Math.min(scale, 1);
        var c = document.createElement("canvas");
        c.width = Math.round(w * scale); c.height = Math.round(h * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.\w+$/, "") + ".jpg";
          try { resolve(new File([blob], name, { type: "image/jpeg" })); } catch (e) { blob.name = name; resolve(blob); }
        }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  // ------------------------------------------------------------ photos

  var input = document.getElementById("photo-input");
  var box = document.getElementById("photos");
  var addTile = document.getElementById("photo-add");

  // What the server accepts, told by the first bytes (the name and the browser's type can
  // lie): JPEG, PNG, WebP, HEIC/HEIF. Anything else is refused here, at once.
  function isPhoto(buf) {
    if (!buf || buf.byteLength < 12) return false;
    var b = new Uint8Array(buf, 0, 12);
    var text = function (from, to) { return String.fromCharCode.apply(null, b.subarray(from, to)); };
    if (b[0] === 0xFF && b[1] === 0xD8 && b[2] === 0xFF) return true;
    if (b[0] === 0x89 && text(1, 4) === "PNG") return true;
    if (text(0, 4) === "RIFF" && text(8, 12) === "WEBP") return true;
    return text(4, 8) === "ftyp" && /^(hei[cxms]|hev[cxms]|mif1|msf1|avif)$/.test(text(8, 12));
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    SSP.clearErrors(form);
    Promise.all(files.map(readBuffer)).then(function (heads) {
      var refused = files.filter(function (f, i) { return !isPhoto(heads[i]); });
      var room = cfg.max_photos - photos.length, messages = [];
      if (refused.length) {
        messages.push(t("not_a_photo", { names: refused.map(function (f) { return "“" + f.name + "”"; }).join(t("list_sep")) }));
      }
      var good = files.filter(function (f, i) { return isPhoto(heads[i]); });
      if (good.length > room) {
        messages.push(t("too_many_photos", { n: cfg.max_photos }));
        good = good.slice(0, Math.max(room, 0));
      }
      fieldError("photos", messages.join(" "));
      good.forEach(function (f) { addPhoto(f, heads[files.indexOf(f)]); });
    });
  });

  function addPhoto(original, head) {
    var entry = { file: null, url: URL.createObjectURL(original), busy: true };
    photos.push(entry);
    render();
    var gps = exifPos ? Promise.resolve(null) : Promise.resolve(head).then(function (buf) {
      return (buf && exifGps(buf)) || serverExif(original);
    });
    gps.then(function (found) {
      if (found && !exifPos) {
        exifPos = found;
        var btn = document.getElementById("use-exif");
        btn.hidden = false;
        if (!pos) setPos(found, t("from_photo"));
      }
    });
    shrink(original).then(function (small) {
      entry.file = small;
      entry.busy = false;
      if (small.size > cfg.max_bytes) {
        fieldError("photos", t("photo_too_big", { mb: Math.floor(cfg.max_bytes / 1048576) }));
        remove(entry);
      }
      render();
    });
  }

  function remove(entry) {
    photos = photos.filter(function (p) { return p !== entry; });
    if (entry.url) URL.revokeObjectURL(entry.url);
    render();
  }

  // Inside WeChat the JS-SDK may take over the picker (wechat.js sets SSP.report.choose).
  addTile.addEventListener("click", function (e) {
    if (SSP.report.choose && SSP.report.choose(cfg.max_photos - photos.length)) e.preventDefault();
  });

  // ------------------------------------------------------------ the draft (WeChat)

  function draftHeaders() { return { "X-Draft-Token": draftToken }; }

  function useDraftToken(token) {
    draftToken = token;
    try { sessionStorage.setItem(DRAFT_KEY, token); } catch (e) { /* private mode */ }
  }

  // A photo already on the server: shown once fetched from WeChat, sent by its id.
  function addServerPhoto(item) {
    var entry = photos.filter(function (p) { return p.draftPhoto === item.id; })[0];
    if (!entry) {
      if (item.status === "failed") { fieldError("photos", item.error); return; }
      entry = { file: null, url: "", busy: true, draftPhoto: item.id };
      photos.push(entry);
    }
    if (item.status === "failed") { fieldError("photos", item.error); remove(entry); return; }
    entry.busy = item.status !== "ready";
    if (!entry.busy && !entry.url && !entry.loading) {
      entry.loading = true;
      fetch("/m/api/draft/photos/" + item.id, { headers: draftHeaders(), credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.blob() : null; })
        .then(function (blob) { if (blob) { entry.url = URL.createObjectURL(blob); render(); } })
        .catch(function () {});
    }
    render();
  }

  var polling = null;
  function loadDraft(first) {
    return SSP.call("GET", "/m/api/draft", undefined, draftHeaders()).then(function (res) {
      if (res.status !== 200) {
        if (first) { SSP.toast(SSP.errorText(res), 4000); }
        useDraftToken("");
        try { sessionStorage.removeItem(DRAFT_KEY); } catch (e) { /* private mode */ }
        return;
      }
      var d = res.data;
      if (first) fillFromDraft(d);
      d.photos.forEach(addServerPhoto);
      var waiting = photos.some(function (p) { return p.draftPhoto && p.busy; });
      clearTimeout(polling);
      if (waiting) polling = setTimeout(function () { loadDraft(false); }, 1500);
    }).catch(function () {});
  }

  function fillFromDraft(d) {
    var text = document.getElementById("description");
    if (d.text && !text.value.trim()) {
      text.value = d.text;
      // As if typed: the category suggestion (triage.js) reads the chat's words too.
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var address = document.getElementById("address");
    if (d.address && !address.value.trim()) address.value = d.address;
    if (typeof d.lat === "number" && !pos) setPos({ lat: d.lat, lng: d.lng, cs: d.coord_system }, t("from_chat"));
    SSP.toast(t("draft_filled"), 4000);
  }

  function render() {
    box.querySelectorAll(".thumb").forEach(function (el) { el.remove(); });
    photos.forEach(function (p, i) {
      var del = SSP.el("button", { type: "button", class: "thumb-del", "aria-label": t("remove_photo", { n: i + 1 }), text: "×" });
      del.addEventListener("click", function () { remove(p); });
      var img;
      if (p.url) {
        img = SSP.el("img", { src: p.url, alt: t("photo_n", { n: i + 1 }) });
        // HEIC is a photo the server takes but most browsers cannot draw: say so, no broken image.
        img.addEventListener("error", function () {
          img.replaceWith(SSP.el("span", { class: "nophoto", text: t("no_preview") }));
        });
      } else {
        img = SSP.el("span", { class: "thumb-wait", text: t("photo_pending") });  // still coming from WeChat
      }
      box.insertBefore(SSP.el("div", { class: "thumb" + (p.busy ? " busy" : "") }, [img, del]), addTile);
    });
    addTile.hidden = photos.length >= cfg.max_photos;
  }

  // ------------------------------------------------------------ coordinates

  // WGS-84 → GCJ-02 (the published forward transform), for drawing on 高德 tiles.
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = dLat * 180 / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLng = dLng * 180 / (a / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  // GCJ-02 → WGS-84 to within a metre or so: invert the forward transform by iteration.
  function gcjToWgs(lat, lng) {
    var w = [lat, lng];
    for (var i = 0; i < 3; i++) {
      var g = wgsToGcj(w[0], w[1]);
      w = [w[0] + lat - g[0], w[1] + lng - g[1]];
    }
    return w;
  }
  var mapCs = cfg.map.tiles ? cfg.map.tiles.crs : "wgs84";
  // A point in the map's own system: 高德 tiles are GCJ-02, every other map WGS-84.
  function toMap(lat, lng, cs) {
    if (mapCs === "gcj02") return cs === "gcj02" ? [lat, lng] : wgsToGcj(lat, lng);
    return cs === "gcj02" ? gcjToWgs(lat, lng) : [lat, lng];
  }

  // ------------------------------------------------------------ map

  var map = L.map("map", { zoomControl: true, attributionControl: !!cfg.map.tiles }).setView(toMap(45.76, 126.63), 11);
  if (cfg.map.tiles) {
    var tiles = cfg.map.tiles;
    L.tileLayer(tiles.url, { subdomains: tiles.subdomains || "abc", attribution: tiles.attribution, maxZoom: 18 }).addTo(map);
    if (tiles.labels) L.tileLayer(tiles.labels, { subdomains: tiles.subdomains, maxZoom: 18 }).addTo(map);
  } else {
    document.getElementById("map").classList.add("map-plain");
  }
  var districtNames = [];  // for the address check
  fetch("/m/districts.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    districtNames = geo.features.map(function (f) { return f.properties.name; });
    var layer = L.geoJSON(geo, {
      coordsToLatLng: function (c) { var p = toMap(c[1], c[0], "wgs84"); return L.latLng(p[0], p[1]); },
      style: { color: "#07c160", weight: 1.5, fillColor: "#07c160", fillOpacity: 0.06 },
      interactive: false,
      onEachFeature: function (f, l) {
        if (!cfg.map.tiles) l.bindTooltip(SSP.name(f.properties), { permanent: true, direction: "center", className: "district-label" });
      }
    }).addTo(map);
    if (!pos && layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { animate: false });
  }).catch(function () { /* the pin still works without outlines */ });

  // Without tiles, the city's own street (街道) outlines, where it imported them, are the
  // closer view: thin lines, their names from zoom 13 on.
  if (!cfg.map.tiles && cfg.map.streets) {
    fetch("/m/streets.geojson").then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, {
        style: { color: "#6b7785", weight: 1, dashArray: "4 3", fill: false },
        interactive: false,
        onEachFeature: function (f, l) { l.bindTooltip(SSP.name(f.properties), { permanent: true, direction: "center", className: "street-label" }); }
      }).addTo(map);
    }).catch(function () {});
    var streetLabels = function () { map.getContainer().classList.toggle("show-street-labels", map.getZoom() >= 13); };
    map.on("zoomend", streetLabels);
    streetLabels();
  }

  SSP.map = map;  // for the browser tests and for debugging on a phone
  var marker = null;
  map.on("click", function (e) { setPos({ lat: e.latlng.lat, lng: e.latlng.lng, cs: mapCs }, t("from_map")); });

  function setPos(p, source) {
    pos = p;
    var at = toMap(p.lat, p.lng, p.cs);
    if (!marker) {
      marker = L.marker(at, { draggable: true, autoPan: true }).addTo(map);
      marker.on("drag", function () {
        var ll = marker.getLatLng();
        askPlace({ lat: ll.lat, lng: ll.lng, cs: mapCs });
      });
      marker.on("dragend", function () {
        var ll = marker.getLatLng();
        setPos({ lat: ll.lat, lng: ll.lng, cs: mapCs }, t("from_map"));
      });
    } else {
      marker.setLatLng(at);
    }
    askPlace(p);
    // Without tiles a close zoom shows nothing but grey: stay where the outlines orient
    // (closer where the street outlines are there to orient).
    map.setView(at, Math.max(map.getZoom(), cfg.map.tiles ? 16 : cfg.map.streets ? 14 : 12));
    status(source, "");
    fieldError("lat", "");
    refresh();
  }

  // ------------------------------------------------------------ the pin in names

  // The district and street (街道) under the pin, on the map itself, asked again while the
  // pin is dragged (at most every 200 ms; a late answer for an old position is dropped).
  var placeBox = L.control({ position: "bottomleft" });
  placeBox.onAdd = function () {
    var el = L.DomUtil.create("div", "place-name");
    el.id = "place-name";
    el.hidden = true;
    return el;
  };
  placeBox.addTo(map);
  var pinDistrict = "", pinDistrictShown = "", placeAsked = 0, placeShown = 0, placeWait = null, placeNext = null;

  function askPlace(p) {
    placeNext = p;
    if (placeWait) return;  // the timer below asks for the latest position
    var seq = ++placeAsked, q = placeNext;
    placeNext = null;
    placeWait = setTimeout(function () { placeWait = null; if (placeNext) askPlace(placeNext); }, 200);
    SSP.call("GET", "/m/api/place?lat=" + q.lat + "&lng=" + q.lng + "&coord_system=" + q.cs).then(function (res) {
      if (res.status === 200 && seq > placeShown) { placeShown = seq; showPlace(res.data); }
    }).catch(function () {});
  }

  function showPlace(d) {
    var parts = [];
    if (d.district) parts.push(SSP.name(d.district));
    if (d.street) parts.push(d.street.distance_m ? t("near_street", { name: SSP.name(d.street), m: d.street.distance_m }) : SSP.name(d.street));
    var box = document.getElementById("place-name");
    box.textContent = parts.length ? parts.join(" · ") : t("outside_districts");
    box.hidden = false;
    pinDistrict = d.district ? d.district.name : "";  // Chinese, as addresses are typed
    pinDistrictShown = SSP.name(d.district);
    checkAddress();
  }

  // A typed address that names another district than the pin's is pointed out (not refused:
  // the person may know better; the staff see both).
  var addressInput = document.getElementById("address");
  var stem = function (name) { return name.replace(/(区|县|市)$/, ""); };
  function namedDistricts(text) {
    return districtNames.filter(function (name) {
      return text.indexOf(name) >= 0 || (stem(name).length >= 2 && text.indexOf(stem(name)) >= 0);
    });
  }
  function checkAddress() {
    var named = namedDistricts(addressInput.value);
    var other = pinDistrict && named.length && named.indexOf(pinDistrict) < 0;
    var el = document.getElementById("address-warning");
    el.hidden = !other;
    el.textContent = other ? t("address_other_district", { address: named[0], pin: pinDistrictShown }) : "";
  }
  addressInput.addEventListener("input", checkAddress);

  function status(text, kind) {
    var el = document.getElementById("place-status");
    el.textContent = text;
    el.className = "status" + (kind ? " " + kind : "");
  }

  document.getElementById("locate-me").addEventListener("click", function () {
    // Inside WeChat the JS-SDK's wx.getLocation answers (wechat.js sets SSP.report.locate).
    if (SSP.report.locate && SSP.report.locate()) return;
    if (!navigator.geolocation) { status(t("no_geolocation"), "bad"); return; }
    status(t("locating"), "");
    navigator.geolocation.getCurrentPosition(function (p) {
      // The browser's position is WGS-84.
      setPos({ lat: p.coords.latitude, lng: p.coords.longitude, cs: "wgs84" }, t("from_gps"));
    }, function () {
      status(t("geolocation_failed"), "bad");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  document.getElementById("use-exif").addEventListener("click", function () {
    if (exifPos) setPos(exifPos, t("from_photo"));
  });

  // ------------------------------------------------------------ category

  var cats = {};
  cfg.categories.forEach(function (c) { cats[c.code] = c; });
  var subBox = document.getElementById("subcats");
  var chosenSub = "";

  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      fieldError("category", "");
      chosenSub = "";
      showSubs(cats[radio.value]);
      refresh();
    });
  });

  function showSubs(cat) {
    subBox.innerHTML = "";
    var subs = (cat && cat.subcategories) || [];
    subBox.hidden = subs.length < 2;
    if (subs.length === 1) chosenSub = subs[0].code;
    if (subs.length < 2) return;
    subs.forEach(function (s) {
      var b = SSP.el("button", { type: "button", class: "chip", title: s.hint || "", text: s.name, "data-code": s.code });
      b.addEventListener("click", function () {
        chosenSub = chosenSub === s.code ? "" : s.code;
        subBox.querySelectorAll(".chip").forEach(function (x) {
          x.classList.toggle("on", x.getAttribute("data-code") === chosenSub);
        });
        refresh();
      });
      subBox.appendChild(b);
    });
  }

  function category() {
    var r = form.querySelector('input[name="category"]:checked');
    return r ? r.value : "";
  }

  // "24小时", or "4个工作小时至3个工作日" when the conditions of the choice differ.
  function limitWords() {
    var cat = cats[category()];
    if (!cat) return "";
    var subs = cat.subcategories.filter(function (s) { return !chosenSub || s.code === chosenSub; });
    var limits = [];
    subs.forEach(function (s) { limits = limits.concat(s.limits); });
    if (!limits.length) return "";
    limits.sort(function (a, b) { return a.order - b.order; });
    var shortest = limits[0].words, longest = limits[limits.length - 1].words;
    return shortest === longest ? shortest : t("limit_range", { shortest: shortest, longest: longest });
  }

  // ------------------------------------------------------------ preview and nearby

  var inService = true, refreshTimer = null;
  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(doRefresh, 250);
  }

  function query(extra) {
    var q = "lat=" + pos.lat + "&lng=" + pos.lng + "&coord_system=" + pos.cs;
    if (category()) q += "&category=" + encodeURIComponent(category());
    return q + (extra || "");
  }

  function doRefresh() {
    if (!pos) return;
    var sub = chosenSub ? "&subcategory=" + encodeURIComponent(chosenSub) : "";
    SSP.call("GET", "/api/v1/cases/preview?" + query(sub)).then(function (res) {
      var d = res.data || {};
      if (res.status !== 200) return;
      inService = d.in_service;
      if (!d.in_service) {
        status("", "");
        fieldError("lat", d.message);
        document.getElementById("preview").hidden = true;
        return;
      }
      status(SSP.name(d.district) + (d.street ? " · " + SSP.name(d.street) : ""), "good");
      var preview = document.getElementById("preview");
      preview.hidden = !category();
      document.getElementById("preview-dept").textContent = SSP.department(d) || t("centre_decides");
      var lw = limitWords();
      document.getElementById("preview-limit-cell").hidden = !lw;
      document.getElementById("preview-limit").textContent = lw ? t("handle_within", { limit: lw }) : "";
      if (category()) loadNearby();
    }).catch(function () { /* offline: the server checks again on sending */ });
  }

  function loadNearby() {
    SSP.call("GET", "/api/v1/cases/nearby?radius=300&" + query()).then(function (res) {
      var list = document.getElementById("nearby-list");
      list.innerHTML = "";
      var found = res.status === 200 ? res.data : [];
      document.getElementById("nearby").hidden = !found.length;
      found.slice(0, 5).forEach(function (c) { list.appendChild(nearbyItem(c)); });
    }).catch(function () {});
  }

  function nearbyItem(c) {
    var pic = c.photo && c.photo.ready && c.photo.url
      ? SSP.el("img", { src: c.photo.thumb_url || c.photo.url, alt: "", loading: "lazy" })
      : SSP.el("span", { class: "nophoto", text: t("no_photo") });
    var btn = SSP.el("button", { type: "button", class: "btn btn-mini", text: t("me_too") });
    btn.addEventListener("click", function () { support(c, btn); });
    var text = SSP.el("div", { class: "nearby-text" }, [
      SSP.el("b", { text: SSP.name(c.subcategory || c.category) }),
      SSP.el("small", { text: c.state_label + " · " + t("metres", { n: Math.round(c.distance_m) }) + (c.support_count ? " · " + t("supports", { n: c.support_count }) : "") }),
      SSP.el("small", { text: c.address || c.description.slice(0, 30) })
    ]);
    return SSP.el("li", {}, [SSP.el("div", { class: "nearby-pic" }, [pic]), text, btn]);
  }

  function support(c, btn) {
    btn.disabled = true;
    var body = { device: SSP.deviceId(), phone: document.getElementById("phone").value.trim() };
    SSP.call("POST", "/api/v1/cases/" + encodeURIComponent(c.number) + "/support", body).then(function (res) {
      btn.disabled = false;
      if (res.status !== 200) { SSP.toast(SSP.errorText(res)); return; }
      form.hidden = true;
      document.getElementById("supported").hidden = false;
      document.getElementById("supported-number").textContent = res.data.number;
      document.getElementById("supported-count").textContent = res.data.counted
        ? t("supports_now", { n: res.data.support_count })
        : t("already_supported", { n: res.data.support_count });
      window.scrollTo(0, 0);
    }).catch(function () { btn.disabled = false; SSP.toast(t("network")); });
  }

  // Anonymous means no contact at all: the number is not sent, so nobody can call back.
  var anonymous = document.getElementById("anonymous"), phoneInput = document.getElementById("phone");
  anonymous.addEventListener("change", function () {
    phoneInput.disabled = anonymous.checked;
    if (anonymous.checked) phoneInput.value = "";
  });

  // ------------------------------------------------------------ sending

  function fieldError(field, message) {
    var slot = form.querySelector('[data-error-for="' + field + '"]');
    if (!slot) return;
    slot.textContent = message;
    slot.classList.toggle("shown", !!message);
  }

  function checkLocally() {
    var errors = [];
    if (!pos) errors.push({ field: "lat", message: t("need_place") });
    else if (!inService) errors.push({ field: "lat", message: t("outside") });
    if (!category()) errors.push({ field: "category", message: t("need_category") });
    if (!document.getElementById("description").value.trim()) errors.push({ field: "description", message: t("need_description") });
    var phone = document.getElementById("phone").value.replace(/[\s-]/g, "");
    if (phone && !/^\+?\d{5,20}$/.test(phone)) errors.push({ field: "phone", message: t("bad_phone") });
    if (photos.some(function (p) { return p.busy; })) errors.push({ field: "photos", message: t("photos_busy") });
    return errors;
  }

  function formData() {
    var d = new FormData();
    d.append("category", category());
    if (chosenSub) d.append("subcategory", chosenSub);
    d.append("description", document.getElementById("description").value.trim());
    d.append("lat", pos.lat.toFixed(7));
    d.append("lng", pos.lng.toFixed(7));
    d.append("coord_system", pos.cs);
    d.append("address", document.getElementById("address").value.trim());
    d.append("phone", document.getElementById("phone").value.replace(/[\s-]/g, ""));
    d.append("anonymous", document.getElementById("anonymous").checked ? "true" : "false");
    d.append("public", document.getElementById("not-public").checked ? "false" : "true");
    d.append("website", document.getElementById("website").value);
    d.append("idempotency_key", idempotencyKey);
    var kept = [];
    photos.forEach(function (p, i) {
      if (p.draftPhoto) kept.push(p.draftPhoto);
      else d.append("photos", p.file, p.file.name || "photo" + (i + 1) + ".jpg");
    });
    if (draftToken) {
      d.append("draft", draftToken);
      d.append("draft_photos", kept.join(","));
    }
    return d;
  }

  var sending = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (sending) return;
    SSP.clearErrors(form);
    var problems = checkLocally();
    if (problems.length) { SSP.showErrors(form, problems); return; }
    sending = true;
    send(1);
  });

  var MAX_TRIES = 5;
  function send(attempt) {
    var button = document.getElementById("send");
    button.disabled = true;
    progress(0, attempt > 1 ? t("retrying", { n: attempt - 1, max: MAX_TRIES - 1 }) : t("uploading"));
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/cases");
    xhr.timeout = 120000;
    xhr.setRequestHeader("Accept", "application/json");
    // Same key on every retry: the server answers with the first case, never a second one.
    xhr.setRequestHeader("Idempotency-Key", idempotencyKey);
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) progress(ev.loaded / ev.total, null);
    };
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (xhr.status === 201 || xhr.status === 200) return done(data);
      if (xhr.status >= 500 || !data) return retry(attempt);
      fail(xhr.status, data);
    };
    xhr.onerror = xhr.ontimeout = function () { retry(attempt); };
    xhr.send(formData());
  }

  function retry(attempt) {
    if (attempt >= MAX_TRIES) {
      fail(0, { detail: t("gave_up") });
      return;
    }
    var wait = Math.min(2000 * Math.pow(2, attempt - 1), 16000);
    progress(0, t("network_wait", { s: Math.round(wait / 1000) }));
    setTimeout(function () { send(attempt + 1); }, wait);
  }

  function fail(status, data) {
    sending = false;
    document.getElementById("send").disabled = false;
    document.getElementById("progress").hidden = true;
    var loose = SSP.showErrors(form, data.errors || []);
    var main = status === 429 || !(data.errors || []).length ? data.detail : loose.join(" ");
    var el = document.getElementById("form-error");
    el.textContent = main || "";
    el.classList.toggle("shown", !!main);
    if (main && !(data.errors || []).length) SSP.toast(main, 4000);
  }

  function progress(fraction, text) {
    document.getElementById("progress").hidden = false;
    document.getElementById("progress-bar").style.width = Math.round(fraction * 100) + "%";
    if (text !== null) document.getElementById("progress-text").textContent = text;
  }

  function done(data) {
    SSP.remember(data.number, data.tracking_token);
    clearTimeout(polling);
    useDraftToken("");
    try { sessionStorage.removeItem(DRAFT_KEY); } catch (e) { /* private mode */ }
    idempotencyKey = SSP.randomId() + SSP.randomId();
    var link = location.origin + data.follow_url;
    form.hidden = true;
    document.getElementById("done").hidden = false;
    document.getElementById("done-number").textContent = data.number;
    var a = document.getElementById("done-link");
    a.href = link;
    a.textContent = link.replace(/#.*/, "#…");
    document.getElementById("done-follow").href = data.follow_url;
    var parts = [];
    if (data.due_at) parts.push(t("accept_by", { when: SSP.when(data.due_at) }));
    else if (cfg.accept_limit) parts.push(t("accept_within", { limit: cfg.accept_limit }));
    var lw = limitWords();
    if (lw) parts.push(t("handle_within", { limit: lw }));
    document.getElementById("done-limit").textContent = parts.join(t("sentence_sep"));
    SSP.call("POST", "/m/api/qr", { text: link }).then(function (res) {
      if (res.status === 200) document.getElementById("done-qr").innerHTML = res.data;
    }).catch(function () {});
    window.scrollTo(0, 0);
  }

  // ------------------------------------------------------------ start

  // For wechat.js (the JS-SDK inside WeChat) and the browser tests.
  SSP.report.setPos = setPos;
  SSP.report.status = status;
  SSP.report.addServerPhoto = addServerPhoto;
  SSP.report.draftToken = function () { return draftToken; };
  SSP.report.useDraftToken = useDraftToken;
  SSP.report.pollDraft = function () { clearTimeout(polling); polling = setTimeout(function () { loadDraft(false); }, 1500); };
  SSP.report.fieldError = fieldError;

  // The chat's link carries the draft's token in the fragment (never sent to a server);
  // keep it for this visit and take it out of the address bar.
  var m = /[#&]d=([A-Za-z0-9_-]+)/.exec(location.hash);
  var kept = "";
  try { kept = sessionStorage.getItem(DRAFT_KEY) || ""; } catch (e) { /* private mode */ }
  if (m) {
    useDraftToken(m[1]);
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search);
  } else if (kept) {
    draftToken = kept;
  }
  if (draftToken) loadDraft(true);
})();

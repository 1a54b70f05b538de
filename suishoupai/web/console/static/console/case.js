// The case map: the reported point inside its district's outline. No tiles are
// needed (the intranet may have none); the outline alone gives the place.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
  var map = L.map(el, {attributionControl: false, zoomControl: false, zoomAnimation: false});
  L.control.zoom({zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut}).addTo(map);
  var outline = JSON.parse(document.getElementById("district-outline").textContent);
  if (outline) {
    var layer = L.geoJSON(outline, {style: {color: "#1a5fb4", weight: 2, fillOpacity: 0.06}}).addTo(map);
    map.fitBounds(layer.getBounds(), {padding: [16, 16], animate: false});
  } else {
    map.setView(point, 15, {animate: false});
  }
  L.circleMarker(point, {radius: 8, color: "#f53f3f", fillColor: "#f53f3f", fillOpacity: 0.8}).addTo(map);
})();

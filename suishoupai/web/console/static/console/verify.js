// Inspectors: ask the phone for its position once, then list the nearest cases first.
(function () {
  "use strict";
  var list = document.getElementById("verify-list");
  if (!list || !navigator.geolocation || window.location.search.indexOf("lat=") >= 0) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    var url = list.dataset.url + "?lat=" + pos.coords.latitude + "&lng=" + pos.coords.longitude;
    htmx.ajax("GET", url, {target: "#verify-list", swap: "innerHTML"});
  }, function () {}, {timeout: 8000, maximumAge: 60000});
})();

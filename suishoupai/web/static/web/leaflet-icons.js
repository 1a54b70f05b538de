/* Leaflet's default pin, from the URLs the page was rendered with ({% static %}).
   Left alone, Leaflet guesses the image folder from leaflet.css, and under the
   hashed production static storage (marker-icon.<hash>.png) the guess fails and
   the pin asks the page's own folder for marker-icon-2x.png: a broken image. */
(function () {
  "use strict";
  var urls = document.currentScript.dataset;
  // A string imagePath stops the guessing; the full URLs below are used as they are.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: urls.icon,
    iconRetinaUrl: urls.icon2x,
    shadowUrl: urls.shadow
  });
})();

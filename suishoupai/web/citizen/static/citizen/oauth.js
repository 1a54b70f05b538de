/* Inside WeChat, before the page: learn who this is by WeChat's silent sign-in
   (snsapi_base). The whole address goes along, #fragment included (a draft's or a
   case's token lives there and must survive the round trip). */
(function () {
  "use strict";
  var start = document.documentElement.getAttribute("data-oauth");
  location.replace(start + "?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
})();

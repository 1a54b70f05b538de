/* Inside WeChat: the JS-SDK takes photos (wx.chooseImage, then wx.uploadImage to WeChat,
   from where the server fetches them by media id) and the position (wx.getLocation in
   GCJ-02, sent as coord_system=gcj02). Loaded only when the server signed a wx.config for
   this page; if WeChat refuses the config, the page keeps the browser's own path. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t, cfg = SSP.config.wechat, wx = window.wx;
  if (!cfg || !wx || !SSP.report) return;

  wx.config({
    debug: false,
    appId: cfg.appId,
    timestamp: cfg.timestamp,
    nonceStr: cfg.nonceStr,
    signature: cfg.signature,
    jsApiList: cfg.jsApiList
  });

  wx.ready(function () {
    SSP.report.choose = choose;
    SSP.report.locate = locate;
    document.documentElement.classList.add("wx-ready");
  });
  wx.error(function () {
    // A bad signature or an unlisted domain: the browser path stays in place.
    SSP.report.choose = null;
    SSP.report.locate = null;
  });

  function choose(room) {
    if (room <= 0) return true;
    wx.chooseImage({
      count: Math.min(room, 9),
      sizeType: ["compressed"],
      sourceType: ["camera", "album"],
      success: function (res) { uploadAll(res.localIds.slice(0, room)); }
    });
    return true;  // the page's own file picker stays closed
  }

  // One at a time, as WeChat requires for uploadImage.
  function uploadAll(localIds) {
    if (!localIds.length) return;
    wx.uploadImage({
      localId: localIds[0],
      isShowProgressTips: 1,
      success: function (res) {
        register(res.serverId).then(function () { uploadAll(localIds.slice(1)); });
      },
      fail: function () { SSP.toast(t("network")); }
    });
  }

  // The server fetches the photo from WeChat by its media id into this page's draft.
  function register(mediaId) {
    var token = SSP.report.draftToken();
    var headers = token ? { "X-Draft-Token": token } : {};
    return SSP.call("POST", "/m/api/draft/photos", { media_id: mediaId }, headers).then(function (res) {
      if (res.status !== 200) { SSP.report.fieldError("photos", SSP.errorText(res)); return; }
      SSP.report.useDraftToken(res.data.token);
      SSP.report.addServerPhoto(res.data.photo);
      SSP.report.pollDraft();
    }).catch(function () { SSP.toast(t("network")); });
  }

  function locate() {
    SSP.report.status(t("locating"), "");
    wx.getLocation({
      type: "gcj02",  // what WeChat's maps use; the server converts to WGS-84
      success: function (res) {
        SSP.report.setPos({ lat: res.latitude, lng: res.longitude, cs: "gcj02" }, t("from_gps"));
      },
      fail: function () { SSP.report.status(t("geolocation_failed"), "bad"); },
      cancel: function () { SSP.report.status(t("geolocation_failed"), "bad"); }
    });
    return true;
  }
})();

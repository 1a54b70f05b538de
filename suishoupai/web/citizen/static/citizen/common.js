/* Shared helpers for the citizen pages: config, strings, toast, JSON calls, local storage. */
(function () {
  "use strict";
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }
  var strings = readJSON("strings");
  var t;
  var SSP = { config: readJSON("config") };

  // t("key", {n: 3}) → the translated string with %(n)s filled in.
  SSP.t = t = function (key, params) {
    var s = strings[key] || key;
    if (params) {
      s = s.replace(/%\((\w+)\)s/g, function (_m, name) {
        return params[name] === undefined ? "" : String(params[name]);
      });
    }
    return s;
  };

  var toastTimer = null;
  SSP.toast = function (message, ms) {
    var el = document.getElementById("toast");
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, ms || 2500);
  };

  SSP.csrf = function () {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };

  // fetch JSON; resolves {status, data} also for 4xx/5xx, rejects only on network failure.
  SSP.call = function (method, url, body, headers) {
    var h = { "Accept": "application/json", "X-CSRFToken": SSP.csrf() };
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    var opts = { method: method, headers: h, credentials: "same-origin" };
    if (body !== undefined) {
      h["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      var parse = type.indexOf("json") >= 0 ? r.json() : r.text();
      return parse.then(function (data) { return { status: r.status, data: data }; });
    });
  };

  // Put each {field, message} next to its field; returns messages without a place.
  SSP.showErrors = function (root, errors) {
    SSP.clearErrors(root);
    var loose = [];
    (errors || []).forEach(function (e) {
      var field = (e.field || "").split(".")[0];
      if (field === "lng" || field === "coord_system") field = "lat";
      var slot = field && root.querySelector('[data-error-for="' + field + '"]');
      if (slot) {
        slot.textContent = (slot.textContent ? slot.textContent + " " : "") + e.message;
        slot.classList.add("shown");
      } else {
        loose.push(e.message);
      }
    });
    var first = root.querySelector(".field-error.shown");
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
    return loose;
  };
  SSP.clearErrors = function (root) {
    root.querySelectorAll(".field-error").forEach(function (el) {
      el.textContent = "";
      el.classList.remove("shown");
    });
  };
  SSP.errorText = function (res) {
    if (res.status === 0) return SSP.t("network");
    var d = res.data || {};
    return d.detail || SSP.t("server_error");
  };

  // This device's reports: [{number, token, at}] in localStorage.
  var KEY = "ssp.cases";
  SSP.myCases = function () {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  };
  SSP.remember = function (number, token) {
    var list = SSP.myCases().filter(function (c) { return c.number !== number; });
    list.unshift({ number: number, token: token, at: new Date().toISOString() });
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, 50))); } catch (e) { /* full */ }
  };
  SSP.tokenFor = function (number) {
    var found = SSP.myCases().filter(function (c) { return c.number === number; })[0];
    return found ? found.token : "";
  };
  SSP.randomId = function () {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  };
  SSP.deviceId = function () {
    var id = localStorage.getItem("ssp.device");
    if (!id) { id = SSP.randomId(); localStorage.setItem("ssp.device", id); }
    return id;
  };

  // "2026-11-25T09:00:00+08:00" → "11月25日 09:00" (the city's own time, as sent).
  SSP.when = function (iso) {
    if (!iso) return "";
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(iso);
    if (!m) return iso;
    return SSP.t("date_format", { y: m[1], m: +m[2], d: +m[3], hh: m[4], mm: m[5] });
  };
  SSP.day = function (iso) {
    var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso || "");
    return m ? t("day_format", { m: +m[2], d: +m[3] }) : "";
  };
  // The city's names (categories, districts, departments) in the page's language: the data
  // keeps the Chinese `name` and adds `name_en` (and `department_en` beside `department`).
  var english = /^en/.test(document.documentElement.lang || "");
  SSP.name = function (ref) { return ref ? (english && ref.name_en) || ref.name : ""; };
  SSP.department = function (item) { return (english && item.department_en) || item.department || ""; };

  // A state badge's classes (web/states.css): {state, family} as the API gives them.
  SSP.badgeClass = function (c) { return "badge state family-" + c.family + " state-" + c.state; };
  SSP.el = function (tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") el.textContent = attrs[k];
      else if (k === "class") el.className = attrs[k];
      else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  };
  window.SSP = SSP;
})();

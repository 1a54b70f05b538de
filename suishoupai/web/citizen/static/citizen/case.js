/* The reporter's own case: steps, before/after photos, full timeline, rating once closed. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t, cfg = SSP.config;
  var number = cfg.number;

  // The private link carries the token in the fragment (#t=…), which never reaches a
  // server log; keep it on this phone and take it out of the address bar.
  var m = /[#&]t=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    SSP.remember(number, m[1]);
    if (history.replaceState) history.replaceState(null, "", location.pathname);
  }
  var token = SSP.tokenFor(number);
  // A message's link carries a signed, expiring grant instead (#k=…): kept for this visit only.
  var k = /[#&]k=([A-Za-z0-9_.-]+)/.exec(location.hash);
  var grantKey = "ssp.grant." + number;
  if (k) {
    try { sessionStorage.setItem(grantKey, k[1]); } catch (e) { /* private mode */ }
    if (history.replaceState) history.replaceState(null, "", location.pathname);
  }
  var grant = k ? k[1] : (function () { try { return sessionStorage.getItem(grantKey) || ""; } catch (e) { return ""; } })();
  var $ = function (id) { return document.getElementById(id); };
  function access() {
    var h = {};
    if (token) h["X-Case-Token"] = token;
    if (grant) h["X-Case-Grant"] = grant;
    return h;
  }

  var claimed = false;  // a phone was just confirmed on this page
  function load() {
    return SSP.call("GET", "/m/api/cases/" + encodeURIComponent(number), undefined, access()).then(function (res) {
      if (res.status === 200) { $("loading").hidden = true; $("claim").hidden = true; show(res.data); return; }
      if (claimed) SSP.toast(t("not_your_number"), 4000);
      else if (grant) SSP.toast(t("link_expired"), 5000);
      // Not the reporter (or the link lost its token): the public view, if the case is public,
      // and the phone check right here, so the reporter can get in from any browser.
      return SSP.call("GET", "/m/api/public/" + encodeURIComponent(number)).then(function (pub) {
        $("loading").hidden = true;
        $("claim").hidden = false;
        if (pub.status !== 200) { $("missing").hidden = false; $("missing").appendChild($("claim")); return; }
        show(pub.data);
      });
    }).catch(function () { $("loading").textContent = t("network"); });
  }
  SSP.phoneForm(function () { claimed = true; load(); });

  var STEPS = [
    ["registered", ["case.submitted"]],
    ["filed", ["case.filed"]],
    ["dispatched", ["case.dispatched", "case.redispatched", "case.dispatched_on"]],
    ["handled", ["case.resolved"]],
    ["verified", ["case.verified"]],
    ["closed", ["case.closed"]]
  ];

  function show(c) {
    $("case").hidden = false;
    $("c-number").textContent = c.number;
    $("c-title").textContent = SSP.name(c.category) + (c.subcategory ? " · " + SSP.name(c.subcategory) : "");
    $("c-state").textContent = c.state_label;
    $("c-state").className = SSP.badgeClass(c);
    $("c-words").textContent = c.state_words;
    $("c-due").hidden = !c.due_at || c.family === "closed";
    $("c-due").textContent = c.due_at ? t("due", { when: SSP.when(c.due_at) }) : "";
    $("c-where").textContent = [SSP.name(c.district), c.address].filter(Boolean).join(" · ");
    $("c-description").textContent = c.description;
    if (c.merged_into) {
      $("c-merged").hidden = false;
      $("c-merged").textContent = t("merged", { n: c.merged_into });
    }
    steps(c);
    photos(c);
    timeline(c);
    rating(c);
  }

  function steps(c) {
    var list = $("c-steps");
    list.innerHTML = "";
    var reached = {};
    c.timeline.forEach(function (e) {
      if (e.action === "case.reopened") reached = { registered: reached.registered };
      STEPS.forEach(function (s) { if (s[1].indexOf(e.action) >= 0) reached[s[0]] = e; });
    });
    STEPS.forEach(function (s) {
      var e = reached[s[0]];
      list.appendChild(SSP.el("li", { class: e ? "reached" : "" }, [
        SSP.el("b", { text: t("step_" + s[0]) }), SSP.el("small", { text: e ? SSP.day(e.at) : "" })
      ]));
    });
    var note = $("c-step-note");
    var d = reached.dispatched;
    note.hidden = !(d && d.department);
    note.textContent = d && d.department ? t("dispatched_to", { name: SSP.department(d) }) : "";
  }

  // Only the privacy-safe public copy is ever shown (url/ready from the API), else a placeholder.
  function picture(p, small) {
    if (p.ready && p.url) {
      var img = SSP.el("img", { src: (small && p.thumb_url) || p.url, alt: "", loading: "lazy" });
      return small ? img : SSP.el("a", { href: p.url, target: "_blank", rel: "noopener" }, [img]);
    }
    return SSP.el("span", { class: "nophoto", text: t(p.status === "not_public" ? "photo_not_public" : "photo_pending") });
  }

  function photos(c) {
    var before = $("c-before"), after = $("c-after");
    before.innerHTML = after.innerHTML = "";
    c.photos.forEach(function (p) { (p.kind === "report" ? before : after).appendChild(picture(p)); });
    if (!before.children.length) before.appendChild(SSP.el("span", { class: "nophoto", text: t("no_photo") }));
    if (!after.children.length) after.appendChild(SSP.el("span", { class: "nophoto", text: t("not_yet") }));
  }

  function timeline(c) {
    var list = $("c-timeline");
    list.innerHTML = "";
    c.timeline.concat(c.merged_into_timeline || []).slice().reverse().forEach(function (e) {
      var lines = [SSP.el("b", { text: e.label }), SSP.el("small", { text: SSP.when(e.at) + (e.actor ? " · " + e.actor : "") })];
      if (e.department) lines.push(SSP.el("p", { text: t("department", { name: SSP.department(e) }) }));
      if (e.note) lines.push(SSP.el("p", { text: e.note }));
      if (e.photos && e.photos.length) lines.push(SSP.el("div", { class: "pics" }, e.photos.map(function (p) { return picture(p, true); })));
      list.appendChild(SSP.el("li", {}, lines));
    });
  }

  var stars = null;
  function paintStars() {
    document.querySelectorAll("#stars .star").forEach(function (b) {
      var on = stars && +b.getAttribute("data-stars") <= stars;
      b.classList.toggle("on", !!on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.querySelectorAll("#stars .star").forEach(function (b) {
    b.addEventListener("click", function () { stars = +b.getAttribute("data-stars"); paintStars(); });
  });

  function rating(c) {
    // Only the reporter rates; the public sees the rating in the timeline.
    $("rating").hidden = c.state !== "closed" || !!c.public_view;
    if (c.public_view) return;
    if (c.state !== "closed") return;
    var form = $("rate-form");
    if (c.rated_at) {
      $("rated").hidden = false;
      $("rated-text").textContent = t("rated_" + c.rating) + (c.rating_stars ? " · " + "★★★★★".slice(0, c.rating_stars) : "") + (c.rating_comment ? " · " + c.rating_comment : "");
      $("rated-change").textContent = t("rating_change", { days: cfg.rating_days });
      var r = form.querySelector('input[value="' + c.rating + '"]');
      if (r) r.checked = true;
      stars = c.rating_stars;
      $("comment").value = c.rating_comment || "";
      paintStars();
    }
  }

  $("rate-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    SSP.clearErrors(form);
    var chosen = form.querySelector('input[name="rating"]:checked');
    if (!chosen) { SSP.showErrors(form, [{ field: "rating", message: t("need_rating") }]); return; }
    var body = { rating: chosen.value, stars: stars, comment: $("comment").value.trim() };
    SSP.call("POST", "/m/api/cases/" + encodeURIComponent(number) + "/rating", body, access()).then(function (res) {
      if (res.status === 200) { SSP.toast(t("thanks_rating")); show(res.data); return; }
      var loose = SSP.showErrors(form, (res.data && res.data.errors) || []);
      $("rate-error").textContent = loose.join(" ") || SSP.errorText(res);
      $("rate-error").classList.add("shown");
    }).catch(function () { SSP.toast(t("network")); });
  });

  load();
})();

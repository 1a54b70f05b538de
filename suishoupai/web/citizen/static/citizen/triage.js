/* Category suggestions as the citizen types (POST /api/v1/triage/suggest): chips to pick a
   suggestion, the top one pre-selected only when the model is confident and the citizen has
   not chosen a category, and a notice when the text sounds like another agency's business. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t;
  var form = document.getElementById("report");
  var text = document.getElementById("description");
  var box = document.getElementById("triage");
  if (!form || !text || !box) return;
  var chips = document.getElementById("triage-chips");
  var note = document.getElementById("triage-note");
  var warning = document.getElementById("triage-out");
  var CONFIDENT = 0.6, MIN_CHARS = 4, WAIT_MS = 400;
  var cfg = SSP.config, names = {}, subNames = {};
  (cfg.categories || []).forEach(function (c) {
    names[c.code] = c.name;
    (c.subcategories || []).forEach(function (s) { subNames[s.code] = s.name; });
  });

  // The citizen chose a category by hand (a real click, not our pre-selection).
  var chosenByHand = false, autoChosen = "";
  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", function (e) {
      if (e.isTrusted) { chosenByHand = true; note.hidden = true; }
    });
  });

  function pick(s) {
    var radio = form.querySelector('input[name="category"][value="' + s.category + '"]');
    if (!radio) return;
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var chip = document.querySelector('#subcats .chip[data-code="' + s.subcategory + '"]');
    if (chip && !chip.classList.contains("on")) chip.click();
  }

  function show(data) {
    var list = (data && data.suggestions) || [];
    var out = (data && data.out_of_scope) || { probability: 0, reason: "" };
    chips.innerHTML = "";
    list.forEach(function (s, i) {
      if (i > 0 && s.score < 0.1) return;
      var sub = subNames[s.subcategory];
      var label = names[s.category] + (sub && sub !== names[s.category] ? " · " + sub : "");
      var b = SSP.el("button", { type: "button", class: "chip", text: label, "data-category": s.category });
      b.addEventListener("click", function () { chosenByHand = true; note.hidden = true; pick(s); });
      chips.appendChild(b);
    });
    var flagged = out.probability >= 0.5;
    warning.hidden = !flagged;
    if (flagged) {
      warning.textContent = out.reason ? t("triage_out_reason", { agency: out.reason }) : t("triage_out");
    }
    box.hidden = list.length === 0 && !flagged;
    var top = list[0];
    if (top && !flagged && !chosenByHand && top.score >= CONFIDENT && top.category !== autoChosen) {
      autoChosen = top.category;
      pick(top);
      note.textContent = t("triage_auto", { name: names[top.category] });
      note.hidden = false;
    }
  }

  var timer = null, asked = "", seq = 0;
  function ask() {
    var value = text.value.trim();
    if (value.length < MIN_CHARS || value === asked) return;
    asked = value;
    var mine = ++seq;
    SSP.call("POST", "/api/v1/triage/suggest", { text: value }).then(function (r) {
      if (mine === seq && r.status === 200) show(r.data);
    }).catch(function () { /* suggestions are a help, never in the way */ });
  }
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  });
})();

// Console behaviour: live countdowns, stock phrases, list keyboard navigation.
(function () {
  "use strict";
  var words = document.getElementById("console-i18n");
  function span(minutes) {
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return d + " " + words.dataset.d + " " + h + " " + words.dataset.h;
    if (h) return h + " " + words.dataset.h + " " + m + " " + words.dataset.min;
    return m + " " + words.dataset.min;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-due]").forEach(function (el) {
      var seconds = (Date.parse(el.dataset.due) - now) / 1000;
      var text = span(Math.floor(Math.abs(seconds) / 60));
      el.textContent = (seconds >= 0 ? words.dataset.left : words.dataset.over).replace("{span}", text);
      el.classList.toggle("overdue", seconds < 0 || el.classList.contains("overdue"));
    });
  }
  if (words) { tick(); setInterval(tick, 30000); document.body.addEventListener("htmx:afterSwap", tick); }

  // Stock phrases (常用语): click to insert into the form's text field.
  document.addEventListener("click", function (ev) {
    var chip = ev.target.closest(".chip");
    if (!chip) return;
    var form = chip.closest("form");
    var field = form && form.querySelector("[name='" + (chip.dataset.insert || chip.dataset.fill) + "']");
    if (!field) return;
    if (chip.dataset.fill || !field.value.trim()) field.value = chip.dataset.value;
    else field.value = field.value.replace(/\s*$/, "") + "\n" + chip.dataset.value;
    field.focus();
  });

  function typing(ev) {
    var t = ev.target;
    return ev.ctrlKey || ev.metaKey || ev.altKey || t.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].indexOf(t.tagName) >= 0;
  }

  // j/k move through a keyboard list (kept across htmx refreshes), Enter opens.
  var selected = null;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.keyboard tbody tr[data-href]")); }
  function mark() {
    var all = rows(), found = false;
    all.forEach(function (r) { var on = r.dataset.number === selected; r.classList.toggle("selected", on); found = found || on; });
    if (!found && all.length) { selected = all[0].dataset.number; all[0].classList.add("selected"); }
  }
  function move(step) {
    var all = rows(); if (!all.length) return;
    var i = all.findIndex(function (r) { return r.dataset.number === selected; });
    i = Math.max(0, Math.min(all.length - 1, i + step));
    selected = all[i].dataset.number; mark(); all[i].scrollIntoView({block: "nearest"});
  }
  if (rows().length || document.querySelector("table.keyboard")) {
    mark();
    document.body.addEventListener("htmx:afterSwap", mark);
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && typing(ev)) { ev.target.blur(); return; }
    if (typing(ev)) return;
    if (document.querySelector("table.keyboard")) {
      if (ev.key === "j") { move(1); ev.preventDefault(); }
      if (ev.key === "k") { move(-1); ev.preventDefault(); }
      if (ev.key === "Enter") {
        var row = document.querySelector("table.keyboard tr.selected");
        if (row) { window.location = row.dataset.href; ev.preventDefault(); }
      }
      return;
    }
    // Case page: the operator's common path.
    var form = function (name) { return document.querySelector("form[data-action='" + name + "']"); };
    var open = function (name, field) {
      var f = form(name); if (!f) return false;
      f.closest("details").open = true;
      var input = f.querySelector(field); if (input) input.focus();
      return true;
    };
    if (ev.key === "a" && form("accept")) { ev.preventDefault(); form("accept").requestSubmit(); }
    if (ev.key === "s" && document.getElementById("accept-suggestion")) {
      ev.preventDefault(); document.getElementById("accept-suggestion").click();
    }
    if (ev.key === "d" && document.getElementById("merge-top")) {
      ev.preventDefault(); document.getElementById("merge-top").click();
    }
    if (ev.key === "r" && open("reject", "textarea")) ev.preventDefault();
    if (ev.key === "m" && open("merge", "input[name=into]")) ev.preventDefault();
    if (ev.key === "n" && form("accept")) {
      var next = document.getElementById("next-report");
      ev.preventDefault();
      window.location = next ? next.href : "/console/intake/";
    }
  });
})();

// Triage card: file under the suggested condition, or merge into a duplicate, through the
// same action forms (and so the same case services) as every other move.
document.addEventListener("click", function (ev) {
  var button = ev.target.closest("#accept-suggestion, .merge-into");
  if (!button) return;
  var name = button.id === "accept-suggestion" ? "accept" : "merge";
  var form = document.querySelector("form[data-action='" + name + "']");
  if (!form) return;
  if (name === "accept") form.querySelector("select[name=condition]").value = button.dataset.condition;
  else form.querySelector("input[name=into]").value = button.dataset.number;
  form.requestSubmit();
});

// Show the chosen photos' names next to our own (Chinese) file button.
document.addEventListener("change", function (ev) {
  var input = ev.target;
  if (input.type !== "file") return;
  var names = input.closest(".file-field").querySelector(".file-names");
  var chosen = Array.prototype.map.call(input.files, function (f) { return f.name; });
  names.textContent = chosen.length ? chosen.join("，") : names.dataset.none;
});

// 打码: drag rectangles on a photo's public copy, saved as boxes in the copy's own pixels.
// Pointer events, so a mouse, a pen and a finger on a tablet all draw the same way.
(function () {
  "use strict";

  function setUp(panel) {
    var stage = panel.querySelector(".redact-stage");
    var img = stage.querySelector("img");
    var canvas = stage.querySelector("canvas");
    var form = panel.querySelector("form");
    var field = form.querySelector("input[name=boxes]");
    var save = form.querySelector("button[type=submit]");
    var undo = form.querySelector("[data-undo]");
    var count = form.querySelector(".box-count");
    var width = Number(stage.dataset.width), height = Number(stage.dataset.height);
    var boxes = [], drawing = null;

    // Display pixels → pixels of the public copy (the page shows it scaled down).
    function scale() { return width / canvas.width; }

    function fit() { paint(); }

    function paint() {
      // The drawing surface follows the size shown (the layout may change after opening).
      if (canvas.width !== canvas.clientWidth || canvas.height !== canvas.clientHeight) {
        canvas.width = canvas.clientWidth;
        canvas.height = canvas.clientHeight;
      }
      var ctx = canvas.getContext("2d"), s = scale();
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      boxes.concat(drawing ? [drawing] : []).forEach(function (b) {
        ctx.fillStyle = "rgba(245, 63, 63, 0.25)";
        ctx.strokeStyle = "#f53f3f";
        ctx.lineWidth = 2;
        ctx.fillRect(b.x / s, b.y / s, b.w / s, b.h / s);
        ctx.strokeRect(b.x / s, b.y / s, b.w / s, b.h / s);
      });
    }

    function update() {
      field.value = JSON.stringify(boxes);
      save.disabled = undo.disabled = boxes.length === 0;
      count.textContent = boxes.length ? count.dataset.template + " " + boxes.length : "";
      paint();
    }

    function at(event) {
      var rect = canvas.getBoundingClientRect(), s = width / rect.width;
      var x = Math.min(Math.max(event.clientX - rect.left, 0), rect.width);
      var y = Math.min(Math.max(event.clientY - rect.top, 0), rect.height);
      return { x: Math.round(x * s), y: Math.round(y * (height / rect.height)) };
    }

    var start = null;
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      start = at(event);
      drawing = { x: start.x, y: start.y, w: 0, h: 0 };
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!start) return;
      var p = at(event);
      drawing = {
        x: Math.min(start.x, p.x), y: Math.min(start.y, p.y),
        w: Math.abs(p.x - start.x), h: Math.abs(p.y - start.y),
      };
      paint();
    });
    function finish() {
      // A tap or a tiny slip is not a box: at least 4 copy pixels each way.
      if (drawing && drawing.w >= 4 && drawing.h >= 4) boxes.push(drawing);
      start = drawing = null;
      update();
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    undo.addEventListener("click", function () { boxes.pop(); update(); });
    panel.querySelector("[data-close]").addEventListener("click", function () {
      boxes = [];
      update();
      panel.hidden = true;
      panel.parentNode.classList.remove("redacting");
    });
    form.addEventListener("submit", function () { save.disabled = true; });

    window.addEventListener("resize", fit);
    return { open: function () {
      panel.hidden = false;
      panel.parentNode.classList.add("redacting");
      if (img.complete) fit(); else img.addEventListener("load", fit, { once: true });
      panel.scrollIntoView({ block: "nearest" });
    } };
  }

  // Delegated: a card swapped in by htmx (once its new copy is made) works the same.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-redact]");
    if (!button) return;
    var panel = document.getElementById("redact-" + button.dataset.redact);
    panel.redactTool = panel.redactTool || setUp(panel);
    panel.redactTool.open();
  });
})();

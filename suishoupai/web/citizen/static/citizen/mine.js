/* "My reports": cases sent from this phone (tokens in localStorage) and with a confirmed number. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t;
  var $ = function (id) { return document.getElementById(id); };

  function load() {
    var cases = SSP.myCases().map(function (c) { return { number: c.number, token: c.token }; });
    SSP.call("POST", "/m/api/mine", { cases: cases }).then(function (res) {
      var list = $("mine-list");
      list.innerHTML = "";
      var found = res.status === 200 ? res.data.cases : [];
      $("mine-empty").hidden = found.length > 0;
      found.forEach(function (c) {
        var due = c.due_at && ["closed", "rejected", "merged", "voided"].indexOf(c.state) < 0
          ? SSP.el("small", { class: "deadline", text: t("due", { when: SSP.when(c.due_at) }) }) : null;
        var a = SSP.el("a", { href: "/m/cases/" + encodeURIComponent(c.number) }, [
          SSP.el("span", { class: "mine-top" }, [
            SSP.el("b", { text: c.category }), SSP.el("span", { class: "tag", text: c.state_label })
          ]),
          SSP.el("small", { text: c.number + " · " + SSP.when(c.created_at) + (c.address ? " · " + c.address : "") }),
          SSP.el("span", { class: "words", text: c.state_words }),
          due
        ]);
        list.appendChild(SSP.el("li", {}, [a]));
      });
    }).catch(function () { SSP.toast(t("network")); });
  }

  var form = $("phone-form");
  $("p-send").addEventListener("click", function () {
    SSP.clearErrors(form);
    var btn = $("p-send");
    btn.disabled = true;
    SSP.call("POST", "/m/api/phone/code", { phone: $("p-phone").value.trim() }).then(function (res) {
      if (res.status !== 200) {
        btn.disabled = false;
        var loose = SSP.showErrors(form, res.data.errors || []);
        if (!(res.data.errors || []).length || loose.length) SSP.toast(SSP.errorText(res), 4000);
        return;
      }
      SSP.toast(t("code_sent", { m: res.data.minutes }));
      $("p-code-cell").hidden = false;
      $("p-confirm").hidden = false;
      $("p-code").focus();
      var left = 60;
      var timer = setInterval(function () {
        left -= 1;
        btn.textContent = left > 0 ? t("resend_in", { s: left }) : t("resend");
        if (left <= 0) { clearInterval(timer); btn.disabled = false; }
      }, 1000);
    }).catch(function () { btn.disabled = false; SSP.toast(t("network")); });
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    SSP.clearErrors(form);
    var body = { phone: $("p-phone").value.trim(), code: $("p-code").value.trim() };
    SSP.call("POST", "/m/api/phone/confirm", body).then(function (res) {
      if (res.status !== 200) {
        var loose = SSP.showErrors(form, res.data.errors || []);
        if (!(res.data.errors || []).length || loose.length) SSP.toast(SSP.errorText(res), 4000);
        return;
      }
      form.hidden = true;
      $("phone-confirmed").hidden = false;
      $("phone-masked").textContent = res.data.phone;
      load();
    }).catch(function () { SSP.toast(t("network")); });
  });

  $("phone-forget").addEventListener("click", function () {
    SSP.call("POST", "/m/api/phone/forget", {}).then(function () {
      $("phone-confirmed").hidden = true;
      form.hidden = false;
      load();
    });
  });

  load();
})();

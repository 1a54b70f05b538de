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
            SSP.el("b", { text: c.category }), SSP.el("span", { class: SSP.badgeClass(c), text: c.state_label })
          ]),
          SSP.el("small", { text: c.number + " · " + SSP.when(c.created_at) + (c.address ? " · " + c.address : "") }),
          SSP.el("span", { class: "words", text: c.state_words }),
          due
        ]);
        list.appendChild(SSP.el("li", {}, [a]));
      });
    }).catch(function () { SSP.toast(t("network")); });
  }

  var form = SSP.phoneForm(function (masked) {
    form.hidden = true;
    $("phone-confirmed").hidden = false;
    $("phone-masked").textContent = masked;
    load();
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

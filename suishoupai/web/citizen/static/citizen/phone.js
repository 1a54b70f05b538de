/* Confirming a phone number by an SMS code (the form in citizen/_phone_form.html). On success
   the server sets the signed ssp_phone cookie; onConfirmed(maskedPhone) runs. */
(function () {
  "use strict";
  var SSP = window.SSP, t = SSP.t;
  var $ = function (id) { return document.getElementById(id); };

  function refused(form, res) {
    var loose = SSP.showErrors(form, (res.data && res.data.errors) || []);
    if (!((res.data && res.data.errors) || []).length || loose.length) SSP.toast(SSP.errorText(res), 4000);
  }

  SSP.phoneForm = function (onConfirmed) {
    var form = $("phone-form");
    $("p-send").addEventListener("click", function () {
      SSP.clearErrors(form);
      var btn = $("p-send");
      btn.disabled = true;
      SSP.call("POST", "/m/api/phone/code", { phone: $("p-phone").value.trim() }).then(function (res) {
        if (res.status !== 200) { btn.disabled = false; refused(form, res); return; }
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
        if (res.status !== 200) { refused(form, res); return; }
        onConfirmed(res.data.phone);
      }).catch(function () { SSP.toast(t("network")); });
    });
    return form;
  };
})();

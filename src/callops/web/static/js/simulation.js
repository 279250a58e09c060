// Scenario files load in the browser: each <input type="file" data-yaml-target="ID"> copies the chosen file's
// text into the text area ID (the form then posts it as before; nothing is uploaded on its own). Without
// JavaScript the file inputs stay hidden and the text areas work alone.
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-yaml-target]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-yaml-target"));
    if (!target) { return; }
    var field = input.closest("[hidden]");
    if (field) { field.hidden = false; }
    var status = document.getElementById(input.id + "-status");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      if (status) { status.textContent = ""; }
      target.setAttribute("data-state", "loading");
      file.text().then(function (text) {
        target.value = text;
        var enable = document.getElementById(input.getAttribute("data-enable") || "");
        if (enable) { enable.checked = true; }
        target.setAttribute("data-state", "loaded");
      }).catch(function (error) {
        target.setAttribute("data-state", "error");
        if (status) { status.textContent = status.getAttribute("data-failed") + " " + error.message; }
      });
    });
  });
})();

// Scenario files load in the browser: each <input type="file" data-yaml-target="ID"> copies the chosen file's
// text into the text area ID (the form then posts it as before; nothing is uploaded on its own). Without
// JavaScript the file inputs stay hidden and the text areas work alone.
(function () {
  "use strict";
  var MAX_BYTES = 1024 * 1024;  // a scenario file is a few kB of YAML
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
      file.arrayBuffer().then(function (buffer) {
        // a picture or other binary file is refused, not pasted into the text area
        var bytes = new Uint8Array(buffer);
        if (bytes.length > MAX_BYTES || bytes.indexOf(0) !== -1) { throw new Error(status.getAttribute("data-not-text")); }
        var text;
        try { text = new TextDecoder("utf-8", {fatal: true}).decode(bytes); } catch (e) {
          throw new Error(status.getAttribute("data-not-text"));
        }
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

  // Switching language on a page of results: set the language, then post the same scenarios again (same seed,
  // same numbers) instead of landing on an empty form. A name to save under is not sent twice.
  var langForm = document.querySelector("form.lang-switch");
  var simForm = document.getElementById("sim-form");
  if (langForm && simForm && document.getElementById("sim-results")) {
    langForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(langForm);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
      fetch(langForm.action, {method: "POST", body: data, credentials: "same-origin", redirect: "manual"})
        .then(function () {
          if (simForm.elements.save) { simForm.elements.save.value = ""; }
          simForm.submit();
        });
    });
  }
})();

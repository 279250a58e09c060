// The import pages: refuse a file over the size limit before sending it; poll a running job's progress.
(function () {
  "use strict";
  var form = document.getElementById("imp-form");
  var input = document.getElementById("imp-file");
  if (form && input) {
    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      var limit = parseInt(form.getAttribute("data-limit"), 10);
      if (file && limit && file.size > limit) {
        event.preventDefault();
        var text = form.getAttribute("data-too-large").replace("{name}", file.name);
        var shown = document.getElementById("imp-error");
        if (!shown) {
          shown = document.createElement("p");
          shown.id = "imp-error";
          shown.className = "alert alert-error";
          form.parentNode.insertBefore(shown, form);
        }
        shown.textContent = text;
      }
    });
  }
  var job = document.getElementById("imp-job");
  if (!job) return;
  var status = job.getAttribute("data-status");
  if (status !== "queued" && status !== "running") return;
  var bar = document.getElementById("imp-progress");
  function poll() {
    fetch("/api/imports/" + job.getAttribute("data-job"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.status !== "queued" && data.status !== "running") { window.location.reload(); return; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        var text = document.getElementById("imp-progress-text");
        if (text) text.setAttribute("data-percent", data.percent);
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();

// Draws every <canvas data-chart="ID"> with the Chart.js config in <script type="application/json" id="ID">.
// Pages never need inline scripts (the Content-Security-Policy forbids them): use the chart() macro.
(function () {
  "use strict";
  function palette() {
    var css = getComputedStyle(document.documentElement);
    return [css.getPropertyValue("--chart-1").trim() || "#2563eb", css.getPropertyValue("--chart-2").trim() || "#16a34a",
            css.getPropertyValue("--chart-3").trim() || "#f59e0b", css.getPropertyValue("--chart-4").trim() || "#dc2626"];
  }
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var colors = palette();
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var config = JSON.parse(source.textContent);
      (config.data.datasets || []).forEach(function (set, i) {
        if (!set.backgroundColor) { set.backgroundColor = colors[i % colors.length]; }
        if (!set.borderColor) { set.borderColor = colors[i % colors.length]; }
      });
      config.options = config.options || {};
      config.options.responsive = true;
      var chart = new window.Chart(canvas, config);
      canvas.setAttribute("data-chart-ready", "true");
      window.addEventListener("beforeprint", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

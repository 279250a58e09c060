// The staffing calculator answers as you type: POST /api/workforce/staffing (agents needed) and
// /api/workforce/erlang (what the typed number of agents delivers); only the newest answer is shown.
(function () {
  "use strict";
  var form = document.getElementById("calc-form");
  if (!form) { return; }
  var results = document.getElementById("calc-results");
  var errorBox = document.getElementById("calc-error");
  var seconds = results.getAttribute("data-seconds") || "s";
  var sequence = 0;
  var timer = null;

  function value(name) {
    var el = form.elements[name];
    return el && el.value.trim() !== "" ? Number(el.value) : null;
  }
  // a rate typed as 80 means 80 % (as on the server: callops.web.form_input.read_rate)
  function rate(name) { var v = value(name); return v !== null && v > 1 ? v / 100 : v; }
  function percent(x) { return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%"; }
  function secs(x) { return x === null || x === undefined ? "–" : x.toFixed(1) + " " + seconds; }
  function put(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function post(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf")},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.message || response.statusText); }
        return data;
      });
    });
  }
  function update() {
    var mine = ++sequence;
    var common = {calls: value("calls"), interval_min: value("interval_min"), aht_s: value("aht_s"),
                  sl_time_s: value("sl_time_s") || 0, patience_s: value("patience_s")};
    var need = Object.assign({}, common, {service_level: rate("service_level"), shrinkage: rate("shrinkage") || 0,
                                          distressing_share: rate("distressing_share") || 0,
                                          recovery_s: value("recovery_s") || 0});
    var agents = value("agents");
    var asks = [post("/api/workforce/staffing", need)];
    if (agents !== null) { asks.push(post("/api/workforce/erlang", Object.assign({}, common, {agents: agents}))); }
    results.setAttribute("data-state", "busy");
    Promise.all(asks).then(function (answers) {
      if (mine !== sequence) { return; }
      var s = answers[0];
      put("out-model", common.patience_s ? "Erlang A" : "Erlang C");
      put("out-agents", String(s.agents));
      put("out-scheduled", String(s.scheduled));
      put("out-sl", percent(s.service_level));
      put("out-asa", secs(s.asa_s));
      put("out-pwait", percent(s.p_wait));
      put("out-abandon", percent(s.p_abandon));
      put("out-occupancy", percent(s.occupancy));
      put("out-recovery", String(s.recovery_agents || 0));
      var w = answers[1];
      put("whatif-agents", agents === null ? "" : String(agents));
      put("whatif-sl", w ? percent(w.service_level) : "–");
      put("whatif-asa", w ? secs(w.asa_s) : "–");
      put("whatif-pwait", w ? percent(w.p_wait) : "–");
      put("whatif-abandon", w ? percent(w.p_abandon || 0) : "–");
      put("whatif-occupancy", w ? percent(w.occupancy) : "–");
      errorBox.hidden = true;
      results.setAttribute("data-state", "ready");
    }).catch(function (error) {
      if (mine !== sequence) { return; }
      errorBox.textContent = error.message;
      errorBox.hidden = false;
      // old numbers must not stand beside a new error: blank them
      results.querySelectorAll("td.num").forEach(function (cell) { cell.textContent = "–"; });
      results.setAttribute("data-state", "error");
    });
  }
  form.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 120);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  results.setAttribute("data-state", "ready");
})();

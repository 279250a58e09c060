// The live wallboard and supervisor view: renders the floor from the /live/stream Server-Sent Events.
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const i18n = JSON.parse(document.getElementById("live-i18n").textContent);
  const locale = root.dataset.locale;
  const zone = root.dataset.zone;
  const supervise = root.dataset.supervise === "1";
  const status = document.getElementById("live-status");
  let thresholdsFilled = false;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function pct(x) { return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%"; }
  function secs(s) {
    if (s === null || s === undefined) return "–";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h > 0 ? h + ":" + two(m) + ":" + two(r) : m + ":" + two(r);
  }
  function stateName(s) { return i18n.states[s] || s; }
  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = i18n[state] || state;
  }
  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function renderQueues(data) {
    const tbody = document.querySelector("#live-queues tbody");
    const t = data.thresholds;
    const rows = data.queues.map((q) => {
      const tr = el("tr");
      tr.dataset.queue = q.queue;
      const w15 = q.windows[0] || {}, w30 = q.windows[1] || {};
      const cells = [
        [q.queue, ""], [q.waiting, "num waiting"],
        [secs(q.longest_wait_s), "num longest" + (q.longest_wait_s > t.longest_wait_s ? " cell-bad" : "")],
        [q.offered_today, "num offered"], [q.answered_today, "num answered"], [q.abandoned_today, "num abandoned"],
        [pct(q.service_level_today), "num sl"],
        [pct(w15.service_level), "num sl15" + (w15.service_level !== null && w15.service_level < t.sl_target ? " cell-bad" : "")],
        [pct(w30.service_level), "num sl30"], [w15.offered, "num"], [w30.offered, "num"], [secs(q.asa_s), "num asa"],
      ];
      for (const [text, cls] of cells) tr.appendChild(el("td", text, cls));
      const states = el("td");
      for (const [s, n] of Object.entries(q.agents)) states.appendChild(el("span", stateName(s) + " " + n, "state state-" + s));
      tr.appendChild(states);
      return tr;
    });
    fill(tbody, rows);
    document.getElementById("live-no-queues").hidden = rows.length > 0;
  }

  function renderAgents(data) {
    const tbody = document.querySelector("#live-agents tbody");
    const t = data.thresholds;
    const rows = data.agents.map((a) => {
      const tr = el("tr");
      tr.dataset.agent = a.agent;
      tr.appendChild(el("td", a.agent));
      const st = el("td");
      st.appendChild(el("span", stateName(a.state), "state state-" + a.state));
      tr.appendChild(st);
      tr.appendChild(el("td", a.reason || ""));
      tr.appendChild(el("td", a.queues.join(", ")));
      const away = ["away", "break", "recovery"].includes(a.state) && a.in_state_s > t.away_minutes * 60;
      const long = a.on_call_s !== null && a.on_call_s > t.call_minutes * 60;
      tr.appendChild(el("td", secs(a.in_state_s), "num in-state" + (away || long ? " cell-bad" : "")));
      if (supervise && document.getElementById("live-set-form")) {
        const td = el("td");
        const pick = el("button", "✎", "button");
        pick.type = "button";
        pick.addEventListener("click", () => { document.getElementById("live-set-agent").value = a.agent; });
        td.appendChild(pick);
        tr.appendChild(td);
      }
      return tr;
    });
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", i18n.no_agents, "muted");
      td.colSpan = 6;
      tr.appendChild(td);
      rows.push(tr);
    }
    fill(tbody, rows);
  }

  function renderAlerts(data) {
    const list = document.getElementById("live-alerts");
    fill(list, data.alerts.map((a) => {
      const text = (i18n["alert_" + a.kind] || a.kind)
        .replace("{subject}", a.subject).replace("{value}", a.kind === "sl_low" ? pct(a.value) : a.value)
        .replace("{limit}", a.kind === "sl_low" ? pct(a.limit) : a.limit);
      const li = el("li", text);
      li.dataset.kind = a.kind;
      return li;
    }));
  }

  function renderFeeds(data) {
    const table = document.querySelector("#live-feeds tbody");
    if (!table) return;
    fill(table, data.feeds.map((f) => {
      const tr = el("tr");
      for (const [text, cls] of [[f.feed, "mono"], [(i18n.feed_states[f.status] || f.status), ""], [f.lines, "num"],
        [f.calls, "num"], [f.skipped, "num" + (f.skipped ? " cell-bad" : "")], [f.rejected, "num" + (f.rejected ? " cell-bad" : "")],
        [f.last_problem || "", "muted"]]) tr.appendChild(el("td", text, cls));
      return tr;
    }));
  }

  function fillThresholds(data) {
    if (thresholdsFilled) return;
    const form = document.getElementById("live-thresholds");
    if (!form) return;
    for (const [k, v] of Object.entries(data.thresholds)) if (form.elements[k]) form.elements[k].value = v;
    thresholdsFilled = true;
  }

  function render(data) {
    const asOf = new Date(data.as_of);
    document.getElementById("live-as-of").textContent = asOf.toLocaleTimeString(locale, {timeZone: zone});
    renderAlerts(data);
    renderQueues(data);
    renderAgents(data);
    renderFeeds(data);
    fillThresholds(data);
    root.dataset.version = data.version;
  }

  const source = new EventSource(root.dataset.stream);
  source.addEventListener("floor", (e) => { setStatus("live"); render(JSON.parse(e.data)); });
  source.addEventListener("error", () => setStatus("reconnecting"));

  async function send(method, url, body) {
    const response = await fetch(url, {method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf}, body: JSON.stringify(body)});
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || response.statusText);
    return data;
  }
  // the set-state form posts as a plain form (/live/state): a refused change comes back beside its field,
  // in the viewer's language, with what was typed kept
  const thForm = document.getElementById("live-thresholds");
  if (thForm && supervise) thForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = document.getElementById("live-th-result");
    const body = {};
    for (const k of ["sl_target", "sl_minutes", "longest_wait_s", "away_minutes", "call_minutes", "streak_calls", "streak_minutes"]) body[k] = Number(thForm.elements[k].value);
    try { await send("PUT", "/api/live/thresholds", body); out.textContent = i18n.saved; }
    catch (err) { out.textContent = i18n.failed + ": " + err.message; }
  });
  async function getJson(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || response.statusText);
    return data;
  }
  const dayForm = document.getElementById("live-intraday-form");
  if (dayForm) dayForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = document.getElementById("live-intraday-summary");
    const table = document.getElementById("live-intraday-table");
    try {
      const d = await getJson("/api/live/intraday?plan=" + encodeURIComponent(dayForm.elements.plan.value));
      const time = (iso) => new Date(iso).toLocaleTimeString(locale, {timeZone: zone, hour: "2-digit", minute: "2-digit"});
      let text = i18n.intraday_summary.replace("{actual}", d.actual_so_far).replace("{forecast}", d.forecast_so_far)
        .replace("{ratio}", d.ratio.toFixed(2));
      text += " " + (d.first_short ? i18n.short_from.replace("{time}", time(d.first_short.start_at))
        .replace("{n}", d.first_short.short_by) : i18n.no_short);
      out.textContent = text;
      fill(table.querySelector("tbody"), d.intervals.map((r) => {
        const tr = el("tr", null, "interval-" + r.state);
        for (const [v, cls] of [[time(r.start_at), ""], [r.forecast_calls, "num"],
          [r.actual_calls === null ? "–" : r.actual_calls, "num"], [r.reforecast_calls, "num"], [r.planned_agents, "num"],
          [r.required_agents, "num"], [r.gap, "num gap" + (r.gap < 0 ? " cell-bad" : "")]]) tr.appendChild(el("td", v, cls));
        return tr;
      }));
      table.hidden = false;
    } catch (err) { out.textContent = i18n.failed + ": " + err.message; }
  });
  const moveForm = document.getElementById("live-move-form");
  if (moveForm) moveForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = document.getElementById("live-move-result");
    const q = new URLSearchParams(new FormData(moveForm));
    try {
      const m = await getJson("/api/live/intraday/move?" + q.toString());
      out.textContent = i18n.move_result.replace("{k}", m.agents)
        .replace("{from_before}", pct(m.from_service_level[0])).replace("{from_after}", pct(m.from_service_level[1]))
        .replace("{to_before}", pct(m.to_service_level[0])).replace("{to_after}", pct(m.to_service_level[1]));
    } catch (err) { out.textContent = i18n.failed + ": " + err.message; }
  });
})();

"use strict";
// Analysts' console. Alerts carry strings from scans, which an attacker controls: every
// value reaches the page through textContent / text nodes, never as HTML.
(() => {
  const body = document.body;
  const T = JSON.parse(body.dataset.strings);
  const CSRF = body.dataset.csrf;
  const LANG = body.dataset.lang;
  // The hit procedure's steps after each state (screening/procedure.py, sent by the page).
  const NEXT = JSON.parse(body.dataset.procedure);
  const ROLE = body.dataset.role;
  const MAX_ROWS = 500;
  const MAX_KEPT = 5000;
  const PRIORITIES = ["critical", "high", "medium", "low"];
  const COLOURS = ["red", "yellow", "blue", "green", "orange", "purple", "black", "un"];
  const LISTS = ["sltd", "notice", "smv"];

  const alerts = new Map();
  // Each alert's steps of the procedure, in order: its timeline.
  const decisions = new Map();
  const escalatedSeen = new Set();
  let selected = null;
  let renderQueued = false;

  const $ = (id) => document.getElementById(id);
  const timeFmt = new Intl.DateTimeFormat(LANG, { dateStyle: "short", timeStyle: "medium" });
  const when = (ms) => timeFmt.format(new Date(ms));
  const has = (key) => Object.prototype.hasOwnProperty.call(T, key);

  function t(key, vars) {
    let text = has(key) ? T[key] : key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }
  const label = (prefix, value) => (has(prefix + value) ? T[prefix + value] : String(value));
  const oneOf = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Values from scans keep their own direction inside Arabic text ("******2C3" stays so).
  const data = (value) => el("bdi", {}, value);

  // --- alert list ---------------------------------------------------------------
  function subjectSummary(subject) {
    const s = subject || {};
    const parts = [s.surname, s.given_names, s.document_number, s.plate, s.vin, s.make, s.model];
    return parts.filter((p) => p !== undefined && p !== null && p !== "").join(" · ");
  }

  const lastStep = (alertId) => {
    const steps = decisions.get(alertId);
    return steps && steps.length ? steps[steps.length - 1] : null;
  };

  function statusOf(alertId) {
    const d = lastStep(alertId);
    return d ? d.decision : "open";
  }

  function addStep(d) {
    const steps = decisions.get(d.alert_id) || [];
    const last = steps[steps.length - 1];
    if (last && last.decided_ms > d.decided_ms) return false;
    if (steps.some((s) => s.decision === d.decision && s.decided_ms === d.decided_ms &&
      s.analyst === d.analyst)) return false;
    decisions.set(d.alert_id, [...steps, d]);
    return true;
  }

  // Escalations (an alert nobody acted on in time) call the supervisors: colour, a
  // banner and a sound. Closed or acted-on alerts no longer count.
  const isEscalated = (a) => Boolean(a.escalated_at) && statusOf(a.alert_id) === "open";

  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (err) { /* no sound available: the banner still shows */ }
  }

  function renderEscalations() {
    const banner = $("escalations");
    if (ROLE !== "supervisor") { banner.hidden = true; return; }
    const open = [...alerts.values()].filter(isEscalated);
    banner.hidden = open.length === 0;
    banner.textContent = t("escalated.banner", { count: open.length });
    const fresh = open.filter((a) => !escalatedSeen.has(a.alert_id));
    fresh.forEach((a) => escalatedSeen.add(a.alert_id));
    if (fresh.length && document.body.dataset.ready === "1") beep();
  }

  function filters() {
    return {
      priority: $("f-priority").value,
      list: $("f-list").value,
      checkpoint: $("f-checkpoint").value,
    };
  }

  function matches(a, f) {
    return (!f.priority || a.priority === f.priority) && (!f.list || a.hit.list === f.list) &&
      (!f.checkpoint || a.checkpoint_id === f.checkpoint);
  }

  function refreshCheckpoints() {
    const select = $("f-checkpoint");
    const current = select.value;
    const seen = [...new Set([...alerts.values()].map((a) => a.checkpoint_id))].sort();
    const have = [...select.options].slice(1).map((o) => o.value);
    if (seen.length === have.length && seen.every((c, i) => c === have[i])) return;
    select.replaceChildren(select.options[0], ...seen.map((c) => el("option", { value: c }, c)));
    select.value = seen.includes(current) ? current : "";
  }

  function row(a) {
    const priority = oneOf(a.priority, PRIORITIES, "low");
    const status = statusOf(a.alert_id);
    const closed = ["closed", "dismissed"].includes(status);
    const tr = el("tr", {
      class: `prio-${priority}` + (closed ? " decided" : "") +
        (a.alert_id === selected ? " selected" : "") + (isEscalated(a) ? " escalated" : "") +
        (a.exercise ? " exercise" : "") + (a.tier === "possible" ? " possible" : ""),
      "data-alert-id": a.alert_id, "data-priority": priority, "data-status": status,
      "data-escalated": a.escalated_at ? "1" : "0", tabIndex: 0,
    },
      el("td", {}, when(a.raised_ms)),
      el("td", {}, el("span", { class: `badge prio-${priority}` }, label("priority.", priority)),
        a.exercise ? el("span", { class: "badge exercise" }, t("exercise.mark")) : null),
      el("td", {}, label("category.", a.hit.category)),
      el("td", { class: "instruction" }, label("instruction.", a.instruction || "REFER_SECONDARY")),
      el("td", {}, data(subjectSummary(a.subject))),
      el("td", {}, data(a.checkpoint_id)),
      el("td", {}, Number(a.hit.score).toFixed(2)),
      el("td", { class: `status-${status}` }, label("status.", status)));
    tr.addEventListener("click", () => select(a.alert_id));
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(a.alert_id); });
    return tr;
  }

  function renderList() {
    renderQueued = false;
    refreshCheckpoints();
    const f = filters();
    const all = [...alerts.values()].sort((x, y) => y.raised_ms - x.raised_ms);
    const shown = all.filter((a) => matches(a, f));
    $("alert-rows").replaceChildren(...shown.slice(0, MAX_ROWS).map(row));
    $("empty").hidden = shown.length > 0;
    $("count").textContent = t("alerts.count", { shown: shown.length, total: all.length });
    renderEscalations();
  }

  function scheduleRender() {
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(renderList);
    }
  }

  // --- one alert explained ------------------------------------------------------
  function renderValue(value) {
    if (Array.isArray(value)) {
      return el("ul", { class: "values" }, ...value.map((v) => el("li", {}, renderValue(v))));
    }
    if (value !== null && typeof value === "object") {
      const dl = el("dl", { class: "kv" });
      for (const [key, v] of Object.entries(value)) {
        dl.append(el("dt", {}, label("field.", key)), el("dd", {}, renderValue(v)));
      }
      return dl;
    }
    return data(value === null || value === undefined ? "" : String(value));
  }

  function actionKey(hit) {
    if (hit.list === "notice") return "action." + oneOf(hit.category, COLOURS, "blue");
    return "action." + oneOf(hit.list, LISTS, "sltd");
  }

  function swatchClass(hit) {
    return "swatch notice-" + (hit.list === "notice" ? oneOf(hit.category, COLOURS, "blue")
      : oneOf(hit.list, LISTS, "sltd"));
  }

  function timeline(a) {
    const steps = decisions.get(a.alert_id) || [];
    const items = [el("li", { "data-step": "raised" },
      t("timeline.raised", { time: when(a.raised_ms) }))];
    if (a.escalated_at) {
      items.push(el("li", { "data-step": "escalated", class: "escalated" },
        t("timeline.escalated", { time: when(Date.parse(a.escalated_at)) })));
    }
    steps.forEach((d) => {
      const item = el("li", { "data-step": d.decision },
        t("decide.by", {
          decision: label("status.", d.decision), analyst: d.analyst,
          time: when(d.decided_ms),
        }) + (d.role ? ` (${label("role.", d.role)})` : ""));
      if (d.note) item.append(el("div", { class: "decided-note" }, t("decide.note_was", { note: d.note })));
      items.push(item);
    });
    return el("ol", { class: "timeline", id: "timeline" }, ...items);
  }

  // A dismissed name match: the analyst may clear this traveller against this record.
  function clearPart(a) {
    const hours = el("select", { id: "clear-hours" },
      ...[[4, "clear.4h"], [24, "clear.24h"], [72, "clear.72h"], [168, "clear.7d"]].map(
        ([h, key]) => el("option", { value: String(h) }, t(key))));
    const status = el("p", { class: "error", id: "clear-status", role: "status" });
    const button = el("button", { type: "button", id: "clear-namesake" }, t("clear.button"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const done = await post(`/api/alerts/${encodeURIComponent(a.alert_id)}/clear`,
          { hours: Number(hours.value), note: "" });
        status.className = "ok";
        status.textContent = t("clear.done", { time: when(Date.parse(done.until)) });
      } catch (err) {
        status.textContent = t("clear.failed", { reason: err.message });
        button.disabled = false;
      }
    });
    return el("div", { class: "clear-namesake" }, el("p", { class: "hint" }, t("clear.hint")),
      el("label", {}, t("clear.until"), hours), button, status);
  }

  // Supervisors: the clearances in force, each revocable.
  async function showClearances() {
    const box = $("clearances");
    box.hidden = false;
    box.replaceChildren(el("p", {}, t("decide.sending")));
    try {
      const resp = await fetch("/api/clearances", { credentials: "same-origin" });
      const listed = await resp.json();
      if (!resp.ok) throw new Error(listed.error || String(resp.status));
      const rows = listed.clearances.map((c) => {
        const revoke = el("button", { type: "button", class: "revoke" }, t("clear.revoke"));
        revoke.addEventListener("click", async () => {
          revoke.disabled = true;
          try { await post("/api/clearances/revoke", { field: c.field }); showClearances(); }
          catch (err) { revoke.disabled = false; }
        });
        return el("tr", { "data-field": c.field },
          el("td", {}, label("list.", c.list), " · ", data(c.record_id)),
          el("td", {}, data(c.by)), el("td", {}, when(Date.parse(c.until))),
          el("td", {}, data(c.alert_id || "")), el("td", {}, revoke));
      });
      box.replaceChildren(el("h2", {}, t("clear.title")), rows.length
        ? el("table", { class: "alert-table", id: "clearance-rows" },
          el("thead", {}, el("tr", {}, ...["clear.col.record", "clear.col.by", "clear.col.until",
            "clear.col.alert", "clear.col.act"].map((k) => el("th", {}, t(k))))),
          el("tbody", {}, ...rows))
        : el("p", { class: "empty", id: "no-clearances" }, t("clear.none")));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, t("clear.failed", { reason: err.message })));
    }
  }

  function decisionPart(a) {
    const d = lastStep(a.alert_id);
    const part = el("section", { class: "decide", "data-testid": "decision" },
      el("h3", {}, t("decide.title")), timeline(a));
    if (d) {
      part.append(el("p", { class: "decided-by", id: "decided-by", "data-decision": d.decision },
        label("status.", d.decision)));
    }
    if (a.cleared_until) {
      part.append(el("p", { class: "cleared", id: "cleared-until" },
        t("clear.reminder", { time: when(Date.parse(a.cleared_until)) })));
    }
    const next = NEXT[d ? d.decision : ""] || [];
    if (d && d.decision === "dismissed" && a.clearable) part.append(clearPart(a));
    if (!next.length) return part;
    const note = el("textarea", { id: "decision-note", maxLength: 500, rows: 3 });
    const status = el("p", { class: "error", id: "decision-status", role: "status" });
    const buttons = next.map((step) => el("button", {
      type: "button", class: "step step-" + step, id: "step-" + step, "data-step": step,
    }, t("decide." + step)));
    buttons.forEach((button) => button.addEventListener("click", () => {
      if (button.dataset.step === "dismissed" && a.priority === "critical" && !note.value.trim()) {
        status.textContent = t("decide.note_required");
        note.focus();
        return;
      }
      decide(a.alert_id, button.dataset.step, note.value, status, buttons);
    }));
    part.append(el("label", {}, t("decide.note"), note),
      el("div", { class: "buttons" }, ...buttons), status);
    return part;
  }

  function renderDetail() {
    const a = selected && alerts.get(selected);
    $("detail-placeholder").hidden = Boolean(a);
    const box = $("detail-body");
    box.hidden = !a;
    if (!a) { box.replaceChildren(); return; }
    const hit = a.hit;
    const priority = oneOf(a.priority, PRIORITIES, "low");
    const penalties = (hit.penalties || []).length
      ? el("ul", { class: "values" }, ...hit.penalties.map((p) =>
        el("li", {}, data(`${p.reason} −${Number(p.amount).toFixed(2)}`))))
      : t("detail.no_penalties");
    const bonuses = (hit.bonuses || []).length
      ? el("ul", { class: "values" }, ...hit.bonuses.map((b) =>
        el("li", {}, data(`${b.reason} +${Number(b.amount).toFixed(2)}`))))
      : t("detail.no_penalties");
    const similarity = hit.name_similarity == null ? [] : [
      el("dt", {}, t("detail.name_similarity")),
      el("dd", { id: "name-similarity" }, Number(hit.name_similarity).toFixed(2)),
      el("dt", {}, t("detail.bonuses")), el("dd", { id: "bonuses" }, bonuses)];
    const facts = el("dl", { class: "kv", id: "explanation" },
      el("dt", {}, t("detail.record")),
      el("dd", {}, label("list.", hit.list), " · ", data(hit.record_id)),
      el("dt", {}, t("detail.score")), el("dd", { id: "score" }, Number(hit.score).toFixed(2)),
      el("dt", {}, t("detail.matched_on")),
      el("dd", { id: "matched-on" }, hit.matched_on.map((f) => label("field.", f)).join(", ")),
      el("dt", {}, t("detail.matched_alias")), el("dd", { id: "matched-alias" }, data(hit.matched_alias || "—")),
      el("dt", {}, t("detail.penalties")), el("dd", { id: "penalties" }, penalties),
      ...similarity,
      el("dt", {}, t("detail.raised_at")), el("dd", {}, when(a.raised_ms)),
      el("dt", {}, t("detail.event")), el("dd", {}, data(a.event_id)),
      el("dt", {}, t("detail.terminal")), el("dd", {}, data(`${a.checkpoint_id} / ${a.terminal_id}`)),
      el("dt", {}, t("detail.version")), el("dd", {}, data(a.watchlist_version || "—")));
    box.replaceChildren(
      el("div", { class: "detail-head" },
        el("button", { type: "button", class: "close", id: "detail-close",
          onclick: () => select(null) }, t("detail.close")),
        el("h2", { id: "detail-title" }, el("span", { class: swatchClass(hit) }),
          label("category.", hit.category), " ",
          el("span", { class: `badge prio-${priority}` }, label("priority.", priority)))),
      el("p", { class: "gate-line", id: "gate-line" },
        el("span", { class: "badge instruction" }, label("instruction.", a.instruction || "REFER_SECONDARY")),
        " · ", t("detail.action"), " ", data(a.action ? label("act.", a.action) : "—"),
        " · ", t("detail.owner"), " ", data(a.owner || "—"),
        a.reference ? [" · ", t("detail.reference"), " ", data(a.reference)] : null,
        a.exercise ? el("span", { class: "badge exercise" }, t("exercise.mark")) : null,
        a.tier === "possible" ? el("span", { class: "badge possible" }, t("tier.possible")) : null),
      el("p", { class: "lead" }, t("lead")),
      el("h3", {}, t("detail.what_to_do")),
      el("p", { class: "what-to-do", id: "what-to-do" }, t(actionKey(hit))),
      el("h3", {}, t("detail.title")), facts,
      el("h3", {}, t("detail.record")), el("div", { id: "record" }, renderValue(a.record)),
      el("h3", {}, t("detail.subject")), el("div", { id: "subject" }, renderValue(a.subject)),
      unmaskPart(a),
      decisionPart(a));
  }

  // Opening an alert is recorded on the audit by the server before it answers; the
  // detail is shown from that answer, so an alert out of the user's scope never opens.
  async function post(path, body) {
    const resp = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
      body: JSON.stringify(body || {}),
    });
    if (resp.status === 401) { location.assign("/login"); throw new Error("401"); }
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.error || String(resp.status));
    return data;
  }

  async function select(alertId) {
    selected = alertId;
    if (alertId === null) { renderDetail(); scheduleRender(); return; }
    try {
      const data = await post(`/api/alerts/${encodeURIComponent(alertId)}/view`);
      if (selected !== alertId) return;
      keep(data.alert);
      (data.decisions || []).forEach(addStep);
    } catch (err) {
      if (selected === alertId) selected = null;
    }
    renderDetail();
    scheduleRender();
  }

  async function unmask(a, button, status) {
    button.disabled = true;
    try {
      const ids = await post(`/api/alerts/${encodeURIComponent(a.alert_id)}/unmask`);
      const shown = alerts.get(a.alert_id);
      if (!shown) return;
      shown.subject = { ...shown.subject, ...(ids.subject || {}) };
      shown.record = { ...shown.record, ...(ids.record || {}) };
      shown.unmasked = true;
      if (selected === a.alert_id) renderDetail();
      scheduleRender();
    } catch (err) {
      status.textContent = t("unmask.failed", { reason: err.message });
      button.disabled = false;
    }
  }

  function unmaskPart(a) {
    const masked = (fields) => ["vin", "plate"].some((k) => typeof (fields || {})[k] === "string");
    if (a.unmasked || !(masked(a.subject) || masked(a.record))) return null;
    const status = el("p", { class: "error", id: "unmask-status", role: "status" });
    const button = el("button", { type: "button", class: "unmask", id: "unmask" }, t("unmask.show"));
    button.addEventListener("click", () => unmask(a, button, status));
    return el("div", {}, button, el("p", { class: "hint" }, t("unmask.hint")), status);
  }

  async function decide(alertId, decision, note, status, buttons) {
    buttons.forEach((b) => { b.disabled = true; });
    status.textContent = t("decide.sending");
    try {
      const resp = await fetch("/api/decisions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
        body: JSON.stringify({ alert_id: alertId, decision, note }),
      });
      if (resp.status === 401) { location.assign("/login"); return; }
      if (!resp.ok) {
        const err = await resp.json().catch(() => ({}));
        throw new Error(err.error || String(resp.status));
      }
      // The decision itself arrives over the event stream, as on every other console.
    } catch (err) {
      status.textContent = t("decide.failed", { reason: err.message });
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  // --- live feed ----------------------------------------------------------------
  function setConn(state) {
    const node = $("conn");
    node.dataset.state = state;
    node.textContent = t("conn." + state);
  }

  function keep(a) {
    const old = alerts.get(a.alert_id);
    if (old && old.unmasked) return;  // what was shown after "show" stays shown
    alerts.set(a.alert_id, a);
    if (alerts.size > MAX_KEPT) alerts.delete(alerts.keys().next().value);  // first kept
  }

  // The mode in force (contract v2 "Modes"): a banner while an incident is declared.
  function renderMode(m) {
    const node = $("mode-banner");
    if (!m || m.mode !== "incident") { node.hidden = true; node.textContent = ""; return; }
    node.textContent = t("mode.incident", { profile: label("mode.profile.", m.profile) }) +
      " — " + t("mode.since", { when: when(m.since_ms), by: m.by });
    node.hidden = false;
  }

  function connect() {
    const source = new EventSource("/events");
    source.addEventListener("open", () => setConn("live"));
    source.addEventListener("snapshot", (ev) => {
      const snap = JSON.parse(ev.data);
      alerts.clear();
      decisions.clear();
      snap.alerts.forEach(keep);
      snap.decisions.forEach(addStep);
      renderMode(snap.mode);
      renderDetail();
      renderList();
      body.dataset.ready = "1";
    });
    source.addEventListener("alert", (ev) => {
      const a = JSON.parse(ev.data);
      keep(a);
      if (a.alert_id === selected) renderDetail();
      scheduleRender();
    });
    source.addEventListener("mode", (ev) => renderMode(JSON.parse(ev.data)));
    source.addEventListener("decision", (ev) => {
      const d = JSON.parse(ev.data);
      if (!addStep(d)) return;
      if (d.alert_id === selected) renderDetail();
      scheduleRender();
    });
    source.addEventListener("error", async () => {
      setConn("lost");
      const resp = await fetch("/api/session", { credentials: "same-origin" }).catch(() => null);
      if (resp && resp.status === 401) { source.close(); location.assign("/login"); return; }
      const who = resp && resp.ok ? await resp.json().catch(() => ({})) : {};
      if (who.role === "auditor") { source.close(); location.assign("/"); return; }
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    });
  }

  if (ROLE === "supervisor") {
    $("show-clearances").hidden = false;
    $("show-clearances").addEventListener("click", showClearances);
  }
  ["f-priority", "f-list", "f-checkpoint"].forEach((id) =>
    $(id).addEventListener("change", scheduleRender));
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") select(null); });
  connect();
})();

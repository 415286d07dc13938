"use strict";
// Analysts' console. Alerts carry strings from scans, which an attacker controls: every
// value reaches the page through textContent / text nodes, never as HTML.
(() => {
  const body = document.body;
  const T = JSON.parse(body.dataset.strings);
  const CSRF = body.dataset.csrf;
  const LANG = body.dataset.lang;
  const MAX_ROWS = 500;
  const MAX_KEPT = 5000;
  const PRIORITIES = ["critical", "high", "medium", "low"];
  const COLOURS = ["red", "yellow", "blue", "green", "orange", "purple", "black", "un"];
  const LISTS = ["sltd", "notice", "smv"];

  const alerts = new Map();
  const decisions = new Map();
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
    for (const child of children) {
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

  function statusOf(alertId) {
    const d = decisions.get(alertId);
    return d ? d.decision : "open";
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
    const tr = el("tr", {
      class: `prio-${priority}` + (status !== "open" ? " decided" : "") +
        (a.alert_id === selected ? " selected" : ""),
      "data-alert-id": a.alert_id, "data-priority": priority, "data-status": status,
      tabIndex: 0,
    },
      el("td", {}, when(a.raised_ms)),
      el("td", {}, el("span", { class: `badge prio-${priority}` }, label("priority.", priority))),
      el("td", {}, label("category.", a.hit.category)),
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

  function decisionPart(a) {
    const d = decisions.get(a.alert_id);
    const part = el("section", { class: "decide", "data-testid": "decision" },
      el("h3", {}, t("decide.title")));
    if (d) {
      part.append(el("p", { class: "decided-by", id: "decided-by", "data-decision": d.decision },
        t("decide.by", {
          decision: label("status.", d.decision), analyst: d.analyst, time: when(d.decided_ms),
        })));
      if (d.note) part.append(el("p", { class: "decided-note" }, t("decide.note_was", { note: d.note })));
      return part;
    }
    const note = el("textarea", { id: "decision-note", maxLength: 500, rows: 3 });
    const status = el("p", { class: "error", id: "decision-status", role: "status" });
    const confirm = el("button", { type: "button", class: "confirm", id: "confirm" }, t("decide.confirm"));
    const dismiss = el("button", { type: "button", class: "dismiss", id: "dismiss" }, t("decide.dismiss"));
    const send = (decision) => decide(a.alert_id, decision, note.value, status, [confirm, dismiss]);
    confirm.addEventListener("click", () => send("confirmed"));
    dismiss.addEventListener("click", () => send("dismissed"));
    part.append(el("label", {}, t("decide.note"), note),
      el("div", { class: "buttons" }, confirm, dismiss), status);
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
      if (data.decision) decisions.set(alertId, data.decision);
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
      snap.decisions.forEach((d) => decisions.set(d.alert_id, d));
      renderMode(snap.mode);
      renderDetail();
      scheduleRender();
    });
    source.addEventListener("alert", (ev) => {
      keep(JSON.parse(ev.data));
      scheduleRender();
    });
    source.addEventListener("mode", (ev) => renderMode(JSON.parse(ev.data)));
    source.addEventListener("decision", (ev) => {
      const d = JSON.parse(ev.data);
      const old = decisions.get(d.alert_id);
      if (old && old.decided_ms > d.decided_ms) return;
      decisions.set(d.alert_id, d);
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

  ["f-priority", "f-list", "f-checkpoint"].forEach((id) =>
    $(id).addEventListener("change", scheduleRender));
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") select(null); });
  connect();
})();

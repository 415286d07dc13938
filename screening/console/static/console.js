"use strict";
// Analysts' console: the live feed, the work queue (queue.js), the detail panel
// (detail.js) and the decisions, which survive a dropped connection (outbox.js).
import { ROLE, T, el, getJson, label, post, t, when } from "/static/common.js";
import { STEP_KEYS, renderDetail } from "/static/detail.js";
import { Outbox, forgetDrafts, pending, pendingFor } from "/static/outbox.js";
import { Queue, groupOf } from "/static/queue.js";
import { room } from "/static/room.js";

const body = document.body;
// The hit procedure's steps after each state (screening/procedure.py, sent by the page).
const NEXT = JSON.parse(body.dataset.procedure);
// Alerts kept in the page; past it, decided alerts go first, never one still to do.
const MAX_KEPT = 5000;
const TITLE = T["app.title"];

const alerts = new Map();
const decisions = new Map();   // each alert's steps of the procedure, in order
const messages = new Map();    // the last thing said about an alert's decision
const escalatedSeen = new Set();
const signalled = new Set();   // critical alerts already announced by sound
const sites = new Map();       // checkpoint -> site (GET /api/sites)
let selected = null;
let lostAt = null;             // when the live feed was lost, and what was known then
let knownAtLoss = null;
let detailQueued = false;

const $ = (id) => document.getElementById(id);

const lastStep = (id) => {
  const steps = decisions.get(id);
  return steps && steps.length ? steps[steps.length - 1] : null;
};
function statusOf(id) {
  if (room.pendingState(id)) return "pending";
  const d = lastStep(id);
  return d ? d.decision : "open";
}
const isEscalated = (a) => Boolean(a.escalated_at) && statusOf(a.alert_id) === "open";

function addStep(d) {
  const steps = decisions.get(d.alert_id) || [];
  const last = steps[steps.length - 1];
  if (last && last.decided_ms > d.decided_ms) return false;
  if (steps.some((s) => s.decision === d.decision && s.decided_ms === d.decided_ms &&
    s.analyst === d.analyst)) return false;
  decisions.set(d.alert_id, [...steps, d]);
  room.stepTaken(d);
  return true;
}

function keep(a) {
  const old = alerts.get(a.alert_id);
  if (old && old.unmasked) return false;  // what was shown after "show" stays shown
  alerts.set(a.alert_id, a);
  if (alerts.size > MAX_KEPT) {
    const decided = [...alerts.values()].filter((x) => groupOf(statusOf(x.alert_id)) === "decided")
      .sort((x, y) => x.raised_ms - y.raised_ms);
    const gone = decided.length ? decided[0] : [...alerts.values()].sort((x, y) => x.raised_ms - y.raised_ms)[0];
    alerts.delete(gone.alert_id);
  }
  return !old;
}

// --- signals: sound, the tab's title, the supervisors' banner ---------------------
// One sound at most every BEEP_EVERY_MS, from one audio context: a burst of critical
// alerts rings once, and costs no more than one.
const BEEP_EVERY_MS = 2000;
let audio = null;
let beepedAt = -Infinity;
function beep() {
  if (performance.now() - beepedAt < BEEP_EVERY_MS) return;
  beepedAt = performance.now();
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    osc.frequency.value = 880;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch (err) { /* no sound available: the title and the banner still show */ }
}

function announce(fresh) {
  const critical = fresh.filter((a) => a.priority === "critical" && statusOf(a.alert_id) === "open" &&
    !signalled.has(a.alert_id));
  critical.forEach((a) => signalled.add(a.alert_id));
  if (critical.length) {
    body.dataset.signalled = String(signalled.size);
    beep();
  }
}

function renderSignals(stats) {
  const n = stats ? stats.openCritical : 0;
  document.title = n ? `(${n}) ⚠ ${TITLE}` : TITLE;
  const banner = $("escalations");
  if (ROLE !== "supervisor") { banner.hidden = true; return; }
  const open = [...alerts.values()].filter(isEscalated);
  banner.hidden = open.length === 0;
  banner.textContent = t("escalated.banner", { count: open.length });
  const fresh = open.filter((a) => !escalatedSeen.has(a.alert_id));
  fresh.forEach((a) => escalatedSeen.add(a.alert_id));
  if (fresh.length && body.dataset.ready === "1") beep();
}

// --- the queue ------------------------------------------------------------------------
const queue = new Queue({
  alerts, statusOf, isEscalated, selected: () => selected, leftOut: () => room.leftOut(),
  siteOf: (a) => sites.get(a.checkpoint_id) || "",
  open: (id, fromKeyboard) => select(id, fromKeyboard),
  extras: (a) => {
    const classes = [];
    const notes = [];
    if (pendingFor(a.alert_id)) {
      classes.push("unsent");
      notes.push(el("span", { class: "badge unsent", title: t("decide.kept") }, t("queue.unsent")));
    }
    notes.push(...room.rowNotes(a));
    return [classes, notes.length ? el("span", { class: "row-notes" }, notes) : null];
  },
});

function refreshChoices() {
  const select = $("f-checkpoint");
  const current = select.value;
  const seen = [...new Set([...alerts.values()].map((a) => a.checkpoint_id))].sort();
  const have = [...select.options].slice(1).map((o) => o.value);
  if (!(seen.length === have.length && seen.every((c, i) => c === have[i]))) {
    select.replaceChildren(select.options[0], ...seen.map((c) => el("option", { value: c }, c)));
    select.value = seen.includes(current) ? current : "";
    lookUpSites(seen.filter((c) => !sites.has(c)));
  }
}

let sitesAsked = false;
async function lookUpSites(checkpoints) {
  if (!checkpoints.length || sitesAsked) return;
  sitesAsked = true;
  try {
    const query = checkpoints.slice(0, 200).map((c) => "checkpoint=" + encodeURIComponent(c)).join("&");
    const answer = await getJson("/api/sites?" + query);
    Object.entries(answer.sites || {}).forEach(([c, s]) => sites.set(c, s || ""));
    const select = $("f-site");
    const current = select.value;
    const names = [...new Set([...sites.values()].filter(Boolean))].sort();
    select.replaceChildren(select.options[0], ...names.map((s) => el("option", { value: s }, s)));
    select.value = names.includes(current) ? current : "";
  } catch (err) { /* the site filter stays as it was */ } finally {
    sitesAsked = false;
  }
  // Checkpoints first seen while this look-up was under way are asked for next.
  const missing = [...new Set([...alerts.values()].map((a) => a.checkpoint_id))]
    .filter((c) => !sites.has(c));
  if (missing.length && missing.some((c) => !checkpoints.includes(c))) lookUpSites(missing);
}

function renderAll() {
  refreshChoices();
  queue.render();
  renderSignals(queue.stats);
}

// Live events re-render the queue at most every RENDER_EVERY_MS: a burst of hundreds of
// alerts costs a few renders a second, not one per alert.
const RENDER_EVERY_MS = 250;
let allQueued = false;
let renderedAt = 0;
function scheduleAll() {
  if (allQueued) return;
  allQueued = true;
  const wait = Math.max(0, renderedAt + RENDER_EVERY_MS - performance.now());
  setTimeout(() => requestAnimationFrame(() => {
    allQueued = false;
    renderedAt = performance.now();
    renderAll();
  }), wait);
}

// --- the detail panel -----------------------------------------------------------------
const outbox = new Outbox((alertId, state, detail) => {
  if (state === "kept") messages.set(alertId, t("decide.kept"));
  else if (state === "sent") {
    messages.delete(alertId);
    room.answered(alertId, detail);
  } else messages.set(alertId, refusalWords(detail));
  if (state === "sent") $("outbox-state").hidden = true;
  if (alertId === selected) scheduleDetail();
  scheduleAll();
});

function refusalWords(err) {
  const reason = String(err && err.message || "");
  const claimedBy = err && err.answer && err.answer.claimed_by;
  if (claimedBy) return t("claim.refused", { analyst: claimedBy });
  if (err && err.status === 409 && err.answer && err.answer.confirmations) return t("pending.yours");
  if (err && err.status === 409) return t("decide.conflict");
  if (reason.includes("`other` needs a note")) return t("reason_code.needs_note");
  if (reason.includes("reason")) return t("reason_code.required");
  if (reason.includes("note")) return t("decide.note_required");
  if (err && err.status === 404) return t("decide.unknown_alert");
  if (err && err.status === 403) return t("decide.forbidden");
  return t("decide.failed", { reason });
}

const detailCtx = {
  steps: (id) => decisions.get(id) || [],
  next: (a) => (pendingFor(a.alert_id) ? [] : room.next(a, NEXT[lastStep(a.alert_id) ? lastStep(a.alert_id).decision : ""] || [])),
  kept: (id) => Boolean(pendingFor(id)),
  message: (id) => messages.get(id),
  close: () => select(null),
  unmask,
  decide,
  roomParts: (a) => room.detailParts(a),
  reasonPicker: (a) => room.reasonPicker(a),
  caseParts: (a) => room.caseParts(a),
};

function renderDetailNow() {
  detailQueued = false;
  const a = selected && alerts.get(selected);
  $("detail-placeholder").hidden = Boolean(a);
  const box = $("detail-body");
  box.hidden = !a;
  if (!a) { box.replaceChildren(); return; }
  // A live refresh keeps the analyst where they were: focus, caret and scroll.
  const active = document.activeElement;
  const focusId = active && box.contains(active) ? active.id : null;
  const caret = focusId && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
  const scroll = $("detail").scrollTop;
  renderDetail(box, a, detailCtx);
  $("detail").scrollTop = scroll;
  if (focusId && $(focusId)) {
    $(focusId).focus({ preventScroll: true });
    if (caret) $(focusId).setSelectionRange(caret[0], caret[1]);
  }
}

function scheduleDetail() {
  if (!detailQueued) {
    detailQueued = true;
    requestAnimationFrame(renderDetailNow);
  }
}

// Opening an alert is recorded on the audit by the server before it answers; the
// detail is shown from that answer, so an alert out of the user's scope never opens.
// One the list holds already (the server sent it to this user) is shown at once too:
// until the answer came, what was typed went into the detail of the alert before.
async function select(alertId, focusDetail) {
  selected = alertId;
  if (alertId === null) { renderDetailNow(); scheduleAll(); return; }
  if (alerts.has(alertId)) {
    renderDetailNow();
    if (focusDetail && $("detail-title")) $("detail-title").focus();
  }
  try {
    const answer = await post(`/api/alerts/${encodeURIComponent(alertId)}/view`);
    if (selected !== alertId) return;
    keep(answer.alert);
    (answer.decisions || []).forEach(addStep);
  } catch (err) {
    if (selected === alertId && !alerts.has(alertId)) selected = null;
  }
  renderDetailNow();
  scheduleAll();
  if (focusDetail && $("detail-title")) $("detail-title").focus();
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
    if (selected === a.alert_id) renderDetailNow();
    scheduleAll();
  } catch (err) {
    status.textContent = t("unmask.failed", { reason: err.message });
    button.disabled = false;
  }
}

async function decide(a, step, note, status, buttons) {
  const text = note.value;
  const reason = room.chosenReason(a, step, text);
  if (reason && reason.error) {
    status.textContent = reason.error;
    const picker = $("reason-code");
    if (picker) picker.focus();
    return;
  }
  if (room.noteRequired(a, step) && !text.trim()) {
    status.textContent = t("decide.note_required");
    note.focus();
    return;
  }
  buttons.forEach((b) => { b.disabled = true; });
  status.className = "kept";
  status.textContent = t("decide.sending");
  const item = { alert_id: a.alert_id, decision: step, note: text };
  if (reason) item.reason = reason;
  try {
    await outbox.send(item);
  } catch (err) {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// --- live feed --------------------------------------------------------------------------
function setConn(state) {
  const node = $("conn");
  node.dataset.state = state;
  node.textContent = t("conn." + state);
}

function renderMode(m) {
  const node = $("mode-banner");
  if (!m || m.mode !== "incident") { node.hidden = true; node.textContent = ""; return; }
  node.textContent = t("mode.incident", { profile: label("mode.profile.", m.profile) }) +
    " — " + t("mode.since", { when: when(m.since_ms), by: m.by });
  node.hidden = false;
}

function lost() {
  setConn("lost");
  if (lostAt === null) {
    lostAt = Date.now();
    knownAtLoss = new Set(alerts.keys());
  }
}

function connect() {
  const source = new EventSource("/events");
  source.addEventListener("open", () => setConn("live"));
  source.addEventListener("snapshot", (ev) => {
    const snap = JSON.parse(ev.data);
    const first = body.dataset.ready !== "1";
    alerts.clear();
    decisions.clear();
    snap.alerts.forEach(keep);
    snap.decisions.forEach(addStep);
    room.snapshot(snap);
    if (knownAtLoss !== null) {
      const arrived = snap.alerts.filter((a) => !knownAtLoss.has(a.alert_id));
      const banner = $("arrived");
      banner.hidden = false;
      banner.dataset.count = String(arrived.length);
      $("arrived-text").textContent = t("conn.arrived", { count: arrived.length, time: when(lostAt) });
      announce(arrived);
      lostAt = null;
      knownAtLoss = null;
    } else if (first) {
      snap.alerts.forEach((a) => signalled.add(a.alert_id));  // not news: only new ones ring
    }
    renderMode(snap.mode);
    renderDetailNow();
    renderAll();
    body.dataset.ready = "1";
    outbox.flush();
  });
  source.addEventListener("alert", (ev) => {
    const a = JSON.parse(ev.data);
    if (keep(a)) announce([a]);
    if (a.alert_id === selected) scheduleDetail();
    scheduleAll();
  });
  source.addEventListener("mode", (ev) => renderMode(JSON.parse(ev.data)));
  source.addEventListener("decision", (ev) => {
    const d = JSON.parse(ev.data);
    if (!addStep(d)) return;
    if (d.alert_id === selected) scheduleDetail();
    scheduleAll();
  });
  room.listen(source, (alertId) => {
    if (alertId === selected) scheduleDetail();
    scheduleAll();
  });
  source.addEventListener("error", async () => {
    lost();
    const resp = await fetch("/api/session", { credentials: "same-origin" }).catch(() => null);
    if (resp && resp.status === 401) { source.close(); location.assign("/login"); return; }
    const who = resp && resp.ok ? await resp.json().catch(() => ({})) : {};
    if (who.role === "auditor") { source.close(); location.assign("/"); return; }
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
}

// --- keyboard --------------------------------------------------------------------------
function onKey(ev) {
  const target = ev.target;
  const typing = target.matches && target.matches("input, textarea, select");
  if (ev.key === "Escape") {
    if ($("detail").contains(target) || typing) { ev.preventDefault(); queue.focusCursor(); return; }
    if ($("queue").contains(target)) select(null);
    return;
  }
  if (typing || ev.altKey || ev.ctrlKey || ev.metaKey || !selected) {
    if (!typing && ev.key === "/" && $("search-input")) { ev.preventDefault(); $("search-input").focus(); }
    return;
  }
  if (ev.key === "/" && $("search-input")) { ev.preventDefault(); $("search-input").focus(); return; }
  // On a row, a step's key acts on that row's alert only when it is the one open.
  const onRow = target.closest && target.closest("tr[data-alert-id]");
  if (onRow && onRow.dataset.alertId !== selected) return;
  const step = Object.keys(STEP_KEYS).find((s) => STEP_KEYS[s] === ev.key.toLowerCase());
  const button = step && $("step-" + step);
  if (button && !button.disabled) { ev.preventDefault(); button.click(); return; }
  const extra = room.shortcut(ev.key.toLowerCase(), alerts.get(selected));
  if (extra) ev.preventDefault();
}

if (ROLE === "supervisor") {
  $("show-clearances").hidden = false;
  $("show-clearances").addEventListener("click", () => import("/static/clearances.js").then((m) => m.showClearances()));
}
$("arrived-close").addEventListener("click", () => { $("arrived").hidden = true; });
$("sign-out").closest("form").addEventListener("submit", forgetDrafts);
document.addEventListener("keydown", onKey);
window.addEventListener("online", () => outbox.flush());
setInterval(() => {
  const n = $("outbox-state");
  const waiting = pending().length;
  n.hidden = waiting === 0;
  n.textContent = t("outbox.waiting", { count: waiting });
}, 1000);
room.start({
  alerts, select, refresh: scheduleAll, detail: scheduleDetail,
  steps: detailCtx.steps, next: detailCtx.next,
  keep: (a) => { if (!alerts.has(a.alert_id)) keep(a); },
});
connect();

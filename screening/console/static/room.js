"use strict";
// The room's shared work on alerts (docs/console-api.md): claims, reason codes, a second
// analyst for critical confirmations (four eyes), undo, search and cases. The rules come
// from GET /api/procedure; a console that does not serve them leaves all this off.
import { ANALYST, ROLE, data, el, getJson, label, post, remove, t, when } from "/static/common.js";

const claims = new Map();   // alert_id -> {claimed_by, claimed_at}
const pending = new Map();  // alert_id -> {pending, confirmations, at}
let rules = null;
let leftOut = 0;
let ctx = null;
const said = new Map();     // alert_id -> what the last claim or undo came to

const $ = (id) => document.getElementById(id);
const mine = (name) => name === ANALYST;

function claimOf(id) {
  const c = claims.get(id);
  return c && c.claimed_by ? c : null;
}

async function act(alertId, work) {
  try {
    said.delete(alertId);
    await work();
  } catch (err) {
    const who = err.answer && err.answer.claimed_by;
    said.set(alertId, who ? t("claim.refused", { analyst: who }) : t("claim.failed", { reason: err.message }));
  }
  ctx.refresh();
  ctx.detail();
}

const claim = (a, takeOver) => act(a.alert_id, async () => {
  const got = await post(`/api/alerts/${encodeURIComponent(a.alert_id)}/claim`,
    takeOver ? { take_over: true } : {});
  claims.set(a.alert_id, got);
});
const release = (a) => act(a.alert_id, async () => {
  const got = await remove(`/api/alerts/${encodeURIComponent(a.alert_id)}/claim`);
  claims.set(a.alert_id, got);
});
const undo = (a) => act(a.alert_id, async () => {
  const got = await post(`/api/alerts/${encodeURIComponent(a.alert_id)}/undo`);
  if (got.pending === false) pending.delete(a.alert_id);
  said.set(a.alert_id, t("undo.done"));
});

// The step this analyst may still take back, and until when (ms), or null.
function undoable(a) {
  if (!rules || !rules.undo_window_s) return null;
  const p = pending.get(a.alert_id);
  if (p && p.pending && (p.confirmations || []).includes(ANALYST)) {
    return { until: Infinity, withdraw: true };
  }
  const steps = ctx.steps(a.alert_id);
  const d = steps[steps.length - 1];
  if (!d || d.undoes || !(mine(d.analyst) || mine(d.second_analyst))) return null;
  const until = d.decided_ms + rules.undo_window_s * 1000;
  return Date.now() < until ? { until, withdraw: false } : null;
}

function claimPart(a) {
  const c = claimOf(a.alert_id);
  const parts = [];
  if (!c) {
    const b = el("button", { type: "button", id: "claim", "data-key": "M", "aria-keyshortcuts": "M" }, t("claim.claim"));
    b.addEventListener("click", () => claim(a, false));
    parts.push(b);
  } else if (mine(c.claimed_by)) {
    parts.push(el("span", { class: "claimed mine", id: "claimed-by", "data-analyst": c.claimed_by }, t("claim.mine")), " ");
    const b = el("button", { type: "button", id: "release", "data-key": "M", "aria-keyshortcuts": "M" }, t("claim.release"));
    b.addEventListener("click", () => release(a));
    parts.push(b);
  } else {
    parts.push(el("span", { class: "claimed", id: "claimed-by", "data-analyst": c.claimed_by },
      t("claim.by", { analyst: c.claimed_by })));
    if (ROLE === "supervisor") {
      const b = el("button", { type: "button", id: "take-over" }, t("claim.take_over"));
      b.addEventListener("click", () => claim(a, true));
      parts.push(" ", b);
    }
  }
  return el("p", { class: "claim-line" }, parts);
}

function pendingPart(a) {
  const p = pending.get(a.alert_id);
  if (!p || !p.pending) return null;
  const names = (p.confirmations || []).join(", ");
  return el("p", { class: "pending-four-eyes", id: "pending", role: "status" },
    t("pending.waiting", { analysts: names }), " ",
    (p.confirmations || []).includes(ANALYST) ? t("pending.yours") : t("pending.second"));
}

function undoPart(a) {
  const u = undoable(a);
  if (!u) return null;
  const seconds = Math.max(0, Math.ceil((u.until - Date.now()) / 1000));
  const b = el("button", { type: "button", id: "undo", class: "undo", "data-key": "U", "aria-keyshortcuts": "U" },
    u.withdraw ? t("undo.withdraw") : t("undo.button", { seconds }));
  b.addEventListener("click", () => undo(a));
  if (!u.withdraw) setTimeout(() => ctx.detail(), 1000);  // the countdown, then gone
  return el("p", { class: "undo-line" }, b);
}

// --- search ----------------------------------------------------------------------------
let searchTimer = null;
async function search(q) {
  const box = $("search-results");
  if (q.trim().length < 2) { box.hidden = true; box.replaceChildren(); return; }
  try {
    const found = await getJson("/api/search?q=" + encodeURIComponent(q));
    const rows = found.results.map((r) => {
      const a = r.alert;
      const tr = el("tr", { "data-alert-id": a.alert_id, tabIndex: 0 },
        el("td", {}, when(a.raised_ms)),
        el("td", {}, label("category.", a.hit.category)),
        el("td", {}, data([a.subject.surname, a.subject.given_names, a.subject.document_number,
          a.subject.plate].filter(Boolean).join(" · "))),
        el("td", {}, data(a.checkpoint_id)),
        el("td", {}, label("status.", r.state || "open")),
        el("td", {}, r.matched_on.map((m) => label("search.on.", m)).join(", ")));
      const open = () => { ctx.keep(a); ctx.select(a.alert_id, true); };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
      return tr;
    });
    box.replaceChildren(
      el("p", { class: "count", id: "search-count", "data-count": String(found.count) },
        found.truncated ? t("search.truncated", { count: found.count, limit: found.limit })
          : t("search.count", { count: found.count })),
      rows.length ? el("table", { class: "alert-table", id: "search-rows" }, el("tbody", {}, rows))
        : el("p", { class: "empty" }, t("search.none")));
  } catch (err) {
    box.replaceChildren(el("p", { class: "error" }, t("search.failed", { reason: err.message })));
  }
  box.hidden = false;
}

// --- cases -------------------------------------------------------------------------------
async function showCase(caseId) {
  const box = $("cases");
  box.hidden = false;
  try {
    const c = await getJson("/api/cases/" + encodeURIComponent(caseId));
    const items = c.timeline.map((s, i) => {
      const li = el("li", { "data-alert-id": s.alert_id, tabIndex: 0, class: s.open ? "open" : "decided" },
        t("cases.sighting", { n: i + 1, total: c.timeline.length }), " · ", when(s.raised_ms), " · ",
        data(`${s.checkpoint_id} / ${s.terminal_id}`), " · ", label("status.", s.state || "open"));
      const open = () => ctx.select(s.alert_id, true);
      li.addEventListener("click", open);
      li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
      return li;
    });
    box.replaceChildren(closeButton(box), el("h2", {}, t("cases.timeline")),
      el("p", {}, label("list.", c.list), " · ", label("category.", c.category), " · ", data(c.record_id || c.case_id)),
      el("ol", { class: "case-timeline", id: "case-timeline", "data-case-id": c.case_id }, items));
  } catch (err) {
    box.replaceChildren(closeButton(box), el("p", { class: "error" }, t("cases.failed", { reason: err.message })));
  }
}

async function showCases() {
  const box = $("cases");
  box.hidden = false;
  try {
    const listed = await getJson("/api/cases");
    const rows = listed.cases.map((c) => {
      const tr = el("tr", { "data-case-id": c.case_id, tabIndex: 0 },
        el("td", {}, el("span", { class: `badge prio-${c.priority}` }, label("priority.", c.priority))),
        el("td", {}, label("category.", c.category)),
        el("td", {}, t("cases.row", { sightings: c.sightings, time: when(c.last_seen_ms) })),
        el("td", {}, data((c.checkpoints || []).join(", "))));
      tr.addEventListener("click", () => showCase(c.case_id));
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") showCase(c.case_id); });
      return tr;
    });
    box.replaceChildren(closeButton(box), el("h2", {}, t("cases.title")), rows.length
      ? el("table", { class: "alert-table", id: "case-rows" }, el("tbody", {}, rows))
      : el("p", { class: "empty" }, t("cases.none")));
  } catch (err) {
    box.replaceChildren(closeButton(box), el("p", { class: "error" }, t("cases.failed", { reason: err.message })));
  }
}

function closeButton(box) {
  const b = el("button", { type: "button", class: "close" }, t("cases.close"));
  b.addEventListener("click", () => { box.hidden = true; box.replaceChildren(); });
  return b;
}

export const room = {
  async start(context) {
    ctx = context;
    try {
      rules = await getJson("/api/procedure");
    } catch (err) {
      return;  // no room on this console: claims, reasons, undo, search and cases stay off
    }
    $("room-tools").hidden = false;
    $("search-input").addEventListener("input", (ev) => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => search(ev.target.value), 300);
    });
    $("search-input").addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { ev.target.value = ""; search(""); }
    });
    $("show-cases").addEventListener("click", showCases);
    ctx.refresh();
  },
  listen(source, changed) {
    source.addEventListener("claim", (ev) => {
      const c = JSON.parse(ev.data);
      claims.set(c.alert_id, c);
      changed(c.alert_id);
    });
    source.addEventListener("pending", (ev) => {
      const p = JSON.parse(ev.data);
      if (p.pending) pending.set(p.alert_id, p);
      else pending.delete(p.alert_id);
      changed(p.alert_id);
    });
  },
  snapshot(snap) {
    claims.clear();
    pending.clear();
    (snap.claims || []).forEach((c) => claims.set(c.alert_id, c));
    (snap.pending || []).forEach((p) => { if (p.pending) pending.set(p.alert_id, p); });
    leftOut = Number(snap.decided_left_out || 0);
  },
  stepTaken() {},
  answered(alertId, answer) {
    if (answer && answer.pending) {
      pending.set(alertId, { alert_id: alertId, pending: true, confirmations: answer.confirmations || [ANALYST] });
      said.set(alertId, t("pending.sent"));
    }
    if (answer && answer.claimed_by !== undefined) {
      claims.set(alertId, { alert_id: alertId, claimed_by: answer.claimed_by, claimed_at: answer.claimed_at || null });
    }
  },
  leftOut: () => leftOut,
  pendingState: (id) => { const p = pending.get(id); return p && p.pending ? p : null; },
  // A first confirmer cannot confirm again; another's claim leaves an analyst no step.
  next(a, steps) {
    const c = claimOf(a.alert_id);
    if (c && !mine(c.claimed_by) && ROLE !== "supervisor") {
      const p = pending.get(a.alert_id);
      return p && p.pending ? steps.filter((s) => s === "confirmed") : [];
    }
    const p = pending.get(a.alert_id);
    if (p && p.pending && (p.confirmations || []).includes(ANALYST)) return steps.filter((s) => s !== "confirmed");
    return steps;
  },
  rowNotes(a) {
    const c = claimOf(a.alert_id);
    const notes = [];
    if (c) notes.push(el("span", { class: "badge claim" + (mine(c.claimed_by) ? " mine" : ""), "data-claimed-by": c.claimed_by },
      mine(c.claimed_by) ? t("claim.mine") : t("claim.by", { analyst: c.claimed_by })));
    return notes;
  },
  detailParts(a) {
    if (!rules) return [];
    const message = said.get(a.alert_id);
    return [claimPart(a), pendingPart(a), undoPart(a),
      message ? el("p", { class: "room-said", id: "room-said", role: "status" }, message) : null].filter(Boolean);
  },
  reasonPicker(a) {
    if (!rules) return [];
    const steps = ctx.next(a).filter((s) => (rules.reasons || {})[s]);
    if (!steps.length) return [];
    const codes = [...new Map(steps.flatMap((s) => rules.reasons[s]).map((r) => [r.code, r])).values()];
    const select = el("select", { id: "reason-code" }, el("option", { value: "" }, t("reason_code.choose")),
      codes.map((r) => el("option", { value: r.code, "data-needs-note": r.needs_note ? "1" : "0" },
        label("reason.", r.code))));
    return [el("label", {}, t("reason_code.label"), select)];
  },
  // The reason code for `step`: null when the step takes none, or {error: message}.
  chosenReason(a, step, note) {
    if (!rules || !(rules.reasons || {})[step]) return null;
    const picker = $("reason-code");
    const code = picker ? picker.value : "";
    const allowed = rules.reasons[step].find((r) => r.code === code);
    if (!allowed) return { error: t("reason_code.required") };
    if (allowed.needs_note && !note.trim()) return { error: t("reason_code.needs_note") };
    return code;
  },
  // Whether `step` on `a` needs a note (the server's rule; before it is known, the one
  // that held before the room: dismissing a critical alert).
  noteRequired(a, step) {
    if (!rules) return step === "dismissed" && a.priority === "critical";
    return ((rules.note_required || {})[step] || []).includes(a.priority);
  },
  caseParts(a) {
    if (!rules || !a.case_id) return [];
    const same = [...ctx.alerts.values()].filter((x) => x.case_id === a.case_id)
      .sort((x, y) => x.raised_ms - y.raised_ms);
    const b = el("button", { type: "button", id: "open-case" }, t("cases.show"));
    b.addEventListener("click", () => showCase(a.case_id));
    return [el("p", { class: "case-line", id: "case-line" },
      t("cases.sighting", { n: same.findIndex((x) => x.alert_id === a.alert_id) + 1, total: same.length }), " ", b)];
  },
  shortcut(key, a) {
    if (!rules || !a) return false;
    if (key === "m") {
      const c = claimOf(a.alert_id);
      if (!c) claim(a, false);
      else if (mine(c.claimed_by)) release(a);
      else return false;
      return true;
    }
    if (key === "u" && undoable(a)) { undo(a); return true; }
    return false;
  },
};

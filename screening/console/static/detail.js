"use strict";
// The detail panel: one alert explained (explain.js), its timeline and the steps of the
// hit procedure that may follow its state, each with its shortcut key.
import { PRIORITIES, data, el, label, oneOf, post, score2, t, when } from "/static/common.js";
import { countryName, reasonList, recordAsks, scoreArithmetic, sideBySide } from "/static/explain.js";
import { draft, keepDraft } from "/static/outbox.js";

const COLOURS = ["red", "yellow", "blue", "green", "orange", "purple", "black", "un"];
const LISTS = ["sltd", "notice", "smv", "event"];
// One key per step of the procedure (shown on its button).
export const STEP_KEYS = {
  acknowledged: "a", verification_requested: "v", confirmed: "c", not_confirmed: "n",
  action_taken: "t", closed: "x", dismissed: "d",
};

// Codes among a record's or a scan's values said in words: countries, scripts, sex.
const COUNTRY_KEYS = new Set(["issuing_state", "nationality", "nationalities", "plate_country"]);
const scripts = typeof Intl.DisplayNames === "function"
  ? new Intl.DisplayNames([document.documentElement.lang], { type: "script" }) : null;

function inWords(key, value) {
  if (typeof value !== "string") return value;
  if (COUNTRY_KEYS.has(key)) return countryName(value);
  if (key === "script") {
    try { return scripts ? `${scripts.of(value)} (${value})` : value; } catch (err) { return value; }
  }
  if (key === "sex") return label("sex.", value);
  if (key === "status") return label("category.", value);
  if (key === "action") return label("act.", value);
  return value;
}

function renderValue(value, key) {
  if (Array.isArray(value)) {
    return el("ul", { class: "values" }, ...value.map((v) => el("li", {}, renderValue(v, key))));
  }
  if (value !== null && typeof value === "object") {
    const dl = el("dl", { class: "kv" });
    for (const [k, v] of Object.entries(value)) {
      dl.append(el("dt", {}, label("field.", k)), el("dd", {}, renderValue(v, k)));
    }
    return dl;
  }
  return data(value === null || value === undefined ? "" : String(inWords(key, value)));
}

function swatchClass(hit) {
  return "swatch notice-" + (hit.list === "notice" ? oneOf(hit.category, COLOURS, "blue")
    : oneOf(hit.list, LISTS, "sltd"));
}

function timeline(a, steps) {
  const items = [el("li", { "data-step": "raised" }, t("timeline.raised", { time: when(a.raised_ms) }))];
  if (a.escalated_at) {
    items.push(el("li", { "data-step": "escalated", class: "escalated" },
      t("timeline.escalated", { time: when(Date.parse(a.escalated_at)) })));
  }
  steps.forEach((d) => {
    const item = el("li", { "data-step": d.decision },
      t("decide.by", { decision: label("status.", d.decision), analyst: d.analyst, time: when(d.decided_ms) }) +
      (d.role ? ` (${label("role.", d.role)})` : ""));
    if (d.second_analyst) item.append(" ", t("timeline.second", { analyst: d.second_analyst }));
    if (d.undoes) item.append(" — ", t("timeline.undoes", { step: label("status.", d.undoes) }));
    if (d.reason) item.append(el("div", { class: "decided-reason" }, t("reason_code.shown", { reason: label("reason.", d.reason) })));
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

function unmaskPart(a, ctx) {
  const masked = (fields) => ["vin", "plate"].some((k) => typeof (fields || {})[k] === "string");
  if (a.unmasked || !(masked(a.subject) || masked(a.record))) return null;
  const status = el("p", { class: "error", id: "unmask-status", role: "status" });
  const button = el("button", { type: "button", class: "unmask", id: "unmask" }, t("unmask.show"));
  button.addEventListener("click", () => ctx.unmask(a, button, status));
  return el("div", {}, button, el("p", { class: "hint" }, t("unmask.hint")), status);
}

function decisionPart(a, ctx) {
  const steps = ctx.steps(a.alert_id);
  const d = steps.length ? steps[steps.length - 1] : null;
  const part = el("section", { class: "decide", "data-testid": "decision" },
    el("h3", {}, t("decide.title")), timeline(a, steps));
  if (d) {
    part.append(el("p", { class: "decided-by", id: "decided-by", "data-decision": d.decision },
      label("status.", d.decision)));
  }
  if (a.cleared_until) {
    part.append(el("p", { class: "cleared", id: "cleared-until" },
      t("clear.reminder", { time: when(Date.parse(a.cleared_until)) })));
  }
  const next = ctx.next(a);
  if (d && d.decision === "dismissed" && a.clearable) part.append(clearPart(a));
  const kept = ctx.kept(a.alert_id);
  const status = el("p", { class: kept ? "kept" : "error", id: "decision-status", role: "status" },
    kept ? t("decide.kept") : (ctx.message(a.alert_id) || ""));
  if (!next.length) { part.append(status); return part; }
  const note = el("textarea", { id: "decision-note", maxLength: 500, rows: 3 });
  note.value = draft(a.alert_id);
  note.addEventListener("input", () => keepDraft(a.alert_id, note.value));
  const buttons = next.map((step) => el("button", {
    type: "button", class: "step step-" + step, id: "step-" + step, "data-step": step,
    "data-key": STEP_KEYS[step].toUpperCase(), "aria-keyshortcuts": STEP_KEYS[step].toUpperCase(),
    title: t("decide.key", { key: STEP_KEYS[step].toUpperCase() }), disabled: Boolean(kept),
  }, t("decide." + step)));
  buttons.forEach((button) => button.addEventListener("click", () =>
    ctx.decide(a, button.dataset.step, note, status, buttons)));
  part.append(...ctx.reasonPicker(a), el("label", {}, t("decide.note"), note),
    el("div", { class: "buttons" }, ...buttons), status);
  return part;
}

export function renderDetail(box, a, ctx) {
  const hit = a.hit;
  const priority = oneOf(a.priority, PRIORITIES, "low");
  const similarity = hit.name_similarity == null ? [] : [
    el("dt", {}, t("detail.name_similarity")),
    el("dd", { id: "name-similarity" }, score2(hit.name_similarity)),
    el("dt", {}, t("detail.bonuses")), el("dd", { id: "bonuses" }, reasonList(hit.bonuses, "+"))];
  const facts = el("dl", { class: "kv", id: "explanation" },
    el("dt", {}, t("detail.record")),
    el("dd", {}, label("list.", hit.list), " · ", data(hit.record_id)),
    el("dt", {}, t("detail.score")),
    el("dd", {}, el("span", { id: "score" }, Number(hit.score).toFixed(2)), scoreArithmetic(hit)),
    el("dt", {}, t("detail.matched_on")),
    el("dd", { id: "matched-on" }, hit.matched_on.map((f) => label("field.", f)).join(", ")),
    el("dt", {}, t("detail.matched_alias")), el("dd", { id: "matched-alias" }, data(hit.matched_alias || "—")),
    el("dt", {}, t("detail.penalties")), el("dd", { id: "penalties" }, reasonList(hit.penalties, "−")),
    ...similarity,
    el("dt", {}, t("detail.raised_at")), el("dd", { id: "raised-at" }, when(a.raised_ms)),
    el("dt", {}, t("detail.event")), el("dd", {}, data(a.event_id)),
    el("dt", {}, t("detail.terminal")), el("dd", {}, data(`${a.checkpoint_id} / ${a.terminal_id}`)),
    el("dt", {}, t("detail.version")), el("dd", {}, data(a.watchlist_version || "—")));
  const compared = sideBySide(a);
  const parts = [
    el("div", { class: "detail-head" },
      el("button", { type: "button", class: "close", id: "detail-close", onclick: () => ctx.close() },
        t("detail.close")),
      el("h2", { id: "detail-title", tabIndex: -1 }, el("span", { class: swatchClass(hit) }),
        label("category.", hit.category), " ",
        el("span", { class: `badge prio-${priority}` }, label("priority.", priority)))),
    el("p", { class: "gate-line", id: "gate-line" },
      el("span", { class: "badge instruction" }, label("instruction.", a.instruction || "REFER_SECONDARY")),
      " · ", t("detail.action"), " ", data(a.action ? label("act.", a.action) : "—"),
      " · ", t("detail.owner"), " ", data(a.owner || "—"),
      a.reference ? [" · ", t("detail.reference"), " ", data(a.reference)] : null,
      a.exercise ? el("span", { class: "badge exercise" }, t("exercise.mark")) : null,
      a.tier === "possible" ? el("span", { class: "badge possible" }, t("tier.possible")) : null),
    // Who works it, a confirmation waiting for a second analyst, an undo: first.
    el("div", { class: "room-parts" }, ctx.roomParts(a)),
    ...recordAsks(a),
    compared ? [el("h3", {}, t("compare.title")), compared] : null,
    el("h3", {}, t("detail.title")), facts,
    el("details", { class: "raw" }, el("summary", {}, t("detail.record")),
      el("div", { id: "record" }, renderValue(a.record))),
    el("details", { class: "raw" }, el("summary", {}, t("detail.subject")),
      el("div", { id: "subject" }, renderValue(a.subject))),
    ...ctx.caseParts(a),
    unmaskPart(a, ctx),
    decisionPart(a, ctx)];
  box.replaceChildren(...parts.flat(Infinity).filter(Boolean));
}

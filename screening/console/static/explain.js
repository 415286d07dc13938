"use strict";
// One alert explained in words: the scan and the record side by side with what
// disagrees said in a sentence, the score's arithmetic, and what the record asks.
import { ALPHA2 } from "/static/countries.js";
import { LANG, data, el, has, label, listOf, score2, t, when } from "/static/common.js";

const regions = typeof Intl.DisplayNames === "function"
  ? new Intl.DisplayNames([LANG], { type: "region" }) : null;

// "D" -> "Germany", "UTO" -> "Utopia (specimen)"; the code stays beside the name.
export function countryName(code) {
  if (code === null || code === undefined || code === "") return "";
  const c = String(code).toUpperCase().replace(/</g, "");
  if (has("country." + c)) return T_country(c);
  const a2 = ALPHA2[c];
  let name = null;
  try { name = a2 && regions ? regions.of(a2) : null; } catch (err) { name = null; }
  return name && name !== a2 ? `${name} (${c})` : c;
}
const T_country = (c) => `${t("country." + c)} (${c})`;

const norm = (s) => String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
  .toUpperCase().replace(/[^A-Z0-9\u0400-\u04FF\u0600-\u06FF]+/g, " ").trim();
const canonicalCountry = (c) => {
  const u = String(c || "").toUpperCase().replace(/</g, "");
  return u === "DEU" ? "D" : (u === "XKX" ? "RKS" : u);
};

function fullName(surname, given) {
  return [surname, given].filter(Boolean).join(" ");
}

// Dates of birth may be partial (1982, 1982-05): they agree on what both say.
function datesAgree(a, b) {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

function birthYear(value) {
  const m = /^(\d{4})/.exec(String(value || ""));
  return m ? m[1] : null;
}

// Each compared field: [key, scan value, record value, verdict]; verdict "agrees",
// "close" (a fuzzy match the score weighed), "differs" or "" (one side unknown).
function personRows(a) {
  const s = a.subject || {};
  const r = a.record || {};
  const hit = a.hit || {};
  const names = (r.names || []).map((n) => fullName(n.surname, n.given_names)).filter(Boolean);
  const scanName = fullName(s.surname, s.given_names);
  const rows = [];
  if (scanName || names.length) {
    const shown = hit.matched_alias || names[0] || "";
    let verdict = "";
    if (scanName && names.length) {
      if (names.some((n) => norm(n) === norm(scanName))) verdict = "agrees";
      else if ((hit.matched_on || []).includes("name")) verdict = "close";
      else verdict = "differs";
    }
    rows.push(["name", scanName, shown, verdict]);
  }
  if (s.date_of_birth || r.date_of_birth) {
    const verdict = s.date_of_birth && r.date_of_birth
      ? (datesAgree(String(s.date_of_birth), String(r.date_of_birth)) ? "agrees" : "differs") : "";
    rows.push(["date_of_birth", s.date_of_birth || "", r.date_of_birth || "", verdict]);
  }
  if (s.sex || r.sex) {
    const verdict = s.sex && r.sex && s.sex !== "X" && r.sex !== "X"
      ? (s.sex === r.sex ? "agrees" : "differs") : "";
    rows.push(["sex", s.sex ? label("sex.", s.sex) : "", r.sex ? label("sex.", r.sex) : "", verdict]);
  }
  const nats = (r.nationalities || []).map(canonicalCountry);
  if (s.nationality || nats.length) {
    const verdict = s.nationality && nats.length
      ? (nats.includes(canonicalCountry(s.nationality)) ? "agrees" : "differs") : "";
    rows.push(["nationality", countryName(s.nationality),
      (r.nationalities || []).map(countryName).join(", "), verdict]);
  }
  return rows;
}

function documentRows(a) {
  const s = a.subject || {};
  const r = a.record || {};
  const rows = [];
  const recordNumbers = r.document_number ? [r.document_number]
    : (r.documents || []).map((d) => d.number).filter(Boolean);
  if (s.document_number || recordNumbers.length) {
    const diff = a.document_difference;
    let verdict = "";
    if (diff) verdict = "close";
    else if (s.document_number && recordNumbers.includes(s.document_number)) verdict = "agrees";
    rows.push(["document_number", s.document_number || "", recordNumbers.join(", "), verdict]);
  }
  const recordStates = r.issuing_state ? [r.issuing_state]
    : (r.documents || []).map((d) => d.issuing_state).filter(Boolean);
  if (s.issuing_state || recordStates.length) {
    const verdict = s.issuing_state && recordStates.length
      ? (recordStates.map(canonicalCountry).includes(canonicalCountry(s.issuing_state))
        ? "agrees" : "differs") : "";
    rows.push(["issuing_state", countryName(s.issuing_state),
      [...new Set(recordStates)].map(countryName).join(", "), verdict]);
  }
  return rows;
}

function vehicleRows(a) {
  const s = a.subject || {};
  const r = a.record || {};
  return ["plate", "vin", "plate_country", "make", "model", "colour"]
    .filter((k) => s[k] || r[k])
    .map((k) => {
      const country = k === "plate_country";
      const sv = country ? countryName(s[k]) : (s[k] || "");
      const rv = country ? countryName(r[k]) : (r[k] || "");
      let verdict = "";
      if (s[k] && r[k]) {
        const same = country ? canonicalCountry(s[k]) === canonicalCountry(r[k]) : norm(s[k]) === norm(r[k]);
        verdict = same ? "agrees" : ((a.hit.matched_on || []).includes(k) ? "close" : "differs");
      }
      return [k, sv, rv, verdict];
    });
}

export const isVehicle = (a) => a.hit.list === "smv" || a.scan_kind === "vehicle" ||
  (a.record && a.record.subject === "vehicle");

export function comparedRows(a) {
  return isVehicle(a) ? vehicleRows(a) : [...personRows(a), ...documentRows(a)];
}

// "The traveller is a woman born in 1997; the notice is for a man born in 1982."
function who(sex, dob) {
  const year = birthYear(dob);
  const kind = ["F", "M"].includes(sex) ? sex : "X";
  return year ? t(`who.${kind}_born`, { year }) : t(`who.${kind}`);
}

export function mismatchWords(a, rows) {
  const differs = rows.filter((r) => r[3] === "differs").map((r) => r[0]);
  if (!differs.length) return null;
  const s = a.subject || {};
  const r = a.record || {};
  const sentences = [];
  if (!isVehicle(a) && (differs.includes("sex") || differs.includes("date_of_birth"))) {
    sentences.push(t("mismatch.persons", {
      scan: who(s.sex, s.date_of_birth),
      record: who(r.sex, r.date_of_birth),
      list: label("record_noun.", a.hit.list),
    }));
  }
  sentences.push(t("mismatch.fields", {
    fields: listOf(differs.map((k) => label("field.", k).toLocaleLowerCase(LANG))),
  }));
  return sentences.join(" ");
}

// A document number with the characters that differ from the other side marked.
function markedNumber(text, positions) {
  const chars = [...String(text)];
  // Left to right in Arabic too: a number of digits and stars has no direction of its own.
  return el("span", { class: "marked-number", dir: "ltr" }, chars.map((c, i) =>
    (positions.includes(i) ? el("mark", { class: "differs-char" }, c) : c)));
}

function cell(key, value, a, side) {
  const diff = a.document_difference;
  if (key === "document_number" && diff) {
    return markedNumber(side === "scan" ? diff.scanned : diff.listed, diff.positions);
  }
  return value === "" ? el("span", { class: "unknown" }, t("compare.unknown")) : data(value);
}

export function sideBySide(a) {
  const rows = comparedRows(a);
  if (!rows.length) return null;
  const words = mismatchWords(a, rows);
  const table = el("table", { class: "compare", id: "compare" },
    el("thead", {}, el("tr", {}, el("th", {}, ""),
      el("th", { scope: "col" }, t(isVehicle(a) ? "compare.vehicle" : "compare.traveller")),
      el("th", { scope: "col" }, t("compare.record")),
      el("th", { scope: "col" }, ""))),
    el("tbody", {}, rows.map(([key, sv, rv, verdict]) => el("tr", {
      class: verdict ? "v-" + verdict : "", "data-field": key, "data-verdict": verdict || "unknown",
    },
    el("th", { scope: "row" }, label("field.", key)),
    el("td", {}, cell(key, sv, a, "scan")),
    el("td", {}, cell(key, rv, a, "record")),
    el("td", { class: "verdict" }, verdict ? t("verdict." + verdict) : "")))));
  const diff = a.document_difference;
  return el("div", { class: "side-by-side" },
    words ? el("p", { class: "mismatch", id: "mismatch", role: "note" }, words) : null,
    table,
    diff ? el("p", { class: "hint", id: "doc-diff" }, t("compare.doc_diff", {
      positions: listOf(diff.positions.map((p) => String(p + 1))),
    })) : null);
}

// "Name 0.96 − date of birth given as a year or month 0.05 + nationality agrees 0.02 = 0.93"
export function scoreArithmetic(hit) {
  const pens = hit.penalties || [];
  const bons = hit.bonuses || [];
  const sum = (xs) => xs.reduce((acc, x) => acc + Number(x.amount), 0);
  let start;
  let startLabel;
  if (hit.name_similarity !== null && hit.name_similarity !== undefined) {
    start = Number(hit.name_similarity);
    startLabel = t("score.name");
  } else {
    start = Number(hit.score) + sum(pens) - sum(bons);
    const first = (hit.matched_on || [])[0];
    startLabel = has("score.base." + first) ? t("score.base." + first) : t("score.base");
  }
  const raw = start - sum(pens) + sum(bons);
  const parts = [el("span", { class: "term" }, `${startLabel} ${score2(start)}`)];
  pens.forEach((p) => parts.push(" − ", el("span", { class: "term pen", "data-reason": p.reason },
    `${reasonWords(p.reason)} ${score2(p.amount)}`)));
  bons.forEach((b) => parts.push(" + ", el("span", { class: "term bon", "data-reason": b.reason },
    `${reasonWords(b.reason)} ${score2(b.amount)}`)));
  parts.push(" = ", el("strong", {}, score2(Math.max(0, raw))));
  if (raw > 1.0001) parts.push(" ", t("score.capped", { score: score2(1) }));
  return el("p", { class: "arithmetic", id: "score-sum" }, parts);
}

export const reasonWords = (code) => (has("why." + code) ? t("why." + code)
  : t("why.other", { code: String(code).replace(/_/g, " ") }));

export function reasonList(items, sign) {
  if (!items || !items.length) return t("detail.no_penalties");
  return el("ul", { class: "values" }, items.map((p) => el("li", { "data-reason": p.reason },
    `${reasonWords(p.reason)} ${sign}${score2(p.amount)}`)));
}

// What the record itself asks, and its caveats: its action, its owner, how long it holds.
export function recordAsks(a) {
  const heading = t("asks.title." + (isVehicle(a) ? "vehicle" : (a.hit.list === "sltd" ? "document" : "person")));
  const lines = [];
  if (a.action) lines.push(el("p", { class: "what-to-do", id: "what-to-do", "data-action": a.action },
    label("asks.action.", a.action)));
  else lines.push(el("p", { class: "what-to-do none", id: "what-to-do", "data-action": "" },
    t("asks.no_action", { instruction: label("instruction.", a.instruction || "REFER_SECONDARY") })));
  const caveats = [];
  if (a.owner) caveats.push(t("asks.owner", { owner: a.owner }));
  if (a.record && a.record.valid_until) {
    caveats.push(t("asks.valid_until", { time: when(Date.parse(a.record.valid_until)) }));
  }
  if (a.tier === "possible") caveats.push(t("tier.possible"));
  if (a.exercise) caveats.push(t("exercise.mark"));
  if (a.kind === "retroactive") caveats.push(t("asks.retroactive"));
  // What a notice of this colour is, as background: never the record's own request.
  if (a.hit.list === "notice" && has("action." + a.hit.category)) {
    caveats.push(t("asks.kind", { meaning: t("action." + a.hit.category) }));
  }
  caveats.push(t("lead"));
  return [el("h3", { id: "asks-title" }, heading), ...lines,
    el("ul", { class: "caveats", id: "caveats" }, caveats.map((c) => el("li", {}, c)))];
}

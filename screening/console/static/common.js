"use strict";
// What every part of the console page shares: its strings, its language's dates and
// numbers, and the one way to build elements. Alerts carry strings from scans, which an
// attacker controls: every value reaches the page through text nodes, never as HTML.
const body = document.body;

export const T = JSON.parse(body.dataset.strings);
export const LANG = body.dataset.lang;
export const CSRF = body.dataset.csrf;
export const ROLE = body.dataset.role;
export const ANALYST = body.dataset.analyst || "";
export const PRIORITIES = ["critical", "high", "medium", "low"];

export const has = (key) => Object.prototype.hasOwnProperty.call(T, key);

export function t(key, vars) {
  let text = has(key) ? T[key] : key;
  for (const [name, value] of Object.entries(vars || {})) {
    text = text.split("{" + name + "}").join(String(value));
  }
  return text;
}

// A code's words when the strings have them; else the code made readable, never bare.
export const label = (prefix, value) =>
  (has(prefix + value) ? T[prefix + value] : String(value).replace(/_/g, " "));
export const oneOf = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);

export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Values from scans keep their own direction inside Arabic text ("******2C3" stays so).
export const data = (value) => el("bdi", {}, value);

// Dates with the time and its zone, in the page's language.
const timeFmt = new Intl.DateTimeFormat(LANG, {
  dateStyle: "medium", timeStyle: "long",
});
export const when = (ms) => timeFmt.format(new Date(ms));
const num2 = new Intl.NumberFormat(LANG, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const score2 = (x) => num2.format(Number(x));
const listFmt = typeof Intl.ListFormat === "function"
  ? new Intl.ListFormat(LANG, { style: "long", type: "conjunction" }) : null;
export const listOf = (items) => (listFmt ? listFmt.format(items) : items.join(", "));

// An age as a timer: 4:07, 1:02:09.
export function age(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

// An error a person can read, in the page's language: never "Failed to fetch".
export class Refusal extends Error {
  constructor(status, reason) {
    super(reason || String(status));
    this.status = status;
  }
}

export const post = (path, bodyObj) => send("POST", path, bodyObj);
export const remove = (path) => send("DELETE", path, {});

async function send(method, path, bodyObj) {
  let resp;
  try {
    resp = await fetch(path, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
      body: JSON.stringify(bodyObj || {}),
    });
  } catch (err) {
    throw new Refusal(0, t("error.network"));
  }
  if (resp.status === 401) { location.assign("/login"); throw new Refusal(401, t("error.signed_out")); }
  const answer = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const refusal = new Refusal(resp.status, answer.error || t("error.status", { status: resp.status }));
    refusal.answer = answer;
    throw refusal;
  }
  answer.httpStatus = resp.status;
  return answer;
}

export async function getJson(path) {
  let resp;
  try {
    resp = await fetch(path, { credentials: "same-origin" });
  } catch (err) {
    throw new Refusal(0, t("error.network"));
  }
  if (resp.status === 401) { location.assign("/login"); throw new Refusal(401, t("error.signed_out")); }
  const answer = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Refusal(resp.status, answer.error || t("error.status", { status: resp.status }));
  return answer;
}

// 0: no answer at all; 502-504 and 503: the console or its broker is restarting.
export const worthRetrying = (err) => err instanceof Refusal && [0, 502, 503, 504].includes(err.status);

"use strict";
// Work that must survive a dropped connection or a reload: half-typed notes (drafts)
// and decisions tried while the console could not be reached (the outbox), kept in this
// browser's localStorage under the analyst's name and sent again until the server has
// answered them. A decision the server refused for a reason (a step already taken by
// someone else, a note missing) is not retried: the analyst is told why.
import { ANALYST, post, worthRetrying } from "/static/common.js";

const PREFIX = `scr.${ANALYST}.`;
const OUTBOX = PREFIX + "outbox";
const DRAFT = PREFIX + "draft.";
const RETRY_MS = 3000;
// Tries for an alert the console says it does not know (about a minute).
const UNKNOWN_TRIES = 20;

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (err) {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (err) { /* storage full or refused: the page still works, unkept */ }
}

export const draft = (alertId) => read(DRAFT + alertId, "");
export const keepDraft = (alertId, text) => write(DRAFT + alertId, text ? String(text) : null);

// Signing out leaves no notes behind on a shared machine.
export function forgetDrafts() {
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const key = localStorage.key(i);
    if (key && key.startsWith(DRAFT)) localStorage.removeItem(key);
  }
}

// Read once; kept in step with storage by save() (every row of the queue asks).
let kept = read(OUTBOX, []);
export const pending = () => kept;
export const pendingFor = (alertId) => kept.find((p) => p.alert_id === alertId) || null;

function save(items) {
  kept = items;
  write(OUTBOX, items.length ? items : null);
}

export class Outbox {
  // onChange(alertId, state, detail): "kept" (waiting to be sent), "sent" (answered),
  // "refused" (the server said no, with its reason).
  constructor(onChange) {
    this.onChange = onChange;
    this.timer = null;
    this.flushing = false;
  }

  // Sends one decision; kept and retried when the console cannot be reached.
  async send(item) {
    try {
      const answer = await post("/api/decisions", item);
      this.onChange(item.alert_id, "sent", answer);
      return answer;
    } catch (err) {
      if (!worthRetrying(err)) {
        this.onChange(item.alert_id, "refused", err);
        throw err;
      }
      save([...pending().filter((p) => p.alert_id !== item.alert_id),
        { ...item, kept_at: Date.now() }]);
      this.onChange(item.alert_id, "kept", err);
      this.schedule();
      return null;
    }
  }

  schedule() {
    if (this.timer === null && pending().length) {
      this.timer = setTimeout(() => { this.timer = null; this.flush(); }, RETRY_MS);
    }
  }

  // Every kept decision, oldest first; what cannot be reached yet stays for later.
  async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const item of pending()) {
        const body = { alert_id: item.alert_id, decision: item.decision, note: item.note };
        if (item.reason) body.reason = item.reason;
        try {
          const answer = await post("/api/decisions", body);
          save(pending().filter((p) => p.alert_id !== item.alert_id));
          this.onChange(item.alert_id, "sent", answer);
        } catch (err) {
          if (worthRetrying(err)) break;
          // A console that has just restarted may not have read the alert back yet.
          if (err.status === 404 && (item.unknown || 0) < UNKNOWN_TRIES) {
            save(pending().map((p) => (p.alert_id === item.alert_id
              ? { ...p, unknown: (p.unknown || 0) + 1 } : p)));
            continue;
          }
          save(pending().filter((p) => p.alert_id !== item.alert_id));
          this.onChange(item.alert_id, "refused", err);
        }
      }
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }
}

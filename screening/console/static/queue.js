"use strict";
// The work queue: alerts to do sorted by priority then age (oldest first), critical
// ones and confirmed hits pinned above the rest with live age timers, filters, and a
// count that says what the filters hide. The list below the pinned rows is virtualised
// (only the rows in view exist), so thousands of alerts stay smooth. One Tab stop for
// the whole list (roving tabindex); arrows or j/k move, Enter opens. While the pointer
// is over the list its rows do not move: new alerts wait behind an "N new" button.
import { PRIORITIES, age, data, el, label, oneOf, t, when } from "/static/common.js";

export const GROUP = {
  open: "open", acknowledged: "progress", verification_requested: "progress",
  confirmed: "progress", action_taken: "progress", not_confirmed: "decided",
  dismissed: "decided", closed: "decided", pending: "progress",
};
const PROMINENT = new Set(["confirmed", "action_taken"]);
const ROW_PX = 36;  // console.css: .queue tbody tr { height: 36px }
const OVERSCAN = 12;
const COLUMNS = 8;
const TIMES = { "15": 15, "60": 60, "240": 240, "1440": 1440 };

export const groupOf = (status) => GROUP[status] || "progress";

function subjectSummary(subject) {
  const s = subject || {};
  const parts = [s.surname, s.given_names, s.document_number, s.plate, s.vin, s.make, s.model];
  return parts.filter((p) => p !== undefined && p !== null && p !== "").join(" · ");
}

export class Queue {
  // ctx: alerts (Map), statusOf(id), siteOf(alert), isEscalated(alert), open(id),
  // extras(alert) -> [class names, a node for the status cell or null].
  constructor(ctx) {
    this.ctx = ctx;
    this.cursor = null;
    this.frozen = null;      // {pinned: ids, main: ids} while the pointer is over the list
    this.order = { pinned: [], main: [] };
    this.fresh = 0;          // alerts waiting behind the "N new" button
    this.caseSizes = new Map();
    this.queued = false;
    this.scroll = document.getElementById("queue-scroll");
    this.pinnedBody = document.getElementById("pinned-rows");
    this.pinnedScroll = document.getElementById("pinned");
    this.mainBody = document.getElementById("alert-rows");
    this.list = document.getElementById("queue");
    this.newButton = document.getElementById("new-rows");
    this.bind();
    setInterval(() => this.tick(), 1000);
  }

  bind() {
    ["f-state", "f-priority", "f-list", "f-site", "f-checkpoint", "f-time", "f-group"].forEach((id) =>
      document.getElementById(id).addEventListener("change", () => { this.frozen = null; this.schedule(); }));
    this.scroll.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.pinnedScroll.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.list.addEventListener("mouseenter", () => { this.frozen = { ...this.order }; });
    this.list.addEventListener("mouseleave", () => this.unfreeze());
    this.newButton.addEventListener("click", () => { this.unfreeze(); this.frozen = { ...this.order }; });
    this.list.addEventListener("keydown", (ev) => this.onKey(ev));
    this.list.addEventListener("focusin", (ev) => {
      const tr = ev.target.closest && ev.target.closest("tr[data-alert-id]");
      if (tr) this.cursor = tr.dataset.alertId;
    });
    // A row opens on the pointer's press, not its click: rows are rebuilt when alerts
    // arrive (up to four times a second), and a click whose press and release fall on
    // two builds of a row is no click at all (the analyst's click was lost).
    const openRow = (ev) => {
      const tr = ev.target.closest && ev.target.closest("tr[data-alert-id]");
      if (tr) { this.cursor = tr.dataset.alertId; this.ctx.open(tr.dataset.alertId); }
    };
    this.list.addEventListener("pointerdown", (ev) => { if (ev.button === 0) openRow(ev); });
    // Clicks without a pointer (assistive technology, a script's click()): detail 0.
    this.list.addEventListener("click", (ev) => { if (ev.detail === 0) openRow(ev); });
  }

  unfreeze() {
    this.frozen = null;
    this.render();
  }

  filters() {
    const v = (id) => document.getElementById(id).value;
    return { group: document.getElementById("f-group").checked, state: v("f-state"), priority: v("f-priority"), list: v("f-list"),
      site: v("f-site"), checkpoint: v("f-checkpoint"), time: TIMES[v("f-time")] || 0 };
  }

  passes(a, f, now) {
    const group = groupOf(this.ctx.statusOf(a.alert_id));
    const state = f.state === "todo" ? group !== "decided" : (!f.state || group === f.state);
    return state && (!f.priority || a.priority === f.priority) &&
      (!f.list || a.hit.list === f.list) &&
      (!f.checkpoint || a.checkpoint_id === f.checkpoint) &&
      (!f.site || this.ctx.siteOf(a) === f.site) &&
      (!f.time || now - a.raised_ms <= f.time * 60000);
  }

  pinned(a) {
    const status = this.ctx.statusOf(a.alert_id);
    return PROMINENT.has(status) || (a.priority === "critical" && groupOf(status) !== "decided");
  }

  compute() {
    const f = this.filters();
    const now = Date.now();
    const rank = (a) => PRIORITIES.indexOf(oneOf(a.priority, PRIORITIES, "low"));
    const all = [...this.ctx.alerts.values()];
    const matched = all.filter((a) => this.passes(a, f, now))
      .sort((x, y) => rank(x) - rank(y) || x.raised_ms - y.raised_ms);
    // One row per case: its most urgent alert stands for the case's other sightings.
    let listed = matched;
    this.caseSizes = new Map();
    if (f.group) {
      const seen = new Set();
      listed = matched.filter((a) => {
        if (!a.case_id) return true;
        this.caseSizes.set(a.case_id, (this.caseSizes.get(a.case_id) || 0) + 1);
        if (seen.has(a.case_id)) return false;
        seen.add(a.case_id);
        return true;
      });
    }
    const pinned = listed.filter((a) => this.pinned(a)).map((a) => a.alert_id);
    const main = listed.filter((a) => !this.pinned(a)).map((a) => a.alert_id);
    const todo = all.filter((a) => groupOf(this.ctx.statusOf(a.alert_id)) !== "decided");
    const shownTodo = matched.filter((a) => groupOf(this.ctx.statusOf(a.alert_id)) !== "decided");
    return { pinned, main, matched: matched.length, grouped: matched.length - listed.length, todo: todo.length,
      shownTodo: shownTodo.length, decided: all.length - todo.length, total: all.length,
      openCritical: todo.filter((a) => a.priority === "critical" &&
        this.ctx.statusOf(a.alert_id) === "open").length };
  }

  schedule() {
    if (!this.queued) {
      this.queued = true;
      requestAnimationFrame(() => { this.queued = false; this.render(); });
    }
  }

  render() {
    this.geometry = [this.pinnedScroll, this.scroll].map((n) => [n.scrollTop, this.heightOf(n)]);
    const hadFocus = this.list.contains(document.activeElement) &&
      document.activeElement.matches("tr[data-alert-id]");
    const c = this.compute();
    this.stats = c;
    if (this.frozen) {
      const known = new Set([...this.frozen.pinned, ...this.frozen.main]);
      this.fresh = [...c.pinned, ...c.main].filter((id) => !known.has(id)).length;
      const kept = (ids) => ids.filter((id) => this.ctx.alerts.has(id));
      this.order = { pinned: kept(this.frozen.pinned), main: kept(this.frozen.main) };
    } else {
      this.fresh = 0;
      this.order = { pinned: c.pinned, main: c.main };
    }
    this.newButton.hidden = this.fresh === 0;
    this.newButton.textContent = t("queue.new", { count: this.fresh });
    this.pinnedScroll.hidden = this.order.pinned.length === 0;
    this.pinnedScroll.dataset.count = String(this.order.pinned.length);
    this.renderRows();
    const count = document.getElementById("count");
    count.textContent = t("queue.count", { shown: c.shownTodo, total: c.todo }) +
      (c.todo - c.shownTodo ? " · " + t("queue.hidden", { count: c.todo - c.shownTodo }) : "") +
      (c.grouped ? " · " + t("queue.grouped", { count: c.grouped }) : "") +
      " · " + t("queue.decided", { count: c.decided }) +
      (this.ctx.leftOut() ? " · " + t("queue.left_out", { count: this.ctx.leftOut() }) : "");
    Object.assign(count.dataset, { shown: c.shownTodo, total: c.todo, hidden: c.todo - c.shownTodo,
      rows: this.order.pinned.length + this.order.main.length });
    document.getElementById("empty").hidden = c.matched > 0;
    if (hadFocus) this.focusCursor();
  }

  renderRows() {
    // Geometry read before any row is written: reading it after a write would make the
    // browser lay the page out again, once per read.
    const at = this.geometry ||
      [this.pinnedScroll, this.scroll].map((n) => [n.scrollTop, this.heightOf(n)]);
    this.geometry = null;
    this.window(at[0], this.pinnedBody, this.order.pinned);
    this.window(at[1], this.mainBody, this.order.main);
    // One Tab stop: the cursor's row, or the first shown when the cursor is not in view.
    const all = this.list.querySelectorAll("tr[data-alert-id]");
    if (all.length && ![...all].some((tr) => tr.tabIndex === 0)) all[0].tabIndex = 0;
  }

  // The rows of `ids` in view of `scroller` (and a margin), spacers for the rest.
  window([scrollTop, view], tbody, ids) {
    const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
    const last = Math.min(ids.length, first + Math.ceil(view / ROW_PX) + 2 * OVERSCAN);
    const spacer = (n, name) => {
      if (n <= 0) return null;
      const td = el("td", { colSpan: COLUMNS });
      td.style.height = `${n * ROW_PX}px`;  // the CSSOM: the page's CSP allows no style attribute
      return el("tr", { class: "spacer", "aria-hidden": "true", "data-spacer": name }, td);
    };
    const rows = ids.slice(first, last).map((id) => this.row(id, id === this.cursor));
    tbody.replaceChildren(...[spacer(first, "top"), ...rows, spacer(ids.length - last, "bottom")]
      .filter(Boolean));
  }

  // A scroller's height, kept from the last time it changed size (no layout to ask).
  heightOf(node) {
    if (!this.heights) {
      this.heights = new Map();
      this.resized = new ResizeObserver((entries) => entries.forEach((e) =>
        this.heights.set(e.target, e.contentRect.height)));
      [this.pinnedScroll, this.scroll].forEach((n) => this.resized.observe(n));
    }
    return this.heights.get(node) || window.innerHeight;
  }

  row(id, isCursor) {
    const a = this.ctx.alerts.get(id);
    const priority = oneOf(a.priority, PRIORITIES, "low");
    const status = this.ctx.statusOf(id);
    const [extraClasses, statusNode] = this.ctx.extras(a);
    const classes = [`prio-${priority}`, `group-${groupOf(status)}`, ...extraClasses];
    if (groupOf(status) === "decided") classes.push("decided");
    if (PROMINENT.has(status)) classes.push("prominent");
    if (id === this.ctx.selected()) classes.push("selected");
    if (this.ctx.isEscalated(a)) classes.push("escalated");
    if (a.exercise) classes.push("exercise");
    if (a.tier === "possible") classes.push("possible");
    return el("tr", {
      class: classes.join(" "), tabIndex: isCursor ? 0 : -1,
      "data-alert-id": id, "data-priority": priority, "data-status": status,
      "data-escalated": a.escalated_at ? "1" : "0", "aria-selected": id === this.ctx.selected() ? "true" : "false",
    },
    el("td", { class: "age", "data-raised": String(a.raised_ms), title: when(a.raised_ms) }, age(Date.now() - a.raised_ms)),
    el("td", {}, el("span", { class: `badge prio-${priority}` }, label("priority.", priority)),
      a.exercise ? el("span", { class: "badge exercise" }, t("exercise.mark")) : null),
    el("td", {}, label("category.", a.hit.category)),
    el("td", { class: "instruction" }, label("instruction.", a.instruction || "REFER_SECONDARY")),
    el("td", {}, data(subjectSummary(a.subject)),
      this.caseSizes.get(a.case_id) > 1
        ? el("span", { class: "badge case", "data-case-size": String(this.caseSizes.get(a.case_id)) },
          t("queue.case_size", { count: this.caseSizes.get(a.case_id) })) : null),
    el("td", {}, data(a.checkpoint_id)),
    el("td", {}, Number(a.hit.score).toFixed(2)),
    el("td", { class: `status-${status}` }, label("status.", status), statusNode));
  }

  tick() {
    const now = Date.now();
    this.list.querySelectorAll("td.age").forEach((td) => {
      td.textContent = age(now - Number(td.dataset.raised));
    });
  }

  ids() { return [...this.order.pinned, ...this.order.main]; }

  rowOf(id) {
    return id === null ? null : this.list.querySelector(`tr[data-alert-id="${CSS.escape(id)}"]`);
  }

  // Moves the cursor to `id`, scrolling the virtual list to it, and focuses its row.
  moveTo(id) {
    if (id === null || id === undefined) return;
    this.cursor = id;
    for (const [scroller, ids] of [[this.pinnedScroll, this.order.pinned], [this.scroll, this.order.main]]) {
      const i = ids.indexOf(id);
      if (i < 0) continue;
      const top = i * ROW_PX;
      const view = scroller.clientHeight;
      if (top < scroller.scrollTop) scroller.scrollTop = top;
      else if (top + ROW_PX > scroller.scrollTop + view) scroller.scrollTop = top + ROW_PX - view;
    }
    this.renderRows();
    this.focusCursor();
  }

  focusCursor() {
    let tr = this.rowOf(this.cursor);
    if (!tr) {
      const ids = this.ids();
      if (!ids.length) return;
      this.cursor = ids[0];
      this.renderRows();
      tr = this.rowOf(this.cursor);
    }
    if (!tr) return;
    this.list.querySelectorAll("tr[tabindex='0']").forEach((r) => { r.tabIndex = -1; });
    tr.tabIndex = 0;
    tr.focus({ preventScroll: true });
  }

  onKey(ev) {
    if (!ev.target.matches("tr[data-alert-id]") || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const ids = this.ids();
    const i = Math.max(0, ids.indexOf(this.cursor));
    const go = (j) => { ev.preventDefault(); this.moveTo(ids[Math.max(0, Math.min(ids.length - 1, j))]); };
    switch (ev.key) {
      case "ArrowDown": case "j": go(i + 1); break;
      case "ArrowUp": case "k": go(i - 1); break;
      case "PageDown": go(i + 10); break;
      case "PageUp": go(i - 10); break;
      case "Home": go(0); break;
      case "End": go(ids.length - 1); break;
      case "Enter": case " ":
        ev.preventDefault();
        this.ctx.open(this.cursor, true);
        break;
      case ".":
        ev.preventDefault();
        this.unfreeze();
        this.focusCursor();
        break;
      default:
    }
  }
}

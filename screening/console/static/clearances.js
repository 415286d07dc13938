"use strict";
// Supervisors: the namesake clearances in force, each revocable.
import { data, el, getJson, label, post, t, when } from "/static/common.js";

export async function showClearances() {
  const box = document.getElementById("clearances");
  box.hidden = false;
  box.replaceChildren(el("p", {}, t("decide.sending")));
  try {
    const listed = await getJson("/api/clearances");
    const rows = listed.clearances.map((c) => {
      const revoke = el("button", { type: "button", class: "revoke" }, t("clear.revoke"));
      revoke.addEventListener("click", async () => {
        revoke.disabled = true;
        try { await post("/api/clearances/revoke", { field: c.field }); showClearances(); } catch (err) {
          revoke.disabled = false;
        }
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

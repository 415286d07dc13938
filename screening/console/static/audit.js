"use strict";
// The auditor view: searches of the audit trail. Records hold ids and keyed digests,
// never the searched values; every value reaches the page as text, never as HTML.
(() => {
  const body = document.body;
  const T = JSON.parse(body.dataset.strings);
  const CSRF = body.dataset.csrf;
  const FIELDS = ["document", "state", "name", "dob", "vin", "plate", "country", "actor",
    "from", "to"];
  const $ = (id) => document.getElementById(id);
  const t = (key, vars) => {
    let text = Object.prototype.hasOwnProperty.call(T, key) ? T[key] : key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  };
  const cell = (value) => {
    const td = document.createElement("td");
    const bdi = document.createElement("bdi");
    bdi.textContent = value === undefined || value === null ? "" : String(value);
    td.append(bdi);
    return td;
  };

  function row(r) {
    const actor = r.actor || {};
    const tr = document.createElement("tr");
    tr.dataset.auditId = r.audit_id || "";
    tr.dataset.action = r.action || "";
    const who = `${actor.kind || "?"} ${actor.id || "?"}` +
      (actor.principal ? ` (${actor.principal})` : "");
    const where = [r.site, r.checkpoint_id].filter(Boolean).join(" / ");
    const subject = [r.event_id, r.alert_id, r.ref].filter(Boolean).join(" · ");
    const kinds = [...new Set((r.query_digests || []).map((d) => d.split(":")[0]))].sort();
    tr.append(cell(r.at), cell(r.action), cell(who), cell(where), cell(subject),
      cell(r.outcome || r.reason || ""), cell(kinds.join(", ")));
    return tr;
  }

  $("audit-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const criteria = {};
    for (const name of FIELDS) {
      const value = $("a-" + name).value.trim();
      if (value) criteria[name] = value;
    }
    const status = $("a-status");
    status.dataset.state = "searching";
    status.textContent = t("audit.searching");
    $("a-search").disabled = true;
    try {
      const resp = await fetch("/api/audit", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
        body: JSON.stringify(criteria),
      });
      if (resp.status === 401) { location.assign("/login"); return; }
      const data = await resp.json().catch(() => ({}));
      if (!resp.ok) throw new Error(data.error || String(resp.status));
      $("audit-rows").replaceChildren(...data.records.map(row));
      status.dataset.state = "done";
      status.textContent = t("audit.found", { matched: data.matched, shown: data.shown });
    } catch (err) {
      status.dataset.state = "failed";
      status.textContent = t("audit.failed", { reason: err.message });
    } finally {
      $("a-search").disabled = false;
    }
  });
})();

// The edge's local alerts page: GET /v1/alerts with a supervisor's token, every 2 s.
// The token stays in this tab's session storage; values are shown as text, never HTML.
"use strict";
const rows = new Map();

function cell(tr, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  tr.appendChild(td);
}

function show(alert) {
  const tr = document.createElement("tr");
  tr.className = alert.priority;
  cell(tr, alert.raised_at);
  cell(tr, alert.priority);
  cell(tr, alert.hit && alert.hit.list + " " + (alert.hit.category || ""));
  cell(tr, alert.checkpoint_id);
  cell(tr, alert.terminal_id);
  cell(tr, alert.instruction);
  cell(tr, alert.reference);
  cell(tr, alert.forwarded ? "yes" : "not yet");
  const old = rows.get(alert.alert_id);
  const body = document.getElementById("alerts");
  if (old) body.replaceChild(tr, old); else body.insertBefore(tr, body.firstChild);
  rows.set(alert.alert_id, tr);
}

async function poll() {
  const token = sessionStorage.getItem("edge-token");
  if (!token) return;
  const state = document.getElementById("state");
  try {
    // From the start each time, page by page: "forwarded" changes on alerts shown.
    let since = 0;
    for (;;) {
      const resp = await fetch("/v1/alerts?since=" + since,
                               {headers: {Authorization: "Bearer " + token}});
      const body = await resp.json();
      if (!resp.ok) { state.textContent = body.code + ": " + body.message; return; }
      body.alerts.forEach(show);
      if (!body.alerts.length) break;
      since = body.next;
    }
    state.textContent = rows.size + " alert(s); updated " + new Date().toLocaleTimeString();
  } catch (e) {
    state.textContent = "the edge does not answer";
  }
}

document.getElementById("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("edge-token", document.getElementById("token").value);
  poll();
});
poll();
setInterval(poll, 2000);

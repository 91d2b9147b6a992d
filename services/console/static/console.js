// Seat Copilot console: one EventSource, every view kept per call, rendered for the selected call.
"use strict";

const state = { calls: new Map(), selected: null, managerAlerts: [], managerReports: new Map() };

function call(id) {
  if (!state.calls.has(id)) {
    state.calls.set(id, { id, scenario: "", operator: "", team: "", status: "live", transcript: [],
      suggestions: [], alerts: [], summaries: [], lastIntent: "" });
  }
  return state.calls.get(id);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function badge(label) { return el("span", "badge " + label, label); }

function receive(view) {
  if (view.kind === "manager_report") {
    state.managerReports.set(view.team_id || "unassigned", view);
    scheduleRender();
    return;
  }
  const c = call(view.call_id);
  c.scenario = view.scenario || c.scenario;
  c.operator = view.operator_id || c.operator;
  c.team = view.team_id || c.team;
  if (view.kind === "transcript") {
    c.transcript.push(view);
    const status = { CALL_ENDED: "ended", HOLD: "on hold", RESUME: "live", TRANSFER: "transferred" }[view.type];
    if (status) c.status = status;
  } else if (view.kind === "suggestion") {
    c.suggestions.push(view);
    c.lastIntent = view.intent || c.lastIntent;
  } else if (view.kind === "alert") {
    c.alerts.push(view);
    if ((view.audiences || []).includes("MANAGER")) state.managerAlerts.push(view);
  } else {
    c.summaries.push(view);
  }
  if (!state.selected) state.selected = view.call_id;
  scheduleRender();
}

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function renderCalls() {
  const list = document.getElementById("calls");
  list.replaceChildren(...[...state.calls.values()].map((c) => {
    const item = el("li", c.id === state.selected ? "selected" : "");
    item.dataset.callId = c.id;
    item.append(el("div", "", c.id), el("div", "meta", `${c.scenario} · ${c.operator} · ${c.status}` +
      (c.alerts.length ? ` · ${c.alerts.length} alert(s)` : "")));
    item.onclick = () => { state.selected = c.id; render(); };
    return item;
  }));
}

function suggestionCard(s) {
  const card = el("li", "suggestion");
  card.dataset.verdict = s.compliance.verdict;
  card.append(badge(s.compliance.verdict), el("strong", "", `#${s.seq} ${s.intent.replaceAll("_", " ")}`));
  const text = s.compliance.verdict === "BLOCKED" ? "Blocked by compliance: nothing to say from this draft." : s.text;
  card.append(el("div", "text", text));
  const notes = [];
  if (s.compliance.rule_ids.length) notes.push("rules: " + s.compliance.rule_ids.join(", "));
  if (s.backend === "SCRIPTED") notes.push("scripted line (" + s.fallback_reason.replaceAll("_", " ") + ")");
  if (s.degraded) notes.push("knowledge unavailable");
  if (s.sources.length) notes.push("sources: " + s.sources.map((x) => `${x.title} (${x.source} v${x.version})`).join("; "));
  if (notes.length) card.append(el("div", "sources", notes.join(" · ")));
  return card;
}

function alertCard(a) {
  const card = el("li", "alert");
  card.append(badge(a.severity), el("strong", "", a.rule_ids.join(", ")), el("div", "", a.text));
  if (a.fix) card.append(el("div", "fix", "Fix: " + a.fix));
  return card;
}

function summaryCard(s) {
  const card = el("li", "summary");
  card.append(el("strong", "", s.kind === "handover_summary" ? "Handover summary" : "Wrap-up"),
    el("div", "", s.text));
  if (window.SeatWrapup) window.SeatWrapup.decorate(card, s);
  return card;
}

function renderOperator() {
  const c = state.calls.get(state.selected);
  document.getElementById("call-header").textContent = c
    ? `${c.id} — ${c.scenario} — operator ${c.operator} (${c.team}) — ${c.status}` : "Select a call";
  if (!c) return;
  document.getElementById("transcript").replaceChildren(...c.transcript.map((t) => t.type === "UTTERANCE"
    ? el("li", t.speaker, `${t.speaker === "CUSTOMER" ? "Customer" : "Operator"}: ${t.text}`)
    : el("li", "lifecycle", t.type.replaceAll("_", " ").toLowerCase() +
      (t.type === "TRANSFER" ? ` to ${t.transfer_to_role.toLowerCase()}` : ""))));
  document.getElementById("suggestions").replaceChildren(...c.suggestions.slice().reverse().map(suggestionCard));
  document.getElementById("alerts").replaceChildren(...c.alerts.slice().reverse().map(alertCard));
  document.getElementById("summaries").replaceChildren(...c.summaries.slice().reverse().map(summaryCard));
}

function renderManager() {
  const rows = [...state.calls.values()].map((c) => {
    const row = el("tr", c.alerts.length ? "has-alerts" : "");
    const rules = [...new Set(c.alerts.flatMap((a) => a.rule_ids))].join(", ");
    [c.id, c.scenario, c.operator, c.team, c.status, c.lastIntent, c.suggestions.length, c.alerts.length, rules]
      .forEach((v) => row.append(el("td", "", String(v))));
    row.onclick = () => { state.selected = c.id; show("operator"); };
    return row;
  });
  document.querySelector("#floor tbody").replaceChildren(...rows);
  document.getElementById("manager-alerts").replaceChildren(...state.managerAlerts.slice().reverse().map(alertCard));
  if (window.SeatManager) window.SeatManager.render(state.managerReports);
}

function render() { renderCalls(); renderOperator(); renderManager(); }

function show(view) {
  document.querySelectorAll(".view").forEach((v) => v.classList.toggle("hidden", v.id !== view));
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.dataset.view === view));
  render();
}
document.querySelectorAll(".tab").forEach((t) => { t.onclick = () => show(t.dataset.view); });

function setConnection(label, className) {
  const node = document.getElementById("connection");
  node.textContent = label;
  node.className = "conn " + className;
}

function connect() {
  // EventSource resends Last-Event-ID on reconnect, so no event is lost while the link was down.
  const source = new EventSource("/api/events");
  source.onopen = () => setConnection("live", "conn-live");
  source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…",
    source.readyState === EventSource.CLOSED ? "conn-down" : "conn-connecting");
  for (const kind of ["transcript", "suggestion", "alert", "handover_summary", "wrapup_summary", "manager_report"]) {
    source.addEventListener(kind, (message) => receive(JSON.parse(message.data)));
  }
}
connect();

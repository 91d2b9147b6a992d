// Manager summaries from the summarizer (per team and per operator) and alert quality, for console.js's manager tab.
"use strict";

function reportCell(text) {
  const cell = document.createElement("td");
  cell.textContent = String(text);
  return cell;
}

function percent(value) { return `${Math.round((value || 0) * 100)}%`; }

function reportRow(group) {
  const row = document.createElement("tr");
  const rules = Object.entries(group.rule_counts || {}).map(([rule, n]) => `${rule} ×${n}`).join(", ");
  [group.scope, group.id, group.calls, `${Math.round(group.handle_time_s_mean || 0)} s`,
    `${group.conversions}/${group.sales_calls} (${percent(group.conversion_rate)})`,
    `${group.promises_to_pay}/${group.collections_calls} (${percent(group.promise_rate)})`,
    group.compliance_events, rules, (group.coaching_notes || []).join(" · ")]
    .forEach((value) => row.append(reportCell(value)));
  return row;
}

function qualityRow(rule) {
  const row = document.createElement("tr");
  row.dataset.rule = rule.rule_id;
  [rule.rule_id, rule.alerts, rule.not_a_violation, percent(rule.false_alarm_rate)]
    .forEach((value) => row.append(reportCell(value)));
  return row;
}

// Alerts per call and each rule's false-alarm rate (operators' "not a violation"), worst rule first.
async function loadAlertQuality(api) {
  const response = await api("/api/manager/alert-quality");
  if (!response.ok) return;
  const quality = await response.json();
  const perCall = quality.alerts_per_call === null ? "–" : quality.alerts_per_call.toFixed(2);
  document.getElementById("alert-quality-summary").textContent =
    `${quality.alerts} alert(s) on ${quality.calls} call(s): ${perCall} per call; ` +
    `${quality.not_a_violation} marked not a violation.`;
  document.querySelector("#alert-quality tbody").replaceChildren(...quality.rules.map(qualityRow));
}

// One line per ended call: the summarizer's manager note, composed from the call's state.
function callNoteItem(note) {
  const item = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = `${note.call_id} · ${note.operator_id}`;
  item.append(who, document.createTextNode(` ${note.text}`));
  if ((note.compliance_rule_ids || []).length) item.classList.add("flagged");
  return item;
}

window.SeatManager = {
  // Fetches the latest report of each team the signed-in manager may see and renders one row per group.
  async load(api) {
    loadAlertQuality(api);
    const response = await api("/api/manager/reports");
    if (!response.ok) return;
    const body = document.querySelector("#manager-reports tbody");
    const reports = (await response.json()).reports;
    const rows = reports.flatMap((report) => [...(report.teams || []), ...(report.operators || [])]).map(reportRow);
    body.replaceChildren(...rows);
    const notes = reports.flatMap((report) => report.call_notes || []).map(callNoteItem);
    document.querySelector("#manager-call-notes").replaceChildren(...notes);
  },
};

// Wrap-up review (accept or edit, sent as training feedback) and manager reports, for console.js.
"use strict";

function summaryElement(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function sendFeedback(callId, body, status) {
  status.textContent = "sending…";
  try {
    const response = await fetch(`/api/wrapups/${encodeURIComponent(callId)}/feedback`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const reply = await response.json();
    status.textContent = response.ok ? `${body.action === "accept" ? "accepted" : "edit saved"} (${reply.disposition})`
      : `not saved: ${reply.error}`;
    return response.ok;
  } catch (error) {
    status.textContent = "not saved: the console is unreachable";
    return false;
  }
}

function editor(s, status) {
  const form = summaryElement("form", "wrapup-edit hidden");
  const text = summaryElement("textarea");
  text.value = s.text;
  text.rows = 6;
  text.setAttribute("aria-label", "wrap-up text");
  const disposition = summaryElement("input");
  disposition.value = s.disposition;
  disposition.setAttribute("aria-label", "disposition");
  const actions = summaryElement("textarea");
  actions.value = (s.next_actions || []).join("\n");
  actions.rows = 3;
  actions.setAttribute("aria-label", "next actions, one a line");
  const save = summaryElement("button", "", "Save edit");
  save.type = "submit";
  form.append(text, disposition, actions, save);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const body = { action: "edit", text: text.value, disposition: disposition.value,
      next_actions: actions.value.split("\n").map((a) => a.trim()).filter(Boolean) };
    if (await sendFeedback(s.call_id, body, status)) form.classList.add("hidden");
  };
  return form;
}

window.SeatWrapup = {
  // Adds the disposition, the review buttons and the unverified model sentences to a wrap-up card.
  decorate(card, s) {
    if (s.unverified_sentences && s.unverified_sentences.length) {
      card.append(summaryElement("div", "sources",
        `${s.unverified_sentences.length} model sentence(s) not shown: not found in the call`));
    }
    if (s.kind !== "wrapup_summary") return;
    const status = summaryElement("span", "sources", s.feedback ? `reviewed: ${s.feedback.action}` : "");
    const accept = summaryElement("button", "", "Accept");
    const edit = summaryElement("button", "", "Edit");
    const form = editor(s, status);
    accept.onclick = () => sendFeedback(s.call_id, { action: "accept" }, status);
    edit.onclick = () => form.classList.toggle("hidden");
    const row = summaryElement("div", "wrapup-review");
    row.append(summaryElement("strong", "", `Disposition: ${s.disposition}`), accept, edit, status);
    card.append(row, form);
  },
};

function percent(value) { return `${Math.round((value || 0) * 100)}%`; }

function reportRow(group) {
  const row = summaryElement("tr");
  const rules = Object.entries(group.rule_counts || {}).map(([rule, n]) => `${rule} ×${n}`).join(", ");
  [group.scope, group.id, group.calls, `${Math.round(group.handle_time_s_mean || 0)} s`,
    `${group.conversions}/${group.sales_calls} (${percent(group.conversion_rate)})`,
    `${group.promises_to_pay}/${group.collections_calls} (${percent(group.promise_rate)})`,
    group.compliance_events, rules, (group.coaching_notes || []).join(" · ")]
    .forEach((value) => row.append(summaryElement("td", "", String(value))));
  return row;
}

window.SeatManager = {
  // One row per team and per operator, from the latest report of each team.
  render(reports) {
    const body = document.querySelector("#manager-reports tbody");
    if (!body) return;
    const rows = [];
    for (const report of reports.values()) {
      for (const group of [...(report.teams || []), ...(report.operators || [])]) rows.push(reportRow(group));
    }
    body.replaceChildren(...rows);
  },
};

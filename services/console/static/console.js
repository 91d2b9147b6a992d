// Seat Copilot console: sign in, one EventSource, every view kept per call, rendered for the selected call.
"use strict";

const state = { calls: new Map(), selected: null, managerAlerts: [], me: null, token: null, source: null,
  lastEventId: 0, reconnectDelay: 1000, reconnectTimer: null };
const KIND_EVENTS = ["transcript", "suggestion", "alert", "compliance_state", "handover_summary", "wrapup_summary",
  "coaching_note", "feedback", "live"];
const RECONNECT_MAX_MS = 15000;

// ---- helpers -------------------------------------------------------------------------------------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
function badge(label) { return el("span", "badge " + label, label); }
async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", ...(state.token ? { Authorization: "Bearer " + state.token } : {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) { signOut("Your session has expired: sign in again."); throw new Error("401"); }
  return response;
}

// ---- sign in -------------------------------------------------------------------------------------
async function start() {
  const config = await (await fetch("/api/config")).json();
  document.getElementById("dev-login").classList.toggle("hidden", !config.dev_login);
  state.token = sessionStorage.getItem("seatcopilot-token");
  if (state.token) { await enter(config); } else { showLogin(); }
  document.getElementById("dev-form").onsubmit = async (e) => {
    e.preventDefault();
    const body = { role: val("dev-role"), tenant: val("dev-tenant"), operator_id: val("dev-operator"), team: val("dev-team") };
    const response = await fetch("/api/dev/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json();
    if (!response.ok) { document.getElementById("login-error").textContent = data.error; return; }
    sessionStorage.setItem("seatcopilot-token", data.access_token);
    state.token = data.access_token;
    await enter(config);
  };
  document.getElementById("token-form").onsubmit = async (e) => {
    e.preventDefault();
    state.token = val("token-input").trim();
    sessionStorage.setItem("seatcopilot-token", state.token);
    await enter(config);
  };
  document.getElementById("logout").onclick = () => signOut("");
}
function val(id) { return document.getElementById(id).value; }
function showLogin() {
  document.getElementById("login").classList.remove("hidden");
  document.getElementById("app").classList.add("hidden");
  setConnection("signed out", "conn-down");
}
function signOut(message) {
  fetch("/api/session", { method: "DELETE" }).catch(() => null);  // drops the event stream's cookie
  sessionStorage.removeItem("seatcopilot-token");
  state.token = null;
  if (state.source) state.source.close();
  state.source = null;
  clearTimeout(state.reconnectTimer);
  state.lastEventId = 0;
  state.calls.clear();
  document.getElementById("login-error").textContent = message;
  document.getElementById("logout").classList.add("hidden");
  showLogin();
}
// The token travels in the Authorization header only; the event stream (EventSource sends no headers) is
// authenticated by the HttpOnly cookie that POST /api/session sets from it: no token in any URL.
function openSession() {
  return fetch("/api/session", { method: "POST", headers: { Authorization: "Bearer " + state.token } });
}
async function enter(config) {
  const response = await openSession();
  if (!response.ok) { signOut("That token was not accepted."); return; }
  state.me = await response.json();
  document.getElementById("who").textContent = `${state.me.role} ${state.me.operator_id || state.me.team || state.me.subject} · ${state.me.tenant}`;
  document.getElementById("dev-banner").classList.toggle("hidden", !config.dev_login);
  document.getElementById("logout").classList.remove("hidden");
  document.getElementById("login").classList.add("hidden");
  document.getElementById("app").classList.remove("hidden");
  show(state.me.role === "operator" ? "operator" : "manager");
  document.getElementById("view-manager").classList.toggle("hidden", state.me.role === "operator");
  connect();
  if (state.me.role !== "operator" && window.SeatIndicators) {
    SeatIndicators.load(api);
    setInterval(() => SeatIndicators.load(api), 5000);
  }
  if (state.me.role !== "operator" && window.SeatManager) { SeatManager.load(api); setInterval(() => SeatManager.load(api), 15000); }
}

// ---- state ---------------------------------------------------------------------------------------
function call(id) {
  if (!state.calls.has(id)) {
    state.calls.set(id, { id, scenario: "", operator: "", team: "", status: "live", transcript: [], suggestions: [],
      alerts: [], summaries: [], notes: [], lastIntent: "", stage: "", sentiment: "unknown", compliance: null, seen: new Set(), loaded: false });
    loadHistory(id);
  }
  return state.calls.get(id);
}
async function loadHistory(id) {
  // A call that becomes visible mid-way (a transferred call arriving) brings its history with it.
  const response = await api("/api/calls/" + encodeURIComponent(id));
  if (!response.ok) return;
  const data = await response.json();
  for (const event of data.events) receive(event, event.id);
  call(id).loaded = true;
}
function receive(view, id) {
  const c = call(view.call_id);
  if (id !== undefined) { if (c.seen.has(id)) return; c.seen.add(id); }
  c.scenario = view.scenario || c.scenario;
  c.operator = view.operator_id || c.operator;
  c.team = view.team_id || c.team;
  if (view.kind === "transcript") {
    c.transcript.push(view);
    const status = { CALL_ENDED: "ended", HOLD: "on hold", RESUME: "live", TRANSFER: "transferred" }[view.type];
    if (status) c.status = status;
  } else if (view.kind === "suggestion") {
    // Sentence by sentence: a partial card is replaced by its seq's next part (never by an earlier one).
    const index = c.suggestions.findIndex((s) => s.seq === view.seq && (s.partial || view.partial));
    if (index >= 0) {
      const before = c.suggestions[index];
      if ((view.part || 1) <= (before.part || 1)) return;
      view.shownAt = before.shownAt;
      if (view.text.startsWith(before.text)) revealed.set(view, revealed.get(before) || 0);
      c.suggestions[index] = view;
    } else {
      view.shownAt = Date.now();
      c.suggestions.push(view);
    }
    c.lastIntent = view.intent || c.lastIntent;
  } else if (view.kind === "alert") {
    c.alerts.push(view);
    if ((view.audiences || []).includes("MANAGER")) state.managerAlerts.push(view);
  } else if (view.kind === "coaching_note") {
    c.notes.push(view);
  } else if (view.kind === "live") {
    c.stage = view.stage;
    c.lastIntent = view.intent || c.lastIntent;
    c.sentiment = view.sentiment;
  } else if (view.kind === "feedback") {
    if (view.subject === "wrapup") c.wrapupDone = view.seq;
    const acted = c.suggestions.find((s) => s.seq === view.seq);
    if (view.subject === "suggestion" && acted) acted.action = view.action;
    const alert = c.alerts.find((a) => a.seq === view.seq && a.rule_ids[0] === view.rule_id);
    if (view.subject === "alert" && alert) alert.dismissed = true;
  } else if (view.kind === "compliance_state") {
    c.compliance = view;  // the latest state replaces the earlier ones
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

// ---- operator view -------------------------------------------------------------------------------
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
// Steered text is revealed word by word (it has its verdict already: nothing unchecked is ever shown).
// The whole text sits invisibly under the revealed part, so the card has its final size from the first
// word and nothing below it moves while the words come in.
const revealed = new WeakMap();
function typewriter(node, view) {
  const words = view.text.split(" ");
  const shown = el("span", "shown");
  node.replaceChildren(el("span", "sizer", view.text), shown);
  let count = revealed.get(view) || 0;
  shown.textContent = words.slice(0, count).join(" ");
  if (count >= words.length) return;
  const timer = setInterval(() => {
    count += 1;
    revealed.set(view, count);
    shown.textContent = words.slice(0, count).join(" ");
    if (count >= words.length) clearInterval(timer);
  }, 40);
}
// What each planner card is for the operator: guidance is read, never said; a warning is a risk on the line.
const CARD_LABELS = { GUIDANCE: "Guidance for you (not a line to say)", WARNING: "Warning", NEXT_ACTION: "Next step" };
function suggestionCard(s, c) {
  const kind = s.card_kind || "UNSPECIFIED";
  const card = el("li", "suggestion card-" + kind.toLowerCase() + (s.action ? " done" : ""));
  card.dataset.verdict = s.compliance.verdict;
  card.dataset.seq = s.seq;
  card.dataset.cardKind = kind;
  card.append(badge(s.compliance.verdict), el("strong", "", `#${s.seq} ${s.intent.replaceAll("_", " ")}`));
  if (CARD_LABELS[kind]) card.append(el("span", "card-label", CARD_LABELS[kind]));
  const text = el("div", "text");
  if (s.compliance.verdict === "BLOCKED") text.textContent = "Blocked by compliance: nothing to say from this draft.";
  else if (s.compliance.verdict === "EXPIRED") text.textContent = "Withdrawn: the rest of this suggestion came too late to help.";
  else typewriter(text, s);
  card.append(text);
  const notes = [];
  if (s.compliance.rule_ids.length) notes.push((s.compliance.verdict === "REWRITTEN" ? "rewritten for " : "rules: ") + s.compliance.rule_ids.join(", "));
  if (s.backend === "SCRIPTED") notes.push("scripted line (" + s.fallback_reason.replaceAll("_", " ") + ")");
  if (s.degraded) notes.push("knowledge unavailable");
  if (s.partial) notes.push("more to come…");
  if (s.sources.length) notes.push("sources: " + s.sources.map((x) => `${x.title} (${x.source} v${x.version})`).join("; "));
  if (notes.length) card.append(el("div", "sources", notes.join(" · ")));
  if (state.me.role === "operator" && !["BLOCKED", "EXPIRED"].includes(s.compliance.verdict) && !s.partial) {
    const actions = el("div", "actions");
    if (s.action) actions.append(el("span", "", s.action));
    else {
      for (const [label, action] of [["Accept (A)", "accepted"], ["Edit (E)", "edited"], ["Dismiss (D)", "dismissed"]]) {
        const button = el("button", "", label);
        button.dataset.action = action;
        button.onclick = () => act(c, s, action);
        actions.append(button);
      }
    }
    card.append(actions);
  }
  return card;
}
async function act(c, s, action) {
  let edited = "";
  if (action === "edited") { edited = prompt("Your version of the line:", s.text); if (edited === null) return; }
  const response = await api(`/api/calls/${encodeURIComponent(c.id)}/feedback`, { method: "POST", body: JSON.stringify({
    seq: s.seq, action, subject: "suggestion", edited_text: edited, seconds_to_act: (Date.now() - s.shownAt) / 1000 }) });
  if (response.ok) { s.action = action; render(); }
}
const FALSE_ALARM_LABELS = { RULE: "Not a violation", OBLIGATION_OVERDUE: "It was said", SIGNAL: "Not what was said" };
function alertCard(a) {
  const card = el("li", "alert");
  card.append(badge(a.severity), el("strong", "", a.rule_ids.join(", ")), el("div", "", a.text));
  if (a.fix) card.append(el("div", "fix", "Fix: " + a.fix));
  // The operator on the call can mark a rule, an overdue obligation or a signal a false alarm ("this call is
  // recorded" said in other words): the per-rule false-alarm rate managers read.
  const falseAlarm = FALSE_ALARM_LABELS[a.alert_kind];
  if (state.me && state.me.role === "operator" && falseAlarm && a.rule_ids.length) {
    if (a.dismissed) card.append(el("div", "fix", "Marked a false alarm"));
    else {
      const button = el("button", "", falseAlarm);
      button.onclick = () => notAViolation(a);
      card.append(button);
    }
  }
  return card;
}
async function notAViolation(a) {
  const response = await api(`/api/calls/${encodeURIComponent(a.call_id)}/feedback`, { method: "POST", body: JSON.stringify({
    seq: a.seq, action: "not_a_violation", subject: "alert", rule_id: a.rule_ids[0] }) });
  if (response.ok) { a.dismissed = true; render(); }
}
function summaryCard(s) {
  const card = el("li", "summary");
  card.append(el("strong", "", s.kind === "handover_summary" ? "Handover summary" : "Wrap-up"), el("div", "", s.text));
  if ((s.unverified_sentences || []).length) {
    card.append(el("div", "sources", `${s.unverified_sentences.length} model sentence(s) not shown: not found in the call`));
  }
  return card;
}
// What is still owed, from compliance's live call state (the same state that raises overdue alerts).
const OWED_LABELS = { OWED: "owed", OVERDUE: "overdue", SUSPENDED: "on hold: not to be given now", GIVEN: "given" };
function owedItems(c) {
  if (!c.compliance) return [];
  const order = { OVERDUE: 0, OWED: 1, SUSPENDED: 2, GIVEN: 3 };
  return c.compliance.obligations.slice().sort((a, b) => order[a.status] - order[b.status]).map((o) => {
    const item = el("li", "obligation " + o.status.toLowerCase());
    item.dataset.obligation = o.id;
    item.dataset.status = o.status;
    let label = `${o.id} — ${OWED_LABELS[o.status] || o.status.toLowerCase()}`;
    if (o.turns_left !== null && o.turns_left !== undefined) label += ` (${o.turns_left} turn(s) left)`;
    if (o.given_late) label += " (late)";
    item.textContent = label;
    if (o.citation) item.title = o.citation;
    return item;
  });
}
function renderWrapup(c) {
  const form = document.getElementById("wrapup-form");
  const wrapup = c.summaries.filter((s) => s.kind === "wrapup_summary").slice(-1)[0];
  form.classList.toggle("hidden", !wrapup || state.me.role !== "operator" || c.wrapupDone === wrapup.seq);
  if (!wrapup || form.dataset.call === c.id + wrapup.seq) return;
  form.dataset.call = c.id + wrapup.seq;
  document.getElementById("wrapup-disposition").value = wrapup.disposition;
  document.getElementById("wrapup-text").value = wrapup.text + "\n" + wrapup.next_actions.join("\n");
  const send = async (action) => {
    await api(`/api/calls/${encodeURIComponent(c.id)}/feedback`, { method: "POST", body: JSON.stringify({
      seq: wrapup.seq, action, subject: "wrapup", edited_text: action === "edited" ? val("wrapup-text") : "",
      disposition: val("wrapup-disposition") }) });
    form.classList.add("hidden");
  };
  form.onsubmit = (e) => { e.preventDefault(); send("accepted"); };
  document.getElementById("wrapup-save").onclick = () => send("edited");
}
function renderOperator() {
  const c = state.calls.get(state.selected);
  document.getElementById("call-header").textContent = c
    ? `${c.id} — ${c.scenario}${c.stage ? " · " + c.stage : ""} — operator ${c.operator} (${c.team}) — ${c.status}`
    : "Select a call";
  if (!c) return;
  document.getElementById("transcript").replaceChildren(...c.transcript.map((t) => t.type === "UTTERANCE"
    ? el("li", t.speaker, `${t.speaker === "CUSTOMER" ? "Customer" : "Operator"}: ${t.text}`)
    : el("li", "lifecycle", t.type.replaceAll("_", " ").toLowerCase() + (t.type === "TRANSFER" ? ` to ${t.transfer_to_role.toLowerCase()}` : ""))));
  document.getElementById("suggestions").replaceChildren(...c.suggestions.slice().reverse().map((s) => suggestionCard(s, c)));
  document.getElementById("alerts").replaceChildren(...c.alerts.slice().reverse().map(alertCard));
  document.getElementById("owed").replaceChildren(...owedItems(c));
  document.getElementById("summaries").replaceChildren(...c.summaries.slice().reverse().map(summaryCard));
  document.getElementById("notes").replaceChildren(...c.notes.map((n) => el("li", "note", `${n.author}: ${n.text}`)));
  renderWrapup(c);
}
document.addEventListener("keydown", (e) => {
  if (!state.me || state.me.role !== "operator" || ["INPUT", "TEXTAREA"].includes(e.target.tagName)) return;
  const c = state.calls.get(state.selected);
  const open = c && c.suggestions.slice().reverse().find((s) => !s.action && !s.partial && !["BLOCKED", "EXPIRED"].includes(s.compliance.verdict));
  const action = { a: "accepted", e: "edited", d: "dismissed" }[e.key.toLowerCase()];
  if (open && action) { e.preventDefault(); act(c, open, action); }
});

// ---- manager view --------------------------------------------------------------------------------
function renderManager() {
  const rows = [...state.calls.values()].map((c) => {
    const row = el("tr", c.alerts.length ? "has-alerts" : "");
    const rules = [...new Set(c.alerts.flatMap((a) => a.rule_ids))].join(", ");
    const owed = c.compliance ? c.compliance.obligations.filter((o) => ["OWED", "OVERDUE"].includes(o.status)).length : "";
    [c.id, c.scenario, c.stage, c.operator, c.team, c.status, c.sentiment, c.lastIntent, owed, c.suggestions.length,
      c.alerts.length, rules].forEach((v, i) => row.append(el("td", i === 6 ? "mood " + v : "", String(v))));
    row.onclick = () => { state.selected = c.id; show("operator"); };
    return row;
  });
  document.querySelector("#floor tbody").replaceChildren(...rows);
  document.getElementById("manager-alerts").replaceChildren(...state.managerAlerts.slice().reverse().map(alertCard));
}
document.getElementById("note-form").onsubmit = async (e) => {
  e.preventDefault();
  if (!state.selected || !val("note-text").trim()) return;
  const response = await api(`/api/calls/${encodeURIComponent(state.selected)}/notes`, { method: "POST", body: JSON.stringify({ text: val("note-text") }) });
  if (response.ok) document.getElementById("note-text").value = "";
};

function render() { renderCalls(); renderOperator(); renderManager(); }
function show(view) {
  document.querySelectorAll(".view").forEach((v) => v.classList.toggle("hidden", v.id !== view));
  document.querySelectorAll(".tab[data-view]").forEach((t) => t.classList.toggle("active", t.dataset.view === view));
  render();
}
document.querySelectorAll(".tab[data-view]").forEach((t) => { t.onclick = () => show(t.dataset.view); });

function setConnection(label, className) {
  const node = document.getElementById("connection");
  node.textContent = label;
  node.className = "conn " + className;
}
// One EventSource; every event id seen is remembered. The browser's own retry resends Last-Event-ID; when
// the browser gives up (the server answered with an error), a new source resumes from the last id itself,
// with a growing delay. Nothing is lost while the link is down as long as the console's history holds it.
function connect() {
  clearTimeout(state.reconnectTimer);
  if (state.source) state.source.close();
  const resume = state.lastEventId ? "?last_id=" + state.lastEventId : "";
  const source = new EventSource("/api/events" + resume);
  state.source = source;
  source.onopen = () => { state.reconnectDelay = 1000; setConnection("live", "conn-live"); };
  source.onerror = () => {
    if (source !== state.source || !state.token) return;
    if (source.readyState !== EventSource.CLOSED) { setConnection("reconnecting…", "conn-connecting"); return; }
    setConnection(`disconnected: retrying in ${Math.round(state.reconnectDelay / 1000)} s`, "conn-down");
    state.reconnectTimer = setTimeout(async () => {
      const check = await openSession().catch(() => null);  // renews the cookie; a 401 signs out
      if (check && check.status === 401) { signOut("Your session has expired: sign in again."); return; }
      if (state.token && (!check || check.ok)) connect();
    }, state.reconnectDelay);
    state.reconnectDelay = Math.min(RECONNECT_MAX_MS, state.reconnectDelay * 2);
  };
  for (const kind of KIND_EVENTS) {
    source.addEventListener(kind, (message) => {
      const id = Number(message.lastEventId);
      state.lastEventId = Math.max(state.lastEventId, id);
      receive(JSON.parse(message.data), id);
    });
  }
}
start();

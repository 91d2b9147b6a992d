// The indicators service's values for the manager tab: team KPIs over time (charts) and every indicator by
// scenario for the current window, combined over arms and per experiment arm. Fed by GET /api/indicators.
"use strict";

const KPI_CHARTS = [
  ["service.handle_time", "Handle time"],
  ["sales.conversion", "Conversion"],
  ["collections.promise_to_pay_rate", "Promise-to-pay rate"],
  ["compliance.violations_per_100_calls", "Compliance violations / 100 calls"],
  ["compliance.disclosures_on_time", "Disclosures on time"],
  ["copilot.acceptance_rate", "Suggestion acceptance"],
];
const SCENARIO_TITLES = { SALES: "Sales", SERVICE: "Servicing", COLLECTIONS: "Collections", COMPLIANCE: "Compliance",
  COPILOT: "Copilot use" };

function formatIndicator(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "ratio") return `${(value * 100).toFixed(0)}%`;
  if (unit === "seconds") return `${value.toFixed(0)} s`;
  if (unit === "currency") return `$${value.toFixed(0)}`;
  return value.toFixed(1);
}

function indicatorChart(values) {
  const known = values.filter((v) => v !== null);
  const max = Math.max(1e-9, ...known);
  const points = values.map((v, i) => (v === null ? null
    : `${(i / Math.max(1, values.length - 1)) * 100},${58 - (v / max) * 54}`)).filter(Boolean).join(" ");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 100 60");
  svg.setAttribute("preserveAspectRatio", "none");
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#2454c5");
  line.setAttribute("stroke-width", "2");
  line.setAttribute("points", points);
  svg.append(line);
  return svg;
}

function textCell(tag, text, className) {
  const cell = document.createElement(tag);
  cell.textContent = text;
  if (className) cell.className = className;
  return cell;
}

window.SeatIndicators = {
  async load(api) {
    const response = await api("/api/indicators");
    if (!response.ok) return;
    const data = await response.json();
    const byName = new Map(data.current.map((item) => [item.name, item]));
    const kpis = KPI_CHARTS.map(([name, title]) => {
      const item = byName.get(name) || { value: null, unit: "" };
      const box = document.createElement("div");
      box.className = "kpi";
      box.dataset.indicator = name;
      box.append(textCell("h3", title), textCell("span", formatIndicator(item.value, item.unit), "value"),
        indicatorChart(data.series.map((point) => (point.values[name] ?? null))));
      return box;
    });
    document.getElementById("kpis").replaceChildren(...kpis);
    const arms = data.by_arm.map((s) => s.arm + (s.experiment_id ? ` (${s.experiment_id})` : ""));
    const header = document.querySelector("#indicators thead tr");
    header.replaceChildren(...["Scenario", "Indicator", "Value", "Numerator / denominator", ...arms]
      .map((label) => textCell("th", label)));
    const rows = data.current.map((item) => {
      const row = document.createElement("tr");
      row.dataset.indicator = item.name;
      row.append(textCell("td", SCENARIO_TITLES[item.scenario] || item.scenario),
        textCell("td", `${item.name} (${item.direction.replaceAll("_", " ")})`),
        textCell("td", formatIndicator(item.value, item.unit), "value"),
        textCell("td", `${+item.numerator.toFixed(2)} / ${+item.denominator.toFixed(2)}`));
      for (const snapshot of data.by_arm) {
        const own = snapshot.values.find((v) => v.name === item.name);
        row.append(textCell("td", formatIndicator(own && own.defined ? own.value : null, item.unit)));
      }
      return row;
    });
    document.querySelector("#indicators tbody").replaceChildren(...rows);
    const window_ = data.by_arm[0];
    document.getElementById("indicators-window").textContent = window_
      ? `window from ${new Date(window_.window_start * 1000).toLocaleTimeString()}` : "no indicators yet";
  },
};

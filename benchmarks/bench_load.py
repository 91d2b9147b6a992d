"""End to end under load on `make up`'s topology (real Kafka, Neo4j and Triton): 1, 10, 50 and 200 concurrent
calls at the bundled calls' pacing (benchmarks/loadgen.py), latency from publishing a final customer utterance
to its steered suggestion on the topic the console reads, throughput, and per-stage latency from the spans the
services export; then the same with generation scripted (the non-generative path alone).

Then the open-loop sweep on the non-generative path (benchmarks/openloop.py): final customer utterances at
fixed rates (BENCH_LOAD_RATES, default 25,50,100,200,400 per second, each for BENCH_LOAD_RATE_S seconds) across
rate × 4 concurrent calls; per rate p50/p95/p99, achieved throughput and per-stage busy/wait, and the knee (the
highest rate whose p99 stays under 100 ms with every utterance answered).

Bounded: each level replays at most BENCH_LOAD_CALL_S seconds of every call (fewer at 200 calls) and waits at
most BENCH_LOAD_DRAIN_S for the last suggestions. BENCH_LOAD_LEVELS overrides the levels ("1,10").
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from benchmarks import harness, loadgen, openloop
from benchmarks.table import Table, percentile

NEEDS: tuple[str, ...] = ("kafka", "neo4j", "triton")
PATHS = (("full", "triton"), ("non-generative", "scripted"))


def _levels() -> list[int]:
    return [int(x) for x in os.environ.get("BENCH_LOAD_LEVELS", "1,10,50,200").split(",") if x.strip()]


def _rates() -> list[float]:
    return [float(x) for x in os.environ.get("BENCH_LOAD_RATES", "25,50,100,200,400").split(",") if x.strip()]


def _call_seconds(calls: int) -> float:
    base = float(os.environ.get("BENCH_LOAD_CALL_S", "45"))
    return base / 2 if calls >= 200 else base


def _ms(values: list[float], pct: float) -> float:
    return percentile(values, pct) * 1000


def _stage_figures(collector: harness.SpanCollector, result: loadgen.LoadResult) -> dict[str, dict[str, float]]:
    time.sleep(2.0)  # the services export spans every 0.5 s
    stages = harness.stage_latencies(harness.spans_of(collector.blob()), set(result.sent_at))
    return {stage: {f"{part}_p{pct}_ms": _ms(v[part], pct) for part in ("busy", "wait") for pct in (50, 95, 99)}
            | {"n": len(v["busy"])} for stage, v in stages.items()}


def run_level(bootstrap: str, collector: harness.SpanCollector, calls: int) -> dict[str, object]:
    collector.clear()
    result = loadgen.run_load(bootstrap, calls, _call_seconds(calls), float(os.environ.get("BENCH_LOAD_DRAIN_S", "60")),
                              stagger_s=min(10.0, calls / 5))
    figures = result.summary()
    figures["calls"] = calls
    figures["suggestions_per_s"] = figures["shown"] / result.answered_window_s() if figures["shown"] else 0.0
    figures["stages"] = _stage_figures(collector, result)
    return figures


def run_rate(bootstrap: str, collector: harness.SpanCollector, cpu: harness.ProcessCpu,
             rate: float) -> dict[str, object]:
    """One open-loop rate, bounded by BENCH_LOAD_RATE_S of offered load and BENCH_LOAD_DRAIN_S of drain."""
    collector.clear()
    before = cpu.read()
    result = openloop.run_at_rate(bootstrap, rate, float(os.environ.get("BENCH_LOAD_RATE_S", "20")),
                                  float(os.environ.get("BENCH_LOAD_DRAIN_S", "60")))
    spent = harness.ProcessCpu.spent(before, cpu.read())
    row = openloop.figures(rate, result)
    return {**row.__dict__, "within": row.within(), "calls": openloop.calls_for(rate),
            "stages": _stage_figures(collector, result), "cpu_s": spent}


def run(out: Path) -> list[Table]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    collector = harness.SpanCollector().start()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}", "OTEL_BSP_SCHEDULE_DELAY": "500",
           "OTEL_BSP_MAX_QUEUE_SIZE": "65536", "CONSOLE_DEV_LOGIN": "false"}
    topology = harness.Topology(env)
    results: dict[str, list[dict[str, object]]] = {}
    try:
        topology.start()  # generation on Triton
        for path, backend in PATHS:
            if backend != "triton":
                topology.restart("generation", GENERATION_BACKEND=backend)
            _warm_up(bootstrap)
            results[path] = [run_level(bootstrap, collector, calls) for calls in _levels()]
        cpu = harness.ProcessCpu(topology)
        rates = [run_rate(bootstrap, collector, cpu, rate) for rate in _rates()]  # generation still scripted
    finally:
        topology.stop()
        collector.stop()
    (out / "load.json").write_text(json.dumps({**results, "open_loop": rates}, indent=2, default=str))
    if any(results.values()):  # BENCH_LOAD_LEVELS= runs the open loop alone: no closed-loop curve to draw
        _plot(results, out / "load_latency.png")
    return [*_tables(results, out), *_rate_tables(rates)]


def _rate_tables(rates: list[dict[str, object]]) -> list[Table]:
    rows = [openloop.RateFigures(**{k: r[k] for k in openloop.RateFigures.__dataclass_fields__}) for r in rates]
    found = openloop.knee(rows)
    main = Table("Open loop, non-generative path (make up: real Kafka, Neo4j; generation scripted): final customer "
                 "utterances at a fixed rate → steered suggestion",
                 ["offered /s", "calls", "owed", "shown", "unanswered", "expired", "p50 ms", "p95 ms", "p99 ms",
                  "sent /s", "achieved /s", f"p99 < {openloop.P99_LIMIT_MS:.0f} ms"])
    stages, tails = (Table(f"Open loop, per stage from the services' spans (ms, {pct} wait/busy; wait = Kafka hop + "
                           f"queue){note}",
                           ["offered /s", *[f"{s} wait/busy {pct}" for s, _ in harness.UTTERANCE_PATH]])
                     for pct, note in (("p50", ""), ("p99", ": where the tail that decides the knee is spent")))
    for r, row in zip(rates, rows, strict=True):
        main.rows.append([row.rate, r["calls"], row.owed, row.shown, row.lost, row.expired, row.p50_ms, row.p95_ms,
                          row.p99_ms, row.offered_per_s, row.achieved_per_s, "yes" if row.within() else "no"])
        for table, pct in ((stages, "p50"), (tails, "p99")):
            table.rows.append([row.rate, *[f"{_cell(s[f'wait_{pct}_ms'])}/{_cell(s[f'busy_{pct}_ms'])}"
                                           for s in r["stages"].values()]])
    target = 200.0
    named = f"{found:.0f}/s" if found is not None else "none (the lowest rate fails)"
    main.note = (f"Knee (highest rate, counted up from the lowest, with p99 < {openloop.P99_LIMIT_MS:.0f} ms and "
                 f"every utterance answered): {named}; target {target:.0f}/s: "
                 + ("reached." if found is not None and found >= target else
                    f"not reached ({(found or 0) / target:.0%} of it)."))
    return [main, stages, tails, _cpu_table(rates, rows)]


def _cpu_table(rates: list[dict[str, object]], rows: list[openloop.RateFigures]) -> Table:
    """CPU milliseconds per owed utterance, by process: what 200/s on two cores would have to fit in 10 ms."""
    names = sorted({name for r in rates for name in r["cpu_s"]})  # type: ignore[attr-defined]
    table = Table("Open loop, CPU per owed utterance by process (ms; user + system, from /proc, offered load and "
                  "drain together)", ["offered /s", *names, "all"])
    for r, row in zip(rates, rows, strict=True):
        spent: dict[str, float] = r["cpu_s"]  # type: ignore[assignment]
        per = {name: 1000 * spent.get(name, 0.0) / max(1, row.owed) for name in names}
        table.rows.append([row.rate, *[f"{per[name]:.1f}" for name in names], f"{sum(per.values()):.1f}"])
    table.note = ("Two cores give 2,000 ms of CPU a second: 200 utterances/s needs everything together under "
                  "10 ms per utterance.")
    return table


def _warm_up(bootstrap: str, attempts: int = 4) -> None:
    """One short call until it is fully answered: the first requests load models, open channels and wait for
    every consumer group's partitions, which a fresh topology can take longer than one drain window to do."""
    for _ in range(attempts):
        warm = loadgen.run_load(bootstrap, 1, 15.0, 60.0)
        if warm.sent_at and all(warm.answered(key) for key in warm.sent_at):
            return


def _tables(results: dict[str, list[dict[str, object]]], out: Path) -> list[Table]:
    main = Table("End to end under load (make up: real Kafka, Neo4j, Triton): final customer utterance → steered "
                 "suggestion", ["path", "calls", "owed", "shown", "scripted", "expired", "unanswered", "dup",
                               "p50 ms", "p95 ms", "p99 ms", "utterances/s", "suggestions/s"])
    stages = Table("Per-stage latency from the services' spans (ms; wait = Kafka hop + queue before the stage)",
                   ["path", "calls", *[f"{s} wait/busy p50" for s, _ in harness.UTTERANCE_PATH]])
    for path, levels in results.items():
        for f in levels:
            main.rows.append([path, f["calls"], f["utterances_expected"], f["shown"], f["scripted"], f["expired"],
                              f["lost"], f["duplicated"], f["p50_ms"], f["p95_ms"], f["p99_ms"],
                              f["utterances_per_s"], f["suggestions_per_s"]])
            stages.rows.append([path, f["calls"], *[f"{_cell(s['wait_p50_ms'])}/{_cell(s['busy_p50_ms'])}"
                                                    for s in f["stages"].values()]])
    main.note = ("owed = final customer utterances published; shown = PASS/REWRITTEN/BLOCKED suggestions (their "
                 "latency is measured); scripted = shown suggestions that are the scripted fallback (the model "
                 "missed its deadline or was busy); expired = answered too late, never shown; unanswered = no "
                 "suggestion within the drain window (BENCH_LOAD_DRAIN_S). "
                 f"Plot: {out / 'load_latency.png'}. Command: `make bench` "
                 "(or `python -m benchmarks load` with the servers up).")
    return [main, stages]


def _cell(ms: float) -> str:
    return "-" if ms != ms else f"{ms:.0f}"  # NaN: no figure (intake has no stage before it)


def _plot(results: dict[str, list[dict[str, object]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for (name, levels), color in zip(results.items(), ("tab:red", "tab:blue"), strict=False):
        calls = [f["calls"] for f in levels]
        for pct, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
            left.plot(calls, [f[f"{pct}_ms"] for f in levels], style, color=color, marker="o", label=f"{name} {pct}")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("concurrent calls")
    left.set_ylabel("utterance → suggestion, ms")
    left.legend(fontsize=8)
    left.set_title("End-to-end latency")
    bars = [(f"{'gen' if name == 'full' else 'no-gen'} {f['calls']}", f["stages"])
            for name, levels in results.items() for f in levels]
    bottom = [0.0] * len(bars)
    for stage, _ in harness.UTTERANCE_PATH:
        heights = [s[stage]["wait_p50_ms"] + s[stage]["busy_p50_ms"] for _, s in bars]
        heights = [0.0 if h != h else h for h in heights]  # NaN: the stage saw none of these utterances
        right.bar([b[0] for b in bars], heights, bottom=bottom, label=stage)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    right.set_ylabel("p50 ms (wait + busy)")
    right.set_title("Per stage")
    right.tick_params(axis="x", labelrotation=45, labelsize=8)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

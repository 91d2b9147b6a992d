"""A data card per dataset version: sources and licences, what each step removed, token statistics,
splits and the mixing the training stages will use. Written as card.json and card.md."""

from __future__ import annotations

import json
from pathlib import Path


def write_card(out: Path, card: dict) -> None:
    (out / "card.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    (out / "card.md").write_text(render_card(card))


def render_card(card: dict) -> str:
    lines = [f"# Data card: {card['name']} version {card['version']}", "",
             f"Built {card['built_at']} by `{card['command']}`. Content hash `{card['version']}` "
             "(the same inputs give the same version).", "", "## Sources", "",
             "| source | kind | documents | licence |", "|---|---|---|---|"]
    lines += [f"| {s['path']} | {s['kind']} | {s['documents']} | {s['licence']} |" for s in card["sources"]]
    steps = card["processing"]
    lines += ["", "## Processing", "",
              f"- read: {steps['read']} documents",
              f"- cleaning dropped: {json.dumps(steps['cleaning_dropped'], sort_keys=True)}",
              f"- exact duplicates removed: {steps['exact_duplicates']}",
              f"- near duplicates removed (MinHash, Jaccard ≥ {steps['near_threshold']}): {steps['near_duplicates']}",
              f"- PII findings masked (intake redactor): {json.dumps(steps['pii_masked'], sort_keys=True)}",
              f"- kept: {steps['kept']} documents", "", "## Datasets", "",
              "| file | purpose | items | tokens | mean | p95 | max |", "|---|---|---|---|---|---|---|"]
    for name, entry in sorted(card["datasets"].items()):
        stats = entry["tokens"]
        lines.append(f"| {name} | {entry['purpose']} | {stats['items']} | {stats['tokens']} | {stats['mean']} | "
                     f"{stats['p95']} | {stats['max']} |")
    lines += ["", "## Intended use and limits", "", card["intended_use"], ""]
    return "\n".join(lines)

"""Training and evaluation data for the classifier, assembled from Banking77, CLINC150 and the
utterances written for this project. Everything is deterministic given the seed."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from seatcopilot.paths import PUBLIC_DATA_DIR

from services.classifier.taxonomy import SEEDS, SOURCES, UNKNOWN, UTTERANCES, load_intents, written_examples

IGNORE = -100  # a label the loss skips: the example does not train that head




@dataclass(frozen=True)
class Example:
    text: str
    intent: int = IGNORE
    banking: int = IGNORE


@dataclass
class Corpus:
    intent_labels: list[str]          # project intents, then `unknown` last
    banking_labels: list[str]         # the Banking77 label space
    train: list[Example] = field(default_factory=list)
    banking_heldout: list[tuple[str, str]] = field(default_factory=list)   # (text, category), never trained on
    intent_validation: list[tuple[str, str]] = field(default_factory=list)  # (text, intent) from CLINC150 val


def read_banking77(data_dir: Path) -> list[tuple[str, str]]:
    with open(data_dir / "banking77" / "train.csv", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def stratified_split(rows: list[tuple[str, str]], fraction: float, seed: int
                     ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held out): `fraction` of every class held out, chosen by a seeded shuffle."""
    by_class: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_class[row[1]].append(row)
    rng = random.Random(seed)
    train, heldout = [], []
    for label in sorted(by_class):
        items = by_class[label][:]
        rng.shuffle(items)
        cut = max(1, round(len(items) * fraction))
        heldout.extend(items[:cut])
        train.extend(items[cut:])
    return train, heldout


def _inverse(mapping: dict[str, list[str]]) -> dict[str, str]:
    return {source: intent for intent, sources in mapping.items() for source in sources}


def _clinc_pairs(pairs: list[list[str]], to_intent: dict[str, str], out_domain: set[str], per_intent: int,
                 rng: random.Random) -> list[tuple[str, str]]:
    """CLINC150 utterances as (text, project intent): mapped intents, and a sample of out-of-scope domains."""
    kept, sampled = [], defaultdict(list)
    for text, label in pairs:
        if label in to_intent:
            kept.append((text, to_intent[label]))
        elif label in out_domain or label == "oos":
            sampled[label].append(text)
    for label in sorted(sampled):
        texts = sampled[label]
        rng.shuffle(texts)
        kept.extend((text, UNKNOWN) for text in (texts if label == "oos" else texts[:per_intent]))
    return kept


def build_corpus(seed: int, heldout_fraction: float = 0.1, out_of_scope_per_intent: int = 8,
                 written_repeats: int = 4, per_class_limit: int | None = None,
                 data_dir: Path | None = None) -> Corpus:
    data_dir = data_dir or PUBLIC_DATA_DIR
    intents = load_intents()
    sources = yaml.safe_load(SOURCES.read_text())
    banking_labels = json.loads((data_dir / "banking77" / "categories.json").read_text())
    corpus = Corpus([*sorted(intents), UNKNOWN], banking_labels)
    intent_id = {name: i for i, name in enumerate(corpus.intent_labels)}
    banking_id = {name: i for i, name in enumerate(banking_labels)}
    rng = random.Random(seed)

    train_rows, corpus.banking_heldout = stratified_split(read_banking77(data_dir), heldout_fraction, seed)
    to_intent = _inverse(sources["banking77"])
    train_rows = _limit(train_rows, per_class_limit)
    corpus.train.extend(Example(text, intent_id[to_intent[cat]], banking_id[cat]) for text, cat in train_rows)

    clinc = json.loads((data_dir / "clinc150" / "data_full_train_val.json").read_text())
    domains = json.loads((data_dir / "clinc150" / "domains.json").read_text())
    out_domain = {label for domain in sources["clinc150_out_of_scope_domains"] for label in domains[domain]}
    clinc_map = _inverse(sources["clinc150"])
    out_domain -= set(clinc_map)
    clinc_train = _clinc_pairs(clinc["train"] + clinc["oos_train"], clinc_map, out_domain,
                               out_of_scope_per_intent, rng)
    corpus.train.extend(Example(text, intent_id[name]) for text, name in _limit(clinc_train, per_class_limit))
    corpus.intent_validation = _clinc_pairs(clinc["val"] + clinc["oos_val"], clinc_map, out_domain,
                                            out_of_scope_per_intent, rng)

    if per_class_limit is not None:  # a tiny run also measures on a tiny set
        corpus.banking_heldout = _limit(corpus.banking_heldout, per_class_limit)
        corpus.intent_validation = _limit(corpus.intent_validation, per_class_limit)
    written = _limit([(text, name) for text, name in written_examples()], per_class_limit)
    corpus.train.extend(Example(text, intent_id[name]) for text, name in written * written_repeats)
    return corpus


def _limit(rows: list[tuple[str, str]], per_class: int | None) -> list[tuple[str, str]]:
    if per_class is None:
        return rows
    seen: dict[str, int] = defaultdict(int)
    kept = []
    for row in rows:
        if seen[row[1]] < per_class:
            seen[row[1]] += 1
            kept.append(row)
    return kept


def inputs_digest(data_dir: Path | None = None) -> str:
    """A digest of every data file training reads (the public sets and the project's own)."""
    data_dir = data_dir or PUBLIC_DATA_DIR
    digest = hashlib.sha256()
    files = [data_dir / "banking77" / "train.csv", data_dir / "banking77" / "categories.json",
             data_dir / "clinc150" / "data_full_train_val.json", data_dir / "clinc150" / "domains.json",
             SEEDS, UTTERANCES, SOURCES]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()

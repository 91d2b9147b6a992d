"""Training the compliance detector (services/compliance/learned.py serves it): the written lines of
data/compliance/detector/train.jsonl and the default pack's own examples, fitted per speaker and label, cached
under ~/.cache/seatcopilot/models/compliance by a hash of its inputs (the training lines, the pack, this file,
the serving module that defines the model, the settings), so a build with unchanged inputs is instant. The
held-out file is never read here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from seatcopilot.paths import data_path
from seatcopilot.policy import DEFAULT_POLICY, Policy, load_policy

from services.compliance import learned
from services.compliance.learned import (
    CURRENT,
    CUSTOMER,
    GIVES,
    MODEL_FILE,
    MODELS_HOME,
    OPERATOR,
    SAYS_BEFORE,
    DetectorSettings,
    Embed,
    LearnedModel,
    SpeakerModel,
)

TRAIN_FILE = data_path("compliance", "detector", "train.jsonl")


@dataclass(frozen=True)
class TrainingRow:
    text: str
    speaker: str
    labels: frozenset[str]
    active_signals: frozenset[str]
    group: str
    scenario: str = ""


def training_rows(path: Path = TRAIN_FILE) -> list[TrainingRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        labels = {*data.get("expected_rule_ids", ()), *(GIVES + g for g in data.get("gives", ())),
                  *(SAYS_BEFORE + s for s in data.get("says_before", ()))}
        speaker = CUSTOMER if data["speaker"] == CUSTOMER else OPERATOR
        rows.append(TrainingRow(data["text"], speaker, frozenset(labels), frozenset(data.get("active_signals", ())),
                                data.get("group", data["text"]), data.get("scenario", "")))
    return rows


def pack_rows(policy: Policy) -> list[TrainingRow]:
    """A pack's own examples as training lines: rule examples and phrases (violating), counter-examples
    and compliant examples (not), signal examples, obligations' phrases and disclosure texts (given)."""
    rows: list[TrainingRow] = []

    def add(texts: tuple[str, ...] | list[str], speaker: str, labels: set[str], when: tuple[str, ...], group: str,
            scenarios: tuple[str, ...] = ()):
        scenario = scenarios[0] if scenarios else ""
        rows.extend(TrainingRow(t, speaker, frozenset(labels), frozenset(when), group, scenario) for t in texts)

    for rule in policy.rules:
        add((*rule.examples, *rule.phrases), OPERATOR, {rule.id}, rule.when, f"pack-{rule.id}", rule.scenarios)
        add(rule.counter_examples, OPERATOR, set(), rule.when, f"pack-{rule.id}-counter", rule.scenarios)
    for signal in policy.signals:
        add((*signal.examples, *signal.phrases), CUSTOMER, {signal.id}, (), f"pack-{signal.id}", signal.scenarios)
        add(signal.counter_examples, CUSTOMER, set(), (), f"pack-{signal.id}-counter", signal.scenarios)
    for obligation in (*policy.obligations, *policy.triggered_obligations):
        add((obligation.disclosure_text, *obligation.satisfied_by), OPERATOR, {GIVES + obligation.id}, (),
            f"pack-{obligation.id}", obligation.scenarios)
    add(policy.compliant_examples, OPERATOR, set(), (), "pack-compliant")
    return rows


def used_for(rows: list[TrainingRow], label: str) -> np.ndarray:
    """Which rows teach a label: for a rule gated by a signal, the rows said with that signal active,
    plus, as negatives, the rows of scenarios the rule is never learned in (ordinary talk elsewhere is
    not a violation; the same words in its own scenario without the signal are left out, not negative)."""
    gate = gating_signals(rows, label)
    if not gate:
        return np.ones(len(rows), dtype=bool)
    home = {row.scenario for row in rows if label in row.labels}
    return np.array([gate <= row.active_signals or (row.scenario not in home and label not in row.labels)
                     for row in rows])


def gating_signals(rows: list[TrainingRow], label: str) -> frozenset[str]:
    """The signals every positive row of a label had active: a rule that only applies with a third
    party on the line ("he owes us") is learned only from rows with that signal, since the same words
    are fine to the customer."""
    positives = [row.active_signals for row in rows if label in row.labels]
    return frozenset.intersection(*positives) if positives else frozenset()


def fit_speaker_model(rows: list[TrainingRow], vectors: np.ndarray, settings: DetectorSettings) -> SpeakerModel:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [row.text for row in rows]
    vectorizer = None
    if settings.features == "embedding+ngrams":
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                                     token_pattern=r"(?u)\b\w[\w']*\b").fit(texts)
    model = SpeakerModel(sorted({label for row in rows for label in row.labels}), {}, {}, vectorizer,
                         settings.ngram_weight)
    features = model.features(vectors, texts)
    for label in model.labels:
        model.gates[label] = gating_signals(rows, label)
        used = used_for(rows, label)
        target = np.array([label in row.labels for row in rows])[used]
        folds = min(settings.calibration_folds, int(target.sum()), int((~target).sum()))
        base = LogisticRegression(C=settings.regularisation, class_weight="balanced", max_iter=2000)
        classifier = CalibratedClassifierCV(base, method="sigmoid", cv=folds) if folds >= 2 else base
        model.classifiers[label] = classifier.fit(features[used], target)
    model.stack(vectors.shape[1])
    return model


def train(rows: list[TrainingRow], embed: Embed, settings: DetectorSettings, version: str = "") -> LearnedModel:
    vectors = embed([row.text for row in rows])
    model = LearnedModel(version, settings)
    for speaker in (OPERATOR, CUSTOMER):
        chosen = [i for i, row in enumerate(rows) if row.speaker == speaker]
        if chosen:
            model.speakers[speaker] = fit_speaker_model([rows[i] for i in chosen], vectors[chosen], settings)
    return model


def all_training_rows() -> list[TrainingRow]:
    """The written training lines and the default pack's examples (the held-out file is never read)."""
    return training_rows() + pack_rows(load_policy(DEFAULT_POLICY))


def cache_key(settings: DetectorSettings, path: Path = TRAIN_FILE) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for pack_file in sorted(DEFAULT_POLICY.glob("*.yaml")):
        digest.update(pack_file.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(str(learned.__file__)).read_bytes())
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:12]


def model_dir(settings: DetectorSettings = DetectorSettings(), home: Path = MODELS_HOME) -> Path:
    return home / f"v1-{cache_key(settings)}"


def build(embed: Embed | None = None, settings: DetectorSettings = DetectorSettings(),
          home: Path = MODELS_HOME) -> Path:
    """Trains and saves the detector unless a model with the same inputs is already cached."""
    import joblib

    directory = model_dir(settings, home)
    if (directory / MODEL_FILE).is_file():
        (home / CURRENT).write_text(directory.name + "\n")
        return directory
    if embed is None:
        from seatcopilot.encoder import shared_encoder

        embed = shared_encoder().encode
    model = train(all_training_rows(), embed, settings, directory.name)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / (MODEL_FILE + ".partial")
    joblib.dump(model, partial)
    partial.replace(directory / MODEL_FILE)  # atomic: a half-written model is never loaded
    (home / CURRENT).write_text(directory.name + "\n")
    return directory


def load_or_build(embed: Embed | None = None, settings: DetectorSettings = DetectorSettings()) -> LearnedModel:
    return learned.load(build(embed, settings))

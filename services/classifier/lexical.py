"""The lexical member of the Banking77 mix: TF-IDF over word 1–2-grams and character 2–5-grams inside words,
then a multinomial logistic regression. It reads spelling and exact phrases, so it errs on different rows
than the encoder; mixed in, it lifts accuracy on a dev split (docs/classifier.md). Serving it is one sparse
product per batch, well under a millisecond."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import sparse

LEXICAL_FILE, LEXICAL_VOCABULARY = "lexical.safetensors", "lexical_vocabulary.json"
WORD = re.compile(r"(?u)\b\w\w+\b")
SPACES = re.compile(r"\s\s+")


def word_grams(text: str, longest: int = 2) -> list[str]:
    tokens = WORD.findall(text.lower())
    return [" ".join(tokens[i:i + n]) for n in range(1, longest + 1) for i in range(len(tokens) - n + 1)]


def char_grams(text: str, shortest: int = 2, longest: int = 5) -> list[str]:
    """Character n-grams of each space-padded word, none longer than the padded word."""
    grams: list[str] = []
    for word in SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(shortest, min(longest, len(padded)) + 1):
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


ANALYZERS: tuple[Callable[[str], list[str]], ...] = (word_grams, char_grams)


class Vocabulary:
    """n-gram → column, with the smoothed inverse document frequency of each column."""

    def __init__(self, grams: list[str], idf: np.ndarray) -> None:
        self.grams = grams
        self.column = {gram: i for i, gram in enumerate(grams)}
        self.idf = idf.astype(np.float32)

    @classmethod
    def fit(cls, documents: list[list[str]], min_count: int) -> Vocabulary:
        frequency = Counter(gram for grams in documents for gram in set(grams))
        grams = sorted(gram for gram, count in frequency.items() if count >= min_count)
        idf = np.array([math.log((1 + len(documents)) / (1 + frequency[g])) + 1 for g in grams])
        return cls(grams, idf)

    def vector(self, grams: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values): sublinear term frequency × idf, unit length."""
        found = np.array([i for i in map(self.column.get, grams) if i is not None], dtype=np.int64)
        columns, counts = np.unique(found, return_counts=True)
        values = (1 + np.log(counts.astype(np.float32))) * self.idf[columns]
        norm = float(np.linalg.norm(values))
        return columns, values / norm if norm else values


class LexicalModel:
    def __init__(self, vocabularies: list[Vocabulary], weights: np.ndarray, intercept: np.ndarray) -> None:
        self.vocabularies = vocabularies
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)  # [columns, classes]: rows are gathered
        self.intercept = intercept.astype(np.float32)
        self.offsets = np.cumsum([0] + [len(v.grams) for v in vocabularies[:-1]]).tolist()

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        """One row per text: each analyzer's block unit-normalised, side by side."""
        rows, columns, values, offset = [], [], [], 0
        for vocabulary, analyze in zip(self.vocabularies, ANALYZERS, strict=True):
            for row, text in enumerate(texts):
                cols, vals = vocabulary.vector(analyze(text))
                rows.append(np.full(len(cols), row))
                columns.append(cols + offset)
                values.append(vals)
            offset += len(vocabulary.grams)
        return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
                                 shape=(len(texts), offset), dtype=np.float32)

    def predict(self, texts: list[str]) -> np.ndarray:
        """[n, classes] probabilities."""
        logits = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):  # gathering a few hundred weight rows beats building a sparse matrix
            for offset, (vocabulary, analyze) in zip(self.offsets, zip(self.vocabularies, ANALYZERS, strict=True),
                                                     strict=True):
                columns, values = vocabulary.vector(analyze(text))
                logits[row] += values @ self.weights[columns + offset]
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def fit(cls, texts: list[str], labels: list[int], classes: int, c: float, char_min_count: int = 2
            ) -> LexicalModel:
        from sklearn.linear_model import LogisticRegression

        vocabularies = [Vocabulary.fit([analyze(t) for t in texts], min_count)
                        for analyze, min_count in zip(ANALYZERS, (1, char_min_count), strict=True)]
        model = cls(vocabularies, np.zeros((0, classes)), np.zeros(classes))
        regression = LogisticRegression(C=c, max_iter=5000).fit(model.features(texts), labels)
        coef, bias = regression.coef_, regression.intercept_
        if len(regression.classes_) == 2:  # one logit for two classes: the second one's, against the first
            coef, bias = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], bias])
        weights = np.zeros((coef.shape[1], classes), dtype=np.float32)
        intercept = np.full(classes, -1e4, dtype=np.float32)  # a class with no training row is never chosen
        weights[:, regression.classes_], intercept[regression.classes_] = coef.T, bias
        return cls(vocabularies, weights, intercept)

    def save(self, directory: Path) -> None:
        from safetensors.numpy import save_file

        save_file({"weights": self.weights, "intercept": self.intercept,
                   **{f"idf{i}": v.idf for i, v in enumerate(self.vocabularies)}}, str(directory / LEXICAL_FILE))
        (directory / LEXICAL_VOCABULARY).write_text(json.dumps([v.grams for v in self.vocabularies]))

    @classmethod
    def load(cls, directory: Path) -> LexicalModel | None:
        from safetensors.numpy import load_file

        if not (directory / LEXICAL_FILE).is_file():
            return None
        stored = load_file(str(directory / LEXICAL_FILE))
        grams = json.loads((directory / LEXICAL_VOCABULARY).read_text())
        return cls([Vocabulary(g, stored[f"idf{i}"]) for i, g in enumerate(grams)], stored["weights"],
                   stored["intercept"])

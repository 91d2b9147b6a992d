"""Exact and near-duplicate removal.

Exact: a hash of the normalised text (case, punctuation and spacing ignored). Near: MinHash signatures
over word shingles with locality-sensitive hashing in bands; a candidate pair is a duplicate when its
estimated Jaccard similarity reaches the threshold. The first document of a group is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

_WORDS = re.compile(r"\w+")
_PRIME = np.uint64((1 << 31) - 1)  # hash values < 2**32 and a < 2**31: a*h + b stays below 2**64


def normalized(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def exact_key(text: str) -> str:
    return hashlib.sha1(normalized(text).encode()).hexdigest()


def shingles(text: str, size: int = 3) -> set[str]:
    words = normalized(text).split()
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class MinHasher:
    num_perm: int = 64
    seed: int = 1

    _a: np.ndarray = field(init=False, repr=False, compare=False)
    _b: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        object.__setattr__(self, "_a", rng.integers(1, int(_PRIME), self.num_perm, dtype=np.uint64))
        object.__setattr__(self, "_b", rng.integers(0, int(_PRIME), self.num_perm, dtype=np.uint64))

    def signature(self, features: set[str]) -> np.ndarray:
        if not features:
            return np.full(self.num_perm, int(_PRIME), dtype=np.uint64)
        hashes = np.array([int.from_bytes(hashlib.blake2b(f.encode(), digest_size=4).digest(), "little")
                           for f in features], dtype=np.uint64)
        values = (np.outer(hashes, self._a) + self._b) % _PRIME  # (features, perms)
        return values.min(axis=0)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


@dataclass(frozen=True)
class DedupeReport:
    kept: list[int]
    exact_duplicates: int
    near_duplicates: int


def dedupe(texts: list[str], threshold: float = 0.8, num_perm: int = 64, bands: int = 16,
           shingle_size: int = 3, seed: int = 1) -> DedupeReport:
    """Indices of the texts to keep, in order."""
    if num_perm % bands:
        raise ValueError("num_perm must be a multiple of bands")
    rows = num_perm // bands
    seen_exact: set[str] = set()
    hasher = MinHasher(num_perm, seed)
    buckets: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]
    signatures: dict[int, np.ndarray] = {}
    kept: list[int] = []
    exact = near = 0
    for index, text in enumerate(texts):
        key = exact_key(text)
        if key in seen_exact:
            exact += 1
            continue
        seen_exact.add(key)
        signature = hasher.signature(shingles(text, shingle_size))
        candidates: set[int] = set()
        band_keys = [signature[b * rows:(b + 1) * rows].tobytes() for b in range(bands)]
        for band, band_key in enumerate(band_keys):
            candidates.update(buckets[band].get(band_key, ()))
        if any(estimated_jaccard(signature, signatures[c]) >= threshold for c in candidates):
            near += 1
            continue
        signatures[index] = signature
        for band, band_key in enumerate(band_keys):
            buckets[band].setdefault(band_key, []).append(index)
        kept.append(index)
    return DedupeReport(kept, exact, near)

"""The knowledge base as data (YAML): items with provenance, and the structured facts the
eligibility check evaluates (products, credit bands, rules). Validated as a whole on load, so a
bad file stops `seatcopilot kg load` and the service with every problem listed."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.retrieval.entities import STATE_CODES

KINDS = ("PRODUCT", "FAQ", "SCRIPT", "POLICY", "REGULATION", "OBJECTION_HANDLER")
SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")
STAGES = ("opening", "verification", "discovery", "resolution", "closing")
ATTRIBUTES = ("annual_income", "debt_to_income", "credit_score", "state", "amount", "term_months")
SPOKEN_KINDS = ("SCRIPT", "OBJECTION_HANDLER")


class KnowledgeError(ValueError):
    """The knowledge base file is malformed."""


def content_hash(fact: Any) -> str:
    """Of a dataclass fact's fields."""
    return hashlib.sha256(json.dumps(asdict(fact), sort_keys=True).encode()).hexdigest()[:16]


class Fact:
    """A fact of the knowledge base: what changed is told by its content hash."""

    @property
    def content_hash(self) -> str:
        return content_hash(self)


@dataclass(frozen=True)
class KnowledgeRecord(Fact):
    id: str
    kind: str
    title: str
    text: str
    scenarios: tuple[str, ...]
    intents: tuple[str, ...]
    products: tuple[str, ...]
    regulations: tuple[str, ...]
    source: str
    version: str
    effective_date: str
    stages: tuple[str, ...] = ()
    states: tuple[str, ...] = ()  # said only to customers living in these states (empty: any state)


@dataclass(frozen=True)
class ProductFacts(Fact):
    key: str
    name: str
    item: str
    apr_min: float
    apr_max: float
    amount_min: float
    amount_max: float
    terms_months: tuple[int, ...]
    fees: tuple[tuple[str, float], ...]
    source: str
    version: str
    effective_date: str
    # Revolving products: the minimum monthly payment is this share of the balance, at least min_payment.
    min_payment_pct: float = 0.0
    min_payment: float = 0.0
    # The APR the rate sheet quotes in its worked example: what a payment figure is computed at before the
    # credit review (0: none quoted).
    representative_apr: float = 0.0


@dataclass(frozen=True)
class CreditBand(Fact):
    id: str
    name: str
    score_min: int
    score_max: int
    apr: tuple[tuple[str, float, float], ...]  # (product key, APR low, APR high)
    source: str
    version: str
    effective_date: str

    def apr_for(self, product: str) -> tuple[float, float] | None:
        return next(((low, high) for key, low, high in self.apr if key == product), None)


@dataclass(frozen=True)
class EligibilityRule(Fact):
    id: str
    title: str
    attribute: str
    products: tuple[str, ...]
    stated_in: str
    source: str
    version: str
    effective_date: str
    min: float | None = None
    max: float | None = None
    one_of: tuple[float, ...] = ()
    not_in: tuple[str, ...] = ()
    only_if_stated: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    items: tuple[KnowledgeRecord, ...]
    products: tuple[ProductFacts, ...] = ()
    bands: tuple[CreditBand, ...] = ()
    rules: tuple[EligibilityRule, ...] = ()
    by_id: dict[str, KnowledgeRecord] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({item.id: item for item in self.items})

    @property
    def product_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.products)


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise KnowledgeError(f"{entry.get('id', entry.get('key', '?'))}: {key} must be a list")
    return tuple(sorted(str(v) for v in value))  # sorted: the graph gives links back unordered


def _provenance(entry: dict[str, Any]) -> dict[str, str]:
    return {"source": str(entry["source"]), "version": str(entry["version"]),
            "effective_date": str(entry["effective_date"])}


def _record(entry: dict[str, Any]) -> KnowledgeRecord:
    return KnowledgeRecord(
        id=str(entry["id"]), kind=str(entry["kind"]), title=str(entry["title"]), text=str(entry["text"]),
        scenarios=_strings(entry, "scenarios"), intents=_strings(entry, "intents"),
        products=_strings(entry, "products"), regulations=_strings(entry, "regulations"),
        stages=_strings(entry, "stages"), states=_strings(entry, "states"), **_provenance(entry),
    )


def _product(entry: dict[str, Any]) -> ProductFacts:
    fees = entry.get("fees") or {}
    return ProductFacts(
        key=str(entry["key"]), name=str(entry["name"]), item=str(entry["item"]),
        apr_min=float(entry["apr_min"]), apr_max=float(entry["apr_max"]),
        amount_min=float(entry["amount_min"]), amount_max=float(entry["amount_max"]),
        terms_months=tuple(int(t) for t in entry.get("terms_months") or ()),
        fees=tuple(sorted((str(k), float(v)) for k, v in fees.items())),
        min_payment_pct=float(entry.get("min_payment_pct", 0)), min_payment=float(entry.get("min_payment", 0)),
        representative_apr=float(entry.get("representative_apr", 0)), **_provenance(entry),
    )


def _band(entry: dict[str, Any]) -> CreditBand:
    apr = tuple(sorted((str(key), float(low), float(high)) for key, (low, high) in (entry.get("apr") or {}).items()))
    return CreditBand(id=str(entry["id"]), name=str(entry["name"]), score_min=int(entry["score_min"]),
                      score_max=int(entry["score_max"]), apr=apr, **_provenance(entry))


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _rule(entry: dict[str, Any]) -> EligibilityRule:
    return EligibilityRule(
        id=str(entry["id"]), title=str(entry["title"]), attribute=str(entry["attribute"]),
        products=_strings(entry, "products"), stated_in=str(entry["stated_in"]),
        min=_optional_float(entry.get("min")), max=_optional_float(entry.get("max")),
        one_of=tuple(float(v) for v in entry.get("one_of") or ()), not_in=_strings(entry, "not_in"),
        only_if_stated=bool(entry.get("only_if_stated", False)), **_provenance(entry),
    )


def _parse(entries: Any, build: Any, section: str, path: Path) -> list[Any]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise KnowledgeError(f"{path}: {section} must be a list")
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{path}: every entry of {section} must be a mapping")
        try:
            parsed.append(build(entry))
        except KeyError as missing:
            name = entry.get("id", entry.get("key", "?"))
            raise KnowledgeError(f"{path}: {section} entry {name} lacks {missing}") from missing
        except (TypeError, ValueError) as error:
            name = entry.get("id", entry.get("key", "?"))
            raise KnowledgeError(f"{path}: {section} entry {name}: {error}") from error
    return parsed


def _date_problem(name: str, value: str) -> list[str]:
    try:
        datetime.date.fromisoformat(value)
        return []
    except ValueError:
        return [f"{name}: effective_date {value!r} is not an ISO date"]


def _item_problems(item: KnowledgeRecord, kb: KnowledgeBase) -> list[str]:
    problems = []
    if item.kind not in KINDS:
        problems.append(f"item {item.id} has unknown kind {item.kind}")
    if not item.scenarios or not set(item.scenarios) <= set(SCENARIOS):
        problems.append(f"item {item.id}: scenarios must be a non-empty subset of {SCENARIOS}")
    if not set(item.stages) <= set(STAGES):
        problems.append(f"item {item.id}: stages must be within {STAGES}")
    if not set(item.states) <= STATE_CODES:
        problems.append(f"item {item.id}: states must be two-letter US state codes")
    if item.kind in SPOKEN_KINDS and not item.stages:
        problems.append(f"item {item.id}: a {item.kind} needs the call stages it is for")
    if kb.products and not set(item.products) <= set(kb.product_keys):
        problems.append(f"item {item.id}: unknown products {sorted(set(item.products) - set(kb.product_keys))}")
    for regulation in item.regulations:
        if kb.by_id.get(regulation) is None or kb.by_id[regulation].kind != "REGULATION":
            problems.append(f"item {item.id}: {regulation} is not a REGULATION item")
    return problems


def _rule_problems(rule: EligibilityRule, kb: KnowledgeBase) -> list[str]:
    problems = []
    if rule.attribute not in ATTRIBUTES:
        problems.append(f"rule {rule.id}: attribute must be one of {ATTRIBUTES}")
    if rule.min is None and rule.max is None and not rule.one_of and not rule.not_in:
        problems.append(f"rule {rule.id}: needs min, max, one_of or not_in")
    if rule.not_in and rule.attribute != "state":
        problems.append(f"rule {rule.id}: not_in applies to state only")
    if not rule.products or not set(rule.products) <= set(kb.product_keys):
        problems.append(f"rule {rule.id}: products must be a non-empty subset of {kb.product_keys}")
    if rule.stated_in not in kb.by_id:
        problems.append(f"rule {rule.id}: stated_in {rule.stated_in} is not an item")
    return problems


def validate(kb: KnowledgeBase) -> list[str]:
    """Every problem in the knowledge base; an empty list when it is sound."""
    problems: list[str] = []
    ids: set[str] = set()
    facts: list[KnowledgeRecord | CreditBand | EligibilityRule] = [*kb.items, *kb.bands, *kb.rules]
    for fact in facts:
        if fact.id in ids:
            problems.append(f"duplicate id {fact.id}")
        ids.add(fact.id)
    if len(set(kb.product_keys)) != len(kb.products):
        problems.append("duplicate product key")
    provenance: list[KnowledgeRecord | CreditBand | EligibilityRule | ProductFacts] = [*facts, *kb.products]
    for record in provenance:
        name = str(getattr(record, "id", None) or getattr(record, "key", "?"))
        if not (record.source and record.version and record.effective_date):
            problems.append(f"{name}: source, version and effective_date are required")
        problems += _date_problem(name, record.effective_date)
    for item in kb.items:
        problems += _item_problems(item, kb)
    for product in kb.products:
        if product.item not in kb.by_id:
            problems.append(f"product {product.key}: item {product.item} does not exist")
    for band in kb.bands:
        if not {key for key, _, _ in band.apr} <= set(kb.product_keys):
            problems.append(f"band {band.id}: APR for an unknown product")
    for rule in kb.rules:
        problems += _rule_problems(rule, kb)
    return problems


def load_knowledge_base(path: Path) -> KnowledgeBase:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: expected a mapping with items, products, credit_bands, rules")
    kb = KnowledgeBase(
        version=str(data.get("version", "0")),
        items=tuple(_parse(data.get("items"), _record, "items", path)),
        products=tuple(_parse(data.get("products"), _product, "products", path)),
        bands=tuple(_parse(data.get("credit_bands"), _band, "credit_bands", path)),
        rules=tuple(_parse(data.get("rules"), _rule, "rules", path)),
    )
    problems = validate(kb)
    if problems:
        raise KnowledgeError(f"{path}: " + "; ".join(problems))
    return kb


def load_knowledge(path: Path) -> list[KnowledgeRecord]:
    """The items alone (what ranking and the vector index use)."""
    return list(load_knowledge_base(path).items)

from seatcopilot.contracts.classification.v1 import classification_pb2 as _classification_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RuleOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_OUTCOME_UNSPECIFIED: _ClassVar[RuleOutcome]
    RULE_OUTCOME_PASS: _ClassVar[RuleOutcome]
    RULE_OUTCOME_FAIL: _ClassVar[RuleOutcome]
    RULE_OUTCOME_UNKNOWN: _ClassVar[RuleOutcome]

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_ELIGIBLE: _ClassVar[Decision]
    DECISION_NOT_ELIGIBLE: _ClassVar[Decision]
    DECISION_UNDETERMINED: _ClassVar[Decision]
RULE_OUTCOME_UNSPECIFIED: RuleOutcome
RULE_OUTCOME_PASS: RuleOutcome
RULE_OUTCOME_FAIL: RuleOutcome
RULE_OUTCOME_UNKNOWN: RuleOutcome
DECISION_UNSPECIFIED: Decision
DECISION_ELIGIBLE: Decision
DECISION_NOT_ELIGIBLE: Decision
DECISION_UNDETERMINED: Decision

class KnowledgeItem(_message.Message):
    __slots__ = ("id", "kind", "title", "text", "source", "version", "effective_date", "score", "matched_by", "node_ids", "regulation_ids", "tokens")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_BY_FIELD_NUMBER: _ClassVar[int]
    NODE_IDS_FIELD_NUMBER: _ClassVar[int]
    REGULATION_IDS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    title: str
    text: str
    source: str
    version: str
    effective_date: str
    score: float
    matched_by: _containers.RepeatedScalarFieldContainer[str]
    node_ids: _containers.RepeatedScalarFieldContainer[str]
    regulation_ids: _containers.RepeatedScalarFieldContainer[str]
    tokens: int
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., source: _Optional[str] = ..., version: _Optional[str] = ..., effective_date: _Optional[str] = ..., score: _Optional[float] = ..., matched_by: _Optional[_Iterable[str]] = ..., node_ids: _Optional[_Iterable[str]] = ..., regulation_ids: _Optional[_Iterable[str]] = ..., tokens: _Optional[int] = ...) -> None: ...

class CustomerAttributes(_message.Message):
    __slots__ = ("annual_income", "monthly_debt", "credit_score", "state", "amount", "term_months", "debt_to_income", "products")
    ANNUAL_INCOME_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_DEBT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_SCORE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    DEBT_TO_INCOME_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    annual_income: float
    monthly_debt: float
    credit_score: int
    state: str
    amount: float
    term_months: int
    debt_to_income: float
    products: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, annual_income: _Optional[float] = ..., monthly_debt: _Optional[float] = ..., credit_score: _Optional[int] = ..., state: _Optional[str] = ..., amount: _Optional[float] = ..., term_months: _Optional[int] = ..., debt_to_income: _Optional[float] = ..., products: _Optional[_Iterable[str]] = ...) -> None: ...

class RuleCheck(_message.Message):
    __slots__ = ("rule_id", "title", "attribute", "outcome", "explanation", "source", "version", "effective_date", "stated_in")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    STATED_IN_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    title: str
    attribute: str
    outcome: RuleOutcome
    explanation: str
    source: str
    version: str
    effective_date: str
    stated_in: str
    def __init__(self, rule_id: _Optional[str] = ..., title: _Optional[str] = ..., attribute: _Optional[str] = ..., outcome: _Optional[_Union[RuleOutcome, str]] = ..., explanation: _Optional[str] = ..., source: _Optional[str] = ..., version: _Optional[str] = ..., effective_date: _Optional[str] = ..., stated_in: _Optional[str] = ...) -> None: ...

class EligibilityResult(_message.Message):
    __slots__ = ("product", "product_name", "decision", "checks", "deciding_rule_ids", "missing_attributes", "summary")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    DECIDING_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    MISSING_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    product: str
    product_name: str
    decision: Decision
    checks: _containers.RepeatedCompositeFieldContainer[RuleCheck]
    deciding_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    missing_attributes: _containers.RepeatedScalarFieldContainer[str]
    summary: str
    def __init__(self, product: _Optional[str] = ..., product_name: _Optional[str] = ..., decision: _Optional[_Union[Decision, str]] = ..., checks: _Optional[_Iterable[_Union[RuleCheck, _Mapping]]] = ..., deciding_rule_ids: _Optional[_Iterable[str]] = ..., missing_attributes: _Optional[_Iterable[str]] = ..., summary: _Optional[str] = ...) -> None: ...

class AnswerPlan(_message.Message):
    __slots__ = ("card_kind", "answer_type", "text", "facts", "sources")
    CARD_KIND_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TYPE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    card_kind: str
    answer_type: str
    text: str
    facts: _containers.RepeatedScalarFieldContainer[str]
    sources: _containers.RepeatedCompositeFieldContainer[KnowledgeItem]
    def __init__(self, card_kind: _Optional[str] = ..., answer_type: _Optional[str] = ..., text: _Optional[str] = ..., facts: _Optional[_Iterable[str]] = ..., sources: _Optional[_Iterable[_Union[KnowledgeItem, _Mapping]]] = ...) -> None: ...

class GroundedEvent(_message.Message):
    __slots__ = ("call", "classified", "items", "degraded", "eligibility", "attributes", "token_budget", "tokens_used", "degraded_reason", "plan")
    CALL_FIELD_NUMBER: _ClassVar[int]
    CLASSIFIED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    TOKENS_USED_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_REASON_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    classified: _classification_pb2.ClassifiedEvent
    items: _containers.RepeatedCompositeFieldContainer[KnowledgeItem]
    degraded: bool
    eligibility: _containers.RepeatedCompositeFieldContainer[EligibilityResult]
    attributes: CustomerAttributes
    token_budget: int
    tokens_used: int
    degraded_reason: str
    plan: AnswerPlan
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., classified: _Optional[_Union[_classification_pb2.ClassifiedEvent, _Mapping]] = ..., items: _Optional[_Iterable[_Union[KnowledgeItem, _Mapping]]] = ..., degraded: _Optional[bool] = ..., eligibility: _Optional[_Iterable[_Union[EligibilityResult, _Mapping]]] = ..., attributes: _Optional[_Union[CustomerAttributes, _Mapping]] = ..., token_budget: _Optional[int] = ..., tokens_used: _Optional[int] = ..., degraded_reason: _Optional[str] = ..., plan: _Optional[_Union[AnswerPlan, _Mapping]] = ...) -> None: ...

class EligibilityRequest(_message.Message):
    __slots__ = ("attributes", "products")
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    attributes: CustomerAttributes
    products: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, attributes: _Optional[_Union[CustomerAttributes, _Mapping]] = ..., products: _Optional[_Iterable[str]] = ...) -> None: ...

class EligibilityResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[EligibilityResult]
    def __init__(self, results: _Optional[_Iterable[_Union[EligibilityResult, _Mapping]]] = ...) -> None: ...

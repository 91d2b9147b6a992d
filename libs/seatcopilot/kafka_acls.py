"""Which topics each service (and each tool) reads and writes, and the Kafka ACLs that allow exactly that.

One table, read by `seatcopilot kafka-acls` (prints the kafka-acls commands, or applies the ACLs with an admin
client), by docs/security.md and by the integration test that runs stages on a broker enforcing ACLs. A unit
test checks it against the topics each service's kafka_adapter consumes and publishes.

Every role's consumer group is `seatcopilot-<role>` (the Faust app id; `seatcopilot.service.serve`), and the
topics it makes itself — state changelogs `<group>-<table>-changelog`, Faust's `<group>-__assignor-__leader` —
start with `seatcopilot-<role>-`: the role gets those by prefix, and nothing else beyond its table row.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seatcopilot.topics import (
    ALERTS,
    ALL,
    AUDIT_ANCHORS,
    CALL_EVENTS,
    CLASSIFIED,
    COMPLIANCE_STATE,
    DEAD_LETTER,
    DRAFTS,
    FEEDBACK,
    GROUNDED,
    INDICATORS,
    MANAGER_REPORTS,
    PLATFORM_TOPICS,
    SUGGESTIONS,
    SUMMARIES,
    TRANSCRIPT,
    Topic,
)


@dataclass(frozen=True)
class Access:
    reads: tuple[Topic, ...] = ()       # consumed in the role's group, or followed (every instance, no group)
    writes: tuple[Topic, ...] = ()
    manages: tuple[Topic, ...] = ()     # created and configured (`seatcopilot topics create`)
    group: bool = True                  # a consumer group and own topics under seatcopilot-<role>
    group_prefixed: bool = False        # one group per run (a random suffix): the group name is a prefix


SERVICES: dict[str, Access] = {
    "intake": Access(reads=(CALL_EVENTS, *PLATFORM_TOPICS), writes=(TRANSCRIPT, DEAD_LETTER)),
    "classifier": Access(reads=(TRANSCRIPT,), writes=(CLASSIFIED, DEAD_LETTER)),
    "retrieval": Access(reads=(CLASSIFIED,), writes=(GROUNDED, DEAD_LETTER)),
    "generation": Access(reads=(TRANSCRIPT, GROUNDED, COMPLIANCE_STATE), writes=(DRAFTS, DEAD_LETTER)),
    "compliance": Access(reads=(TRANSCRIPT, DRAFTS),
                         writes=(SUGGESTIONS, ALERTS, COMPLIANCE_STATE, AUDIT_ANCHORS, DEAD_LETTER)),
    "summarizer": Access(reads=(CLASSIFIED, ALERTS, COMPLIANCE_STATE, FEEDBACK, SUMMARIES),
                         writes=(SUMMARIES, MANAGER_REPORTS, DEAD_LETTER)),
    "indicators": Access(reads=(TRANSCRIPT, ALERTS, SUGGESTIONS, FEEDBACK), writes=(INDICATORS, DEAD_LETTER)),
    "console": Access(reads=(TRANSCRIPT, CLASSIFIED, SUGGESTIONS, ALERTS, SUMMARIES, COMPLIANCE_STATE, INDICATORS,
                             MANAGER_REPORTS), writes=(FEEDBACK, AUDIT_ANCHORS, DEAD_LETTER)),
}
REDRIVABLE = tuple(topic for topic in ALL if topic is not DEAD_LETTER)
TOOLS: dict[str, Access] = {
    "topics": Access(manages=ALL, group=False),                               # seatcopilot topics create
    "deadletter-cli": Access(reads=(DEAD_LETTER,), writes=REDRIVABLE),        # seatcopilot deadletter list/redrive
    "release-check": Access(reads=(SUGGESTIONS,), writes=(CALL_EVENTS,), group_prefixed=True),  # helm test
    "audit-cli": Access(reads=(AUDIT_ANCHORS,), group=False),  # seatcopilot compliance audit verify --anchors-from
    "loadgen": Access(reads=(SUGGESTIONS, DEAD_LETTER), writes=(CALL_EVENTS,), group=False),  # benchmarks
}
ROLES: dict[str, Access] = {**SERVICES, **TOOLS}


@dataclass(frozen=True)
class Rule:
    """One ALLOW ACL: `operation` on resource `kind` (topic, group) named `name` (a prefix when prefixed)."""

    operation: str
    kind: str
    name: str
    prefixed: bool = False


def group_of(role: str) -> str:
    return f"seatcopilot-{role}"


def rules(role: str) -> Iterator[Rule]:
    access = ROLES[role]
    for operation, topics in (("Read", access.reads), ("Write", access.writes)):
        yield from (Rule(operation, "topic", topic.name) for topic in topics)
    for operation in ("Describe", "Create", "DescribeConfigs", "AlterConfigs"):
        yield from (Rule(operation, "topic", topic.name) for topic in access.manages)
    if access.group:
        yield Rule("Read", "group", group_of(role), prefixed=access.group_prefixed)
        yield Rule("All", "topic", f"{group_of(role)}-", prefixed=True)  # its changelogs and Faust's own


def kafka_acls_commands(role: str, principal: str) -> list[str]:
    """kafka-acls.sh commands that grant `principal` what `role` needs (one per operation and resource)."""
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for rule in rules(role):
        grouped.setdefault((rule.operation, rule.kind, rule.prefixed), []).append(rule.name)
    commands = []
    for (operation, kind, prefixed), names in grouped.items():
        pattern = " --resource-pattern-type prefixed" if prefixed else ""
        resources = " ".join(f"--{kind} {name}" for name in names)
        commands.append(f"kafka-acls.sh --bootstrap-server $BOOTSTRAP --command-config admin.properties --add "
                        f"--allow-principal {principal} --operation {operation} {resources}{pattern}")
    return commands


def kafka_python_acls(role: str, principal: str) -> list[Any]:
    """The same rules as kafka-python ACL objects, for KafkaAdminClient.create_acls."""
    from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType

    operations = {"Read": ACLOperation.READ, "Write": ACLOperation.WRITE, "Describe": ACLOperation.DESCRIBE,
                  "Create": ACLOperation.CREATE,
                  "DescribeConfigs": ACLOperation.DESCRIBE_CONFIGS, "AlterConfigs": ACLOperation.ALTER_CONFIGS,
                  "All": ACLOperation.ALL}
    kinds = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
    return [ACL(principal, "*", operations[rule.operation], ACLPermissionType.ALLOW,
                ResourcePattern(kinds[rule.kind], rule.name,
                                ACLResourcePatternType.PREFIXED if rule.prefixed else ACLResourcePatternType.LITERAL))
            for rule in rules(role)]


def apply(admin: Any, role: str, principal: str, timeout_s: float = 15.0) -> int:
    """Creates the role's ACLs for `principal` with a kafka-python KafkaAdminClient (idempotent) and waits until the
    broker's authorizer has them (they reach it through the metadata log); returns how many."""
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePatternFilter,
        ResourceType,
    )

    acls = kafka_python_acls(role, principal)
    result = admin.create_acls(acls)
    if result["failed"]:
        failures = ", ".join(f"{acl.resource_pattern.resource_name}: {error}" for acl, error in result["failed"])
        raise RuntimeError(f"ACLs for {principal} ({role}) were refused: {failures}")
    wanted = {str(acl) for acl in acls}
    everything = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
    query = ACLFilter(principal, "*", ACLOperation.ANY, ACLPermissionType.ANY, everything)
    deadline = time.monotonic() + timeout_s
    while not wanted <= {str(acl) for acl in admin.describe_acls(query)[0]}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the broker did not show the ACLs for {principal} within {timeout_s:.0f} s")
        time.sleep(0.2)
    return len(acls)

"""Kafka client security settings: validated once, the password kept out of reprs and logs, one meaning for every
client library; and the per-role ACL table matches what each service's Kafka adapter consumes and publishes.
(The broker side — SCRAM over TLS, ACLs enforced — is tested on a real broker: tests/integration/
test_kafka_security.py.)"""

import re
import ssl

import pytest
from seatcopilot import kafka_acls, topics
from seatcopilot.config import ConfigError
from seatcopilot.grpc_tls import make_dev_ca
from seatcopilot.transport.kafka_security import client_options, faust_options, kafka_security

from tests.helpers import ROOT


@pytest.fixture
def secured(tmp_path):
    tls = make_dev_ca(tmp_path / "tls")
    (tmp_path / "password").write_text("s3cret-pass\n")
    return {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "compliance",
            "KAFKA_SASL_PASSWORD_FILE": str(tmp_path / "password"), "KAFKA_SSL_CAFILE": str(tls / "ca.crt")}


def test_plaintext_by_default_adds_nothing_but_the_protocol():
    settings = kafka_security({})
    assert client_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_options(settings) == {}


def test_sasl_ssl_gives_every_library_the_same_credentials_and_a_verifying_tls_context(secured):
    settings = kafka_security(secured)
    options = client_options(settings)
    assert {k: v for k, v in options.items() if k != "ssl_context"} == {
        "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "compliance", "sasl_plain_password": "s3cret-pass"}  # the file's, newline dropped
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    credentials = faust_options(settings)["broker_credentials"]
    assert (credentials.protocol.value, credentials.mechanism.value) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (credentials.username, credentials.password, credentials.ssl_context) == (
        "compliance", "s3cret-pass", context)


def test_the_password_is_never_in_the_settings_repr(secured):
    settings = kafka_security({**secured, "KAFKA_SASL_PASSWORD_FILE": "", "KAFKA_SASL_PASSWORD": "s3cret-pass"})
    assert settings.password == "s3cret-pass"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(faust_options(settings))


@pytest.mark.parametrize(("change", "problem"), [
    ({"KAFKA_SASL_USERNAME": ""}, "needs KAFKA_SASL_USERNAME"),
    ({"KAFKA_SASL_PASSWORD_FILE": ""}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
    ({"KAFKA_SASL_PASSWORD": "also"}, "not both"),
    ({"KAFKA_SASL_PASSWORD_FILE": "/nonexistent/password"}, "cannot be read"),
    ({"KAFKA_SSL_CAFILE": "/nonexistent/ca.crt"}, "is not a file"),
    ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "must be one of PLAINTEXT, SASL_SSL"),
    ({"KAFKA_SASL_MECHANISM": "PLAIN"}, "must be one of SCRAM-SHA-512, SCRAM-SHA-256"),
])
def test_bad_settings_fail_at_start_with_the_variable_named(secured, change, problem):
    with pytest.raises(ConfigError, match=problem):
        kafka_security({**secured, **change})


def _adapter_topics(service: str) -> tuple[set[str], set[str]]:
    """Topic constants the service's Kafka code consumes / follows, and publishes (read from its source)."""
    source = "".join(path.read_text() for path in (ROOT / "services" / service).glob("*.py"))
    names = {name: topic.name for name, topic in vars(topics).items() if isinstance(topic, topics.Topic)}
    reads = {names[n] for n in re.findall(r"io\.(?:consume|consume_bytes|follow)\(\s*([A-Z_]+)", source) if n in names}
    writes = {names[n] for n in re.findall(r"io\.publish\(\s*([A-Z_]+)", source) if n in names}
    if "keep_anchored_while_serving(" in source:  # the audit log's heads, published by seatcopilot.audit_log
        writes.add(topics.AUDIT_ANCHORS.name)
    return reads, writes


@pytest.mark.parametrize("service", sorted(kafka_acls.SERVICES))
def test_each_services_acls_cover_exactly_what_its_adapter_reads_and_writes(service):
    reads, writes = _adapter_topics(service)
    if service == "intake":  # platform topics are consumed through their adapters' topics (a loop)
        reads |= {topic.name for topic in topics.PLATFORM_TOPICS}
    access = kafka_acls.SERVICES[service]
    assert {t.name for t in access.reads} == reads
    assert {t.name for t in access.writes} == writes | {topics.DEAD_LETTER.name}  # every stage dead-letters


def test_every_service_directory_has_its_acls():
    stages = {path.parent.name for path in (ROOT / "services").glob("*/kafka_adapter.py")}
    assert stages == set(kafka_acls.SERVICES)


def test_a_roles_own_topics_and_group_are_its_prefix_only():
    commands = kafka_acls.kafka_acls_commands("compliance", "User:compliance")
    assert any("--operation All --topic seatcopilot-compliance- --resource-pattern-type prefixed" in c
               for c in commands)
    assert any("--operation Read --group seatcopilot-compliance" in c and "prefixed" not in c for c in commands)
    assert any("--operation Write" in c and "--topic seatcopilot.suggestions.v1" in c for c in commands)
    assert not any("--topic seatcopilot.drafts.v1" in c and "Write" in c for c in commands)


def _short(names: list[str]) -> str:
    platform = {topic.name for topic in topics.PLATFORM_TOPICS}
    shown = [n for n in names if n not in platform] + (["platform.*"] if platform <= set(names) else [])
    return ", ".join(f"`{n.removeprefix('seatcopilot.').removesuffix('.v1')}`" for n in shown) or "—"


def acl_table() -> str:
    """docs/security.md's table of ACLs per role, from seatcopilot.kafka_acls (the test keeps the two equal)."""
    rows = ["| role | principal | reads | writes | consumer group | own topics (prefixed, All) |",
            "|---|---|---|---|---|---|"]
    for role, access in kafka_acls.ROLES.items():
        if access.manages:
            reads, writes = "—", f"creates and configures every pipeline topic ({len(access.manages)})"
        else:
            reads, writes = _short([t.name for t in access.reads]), _short([t.name for t in access.writes])
            if access.writes == kafka_acls.REDRIVABLE:
                writes = "every pipeline topic but `dead-letter` (re-drive)"
        group, own = "—", "—"
        if access.group:
            group = f"`{kafka_acls.group_of(role)}`" + (" (prefixed)" if access.group_prefixed else "")
            own = f"`{kafka_acls.group_of(role)}-`"
        rows.append(f"| {role} | `User:{role}` | {reads} | {writes} | {group} | {own} |")
    return "\n".join(rows)


def test_the_security_docs_show_the_acl_table_of_the_code():
    docs = (ROOT / "docs" / "security.md").read_text()
    assert acl_table() in docs, "docs/security.md's ACL table differs from seatcopilot.kafka_acls:\n" + acl_table()

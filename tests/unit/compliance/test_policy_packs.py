"""Policy packs as data: one file, a pack directory with scenario files, a catalog of tenants,
extension with overrides, and clear errors for malformed packs."""

import textwrap

import pytest
from seatcopilot.policy import DEFAULT_POLICY, PolicyError, load_policies, load_policy

PACK = """\
policy_id: test-pack
version: "3"
tenant: {tenant}
{extra}
"""
RULES = """\
scenarios: [SALES]
rules:
  - id: R-ONE
    family: misleading_claims
    applies_to: [OPERATOR, DRAFT]
    severity: HIGH
    phrases: ["guaranteed approval"]
    remedy: REWRITE
  - id: R-TWO
    family: misleading_claims
    scenarios: [SALES, SERVICE]
    applies_to: [DRAFT]
    severity: LOW
    phrases: ["no fees"]
    remedy: ALERT
"""


def write_pack(directory, tenant="acme", extra="", files=None):
    directory.mkdir(parents=True)
    (directory / "pack.yaml").write_text(PACK.format(tenant=tenant, extra=extra))
    for name, body in (files or {"sales.yaml": RULES}).items():
        (directory / name).write_text(textwrap.dedent(body))
    return directory


def test_the_bundled_catalog_has_a_pack_per_tenant():
    catalog = load_policies()
    assert sorted(catalog) == ["harbor", "lakeshore"]
    harbor = catalog["harbor"]
    assert load_policy(DEFAULT_POLICY).label == harbor.label == "harbor-default@2"
    assert {r.id for r in catalog["lakeshore"].rules} - {r.id for r in harbor.rules} == {"NCUA-INSURANCE-MISSTATEMENT"}
    for scenario in ("SALES", "SERVICE", "COLLECTIONS"):
        assert any(scenario in r.scenarios for r in harbor.rules)
    assert {o.id for o in harbor.triggered_obligations} == {"CEASE-CONTACT-ACK"}
    assert all(o.triggered_by == "" for o in harbor.obligations)


def test_a_scenario_file_sets_the_default_scenarios_of_its_entries(tmp_path):
    policy = load_policy(write_pack(tmp_path / "acme"))
    rules = {r.id: r for r in policy.rules}
    assert rules["R-ONE"].scenarios == ("SALES",)
    assert rules["R-TWO"].scenarios == ("SALES", "SERVICE")


def test_an_extending_pack_replaces_and_disables_its_bases_entries(tmp_path):
    write_pack(tmp_path / "base", tenant="base")
    override = """\
    scenarios: [SALES]
    rules:
      - id: R-ONE
        family: misleading_claims
        applies_to: [OPERATOR]
        severity: CRITICAL
        phrases: ["sure thing"]
        remedy: BLOCK
    """
    write_pack(tmp_path / "child", tenant="child", extra="extends: base\ndisabled: [R-TWO]",
               files={"sales.yaml": override})
    catalog = load_policies(tmp_path)
    child = {r.id: r for r in catalog["child"].rules}
    assert list(child) == ["R-ONE"] and child["R-ONE"].severity == "CRITICAL"
    assert {r.id for r in catalog["base"].rules} == {"R-ONE", "R-TWO"}


def test_a_single_file_is_still_a_pack(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(PACK.format(tenant="solo", extra="") + RULES)
    assert list(load_policies(path)) == ["solo"]


def test_conditional_rules_are_not_banned_words_for_the_model():
    harbor = load_policies()["harbor"]
    banned = harbor.banned_phrases("COLLECTIONS")
    assert "arrest you" in banned
    assert "promise to pay" not in banned and "still owe" not in banned  # only after a cease-contact request


@pytest.mark.parametrize("body, message", [
    (RULES.replace("phrases:", "phrase:", 1), "unknown rule keys ['phrase']"),
    (RULES.replace("remedy: ALERT", "remedy: SHOUT"), "remedy must be one of"),
    (RULES.replace('["no fees"]', '["no fees"]\n    patterns: ["(unclosed"]'), "bad pattern"),
    (RULES.replace("remedy: ALERT", "remedy: ALERT\n    when: [NOPE]"), "unknown signals ['NOPE']"),
    (RULES.replace("R-TWO", "R-ONE"), "R-ONE: ids used twice in one pack"),
    ("calling_hours:\n  - {id: H, severity: HIGH, earliest: '08:00', latest: '21:00', timezones: [Mars/Base]}\n",
     "unknown time zone"),
    ("obligations:\n  - {id: O, severity: HIGH, disclosure_text: x}\n", "needs due_within_operator_turns"),
])
def test_a_malformed_pack_is_refused_with_the_reason(tmp_path, body, message):
    directory = write_pack(tmp_path / "acme", files={"sales.yaml": body})
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_policy(directory)


def test_two_packs_for_one_tenant_and_an_empty_catalog_are_refused(tmp_path):
    write_pack(tmp_path / "a", tenant="same")
    write_pack(tmp_path / "b", tenant="same")
    with pytest.raises(PolicyError, match="its own tenant"):
        load_policies(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(PolicyError, match="no policy pack"):
        load_policies(tmp_path / "empty")
    with pytest.raises(PolicyError, match="not a pack"):
        load_policy(tmp_path)

"""The provision registry and the ruleset's catalogue, checked for every built-in ruleset.

Why beside the loader's own checks: the loader refuses a rule citing an unknown provision, but
these tests say so as a property of the *shipped* data, and they also pin what the loader does not
check — that each provision has both paraphrases and a source, and that the contract's output ids
(``shared/contract.md``, copied below because outside programs rely on them) all exist.
"""

from __future__ import annotations

from collections import Counter

import pytest

from conduct_rules import Ruleset, available_rulesets, load_ruleset
from conduct_rules.rules.ruleset import _builtin_dir
from conduct_rules.rules.yaml_reader import read_yaml

#: The public contract's output identifiers (shared/contract.md, "Output identifiers").
CONTRACT_ACTIONS = {
    "continue_services",
    "end_services",
    "refer_client",
    "transfer_with_summary",
    "termination_session_in_person",
    "termination_session_remote",
    "end_by_written_notice",
    "seek_court_direction",
}
CONTRACT_SAFEGUARDS = {
    "arrange_alternative_services",
    "reasonable_opportunity",
    "termination_session_efforts",
    "several_referrals",
    "support_to_connect",
    "legal_advice",
    "court_direction",
    "supervision_or_consultation",
    "remote_session_for_safety",
    "client_consent_for_transfer",
    "document_process",
}
CONTRACT_DOCUMENTATION = {
    "decision_rationale",
    "consultations",
    "alternatives_and_referrals",
    "contact_attempts",
    "termination_session",
    "legal_advice",
    "safety_concerns",
    "written_notice",
    "client_consent",
}
CONTRACT_FINDINGS = {
    "discontinued_needed_services",
    "no_termination_session_efforts",
    "service_not_likely_to_benefit",
    "disclosure_without_consent",
}
CONTRACT_VERDICTS = {"not_permitted", "conditional", "permitted"}

RULESETS = available_rulesets()


@pytest.fixture(scope="module", params=RULESETS)
def ruleset(request: pytest.FixtureRequest) -> Ruleset:
    return load_ruleset(request.param)


def test_the_ontario_ruleset_ships() -> None:
    assert "ontario" in RULESETS


def test_every_rule_cites_provisions_that_exist(ruleset: Ruleset) -> None:
    for rule in ruleset.rules:
        assert rule.cites, f"rule {rule.id} cites nothing"
        unknown = [c for c in rule.cites if c not in ruleset.provisions]
        assert not unknown, f"rule {rule.id} cites unknown provisions {unknown}"


def test_every_provision_has_both_paraphrases_and_a_source(ruleset: Ruleset) -> None:
    for pid, p in ruleset.provisions.items():
        for what, text in (("en", p.en), ("fr", p.fr), ("source", p.source)):
            assert text.strip(), f"provision {pid} has an empty {what}"
        assert p.en.strip() != p.fr.strip(), f"provision {pid}: the French text is not French"


def test_parameters_cite_provisions_that_exist(ruleset: Ruleset) -> None:
    for name, spec in ruleset.parameters.items():
        assert set(spec.sources) <= set(ruleset.provisions), name


def test_every_provision_is_cited_or_is_a_parent(ruleset: Ruleset) -> None:
    # An uncited, childless provision is dead weight in the registry, or a rule was lost.
    cited = {c for r in ruleset.rules for c in r.cites}
    cited |= {s for p in ruleset.parameters.values() for s in p.sources}
    parents = {p.parent for p in ruleset.provisions.values() if p.parent}
    unused = set(ruleset.provisions) - cited - parents
    # The footnote on "client abandonment" is context for readers, deliberately never a rule.
    assert unused <= {"note-footnote-1"}, sorted(unused)


def test_rule_ids_are_unique_in_the_file() -> None:
    # Read the raw file: the loader already refuses duplicates, so check the data itself too.
    for name in RULESETS:
        raw = read_yaml(_builtin_dir() / name / "rules.yaml", f"{name}/rules.yaml")
        counts = Counter(r["id"] for r in raw["rules"])
        assert [i for i, n in counts.items() if n > 1] == [], name


def test_rule_ids_are_unique_once_loaded(ruleset: Ruleset) -> None:
    ids = [r.id for r in ruleset.rules]
    assert len(ids) == len(set(ids))
    units = [u.name for u in ruleset.units]
    assert len(units) == len(set(units))


def test_the_contract_outputs_are_all_in_the_ontario_ruleset() -> None:
    out = load_ruleset("ontario").outputs
    assert set(out.actions) >= CONTRACT_ACTIONS
    assert set(out.safeguards) >= CONTRACT_SAFEGUARDS
    assert set(out.documentation) >= CONTRACT_DOCUMENTATION
    assert set(out.findings) >= CONTRACT_FINDINGS
    assert set(out.verdicts) == CONTRACT_VERDICTS


def test_every_output_has_texts_in_both_languages(ruleset: Ruleset) -> None:
    out = ruleset.outputs
    groups = (out.actions, out.safeguards, out.documentation, out.findings, out.verdicts)
    for group in groups:
        for item_id, spec in group.items():
            for text in (spec.en, spec.fr, spec.label["en"], spec.label["fr"]):
                assert text.strip(), item_id


def test_exceptions_name_rules_that_exist(ruleset: Ruleset) -> None:
    ids = {r.id for r in ruleset.rules}
    for r in ruleset.rules:
        if r.exception_to is not None:
            assert r.exception_to in ids, r.id

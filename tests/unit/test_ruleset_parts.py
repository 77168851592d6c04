"""``Ruleset``'s user-facing parts (rules/parts.py) say what the ruleset files say.

Why: reports, explanations, the service and the dev tools read a ruleset through these parts
instead of the YAML file models; a part that dropped or mixed up a field would change every
report at once. The files are read here independently (plain YAML) and compared field by field.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from conduct_rules import assess, available_rulesets, load_ruleset
from conduct_rules.rules.parts import OUTPUT_KINDS

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "rulesets").is_dir())
KIND_FILE_KEY = {
    "action": "actions",
    "safeguard": "safeguards",
    "documentation": "documentation",
    "finding": "findings",
    "verdict": "verdicts",
}


def _files(name: str) -> dict[str, Any]:
    folder = ROOT / "rulesets" / name
    return {
        f: yaml.safe_load((folder / f"{f}.yaml").read_text(encoding="utf-8"))
        for f in ("ruleset", "provisions", "outputs")
    }


@pytest.mark.parametrize("name", available_rulesets())
def test_provisions_match_the_registry(name: str) -> None:
    rs = load_ruleset(name)
    registry = _files(name)["provisions"]["provisions"]
    assert list(rs.provisions) == list(registry)
    for pid, entry in registry.items():
        p = rs.provisions[pid]
        assert p.id == pid
        assert (p.en, p.fr, p.source, p.force) == (
            entry["en"].strip(),
            entry["fr"].strip(),
            entry["source"].strip(),
            entry["force"],
        )
        assert p.text("fr") == p.fr
        assert p.text("en") == p.en
        assert p.citation("en") == p.source
        assert p.citation("fr") == (entry.get("source_fr") or entry["source"]).strip()
        short = entry.get("short")
        assert p.short_citation("fr") == (short["fr"].strip() if short else None)


@pytest.mark.parametrize("name", available_rulesets())
def test_parameters_metadata_and_derived_facts_match_the_header(name: str) -> None:
    rs = load_ruleset(name)
    header = _files(name)["ruleset"]
    params = header.get("parameters", {})
    assert list(rs.parameters) == list(params)
    for pname, spec in params.items():
        got = rs.parameters[pname]
        expected = (pname, spec["default"], tuple(spec["sources"]))
        assert (got.name, got.default, got.sources) == expected
        assert rs.parameter_values[pname] == spec["default"]
        assert set(got.sources) <= set(rs.provisions)
    meta = rs.metadata
    assert (meta.id, meta.version, meta.as_of) == (header["id"], header["version"], header["as_of"])
    assert (meta.id, meta.version) == (rs.id, rs.version)
    assert meta.title_in("fr") == header["title"]["fr"].strip()
    assert meta.languages == ("en", "fr")
    assert [e.id for e in meta.editions] == [e["id"] for e in header.get("editions", [])]
    caveat = header.get("caveat")
    assert meta.caveat_in("en") == (caveat["en"].strip() if caveat else None)
    assert list(rs.derived) == list(header.get("derived", {}))
    assert rs.actionable == tuple(header.get("actionable", []))
    assert set(rs.levers) == set(header.get("levers", {}))
    assert set(rs.record_fields) == set(header.get("record", {}).get("fields", {}))


@pytest.mark.parametrize("name", available_rulesets())
def test_outputs_list_every_item_in_catalogue_order(name: str) -> None:
    rs = load_ruleset(name)
    outputs = _files(name)["outputs"]
    for kind in OUTPUT_KINDS:
        items = rs.outputs.of_kind(kind)
        assert list(items) == list(outputs[KIND_FILE_KEY[kind]]), kind
        for item_id, entry in outputs[KIND_FILE_KEY[kind]].items():
            item = items[item_id]
            assert (item.kind, item.id) == (kind, item_id)
            assert item.label_in("fr") == entry["label"]["fr"].strip()
            assert item.blocking == bool(entry.get("blocking", False))
            assert rs.output(kind, item_id) is item
            # Every item some rule concludes cites that rule's provisions, all in the registry.
            assert set(item.citations) <= set(rs.provisions)
    assert rs.output("nonsense", "x") is None
    assert len(list(rs.outputs)) == sum(len(rs.outputs.of_kind(k)) for k in OUTPUT_KINDS)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("scenario-*/*.json")), ids=lambda p: p.stem
)
def test_an_assessments_citations_come_from_the_items_citations(path: Path) -> None:
    # An assessed item cites provisions of the rules that concluded it: a subset of all of them.
    rs = load_ruleset("ontario")
    a = assess(json.loads(path.read_text(encoding="utf-8")), ruleset=rs)
    listed = [
        ("safeguard", a.required_safeguards),
        ("action", a.permitted_actions),
        ("documentation", a.missing_documentation),
        ("finding", a.findings),
    ]
    checked = 0
    for kind, items in listed:
        for item in items:
            assert set(item.citations) <= set(rs.outputs.of_kind(kind)[item.id].citations), item.id
            checked += 1
    assert checked > 0


def test_a_ruleset_with_its_parts_survives_pickling() -> None:
    # Worker processes receive the ruleset by pickle: the parts must travel with it.
    rs = load_ruleset("ontario", min_attempts=3)
    back = pickle.loads(pickle.dumps(rs))
    assert back.metadata == rs.metadata
    assert back.provisions == rs.provisions
    assert back.outputs == rs.outputs
    assert back.parameters == rs.parameters
    assert back.parameter_values["min_attempts"] == 3

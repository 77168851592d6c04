"""The C reader of JSON Lines (``audit.fastjson``) changes no row, no count and no rejection.

Its output is compared with the usual path (strict JSON, then the pydantic ``Case``) byte for
byte: the JSON Lines text, the rejected rows handed to the rejected-records file, and the summary
with the order of its counters. The input is generated records with every kind of bad input
(``strategies.hostile_lines``: wrong types and bounds, unknown keys, near-dates, repeated keys in
the text of full and sparse records, colons in ids, NaN, bytes that are not UTF-8, lone
surrogates, raw control characters, non-objects), read through the real file reader (blank
lines, CR line ends, a byte order mark): a few thousand lines in the quick run, 300,000 in the
slow one (100,000 for the second college's ruleset).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from conduct_rules.api import get_ruleset
from conduct_rules.audit import fastjson
from conduct_rules.audit.runner import RowAssessor, render_chunk
from conduct_rules.audit.sources import Chunk, records_from_jsonl
from conduct_rules.audit.tally import Tally
from support.strategies import _RAW_LINES, hostile_lines

pytestmark = pytest.mark.skipif(not fastjson.AVAILABLE, reason="msgspec is not installed")


def _file(tmp_path: Path, lines: list[bytes], seed: int) -> Path:
    """The lines as a file, with what files have: blank lines, CRLF ends, a byte order mark."""
    rng = random.Random(seed)
    parts = [b"\xef\xbb\xbf" + lines[0]]
    for line in lines[1:]:
        if rng.random() < 0.01:
            parts.append(rng.choice((b"", b"   ", b"\t")))
        parts.append(line + (b"\r" if rng.random() < 0.01 else b""))
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join(parts) + b"\n")
    return path


def _audit(path: Path, ruleset: Any, fast: bool) -> tuple[str, list[Any], Any]:
    assessor = RowAssessor(ruleset, "fast")
    if fast:
        assert assessor.fast_rows is not None  # on by default for the standard case
    else:
        assessor.fast_rows = None
    texts: list[str] = []
    rejected: list[Any] = []
    tally = Tally()
    for chunk in records_from_jsonl(path).chunks():
        rendered = render_chunk(assessor, chunk, "jsonl")
        texts.append(rendered.text)
        tally.merge(rendered.tally)
        rejected += [(r, chunk.items[i]) for i, r in rendered.rejected]
    return "".join(texts), rejected, tally.finish(ruleset)


def _differential(tmp_path: Path, n: int, seed: int, ruleset_id: str) -> None:
    lines = hostile_lines(n, seed) + [bytes(line) for line in _RAW_LINES]
    path = _file(tmp_path, lines, seed)
    rs = get_ruleset(ruleset_id)
    got, want = _audit(path, rs, fast=True), _audit(path, rs, fast=False)
    got_lines, want_lines = got[0].splitlines(), want[0].splitlines()
    assert len(got_lines) == len(want_lines) == len(lines)
    for g, w in zip(got_lines, want_lines, strict=True):
        assert g == w
    assert got[1] == want[1]  # the rejected rows, with the bytes the rejected file keeps
    g_sum, w_sum = dataclasses.asdict(got[2]), dataclasses.asdict(want[2])
    assert g_sum == w_sum
    for key, value in w_sum.items():  # and the counters' order (ties keep their first place)
        if isinstance(value, dict):
            assert list(g_sum[key]) == list(value), key
    rejected = w_sum["rejected"]
    assert 0.2 * len(lines) < rejected < 0.6 * len(lines)  # hostile, and mostly assessable
    # The row objects (``assess_many``, CSV, DataFrames, the HTML report) are the same too.
    fast, usual = RowAssessor(rs, "fast"), RowAssessor(rs, "fast")
    usual.fast_rows = None
    usual._validate_json = None
    for chunk in records_from_jsonl(path).chunks():
        assert fast.run(chunk) == usual.run(chunk)


@pytest.mark.parametrize("ruleset_id", ["ontario", "crpo-6.3"])
def test_fast_json_rows_are_the_usual_rows(tmp_path: Path, ruleset_id: str) -> None:
    _differential(tmp_path, 4_000, seed=11, ruleset_id=ruleset_id)


@pytest.mark.slow
@pytest.mark.parametrize(("ruleset_id", "n"), [("ontario", 300_000), ("crpo-6.3", 100_000)])
def test_fast_json_rows_are_the_usual_rows_at_scale(
    tmp_path: Path, ruleset_id: str, n: int
) -> None:
    _differential(tmp_path, n, seed=12, ruleset_id=ruleset_id)


def test_a_column_of_json_texts_gives_the_usual_rows() -> None:
    """Dask's JSON column holds text, not bytes: the C reader takes it too, with the same rows."""
    lines = [line.decode("utf-8", "replace") for line in hostile_lines(3_000, seed=21)]
    lines += ['{"case_id": "S\ud800"}', '{"case_id": "ok", "stage": "ended"}']
    rs = get_ruleset("ontario")
    fast, usual = RowAssessor(rs, "fast"), RowAssessor(rs, "fast")
    usual.fast_rows = None
    usual._validate_json = None
    chunk = Chunk("jsonl", tuple(range(1, len(lines) + 1)), lines)
    assert fast.run(chunk) == usual.run(chunk)
    assert fastjson.FastCases().case(lines[-1]) is not None
    assert fastjson.FastCases().case(lines[-2]) is None


def test_fast_json_takes_most_valid_lines() -> None:
    """The shortcut is taken (a test of the speed path that never ran it would prove nothing)."""
    rs = get_ruleset("ontario")
    assessor = RowAssessor(rs, "fast")
    assert assessor.fast_rows is not None
    lines = hostile_lines(2_000, seed=3, bad_share=0.0)
    cases = fastjson.FastCases()
    taken = sum(cases.case(line) is not None for line in lines)
    assert taken >= 0.9 * len(lines)  # the rest: escapes, repeated keys, raw lines
    rendered = render_chunk(assessor, Chunk("jsonl", tuple(range(1, 2_001)), lines), "jsonl")
    assert rendered.tally.total == 2_000


@pytest.mark.parametrize(
    "line",
    [
        b'{"case_id": "a:b", "case_id": "c"}',
        b'{"case_id": "c", "case_id": "a:b"}',
        b'{"case_id": "x", "services": {"needed": true, "needed": false}}',
        b'{"case_id": "x", "stage": "ended", "st\\u0061ge": "continued"}',
        b'{"case_id": "   "}',
        b'{"case_id": "x", "documented": []}  trailing',
    ],
)
def test_fast_json_gives_up_on_doubtful_lines(line: bytes) -> None:
    assert fastjson.FastCases().case(line) is None


def test_fast_json_counts_keys_of_sparse_and_full_records() -> None:
    cases = fastjson.FastCases()
    assert cases.case(b'{"case_id": "a:b", "stage" : "ended"}') is not None
    full = (
        b'{"case_id": "f", "stage": "ended", "initiated_by": "client", "services": {"needed": '
        b'true, "requested": false, "likely_to_benefit": true}, "client": {"requested_termination"'
        b': false, "withdrew": true, "interested_in_further_treatment": false, '
        b'"informed_of_reasons": null}, "member": {"serious_risk_of_harm": false, "feels_unsafe": '
        b'false, "threats_received": false, "objectivity_impaired": false, "lacks_competence": '
        b'false, "relationship_untenable": false, "good_faith": false, '
        b'"reason_protected_ground": false}, "court_order": {"applies": false, '
        b'"legal_advice_obtained": false, "court_direction_sought": false}, "alternatives": '
        b'{"efforts_made": false, "providers_offered": 0, "client_supported_to_connect": false, '
        b'"opportunity_given": false, "notice_days": null}, "termination_session": {"status": '
        b'"held", "modality": "video", "attempts": [{"channel": "email", "date": "2024-01-02"}]}, '
        b'"consultation": {"supervision": false, "college": false, "legal": false}, "transfer": '
        b'{"summary_to_new_provider": false, "client_consent": false}, "documented": []}'
    )
    case = cases.case(full)
    assert case is not None
    assert case.termination_session.attempts[0].channel == "email"
    repeated = full.replace(b'"withdrew": true', b'"withdrew": true, "withdrew": true')
    assert cases.case(repeated) is None


def test_a_model_the_structs_no_longer_mirror_turns_the_reader_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A field added to the model and not here: the usual path, never a wrong default."""
    declared = fastjson._declared

    def without_a_field() -> Any:
        specs = dict(declared())
        specs["member"] = specs["member"][:-1]
        return specs

    monkeypatch.setattr(fastjson, "_declared", without_a_field)
    assert fastjson.fast_cases() is None
    assert RowAssessor(get_ruleset("ontario"), "fast").fast_rows is None


def test_the_reader_takes_the_models_defaults() -> None:
    from conduct_rules.model.case import Case

    case = fastjson.FastCases().case(b'{"case_id": "d"}')
    assert case is not None
    want = Case.parse({"case_id": "d"})
    for part in ("services", "client", "member", "alternatives", "termination_session"):
        for name, value in getattr(want, part).model_dump().items():
            got = getattr(getattr(case, part), name)
            assert (list(got) if isinstance(got, tuple) else got) == (
                list(value) if isinstance(value, tuple) else value
            ), (part, name)
    assert (case.stage, case.initiated_by, case.documented) == ("considering", "member", ())

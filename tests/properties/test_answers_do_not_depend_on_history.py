"""An answer depends on the case, the ruleset, its parameters and the language, never on what
was asked before.

Why: the fast backend keeps prepared work between calls (compiled programs per parameter set,
assembled parts and items per ruleset and language), bounded so that a long-running server does
not grow without end. A cache that returned a stale part, one filled in the other language, one
kept across an eviction, or an item a caller could change, would show as an answer that differs
from the same question asked on a fresh backend. These tests ask through the public API only
(``assess``), on streams long enough to fill and evict the bounded caches, and compare with the
python backend, which keeps no assembled parts, and with the fast backend's own first answer.
"""

from __future__ import annotations

import copy
import itertools
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conduct_rules import Assessment, Case, assess
from conduct_rules.api import get_backend, get_ruleset
from conduct_rules.engines import Evaluation
from conduct_rules_dev.cases import corpus
from support.strategies import cases, parameters


def _json(case: Case, backend: str, lang: str, params: dict[str, int] | None = None) -> str:
    a = assess(case, backend=backend, lang=lang, parameters=params or None)  # type: ignore[arg-type]
    assert a.engine == backend
    return a.to_json().replace(f'"engine":"{backend}"', '"engine":"-"')


@given(case=cases(), lang=st.sampled_from(["en", "fr"]))
def test_asking_again_gives_the_first_answer(case: Case, lang: str) -> None:
    """The second answer (from prepared parts) is the first, and the python backend's."""
    first = _json(case, "fast", lang)
    assert _json(case, "fast", lang) == first
    assert _json(case, "python", lang) == first
    other = "fr" if lang == "en" else "en"  # the other language in between changes nothing
    _json(case, "fast", other)
    assert _json(case, "fast", lang) == first


@pytest.mark.slow  # each new parameter set compiles the rules again (about 0.3 s a set)
@given(case=cases(), params=parameters())
def test_asking_again_with_parameters(case: Case, params: dict[str, int]) -> None:
    first = _json(case, "fast", "en", params)
    assert _json(case, "fast", "en", params) == first
    assert _json(case, "python", "en", params) == first


def test_a_stream_of_new_cases_in_both_languages() -> None:
    """300 seeded cases, interleaved languages: every answer is the python backend's, and a
    second pass over the stream gives the first pass's bytes."""
    stream = [case for case, _ in corpus(300, seed=23)]
    first = {}
    for i, case in enumerate(stream):
        for lang in (("en", "fr") if i % 2 else ("fr", "en")):
            first[i, lang] = _json(case, "fast", lang)
            assert first[i, lang] == _json(case, "python", lang), (i, lang)
    for i, case in enumerate(stream):
        for lang in ("en", "fr"):
            assert _json(case, "fast", lang) == first[i, lang], (i, lang)


@pytest.mark.slow  # 72 compilations on two backends: about 20 s
def test_more_parameter_sets_than_are_kept() -> None:
    """72 parameter sets (more than the prepared work kept per ruleset): each answer is the
    python backend's, and the first set asked again after the others gives its first bytes."""
    sets = [
        {"min_attempts": a, "min_channels": c, "min_referrals": r}
        for a, c, r in itertools.product(range(1, 7), range(1, 4), range(1, 5))
    ]
    assert len(sets) == 72
    sample = [case for case, _ in corpus(4, seed=41)]
    first: dict[tuple[int, int], str] = {}
    for (k, params), (j, case) in itertools.product(enumerate(sets), enumerate(sample)):
        first[k, j] = _json(case, "fast", "en", params)
        assert first[k, j] == _json(case, "python", "en", params), (params, j)
    for j, case in enumerate(sample):
        assert _json(case, "fast", "en", sets[0]) == first[0, j]


def test_an_answer_is_a_valid_model_that_no_caller_can_change() -> None:
    """Parts are shared between answers, so an answer must be immutable all the way down, and
    equal to what validating its own JSON gives (no part skipped validation)."""
    case = next(iter(corpus(1, seed=3)))[0]
    answer = assess(case, backend="fast", lang="fr")
    again = Assessment.model_validate_json(answer.to_json())
    assert again == answer
    assert again.to_json() == answer.to_json()
    parts: list[Any] = [
        answer.permitted_actions,
        answer.required_safeguards,
        answer.missing_documentation,
        answer.findings,
    ]
    assert all(isinstance(part, tuple) for part in parts)
    items = [item for part in parts for item in part]
    assert items
    for item in items:
        assert isinstance(item.citations, tuple)
        with pytest.raises(ValueError, match="frozen"):  # pydantic refuses: the model is frozen
            item.label = "changed"
    assert assess(case, backend="fast", lang="fr").to_json() == answer.to_json()


def test_a_fast_evaluation_behaves_like_the_python_one() -> None:
    """The fast backend may compute ``fired`` and ``facts`` only when read; a caller of
    ``evaluate`` must not see the difference (equality, copies, pickling)."""
    ontario = get_ruleset()
    case = next(iter(corpus(1, seed=3)))[0]
    fast = get_backend("fast").evaluate(ontario, case)
    eager = get_backend("python").evaluate(ontario, case)
    assert fast == eager
    assert eager == fast
    assert fast.fired == eager.fired
    assert dict(fast.facts) == dict(eager.facts)
    for copied in (copy.copy(fast), copy.deepcopy(fast), pickle.loads(pickle.dumps(fast))):
        assert isinstance(copied, Evaluation)
        assert copied == eager
        assert dict(copied.facts) == dict(eager.facts)

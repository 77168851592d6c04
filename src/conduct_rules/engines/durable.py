"""The durable_rules backend: the ruleset's units compiled into a Rete network.

How each measured pitfall of durable_rules 2.0.28 is handled here:

* ``post`` sends an event that the first matching rule consumes: we only ``assert_fact``.
* A condition with ``$or`` fires once per true disjunct: fired units are collected in a set and
  reported in the ruleset's own order.
* ``when_all(a, b)`` joins two messages: every unit reads one message, conditions are combined with
  ``$and`` / ``$or`` inside it.
* A fact no rule matches raises, and ``delete_state`` on a session where nothing fired can crash
  the process: each stratum has a sentinel rule that always fires, and a warm-up session fires once
  when the host is created.
* Asserting the same fact twice raises: each stratum asserts its own fact (``stratum`` differs).
* ``none(...)`` does not cancel a queued activation: negations only read facts from earlier strata,
  which arrive already final in the stratum's fact.
* State lives per ``sid``, 1024 live sessions at most, sids compared by a 32-bit hash: each
  assessment uses a fresh sid and deletes its state before returning, so at most one session is
  ever live.
* Each ``Host`` starts timer threads that dispatch concurrently: our host subclass does not start
  them (we use no timers) and every call into the engine holds one process-wide lock.
* Rulesets are registered by name, once per host: compiled rulesets are cached by fingerprint.
* A signal handler that raises (a ``SIGALRM`` timeout, Ctrl-C) between two of the engine's steps
  tears its state (wrong answers later, a crash in ``delete_state``, a half-registered ruleset):
  every engine call runs with signals deferred (``_signals.signals_deferred``), so the caller's
  exception arrives, as itself, once the engine is whole. Should anything still fail inside the
  engine, the host is dropped and rebuilt at the next call (``_discard_host``), with fresh names.

Negation has no operator in durable_rules' JSON; conditions are put in negation normal form, and a
nullable field's absence is handled explicitly so that both backends agree on null.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conduct_rules.engines import Evaluation
from conduct_rules.engines._signals import signals_deferred
from conduct_rules.errors import EngineUnavailableError, EvaluationError, RulesetError
from conduct_rules.model.case import Case
from conduct_rules.rules.conditions import All, Any_, Cmp, Condition, Const, Not, Ref, references
from conduct_rules.rules.facts import add_auto_facts, auto_keys
from conduct_rules.rules.ruleset import Ruleset
from conduct_rules.rules.vocabulary import FeatureExtractor

__all__ = ["DurableBackend", "durable_available", "live_sessions"]

#: Most distinct compiled rulesets (id × version × parameters) kept on the host. durable_rules
#: cannot unregister a ruleset, so this bounds memory against callers that vary parameters freely.
MAX_COMPILED = 256
#: Most ``$and``/``$or`` in one unit's condition: durable_rules keeps 32 expression slots per
#: condition (MAX_SEQUENCE_EXPRESSIONS in its rete.h), two per connective, and fails with error
#: code 113 beyond. Checked before compiling so the error names the rule, not a C error code.
MAX_CONNECTIVES = 15
#: Most fields in one message (MAX_OBJECT_PROPERTIES in its state.h), ``sid`` and ``stratum``
#: included.
MAX_MESSAGE_FIELDS = 255

try:  # pragma: no cover - depends on the interpreter
    from durable import engine as _durable_engine

    _IMPORT_ERROR: str | None = None
except Exception as exc:  # noqa: BLE001 - any failure to load the C extension: unavailable
    _durable_engine = None
    _IMPORT_ERROR = f"{type(exc).__name__}: {exc}"


def durable_available() -> bool:
    """Whether the durable_rules C extension loads on this interpreter."""
    return _durable_engine is not None


def unavailable_reason() -> str:
    """Why durable_rules cannot be used here (empty when it can)."""
    if _IMPORT_ERROR is None:
        return ""
    return (
        "the durable_rules engine cannot load on this Python "
        "(its C extension needs Python 3.11 or 3.12; it uses PyEval_CallObject, removed in 3.13). "
        f"Use backend='python', which gives identical results. Import error: {_IMPORT_ERROR}"
    )


@dataclass(frozen=True)
class _Stratum:
    """What one stratum's message carries, and what its units conclude."""

    features: tuple[tuple[str, str], ...]  # (feature key, engine field) read in this stratum
    facts: tuple[tuple[str, str], ...]  # (concluded fact key, engine field) read in this stratum
    reads_auto: bool  # reads an ``outstanding`` / ``missing`` fact: compute them first
    effects: Mapping[str, tuple[str, ...]]  # unit name -> facts it makes true


@dataclass(frozen=True)
class _Compiled:
    name: str
    extractor: FeatureExtractor
    keymap: Mapping[str, str]  # feature/fact key -> short engine field name
    fact_keys: tuple[str, ...]  # concluded facts some unit reads
    strata: int
    # Per stratum, only the fields its units read: durable_rules serialises the whole message
    # into every action it dispatches, so smaller messages are most of the speed (benchmarks).
    plan: tuple[_Stratum, ...] = ()
    order: tuple[str, ...] = ()  # unit names in evaluation order


class _Host:
    """One durable_rules host per process, without background dispatch threads.

    ``generation`` is appended to every ruleset name registered on it: a host rebuilt after a
    failure (``_discard_host``) never reuses the name of a ruleset left half-registered.
    """

    def __init__(self, generation: int = 0) -> None:
        assert _durable_engine is not None
        self.generation = generation
        collector: set[str] = set()
        self.collector = collector

        class Host(_durable_engine.Host):  # type: ignore[misc]
            def get_action(self, action_name: str) -> Callable[[Any], None]:
                if action_name == "__sentinel":
                    return _noop
                return _recorder(collector, action_name)

            def _run(self) -> None:  # no timer threads: nothing may dispatch behind our back
                return

        self.host = Host()
        self._sids = itertools.count(1)
        self.attempts = itertools.count(1)
        self._live: set[str] = set()
        self._warm_up()

    def _warm_up(self) -> None:
        name = f"__warmup_g{self.generation}"
        self.host.set_rulesets(
            {name: {"fire": {"all": [{"m": {"stratum": 0}}], "run": "__sentinel"}}}
        )
        self.host.assert_fact(name, {"sid": "0", "stratum": 0})
        self.host.delete_state(name, "0")

    def new_sid(self) -> str:
        return str(next(self._sids))


def _noop(_c: Any) -> None:
    return


def _recorder(collector: set[str], unit_name: str) -> Callable[[Any], None]:
    # One positional parameter only: durable_rules treats a two-parameter action as asynchronous
    # (it would pass a completion callback as the second argument).
    def record(_c: Any) -> None:
        collector.add(unit_name)

    return record


_LOCK = threading.RLock()
_HOST: _Host | None = None
_COMPILED: dict[str, _Compiled] = {}
#: Hosts dropped after a failure in this process (``_discard_host``); also the next generation.
_DISCARDED = 0
#: Rulesets registered on every host of this process, the dropped ones included: durable_rules
#: cannot unload a ruleset, so this is what ``MAX_COMPILED`` bounds.
_REGISTERED = 0


def live_sessions() -> int:
    """How many durable_rules sessions are alive (0 between assessments): for tests."""
    with _LOCK:
        return len(_HOST._live) if _HOST is not None else 0


def _get_host() -> _Host:
    global _HOST  # noqa: PLW0603 - one host per process, created on first use, under the lock
    if _HOST is None:
        if _durable_engine is None:
            raise EngineUnavailableError(unavailable_reason())
        _HOST = _Host(_DISCARDED)
    return _HOST


def _discard_host() -> None:
    """Forget the host and every compiled ruleset after a failure inside the engine.

    Why: an error half-way through an engine call can leave a session, an activation or a
    ruleset registration incomplete, and nothing in durable_rules can tell. The next call builds a
    new host whose rulesets carry a new generation in their names, so no later answer reads
    anything the failed call touched. Called under ``_LOCK``.
    """
    global _HOST, _DISCARDED  # noqa: PLW0603 - see above
    _HOST = None
    _COMPILED.clear()
    _DISCARDED += 1


# --------------------------------------------------------------------------------------------
# Compilation of conditions to durable_rules JSON


_NEG_OP = {"gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}
_POS_OP = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
Expr = dict[str, Any] | bool


def _combine(word: str, parts: list[Expr]) -> Expr:
    is_and = word == "$and"
    kept: list[dict[str, Any]] = []
    for p in parts:
        if p is True:
            if not is_and:
                return True
            continue
        if p is False:
            if is_and:
                return False
            continue
        kept.append(p)
    if not kept:
        return is_and
    return kept[0] if len(kept) == 1 else {word: kept}


def _to_durable(
    cond: Condition,
    keymap: Mapping[str, str],
    neg: bool = False,
    nullables: frozenset[str] = frozenset(),
) -> Expr:
    """``cond`` (negated if ``neg``) as a durable_rules expression; ``nullables``: the features
    that may be null, for which a negated comparison must also hold when the value is absent."""
    if isinstance(cond, Const):
        return cond.value != neg
    if isinstance(cond, Not):
        return _to_durable(cond.arg, keymap, not neg, nullables)
    if isinstance(cond, All | Any_):
        word = "$and" if isinstance(cond, All) != neg else "$or"
        return _combine(word, [_to_durable(c, keymap, neg, nullables) for c in cond.args])
    if isinstance(cond, Ref):
        k = keymap[cond.key]
        return {"$neq": {k: True}} if neg else {k: True}
    assert isinstance(cond, Cmp)
    k = keymap[cond.key]
    op, v = cond.op, cond.value
    nullable = cond.key in nullables
    absent = {"$nex": {k: 1}}
    if op == "in":
        assert isinstance(v, tuple)
        either = Any_(tuple(Cmp(cond.key, "eq", x) for x in v))
        return _to_durable(either, keymap, neg, nullables)
    if op in ("eq", "ne"):
        equal = (op == "eq") != neg
        if v is None:
            return absent if equal else {"$ex": {k: 1}}
        if equal:
            return {k: v}
        return _combine("$or", [{"$neq": {k: v}}, absent]) if nullable else {"$neq": {k: v}}
    if neg:
        expr: dict[str, Any] = {_NEG_OP[op]: {k: v}}
        return _combine("$or", [expr, absent]) if nullable else expr
    return {_POS_OP[op]: {k: v}}


def _connectives(expr: Any) -> int:
    if isinstance(expr, dict):
        return sum((k in ("$and", "$or")) + _connectives(v) for k, v in expr.items())
    if isinstance(expr, list):
        return sum(_connectives(x) for x in expr)
    return 0


def _too_complex(ruleset: Ruleset, unit_name: str, rule_id: str, count: int) -> RulesetError:
    field = "when"
    for r in ruleset.rules:
        if r.id == rule_id:
            for i, c in enumerate(r.then):
                if f"{r.id}#{c.kind}:{c.target}" == unit_name:
                    key = {"permit": "required_when", "safeguard": "met_when"}.get(c.kind)
                    field = f"then[{i}].{key or 'recorded_when'}"
    return RulesetError(
        f"condition too complex for the durable_rules engine ({count} and/or after expansion; "
        f"it allows {MAX_CONNECTIVES}): split it with a derived fact, or use backend='python'",
        file=f"{ruleset.path}/rules.yaml",
        rule=rule_id,
        field=field,
    )


def _compile(ruleset: Ruleset, host: _Host) -> _Compiled:
    keys: set[str] = set()
    for u in ruleset.units:
        keys |= references(u.condition)
    keymap = {k: f"f{i}" for i, k in enumerate(sorted(keys))}
    if len(keymap) + 2 > MAX_MESSAGE_FIELDS:
        raise RulesetError(
            f"the rules read {len(keymap)} distinct facts; the durable_rules engine carries at "
            f"most {MAX_MESSAGE_FIELDS - 2}: use backend='python'",
            file=f"{ruleset.path}/rules.yaml",
        )
    vocab = ruleset.vocabulary
    features = tuple(k for k in sorted(keys) if vocab.feature_type(k) is not None)
    fact_keys = tuple(k for k in sorted(keys) if vocab.feature_type(k) is None)
    nullables = frozenset(k for k in features if (t := vocab.feature_type(k)) and t.nullable)
    # A fresh name for every attempt: a registration that failed half-way can never make a later
    # attempt fail with "already registered".
    name = f"cr_{ruleset.fingerprint}_g{host.generation}_{next(host.attempts)}"
    definition: dict[str, Any] = {}
    for stratum in range(ruleset.strata):
        definition[f"__s{stratum}"] = {"all": [{"m": {"stratum": stratum}}], "run": "__sentinel"}
    for i, unit in enumerate(ruleset.units):
        expr = _to_durable(unit.condition, keymap, nullables=nullables)
        if expr is False:
            continue
        gate = {"stratum": unit.stratum}
        cond = gate if expr is True else {"$and": [gate, expr]}
        if (count := _connectives(cond)) > MAX_CONNECTIVES:
            raise _too_complex(ruleset, unit.name, unit.rule, count)
        definition[f"u{i}"] = {"all": [{"m": cond}], "run": unit.name}
    try:
        host.host.set_rulesets({name: definition})
    except Exception:  # noqa: BLE001 - a C error code is no message for a ruleset author
        raise RulesetError(
            "the durable_rules engine cannot compile this ruleset; use backend='python'",
            file=f"{ruleset.path}/rules.yaml",
        ) from None
    return _Compiled(
        name,
        FeatureExtractor(features),
        keymap,
        fact_keys,
        ruleset.strata,
        _plan(ruleset, keymap, set(features)),
        tuple(u.name for u in ruleset.units),
    )


def _plan(ruleset: Ruleset, keymap: Mapping[str, str], features: set[str]) -> tuple[_Stratum, ...]:
    auto = auto_keys(ruleset)
    plan: list[_Stratum] = []
    for stratum in range(ruleset.strata):
        units = [u for u in ruleset.units if u.stratum == stratum]
        read: set[str] = set()
        for u in units:
            read |= references(u.condition)
        plan.append(
            _Stratum(
                features=tuple((k, keymap[k]) for k in sorted(read & features)),
                facts=tuple((k, keymap[k]) for k in sorted(read - features)),
                reads_auto=bool(read & auto),
                effects={u.name: u.effects for u in units},
            )
        )
    return tuple(plan)


class DurableBackend:
    """Evaluates through durable_rules. All engine access is serialised by one lock."""

    name = "durable_rules"

    def __init__(self) -> None:
        if _durable_engine is None:
            raise EngineUnavailableError(unavailable_reason())

    def _compiled(self, ruleset: Ruleset, host: _Host) -> _Compiled:
        global _REGISTERED  # noqa: PLW0603 - counted under ``_LOCK``
        c = _COMPILED.get(ruleset.fingerprint)
        if c is None:
            if _REGISTERED >= MAX_COMPILED:
                raise EvaluationError(
                    f"more than {MAX_COMPILED} distinct parameter sets compiled in this process; "
                    "durable_rules cannot unload rulesets. Use backend='python' for sweeps."
                )
            _REGISTERED += 1  # counted before trying: a failed registration also stays
            c = _compile(ruleset, host)
            _COMPILED[ruleset.fingerprint] = c
        return c

    def evaluate(self, ruleset: Ruleset, case: Case) -> Evaluation:
        """Assert one fact per stratum in a fresh session, then delete the session.

        Signals are deferred for the whole engine call (``signals_deferred``): a handler's
        exception (a timeout, ``KeyboardInterrupt``) is raised as itself once the session is
        deleted. Any failure inside the engine discards the host (``_discard_host``).
        """
        with _LOCK, signals_deferred():
            try:
                host = _get_host()
                compiled = self._compiled(ruleset, host)
                fired, facts = self._session(ruleset, case, host, compiled)
            except (RulesetError, EvaluationError, EngineUnavailableError):
                # Ours, raised before the engine was touched: a limit of the engine (named), too
                # many compiled rulesets, no engine. Nothing to rebuild.
                raise
            except Exception:  # noqa: BLE001 - engine errors must not leak case data
                _discard_host()
                raise EvaluationError(
                    "durable_rules failed while evaluating this case; use backend='python'"
                ) from None
            except BaseException:
                _discard_host()  # never reached through a signal (deferred); kept for safety
                raise
        ordered = tuple(n for n in compiled.order if n in fired)
        add_auto_facts(ruleset, facts)
        return Evaluation(ordered, facts)

    @staticmethod
    def _session(
        ruleset: Ruleset, case: Case, host: _Host, compiled: _Compiled
    ) -> tuple[set[str], dict[str, Any]]:
        facts: dict[str, Any] = compiled.extractor(case)
        features = dict(facts)
        fired: set[str] = set()
        name = compiled.name
        engine = host.host
        collector = host.collector
        collector.clear()
        sid = host.new_sid()
        host._live.add(sid)
        try:
            for stratum, plan in enumerate(compiled.plan):
                message: dict[str, Any] = {"sid": sid, "stratum": stratum}
                for k, field in plan.features:
                    v = features[k]
                    if v is not None:
                        message[field] = v
                if plan.reads_auto:
                    add_auto_facts(ruleset, facts)
                for k, field in plan.facts:
                    message[field] = bool(facts.get(k, False))
                collector.clear()
                engine.assert_fact(name, message)
                effects = plan.effects
                for unit_name in collector:
                    fired.add(unit_name)
                    for e in effects[unit_name]:
                        facts[e] = True
        finally:
            collector.clear()
            engine.delete_state(name, sid)
            host._live.discard(sid)
        return fired, facts

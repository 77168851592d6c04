"""JSON Lines of the standard case decoded and validated in C (``msgspec``), for large audits.

Why: in a million-row audit, parsing each line through pydantic and building a ``Case`` cost
far more than the rules themselves (issue 14). ``msgspec`` decodes a line straight into typed
structs and checks every type, bound and enumerated value on the way, several times faster.

Why it cannot change an answer: this reader is only ever a shortcut for the lines it is sure
of. It gives up on a line (``FastCases.case`` returns ``None``), and the usual path (strict JSON,
then the pydantic ``Case``) decides and says why, whenever

* the line has a backslash (escapes are where JSON decoders differ most), or is neither bytes
  nor text that encodes as UTF-8;
* ``msgspec`` refuses it for any reason (a type, a bound, an unknown field, bad JSON, bad UTF-8);
* a key may be repeated (pydantic would keep the last value; the audit refuses the row);
* the ``case_id`` is blank.

What it accepts is what the ``Case`` model accepts, with the same values: the structs below
mirror ``model.case`` field by field (``tests/unit/test_fastjson.py`` compares them with the
model's JSON schema), and ``tests/integration/test_audit_fastjson.py`` compares the audit's output
both ways, row for row, on generated records with every kind of bad input. The list
normalisation of ``Case`` (sorted attempts, ``documented`` as a set) is not repeated: the rules
read lists only through counts, distinct values and membership, and the row shows no list field.

A repeated key, without a backslash in the line: in valid JSON every colon outside a string
follows a key, and the only strings of an accepted line that may hold a colon are the
``case_id`` (the others are enumerated values and dates). So the line's keys number
``line.count(b":") - case_id.count(":")`` (at least: a repeated ``case_id`` only adds colons), and
a repeat makes that larger than the number of distinct fields the structs received.

``msgspec`` is in the ``audit`` extra; without it (``AVAILABLE`` false) audits take the usual
path, with the same output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, Literal

from conduct_rules.model.case import (
    CHANNELS,
    DOCUMENTATION_IDS,
    MAX_ATTEMPTS,
    MAX_COUNT,
    MAX_DOCUMENTED,
    MAX_NOTICE_DAYS,
    MODALITIES,
    SESSION_STATUSES,
    STAGES,
)

try:
    import msgspec
except ImportError:  # pragma: no cover - depends on the environment
    msgspec = None  # type: ignore[assignment]

__all__ = ["AVAILABLE", "FastCases", "fast_cases"]

AVAILABLE = msgspec is not None

#: A field: its name, its type for ``msgspec``, and its default (``_REQUIRED``: none).
_REQUIRED = object()
_Spec = tuple[tuple[str, Any, Any], ...]
#: A part's fields without their defaults: name and type.
_Types = tuple[tuple[str, Any], ...]


class MirrorError(Exception):
    """The structs no longer mirror ``model.case`` (a field added, renamed or removed)."""


def _specs() -> dict[str, _Spec]:
    """Each part of the case: names and types (bounds included) as ``model.case`` declares them.

    The defaults are taken from the model itself (``_with_model_defaults``), and the names are
    checked against it, so that a change to the model cannot leave this reader behind.
    """
    return _with_model_defaults(_declared())


def _with_model_defaults(specs: dict[str, _Types]) -> dict[str, _Spec]:
    from conduct_rules.model.case import Case

    out: dict[str, _Spec] = {}
    parts = {n: f for n, f in Case.model_fields.items() if n in specs}
    if set(parts) != set(specs):
        raise MirrorError("the case's parts changed")
    for name, spec in specs.items():
        fields = parts[name].annotation.model_fields  # type: ignore[union-attr]
        if [n for n, _ in spec] != list(fields):
            raise MirrorError(f"the fields of {name} changed")
        out[name] = tuple((n, t, fields[n].get_default(call_default_factory=True)) for n, t in spec)
    return out


def _declared() -> dict[str, _Types]:
    """The ``msgspec`` type of each part's fields (bounds included), as ``model.case`` declares
    them; the defaults come from the model itself (``_with_model_defaults``)."""
    assert msgspec is not None
    meta = msgspec.Meta
    count = Annotated[int, meta(ge=0, le=MAX_COUNT)]
    notice = Annotated[int, meta(ge=0, le=MAX_NOTICE_DAYS)] | None

    def flags(*names: str) -> _Types:
        return tuple((name, bool) for name in names)

    return {
        "services": flags("needed", "requested", "likely_to_benefit"),
        "client": (
            *flags("requested_termination", "withdrew", "interested_in_further_treatment"),
            ("informed_of_reasons", bool | None),
        ),
        "member": flags(
            "serious_risk_of_harm",
            "feels_unsafe",
            "threats_received",
            "objectivity_impaired",
            "lacks_competence",
            "relationship_untenable",
            "good_faith",
            "reason_protected_ground",
        ),
        "court_order": flags("applies", "legal_advice_obtained", "court_direction_sought"),
        "alternatives": (
            ("efforts_made", bool),
            ("providers_offered", count),
            ("client_supported_to_connect", bool),
            ("opportunity_given", bool),
            ("notice_days", notice),
        ),
        "termination_session": (
            ("status", Literal[SESSION_STATUSES]),
            ("modality", Literal[MODALITIES]),
            # the item type is set in ``_Structs`` (the attempt struct)
            ("attempts", Annotated[tuple[Any, ...], meta(max_length=MAX_ATTEMPTS)]),
        ),
        "consultation": flags("supervision", "college", "legal"),
        "transfer": flags("summary_to_new_provider", "client_consent"),
    }


class _Structs:
    """Two families of structs: every field required (a full record), or every field optional.

    Why two: with every field required, a line that decodes has all of them, so the number of
    distinct keys it gave is known without looking (``full_keys``); an optional field is
    ``UNSET`` when absent, so a sparse line's distinct keys can be counted, and its defaults
    filled in.
    """

    def __init__(self) -> None:
        assert msgspec is not None
        ms = msgspec
        options: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}
        attempt = ms.defstruct(
            "Attempt",
            [("channel", Literal[CHANNELS]), ("date", dt.date)],
            **options,
        )
        attempts = Annotated[tuple[attempt, ...], ms.Meta(max_length=MAX_ATTEMPTS)]  # type: ignore[valid-type]
        case_id = Annotated[str, ms.Meta(min_length=1, max_length=200)]
        documented = Annotated[
            tuple[Literal[DOCUMENTATION_IDS], ...],  # type: ignore[valid-type]
            ms.Meta(max_length=MAX_DOCUMENTED),
        ]
        specs = _specs()
        specs["termination_session"] = tuple(
            (n, attempts if n == "attempts" else t, d) for n, t, d in specs["termination_session"]
        )
        from conduct_rules.model.case import Case

        model = Case.model_fields
        top: _Spec = (
            ("case_id", case_id, _REQUIRED),
            ("stage", Literal[STAGES], model["stage"].default),
            ("initiated_by", Literal["member", "client"], model["initiated_by"].default),
        )
        if [n for n, _, _ in top] + [*specs, "documented"] != list(model):
            raise MirrorError("the case's fields changed")
        parts: dict[str, tuple[Any, Any]] = {}  # name -> (full struct, sparse struct)
        #: Each part's fields and their defaults (for filling in what a sparse line leaves out).
        self.part_fields: dict[str, tuple[tuple[str, Any], ...]] = {}
        unset = ms.UNSET
        for name, spec in specs.items():
            full = ms.defstruct(f"{name}_full", [(n, t) for n, t, _ in spec], **options)
            sparse = ms.defstruct(
                f"{name}_sparse", [(n, t | ms.UnsetType, unset) for n, t, _ in spec], **options
            )
            parts[name] = (full, sparse)
            self.part_fields[name] = tuple((n, d) for n, _, d in spec)
        tail: _Spec = (
            *((name, parts[name], None) for name in specs),
            ("documented", documented, ()),
        )
        self.full = ms.defstruct(
            "Case_full",
            [(n, t) for n, t, _ in top]
            + [(n, t[0] if n in parts else t) for n, t, _ in tail],
            **options,
        )
        self.sparse = ms.defstruct(
            "Case_sparse",
            [(n, t) if d is _REQUIRED else (n, t | ms.UnsetType, unset) for n, t, d in top]
            + [(n, (t[1] if n in parts else t) | ms.UnsetType, unset) for n, t, _ in tail],
            **options,
        )
        #: Each top-level field but the id, with its default (a part: a sparse struct with every
        #: default, so that the rules see one class per part in a file of sparse lines).
        self.top_defaults = tuple((n, d) for n, _, d in top[1:]) + tuple(
            (n, parts[n][1](*(d for _, _, d in specs[n])) if n in parts else d)
            for n, _, d in tail
        )
        #: The keys of a decoded full record, before its attempts (each attempt has two).
        self.full_keys = len(top) + len(tail) + sum(len(s) for s in specs.values())
        self.filler = self._filler()

    def _filler(self) -> Callable[[Any], tuple[Any, int]]:
        """A function filling in a sparse struct's defaults, in place, and counting its keys.

        Why generated: straight-line code with the names and defaults written in runs about
        twice as fast as a loop over the fields, and a sparse line pays it on every row. The
        source is built from the field names of ``model.case`` (identifiers, checked) only.
        """
        assert msgspec is not None
        env: dict[str, Any] = {"UNSET": msgspec.UNSET, "astuple": msgspec.structs.astuple}
        top = len(self.top_defaults) + 1
        lines = ["def filled(c):", "    t = astuple(c)", f"    keys = {top} - t.count(UNSET)"]
        for i, (name, default) in enumerate(self.top_defaults, 1):
            assert name.isidentifier()
            env[f"D_{name}"] = default
            lines.append(f"    if t[{i}] is UNSET:")
            lines.append(f"        c.{name} = D_{name}")
            fields = self.part_fields.get(name)
            if fields is None:
                continue
            lines += [
                "    else:",
                f"        p = astuple(t[{i}])",
                "        m = p.count(UNSET)",
                f"        keys += {len(fields)} - m",
                "        if m:",
                f"            v = t[{i}]",
            ]
            for j, (field, field_default) in enumerate(fields):
                assert field.isidentifier()
                env[f"D_{name}_{field}"] = field_default
                lines.append(f"            if p[{j}] is UNSET:")
                lines.append(f"                v.{field} = D_{name}_{field}")
        lines.append("    return c, keys")
        # The source holds only checked identifiers and names of ``env``: see the docstring.
        exec(compile("\n".join(lines), "<conduct_rules.audit.fastjson filler>", "exec"), env)
        return env["filled"]  # type: ignore[no-any-return]


class FastCases:
    """Decodes lines into case structs when it is sure the ``Case`` model would agree."""

    def __init__(self) -> None:
        assert msgspec is not None
        self._ms = msgspec
        s = self._structs = _Structs()
        self._full = msgspec.json.Decoder(s.full).decode
        self._sparse = msgspec.json.Decoder(s.sparse).decode

    def case(self, line: Any) -> Any | None:
        """The line's case as a struct shaped like ``Case``, or ``None``: take the usual path."""
        if type(line) is str:  # a column of JSON texts (Dask): the same text as UTF-8
            try:
                line = line.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: the usual path decides
                return None
        if type(line) is not bytes or b"\\" in line:
            return None
        case: Any = None
        colons = line.count(b":")
        if colons >= self._structs.full_keys:  # enough keys for a full record: try that first
            try:
                case = self._full(line)
                keys = self._structs.full_keys
            except Exception:  # noqa: BLE001 - refused here: the usual path decides, says why
                case = None
        if case is None:
            try:
                case, keys = self._filled(self._sparse(line))
            except Exception:  # noqa: BLE001
                return None
        cid = case.case_id
        if not cid.strip():
            return None
        keys += 2 * len(case.termination_session.attempts)
        if colons - cid.count(":") != keys:
            return None  # a repeated key, perhaps: the strict reader decides
        return case

    def _filled(self, case: Any) -> tuple[Any, int]:
        """A sparse line's struct with the defaults filled in (in place), and how many keys it
        was given (``_Structs.filler``)."""
        return self._structs.filler(case)


def fast_cases() -> FastCases | None:
    """A ``FastCases`` when ``msgspec`` is installed and mirrors the model, else ``None``."""
    if not AVAILABLE:
        return None
    try:
        return FastCases()
    except MirrorError:  # the usual path still gives every row; the tests say what drifted
        return None



#: Most remembered row endings (one per distinct outcome).
MAX_ENDINGS = 65_536

#: An assessed row's outcome: verdict, termination required, outstanding safeguards, missing
#: records, findings, warnings, stage, initiated by (``Tally.add_outcomes`` counts these).
_Ids = tuple[str, ...]
Outcome = tuple[str, bool, _Ids, _Ids, _Ids, _Ids, str, str]


class FastRows:
    """A chunk of JSON Lines to JSON Lines rows, through ``FastCases`` where it can.

    Why a row is written from remembered pieces: after its number and ``case_id``, a row depends
    only on its outcome, in two halves (verdict, termination and outstanding safeguards; then
    records, findings, warnings, stage and initiator) that each take few values, so each half is
    written once (by ``writers.ending_head`` and ``ending_tail``, as every row is) and then
    reused. ``render`` also gives each row's outcome (or, for a row the usual path made, that
    row), so the caller counts a chunk without building a row object per line.
    """

    def __init__(
        self,
        cases: FastCases,
        summarize: Callable[[Any], Any],
        checks: Sequence[Any],
        head: Callable[..., str],
        tail: Callable[..., str],
        encode: Callable[[str], str],
        json_line: Callable[[Any], str],
    ) -> None:
        self._case = cases.case
        self._summarize = summarize
        self._checks = tuple(checks)
        self._head_of = head
        self._tail_of = tail
        self._encode = encode
        self._json_line = json_line
        self._heads: dict[tuple[Any, ...], str] = {}
        self._tails: dict[tuple[Any, ...], str] = {}

    def head(self, key: tuple[Any, ...]) -> str:
        """``writers.ending_head`` of (verdict, termination, outstanding), remembered."""
        known = self._heads.get(key)
        if known is None:
            known = self._head_of("assessed", *key)
            if len(self._heads) < MAX_ENDINGS:
                self._heads[key] = known
        return known

    def tail(self, key: tuple[Any, ...]) -> str:
        """``writers.ending_tail`` of (records, findings, warnings, stage, initiator) and a
        line break, remembered."""
        known = self._tails.get(key)
        if known is None:
            missing, findings, warns, stage, initiated = key
            known = self._tail_of(missing, findings, warns, None, None, stage, initiated) + "\n"
            if len(self._tails) < MAX_ENDINGS:
                self._tails[key] = known
        return known

    def outcomes(
        self, rows: Sequence[int], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any, Any, Outcome | None]]:
        """``(row, item, case, outcome)`` per item; ``outcome`` is ``None`` where the usual path
        must make the row (the reader gave up, the ruleset concluded no single verdict, or the
        rules raised: the usual path reports it as it always has)."""
        case_of = self._case
        summarize = self._summarize
        checks = self._checks
        for row, line in zip(rows, items, strict=True):
            case = case_of(line)
            if case is not None:
                try:
                    verdicts, termination, outstanding, missing, findings = summarize(case)
                    if len(verdicts) == 1:
                        warns = tuple([c.id for c in checks if c.applies(case)])
                        outcome = (
                            verdicts[0], termination, outstanding, missing, findings, warns,
                            case.stage, case.initiated_by,
                        )
                        yield row, line, case, outcome
                        continue
                except Exception:  # noqa: BLE001 - the usual path decides
                    pass
            yield row, line, case, None

    def rows(
        self,
        rows: Sequence[int],
        items: Sequence[Any],
        slow: Callable[[int, Any], Any],
        make: Callable[..., Any],
    ) -> list[Any]:
        """Each item's row object: ``make(row, case_id, "assessed", verdict, termination,
        outstanding, missing, findings, warnings, None, None, stage, initiated_by)`` (an
        ``AuditRow``), or ``slow(row, item)``, the row the usual path makes."""
        out: list[Any] = []
        warnings: dict[tuple[str, ...], tuple[str, ...]] = {}  # one object per tuple (pickles)
        for row, line, case, o in self.outcomes(rows, items):
            if o is None:
                out.append(slow(row, line))
                continue
            warns = warnings.setdefault(o[5], o[5])
            out.append(make(row, case.case_id, "assessed", *o[:5], warns, None, None, *o[6:]))
        return out

    def render(
        self, rows: Sequence[int], items: Sequence[Any], slow: Callable[[int, Any], Any]
    ) -> tuple[list[str], list[Any]]:
        """Each item's row text (with its newline) and its outcome.

        ``slow(row, item)``: the row the usual path makes; it is returned in place of an outcome.
        """
        texts: list[str] = []
        keys: list[Any] = []
        heads = self._heads
        tails = self._tails
        encode = self._encode
        for row, line, case, o in self.outcomes(rows, items):
            if o is None:
                keys.append(r := slow(row, line))
                texts.append(self._json_line(r) + "\n")
                continue
            h = o[:3]
            t = o[3:]
            texts.append(
                f'{{"row":{row:d},"case_id":{encode(case.case_id)}'
                f"{heads.get(h) or self.head(h)}{tails.get(t) or self.tail(t)}"
            )
            keys.append(o)
        return texts, keys

"""Editions: which sources a ruleset reads, from when they apply, and the ``as_of`` check.

Why a small module of its own: the loader checks the ``editions`` block of ``ruleset.yaml``
(real dates, ``until`` after ``in_force``, unique ids, provisions that exist and belong to one
edition only); ``assess(..., as_of=date)`` refuses a ruleset whose sources were not in force that
day; and every assessment names the editions it used (``Assessment.ruleset.editions``). None of
this touches how rules are evaluated.
"""

from __future__ import annotations

import datetime as dt

from conduct_rules.errors import EditionError, RulesetError
from conduct_rules.model.assessment import EditionRef
from conduct_rules.rules import files as s
from conduct_rules.rules.parts import Metadata

__all__ = ["check_editions", "edition_refs", "in_force_from", "require_in_force"]


def _date(text: str, label: str, where: str) -> dt.date:
    try:
        if len(text) != 10:  # ``fromisoformat`` also reads ``20240101``: only YYYY-MM-DD here
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RulesetError("not a calendar date (YYYY-MM-DD)", file=label, field=where) from None


def check_editions(header: s.HeaderFile, provs: s.ProvisionsFile, label: str) -> None:
    """Refuse an inconsistent ``editions`` block, naming the entry and the field."""
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for i, e in enumerate(header.editions):
        where = f"editions[{i}]"
        if e.id in seen_ids:
            raise RulesetError(f"duplicate edition id '{e.id}'", file=label, field=f"{where}.id")
        seen_ids.add(e.id)
        start = _date(e.in_force, label, f"{where}.in_force")
        if e.until is not None and _date(e.until, label, f"{where}.until") <= start:
            raise RulesetError("'until' must be after 'in_force'", file=label, field=where)
        for pid in e.provisions:
            if pid not in provs.provisions:
                raise RulesetError(
                    f"unknown provision '{pid}'", file=label, field=f"{where}.provisions"
                )
            if pid in owner:
                raise RulesetError(
                    f"provision '{pid}' already belongs to edition '{owner[pid]}'",
                    file=label,
                    field=f"{where}.provisions",
                )
            owner[pid] = e.id


def edition_refs(header: s.HeaderFile | Metadata, lang: str) -> tuple[EditionRef, ...]:
    """The editions as an assessment reports them, notes in ``lang``."""
    key = "fr" if lang == "fr" else "en"
    return tuple(
        EditionRef(
            id=e.id,
            document=e.document,
            edition=e.edition,
            in_force=e.in_force,
            until=e.until,
            note=e.note[key] if e.note is not None else None,  # type: ignore[index]
        )
        for e in header.editions
    )


def in_force_from(header: s.HeaderFile | Metadata) -> dt.date | None:
    """The first day every source of the ruleset is in force (None: no editions declared)."""
    if not header.editions:
        return None
    return max(dt.date.fromisoformat(e.in_force) for e in header.editions)


def require_in_force(header: s.HeaderFile | Metadata, name: str, as_of: dt.date) -> None:
    """Raise ``EditionError`` unless every source of the ruleset applies on ``as_of``."""
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise EditionError("as_of must be a date (YYYY-MM-DD)")
    if not header.editions:
        raise EditionError(
            f"ruleset '{name}' declares no source editions, so whether it applied on "
            f"{as_of.isoformat()} cannot be checked"
        )
    for e in header.editions:
        start = dt.date.fromisoformat(e.in_force)
        if as_of < start:
            raise EditionError(
                f"ruleset '{name}' does not apply on {as_of.isoformat()}: it reads "
                f"{e.document}, {e.edition}, in force from {e.in_force}"
            )
        if e.until is not None and as_of >= dt.date.fromisoformat(e.until):
            raise EditionError(
                f"ruleset '{name}' does not apply on {as_of.isoformat()}: it reads "
                f"{e.document}, {e.edition}, which no longer applies from {e.until}"
            )

"""Citations and caveats as a reader sees them, for reports rendered from an ``Assessment``.

Why: the assessment's JSON carries provision ids (``oreg384-2.8.iii``: stable, for programs), but
a social worker reads "2.8 iii" inline and the full reference — in French, in the note's own
footnote form (« Règl. de l'Ont. 384/00 : Faute professionnelle, disposition 2.8 ») — at the
foot of the report, with the ruleset's caveat (general guidance; the editions cited). A report
can be rendered from a stored assessment, so the ruleset is found again by its id and version
among the built-in rulesets; when it is not one of them, ids are shown as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from conduct_rules.errors import ConductRulesError
from conduct_rules.model.assessment import Assessment
from conduct_rules.rules.ruleset import Ruleset, available_rulesets, load_ruleset

__all__ = ["caveat", "cited_ids", "full_citations", "reference_ruleset", "short_citations"]


@functools.lru_cache(maxsize=16)
def _builtin(id_: str, version: str) -> Ruleset | None:
    for name in available_rulesets():
        try:
            rs = load_ruleset(name)
        except ConductRulesError:  # a broken built-in is reported where it is assessed
            continue
        if rs.id == id_ and rs.version == version:
            return rs
    return None


def reference_ruleset(a: Assessment, ruleset: Ruleset | None = None) -> Ruleset | None:
    """The ruleset that produced ``a``: the one given if it matches, else a built-in one."""
    if ruleset is not None and ruleset.id == a.ruleset.id:
        return ruleset
    return _builtin(a.ruleset.id, a.ruleset.version)


def short_citations(rs: Ruleset | None, ids: Iterable[str], lang: str) -> str:
    """"2.8 iii; scenario 1" — each provision's short form, ids where there is none."""
    out = []
    for pid in ids:
        spec = rs.provisions.get(pid) if rs is not None else None
        out.append(spec.short["fr" if lang == "fr" else "en"] if spec and spec.short else pid)
    return ("\u00a0; " if lang == "fr" else "; ").join(dict.fromkeys(out))


def full_citations(rs: Ruleset | None, ids: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """(short form, full reference) for each provision, in the reader's language."""
    out: list[tuple[str, str]] = []
    order = {pid: i for i, pid in enumerate(rs.provisions)} if rs is not None else {}
    for pid in sorted(dict.fromkeys(ids), key=lambda p: order.get(p, len(order))):
        spec = rs.provisions.get(pid) if rs is not None else None
        if spec is None:
            out.append((pid, pid))
            continue
        short = spec.short["fr" if lang == "fr" else "en"] if spec.short else pid
        full = spec.source_fr if lang == "fr" and spec.source_fr else spec.source
        if spec.edition:
            full = f"{full} — {spec.edition}" if lang != "fr" else full
        out.append((short, full))
    return out


def caveat(rs: Ruleset | None, lang: str) -> str | None:
    """The ruleset's caveat in the reader's language, if it has one."""
    if rs is None or rs.metadata.caveat is None:
        return None
    return rs.metadata.caveat["fr" if lang == "fr" else "en"]


def cited_ids(a: Assessment) -> list[str]:
    """Every provision an assessment's items cite, in report order."""
    ids: dict[str, None] = {}
    for group in (a.permitted_actions, a.required_safeguards, a.missing_documentation, a.findings):
        for item in group:
            for c in item.citations:
                ids.setdefault(c, None)
    return list(ids)

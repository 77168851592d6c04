"""The one-paragraph answer a supervisor would give: what the verdict means and the way forward.

Why: a verdict and a list of items leave the reader to put them together, and the worst answers
the library gave were of that kind — "ending not permitted" beside "this service must stop", with
nothing saying how to get out. The summary says it in words, from the assessment's own items and
the ruleset's data, so it is the same on every backend and for every ruleset:

* when ending is required (``termination_required``) or a derived fact the ruleset marks as
  ``grounds`` holds, and the answer is still "not permitted", it names the way out: the
  outstanding safeguards the ruleset marks as ``basis`` (meeting one gives a basis for ending),
  then the blocking safeguards that come after;
* when the answer is "conditional", it names the blocking safeguards that come first;
* possible breaches are named with their provisions.

Each provision appears in its short form (``short`` in the registry: "2.8 iii", "scenario 2"), the
first citation of an item being its principal provision. Summaries are memoised per ruleset and
language (the owner is ``assemble.build._Plan``): a few hundred distinct summaries cover every case.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from conduct_rules.model.assessment import Finding, Safeguard
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["Summarizer", "short_citation"]

#: Summaries kept per summarizer; beyond this each is computed for its case (bounded memory).
MAX_SUMMARIES = 8192

_WORDS = {
    "en": {
        "required": "Ending is required ({cites})",
        "grounds": "There are grounds to end ({cites})",
        "np_required": "{lead} but not yet permitted",
        "np_grounds": "{lead}, but ending is not yet permitted",
        "cond_required": "{lead} and permitted once the safeguards that come first are met",
        "cond_grounds": "{lead}; ending is permitted once the safeguards that come first are met",
        "perm_required": "{lead} and permitted",
        "perm_grounds": "{lead}, and ending is permitted",
        "first": "first {steps}",
        "then": "then {steps}",
        "or": ", or ",
        "and": ", and ",
        "breaches": "Possible breaches: {items}.",
        "sep": ": ",
        "semi": "; ",
    },
    "fr": {
        "required": "La cessation est requise ({cites})",
        "grounds": "Il y a des motifs de mettre fin aux services ({cites})",
        "np_required": "{lead}, mais elle n'est pas encore permise",
        "np_grounds": "{lead}, mais la cessation n'est pas encore permise",
        "cond_required": "{lead} et permise une fois remplies les mesures préalables",
        "cond_grounds": "{lead}\u00a0; la cessation est permise une fois remplies les mesures "
        "préalables",
        "perm_required": "{lead} et permise",
        "perm_grounds": "{lead}, et la cessation est permise",
        "first": "d'abord, {steps}",
        "then": "ensuite, {steps}",
        "or": ", ou ",
        "and": ", et ",
        "breaches": "Manquements possibles\u00a0: {items}.",
        "sep": "\u00a0: ",
        "semi": "\u00a0; ",
    },
}


def short_citation(ruleset: Ruleset, provision_id: str, lang: str) -> str:
    """A provision's short inline form in ``lang`` ("2.8 iii"), or its id if it has none."""
    spec = ruleset.provisions.get(provision_id)
    if spec is None or spec.short is None:
        return provision_id
    return spec.short["fr" if lang == "fr" else "en"]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class Summarizer:
    """Summaries for one ruleset and language, memoised by what they depend on."""

    def __init__(self, ruleset: Ruleset, lang: str) -> None:
        self.ruleset = ruleset
        self.lang: Literal["en", "fr"] = "fr" if lang == "fr" else "en"
        self.words = _WORDS[self.lang]
        out = ruleset.outputs
        self.basis = frozenset(sid for sid, spec in out.safeguards.items() if spec.basis)
        grounds = [name for name, spec in ruleset.header.derived.items() if spec.grounds]
        #: Rules whose firing decides the lead sentence: those concluding termination_required
        #: and those concluding a ``grounds`` fact, with the fact each concludes.
        self.lead_rules: dict[str, str] = {}
        for rule in ruleset.rules:
            for c in rule.then:
                if c.kind == "derive" and (
                    c.target == "termination_required" or c.target in grounds
                ):
                    self.lead_rules[rule.id] = c.target
        self.lead_set = frozenset(self.lead_rules)
        self.grounds = tuple(grounds)
        self.cache: dict[Any, str] = {}
        self.lock = threading.Lock()

    def summary(
        self,
        verdict: str,
        termination_required: bool,
        derived: Mapping[str, bool],
        rules_fired: Iterable[str],
        safeguards: Sequence[Safeguard],
        findings: Sequence[Finding],
    ) -> str:
        """The summary of an assessment with these parts (see the module's docstring)."""
        grounds = any(derived.get(g, False) for g in self.grounds)
        lead = self.lead_set.intersection(rules_fired) if (termination_required or grounds) else ()
        key = (
            verdict,
            termination_required,
            grounds,
            frozenset(lead),
            tuple(s.id for s in safeguards if s.status == "outstanding"),
            tuple(f.id for f in findings),
        )
        text = self.cache.get(key)
        if text is None:
            text = self._compose(verdict, termination_required, grounds, lead, safeguards, findings)
            with self.lock:
                if len(self.cache) < MAX_SUMMARIES:
                    self.cache[key] = text
        return text

    # ----------------------------------------------------------------------------------------

    def _cites(self, provisions: Iterable[str]) -> str:
        shorts = (short_citation(self.ruleset, p, self.lang) for p in provisions)
        return ", ".join(dict.fromkeys(shorts))

    def _lead(
        self, termination_required: bool, grounds: bool, lead: Iterable[str]
    ) -> tuple[str, str] | None:
        """The opening clause and its kind (``required``, ``grounds``) when ending is called for."""
        by_id = {r.id: r for r in self.ruleset.rules}
        fired = sorted(lead, key=lambda rid: by_id[rid].index)
        w = self.words
        if termination_required:
            rules = [r for r in fired if self.lead_rules[r] == "termination_required"]
            cites = self._cites(by_id[r].cites[0] for r in rules)
            return w["required"].format(cites=cites), "required"
        if grounds:
            rules = [r for r in fired if self.lead_rules[r] != "termination_required"]
            cites = self._cites(by_id[r].cites[0] for r in rules)
            return w["grounds"].format(cites=cites), "grounds"
        return None

    def _step(self, s: Safeguard) -> str:
        spec = self.ruleset.outputs.safeguards[s.id]
        text = spec.todo[self.lang] if spec.todo else _lower_first(s.label)
        return f"{text} ({self._cites(s.citations[:1])})" if s.citations else text

    def _compose(
        self,
        verdict: str,
        termination_required: bool,
        grounds: bool,
        lead: Iterable[str],
        safeguards: Sequence[Safeguard],
        findings: Sequence[Finding],
    ) -> str:
        w = self.words
        spec = self.ruleset.outputs.verdicts.get(verdict)
        label = spec.label[self.lang] if spec else verdict
        called = self._lead(termination_required, grounds, lead)

        def opening(kind: str) -> str:
            if called is None:
                return label
            return w[f"{kind}_{called[1]}"].format(lead=called[0])

        outstanding = [s for s in safeguards if s.status == "outstanding"]
        ways = [s for s in outstanding if s.id in self.basis]
        blocking = [s for s in outstanding if s.blocking]
        sentences: list[str] = []
        if verdict == "not_permitted":
            first = opening("np")
            if ways and not findings:
                steps = [w["first"].format(steps=w["or"].join(self._step(s) for s in ways))]
                if blocking:
                    then = w["and"].join(self._step(s) for s in blocking)
                    steps.append(w["then"].format(steps=then))
                first += w["sep"] + w["semi"].join(steps)
            sentences.append(first + ".")
        elif verdict == "conditional":
            first = opening("cond")
            if blocking:
                todo = w["and"].join(self._step(s) for s in blocking)
                first += w["sep"] + w["first"].format(steps=todo)
            sentences.append(first + ".")
        else:
            sentences.append(opening("perm") + ".")
        if findings:
            items = w["semi"].join(
                f"{_lower_first(f.label)} ({self._cites(f.citations[:1])})" for f in findings
            )
            sentences.append(w["breaches"].format(items=items))
        return " ".join(sentences)

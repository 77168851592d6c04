"""Developer tools: the test oracle, the in-process check suite and the mutation tool.

Why inside the package (private, ``conduct_rules_dev``): the mutation tool must run the same checks
the test
suite runs, in-process and typed, and the pytest properties import them from here so that there is
one definition of each invariant. Nothing here is public API; it needs the dev extras only for the
pytest side (hypothesis lives in ``tests/support/strategies.py``, not here).

* ``cases``: editing cases by dotted path, a deterministic case corpus, "satisfy a safeguard".
* ``oracle``: an independent reading of ``shared/domain.md`` §4 in plain Python.
* ``invariants``: the §3 edge cases and the output-consistency checks, as plain functions.
* ``suite``: the checks run against one ruleset over the corpus (what a mutant must survive).
* ``mutants`` / ``mutation``: mutant generation from ruleset *data*, and the command
  ``python -m conduct_rules_dev.mutation``.
"""

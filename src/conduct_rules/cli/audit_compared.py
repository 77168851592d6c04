"""``conduct-rules audit FILE --rulesets ontario,crpo-6.3``: the several-ruleset audit (issue 15).

Why apart from ``audit.py``: the single-ruleset audit streams ``AuditResult`` rows through its
own writers; the combined audit zips one ``AuditResult`` per ruleset (``audit.compared``) and
writes its own columns. Keeping it here leaves the audit command's code as it was.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from conduct_rules.audit.compared import audit_compared, write_combined
from conduct_rules.batch import records_from_file
from conduct_rules.cli.common import fail
from conduct_rules.errors import ConductRulesError

__all__ = ["run_compared"]


def run_compared(
    file: str,
    input_format: str,
    rulesets: str,
    fmt: str,
    out: str | None,
    lang: str,
    backend: str,
    workers: int | None,
    ruleset: str | None,
) -> None:
    """Run the combined audit and write JSON Lines or CSV; one summary line on stderr."""
    names = [n.strip() for n in rulesets.split(",") if n.strip()]
    if ruleset is not None:
        fail("give either --ruleset or --rulesets, not both")
    if fmt == "html":
        fail("--rulesets writes jsonl or csv; the HTML report covers one ruleset")
    if file == "-":
        fail("--rulesets reads the input once per ruleset: give a file, not standard input")
    try:
        source = records_from_file(file, input_format)
        rows = audit_compared(
            source, names, lang="fr" if lang == "fr" else "en", backend=backend, workers=workers
        )
        if out is None:
            stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            try:
                counts = write_combined(rows, names, fmt, stdout)
            finally:
                stdout.flush()
                stdout.detach()
        else:
            target = Path(out)
            partial = target.with_name(target.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8", newline="") as fh:
                    counts = write_combined(rows, names, fmt, fh)
                partial.replace(target)
            except OSError as exc:
                fail(f"{out}: cannot write ({type(exc).__name__})")
            finally:
                partial.unlink(missing_ok=True)
    except ConductRulesError as exc:
        fail(str(exc))
    verdicts = ", ".join(
        f"{counts.get(v, 0):,} {v}" for v in ("not_permitted", "conditional", "permitted")
    )
    click.echo(
        f"conduct-rules: {counts['rows']:,} rows, {counts['rejected']:,} rejected; "
        f"combined verdicts: {verdicts}",
        err=True,
    )

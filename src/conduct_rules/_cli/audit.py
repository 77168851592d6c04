"""``conduct-rules audit FILE``: assess every record of a JSON Lines or CSV file.

Why these outputs: JSON Lines and CSV have exactly one record per input row, in input order — an
assessment summary, or a rejection with its row number and field error — so an auditor can join
them back to the input by row; the HTML report is for people and is self-contained. Rows that
cannot be read never stop the run: the exit code is 0 whenever the batch ran, and stderr says how
many rows were rejected. Exit 2 means the input as a whole is unusable (no such file, unknown
format, a bad CSV header, an unknown option value); exit 1 means the run itself could not happen
(an engine that cannot load). The progress bar appears only when stderr is a terminal.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import IO

import click

from conduct_rules._cli.common import fail, lang_option, ruleset_option
from conduct_rules._records import RecordSource, records_from_csv, records_from_jsonl
from conduct_rules.api import BACKENDS
from conduct_rules.batch import AuditResult, assess_many, records_from_file
from conduct_rules.errors import ConductRulesError, InputError, ParameterError, RulesetError

__all__ = ["audit_cmd"]

EXIT_RUN_FAILED = 1


def _source(file: str, input_format: str) -> RecordSource:
    if file == "-":
        stdin = sys.stdin.buffer
        return records_from_csv(stdin) if input_format == "csv" else records_from_jsonl(stdin)
    return records_from_file(file, input_format)


def _write(result: AuditResult, fmt: str, fh: IO[str], max_cases: int) -> None:
    if fmt == "jsonl":
        result.to_jsonl(fh)
    elif fmt == "csv":
        result.to_csv(fh)
    else:
        fh.write(result.to_html(max_cases=max_cases) or "")


def _run(result: AuditResult, fmt: str, out: str | None, max_cases: int) -> None:
    if out is None:
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            _write(result, fmt, stdout, max_cases)
            stdout.flush()
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, without a traceback on exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(EXIT_RUN_FAILED) from None
        finally:
            stdout.detach()
        return
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            _write(result, fmt, fh, max_cases)
        partial.replace(target)  # a finished report appears at once, never half-written
    except OSError as exc:
        fail(f"{out}: cannot write ({type(exc).__name__})")
    finally:
        partial.unlink(missing_ok=True)


@click.command("audit")
@click.argument("file", metavar="FILE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "html"]),
    default="jsonl",
    show_default=True,
    help="jsonl / csv: one record per input row, in order; html: a report for people.",
)
@click.option("--out", default=None, metavar="PATH", help="Write here instead of stdout.")
@lang_option("Language of the HTML report's labels and explanations.")
@click.option(
    "--backend",
    type=click.Choice(list(BACKENDS)),
    default="auto",
    show_default=True,
    help="auto: fast where available, else python.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: every core for large files, none for small ones).",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "jsonl", "csv"]),
    default="auto",
    show_default=True,
    help="auto: by extension (.jsonl, .ndjson, .csv); '-' as FILE reads JSON Lines from stdin.",
)
@ruleset_option()
@click.option(
    "--rulesets",
    default=None,
    help="Several rulesets, comma-separated (e.g. ontario,crpo-6.3): one row per input row with "
    "the stricter verdict and a column set per ruleset (jsonl or csv).",
)
@click.option(
    "--max-cases",
    type=click.IntRange(min=0),
    default=1_000,
    show_default=True,
    help="HTML: most cases listed under 'need attention' and 'rejected'.",
)
def audit_cmd(
    file: str,
    fmt: str,
    out: str | None,
    lang: str,
    backend: str,
    workers: int | None,
    input_format: str,
    ruleset: str | None,
    rulesets: str | None,
    max_cases: int,
) -> None:
    """Assess every record of FILE (JSON Lines or CSV) and write one result per row."""
    if rulesets is not None:
        from conduct_rules._cli.audit_compared import run_compared

        run_compared(file, input_format, rulesets, fmt, out, lang, backend, workers, ruleset)
        return
    try:
        source = _source(file, input_format)
        result = assess_many(
            source,
            ruleset=ruleset,
            lang="fr" if lang == "fr" else "en",
            backend=backend,
            workers=workers,
            progress=sys.stderr.isatty(),
            keep_rows=0,  # rows stream to the output; nothing is kept
        )
        _run(result, fmt, out, max_cases)
    except (InputError, RulesetError, ParameterError) as exc:
        fail(str(exc))
    except ConductRulesError as exc:
        fail(str(exc), EXIT_RUN_FAILED)
    s = result.summary
    click.echo(
        f"conduct-rules: {s.total:,} rows: {s.assessed:,} assessed, {s.rejected:,} rejected"
        f"{' (see the error column)' if s.rejected else ''}; {s.needs_attention:,} need attention",
        err=True,
    )

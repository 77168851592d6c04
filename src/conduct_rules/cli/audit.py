"""``conduct-rules audit FILE``: assess every record of a JSON Lines, CSV or Parquet file.

Why these outputs: JSON Lines and CSV have exactly one record per input row, in input order — an
assessment summary, or a rejection with its row number and field error — so an auditor can join
them back to the input by row; the HTML report is for people and is self-contained. Rows that
cannot be read never stop the run; whether the run *passes* is the rejection policy's call
(``--max-rejected``; by default it fails only when no row could be assessed), and stderr says
what happened. Exit codes: 0 passed; 1 the rejection policy failed, or the run itself could not
happen (an engine that cannot load); 2 the input as a whole is unusable (no such file, unknown
format, a bad CSV header, an output that is the input); 143 stopped by SIGTERM (no output file
left behind). The progress bar appears only when stderr is a terminal.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from contextlib import ExitStack
from typing import IO, Any

import click

from conduct_rules.api import BACKENDS, get_ruleset
from conduct_rules.audit.inputs import records_from_file
from conduct_rules.audit.outfile import check_outputs, open_output
from conduct_rules.audit.policy import RejectionPolicy
from conduct_rules.audit.sources import RecordSource
from conduct_rules.audit.stop import EXIT_STOPPED, stop_on_signals
from conduct_rules.batch import AuditResult, AuditSummary, assess_many
from conduct_rules.cli.common import (
    check_fail_on,
    fail,
    fail_on_option,
    lang_option,
    parameters_option,
    parse_parameters,
    plural,
    ruleset_option,
)
from conduct_rules.errors import (
    AuditStoppedError,
    ConductRulesError,
    InputError,
    ParameterError,
    RulesetError,
)
from conduct_rules.rules.ruleset import Ruleset

__all__ = ["audit_cmd"]

EXIT_RUN_FAILED = 1
_DELIMITERS = {"auto": None, "comma": ",", "semicolon": ";", "tab": "\t"}
_FULL = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EFBIG") if hasattr(errno, n))


def _known_columns(ruleset: str | None) -> frozenset[str]:
    """Column names the CSV sniffer looks for: the ruleset's flat record, or the standard case."""
    from conduct_rules.rules.flat import CSV_COLUMNS

    if ruleset is not None:
        vocab = get_ruleset(ruleset).vocabulary
        if not vocab.is_case:
            return frozenset(vocab.fields) | {"case_id"}
    return frozenset(CSV_COLUMNS)


def _source(
    file: str,
    input_format: str,
    encoding: str,
    delimiter: str | None,
    known: frozenset[str],
    keep_text: bool,
) -> RecordSource:
    if file == "-":
        from conduct_rules.audit.inputs import stream_source

        return stream_source(
            sys.stdin.buffer,
            input_format,
            known=known,
            encoding=encoding,
            delimiter=delimiter,
            keep_text=keep_text,
        )
    return records_from_file(
        file,
        input_format,
        encoding=encoding,
        delimiter=delimiter,
        known_columns=known,
        keep_text=keep_text,
    )


def _write(result: AuditResult, fmt: str, fh: IO[Any], max_cases: int) -> None:
    if fmt == "jsonl":
        result.to_jsonl(fh)
    elif fmt == "csv":
        result.to_csv(fh)
    elif fmt == "parquet":
        from conduct_rules.audit.parquet import write_parquet

        write_parquet(result, fh)
    else:
        fh.write(result.to_html(max_cases=max_cases) or "")


def _to_stdout(result: AuditResult, fmt: str, max_cases: int) -> None:
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


def _run(
    result: AuditResult, fmt: str, out: str | None, rejected: str | None, max_cases: int
) -> int:
    """Write the outputs; returns how many rejected records went to ``--rejected``."""
    with ExitStack() as stack:
        writer = None
        if rejected is not None:
            from conduct_rules.audit.rejected import RejectedWriter

            fh = stack.enter_context(open_output(rejected, "--rejected", binary=True))
            writer = RejectedWriter(fh, result.source)
            result.rejected_sink = writer
        if out is None:
            if fmt == "parquet":
                raise InputError("--format parquet needs -o/--output FILE")
            _to_stdout(result, fmt, max_cases)
        else:
            with open_output(out, "--output", binary=fmt == "parquet") as fh_out:
                _write(result, fmt, fh_out, max_cases)
        if writer is not None:
            writer.close()
            return writer.count
    return 0


def _policies_met(s: AuditSummary, policies: tuple[str, ...], rs: Ruleset) -> list[str]:
    """The ``--fail-on`` policies some row meets, in words (counts only, never a case value)."""
    met: list[str] = []
    for p in policies:
        if p == "findings":
            n = sum(s.findings.values())
            if n:
                met.append(
                    f"{plural(n, 'possible breach', 'possible breaches')} (--fail-on findings)"
                )
        elif p == "attention":
            if s.needs_attention:
                met.append(
                    f"{plural(s.needs_attention, 'row')} need attention (--fail-on attention)"
                )
        elif s.verdicts.get(p, 0):
            label = rs.outputs.verdicts[p].label["en"]
            met.append(f"{plural(s.verdicts[p], 'row')} with the verdict “{label}” (--fail-on {p})")
    return met


def _report(
    s: AuditSummary,
    policy: RejectionPolicy,
    rejected_path: str | None,
    policies: tuple[str, ...] = (),
    rs: Ruleset | None = None,
) -> int:
    """The summary lines on stderr; returns the exit code they announce."""
    click.echo(
        f"conduct-rules: {plural(s.total, 'row')}: {s.assessed:,} assessed, "
        f"{s.rejected:,} rejected; {s.needs_attention:,} need attention",
        err=True,
    )
    if s.rejected:
        fields = ", ".join(f"{f} {n:,}" for f, n in list(s.rejected_fields.items())[:8])
        more = len(s.rejected_fields) - 8
        where = f"; the records are in {rejected_path}" if rejected_path else ""
        click.echo(
            f"conduct-rules: rejected by field: {fields}{f' (+{more} more)' if more > 0 else ''}"
            f" (see the error column{where})",
            err=True,
        )
    failures = [] if (f := policy.failure(s.total, s.rejected)) is None else [f]
    if rs is not None:
        failures += _policies_met(s, policies, rs)
    if failures:
        click.echo(f"conduct-rules: FAILED (exit 1): {'; '.join(failures)}", err=True)
        return EXIT_RUN_FAILED
    click.echo(f"conduct-rules: passed (exit 0) under {policy.describe()}", err=True)
    return 0


@click.command("audit")
@click.argument("file", metavar="FILE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "html", "parquet"]),
    default="jsonl",
    show_default=True,
    help="jsonl / csv / parquet: one record per input row, in order; html: a report for people.",
)
@click.option(
    "-o",
    "--output",
    "--out",
    "out",
    default=None,
    metavar="FILE",
    help="Write to FILE instead of standard output ('-': standard output; --out also works).",
)
@click.option(
    "--rejected",
    "rejected_path",
    default=None,
    metavar="PATH",
    help="Also write the rejected input records, as written, with their row and reason.",
)
@click.option(
    "--max-rejected",
    default=None,
    metavar="N|P%",
    help="Exit 1 when more rows than this are rejected (default: only when none is assessed).",
)
@lang_option("Language of the HTML report's labels and explanations.")
@click.option(
    "--backend",
    type=click.Choice(list(BACKENDS)),
    default="auto",
    show_default=True,
    help="auto: the fast backend (same results as the others).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: every core for large files, none for small ones).",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "jsonl", "csv", "parquet"]),
    default="auto",
    show_default=True,
    help="auto: by extension (.jsonl, .ndjson, .csv, .parquet, also .gz); stdin by content.",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="CSV text encoding (utf-8 with or without BOM, cp1252, latin-1).",
)
@click.option(
    "--delimiter",
    type=click.Choice(list(_DELIMITERS)),
    default="auto",
    show_default=True,
    help="CSV delimiter; auto sniffs comma, semicolon or tab from the header.",
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
@parameters_option()
@fail_on_option(
    "Exit 1 when any row meets this policy: a verdict id (not_permitted, conditional), "
    "findings (a possible breach) or attention (not permitted, a finding or a blocking "
    "safeguard outstanding). Repeatable or comma-separated."
)
def audit_cmd(
    file: str,
    fmt: str,
    out: str | None,
    rejected_path: str | None,
    max_rejected: str | None,
    lang: str,
    backend: str,
    workers: int | None,
    input_format: str,
    encoding: str,
    delimiter: str,
    ruleset: str | None,
    rulesets: str | None,
    max_cases: int,
    params: tuple[str, ...],
    fail_on: tuple[str, ...],
) -> None:
    """Assess every record of FILE (JSON Lines, CSV or Parquet; '-' for stdin) and write one
    result per row.

    Exit status: 0 passed; 1 more rows rejected than --max-rejected allows (by default: none
    could be assessed), a row meets a --fail-on policy, or the run could not complete; 2 the
    input or an option is unusable; 143 stopped by SIGTERM.
    """
    if out == "-":
        out = None
    parameters = parse_parameters(params)
    if rulesets is not None:
        if parameters is not None:
            fail("--parameters adjusts one ruleset; give it with --ruleset, not --rulesets")
        if fail_on:
            fail("--fail-on applies to one ruleset; give it with --ruleset, not --rulesets")
        from conduct_rules.cli.audit_compared import run_compared

        run_compared(file, input_format, rulesets, fmt, out, lang, backend, workers, ruleset)
        return
    try:
        policy = RejectionPolicy.parse(max_rejected)
        rs = get_ruleset(ruleset, parameters)
        policies = check_fail_on(fail_on, rs.outputs.verdicts)
        check_outputs([("--output", out), ("--rejected", rejected_path)], [file])
        with stop_on_signals():
            source = _source(
                file,
                input_format,
                encoding,
                _DELIMITERS[delimiter],
                _known_columns(ruleset),
                rejected_path is not None,
            )
            result = assess_many(
                source,
                ruleset=rs,
                lang="fr" if lang == "fr" else "en",
                backend=backend,
                workers=workers,
                progress=sys.stderr.isatty(),
                keep_rows=0,  # rows stream to the output; nothing is kept
            )
            _run(result, fmt, out, rejected_path, max_cases)
    except AuditStoppedError:
        fail("stopped by SIGTERM before the end; no output file was left", EXIT_STOPPED)
    except (InputError, RulesetError, ParameterError) as exc:
        fail(str(exc))
    except ConductRulesError as exc:
        fail(str(exc), EXIT_RUN_FAILED)
    except OSError as exc:
        # A full disk is a run that could not complete (1), as on stdout; a path that cannot be
        # written at all (no such folder, no permission) is a bad option (2).
        full = exc.errno in _FULL
        fail(f"cannot write the output ({type(exc).__name__})", EXIT_RUN_FAILED if full else 2)
    if parameters is not None:  # the run's ruleset reference: what every row was assessed under
        values = ", ".join(f"{k}={v}" for k, v in sorted(rs.parameter_values.items()))
        click.echo(
            f"conduct-rules: every row assessed under {rs.id} {rs.version} ({values})", err=True
        )
    code = _report(result.summary, policy, rejected_path, policies, rs)
    if code:
        raise SystemExit(code)

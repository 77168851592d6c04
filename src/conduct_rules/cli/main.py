"""The ``conduct-rules`` command: a click group whose subcommands live in ``conduct_rules.cli``.

Why one module per subcommand: each one (assess, audit, explain, what-if, train) has its own
options and output formats; keeping them apart keeps every module small and lets heavy optional
imports (pandas, matplotlib) happen only when their command runs.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

import click

from conduct_rules.cli.assess import assess_cmd
from conduct_rules.cli.audit import audit_cmd
from conduct_rules.cli.compare import compare_cmd
from conduct_rules.cli.explain import explain_cmd, what_if_cmd
from conduct_rules.cli.schema import schema_cmd
from conduct_rules.cli.serve import serve_cmd
from conduct_rules.cli.template import template_cmd
from conduct_rules.cli.train import train_cmd
from conduct_rules.model.version import PACKAGE_VERSION

__all__ = ["EXIT_OUTPUT_FAILED", "main"]

#: Exit status when standard output cannot be written: the reader went away (a closed pipe,
#: ``| head -1``: no message) or the disk is full (``> /dev/full``: one line on stderr). The same
#: status as any run that could not complete (docs/reliability.md).
EXIT_OUTPUT_FAILED = 1
#: Write errors that mean "the output is gone": a closed pipe, a full disk or quota, a file
#: too large, an I/O error. Any other ``OSError`` is not about the output and is not caught here.
_OUTPUT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EPIPE", "ENOSPC", "EDQUOT", "EFBIG", "EIO")
    if hasattr(errno, name)
)


def _output_failed(exc: OSError) -> int:
    """Say why the output failed (not for a closed pipe), silence stdout, give the exit status."""
    if exc.errno != errno.EPIPE:
        with contextlib.suppress(OSError):  # stderr gone too: the status still says it
            click.echo(f"conduct-rules: cannot write the output ({exc.strerror})", err=True)
    # Whatever is still buffered must not fail again when Python flushes at exit. No file
    # descriptor (a test runner's stream): nothing to silence.
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OUTPUT_FAILED


class _Main(click.Group):
    """The command group, ending quietly when standard output cannot be written."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()  # here, not at exit: a failure is still ours to report
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            raise SystemExit(_output_failed(exc)) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(PACKAGE_VERSION, prog_name="conduct-rules")
def main() -> None:
    """Assess the ending of a client relationship against professional standards.

    \b
    Every command takes -o/--output FILE, --lang en|fr, --format, --ruleset NAME|FOLDER and
    --parameters KEY=VALUE|FILE (a value a command cannot use is refused, never ignored);
    '-' reads standard input.
    \b
    Exit status: 0 done (whatever the verdict); 1 a --fail-on policy met (assess, compare,
    audit), more rows rejected than --max-rejected allows (audit), or the run failed; 2 bad
    input (file, field, id, ruleset, parameter or option value).
    """


main.add_command(assess_cmd)
main.add_command(audit_cmd)
main.add_command(explain_cmd)
main.add_command(what_if_cmd)
main.add_command(train_cmd)
main.add_command(schema_cmd)
main.add_command(template_cmd)
main.add_command(serve_cmd)
main.add_command(compare_cmd)

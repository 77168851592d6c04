"""What Python 3.13+ users get: durable_rules' C extension cannot load there, so the library must
fall back to the python backend and say so, and refuse an explicit ``backend="durable_rules"``
with a plain explanation.

Simulated on any Python by blocking the import (``sys.modules['durable'] = None``, which makes
``import durable`` raise ``ImportError``) in a fresh interpreter, before ``conduct_rules`` is
imported. The same script runs on 3.13 unchanged, where the import fails for real.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "examples" / "scenario-2" / "1-before-legal-advice.json"

PROBE = textwrap.dedent(
    """
    import json, sys
    sys.modules["durable"] = None  # as on Python 3.13+: the C engine does not import
    import conduct_rules
    from conduct_rules import EngineUnavailableError, assess, default_backend, durable_available

    case = json.loads(open(sys.argv[1], encoding="utf-8").read())
    out = {"available": durable_available(), "default": default_backend()}
    result = assess(case)
    out["engine"] = result.engine
    out["dump"] = result.model_dump(mode="json")
    out["python_dump"] = assess(case, backend="python").model_dump(mode="json")
    try:
        assess(case, backend="durable_rules")
    except EngineUnavailableError as exc:
        out["error"] = str(exc)
        out["is_runtime_error"] = isinstance(exc, RuntimeError)
    from conduct_rules import prepare
    try:
        prepare(backend="durable_rules")
    except EngineUnavailableError as exc:
        out["prepare_error"] = str(exc)
    from click.testing import CliRunner
    from conduct_rules.cli.main import main
    cli = CliRunner().invoke(main, ["assess", sys.argv[1], "--backend", "durable_rules"])
    out["cli_exit"] = cli.exit_code
    out["cli_stderr"] = cli.stderr
    cli = CliRunner().invoke(main, ["assess", sys.argv[1], "--format", "json"])
    out["cli_default"] = json.loads(cli.stdout)["engine"]
    print(json.dumps(out))
    """
)


@functools.cache
def _probe() -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(CASE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_without_durable_rules_the_default_fast_backend_runs_and_says_so() -> None:
    out = _probe()
    assert out["available"] is False
    assert out["default"] == "fast"
    assert out["engine"] == "fast"
    assert out["cli_default"] == "fast"
    # Same answer as asking for the python backend outright, the engine's name aside.
    dump, python_dump = out["dump"], out["python_dump"]
    assert isinstance(dump, dict)
    assert isinstance(python_dump, dict)
    assert python_dump["engine"] == "python"
    assert {**dump, "engine": "python"} == python_dump
    assert dump["verdict"] == "conditional"


def test_auto_is_the_fast_backend_for_one_case_and_for_a_batch() -> None:
    """One meaning of ``auto`` (issue 12): durable_rules only when asked for by name."""
    from conduct_rules import assess, assess_many, default_backend

    case = json.loads(CASE.read_text(encoding="utf-8"))
    assert default_backend() == "fast"
    assert assess(case).engine == "fast"
    assert assess(case, backend="auto").engine == "fast"
    assert assess_many([case]).engine == "fast"


def test_asking_for_durable_rules_explains_the_python_version_issue() -> None:
    out = _probe()
    message = str(out["error"])
    assert out["is_runtime_error"] is True
    assert "durable_rules" in message
    assert "Python 3.11 or 3.12" in message
    assert "3.13" in message
    assert "backend='python'" in message
    assert out["prepare_error"] == message  # refused when prepared, before any case
    assert out["cli_exit"] == 2
    stderr = str(out["cli_stderr"])
    assert len(stderr.splitlines()) == 1
    assert "Python 3.11 or 3.12" in stderr

"""The built wheel carries everything: installed (not editable) in a fresh venv, it assesses a case
from an unrelated folder, through the Python API and through the console script.

Why: an editable install reads the rulesets from the source tree, so it hides a wheel that forgets
them. This is the check a new user's ``pip install conduct-rules`` depends on. It builds the wheel
(``python -m build``), creates a venv and lets pip fetch the dependencies from the package index,
so it takes about a minute and needs the index; it is marked ``slow`` but runs by default (CI
included). Skip it locally with ``-m 'not slow'``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "examples" / "scenario-3" / "2-after-threats.json"


def _run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_assesses_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
    wheels = sorted(dist.glob("conduct_rules-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
    assert not [n for n in names if n.startswith("conduct_rules_dev/") or "/_dev/" in n]
    assert "conduct_rules/render/templates/assessment.html.j2" in names  # the HTML views

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    py = venv / "bin" / "python"
    _run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheels[0])],
        cwd=tmp_path,
    )

    work = tmp_path / "elsewhere"
    work.mkdir()
    case_file = work / "case.json"
    case_file.write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")

    # The Python API, from a folder with no source tree in sight.
    probe = (
        "import json, conduct_rules as c\n"
        "from conduct_rules import assess, available_rulesets\n"
        "a = assess(json.load(open('case.json')), lang='fr')\n"
        "d = c.durable_available()\n"
        "d = d and assess(json.load(open('case.json')), backend='durable_rules').engine"
        " == 'durable_rules'\n"
        "print(json.dumps({'file': c.__file__, 'rulesets': available_rulesets(),"
        " 'verdict': a.verdict, 'engine': a.engine, 'durable': d, 'version': a.ruleset.version,"
        " 'actions': [x.id for x in a.permitted_actions], 'lang': a.lang,"
        " 'html': a._repr_html_()}))\n"
    )
    out = json.loads(_run([str(py), "-c", probe], cwd=work).stdout)
    assert Path(out["file"]).is_relative_to(venv), "imported from the source tree, not the wheel"
    assert "ontario" in out["rulesets"]
    assert out["verdict"] == "permitted"
    assert "end_by_written_notice" in out["actions"]
    assert out["lang"] == "fr"
    assert out["html"].startswith('<div class="conduct-rules"')  # templates found in the wheel
    assert "Dossier\u00a0:" in out["html"]
    assert out["engine"] == "fast"  # "auto" is the fast backend everywhere (docs/engines.md)
    # The engine of record is installed with the wheel and runs where its C extension builds.
    assert out["durable"] == (sys.version_info < (3, 13))

    # The console script.
    script = venv / "bin" / "conduct-rules"
    as_json = json.loads(
        _run([str(script), "assess", "case.json", "--format", "json"], cwd=work).stdout
    )
    assert as_json["verdict"] == "permitted"
    assert as_json["ruleset"]["id"] == "ontario-sw-ending"
    report = _run([str(script), "assess", "case.json"], cwd=work).stdout
    assert "Verdict: ENDING PERMITTED" in report
    schema = json.loads(_run([str(script), "schema", "case"], cwd=work).stdout)
    assert schema["title"] == "Case"

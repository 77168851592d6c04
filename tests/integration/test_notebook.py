"""The example notebook ``examples/audit.ipynb`` runs from top to bottom and shows what it claims.

Why execute it in the test suite: an example that no longer runs is worse than none. The kernel
is named explicitly (``python3``): jupyter_client then starts it with this interpreter, so the
notebook sees the same installed package as the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "audit.ipynb"


def test_audit_notebook_runs(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="conduct-rules"' in h and "Verdicts" in h for h in html)  # the audit
    assert any("Dossier" in h for h in html)  # one assessment, in French
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart
    texts = "".join(o.get("text", "") for o in outputs)
    assert "audit.html" in texts

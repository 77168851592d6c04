"""Write ``examples/fhir/scenario-*/*.json``: the scenario cases as FHIR R4 Bundles.

Run once when the example cases change: ``python scripts/fhir_examples.py``. Each bundle carries
the facts of ``examples/scenario-*/NAME.json`` (``bundle_from_case``); the test
``tests/integration/test_fhir.py`` checks that every bundle gives the same assessment as its
case file.
"""

from __future__ import annotations

import json
from pathlib import Path

from conduct_rules.fhir import bundle_from_case

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for path in sorted(ROOT.glob("examples/scenario-*/*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        out = ROOT / "examples" / "fhir" / path.parent.name / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(bundle_from_case(case), indent=2, ensure_ascii=False) + "\n"
        out.write_text(text, encoding="utf-8")
        print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()

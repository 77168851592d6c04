"""A table cell of the HTML views, apart so that the audit report's context can build cells
without importing the renderer that asks it for that context (no import cycle)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Cell"]


@dataclass(frozen=True)
class Cell:
    """One table cell as a template shows it; every field is plain text, escaped there.

    ``colour`` makes the text a verdict badge; ``note`` follows in italics and brackets;
    ``cites`` follows in the citation style and square brackets; ``numeric`` right-aligns.
    """

    text: str = ""
    cites: str = ""
    note: str = ""
    colour: str = ""
    numeric: bool = False

"""Typography for readers of English and French: one place for the small rules of writing.

Why one module: every text the library prints (reports, explanations, exercises, audit pages)
puts a colon, a quotation, a list or a number in front of a reader. French readers expect a
no-break space before ``:`` ``;`` ``!`` ``?``, quotation marks « », and their own number
formats; English readers expect none of that. Doing it once, here, keeps every output consistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

__all__ = [
    "NBSP",
    "NNBSP",
    "capitalize",
    "clause",
    "colon",
    "count_word",
    "either",
    "join_and",
    "quote",
    "semicolon",
    "sentence",
]

Lang = Literal["en", "fr"]

#: No-break space: before a French colon, inside « ».
NBSP = "\u00a0"
#: Narrow no-break space: before a French ; ! ?
NNBSP = "\u202f"

_NUMBERS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "fr": ("zéro", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
}


def colon(lang: Lang) -> str:
    """A colon with the spacing of the language (French: a no-break space before it)."""
    return f"{NBSP}: " if lang == "fr" else ": "


def semicolon(lang: Lang) -> str:
    """A semicolon with the spacing of the language (French: a narrow no-break space)."""
    return f"{NNBSP}; " if lang == "fr" else "; "


def quote(text: str, lang: Lang) -> str:
    """Quotation marks of the language: “…” or « … »."""
    return f"«{NBSP}{text}{NBSP}»" if lang == "fr" else f"“{text}”"


def count_word(n: int, lang: Lang, feminine: bool = True) -> str:
    """A small number in words ("two", « deux »); larger numbers as digits."""
    if 0 <= n < len(_NUMBERS[lang]):
        word = _NUMBERS[lang][n]
        return "un" if lang == "fr" and n == 1 and not feminine else word
    return str(n)


def clause(text: str) -> str:
    """A sentence made a clause to go inside another: trailing full stop removed, and the first
    letter lowered unless the word is an acronym or a name in capitals ("O. Reg.", "IT")."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def capitalize(text: str) -> str:
    """The first letter in upper case, the rest untouched."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """A clause made a sentence: capital first letter, one full stop at the end."""
    text = capitalize(text.strip())
    return text if text.endswith((".", "!", "?", ".»", "»")) else text + "."


def join_and(parts: Sequence[str], lang: Lang, word: str | None = None) -> str:
    """ "a, b and c" / « a, b et c » (``word`` replaces and/et, e.g. "or"/« ou »)."""
    last = word or ("et" if lang == "fr" else "and")
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def either(parts: Sequence[str], lang: Lang) -> str:
    """Alternatives: "either a, or b" / « soit a, soit b »."""
    if len(parts) == 1:
        return parts[0]
    if lang == "fr":
        return ", ".join(f"soit {p}" for p in parts)
    return "either " + ", or ".join(parts)

"""Typography for readers of English and French: one place for the small rules of writing.

Why one module: every text the library prints (reports, explanations, exercises, audit pages)
puts a colon, a quotation, a list or a number in front of a reader. French readers expect a
no-break space before ``:`` ``;`` ``!`` ``?``, quotation marks « », and their own number
formats; English readers expect none of that. Doing it once, here, keeps every output consistent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

__all__ = [
    "LOCALES",
    "NBSP",
    "NNBSP",
    "capitalize",
    "clause",
    "colon",
    "count_word",
    "date_text",
    "either",
    "join_and",
    "number",
    "percent",
    "quote",
    "semicolon",
    "sentence",
    "typeset",
]

Lang = Literal["en", "fr"]

#: No-break space: before a French colon, inside « ».
NBSP = "\u00a0"
#: Narrow no-break space: before a French ; ! ?
NNBSP = "\u202f"

#: The locale of each language: the rules are Ontario's, so Canadian English and French.
LOCALES: dict[str, str] = {"en": "en_CA", "fr": "fr_CA"}

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


def number(n: int | float, lang: Lang) -> str:
    """A number as the language writes it: 1,001 / 1 001 (no-break space)."""
    return str(format_decimal(n, locale=LOCALES[lang]))


def percent(part: int, whole: int, lang: Lang) -> str:
    """A share with one decimal: 89.9% / 89,9 % (no-break space); "–" when ``whole`` is 0."""
    if not whole:
        return "–"
    pattern = "#,##0.0\u00a0%" if lang == "fr" else "#,##0.0%"
    return str(format_percent(part / whole, pattern, locale=LOCALES[lang]))


def date_text(day: dt.date, lang: Lang) -> str:
    """A date in words: March 1, 2024 / 1 mars 2024."""
    return str(format_date(day, "long", locale=LOCALES[lang]))


_FR_SPACES = (
    (re.compile(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)"), "\u00a0:"),
    (re.compile(r"(?<=\S)[ \u00a0\u202f]*([;!?])(?=\s|$|»)"), "\u202f\\1"),
    (re.compile(r"«[ \u00a0]*"), "«\u00a0"),
    (re.compile(r"[ \u00a0]*»"), "\u00a0»"),
)


def typeset(text: str, lang: Lang) -> str:
    """French spacing applied to a finished text: a no-break space before ``:`` and inside « »,
    a narrow one before ``; ! ?``. Only punctuation followed by a space or the end is touched,
    so times, URLs and ids (``note-scenario-2``, ``https://``) are left alone. English: as is."""
    if lang != "fr":
        return text
    for pattern, repl in _FR_SPACES:
        text = pattern.sub(repl, text)
    return text

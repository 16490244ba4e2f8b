"""Amounts and numbers as French texts write them: euros, thousands, millions, percentages, counts.

Each pattern is named for its use; they differ on purpose (a key figure is quoted whole from its sentence,
the answerer's money pattern takes "près de" along, the guard's value pattern reads the multiplier),
and changing one would change what that reader finds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# ---------------------------------------------------------------------------------------------
# Key figures of a fiche: the amount, percentage or count quoted as written.

# At most 6 groups of thousands (10^21): an unbounded `(?:[ .]\d{3})+` was retried from every group of a long
# "000 000 000 …" run, quadratic; no real figure has more groups.
FIGURE_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3}){1,6}(?:,\d+)?|\d+(?:,\d+)?"
FIGURE_AMOUNT_RE = re.compile(
    rf"(?<![\w,.])(?:{FIGURE_NUMBER})(?:\s?(?:€|k€|M€)|\s(?:euros?|millions? d['’]euros|milliards? d['’]euros|"
    rf"millions? €|milliards? €)(?!\w))"
)
FIGURE_PERCENT_RE = re.compile(rf"(?<![\w,.])(?:{FIGURE_NUMBER})\s?%")
INTEGER_RE = re.compile(r"(?<![\w,.%/’'-])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?![\w%/-]|[.,]\d)")
SPELLED_COUNT_RE = re.compile(
    r"\b(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente)\b",
    re.IGNORECASE,
)


def amount_value(value: str) -> float:
    """The euros of a key figure as written ("220 000 euros", "1,2 million d'euros", "45 k€"); 0 when none."""
    number = re.match(r"[\d \u00a0\u202f.]+(?:,\d+)?", value)
    if not number:
        return 0.0
    amount = float(re.sub(r"[\s\u00a0\u202f.]", "", number[0]).replace(",", "."))
    if re.search(r"milliard", value):
        return amount * 1e9
    if re.search(r"million|M€", value):
        return amount * 1e6
    return amount * 1e3 if "k€" in value else amount


# ---------------------------------------------------------------------------------------------
# Which kinds of fact a sentence holds (the answerer's fact kinds).

MENTION_NUMBER = r"\d{1,3}(?:[  .\u202f]\d{3}){1,6}(?:,\d+)?|\d+(?:,\d+)?"  # 6 groups at most, as FIGURE_NUMBER
# Tried from the first digit of a number only: from each digit of a long one, `\d+` was quadratic. Only whether a
# sentence holds an amount is asked, and a number matched from inside ("1234 567 €") is matched from "567".
AMOUNT_RE = re.compile(
    rf"(?<!\d)(?:{MENTION_NUMBER})\s?(?:(?:k|K|M|Md|Mds|millions?|milliards?|mille)\s?(?:d['’]\s?)?)?"
    rf"(?:€|euros?\b|EUR\b)|(?<!\d)(?:{MENTION_NUMBER})\s?(?:M€|k€|K€|Md€)"
)
NUMBER_RE = re.compile(rf"(?<![\w,.])(?:{MENTION_NUMBER})(?![\w])")
# Numbers written in words, exact and approximate ("une cinquantaine", "des centaines"), as French counts.
COUNT_WORDS = (
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|soixante|"
    r"cent|mille|(?:dix|douz|quinz|vingt|trent|quarant|cinquant|soixant|cent)aines?|milliers?"
)
COUNT_WORDS_RE = re.compile(rf"\b(?:{COUNT_WORDS})\b", re.IGNORECASE)
PERCENT_RE = re.compile(r"\d\s?%|\bpour\s?cent\b", re.IGNORECASE)
# Numbers written in words, with their digits: "six axes" answers "les 6 axes".
NUMBER_NAMES = {"un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6",
                "sept": "7", "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "vingt": "20"}



# ---------------------------------------------------------------------------------------------
# Answer units: money with its hedge ("près de 2 M€"), plain numbers.

MONEY_RE = re.compile(
    r"(?:(?:près de|environ|plus de|moins de|jusqu’à|jusqu'à)\s)?"
    r"\d{1,3}(?:[ .\u00a0\u202f]\d{3}){0,6}(?:,\d+)?\s?(?:€|k€|M€|euros?\b|millions? d[’']euros|milliards? d[’']euros)"
)
PLAIN_NUMBER_RE = re.compile(r"(?<![\w,.])\d+(?:[ .]\d{3})*(?:,\d+)?(?![\w])")


# ---------------------------------------------------------------------------------------------
# Values, for the chat-model guard: a figure it writes must be one its passages hold.

# Figures: spaces inside numbers may be no-break spaces; French groups thousands with spaces or dots.
SEP = "[ \u00a0\u202f\u2009]"
VALUE_RE = re.compile(
    rf"(?<![\w.,])(?P<num>\d{{1,3}}(?:(?:{SEP}|\.)\d{{3}})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
    rf"(?:{SEP}?(?P<mult>k|m|md|mds|mrd)(?={SEP}?(?:€|euros?\b|eur\b))|{SEP}?(?P<mult2>millions?|milliards?)\b)?"
    rf"(?P<unit>{SEP}?(?:d[’']{SEP}?)?(?:€|euros?\b|eur\b)|{SEP}?(?:%|pour{SEP}?cent\b))?",
    re.IGNORECASE,
)
MULTIPLIERS = {"k": 10**3, "m": 10**6, "million": 10**6, "millions": 10**6, "md": 10**9, "mds": 10**9,
               "mrd": 10**9, "milliard": 10**9, "milliards": 10**9}


@dataclass(frozen=True, slots=True)
class Figure:
    """A number or a date as written in a text, with the value it stands for."""

    text: str
    start: int
    end: int
    value: Decimal | None = None  # numbers
    unit: str = ""  # "€" | "%" | "" for numbers
    date: tuple[int | None, int, int | None] | None = None  # (day, month, year) for dates


def _number_value(match: re.Match[str]) -> Decimal | None:
    raw = re.sub(SEP, "", match.group("num"))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        raw = raw.replace(".", "")  # French thousands dots: "220.000"
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    multiplier = (match.group("mult") or match.group("mult2") or "").lower()
    return (value * MULTIPLIERS[multiplier] if multiplier else value).normalize()


def _unit(match: re.Match[str]) -> str:
    unit = (match.group("unit") or "").lower()
    if not unit:
        return ""
    return "%" if "%" in unit or "cent" in unit else "€"


def numbers_in(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Figure]:
    """Numbers of a text ("220 000 €", "0,22 M€", "12,5 %", "2024"), outside the `skip` spans."""
    out: list[Figure] = []
    for match in VALUE_RE.finditer(text):
        if any(a < match.end() and match.start() < b for a, b in skip):
            continue
        value = _number_value(match)
        if value is not None:
            out.append(Figure(match.group(0).strip(), match.start(), match.end(), value=value, unit=_unit(match)))
    return out


# ---------------------------------------------------------------------------------------------
# Numbers written one way, for the lexical index: "220 000 €", "220 k€", "0,22 M€" -> "220000 euros".

# Thousands groups: "220 000", "1 200 000", "220.000" (French also uses a dot). The look-behind
# and look-ahead stop "en 2022 220 000" from gluing the year to the amount.
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ .]\d{3})+)(?!\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
# An amount followed by a multiplier: "220 k€", "0,22 M€", "1,5 million d'euros", "2 Md€".
_MULTIPLIED = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s?"
    r"(?:(k|m|md|mds|mrd)\s?(?=€|euros?\b|eur\b)|(millions?|milliards?)\b)",
)


def format_number(value: Decimal) -> str:
    """A number in one written form: "220000", "1.5" (no trailing zeros, no exponent)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


_MULTIPLIED_ANY_CASE = re.compile(_MULTIPLIED.pattern, re.IGNORECASE)


def _multiply(match: re.Match[str]) -> str:
    unit = (match.group(2) or match.group(3)).lower()
    try:
        value = Decimal(match.group(1)) * MULTIPLIERS[unit]
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return match.group(0)
    return format_number(value) + " "


def joined_figures(text: str) -> str:
    """The figures of `text` as `normalize_numbers` writes them ("265 000" -> "265000", "710 millions" ->
    "710000000", "0,22 M€" -> "220000 €"), the rest of the text as it was (case kept, no words added)."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = _THOUSANDS.sub(lambda m: m.group(1).replace(" ", "").replace(".", ""), text)
    text = _DECIMAL_COMMA.sub(".", text)
    return _MULTIPLIED_ANY_CASE.sub(_multiply, text)


def normalize_numbers(text: str) -> str:
    """Write every number one way: "220 000 €", "220 k€" and "0,22 M€" all become "220000 euros".

    Expects lowercase text. Decimal commas become dots ("1,9%" -> "1.9 pourcent").
    """
    # PDFs put (narrow) no-break spaces inside numbers: treat them as plain spaces.
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = _THOUSANDS.sub(lambda m: m.group(1).replace(" ", "").replace(".", ""), text)
    text = _DECIMAL_COMMA.sub(".", text)
    text = _MULTIPLIED.sub(_multiply, text)
    text = re.sub(r"\s?€", " euros ", text)
    text = re.sub(r"\b(?:eur|euro)\b", "euros", text)
    return text.replace("%", " pourcent ")

"""French dates: month names, years and year spans, and the written forms of dates.

Each pattern is named for its use (a fiche's own date, a sentence that holds a date, a date phrase of an
answer, a date the chat model writes); they share the month and year vocabulary below.
"""

from __future__ import annotations

import re

from lang.amounts import SEP, Figure
from lang.words import fold, fold_accents

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre")
# Folded name -> month number: "fevrier" -> 2.
MONTH_NUMBERS = {fold(name): number for number, name in enumerate(MONTH_NAMES, start=1)}
# Any month as written, accented or not (match with re.IGNORECASE for capitals).
MONTH = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
WEEKDAY = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
YEAR = r"(?:19|20)\d\d"
FOLDED_MONTH = "|".join(MONTH_NUMBERS)  # for text already folded
YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")


def french_date(iso: str | None) -> str:
    """"2024-10-08" -> "8 octobre 2024", "2025-01" -> "janvier 2025", "2025" -> "2025"; "" when unknown."""
    if not iso:
        return ""
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return iso
    return parts[0]


# ---------------------------------------------------------------------------------------------
# A document's own date: "8 octobre 2024", "janvier 2025", "03/03/2023", after a dateline or a marker.

DAY_DATE_RE = re.compile(rf"\b(?P<day>1er|[0-3]?\d)\s+(?P<month>{MONTH})\s+(?P<year>{YEAR})\b", re.IGNORECASE)
MONTH_DATE_RE = re.compile(rf"\b(?P<month>{MONTH})\s+(?P<year>{YEAR})\b", re.IGNORECASE)
NUMERIC_DATE_RE = re.compile(rf"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>{YEAR})\b")
# "Caen, le 8 octobre 2024" / "Fait à Rouen, le 03/03/2023": the dateline of letters and press releases.
DATELINE_RE = re.compile(
    rf"(?:^|(?<=\s))[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[ -][\w'’-]+){{0,3}},\s+[Ll]e\s+(?i:(?:{WEEKDAY})\s+)?"
    rf"(?=(?i:(?:1er|[0-3]?\d)\s+(?:{MONTH})\s+{YEAR})|[0-3]?\d[/.][01]?\d[/.]{YEAR})"
)
# Publication markers whose date is the document's own: "Mis à jour le 3 mars 2023", "Publié le …".
DATE_MARKER_RE = re.compile(
    r"\b(?:mise? à jour|actualisée?|publiée?|date de (?:publication|mise à jour|diffusion)|version du|en date du)"
    r"\s*(?:le\s+|:\s*|du\s+)?",
    re.IGNORECASE,
)


def parse_date(text: str) -> str | None:
    """The first French date of a text in ISO form: "8 octobre 2024" -> "2024-10-08", "janvier 2025" -> "2025-01"."""
    found: list[tuple[int, int, str]] = []
    for match in DAY_DATE_RE.finditer(text):
        day = 1 if match["day"].lower() == "1er" else int(match["day"])
        if 1 <= day <= 31:
            month = MONTH_NUMBERS[fold(match["month"])]
            found.append((match.start(), -len(match[0]), f"{match['year']}-{month:02d}-{day:02d}"))
    for match in NUMERIC_DATE_RE.finditer(text):
        day, month = int(match["day"]), int(match["month"])
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append((match.start(), -len(match[0]), f"{match['year']}-{month:02d}-{day:02d}"))
    for match in MONTH_DATE_RE.finditer(text):
        found.append((match.start(), -len(match[0]), f"{match['year']}-{MONTH_NUMBERS[fold(match['month'])]:02d}"))
    return min(found)[2] if found else None


# ---------------------------------------------------------------------------------------------
# Years a text names, and whether a sentence holds a date (the answerer's fact kinds).

DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}(?:er)?\s+)?(?:{MONTH})(?:\s+(?:19|20)\d{{2}})?\b|\b\d{{1,2}}/\d{{1,2}}/(?:19|20)?\d{{2}}\b"
    r"|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_YEAR_IN_TEXT = re.compile(r"(?<![\d,.])(?:19[5-9]\d|20[0-4]\d)(?!\d|,\d)")
_YEAR_SPAN = re.compile(r"(?<![\d,.])((?:19|20)\d{2})\s?[-–/]\s?((?:19|20)\d{2})(?!\d|,\d)")


def years_of(text: str) -> frozenset[int]:
    """The years a text names, spans included ("le PRS 2023-2028" names 2025 too)."""
    found = {int(y) for y in _YEAR_IN_TEXT.findall(text)}
    for start, end in _YEAR_SPAN.findall(text):
        if 0 < int(end) - int(start) <= 30:
            found.update(range(int(start), int(end) + 1))
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# Date phrases of answer units: "lundi 4 mars 2024", "depuis 2019", "2023-2028".

DATE_PHRASE_RE = re.compile(
    rf"(?:(?:{WEEKDAY})\s)?(?:\d{{1,2}}(?:er)?\s)?\b(?:{MONTH})\b(?:\s\d{{4}})?"
    rf"|(?:en|depuis|dès|d’ici|d'ici|fin|début)\s(?:19|20)\d{{2}}|(?:19|20)\d{{2}}-(?:19|20)\d{{2}}",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Dates the chat model writes, with their value, for the guard.

VALUE_DATE_RE = re.compile(
    rf"(?<!\w)(?:(?P<day>\d{{1,2}})(?:er)?{SEP}+)?(?P<month>{MONTH})\b(?:{SEP}+(?P<year>(?:19|20)\d{{2}})(?!\d))?"
    rf"|(?<![\w/])(?P<nday>\d{{1,2}})/(?P<nmonth>\d{{1,2}})/(?P<nyear>\d{{4}}|\d{{2}})(?![\w/])",
    re.IGNORECASE,
)


def dates_in(text: str) -> list[Figure]:
    """Dates of a text with a day or a year ("1er novembre 2023", "décembre 2024", "12/12/2024")."""
    out: list[Figure] = []
    for match in VALUE_DATE_RE.finditer(text):
        if match.group("month"):
            day = int(match.group("day")) if match.group("day") else None
            month = MONTH_NUMBERS[fold_accents(match.group("month").lower())]
            year = int(match.group("year")) if match.group("year") else None
            if day is None and year is None:
                continue  # "mai" alone is not a date
        else:
            day, month, short = int(match.group("nday")), int(match.group("nmonth")), match.group("nyear")
            year = int("20" + short if len(short) == 2 else short)
            if not 1 <= month <= 12:
                continue
        if day is not None and not 1 <= day <= 31:
            continue
        out.append(Figure(match.group(0).strip(), match.start(), match.end(), date=(day, month, year)))
    return out

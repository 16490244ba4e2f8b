"""A document's fiche read from its text alone: date, kind, outline, key figures, named bodies,
acronyms it defines and the questions staff could ask about it. No model, no index."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ingest.models import Document
from ingest.split import split_sentences

# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A heading of the document and the page it starts on."""

    heading: str
    page: int
    level: int


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A figure worth quoting, with the verbatim sentence that holds it."""

    value: str  # as written: "220 000 euros", "1,9%", "1er novembre 2023"
    sentence: str  # verbatim substring of the block text
    page: int
    kind: str  # "amount" | "count" | "percent" | "date"
    section: str = ""  # nearest heading above the figure ("" before the first heading)


@dataclass(frozen=True, slots=True)
class Definition:
    """An acronym the document spells out, where it does so first."""

    term: str  # "CTS"
    expansion: str  # "Conseil territorial de santé", casing as written
    sentence: str  # verbatim substring of the block text
    page: int


@dataclass(frozen=True, slots=True)
class Fiche:
    """Everything the index keeps about a document besides its chunks."""

    doc_id: str
    source: str
    title: str
    kind: str
    date: str | None  # ISO "2024-10-08" or "2025-01"; None when the text gives none
    pages: int
    outline: tuple[OutlineEntry, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()
    entities: tuple[str, ...] = ()
    definitions: tuple[Definition, ...] = ()
    questions: tuple[str, ...] = ()
    acronyms: tuple[tuple[str, tuple[int, ...]], ...] = ()  # every acronym written, with its pages

    def to_json(self) -> dict[str, Any]:
        """JSON-able dict of lists and flat dicts (json.dumps it to store it as one string)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "kind": self.kind,
            "date": self.date,
            "pages": self.pages,
            "outline": [{"heading": o.heading, "page": o.page, "level": o.level} for o in self.outline],
            "key_figures": [
                {"value": f.value, "sentence": f.sentence, "page": f.page, "kind": f.kind, "section": f.section}
                for f in self.key_figures
            ],
            "entities": list(self.entities),
            "definitions": [
                {"term": d.term, "expansion": d.expansion, "sentence": d.sentence, "page": d.page}
                for d in self.definitions
            ],
            "questions": list(self.questions),
            "acronyms": [{"term": term, "pages": list(pages)} for term, pages in self.acronyms],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> Fiche:
        """Rebuild a fiche from `to_json()` output, or from that output dumped to a JSON string."""
        raw: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
        date = raw.get("date")
        return cls(
            doc_id=str(raw["doc_id"]),
            source=str(raw["source"]),
            title=str(raw["title"]),
            kind=str(raw["kind"]),
            date=str(date) if date else None,
            pages=int(raw["pages"]),
            outline=tuple(
                OutlineEntry(str(o["heading"]), int(o["page"]), int(o["level"])) for o in raw.get("outline", [])
            ),
            key_figures=tuple(
                KeyFigure(
                    str(f["value"]), str(f["sentence"]), int(f["page"]), str(f["kind"]), str(f.get("section", ""))
                )
                for f in raw.get("key_figures", [])
            ),
            entities=tuple(str(e) for e in raw.get("entities", [])),
            definitions=tuple(
                Definition(str(d["term"]), str(d["expansion"]), str(d["sentence"]), int(d["page"]))
                for d in raw.get("definitions", [])
            ),
            questions=tuple(str(q) for q in raw.get("questions", [])),
            acronyms=tuple(
                (str(a["term"]), tuple(int(p) for p in a["pages"])) for a in raw.get("acronyms", [])
            ),
        )


def describe(doc: Document) -> Fiche:
    """The fiche of a document, candidate questions included."""
    fiche = Fiche(
        doc_id=doc.doc_id,
        source=doc.source,
        title=doc.title,
        kind=document_kind(doc),
        date=document_date(doc),
        pages=doc.page_count,
        outline=tuple(outline(doc)),
        key_figures=tuple(key_figures(doc)),
        entities=tuple(entities(doc)),
        definitions=tuple(definitions(doc)),
        acronyms=acronym_pages(doc),
    )
    return replace(fiche, questions=tuple(question_candidates(fiche)))


ACRONYM_RE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,9}(?![\w-])")


def acronym_pages(doc: Document) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each acronym written in the document ("CRT", "MILDECA") with the pages it appears on, so that a
    glossary can say where a term is used, whether the document defines it or not."""
    pages: dict[str, set[int]] = {}
    for block in doc.blocks:
        for term in ACRONYM_RE.findall(block.text):
            if _uppercase_enough(term) and not term.isdigit():
                pages.setdefault(term, set()).add(block.page)
    return tuple((term, tuple(sorted(found))) for term, found in sorted(pages.items()))


# ---------------------------------------------------------------------------------------------
# Text helpers

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
CLOSERS = "»”\")"  # the sentence splitter drops one of these after a full stop


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: a key for comparisons."""
    text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES).lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a block; every span is a verbatim slice of the text."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            continue
        end = start + len(sentence)
        if end < len(text) and text[end] in CLOSERS:
            end += 1
        spans.extend(_split_after_urls(text, start, end))
        cursor = end
    return spans


def _split_after_urls(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A link with no full stop after it ("…/territoires Dans l’Orne, …") still ends a sentence."""
    for url in URL_RE.finditer(text, start, end):
        after = re.match(r"\s+(?=[A-ZÀ-ÖØ-Þ])", text[url.end() : end])
        if after:
            yield start, url.end()
            start = url.end() + after.end()
    yield start, end


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def _first_page(doc: Document) -> int:
    return min((b.page for b in doc.blocks), default=1)


# ---------------------------------------------------------------------------------------------
# Dates

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
MONTH = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
WEEKDAY = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
YEAR = r"(?:19|20)\d\d"
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
            month = MONTHS[fold(match["month"])]
            found.append((match.start(), -len(match[0]), f"{match['year']}-{month:02d}-{day:02d}"))
    for match in NUMERIC_DATE_RE.finditer(text):
        day, month = int(match["day"]), int(match["month"])
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append((match.start(), -len(match[0]), f"{match['year']}-{month:02d}-{day:02d}"))
    for match in MONTH_DATE_RE.finditer(text):
        found.append((match.start(), -len(match[0]), f"{match['year']}-{MONTHS[fold(match['month'])]:02d}"))
    return min(found)[2] if found else None


def _given_date(doc: Document) -> str | None:
    """A date set on the document by its reader (web pages), normalised to ISO when possible."""
    given = getattr(doc, "date", None)
    if not isinstance(given, str) or not given.strip():
        return None
    iso = re.match(r"\d{4}-\d{2}(?:-\d{2})?", given.strip())
    return iso[0] if iso else parse_date(given)


def document_date(doc: Document) -> str | None:
    """The document's own date in ISO form, from its dateline or title page; None when the text gives none."""
    given = _given_date(doc)
    if given:
        return given
    first = _first_page(doc)
    last = max((b.page for b in doc.blocks), default=first)
    early = [b for b in doc.blocks if b.page <= first + 1]
    for block in early:  # "Caen, le 8 octobre 2024," at the top of a press release or a letter
        for match in DATELINE_RE.finditer(block.text):
            if match.start() == 0 or len(block.text) <= 160:
                date = parse_date(block.text[match.end() : match.end() + 40])
                if date:
                    return date
    for block in early + [b for b in doc.blocks if b.page == last and b.page > first + 1]:
        if len(block.text) > 160:  # "publié le …" in a body sentence dates an event, not the document
            continue
        for match in DATE_MARKER_RE.finditer(block.text):
            date = parse_date(block.text[match.end() : match.end() + 40])
            if date:
                return date
    for block in doc.blocks:  # a short line of the title page: "Bilan - janvier 2025"
        short = block.kind == "heading" or len(block.text) <= 100
        if block.page == first and short and not URL_RE.search(block.text):
            date = parse_date(block.text)
            if date:
                return date
    return parse_date(doc.title)


# ---------------------------------------------------------------------------------------------
# Kind

# In priority order: a press release about a charter is a press release, a roadmap's review a roadmap.
KINDS: tuple[tuple[str, str], ...] = (
    ("communiqué de presse", r"communique(?: de presse)?|dossier de presse"),
    ("arrêté", r"arrete\b"),
    ("délibération", r"deliberation"),
    ("compte rendu", r"compte[ -]rendu"),
    ("feuille de route", r"feuilles? de route"),
    ("rapport", r"rapport\b"),
    ("guide", r"guide\b"),
    ("charte", r"charte\b"),
    ("note", r"note\b"),
    ("bilan", r"bilan\b"),
)
LEADING_NOISE_RE = re.compile(r"^(?:(?:le|la|les|l'|un|une)\s*|\d+[.)-]?\s+|[-–•]\s*)+")


def _title_lines(doc: Document) -> list[str]:
    """The title and the headings and short lines of the first page, folded."""
    first = _first_page(doc)
    lines = [doc.title] + [
        b.text for b in doc.blocks if b.page == first and (b.kind == "heading" or len(b.text) <= 120)
    ]
    return [fold(line) for line in lines if line.strip()]


def document_kind(doc: Document) -> str:
    """What the document is ("communiqué de presse", "feuille de route", …; "document" when unsure)."""
    lines = _title_lines(doc)
    starts = [LEADING_NOISE_RE.sub("", line) for line in lines]
    for kind, pattern in KINDS:  # a kind that opens a line ("COMMUNIQUÉ DE PRESSE") first
        if any(re.match(pattern, line) for line in starts):
            return kind
    for kind, pattern in KINDS:
        if any(re.search(rf"\b(?:{pattern})", line) for line in lines):
            return kind
    return "document"


# ---------------------------------------------------------------------------------------------
# Outline

KIND_LABELS = {fold(kind) for kind, _ in KINDS} | {"communique", "dossier de presse", "sommaire", "annexe", "annexes"}
PAGE_LABEL_RE = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|sur)\s*\d{1,4})?$", re.IGNORECASE)


def _is_noise_heading(text: str) -> bool:
    """Headings that are no section: the dateline, "Bilan - janvier 2025", "COMMUNIQUÉ DE PRESSE", a link."""
    stripped = text.strip()
    if not stripped or URL_RE.fullmatch(stripped) or PAGE_LABEL_RE.match(stripped):
        return True
    if DATELINE_RE.match(stripped) or DATE_MARKER_RE.match(stripped):
        return True
    rest = fold(NUMERIC_DATE_RE.sub(" ", MONTH_DATE_RE.sub(" ", DAY_DATE_RE.sub(" ", stripped))))
    rest = re.sub(r"[^\w' ]+", " ", rest).strip()
    rest = " ".join(rest.split())
    return not rest or rest in KIND_LABELS or (rest != fold(stripped) and len(rest.split()) <= 1)


def _section_headings(doc: Document) -> list[str]:
    """For each block, the nearest heading above it that is a real section ("" before the first)."""
    sections: list[str] = []
    current = ""
    for block in doc.blocks:
        if block.kind == "heading" and not _is_noise_heading(block.text):
            current = block.text
        sections.append(current)
    return sections


def outline(doc: Document) -> list[OutlineEntry]:
    """Headings in reading order with their page, without datelines, kind labels and repeats."""
    entries: list[OutlineEntry] = []
    seen: set[str] = set()
    for block in doc.blocks:
        if block.kind != "heading" or _is_noise_heading(block.text):
            continue
        key = fold(block.text)
        if key in seen:
            continue
        seen.add(key)
        entries.append(OutlineEntry(block.text, block.page, block.level))
    return entries


# ---------------------------------------------------------------------------------------------
# Key figures

NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
AMOUNT_RE = re.compile(
    rf"(?<![\w,.])(?:{NUMBER})(?:\s?(?:€|k€|M€)|\s(?:euros?|millions? d['’]euros|milliards? d['’]euros|"
    rf"millions? €|milliards? €)(?!\w))"
)
PERCENT_RE = re.compile(rf"(?<![\w,.])(?:{NUMBER})\s?%")
INTEGER_RE = re.compile(r"(?<![\w,.%/’'-])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?![\w%/-]|[.,]\d)")
SPELLED_RE = re.compile(
    r"\b(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente)\b",
    re.IGNORECASE,
)
RANGE_RE = re.compile(r"\s(?:à|ou)\s\d+")
NEXT_WORD_RE = re.compile(r" +([^\W\d_][\w’'-]*)")
NOT_REFERENCE_RE = re.compile(r"(?:page|p\.|n°|no|article|art\.|§)\s*$", re.IGNORECASE)
ADJECTIVE_RE = re.compile(
    r"[a-zà-ÿ-]+(?:aux|ales?|els?|elles?|iques?|ifs?|ives?|aires?|é|ée|ées|és|eux|euses?|iens?|iennes?|istes?)"
)
WORDS_BEFORE_NOUN = {
    "premiers", "premieres", "derniers", "dernieres", "nouveaux", "nouvelles", "grands", "grandes", "petits",
    "principaux", "principales", "autres", "jeunes",
}
# Counts of time are durations, not things: "sur 3 ans", "ces 20 dernières années".
NOT_COUNTED = {
    "ans", "annees", "mois", "jours", "semaines", "heures", "minutes", "secondes", "fois", "euros", "h",
    "reprises", *MONTHS,
}
SMALL_WORDS = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "et", "a", "à", "aux", "au", "en", "pour", "sur", "par",
    "un", "une", "ou", "dans", "avec",
}
KIND_ORDER = {"amount": 0, "count": 1, "percent": 2, "date": 3}


@dataclass(frozen=True, slots=True)
class _Found:
    kind: str
    value: str
    sentence: str
    page: int
    section: str
    order: tuple[int, int, int]  # block, sentence, offset: reading order


def _count_phrase(text: str, start: int, end: int) -> str | None:
    """"5 centres de ressources territoriaux" from the number at start..end, or None when no plural noun follows."""
    pos = end
    ranged = RANGE_RE.match(text, pos)
    if ranged:
        pos = ranged.end()
    words: list[tuple[str, int]] = []
    while len(words) < 6:
        match = NEXT_WORD_RE.match(text, pos)
        if not match:
            break
        words.append((match[1], match.end()))
        pos = match.end()
    if not words:
        return None
    i = 1 if fold(words[0][0]) in WORDS_BEFORE_NOUN and len(words) > 1 else 0
    noun = fold(words[i][0])
    if noun in NOT_COUNTED or noun in SMALL_WORDS or not noun.endswith(("s", "x", "z")) or words[i][0].isupper():
        return None
    stop, j = words[i][1], i + 1
    if j < len(words) and ADJECTIVE_RE.fullmatch(words[j][0].lower()):
        stop, j = words[j][1], j + 1
    complement = False
    if j + 1 < len(words) and fold(words[j][0]) in ("de", "des", "du") and fold(words[j + 1][0]) not in SMALL_WORDS:
        stop, j, complement = words[j + 1][1], j + 2, True
    elif j < len(words) and re.match(r"d['’][^\W\d_]", words[j][0]):
        stop, j, complement = words[j][1], j + 1, True
    if complement and j < len(words) and ADJECTIVE_RE.fullmatch(words[j][0].lower()):
        stop = words[j][1]
    return text[start:stop]


def _figures_in(sentence: str) -> Iterator[tuple[str, str, int]]:
    """(kind, value, offset) of the figures of one sentence, links excluded."""
    taken: list[tuple[int, int]] = [m.span() for m in URL_RE.finditer(sentence)]

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for kind, regex in (("amount", AMOUNT_RE), ("percent", PERCENT_RE), ("date", DAY_DATE_RE), ("date", MONTH_DATE_RE)):
        for match in regex.finditer(sentence):
            if free(*match.span()):
                taken.append(match.span())
                yield kind, match[0].strip(), match.start()
    for match in INTEGER_RE.finditer(sentence):
        digits = match[1]
        if not free(*match.span()) or NOT_REFERENCE_RE.search(sentence[: match.start()]):
            continue
        if re.fullmatch(YEAR, digits) or int(re.sub(r"\D", "", digits)) < 2:  # a year alone, or "1 …"
            continue
        phrase = _count_phrase(sentence, match.start(), match.end())
        if phrase:
            taken.append((match.start(), match.start() + len(phrase)))
            yield "count", phrase, match.start()
    if sentence.rstrip().endswith(":"):  # "Six objectifs ont ainsi été définis … :" introduces a list
        for match in SPELLED_RE.finditer(sentence):
            phrase = _count_phrase(sentence, match.start(), match.end())
            if phrase and free(match.start(), match.start() + len(phrase)):
                yield "count", phrase, match.start()


def _all_figures(doc: Document) -> list[_Found]:
    """Every figure of the body in reading order, one per value (and one per sentence but for amounts)."""
    sections = _section_headings(doc)
    found: list[_Found] = []
    seen_values: set[tuple[str, str]] = set()
    seen_sentences: set[tuple[str, str]] = set()
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading" or DATELINE_RE.match(block.text):
            continue
        for number, sentence in enumerate(_sentences(block.text)):
            for kind, value, offset in sorted(_figures_in(sentence), key=lambda f: f[2]):
                key = (kind, re.sub(r"[\s\u00a0\u202f]", "", fold(value)))
                if key in seen_values or (kind != "amount" and (kind, sentence) in seen_sentences):
                    continue
                seen_values.add(key)
                seen_sentences.add((kind, sentence))
                found.append(_Found(kind, value, sentence, block.page, sections[index], (index, number, offset)))
    return found


def key_figures(doc: Document, limit: int = 12) -> list[KeyFigure]:
    """Amounts, counts, percentages and event dates with their sentence and page; amounts first."""
    found = _all_figures(doc)
    pools = {kind: [f for f in found if f.kind == kind] for kind in KIND_ORDER}
    # Precise dates ("1er novembre 2023") before months ("novembre 2024").
    pools["date"].sort(key=lambda f: (not DAY_DATE_RE.search(f.value), f.order))
    chosen = pools["amount"][: max(1, limit // 2)]
    rest = [pools["count"], pools["percent"], pools["date"]]
    # The other half goes round-robin so that a page of counts does not hide every date.
    while len(chosen) < limit and any(rest):
        for pool in rest:
            if pool and len(chosen) < limit:
                chosen.append(pool.pop(0))
    leftovers = [f for f in found if f not in chosen]
    chosen += leftovers[: max(0, limit - len(chosen))]
    chosen.sort(key=lambda f: (KIND_ORDER[f.kind], f.order))
    return [KeyFigure(f.value, f.sentence, f.page, f.kind, f.section) for f in chosen]


# ---------------------------------------------------------------------------------------------
# Definitions

ACRONYM = r"[A-Z][A-Za-z0-9&]*[A-Z0-9]"
ACRONYM_FIRST_RE = re.compile(rf"(?<![\w-])(?P<term>{ACRONYM})\s*\((?P<body>[^()]{{3,300}})\)")
ACRONYM_AFTER_RE = re.compile(rf"\(\s*(?P<term>{ACRONYM})\s*(?:[,;/–-][^()]*)?\)")
ACRONYM_COLON_RE = re.compile(rf"^\s*(?:[-•–]\s*)?(?P<term>{ACRONYM})\s*(?::|=|\s[–—-])\s*(?P<body>.+)$", re.MULTILINE)
TOKEN_RE = re.compile(
    r"(?P<elision>(?<![^\W\d_])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’])|(?P<word>[^\W_]+(?:[-‐][^\W_]+)*)",
    re.IGNORECASE,
)
HARD_STOP_RE = re.compile(r"[.;:!?()\[\]«»\"“”\n]")
# Small words an acronym may skip; a few of them may also give it a letter (MILDECA: drogues *et* conduites).
SKIPPABLE = SMALL_WORDS | {"l", "d", "s", "qu", "c"}
LETTER_WORDS = {"et", "en", "pour", "sur", "a", "aux"}


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    kind: str  # "word" | "small" | "number"

    @property
    def initials(self) -> str:
        return "".join(fold(part)[:1] for part in re.split(r"[-‐]", self.text) if part)


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    tokens = []
    for match in TOKEN_RE.finditer(text, start, end):
        word = match[0]
        if match["elision"] or fold(word) in SKIPPABLE:
            kind = "small"
        elif word[0].isdigit():
            kind = "number"
        else:
            kind = "word"
        tokens.append(_Token(word, match.start(), match.end(), kind))
    return tokens


def _letters(term: str) -> str:
    return fold("".join(ch for ch in term if ch.isupper()))


def _consumed(token: _Token, letters: str, at: int) -> list[int]:
    """How many acronym letters from `at` this token can stand for (none, one, or one per hyphen part)."""
    if token.kind == "number":
        return []
    initials = token.initials
    if token.kind == "small":
        return [1] if fold(token.text) in LETTER_WORDS and initials[:1] == letters[at] else []
    options = [1] if initials[:1] == letters[at] else []
    if len(initials) > 1 and letters.startswith(initials, at):
        options.append(len(initials))
    return options


def _align(tokens: list[_Token], letters: str, starts: Iterable[int], trailing: int) -> tuple[int, int] | None:
    """Token span (start, end) whose initials spell the letters, small words skipped; None when none fits.

    Skipping a content word costs 1 (CAARUD skips "risques"); at most `trailing` content words may
    follow the span before the bracket ("… de santé mentale de Normandie (PTSM)").
    """
    memo: dict[tuple[int, int], tuple[float, int] | None] = {}

    def rest(i: int, at: int) -> tuple[float, int] | None:
        if (i, at) in memo:
            return memo[(i, at)]
        best: tuple[float, int] | None = None
        for used in _consumed(tokens[i], letters, at):
            base = 0.1 if tokens[i].kind == "small" else 0.0
            nxt = at + used
            options: list[tuple[float, int]] = []
            if nxt == len(letters):
                options.append((base, i))
            else:
                skipped = 0.0
                for k in range(i + 1, len(tokens)):
                    sub = rest(k, nxt)
                    if sub:
                        options.append((base + skipped + sub[0], sub[1]))
                    skipped += 0 if tokens[k].kind == "small" else 1
                    if skipped > 2:
                        break
            for option in options:
                if best is None or option < best:
                    best = option
        memo[(i, at)] = best
        return best

    budget = 1 if len(letters) <= 4 else 2
    found: list[tuple[float, int, int]] = []
    for s in starts:
        if tokens[s].kind != "word" or tokens[s].initials[:1] != letters[0]:
            continue
        result = rest(s, 0)
        if result is None or int(result[0]) > budget:
            continue
        cost, e = result
        after = sum(1 for t in tokens[e + 1 :] if t.kind == "word")
        if after > trailing:
            continue
        found.append((cost + after, e - s, s))
    if not found:
        return None
    _, length, s = min(found)
    return s, s + length


def _expansion_of(text: str, term: str, start: int, end: int, before: bool) -> str | None:
    """The words of text[start:end] that spell the acronym: before the bracket or after the acronym."""
    letters = _letters(term)
    if len(letters) < 2 or len(letters) > 10:
        return None
    tokens = _tokens(text, start, end)
    if not tokens:
        return None
    if before:
        starts: Iterable[int] = range(len(tokens) - 1, -1, -1)
        span = _align(tokens, letters, starts, trailing=2)
    else:
        first = next((i for i, t in enumerate(tokens) if t.kind != "small"), None)
        if first is None:
            return None
        span = _align(tokens, letters, [first], trailing=len(tokens))
    if span is None or span[1] - span[0] < 1:
        return None
    return text[tokens[span[0]].start : tokens[span[1]].end]


def _segment_start(text: str, end: int) -> int:
    """Start of the clause ending at `end`: after the last full stop, colon, bracket or quote."""
    stops = [m.end() for m in HARD_STOP_RE.finditer(text, 0, end)]
    return stops[-1] if stops else 0


def _definitions_in(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, term, expansion) of the acronyms a block spells out."""
    for match in ACRONYM_AFTER_RE.finditer(text):  # "Conseil territorial de santé (CTS)"
        expansion = _expansion_of(text, match["term"], _segment_start(text, match.start()), match.start(), True)
        if expansion:
            yield match.start(), match["term"], expansion
    for match in ACRONYM_FIRST_RE.finditer(text):  # "PTSM (Projet territorial de santé mentale)"
        expansion = _expansion_of(text, match["term"], match.start("body"), match.end("body"), False)
        if expansion:
            yield match.start(), match["term"], expansion
    for match in ACRONYM_COLON_RE.finditer(text):  # "CAARUD : centre d'accueil …"
        body_end = HARD_STOP_RE.search(text, match.start("body"), match.end("body"))
        end = body_end.start() if body_end else match.end("body")
        expansion = _expansion_of(text, match["term"], match.start("body"), end, False)
        if expansion:
            yield match.start(), match["term"], expansion


def _uppercase_enough(term: str) -> bool:
    upper = sum(ch.isupper() for ch in term)
    return upper >= 2 and upper >= 0.6 * sum(ch.isalpha() for ch in term) and len(term) <= 12


def definitions(doc: Document) -> list[Definition]:
    """Acronyms the document spells out, with the sentence and page of their first definition."""
    out: dict[str, Definition] = {}
    for block in doc.blocks:
        spans = sentence_spans(block.text)
        for offset, term, expansion in sorted(_definitions_in(block.text)):
            if term in out or not _uppercase_enough(term):
                continue
            sentence = next((block.text[a:b] for a, b in spans if a <= offset < b), block.text)
            out[term] = Definition(term, expansion, sentence, block.page)
    return list(out.values())


def _term_re(term: str) -> re.Pattern[str]:
    if _uppercase_enough(term):  # acronyms are case-sensitive: "CRT", not "crt"
        return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    return re.compile(rf"(?<!\w){re.escape(fold(term))}(?!\w)")


def occurrences(doc: Document, terms: Iterable[str | Definition]) -> dict[str, list[int]]:
    """Pages where each term, or the expansion the document gives it, is written."""
    pages = sorted({b.page for b in doc.blocks})
    raw = {p: " ".join(b.text for b in doc.blocks if b.page == p) for p in pages}
    folded = {p: fold(text) for p, text in raw.items()}
    known: dict[str, Definition] | None = None
    out: dict[str, list[int]] = {}
    for item in terms:
        if isinstance(item, Definition):
            term, expansion = item.term, item.expansion
        else:
            if known is None:
                known = {d.term: d for d in definitions(doc)}
            term = item
            expansion = known[item].expansion if item in known else ""
        term_re = _term_re(term)
        haystack = raw if _uppercase_enough(term) else folded
        expansion_re = re.compile(rf"(?<!\w){re.escape(fold(expansion))}(?!\w)") if expansion else None
        out[term] = [
            p for p in pages
            if term_re.search(haystack[p]) or (expansion_re is not None and expansion_re.search(folded[p]))
        ]
    return out


# ---------------------------------------------------------------------------------------------
# Entities

CAP_WORD = r"(?![LDJMNSTC][’'])[A-ZÀ-ÖØ-Þ][^\W_]*(?:[’'-][A-ZÀ-ÖØ-Þ0-9][^\W_]*)*"
LINK = r"(?:\s+(?:de\s+la|de\s+l[’']|des|du|de)\s+|\s+(?:d[’']|de\s+l[’'])|\s+)"
NAME_START = r"(?:(?<![\w’'-])|(?<=(?<!\w)[lLdD][’'])|(?<=(?<!\w)[qQ]u[’']))"
NAME_RE = re.compile(rf"{NAME_START}{CAP_WORD}(?:(?:{LINK}){CAP_WORD})*(?:\s\d{{1,3}}(?![\d,.]\d|\w))?")
# "Elodie BOUCHET", "Dr Marie-Françoise MERLIN-BERNARD": people, not bodies.
PERSON_RE = re.compile(
    r"(?:\b(?:Dr|Pr|Mme|M\.|Madame|Monsieur)\s+)?(?P<first>[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+)?)"
    r"\s+[A-ZÀ-ÖØ-Þ]{4,}(?:-[A-ZÀ-ÖØ-Þ]{2,})?\b"
)
# Words that open a sentence with a capital but name nothing: "Le CRT", "Dans l’Orne".
COMMON_OPENERS = {
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "dans", "pour", "par", "en", "au", "aux", "avec",
    "apres", "avant", "depuis", "afin", "ainsi", "cette", "ce", "ces", "cet", "son", "sa", "ses", "leur",
    "leurs", "il", "elle", "ils", "elles", "on", "nous", "a", "sur", "sous", "entre", "chez", "lors", "grace",
    "concernant", "selon", "parmi", "quand", "si", "comme", "tout", "tous", "toute", "toutes", "chaque", "plus",
    "tres", "issu", "issue", "consultez", "pres", "mais", "et", "ou", "or", "donc", "notre", "nos", "votre", "vos",
    "chantier", "madame", "monsieur", "dr", "pr", "mme", "m",
}
PLACES = {
    "normandie", "orne", "calvados", "eure", "manche", "seine-maritime", "caen", "rouen", "alencon", "le havre",
    "cherbourg", "evreux", "saint-lo", "argentan", "dieppe", "lisieux", "france", "mamers", "flers", "l'aigle",
}


def _after_first(words: list[str]) -> list[str]:
    """The words of a name after its first word and the linking words that follow it."""
    rest = words[1:]
    while rest and fold(rest[0]) in ("de", "la", "des", "du", "d'", "l'"):
        rest = rest[1:]
    if rest and re.match(r"[LDld][’']", rest[0]) and not rest[0][:1].isupper():
        rest = [rest[0][2:]] + rest[1:]
    return rest


def _common_opener(words: list[str], lower_words: set[str], proper: set[str]) -> bool:
    """A sentence's capitalised first word that is a common word: never capitalised inside a sentence,
    and either written in lower case elsewhere or followed by a name of its own ("Création du CRT")."""
    if _stem(words[0]) in proper:
        return False
    return fold(words[0]) in lower_words or any(w[:1].isupper() for w in _after_first(words))


def _stem(word: str) -> str:
    return fold(word).rstrip("sx")


def _proper_words(sentences: Iterable[str]) -> set[str]:
    """Capitalised words met inside sentences (not as their first word): words of names."""
    found: set[str] = set()
    for sentence in sentences:
        for match in re.finditer(r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][a-zà-ÿ][\w’'-]*", sentence):
            if sentence[: match.start()].strip(" «\"“(-–•"):
                found.add(_stem(match[0]))
    return found


def _capital_words(name: str) -> list[str]:
    words = re.findall(r"(?<![\w’'-])(?:[lLdD][’'](?=[A-ZÀ-ÖØ-Þ]))?([^\W\d_][\w’'-]*)", name)
    return [w for w in words if w[0].isupper()]


def _is_acronym(word: str) -> bool:
    return bool(re.fullmatch(ACRONYM, word)) and _uppercase_enough(word)


def _names_in(sentence: str, lower_words: set[str], proper: set[str]) -> Iterator[str]:
    """Capitalised multi-word names, acronyms and "Name 61" of one sentence, people left out."""
    masked = URL_RE.sub(" ; ", sentence)
    for person in PERSON_RE.finditer(masked):
        if fold(person["first"]) not in COMMON_OPENERS:
            masked = masked[: person.start()] + " ;" + " " * (len(person[0]) - 2) + masked[person.end() :]
    for match in NAME_RE.finditer(masked):
        name = match[0]
        words = name.split()
        at_start = not masked[: match.start()].strip(" «\"“(-–•")
        # A capitalised common word opens the sentence: "Le CRT", "Dans l’Orne", "Création du CRT"; a word
        # also capitalised inside sentences is part of a name ("Maison des Femmes").
        while words and (fold(words[0]) in COMMON_OPENERS or (at_start and _common_opener(words, lower_words, proper))):
            words = _after_first(words)
            at_start = False
        if len(words) > 2 and fold(re.sub(r"^[LDld][’']", "", words[0])) in PLACES and not words[1][:1].isupper():
            words = _after_first(words)  # "l’Orne de l’ARS Normandie": the place is not part of the name
        name = " ".join(words)
        name = re.sub(r"^[LDld][’']", "", name)
        if not name:
            continue
        capitals = _capital_words(name)
        if not capitals:
            continue
        several = len(capitals) >= 2 and not (len(words) == 1 and fold(name) in PLACES)  # "Croix-Rouge"
        acronym = len(capitals) == 1 and _is_acronym(name)
        # "Drog’Aide 61": an association named after its département
        numbered = len(capitals) == 1 and bool(re.search(r"\s\d{1,3}$", name)) and not _is_acronym(capitals[0])
        if several or acronym or numbered:
            yield name


def entities(doc: Document, limit: int = 15) -> list[str]:
    """Bodies and programmes the document names (acronyms included), most frequent first."""
    lower_words = {fold(w) for b in doc.blocks for w in re.findall(r"(?<![\w’'-])[a-zà-ÿ][\w’'-]*", b.text)}
    counts: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    sentences: list[str] = []
    for block in doc.blocks:
        letters = [ch for ch in block.text if ch.isalpha()]
        if "@" in block.text or (letters and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters) > 12):
            continue  # contact lines and all-caps banners ("COMMUNIQUÉ DE PRESSE")
        sentences += _sentences(block.text)
    proper = _proper_words(sentences)
    for sentence in sentences:
        for name in _names_in(sentence, lower_words, proper):
            key = fold(name)
            counts[key] += 1
            spelled.setdefault(key, Counter())[name] += 1
            first_seen.setdefault(key, len(first_seen))
    # A bare acronym counts for its usual full name: "ARS" for "ARS Normandie".
    for key in [k for k in counts if " " not in k]:
        longer = [k for k in counts if k.startswith(key + " ") and counts[k] >= 2]
        if longer:
            best = max(longer, key=lambda k: counts[k])
            counts[best] += counts.pop(key)
    display = {k: spelled[k].most_common(1)[0][0] for k in counts}
    # A longer form counts for the shorter name it extends, singular or plural: "Réflexe Santé Normandie"
    # for "Réflexe Santé", "Maison des Femmes Santé de l’Orne" for "Maisons des Femmes".
    stems = {k: [_stem(w) for w in k.split()] for k in counts}
    for key in sorted(counts, key=len):
        if key not in counts or " " not in key:
            continue
        size = len(stems[key])
        for other in [k for k in counts if k != key and len(stems[k]) > size and stems[k][:size] == stems[key]]:
            counts[key] += counts.pop(other)
            if first_seen[other] < first_seen[key]:  # the name as first written
                display[key] = " ".join(display[other].split()[:size])
                first_seen[key] = first_seen[other]
    # Most frequent first; at equal counts, names of bodies before bare acronyms.
    ranked = sorted(counts, key=lambda k: (-counts[k], " " not in k, first_seen[k]))
    return [display[k] for k in ranked[:limit]]


# ---------------------------------------------------------------------------------------------
# Candidate questions

CLAUSE_END_RE = re.compile(r"[,;:.()«»!?]|\s(?:et|ou|mais|afin|qui|que|dont|lorsque|avec)\s")
PURPOSE_RE = re.compile(r"\s(?:pour|afin|en faveur|auprès|dans le cadre)\b")
NOT_VERBS = {
    "centre", "cadre", "offre", "lettre", "titre", "chantier", "dossier", "atelier", "metier", "premier", "dernier",
    "ordre", "registre", "livre", "membre", "nombre", "hiver", "avenir", "loisir", "plaisir", "courrier", "fichier",
    "calendrier", "quartier", "foyer", "entre", "notre", "votre", "autre", "cancer", "pilier", "palier",
}
AFTER_VERB = {"le", "la", "les", "un", "une", "des", "du", "au", "aux", "en", "sur", "a", "et", "leur", "leurs",
              "sa", "son", "ses", "notre", "nos", "ce", "cette", "ces"}
FEMININE_ENDINGS = (
    "tion", "sion", "aison", "te", "ee", "ie", "ure", "ance", "ence", "ade", "ise", "ette", "elle", "ude", "ere",
    "che", "ine", "ive", "ite", "ale", "ne", "se", "ue",
)
MASCULINE_WORDS = {"centre", "conseil", "projet", "programme", "plan", "comite", "groupe", "service", "dispositif",
                   "contrat", "reseau", "pole", "site", "poste", "territoire", "document", "guide", "rapport",
                   "bilan", "schema", "observatoire", "etablissement", "organisme", "systeme", "parcours", "role",
                   "modele", "theme", "domaine", "groupement", "ministere", "cabinet", "colloque", "diagnostic"}
ELIDED_ARTICLE_RE = re.compile(r"^[LlDd][’']")


def _feminine(word: str) -> bool:
    key = fold(word).strip("'")
    if key in MASCULINE_WORDS or key.rstrip("sx") in MASCULINE_WORDS:
        return False
    return key.rstrip("s").endswith(FEMININE_ENDINGS)


def _with_article(phrase: str) -> str:
    """'création du CRT' -> 'la création du CRT'; 'accès aux soins' -> 'l’accès aux soins'."""
    first = phrase.split()[0]
    if fold(first)[:1] in "aeiouyh":
        return "l’" + phrase
    return ("la " if _feminine(first) else "le ") + phrase


def _lower_first(phrase: str) -> str:
    """Lower-case a capitalised common noun, not an acronym nor a name ("Maison des Femmes")."""
    words = phrase.split()
    if not words or words[0].isupper() or len(words[0]) < 2 or not words[0][1:].islower():
        return phrase
    later = [w for w in words[1:4] if fold(w) not in SMALL_WORDS and w[:1].isalpha()]
    if later and later[0][0].isupper() and not later[0].isupper():
        return phrase
    return phrase[0].lower() + phrase[1:]


def _trim(phrase: str, max_words: int = 10) -> str:
    """At most `max_words` words, cut at a participle when long, no dangling small word."""
    words = phrase.split()
    if len(words) > 6:
        for i, word in enumerate(words[4:], start=4):
            # "porté", "mis en œuvre" open a participle clause; "santé", "qualité", "société" are nouns
            if re.search(r"(?:é|ée|és|ées|^mise?)$", word) and not re.search(r"(?:it|et|nt)é$", word):
                words = words[:i]
                break
    words = words[:max_words]
    while words and fold(words[-1]) in SMALL_WORDS:
        words.pop()
    return " ".join(words)


def _definite(phrase: str) -> str:
    """'un projet' -> 'le projet', 'une charte' -> 'la charte', 'Cette feuille' -> 'la feuille'."""
    swaps = {"un": "le", "une": "la", "des": "les", "cette": "la", "ce": "le", "ces": "les", "son": "le",
             "sa": "la", "ses": "les", "le": "le", "la": "la", "les": "les"}
    words = phrase.split(maxsplit=1)
    if words and fold(words[0]) in swaps and len(words) == 2:
        return f"{swaps[fold(words[0])]} {words[1]}"
    if words and fold(words[0]) == "cet" and len(words) == 2:
        return "l’" + words[1]
    if ELIDED_ARTICLE_RE.match(phrase):
        return "l’" + phrase[2:]
    return phrase


def _is_infinitive(words: list[str]) -> bool:
    if len(words) < 2:
        return False
    first = fold(words[0].rstrip(",;:"))
    if first in NOT_VERBS or not re.search(r"(?:er|ir|re)$", first) or not words[0][0].isupper():
        return False
    nxt = fold(words[1])
    return (
        words[0].endswith(",")
        or nxt.split("'")[0] in AFTER_VERB | {"l", "d"}
        or nxt.endswith("ment")
    )


def _strip_chantier(heading: str) -> str:
    return re.sub(r"^\s*Chantier\s*:\s*", "", heading)


def _topic(heading: str) -> str | None:
    """The thing a heading is about, with its article: 'Mettre en œuvre le plan crack et …' -> 'le plan crack'."""
    text = _strip_chantier(heading)
    words = text.split()
    if not words:
        return None
    if _is_infinitive(words):
        rest = " ".join(words[1:])
        rest = re.sub(r"^(?:en (?:œuvre|oeuvre|place)|\w+ment)\s+", "", rest)
        rest = re.sub(r"^(?:sur|pour|en faveur (?:de|des|du)|auprès (?:de|des|du)|à|a)\s+", "", rest)
        cut = CLAUSE_END_RE.search(rest)
        rest = rest[: cut.start()] if cut else rest
        first = fold(rest.split()[0]) if rest.split() else ""
        if first.split("'")[0] not in {"le", "la", "les", "l", "un", "une", "des", "du", "au", "aux", "leur", "leurs"}:
            return None
        return _definite(_trim(rest, 8))
    if fold(words[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"}:
        after = words[0].split("’")[-1].split("'")[-1] if ELIDED_ARTICLE_RE.match(words[0]) else (
            words[1] if len(words) > 1 else "")
        if not after or not after[0].islower():
            return None  # "L’ARS Normandie remet …" is a sentence, not a topic
        cut = PURPOSE_RE.search(text) or CLAUSE_END_RE.search(text)
        phrase = text[: cut.start()] if cut else text
        return _definite(_lower_first_article(_trim(phrase, 8)))
    cut = CLAUSE_END_RE.search(text)
    if cut and text[cut.start()] not in "«»":
        text = text[: cut.start()]
    text = text.strip()
    if not text or len(text.split()) > 12:
        return None
    return _with_article(_lower_first(text))


def _lower_first_article(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:]


def _named_heading(heading: str) -> bool:
    """A heading that names something ("Maison des Femmes Santé de l’Orne"), not an action."""
    words = _strip_chantier(heading).split()
    return any(w[:1].isupper() and not w.isupper() for w in words[1:]) and not _is_infinitive(words)


def _amount_value(value: str) -> float:
    number = re.match(r"[\d \u00a0\u202f.]+(?:,\d+)?", value)
    if not number:
        return 0.0
    amount = float(re.sub(r"[\s\u00a0\u202f.]", "", number[0]).replace(",", "."))
    if re.search(r"milliard", value):
        return amount * 1e9
    if re.search(r"million|M€", value):
        return amount * 1e6
    return amount * 1e3 if "k€" in value else amount


def _after_value(figure: KeyFigure) -> str:
    at = figure.sentence.find(figure.value)
    return figure.sentence[at + len(figure.value) :] if at >= 0 else ""


def _amount_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    amounts = sorted((f for f in fiche.key_figures if f.kind == "amount"), key=lambda f: -_amount_value(f.value))
    for figure in amounts:
        topic = _topic(figure.section) if figure.section else None
        if topic:
            questions.append(f"combien pour {topic} ?")
        after = _after_value(figure)
        cut = CLAUSE_END_RE.search(after)
        clause = after[: cut.start()] if cut else after
        purpose = re.search(r"\bpour\s+((?:un|une|le|la|les|l['’]|des)\b.*)", clause)
        if purpose:
            phrase = _trim(_definite(purpose[1].strip()), 10)
            if len(phrase.split()) >= 2:
                questions.append(f"combien pour {phrase} ?")
    return questions


def _article_for(definition: Definition) -> str:
    """'le ', 'la ' or "l'" before an acronym, as the document writes it ("la MILDECA", "au CAARUD")."""
    if fold(definition.term)[:1] in "aeiouy":
        return "l'"
    masculine = {"le", "du", "au", "ce", "son", "un", "cet"}
    feminine = {"la", "cette", "sa", "une"}
    for needle in (definition.term, definition.expansion):
        match = re.search(rf"(\S+)\s+(?:\d+\s+)?{re.escape(needle)}(?!\w)", definition.sentence)
        if match:
            word = fold(match[1])
            if word in masculine:
                return "le "
            if word in feminine:
                return "la "
    return "la " if _feminine(definition.expansion.split()[0]) else "le "


def _definition_questions(fiche: Fiche) -> list[str]:
    rank = {fold(e): i for i, e in enumerate(fiche.entities)}
    ordered = sorted(fiche.definitions, key=lambda d: rank.get(fold(d.term), len(rank)))
    return [f"c'est quoi {_article_for(d)}{d.term} ?" for d in ordered]


SUBJECT_VERB_RE = re.compile(
    r"^(?P<subject>(?i:cette|ce|cet|ces|le|la|les|l['’]|son|sa|ses)\s?[^,;:]{3,120}?)\s+"
    r"(?:s[’']articule(?:nt)?|se (?:déclinera|décline|déclinent|compose|composent)|comprend|comprennent|"
    r"compte|comptent|regroupe|regroupent|repose|reposent|vise|visent)\b"
)


def _count_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    for figure in (f for f in fiche.key_figures if f.kind == "count"):
        words = figure.value.split()
        number, phrase = words[0], " ".join(words[1:])
        if re.match(r"(?:à|ou)$", phrase.split()[0] if phrase else ""):
            continue  # "6 à 14 personnes" is an estimate, not a list
        noun = phrase.split()[0] if phrase else ""
        if figure.sentence.rstrip().endswith(":"):
            owner = ""
            subject = SUBJECT_VERB_RE.match(figure.sentence.split(", ")[-1] if ", " in figure.sentence[:40]
                                            else figure.sentence)
            if subject:
                cut = PURPOSE_RE.search(subject["subject"])
                owner = _definite(_trim(subject["subject"][: cut.start()] if cut else subject["subject"], 10))
            elif figure.section:
                topic = _topic(figure.section)
                words_h = _strip_chantier(figure.section).split()
                if topic and words_h and fold(words_h[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"}:
                    owner = topic
            which = "quelles" if _feminine(noun) else "quels"
            suffix = ""
            if owner:
                article = fold(owner.split()[0]).split("'")[0]
                rest = owner.split(maxsplit=1)[1] if " " in owner and article != "l" else owner[2:]
                suffix = {"le": f" du {rest}", "la": f" de la {rest}", "les": f" des {rest}", "l": f" de l’{rest}"}.get(
                    article, "")
            questions.append(f"{which} sont les {number.lower()} {phrase}{suffix} ?")
            continue
        after = _after_value(figure)
        passive = re.match(
            r"^(?:\s(?P<adj>[^\W\d_]+))?\s(?P<aux>sont|ont été|seront|ont|vont)\s(?:\w+ment\s|ainsi\s|donc\s)?"
            r"(?P<verb>[^\W\d_]+(?:é|és|ées|is|us|u|t))\b",
            after,
        )
        if passive:
            adjective = f" {passive['adj']}" if passive["adj"] else ""
            questions.append(f"combien de {phrase}{adjective} {passive['aux']} {passive['verb']} ?")
            continue
        place = re.match(r"^\s(?P<where>(?:sur|dans|en)\s(?:la\s|le\s|les\s|l['’])?[A-ZÀ-Ý][\w’'-]+)", after)
        if place:
            questions.append(f"combien de {phrase} {place['where']} ?")
    return questions


def _subject(text: str) -> str | None:
    """A short subject: the words after the last comma, led by an article or a name."""
    text = text.split(", ")[-1].strip()
    if not re.match(r"(?:Le|La|Les|L['’]|Un|Une|Ce|Cette|Ces|[A-ZÀ-Ý])", text) or len(text.split()) > 14:
        return None
    if len(text.split()) > 6:  # "les acteurs normands mobilisés en faveur de …" -> "les acteurs normands mobilisés"
        cut = re.search(r"\s(?:en|de|du|des|dans|pour|sur|auprès)\s", text)
        if cut and text[: cut.start()].count("«") == text[: cut.start()].count("»") and cut.start() > 8:
            text = text[: cut.start()]
    if re.match(r"(?:Le|La|Les|L['’]|Un|Une|Ce|Cette|Ces)\b", text):
        text = _definite(text[0].lower() + text[1:])
    return text


def _date_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    for figure in (f for f in fiche.key_figures if f.kind == "date"):
        s, date = figure.sentence, re.escape(figure.value)
        when = rf"(?:(?:le|en|ce|depuis)\s+)?(?:(?:{WEEKDAY})\s+)?{date}"
        passive = re.search(rf"^(?P<subj>.+?)\s+(?P<aux>a|ont)\s+(?:\w+\s+)?été\s+(?P<verb>\w+)\s+{when}", s)
        event = re.search(rf"{date}\s+(?:a|ont)\s+eu lieu\s+(?P<what>[^,;.]+)", s)
        reflexive = re.search(rf"^(?P<subj>.+?)\s+(?P<aux>se sont|s[’']est)\s+(?P<verb>\w+)\s+{when}", s)
        active = re.search(
            rf"^(?P<subj>.+?)\s+(?P<aux>a|ont)\s+(?:(?:par ailleurs|ainsi|déjà|donc)\s+)?"
            rf"(?P<verb>\w+(?:é|i|is|it|u|t))\s+(?P<obj>(?:un|une|le|la|les|l['’]|des|sa|son|ses|leur)\b[^,;]*?)"
            rf"\s+{when}",
            s,
        )
        question = None
        if passive and _subject(passive["subj"]):
            question = f"quand {passive['aux']} été {passive['verb']} {_subject(passive['subj'])} ?"
        elif event:
            what = _trim(re.split(r"\s(?:dans|en présence|avec|à|au)\s", event["what"])[0], 12)
            question = f"quand a eu lieu {what} ?"
        elif reflexive and _subject(reflexive["subj"]):
            question = f"quand {_subject(reflexive['subj'])} {reflexive['aux']} {reflexive['verb']} ?"
        elif active and _subject(active["subj"]):
            question = f"quand {_subject(active['subj'])} {active['aux']} {active['verb']} {_trim(active['obj'], 8)} ?"
        if question:
            questions.append(question)
    return questions


def _heading_questions(fiche: Fiche) -> list[str]:
    named: list[str] = []
    actions: list[str] = []
    for entry in fiche.outline:
        if re.match(r"\s*Chantier\b", entry.heading):
            continue
        text = entry.heading.strip()
        words = text.split()
        if _is_infinitive(words) and len(words) <= 12:
            actions.append(f"quelles actions pour {text[0].lower()}{text[1:]} ?")
            continue
        topic = _topic(text)
        article_led = fold(words[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"} if words else False
        if topic and (_named_heading(text) or article_led) and len(topic.split()) <= 9:
            named.append(f"c'est quoi {topic} ?")
    return named + actions


def question_candidates(fiche: Fiche) -> list[str]:
    """6 to 10 short French questions a member of staff could ask about the document, no duplicates."""
    groups = [
        (_amount_questions(fiche), 3),
        (_definition_questions(fiche), 2),
        (_count_questions(fiche), 2),
        (_date_questions(fiche), 2),
        (_heading_questions(fiche), 10),
    ]
    chosen: list[str] = []
    seen: set[str] = set()

    def take(question: str) -> bool:
        key = fold(re.sub(r"\s+", " ", question))
        if key in seen or len(chosen) >= 10:
            return False
        seen.add(key)
        chosen.append(question)
        return True

    for questions, cap in groups:
        taken = 0
        for question in questions:
            if taken < cap and take(question):
                taken += 1
    for questions, _ in groups:  # too few: the groups give more than their share
        for question in questions:
            if len(chosen) >= 8:
                break
            take(question)
    return chosen

"""A synthetic French corpus grown from the sample documents, for the benchmark (eval/bench/).

Every variant gets other figures (amounts, counts; years are kept so that dates stay plausible),
other places (towns swapped among Normandy towns, the Orne and the Eure swapped), and another
order: paragraphs inside each section for whole documents, sentences inside each passage for
passages. Variants are numbered and seeded, so a run is reproducible and no two passages are
the same text (the index would otherwise reuse a vector instead of computing it).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from index.models import DocumentRecord
from ingest.models import Chunk
from lang.sentences import split_sentences

TOWNS = (
    "Alençon", "Argentan", "Flers", "Caen", "Lisieux", "Bayeux", "Vire", "Falaise", "Cherbourg", "Saint-Lô",
    "Coutances", "Granville", "Évreux", "Vernon", "Louviers", "Bernay", "Rouen", "Dieppe", "Fécamp", "Elbeuf",
)
# Departments written after "l’" swap among themselves only: "de l’Orne" -> "de l’Eure".
ELIDED_DEPARTMENTS = ("Orne", "Eure")
# The region too ("ARS Normandie" -> "ARS Bretagne", e-mail addresses included): passages without a
# figure or a town differ from one variant to the next all the same.
REGIONS = ("Normandie", "Bretagne", "Occitanie", "Bourgogne-Franche-Comté", "Nouvelle-Aquitaine", "Corse",
           "Grand Est", "Hauts-de-France", "Île-de-France", "Pays de la Loire", "Centre-Val de Loire", "Guyane")
_PLACE_RE = re.compile(
    r"\b(" + "|".join(map(re.escape, TOWNS + ELIDED_DEPARTMENTS + REGIONS)) + r"|normandie)\b"
)
# Words a variant may write otherwise, each pair flipped or not: a sentence without figure or place still
# reads differently from one variant to the next.
SYNONYMS = (
    ("professionnels", "soignants"), ("population", "habitants"), ("patients", "malades"), ("métiers", "professions"),
    ("territoires", "bassins de vie"), ("acteurs", "intervenants"), ("dispositif", "programme"),
    ("accompagnement", "soutien"), ("renforcer", "consolider"), ("améliorer", "conforter"),
    ("développer", "étendre"), ("partenaires", "associés"), ("élus", "élus locaux"), ("usagers", "bénéficiaires"),
    ("travaux", "chantiers"), ("projet", "dossier"), ("objectifs", "buts"), ("actions", "initiatives"),
)
APPROXIMATE = ("dizaine", "vingtaine", "trentaine", "quarantaine", "cinquantaine", "soixantaine", "centaine")
# A figure: "220 000", "12", "1,9"; not inside a word ("1er", "T2A") nor a year (kept).
_FIGURE_RE = re.compile(r"(?<![\w,.\-/])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d+))?(?![\w/])")
_YEAR_RE = re.compile(r"^(19|20)\d{2}$")
NUMBER_WORDS = ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "douze", "quinze", "vingt")
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")
_APPROXIMATE_RE = re.compile(r"\b(" + "|".join(APPROXIMATE) + r")\b")


def _synonyms(rng: random.Random) -> tuple[re.Pattern[str], dict[str, str]]:
    swap = {}
    for a, b in SYNONYMS:
        if rng.random() < 0.5:
            swap[a], swap[b] = b, a
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(swap, key=len, reverse=True))) + r")\b")
    return pattern, swap


def _places(rng: random.Random) -> dict[str, str]:
    towns = list(TOWNS)
    rng.shuffle(towns)
    departments = list(ELIDED_DEPARTMENTS)
    rng.shuffle(departments)
    places = dict(zip(TOWNS + ELIDED_DEPARTMENTS, towns + departments, strict=True))
    region = rng.choice(REGIONS)
    places["Normandie"] = region
    places["normandie"] = region.lower().replace(" ", "-").replace("î", "i").replace("é", "e")  # in addresses
    return places


def _figure(match: re.Match[str], rng: random.Random) -> str:
    whole, decimals = match.group(1), match.group(2)
    digits = re.sub(r"\D", "", whole)
    if decimals is None and _YEAR_RE.match(digits):
        return match.group(0)
    value = int(digits)
    if value < 10:
        new = rng.randint(2, 9) if value > 1 else value
    else:
        # same number of significant digits, about the same size
        significant = len(digits.rstrip("0")) or 1
        scale = 10 ** max(0, len(digits) - max(2, significant))
        new = max(10, round(value * rng.uniform(0.55, 1.6) / scale) * scale)
    separator = next((c for c in whole if not c.isdigit()), "")
    text = f"{new:,}".replace(",", separator) if separator else str(new)
    if decimals is not None:
        text += "," + "".join(str(rng.randint(0, 9)) for _ in decimals)
    return text


def vary_text(text: str, rng: random.Random, places: dict[str, str]) -> str:
    """`text` with other figures (in digits or in words) and other places."""
    text = _FIGURE_RE.sub(lambda m: _figure(m, rng), text)
    text = _NUMBER_WORD_RE.sub(lambda m: rng.choice(NUMBER_WORDS), text)
    text = _APPROXIMATE_RE.sub(lambda m: rng.choice(APPROXIMATE), text)
    return _PLACE_RE.sub(lambda m: places.get(m.group(1), m.group(1)), text)


def _shuffled_sentences(line: str, rng: random.Random) -> str:
    if line.startswith(("- ", "#")):
        return line
    sentences = split_sentences(line)
    if len(sentences) > 1:
        rng.shuffle(sentences)
    return " ".join(sentences)


def code(n: int) -> str:
    """A short letter code for variant `n` ("ab", "ac"...): digits in a title could read as a year."""
    letters = ""
    n += 26 * 27  # at least three letters
    while n:
        n, r = divmod(n, 26)
        letters = chr(ord("a") + r) + letters
    return letters


# -- whole documents, for the ingest measure --------------------------------------------------------


def vary_markdown(source: str, n: int, attempt: int = 0) -> tuple[str, str]:
    """Variant `n` of a light-markup source (scripts/render_corpus.py): (its title, its text).

    Units inside each section (a paragraph, or a run of bullets with the sentence that announces
    them) are shuffled, and so are the bullets of a run and the sentences of a paragraph; figures,
    places and some words are changed, and the title names the variant. Another `attempt` draws
    another variant under the same title.
    """
    rng = random.Random(f"document-{n}-{attempt}")
    places = _places(rng)
    words, swap = _synonyms(rng)
    lines = [line for line in source.splitlines() if line.strip()]
    out: list[str] = []
    units: list[list[str]] = []

    def flush() -> None:
        rng.shuffle(units)
        for unit in units:
            head = [] if unit[0].startswith("- ") else unit[:1]
            items = unit[len(head):]
            rng.shuffle(items)
            out.extend(head + items)
        units.clear()

    for line in lines:
        if line.startswith("#") or line == "<<<page>>>":
            flush()
            out.append(line)
        elif line.startswith("- ") and units and (units[-1][-1].startswith("- ") or units[-1][-1].endswith(":")):
            units[-1].append(line)
        else:
            units.append([line])
    flush()
    varied = [vary_text(_shuffled_sentences(line, rng), rng, places) for line in out]
    varied = [line if line.startswith("#") else words.sub(lambda m: swap[m.group(1)], line) for line in varied]
    title_at = next((i for i, line in enumerate(varied) if line.startswith("# ")), None)
    title = f"variante {code(n)}"
    if title_at is not None:
        title = f"{varied[title_at][2:].strip()} – {title}"
        varied[title_at] = f"# {title}"
    return title, "\n\n".join(varied) + "\n"


# -- passages with their vectors, for the query measures at 10k and 100k passages ----------------------


@dataclass(frozen=True, slots=True)
class PoolDocument:
    """A document really ingested: its record, chunks, vectors (one row per chunk) and fiche."""

    record: DocumentRecord
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    fiche: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SyntheticDocument:
    """Variant `variant` of a pool document, with vectors near the pool document's."""

    record: DocumentRecord
    chunks: list[Chunk]
    vectors: np.ndarray
    fiche: dict[str, Any] | None
    variant: int


def text_key(text: str) -> int:
    """A 64-bit key of a text, to remember which texts exist without keeping them."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def vary_chunk(chunk: Chunk, rng: random.Random, places: dict[str, str]) -> str:
    """A chunk's text with its sentences shuffled (headings kept first), other figures and places."""
    lines = chunk.text.split("\n")
    return "\n".join(vary_text(_shuffled_sentences(line, rng), rng, places) for line in lines)


def perturb(vectors: np.ndarray, rng: np.random.Generator, spread: float = 0.35) -> np.ndarray:
    """Unit vectors near `vectors` (cosine about 0.94): neighbours of the real ones, as the vectors of
    varied texts would be, without paying the encoder again."""
    noise = rng.standard_normal(vectors.shape).astype(np.float32) * (spread / np.sqrt(vectors.shape[1]))
    moved = vectors + noise
    return (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)


def synthetic_documents(pool: Sequence[PoolDocument], start: int, seen: set[int]) -> Iterator[SyntheticDocument]:
    """Variants start, start + 1... of the pool's documents, each with chunks no other document has
    (`seen`: the `text_key` of every text already used, updated)."""
    n = start
    while True:
        base = pool[n % len(pool)]
        rng = random.Random(f"passages-{n}")
        places = _places(rng)
        suffix = code(n)
        title = f"{vary_text(base.record.title, rng, places)} – variante {suffix}"
        texts = []
        for chunk in base.chunks:
            text = vary_chunk(chunk, rng, places)
            tries = 0
            while text_key(text) in seen and tries < 5:
                text, tries = vary_chunk(chunk, rng, places), tries + 1
            if text_key(text) in seen:  # nothing to vary (a lone heading): say which variant it is
                text = f"{text}\nVariante {suffix}."
            seen.add(text_key(text))
            texts.append(text)
        doc_id = hashlib.sha256("\n".join([suffix, *texts]).encode()).hexdigest()[:16]
        stem, dot, ext = base.record.source.rpartition(".")
        source = f"{stem}-{suffix}.{ext}" if dot else f"{base.record.source}-{suffix}"
        # a reworded text moves the page breaks: its citations give the passage's page range (page_starts=())
        chunks = [
            replace(c, doc_id=doc_id, source=source, title=title, section=vary_text(c.section, rng, places), text=t,
                    page_starts=())
            for c, t in zip(base.chunks, texts, strict=True)
        ]
        record = replace(base.record, doc_id=doc_id, source=source, title=title, path="", chunks=0)
        fiche = None
        if base.fiche is not None:
            fiche = {**base.fiche, "doc_id": doc_id, "source": source, "title": title}
        vectors = perturb(base.vectors, np.random.default_rng(n))
        yield SyntheticDocument(record, chunks, vectors, fiche, n)
        n += 1

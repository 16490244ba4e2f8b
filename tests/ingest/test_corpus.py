"""Checks of the sample corpus: the light-markup sources (data/sources/*.md), the committed PDFs
(data/documents/*.pdf) rendered from them by scripts/render_corpus.py, and the raw seed
extractions they were cleaned from (../shared/seeds/*.txt, next to the repository).

Reads the PDFs with pypdf directly, independently of the project's ingest package.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES = REPO_ROOT / "data" / "sources"
DOCUMENTS = REPO_ROOT / "data" / "documents"
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
RENDER_SCRIPT = REPO_ROOT / "scripts" / "render_corpus.py"

ROADMAP = "feuille-de-route-orne-bilan-2025"
PRESS = "cp-charte-attractivite-2024-10-08"
STEMS = [ROADMAP, PRESS]
MIN_PAGES = {ROADMAP: 10, PRESS: 2}
TITLES = {
    ROADMAP: "Feuille de route départementale de l’Orne – Bilan janvier 2025",
    PRESS: "Charte partenariale d’engagement en faveur de l’attractivité des métiers de la santé",
}
KEY_FACTS = {
    ROADMAP: ["220 000 euros", "258 000 euros", "44 000 euros", "Drog’Aide 61", "900 €"],
    PRESS: ["8 octobre 2024", "Caen, le 8 octobre 2024,", "10 projets innovants"],
}
SEED_FOOTER = "Feuille de route départementale de l’Orne Bilan - janvier 2025 16"
URL_RE = re.compile(r"https?://\S+")
MARKUP_RE = re.compile(r"^(?:#{1,4} |- )")
PAGE_BREAK = "<<<page>>>"
RUNNING_HEADER = "Agence régionale de santé Normandie"
FOOTER_RE = re.compile(r" — page \d+$")
CUT = "\x00"  # marks a hyphen found at a line end of the seed (compound word or word cut)


def norm(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return " ".join(text.split())


@cache
def page_texts(pdf: Path) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in PdfReader(pdf).pages)


def page_body(text: str) -> str:
    """A page's text without the running header and the numbered footer lines."""
    lines = text.splitlines()
    if lines and lines[0].strip() == RUNNING_HEADER:
        lines = lines[1:]
    if lines and FOOTER_RE.search(lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines)


def pdf_text(stem: str) -> str:
    """Whitespace-normalised body text of a committed PDF, pages joined in order."""
    return norm(" ".join(page_body(t) for t in page_texts(DOCUMENTS / f"{stem}.pdf")))


def source_passages(stem: str) -> list[str]:
    """Every heading, paragraph and bullet item of a source, without its markup."""
    lines = (SOURCES / f"{stem}.md").read_text(encoding="utf-8").splitlines()
    return [MARKUP_RE.sub("", line.strip()) for line in lines if line.strip() and line.strip() != PAGE_BREAK]


def load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_corpus", RENDER_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module to be registered
    spec.loader.exec_module(module)
    return module


# -- (a) page count and metadata -------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_pages_and_metadata(stem: str) -> None:
    reader = PdfReader(DOCUMENTS / f"{stem}.pdf")
    assert len(reader.pages) >= MIN_PAGES[stem]
    assert reader.metadata is not None
    assert reader.metadata.title == TITLES[stem]
    assert reader.metadata.author == "ARS Normandie"
    assert reader.metadata.creation_date is not None


@pytest.mark.parametrize("stem", STEMS)
def test_running_header_and_numbered_footer(stem: str) -> None:
    pages = page_texts(DOCUMENTS / f"{stem}.pdf")
    first = 2 if stem == ROADMAP else 1  # the roadmap opens on a title page without them
    for number, text in enumerate(pages, start=1):
        if number < first:
            assert RUNNING_HEADER not in text
            continue
        lines = text.splitlines()
        assert lines[0] == RUNNING_HEADER, f"page {number}: no running header"
        assert lines[-1].endswith(f" — page {number}"), f"page {number}: no page number in the footer"


# -- (b) no wording lost between the source and its PDF ---------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_every_source_passage_is_in_the_pdf(stem: str) -> None:
    text = pdf_text(stem)
    squeezed = re.sub(r"\s+", "", text)
    missing = []
    for passage in source_passages(stem):
        # long URLs are split over lines after a "/": compare them without any whitespace
        found = passage in squeezed if URL_RE.fullmatch(passage) else norm(passage) in text
        if not found:
            missing.append(passage)
    assert not missing, f"{stem}.pdf lacks {len(missing)} passage(s) of its source:\n" + "\n".join(
        f"  - {p}" for p in missing
    )


@pytest.mark.parametrize("stem", STEMS)
def test_bullets_are_rendered_with_a_bullet_glyph(stem: str) -> None:
    source = (SOURCES / f"{stem}.md").read_text(encoding="utf-8")
    bullets = [line[2:] for line in source.splitlines() if line.startswith("- ")]
    text = pdf_text(stem)
    assert text.count("•") == len(bullets)
    for item in bullets:
        assert f"• {norm(item)}" in text, f"bullet not rendered with •: {item}"


# -- (c) special characters and key facts ------------------------------------------------------


def test_special_characters_survive_extraction() -> None:
    roadmap, press = pdf_text(ROADMAP), pdf_text(PRESS)
    for char in "éœ€«»’":
        assert char in roadmap, f"{char!r} missing from the roadmap text"
    for char in "éœ«»’É":
        assert char in press, f"{char!r} missing from the press release text"


@pytest.mark.parametrize("stem", STEMS)
def test_key_facts(stem: str) -> None:
    text = pdf_text(stem)
    for fact in KEY_FACTS[stem]:
        assert fact in text, f"{fact!r} missing from {stem}.pdf"


# -- (d) sources and committed PDFs never drift ----------------------------------------------


def test_rerendering_gives_the_committed_pdfs(tmp_path: Path) -> None:
    written = load_renderer().render_corpus(SOURCES, tmp_path)
    assert sorted(p.stem for p in written) == sorted(p.stem for p in SOURCES.glob("*.md"))
    for path in written:
        committed = DOCUMENTS / path.name
        assert committed.exists(), f"{committed.name} is not committed; run scripts/render_corpus.py"
        fresh, old = page_texts(path), page_texts(committed)
        assert len(fresh) == len(old), f"{path.name}: page count drifted; re-run scripts/render_corpus.py"
        for number, (new_page, old_page) in enumerate(zip(fresh, old, strict=True), start=1):
            assert new_page == old_page, f"{path.name} page {number} drifted; re-run scripts/render_corpus.py"


# -- (e) the sources keep every sentence of the seed extractions -----------------------------


def seed_text(stem: str) -> str:
    """Seed text without URLs, footer line and bullet glyphs; line-end hyphens marked with CUT."""
    path = SEEDS / f"{stem}.txt"
    if not path.exists():
        pytest.skip(f"seed extraction not available: {path}")
    text = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip() == SEED_FOOTER:
            continue
        line = re.sub(r"^[•\-]\s*", "", URL_RE.sub(" ", raw).strip()).strip()
        if not line:
            continue
        if text.endswith("-") and line[0].isalpha():
            text = text[:-1] + CUT + line
        else:
            text = f"{text} {line}" if text else line
    return norm(text)


def source_text(stem: str) -> str:
    """Source text without markup and URLs, as one whitespace-normalised string."""
    return norm(" ".join(URL_RE.sub(" ", passage) for passage in source_passages(stem)))


def seed_sentences(stem: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;!?…])\s+", seed_text(stem)) if s]


@pytest.mark.parametrize("stem", STEMS)
def test_every_seed_sentence_is_in_the_source(stem: str) -> None:
    source = source_text(stem)
    missing = []
    for sentence in seed_sentences(stem):
        # a hyphen at a seed line end may be kept (compound word) or dropped (word cut)
        pattern = "-?".join(re.escape(part) for part in sentence.split(CUT))
        if not re.search(pattern, source):
            missing.append(sentence.replace(CUT, "-"))
    assert not missing, f"{stem}.md lacks {len(missing)} sentence(s) of the seed:\n" + "\n".join(
        f"  - {s}" for s in missing
    )


@pytest.mark.parametrize("stem", STEMS)
def test_sources_add_no_wording(stem: str) -> None:
    seed = seed_text(stem)
    variants = (seed.replace(CUT, "-"), seed.replace(CUT, ""))
    added = []
    for passage in source_passages(stem):
        passage = norm(URL_RE.sub(" ", passage))
        if passage and not any(passage in variant for variant in variants):
            added.append(passage)
    # the title page may only reuse the seed's wording (e.g. its footer line)
    raw_seed = norm((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"))
    added = [p for p in added if p not in raw_seed]
    assert not added, f"{stem}.md has wording absent from the seed:\n" + "\n".join(f"  - {p}" for p in added)

"""A citation names the page of the sentence it quotes, even when its passage runs over two pages: unit tests of
`citation_for`, and a real two-page PDF ingested into a real index and asked through the real Assistant."""

from __future__ import annotations

from pathlib import Path

import pytest
import two_page_note as granville
from pypdf import PdfReader

from assistant.answer import Draft, citation_for
from assistant.factory import build_assistant, run_ingest
from assistant.models import Answer
from assistant.service import Assistant
from assistant.settings import Settings
from eval.metrics import PdfPageText, citation_valid
from index.models import Hit
from ingest.models import Block, Chunk, Document
from ingest.split import chunk_document


def two_page_chunk() -> Chunk:
    blocks = tuple(Block("paragraph", text, page, 0)
                   for page, texts in enumerate(granville.PAGES, start=1) for text in texts)
    [chunk] = chunk_document(Document("abc", granville.NOTE, granville.TITLE, f"/tmp/{granville.NOTE}", 2, blocks))
    return chunk


def test_a_sentence_of_page_two_is_cited_page_two_and_one_of_page_one_page_one():
    hit = Hit(chunk=two_page_chunk(), score=0.9, rank=1)
    assert (hit.chunk.page, hit.chunk.page_end) == (1, 2)
    second = citation_for(1, hit, granville.GRANT)
    first = citation_for(2, hit, granville.OPENING)
    assert (second.page, second.page_end) == (2, 2)
    assert (first.page, first.page_end) == (1, 1)
    text = Answer("q", f"{granville.GRANT} [1]\n{granville.OPENING} [2]", (second, first)).with_sources()
    assert f"({granville.NOTE}, p. 2)" in text and f"({granville.NOTE}, p. 1)" in text and "p. 1-2" not in text


def test_an_excerpt_over_the_page_break_is_cited_on_both_pages():
    hit = Hit(chunk=two_page_chunk(), score=0.9, rank=1)
    draft = Draft()
    draft.cite(f"{granville.CARRIER}\n{granville.GRANT}", hit)
    assert (draft.citations[0].page, draft.citations[0].page_end) == (1, 2)


def test_a_chunk_from_an_index_written_before_is_cited_on_its_pages_as_before():
    chunk = two_page_chunk()
    meta = {key: value for key, value in chunk.metadata().items() if key != "page_starts"}
    old = Chunk.from_metadata(chunk.text, meta)
    citation = citation_for(1, Hit(chunk=old, score=0.9, rank=1), granville.GRANT)
    assert (citation.page, citation.page_end) == (1, 2)  # unknown page: the passage's range, never a wrong page


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assistant]:
    """The two-page note ingested by the real pipeline (pypdf, chunking, e5, Chroma) and its real Assistant."""
    home = tmp_path_factory.mktemp("two-pages")
    documents = home / "documents"
    documents.mkdir()
    granville.write_note(documents)
    settings = Settings(data_dir=home / "data")
    report = run_ingest(settings, [documents])
    assert report.ingested == 1, str(report)
    return documents, build_assistant(settings)


def printed_page(pdf: Path, sentence: str) -> int:
    """The page holding a sentence, read with pypdf: the test never assumes the layout."""
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        if sentence in " ".join((page.extract_text() or "").split()):
            return number
    raise AssertionError(f"{sentence!r} not in {pdf}")


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "fact", "sentence"),
    [
        (granville.GRANT_QUESTION, "48 000 euros", granville.GRANT),
        (granville.OPENING_QUESTION, "6 janvier 2025", granville.OPENING),
    ],
)
def test_the_assistant_cites_the_page_of_the_quoted_sentence(note: tuple[Path, Assistant], question: str, fact: str,
                                                             sentence: str):
    documents, assistant = note
    answer = assistant.ask(question)
    assert not answer.refused and fact in answer.text.splitlines()[0], answer.text
    [citation] = [c for c in answer.citations if c.excerpt == sentence]
    chunk = assistant.index.get_chunks([citation.chunk_id])[citation.chunk_id]
    assert (chunk.page, chunk.page_end) == (1, 2)  # the quoted passage does run over both pages
    page = printed_page(documents / granville.NOTE, sentence)
    assert (citation.page, citation.page_end) == (page, page)
    assert f"({granville.NOTE}, p. {page})" in answer.with_sources()
    assert citation_valid(citation, PdfPageText(documents))  # the evaluation finds the excerpt on the cited page

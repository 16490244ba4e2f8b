"""The one place that turns Settings into objects: the index, the catalog, the assistant, the library and the
ingest.

The command line, the page, the API and the evaluation all get them here, so they are built alike
(tests/test_architecture.py checks that nothing else constructs an Index or an Assistant).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings
from index.index import Index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.catalog import Catalog
    from assistant.library import Library
    from assistant.service import Assistant
    from index.ingesting import IngestReport, OnStep
    from ingest.prepare import IngestOptions, Limits


def open_index(settings: Settings, reset: bool = False, embeddings: Embeddings | None = None) -> Index:
    """The index described by the settings (embedded Chroma, or a server when a host is set); `embeddings`
    in place of the configured model's (the benchmark's recording encoder)."""
    return Index(
        settings.data_dir,
        embeddings=embeddings,
        embedding_model=settings.embedding_model,
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        collection=settings.collection,
        reset=reset,
    )


def read_limits(settings: Settings) -> Limits:
    """The limits of the reading child for the readers that come after the ingest (the viewer, a missing fiche)."""
    from ingest.ocr import OcrOptions
    from ingest.prepare import Limits

    return Limits(settings.parse_timeout, settings.parse_memory_mb, settings.parse_max_chars,
                  OcrOptions(timeout=settings.ocr_page_timeout))


def ingest_options(settings: Settings) -> IngestOptions:
    """How the ingest cuts files into passages, and the limits of its reading child."""
    from ingest.prepare import IngestOptions

    return IngestOptions(settings.chunk_size, settings.chunk_overlap, read_limits(settings))


def run_ingest(
    settings: Settings,
    paths: list[Path],
    reset: bool = False,
    if_empty: bool = False,
    prune: bool = False,
    index: Index | None = None,
    on_step: OnStep | None = None,
) -> IngestReport:
    """Ingest files and folders (index/ingesting.py) into the configured index, or into `index`, one already
    open in this process (the page's), so that its searches see the new documents."""
    from index.ingesting import ingest_files
    from ingest.pipeline import discover

    found = discover(paths)  # a missing path stops here, before the index is touched
    if index is None:
        index = open_index(settings, reset=reset)
    elif reset:
        index.reset()
    return ingest_files(index, found, ingest_options(settings), if_empty=if_empty, prune=prune, on_step=on_step)


def build_assistant(settings: Settings, index: Index | None = None) -> Assistant:
    """An Assistant over the configured index, with the chat model when one is configured."""
    # the answerer's modules are imported here, not above: an ingest does not load them
    from assistant.llm import ChatAnswerer
    from assistant.scorer import LearnedScorer
    from assistant.service import Assistant

    chat = None
    if settings.llm_base_url:
        chat = ChatAnswerer(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )
    index = index or open_index(settings)
    scorer = LearnedScorer.load() if settings.answer_scorer in ("appris", "lecteur") else None
    reader = None
    if settings.answer_scorer == "lecteur":
        from assistant.reader import shared

        reader = shared(settings.reader_threads)  # its weights load at warm-up or at the first question
    return Assistant(index, k=settings.top_k, chat=chat, catalog=open_catalog(settings, index), scorer=scorer,
                     reader=reader)


def open_catalog(settings: Settings, index: Index | None = None) -> Catalog:
    """The fiches and the glossary of the indexed documents."""
    from assistant.catalog import Catalog

    return Catalog(index or open_index(settings), limits=read_limits(settings))


def open_library(settings: Settings, index: Index | None = None) -> Library:
    """The documents of the data directory as users change them: uploads kept with their file, removals
    that delete it."""
    from assistant.library import Library  # imports this module for run_ingest

    return Library(settings, index or open_index(settings))

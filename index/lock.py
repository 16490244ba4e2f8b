"""One writer per index directory: an advisory file lock between processes, a re-entrant lock between threads;
and a shared/exclusive lock between threads (searches share the Chroma client, reopening it takes it alone).

`flock` is released by the kernel when its holder dies, so a SIGKILLed ingest never leaves the
index locked. Without it, `ars-assistant status` run during an ingest would "repair" away the
chunks the ingest is writing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no inter-process protection
    fcntl = None  # type: ignore[assignment]


class WriteLock:
    """Exclusive, re-entrant write access to one directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0  # nesting level of the holding thread; 1 = outermost
        self._fd: int | None = None
        self._threads = threading.RLock()

    def acquire(self) -> bool:
        """Take the lock without waiting for another process; False if one holds it."""
        self._threads.acquire()
        if self.depth == 0 and not self._lock_file():
            self._threads.release()
            return False
        self.depth += 1
        return True

    def release(self) -> None:
        """Give back one level; the file lock goes with the outermost."""
        self.depth -= 1
        if self.depth == 0 and self._fd is not None:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._threads.release()

    def _lock_file(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
        self._fd = fd
        return True


class SharedLock:
    """Held by many threads at once (`shared`) or by one alone (`exclusive`). A thread waiting for it alone
    waits for the current holders and keeps new ones waiting meanwhile. Not re-entrant: a thread holding it
    must not take it again."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._holders = 0
        self._alone = False
        self._waiting_alone = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            while self._alone or self._waiting_alone:
                self._condition.wait()
            self._holders += 1
        try:
            yield
        finally:
            with self._condition:
                self._holders -= 1
                if not self._holders:
                    self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            self._waiting_alone += 1
            try:
                while self._alone or self._holders:
                    self._condition.wait()
            finally:
                self._waiting_alone -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._condition:
                self._alone = False
                self._condition.notify_all()

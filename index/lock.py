"""One writer per index directory: an advisory file lock between processes, a re-entrant lock between threads;
and a reader-writer lock between threads (searches share the Chroma client, reopening it takes it alone;
the library's writes take turns).

`flock` is released by the kernel when its holder dies, so a SIGKILLed ingest never leaves the
index locked. Without it, `ars-assistant status` run during an ingest would "repair" away the
chunks the ingest is writing.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no inter-process protection
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class WriteLock:
    """Exclusive, re-entrant write access to one directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0  # nesting level of the holding thread; 1 = outermost
        self._fd: int | None = None
        self._threads = threading.RLock()

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock without waiting for another process; False if one holds it. Another thread of this
        process holding it is waited for, unless not `blocking` (then False at once)."""
        if not self._threads.acquire(blocking=blocking):
            return False
        if self.depth == 0 and not self._lock_file():
            self._threads.release()
            return False
        self.depth += 1
        return True

    def try_acquire(self) -> bool:
        """`acquire`, but False at once when another thread of this process holds the lock too."""
        return self.acquire(blocking=False)

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


class ReadWriteLock:
    """Many readers at once or one writer alone; a waiting writer goes before new readers (no writer starves).

    Not re-entrant: a thread holding it must not take it again. No timeout: a writer waits for the readers
    present, which are short (a search, a listing). Used by Index (searches read through the Chroma client,
    reopening it writes) and by Library (uploads, removals and reloads write, one at a time).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @property
    def writing_now(self) -> bool:
        """True while a writer holds or awaits the lock: a reader arriving now will wait."""
        with self._condition:
            return self._writer or self._writers_waiting > 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            while self._writer or self._writers_waiting:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if not self._readers:  # only writers wait for readers, and only for none to be left
                    self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._condition.wait()
            finally:  # interrupted while waiting: no longer in the queue, readers must not keep waiting for it
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._condition:
                self._writer = False
                self._condition.notify_all()


class LeaseTable(Protocol):
    """Where a lease is kept: the registry on the Chroma server (index/store.py ChromaRegistry)."""

    def get(self, keys: Sequence[str]) -> dict[str, str]: ...
    def put(self, kind: str, values: dict[str, str]) -> None: ...
    def delete(self, keys: Sequence[str]) -> None: ...


LEASE_KEY = "lease"


class ServerLease:
    """One writer at a time among the processes of every machine sharing a Chroma server.

    The server offers no atomic compare-and-set, so a writer writes its claim, waits a moment and reads it
    back: of two writers claiming at once, the last write wins and the other backs off. The holder renews
    the claim from a thread while it writes; a holder that dies stops renewing, and its claim lapses after
    `ttl` seconds (at once when the dead holder ran on this machine: its pid is gone). Clocks of the
    machines are assumed roughly in time (NTP); a clock far ahead only makes a lapsed claim last longer.
    """

    def __init__(self, table: LeaseTable, ttl: float = 30.0, settle: float = 0.3) -> None:
        self.table, self.ttl, self.settle = table, ttl, settle
        self.owner = uuid.uuid4().hex
        self._renewing: threading.Event | None = None

    def holder(self) -> dict[str, Any] | None:
        """The live claim of another process, if any."""
        text = self.table.get([LEASE_KEY]).get(LEASE_KEY)
        if not text:
            return None
        claim = json.loads(text)
        if claim.get("owner") == self.owner or float(claim.get("expires", 0)) < time.time():
            return None
        if claim.get("host") == socket.gethostname() and not _alive(int(claim.get("pid", 0))):
            return None
        return dict(claim)

    def acquire(self) -> dict[str, Any] | None:
        """Take the lease without waiting: None once held, else the other holder's claim."""
        other = self.holder()
        if other is not None:
            return other
        self._claim()
        time.sleep(self.settle)
        text = self.table.get([LEASE_KEY]).get(LEASE_KEY)
        claim = json.loads(text) if text else {}
        if claim.get("owner") != self.owner:
            return dict(claim) or {"host": "?", "pid": 0}
        self._renewing = threading.Event()
        threading.Thread(target=self._renew, args=(self._renewing,), name="lease", daemon=True).start()
        return None

    def release(self) -> None:
        if self._renewing is not None:
            self._renewing.set()
            self._renewing = None
        text = self.table.get([LEASE_KEY]).get(LEASE_KEY)
        if text and json.loads(text).get("owner") == self.owner:
            self.table.delete([LEASE_KEY])

    def _claim(self) -> None:
        claim = {"owner": self.owner, "host": socket.gethostname(), "pid": os.getpid(),
                 "expires": time.time() + self.ttl}
        self.table.put("lease", {LEASE_KEY: json.dumps(claim)})

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(self.ttl / 3):
            try:
                self._claim()
            except Exception:  # the server away for a moment: the next renewal may reach it
                log.warning("could not renew the write lease on the Chroma server", exc_info=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

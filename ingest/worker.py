"""One file read in a child process with a time limit: a reader that hangs or crashes costs that file only.

pypdf is pure Python and cannot be interrupted from another thread: a page whose content stream holds
millions of tiny operators, repeated on every page, keeps it busy for hours, and a bug in a C library
(PDFium, lxml) can kill the process that reads. So each file is read by `try_parse` in a child process
that is killed (SIGKILL, its pid only) once the limit has passed. Children come from a fork server
started once per process with the readers already imported: a child costs about 20 ms, and it forks
from a small single-threaded process rather than from the caller's threads (Chroma, torch, a web server);
it sees the environment the fork server started with. OCR pages have their own limit
(`OcrOptions.timeout`): each scanned page read extends the deadline by that limit. Log records of the
child are shown by the caller's logging, at its levels.

A child may also be given a memory limit (`memory_mb`): the address space it may map beyond what it holds
when it starts (RLIMIT_AS, inherited by
the Tesseract it starts) is capped, so that a file that expands in memory fails with MemoryError in the
child (or the child dies) instead of taking the machine's memory.

The reader may do more than read: the assistant passes one that also chunks and describes the
document (ingest/prepare.py), so that all the work on untrusted content runs under these limits. Its
module is imported once by the fork server, with the libraries the readers import lazily.

Like any `multiprocessing` user, the calling program's main module must be importable without side
effects (`if __name__ == "__main__":`): the fork server imports it once.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import multiprocessing
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from ingest.models import Document
from ingest.ocr import OcrOptions
from ingest.pdf import OcrProgress
from ingest.pipeline import Skipped, try_parse

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_LOGGERS = ("", "pypdf", "ingest")  # levels the child takes from its caller
Reader = Callable[[Path, OcrOptions | None, OcrProgress | None], Document | Skipped]
T = TypeVar("T")
# Imported by the readers only when a file needs them: the fork server imports them once for all children.
READER_LIBRARIES = ("trafilatura", "docx", "lxml.html", "pypdfium2")
_readers_cpu = [0.0]  # CPU seconds of the children that answered (a child that is killed takes its own along)
_readers_cpu_lock = threading.Lock()
_server_ready: list[bool] = []  # one entry once this process's fork server has imported its modules
_server_lock = threading.Lock()


def readers_cpu_seconds() -> float:
    """CPU seconds spent so far by this process's reading children that gave an answer: they are the fork
    server's children, not ours, so `resource.RUSAGE_CHILDREN` does not count them."""
    with _readers_cpu_lock:
        return _readers_cpu[0]


def timeout_reason(seconds: float) -> str:
    """French reason for a file whose reading took longer than the limit."""
    return (
        f"lecture interrompue après {seconds:g} s : fichier trop long à lire (trop complexe ou endommagé) ; "
        "ré-exportez-le ou découpez-le, ou relevez la limite (ARS_PARSE_TIMEOUT)"
    )


def crash_reason(exitcode: int | None, memory_mb: int = 0) -> str:
    """French reason for a file whose reader died without an answer (a crash in a C library, memory)."""
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"code {exitcode}"
    # a C or C++ library that runs out of memory aborts; the kernel's OOM killer sends SIGKILL
    if memory_mb and exitcode in (-signal.SIGABRT, -signal.SIGKILL):
        return f"lecture impossible : le lecteur s'est arrêté brutalement ({how}), {memory_reason(memory_mb)}"
    return f"lecture impossible : le lecteur s'est arrêté brutalement ({how}) ; ré-exportez le fichier ou signalez-le"


def memory_reason(memory_mb: int) -> str:
    """French reason for a file whose reading needed more memory than the limit."""
    limit = f" (plus de {memory_mb} Mo)" if memory_mb else ""
    return (
        f"fichier trop gros à lire en mémoire{limit} ; découpez-le ou relevez la limite (ARS_PARSE_MEMORY_MB)"
    )


def parse_limited(
    path: Path,
    timeout: float | None,
    ocr: OcrOptions | None = None,
    on_ocr_page: OcrProgress | None = None,
    *,
    reader: Reader = try_parse,
    memory_mb: int = 0,
) -> Document | Skipped:
    """`try_parse` (or `reader`) in a child process stopped after `timeout` seconds (OCR pages aside); see
    `run_limited`."""
    return run_limited(reader, path, timeout, ocr, on_ocr_page, memory_mb=memory_mb)


def run_limited(
    reader: Callable[[Path, OcrOptions | None, OcrProgress | None], T | Skipped],
    path: Path,
    timeout: float | None,
    ocr: OcrOptions | None = None,
    on_ocr_page: OcrProgress | None = None,
    *,
    memory_mb: int = 0,
) -> T | Skipped:
    """`reader(path, ocr, on_ocr_page)` in a child process stopped after `timeout` seconds (OCR pages aside),
    its address space capped at `memory_mb` (0: no cap); timeout None or 0: in this process, no limit.

    `reader` must be importable by name, or a functools.partial of such a function (the child imports it):
    tests pass one that crashes. Whatever it returns must pickle.
    """
    if not timeout or timeout <= 0:
        try:
            return reader(path, ocr, on_ocr_page)
        except MemoryError:
            return Skipped(path, memory_reason(0))
    options = ocr or OcrOptions()
    context = _context(_module_of(reader))
    _ready(context)  # the fork server's imports take seconds on a busy machine: not the first file's time
    receiver, sender = context.Pipe(duplex=False)
    levels = {name: logging.getLogger(name).getEffectiveLevel() for name in _LOGGERS}
    child = context.Process(
        target=_read_in_child, args=(sender, reader, path, options, levels, memory_mb), name="ars-lecture",
        daemon=True,
    )
    start = time.monotonic()
    child.start()
    sender.close()  # ours: the child's end is the only writer left, so its death reads as EOF
    deadline = start + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("reading %s stopped after %.1fs", path.name, time.monotonic() - start)
                return Skipped(path, timeout_reason(timeout))
            if not receiver.poll(remaining):
                continue
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                child.join(5)
                log.warning("reader of %s died with exit code %s", path.name, child.exitcode)
                return Skipped(path, crash_reason(child.exitcode, memory_mb))
            if message[0] == "log":
                _relay(message[1])
                continue
            if message[0] == "ocr":
                _, page, done, total = message
                deadline = time.monotonic() + options.timeout + timeout
                if on_ocr_page is not None:
                    on_ocr_page(page, done, total)
                continue
            result: T | Skipped = message[1]
            with _readers_cpu_lock:
                _readers_cpu[0] += message[2]
            return result
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        child.close()
        receiver.close()


def _ready(context: Any) -> None:
    """Start the fork server and wait until it has imported its modules (once per process)."""
    with _server_lock:
        if _server_ready or context.get_start_method() != "forkserver":
            return
        child = context.Process(target=_nothing, name="ars-lecture-prete", daemon=True)
        child.start()
        child.join()
        child.close()
        _server_ready.append(True)


def _nothing() -> None:
    """A child that only proves the fork server is ready."""


def _module_of(reader: Callable[..., Any]) -> str:
    while isinstance(reader, functools.partial):
        reader = reader.func
    return str(getattr(reader, "__module__", "") or "ingest.worker")


def _context(reader_module: str) -> Any:
    """A fork server with the readers preloaded where there is one (Linux, macOS); spawn elsewhere.

    The fork server starts once per process, with the modules asked for by its first caller: a reader from
    another module later still works, its module imported by each child.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(dict.fromkeys(["ingest.worker", *READER_LIBRARIES, reader_module])))
    return context


def _read_in_child(
    sender: Connection,
    reader: Callable[[Path, OcrOptions | None, OcrProgress | None], Any],
    path: Path,
    ocr: OcrOptions,
    levels: dict[str, int],
    memory_mb: int = 0,
) -> None:
    _die_with_parent()
    if memory_mb:
        _limit_memory(memory_mb)
    # the readers' log records go to the caller, which shows them (or not) as its own
    root = logging.getLogger()
    root.handlers = [_Forward(sender)]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)

    def progress(page: int, done: int, total: int) -> None:
        sender.send(("ocr", page, done, total))

    try:
        try:
            result = reader(path, ocr, progress)
        except MemoryError:  # raised when the limit is reached; what the reader held is freed by now
            log.warning("reading %s needed more than %d MB", path.name, memory_mb)
            result = Skipped(path, memory_reason(memory_mb))
        sender.send(("done", result, time.process_time()))  # a forked child's CPU clock starts at 0
    except (BrokenPipeError, EOFError):
        pass  # the parent gave up on this file (or died): nobody to tell
    finally:
        sender.close()


def _limit_memory(memory_mb: int) -> None:
    """Let this process (and its children: Tesseract) map at most `memory_mb` more than it holds now.

    RLIMIT_AS rather than RLIMIT_DATA: it also counts the memory a C library maps (PDFium, lxml). The cap is
    over what the forked child already holds (the fork server's preloaded libraries, a few hundred MB of
    address space): an absolute cap below that would fail the first allocation of any file, however small,
    depending on how much the fork server happened to hold.
    """
    limit = _address_space() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """Bytes of address space this process maps now (0 where /proc is absent: the cap is then absolute)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


class _Forward(logging.Handler):
    """Sends each record, already formatted, to the parent."""

    def __init__(self, sender: Connection) -> None:
        super().__init__()
        self.sender = sender

    def emit(self, record: logging.LogRecord) -> None:
        fields = {"name": record.name, "levelno": record.levelno, "levelname": record.levelname,
                  "msg": record.getMessage(), "pathname": record.pathname, "lineno": record.lineno,
                  "funcName": record.funcName, "created": record.created}
        if record.exc_info:
            fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
        with contextlib.suppress(OSError, EOFError):
            self.sender.send(("log", fields))


def _relay(fields: dict[str, Any]) -> None:
    logger = logging.getLogger(fields["name"])
    if logger.isEnabledFor(fields["levelno"]):
        logger.handle(logging.makeLogRecord(fields))


def _die_with_parent() -> None:
    """Ask Linux to kill this child when the fork server dies (it does when our caller dies, even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the parent's kill on timeout still applies
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

"""The manifest: a JSON list of the documents fully indexed, replaced atomically on each save.

It is the index's commit record: a document is in the manifest only once all its chunks are in
Chroma (see index/index.py), so a crash can never leave the manifest claiming more than exists.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from index.models import DocumentRecord

_VERSION = 1


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself must reach the disk too, or a power cut could bring back the old file.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class Manifest:
    """Documents by doc_id, loaded from and saved to one JSON file.

    `records` is replaced, never changed in place, once handed out: readers in other threads may be
    iterating it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, DocumentRecord] = {}
        self._stamp = _stamp(path)
        if self._stamp is not None:
            data = json.loads(path.read_text(encoding="utf-8"))
            for item in data.get("documents", []):
                record = DocumentRecord.from_json(item)
                self.records[record.doc_id] = record

    def changed_on_disk(self) -> bool:
        """True if the file is not the one this object last read or wrote (another process saved it)."""
        return _stamp(self.path) != self._stamp

    @property
    def exists(self) -> bool:
        """True once the manifest has been saved at least once."""
        return self.path.exists()

    def by_source(self, source: str) -> list[DocumentRecord]:
        """Records whose file name is `source`."""
        return [r for r in self.records.values() if r.source == source]

    def save(self) -> None:
        """Write all records, sorted by source, atomically (callers hold the index's write lock)."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)  # left by a save killed before its rename
        documents = sorted(self.records.values(), key=lambda r: (r.source, r.doc_id))
        payload = {"version": _VERSION, "documents": [r.to_json() for r in documents]}
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        self._stamp = _stamp(self.path)

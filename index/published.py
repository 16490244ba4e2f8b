"""With a Chroma server: this process's side of the registry there (index/store.py ChromaRegistry).

The registry is the commit record every process of every machine serves from: one record per document,
the fiches, the documents' files (in parts) and a version that changes at each commit. A writer publishes
the manifest it has just saved; a replica reads the version at each search and, when it changed, the
records, then only the documents that changed (Index._sync_from_server).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from pathlib import Path

from index.models import DocumentRecord
from index.store import ChromaRegistry

FILE_PART_BYTES = 512 * 1024  # an original file goes to the server in parts of this size (base64 text)


class Publication:
    """What this process published to the registry and which version of it it serves."""

    def __init__(self, registry: ChromaRegistry, originals_dir: Path) -> None:
        self.registry = registry
        self.originals_dir = originals_dir  # copies of the files other machines sent, fetched when cited
        self.published: dict[str, DocumentRecord] = {}  # the registry's records as this process last saw them
        self.served: str | None = None  # the registry's version this process serves

    def version(self) -> str | None:
        """The registry's current version (one small read); None before anything was published."""
        return self.registry.get(["version"]).get("version")

    def records(self) -> dict[str, DocumentRecord]:
        """The documents of the registry, by doc_id."""
        records: dict[str, DocumentRecord] = {}
        for text in self.registry.of_kind("record").values():
            record = DocumentRecord.from_json(json.loads(text))
            records[record.doc_id] = record
        return records

    def served_now(self, records: Mapping[str, DocumentRecord], version: str) -> None:
        """This process now serves `records`, the registry's `version`."""
        self.published, self.served = dict(records), version

    def publish(self, current: Mapping[str, DocumentRecord]) -> None:
        """Make the registry list `current` (changes only), then bump its version: replicas follow once it changes."""
        changed = {f"doc:{d}": json.dumps(r.to_json(), ensure_ascii=False)
                   for d, r in current.items() if self.published.get(d) != r}
        gone = [d for d in self.published if d not in current]
        if changed:
            self.registry.put("record", changed)
        if gone:
            sent = self.registry.get([f"file:{d}" for d in gone])
            counts = {d: int(json.loads(sent.get(f"file:{d}") or "{}").get("parts", 0)) for d in gone}
            parts = [f"file:{d}:{n}" for d, count in counts.items() for n in range(count)]
            keys = [f"{kind}:{d}" for d in gone for kind in ("doc", "fiche", "file")]
            self.registry.delete(keys + parts)
        version = uuid.uuid4().hex
        self.registry.put("version", {"version": version})  # last
        self.served_now(current, version)

    def clear(self) -> None:
        """Forget every document (the version is bumped by the next `publish`)."""
        for kind in ("record", "fiche", "file", "file-part"):
            self.registry.delete_kind(kind)
        self.published = {}

    def put_fiches(self, fiches: dict[str, str]) -> None:
        """Fiches as JSON text, by key "fiche:<doc_id>"."""
        if fiches:
            self.registry.put("fiche", fiches)

    def fiche(self, doc_id: str) -> str | None:
        """A document's fiche as JSON text, as its writer sent it."""
        key = f"fiche:{doc_id}"
        return self.registry.get([key]).get(key) or None

    def send_original(self, record: DocumentRecord) -> None:
        """The document's file goes to the server too (before the commit, like its fiche), so that a process of
        any machine can open the cited page."""
        try:
            data = Path(record.path).read_bytes()
        except OSError:
            return  # no file (a test's chunks): nothing to open, as on the machine that ingested it
        count = max(1, -(-len(data) // FILE_PART_BYTES))
        for n in range(count):
            part = data[n * FILE_PART_BYTES : (n + 1) * FILE_PART_BYTES]
            self.registry.put("file-part", {f"file:{record.doc_id}:{n}": base64.b64encode(part).decode()})
        self.registry.put("file", {f"file:{record.doc_id}": json.dumps({"parts": count, "name": record.source})})

    def original(self, record: DocumentRecord) -> Path | None:
        """A copy, kept under the data dir, of the file sent to the server with `record`; None if none was."""
        copy = self.originals_dir / record.doc_id / record.source
        if copy.is_file():
            return copy
        meta = self.registry.get([f"file:{record.doc_id}"]).get(f"file:{record.doc_id}")
        if not meta:
            return None
        keys = [f"file:{record.doc_id}:{n}" for n in range(int(json.loads(meta)["parts"]))]
        parts = self.registry.get(keys)
        if len(parts) != len(keys):
            return None
        copy.parent.mkdir(parents=True, exist_ok=True)
        incoming = copy.with_name(f".{copy.name}.{uuid.uuid4().hex}")
        incoming.write_bytes(b"".join(base64.b64decode(parts[k]) for k in keys))
        incoming.replace(copy)
        return copy

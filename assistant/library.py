"""The document library behind the UI: list, add an uploaded file, remove, and find the file of a cited source."""

from __future__ import annotations

import logging
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.factory import run_ingest
from assistant.settings import Settings
from assistant.units import without_instructions
from index.index import Index
from index.ingesting import OnStep
from index.lock import ReadWriteLock
from index.models import DocumentRecord
from ingest.errors import UserError
from ingest.pipeline import SUPPORTED, cited_name, content_id, unsupported_reason
from lang.plural import counted

log = logging.getLogger(__name__)

UPLOADS_DIR = "uploads"  # under the data directory
# An upload file younger than this may belong to an upload still in progress (here, or in another replica
# sharing the data directory): only older ones are cleaned at start-up. OCR of a long scan takes minutes.
ORPHAN_AGE_SECONDS = 3600.0
MAX_NAME_CHARS = 120
_UNSAFE_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


def safe_filename(name: str) -> str:
    """A file name safe to store: no directory part, no "..", no control or reserved characters.

    Accents are kept (French names); the extension is kept when the name is shortened.
    """
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # a browser may send "C:\\Users\\x\\a.pdf"
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")  # control, format, private chars
    name = _UNSAFE_CHARS.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = re.sub(r"\s+", " ", name).strip(" .")  # a leading dot would hide the file
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:10]
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip(" .") or "document"
    return f"{stem}.{suffix}" if suffix else stem


def is_plain_name(source: str) -> bool:
    """True for a bare file name as cited ("a.pdf"); False for anything that could walk a directory tree."""
    return (
        bool(source)
        and source not in (".", "..")
        and "/" not in source
        and "\\" not in source
        and not any(unicodedata.category(c) == "Cc" for c in source)
    )


@dataclass(frozen=True, slots=True)
class LibraryDocument:
    """One indexed document, as listed to users."""

    source: str
    title: str
    pages: int
    chunks: int
    ingested_at: str  # ISO 8601, UTC
    uploaded: bool  # stored by the UI under the data directory (removing it deletes the file)


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What became of one uploaded file: the French message says why when it was refused."""

    name: str  # name given by the user
    source: str  # name stored and cited
    ok: bool
    message: str


class Library:
    """The indexed documents of one data directory, shared by every session of the UI.

    Questions never wait for an upload or a removal: a write builds the index's new state aside
    and swaps it in (the manifest's records and the lexical index's snapshot are each replaced by
    one assignment, Chroma serves reads during its writes), so a search sees the index before or
    after the document, never half of it. Writes (uploads, removals, reloads) take turns.
    """

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self.lock = ReadWriteLock()  # only writers take it now, each in turn
        self.clean_orphans()

    def clean_orphans(self, min_age: float = ORPHAN_AGE_SECONDS) -> list[Path]:
        """Delete the files of `uploads/` that no indexed document refers to and that are older than `min_age`
        seconds: left by a process killed during an upload. The previous version of a replaced document that
        was kept aside is put back if the index still names it. Returns the files deleted."""
        if not self.uploads_dir.is_dir():
            return []
        records = [r for r in self.index.documents() if r.path and self._is_upload(Path(r.path))]
        referred = {Path(r.path).name for r in records}
        cutoff = time.time() - min_age
        deleted: list[Path] = []
        for path in sorted(self.uploads_dir.iterdir()):
            try:
                if path.name in referred or path.is_dir() or path.lstat().st_mtime > cutoff:
                    continue
                if path.name.startswith(".previous-") and _put_back(path, records):
                    continue
                path.unlink()
            except OSError as exc:  # another replica cleaned it first, or no right to: the next start-up retries
                log.warning("cannot clean %s: %s", path, exc)
                continue
            deleted.append(path)
        if deleted:
            log.info("deleted %d upload file(s) no document refers to: %s", len(deleted), [p.name for p in deleted])
        return deleted

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / UPLOADS_DIR

    @property
    def max_upload_bytes(self) -> int:
        return int(self.settings.ui_max_upload_mb * 1024 * 1024)

    @property
    def max_upload_text(self) -> str:
        """The size limit as users read it ("50 Mo")."""
        return f"{self.settings.ui_max_upload_mb:g} Mo".replace(".", ",")

    @property
    def writing(self) -> bool:
        """True while a document is being added or removed."""
        return self.lock.writing_now

    # -- listing -----------------------------------------------------------------------------

    def documents(self) -> list[LibraryDocument]:
        """Indexed documents, sorted by title."""
        records = self.index.documents()
        docs = [_listed(r, self._is_upload(Path(r.path))) for r in records]
        return sorted(docs, key=lambda d: (d.title.casefold(), d.source))

    def passages(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """The text of cited passages, by chunk id, to show a citation in its context; a sentence that speaks
        to a model is shown as "[…]", never quoted."""
        chunks = self.index.get_chunks(list(dict.fromkeys(chunk_ids)))
        return {i: without_instructions(c.text) for i, c in chunks.items()}

    def resolve(self, source: str) -> Path | None:
        """The file of an indexed document named `source`; None for any other name (never a path from the user)."""
        if not is_plain_name(source):
            return None
        record = self._record(source)
        if record is None or not record.path:
            return None
        path = Path(record.path)
        # the manifest names the file that was parsed; it must still be a regular file with that name (a name
        # that was not UTF-8 is stored printable, so it names no file and is not served)
        if cited_name(path.name) != source or path.is_symlink():
            return None
        if not path.is_file():
            # another machine ingested it (Chroma server): the copy of the file it sent there
            copy = self.index.original(record)
            return copy.resolve() if copy is not None and copy.name == source else None
        return path.resolve()

    def ocr_pages(self, source: str) -> frozenset[int]:
        """The pages of an indexed document whose text was read by OCR (its scans); empty for any other name."""
        record = self._record(source) if is_plain_name(source) else None
        return self.index.ocr_pages(record.doc_id) if record is not None else frozenset()

    def _record(self, source: str) -> DocumentRecord | None:
        return next((r for r in self.index.documents() if r.source == source), None)

    def _is_upload(self, path: Path) -> bool:
        try:
            return path.resolve().parent == self.uploads_dir.resolve()
        except OSError:
            return False

    # -- changing ----------------------------------------------------------------------------

    def add(self, path: Path, name: str | None = None, on_step: OnStep | None = None) -> UploadResult:
        """Store an uploaded file under the data directory with a safe name and index it.

        A bad file is refused with the same French reason as `ars-assistant ingest`; a file with
        the name of an indexed document replaces it, as on the command line. `on_step` hears of each stage of
        its ingest (reading, OCR pages, encoding, writing).
        """
        given = name or path.name
        source = safe_filename(given)
        size = path.stat().st_size
        if size > self.max_upload_bytes:
            return UploadResult(
                given,
                source,
                False,
                f"fichier trop volumineux ({human_size(size)}) ; taille maximale : {self.max_upload_text} "
                "(réglage ARS_UI_MAX_UPLOAD_MB). Découpez le document ou demandez à l'administrateur "
                "de relever la limite.",
            )
        if Path(source).suffix.lower() not in SUPPORTED:
            return UploadResult(given, source, False, unsupported_reason(Path(source)))
        same = self._same_content(path)
        if same is not None:
            return UploadResult(given, same.source, True, f"déjà dans l'index (contenu identique à « {same.source} »)")
        with self.lock.writing():
            return self._store_and_index(path, given, source, on_step)

    def _same_content(self, path: Path) -> DocumentRecord | None:
        doc_id = content_id(path.read_bytes())
        return next((r for r in self.index.documents() if r.doc_id == doc_id), None)

    def _store_and_index(self, upload: Path, given: str, source: str, on_step: OnStep | None = None) -> UploadResult:
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        dest = self.uploads_dir / source
        incoming = self.uploads_dir / f".incoming-{uuid.uuid4().hex}"
        backup = self.uploads_dir / f".previous-{uuid.uuid4().hex}"
        shutil.copyfile(upload, incoming)
        had_file = dest.exists()
        if had_file:
            dest.replace(backup)  # kept until the new version is indexed
        incoming.replace(dest)
        replaced = any(r.source == source for r in self.index.documents())
        try:
            report = run_ingest(self.settings, [dest], index=self.index, on_step=on_step)
        except BaseException:
            _restore(dest, backup, had_file)
            raise
        if report.skipped:
            _restore(dest, backup, had_file)
            return UploadResult(given, source, False, report.skipped[0].reason)
        backup.unlink(missing_ok=True)
        if not report.ingested:  # a concurrent upload of the same bytes won the race
            return UploadResult(given, source, True, "déjà dans l'index")
        parts = [f"{counted(report.pages, 'page', 'pages')}, {counted(report.chunks, 'passage', 'passages')}"]
        if replaced:
            parts.append("remplace la version précédente")
        parts.extend(w.split(" : ", 1)[-1] for w in report.warnings)
        log.info("uploaded %s as %s: %s", given, dest, parts)
        return UploadResult(given, source, True, "ajouté : " + " ; ".join(parts))

    def reload(self) -> bool:
        """Re-read the index from disk, to see documents ingested meanwhile by `ars-assistant ingest`.

        False when another process is writing right now.
        """
        with self.lock.writing():
            try:
                self.index.reload_from_disk()
            except UserError:
                return False
        return True

    def remove(self, source: str) -> list[LibraryDocument]:
        """Remove a document from the index; its file is deleted only if the UI stored it."""
        if not is_plain_name(source):
            return []
        with self.lock.writing():
            gone = self.index.remove(source)
            removed = []
            for record in gone:
                path = Path(record.path)
                uploaded = self._is_upload(path)
                if uploaded and path.is_file() and not path.is_symlink():
                    path.unlink()
                removed.append(_listed(record, uploaded))
        return removed


def _listed(record: DocumentRecord, uploaded: bool) -> LibraryDocument:
    return LibraryDocument(record.source, record.title, record.pages, record.chunks, record.ingested_at, uploaded)


def _put_back(backup: Path, records: list[DocumentRecord]) -> bool:
    """Put the previous version of a document back where the index expects it, if the process that was
    replacing it died between the two; True if it was put back."""
    doc_id = content_id(backup.read_bytes())
    for record in records:
        target = Path(record.path)
        if record.doc_id == doc_id and (not target.is_file() or content_id(target.read_bytes()) != doc_id):
            backup.replace(target)
            log.info("put back %s, the indexed version of %s", backup.name, target.name)
            return True
    return False


def _restore(dest: Path, backup: Path, had_file: bool) -> None:
    if had_file:
        backup.replace(dest)
    else:
        dest.unlink(missing_ok=True)


def human_size(size: int) -> str:
    """A file size in French units: "820 Ko", "1,5 Mo"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")

"""Issue 25: a document indexed before fiches existed gets its fiche from its file, read and described in the
ingest's reading child under ARS_PARSE_TIMEOUT, ARS_PARSE_MEMORY_MB and ARS_PARSE_MAX_CHARS; a file that
cannot be described within them is logged and left without a fiche, and the other documents keep theirs."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from index.models import DocumentRecord
from ingest.prepare import Limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import hostile_files  # noqa: E402  (the builders of tests/ingest/)

NOTE = ("Conseil territorial de santé\n\nLe conseil territorial de santé (CTS) de l'Orne se réunit le 13 mars 2025. "
        "Le plan crack dispose de 220 000 euros sur 3 ans pour Drog’Aide 61.\n")


class OldIndex:
    """The two reads the catalog makes of an Index, as an index written before fiches existed answers them: its
    documents, and no stored fiche. Only an index written by an older version gives that, so it stands in here."""

    version = None

    def __init__(self, files: list[Path]) -> None:
        self.records = [DocumentRecord(f"doc-{f.stem}", f.name, f.stem, path=str(f)) for f in files]

    def documents(self) -> list[DocumentRecord]:
        return self.records

    def fiche(self, doc_id: str) -> None:
        return None


def test_a_document_without_a_stored_fiche_is_described_from_its_file(tmp_path: Path):
    note = tmp_path / "cts-orne.txt"
    note.write_text(NOTE, encoding="utf-8")
    catalog = Catalog(OldIndex([note]), limits=Limits(60, 2048, 10_000_000))  # type: ignore[arg-type]
    fiche = catalog.fiche("cts-orne.txt")
    assert fiche is not None and fiche.pages == 1
    assert any("220 000 euros" in figure.sentence for figure in fiche.key_figures), fiche
    assert any(entry.term == "CTS" and entry.source == "cts-orne.txt" for entry in catalog.glossary("CTS"))


@pytest.mark.parametrize(
    ("name", "content", "limits", "reason"),
    [
        ("page-lente.html", hostile_files.slow_html(60_000), Limits(1, 0, 0), "lecture interrompue après 1 s"),
        ("long.txt", (NOTE * 20_000).encode(), Limits(60, 50, 0),
         "fichier trop gros à lire en mémoire (plus de 50 Mo)"),
        ("long-texte.txt", NOTE.encode(), Limits(60, 0, 100), "texte trop long"),
    ],
    ids=["ARS_PARSE_TIMEOUT", "ARS_PARSE_MEMORY_MB", "ARS_PARSE_MAX_CHARS"],
)
def test_a_file_that_cannot_be_described_within_the_limits_is_logged_and_the_others_keep_their_fiche(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest, name: str, content: bytes,
    limits: Limits, reason: str,
):
    hostile = tmp_path / name
    hostile.write_bytes(content)
    note = tmp_path / "note.txt"
    note.write_text("Note\n\nLe centre de santé de Vire ouvre le 2 septembre 2024.\n", encoding="utf-8")
    catalog = Catalog(OldIndex([hostile, note]), limits=limits)  # type: ignore[arg-type]
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="assistant.catalog"):
        sources = [f.source for f in catalog.fiches()]
    took = time.monotonic() - start
    assert sources == ["note.txt"]
    refusals = [r.getMessage() for r in caplog.records if r.name == "assistant.catalog"]
    assert len(refusals) == 1 and refusals[0].startswith(f"no fiche for {hostile}: "), refusals
    assert reason in refusals[0] and request.node.callspec.id in refusals[0]
    assert took < limits.timeout + 10, f"{took:.1f}s"

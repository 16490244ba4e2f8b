"""The summary `ars-assistant ingest` prints: counts in French, with real plurals."""

from __future__ import annotations

from index.ingesting import IngestReport


def test_the_ingest_summary_says_real_plurals():
    said = str(IngestReport(files=3, ingested=1, unchanged=2, pages=1, chunks=12, ocr_pages=2, reused=1,
                            skipped=[]))
    assert "3 fichiers trouvés, 1 ingéré, 2 déjà à jour, 0 ignoré." in said
    assert "Ajouté à l'index : 1 page, 12 passages." in said
    assert "2 pages numérisées lues" in said and "1 passage au texte déjà indexé, non recalculé." in said
    assert "(s)" not in said


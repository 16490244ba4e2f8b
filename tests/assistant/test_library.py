"""The UI's document library: safe stored names, uploads indexed or refused in French, removal, cited files."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import ModuleType

import pytest

from assistant.factory import open_index
from assistant.library import Library, is_plain_name, safe_filename
from assistant.settings import Settings
from index.ingesting import Step
from index.lock import ReadWriteLock

FACT = "La campagne de dépistage du saturnisme dans le Bocage ornais dispose de 12 345 euros en 2026."


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\marie\\Bureau\\note.pdf", "note.pdf"),
        ("dossier/sous-dossier/rapport.pdf", "rapport.pdf"),
        ("rapport\x00\x1f\x7f.pdf", "rapport.pdf"),
        ("\u202efdp.exe", "fdp.exe"),  # right-to-left override: shows as "exe.pdf" otherwise
        (".cache.pdf", "cache.pdf"),
        ("bilan..final...pdf", "bilan.final.pdf"),
        ("..", "document"),
        ("", "document"),
        ('plan<crack>:"orne"|?*.pdf', "plan_crack___orne____.pdf"),
        ("Note été 2025 – ARS.pdf", "Note été 2025 – ARS.pdf"),
    ],
)
def test_safe_filename_keeps_only_a_plain_name(given: str, stored: str):
    assert safe_filename(given) == stored
    assert is_plain_name(safe_filename(given))


def test_safe_filename_shortens_long_names_and_keeps_the_extension():
    name = safe_filename("r" * 500 + ".docx")
    assert len(name) <= 120 and name.endswith(".docx")


@pytest.mark.parametrize("source", ["", ".", "..", "../a.pdf", "a/b.pdf", "a\\b.pdf", "/etc/passwd", "a\x00.pdf"])
def test_paths_are_not_plain_names(source: str):
    assert not is_plain_name(source)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ars-library"), ui_max_upload_mb=0.05)
    return Library(settings, open_index(settings))


def _file(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_an_upload_is_stored_with_a_safe_name_indexed_and_searchable(library: Library, tmp_path: Path):
    upload = _file(tmp_path, "tmpab12", f"# Saturnisme dans l'Orne\n\n{FACT}\n")
    result = library.add(upload, "../../notes/saturnisme.md")
    assert result.ok, result.message
    assert result.source == "saturnisme.md" and result.message.startswith("ajouté : 1 page, 1 passage")
    stored = library.uploads_dir / "saturnisme.md"
    assert stored.read_text(encoding="utf-8").endswith(FACT + "\n")
    listed = {d.source: d for d in library.documents()}
    assert listed["saturnisme.md"].uploaded and listed["saturnisme.md"].title == "Saturnisme dans l'Orne"
    assert library.resolve("saturnisme.md") == stored.resolve()
    hit = library.index.search("saturnisme bocage ornais", 1)[0]
    assert library.passages([hit.chunk.id])[hit.chunk.id].endswith(FACT)
    assert not list(library.uploads_dir.glob(".*")), "no staging file left behind"


@pytest.mark.slow
def test_an_upload_tells_each_stage_in_turn_ocr_pages_included(formats: ModuleType, tmp_path: Path):
    """What the Documents tab shows while it waits: reading, each scanned page read by OCR, encoding, writing."""
    settings = Settings(data_dir=tmp_path / "data")
    library = Library(settings, open_index(settings))
    scan = tmp_path / "annexe"
    scan.write_bytes(formats.scan_pdf([formats.SCAN_PAGES[1]], "Annexe numérisée"))
    steps: list[Step] = []
    result = library.add(scan, "annexe-scan.pdf", steps.append)
    assert result.ok, result.message
    assert [s.stage for s in steps] == ["read", "ocr", "encode", "write"]
    assert {s.source for s in steps} == {"annexe-scan.pdf"}
    assert (steps[1].done, steps[1].total) == (0, 1) and steps[2].total >= 1


def test_the_same_bytes_under_another_name_are_not_indexed_twice(library: Library, tmp_path: Path):
    first = library.add(_file(tmp_path, "a.txt", "Note unique : 777 lits à Flers."), "a.txt")
    again = library.add(_file(tmp_path, "b.txt", "Note unique : 777 lits à Flers."), "b.txt")
    assert first.ok and again.ok
    assert again.source == "a.txt" and "déjà dans l'index" in again.message
    assert "b.txt" not in {d.source for d in library.documents()}


def test_bad_or_too_big_files_are_refused_with_a_french_reason_and_not_kept(library: Library, tmp_path: Path):
    fake = library.add(_file(tmp_path, "x", b"\x00\x01 not a pdf at all" * 50), "faux.pdf")
    exe = library.add(_file(tmp_path, "y", b"MZ\x90\x00"), "outil.exe")
    empty = library.add(_file(tmp_path, "z", b""), "vide.txt")
    assert not fake.ok
    assert fake.message == "ce n'est pas un PDF (en-tête %PDF absent) ; vérifiez le fichier ou son extension"
    assert not exe.ok and exe.message.startswith("format non pris en charge (.exe) ; formats acceptés : .pdf")
    assert not empty.ok and empty.message == "fichier vide (0 octet)"
    big = library.add(_file(tmp_path, "gros.txt", "mot " * 20_000), "gros.txt")
    assert not big.ok and big.message.startswith("fichier trop volumineux (78 Ko) ; taille maximale : 0,05 Mo")
    assert library.resolve("gros.txt") is None
    kept = {p.name for p in library.uploads_dir.iterdir()} if library.uploads_dir.exists() else set()
    assert not kept & {"faux.pdf", "outil.exe", "vide.txt", "gros.txt"}


def test_a_new_version_replaces_the_old_and_a_bad_one_keeps_it(library: Library, tmp_path: Path):
    assert library.add(_file(tmp_path, "v1", "Version 1 : 10 places d'hébergement."), "places.txt").ok
    second = library.add(_file(tmp_path, "v2", "Version 2 : 20 places d'hébergement."), "places.txt")
    assert second.ok and "remplace la version précédente" in second.message
    assert [d.source for d in library.documents()].count("places.txt") == 1
    broken = library.add(_file(tmp_path, "v3", b""), "places.txt")
    assert not broken.ok
    assert (library.uploads_dir / "places.txt").read_text(encoding="utf-8").startswith("Version 2")
    assert library.resolve("places.txt") is not None


def test_removing_deletes_uploaded_files_but_never_the_original_corpus(library: Library, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    original = _file(corpus, "circulaire.txt", "Circulaire : 42 médecins en 2026.")
    from assistant.factory import run_ingest

    assert run_ingest(library.settings, [original], index=library.index).ingested == 1
    assert library.add(_file(tmp_path, "t", "Temporaire : 5 infirmiers."), "temporaire.txt").ok
    assert [d.uploaded for d in library.remove("temporaire.txt")] == [True]
    assert not (library.uploads_dir / "temporaire.txt").exists()
    assert [d.uploaded for d in library.remove("circulaire.txt")] == [False]
    assert original.exists()
    assert library.remove("circulaire.txt") == [] and library.remove("../circulaire.txt") == []


def test_only_indexed_documents_resolve_to_a_file(library: Library, tmp_path: Path):
    library.uploads_dir.mkdir(parents=True, exist_ok=True)
    (library.uploads_dir / "pas-indexe.pdf").write_bytes(b"%PDF-1.4")
    assert library.add(_file(tmp_path, "ok", "Indexé : 3 dentistes."), "indexe.txt").ok
    assert library.resolve("indexe.txt") is not None
    for source in ["pas-indexe.pdf", "../indexe.txt", "uploads/indexe.txt", "/etc/passwd", "manifest.json", ""]:
        assert library.resolve(source) is None, source


def test_a_writer_waits_for_readers_and_blocks_new_ones():
    lock, events = ReadWriteLock(), []

    def write() -> None:
        with lock.writing():
            events.append("write")

    with lock.reading():
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.1)
        events.append("read done")
    writer.join(5)
    assert events == ["read done", "write"]


def test_reload_shows_documents_ingested_meanwhile_by_another_process(library: Library, tmp_path: Path):
    from assistant.factory import run_ingest

    before = {d.source for d in library.documents()}
    assert run_ingest(library.settings, [_file(tmp_path, "cli.txt", "Ingéré en ligne de commande : 9 sages-femmes.")])
    assert {d.source for d in library.documents()} == before, "another Index instance wrote: not seen yet"
    assert library.reload()
    assert {d.source for d in library.documents()} == before | {"cli.txt"}
    assert library.index.search("sages-femmes ligne de commande", 1)[0].chunk.source == "cli.txt"


def test_the_library_is_busy_while_a_document_is_being_written():
    lock = ReadWriteLock()
    assert not lock.writing_now
    with lock.writing():
        assert lock.writing_now
    assert not lock.writing_now


def test_questions_are_answered_while_a_document_is_being_added(library: Library, tmp_path: Path, monkeypatch):
    assert library.add(_file(tmp_path, "avant", "Avant : le centre de Domfront compte 14 kinésithérapeutes."),
                       "avant.txt").ok
    store = library.index.state.chroma
    entered, release = threading.Event(), threading.Event()
    original = store.add

    def slow_add(chunks, on_encoded=None):  # the upload stops in the middle of writing the index
        entered.set()
        release.wait(60)
        return original(chunks, on_encoded)

    monkeypatch.setattr(store, "add", slow_add)
    upload = _file(tmp_path, "pendant", "Pendant : la maison de santé de Bellême ouvre 6 cabinets.")
    adding = threading.Thread(target=library.add, args=(upload, "pendant.txt"))
    adding.start()
    try:
        assert entered.wait(60)
        assert library.writing
        hit = library.index.search("kinésithérapeutes Domfront", 1)[0]  # does not wait for the write
        assert hit.chunk.source == "avant.txt"
        assert "pendant.txt" not in {d.source for d in library.documents()}  # not half there
    finally:
        release.set()
        adding.join(60)
    assert library.index.search("maison de santé Bellême cabinets", 1)[0].chunk.source == "pendant.txt"
    assert not library.writing


def test_upload_files_left_by_a_killed_process_are_cleaned_at_start_up(tmp_path: Path):
    """`kill -9` during an upload leaves its staging copy, or a stored file never indexed, or the previous
    version of a replaced document kept aside: the next start-up deletes what no document refers to (only
    when older than an hour: a younger one may be an upload in progress in another replica) and puts the
    kept-aside version back where the index expects it."""
    import os

    settings = Settings(data_dir=tmp_path / "ars")
    library = Library(settings, open_index(settings))
    assert library.add(_file(tmp_path, "u1", "Version 1 : 10 places d'hébergement."), "places.txt").ok
    assert library.add(_file(tmp_path, "u2", "Note : 3 équipes mobiles à Flers."), "equipes.txt").ok
    uploads = library.uploads_dir
    # killed while replacing places.txt: version 1 kept aside, version 2 stored but never indexed
    (uploads / "places.txt").replace(uploads / ".previous-0a1b")
    (uploads / "places.txt").write_text("Version 2 : 20 places d'hébergement.", encoding="utf-8")
    (uploads / ".incoming-9f8e").write_text("copie en cours", encoding="utf-8")
    (uploads / "jamais-indexe.pdf").write_bytes(b"%PDF-1.7 tronque")
    (uploads / "en-cours.txt").write_text("envoi en cours dans une autre réplique", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    for name in (".previous-0a1b", ".incoming-9f8e", "jamais-indexe.pdf", "places.txt", "equipes.txt"):
        os.utime(uploads / name, (hours_ago, hours_ago))

    reopened = Library(settings, open_index(settings))
    left = sorted(p.name for p in uploads.iterdir())
    assert left == ["en-cours.txt", "equipes.txt", "places.txt"], left
    assert (uploads / "places.txt").read_text(encoding="utf-8").startswith("Version 1"), "the indexed version"
    assert reopened.resolve("equipes.txt") == (uploads / "equipes.txt").resolve()

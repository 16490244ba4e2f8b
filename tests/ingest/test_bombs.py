"""Files that expand: zip bombs (.odt, .docx), archives whose sizes lie, a PDF flate bomb, a reader that eats
memory, and web pages that do not say their encoding (issue 25). Each is read within its limits or refused
with a French reason naming the limit, in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import hostile_files
import pytest

from ingest.archive import MAX_ENTRIES, MAX_RATIO
from ingest.html import read_html
from ingest.pipeline import Skipped, try_parse
from ingest.worker import parse_limited


def _timed(path: Path, **limits: float) -> tuple[object, float]:
    start = time.monotonic()
    result = parse_limited(path, **limits) if limits else try_parse(path)  # type: ignore[arg-type]
    return result, time.monotonic() - start


def test_an_odt_expanding_to_20_mb_of_text_is_refused_in_french_at_once(tmp_path: Path):
    bomb = tmp_path / "compte-rendu.odt"
    bomb.write_bytes(hostile_files.odt_text_bomb(20))
    assert bomb.stat().st_size < 100_000  # ~20 KB on disk
    result, elapsed = _timed(bomb)
    assert isinstance(result, Skipped), "the bomb was read whole"
    assert result.reason.startswith("document OpenDocument refusé"), result.reason
    assert f"plus de {MAX_RATIO} fois" in result.reason
    assert elapsed < 2, f"{elapsed:.1f}s"


def test_an_odt_whose_declared_sizes_lie_is_not_read_past_them(tmp_path: Path):
    liar = tmp_path / "menteur.odt"
    liar.write_bytes(hostile_files.lying_odt(declared=2000))  # ~2 MB of text declared as 2 KB
    result, elapsed = _timed(liar)
    assert isinstance(result, Skipped)
    assert "illisible ou endommagé" in result.reason  # stopped at the declared size: its checksum fails
    assert elapsed < 2


def test_an_odt_declaring_more_than_the_limit_is_refused_before_decompressing(tmp_path: Path):
    huge = tmp_path / "enorme.odt"
    huge.write_bytes(hostile_files.lying_odt(declared=600 * 1024 * 1024))
    result, _ = _timed(huge)
    assert isinstance(result, Skipped)
    assert "600 Mo une fois décompressé" in result.reason or "content.xml fait 600 Mo" in result.reason, result.reason


def test_an_odt_of_too_many_entries_is_refused(tmp_path: Path):
    crowded = tmp_path / "foule.odt"
    crowded.write_bytes(hostile_files.many_entries_odt(MAX_ENTRIES + 10))
    result, _ = _timed(crowded)
    assert isinstance(result, Skipped)
    assert f"maximum {MAX_ENTRIES}" in result.reason


def test_a_docx_bomb_is_refused_in_french_at_once(tmp_path: Path):
    bomb = hostile_files.docx_bomb(tmp_path / "rapport.docx", megabytes=40)
    assert bomb.stat().st_size < 1_000_000
    result, elapsed = _timed(bomb)
    assert isinstance(result, Skipped), "the bomb was read whole"
    assert result.reason.startswith("document Word refusé"), result.reason
    assert elapsed < 3, f"{elapsed:.1f}s"


def test_ordinary_odt_and_docx_are_still_read(tmp_path: Path):
    odt = tmp_path / "note.odt"
    odt.write_bytes(hostile_files.good_odt())
    docx = hostile_files.docx_bomb(tmp_path / "note.docx", megabytes=0)  # the same builder, no padding
    for path in (odt, docx):
        result = try_parse(path)
        assert not isinstance(result, Skipped), result
        assert any("220 000 euros" in b.text for b in result.blocks)


@pytest.mark.slow
def test_a_pdf_flate_bomb_is_bounded_and_the_rest_of_the_pdf_read(tmp_path: Path):
    """pypdf stops a FlateDecode stream at 75 MB (pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH): the bombed page is
    read as empty, the other page is indexed, within the time and memory limits."""
    bomb = tmp_path / "bombe.pdf"
    bomb.write_bytes(hostile_files.flate_bomb_pdf(200))
    result, elapsed = _timed(bomb, timeout=60, memory_mb=1024)
    assert not isinstance(result, Skipped), result
    assert any("220 000 euros" in b.text for b in result.blocks)
    assert any("pages sans texte : 2" in w for w in result.warnings), result.warnings
    assert elapsed < 30, f"{elapsed:.1f}s"


def test_a_reader_that_eats_memory_is_stopped_at_the_limit_with_a_french_reason(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("Note.\n")
    start = time.monotonic()
    result = parse_limited(path, timeout=60, memory_mb=300, reader=hostile_files.hungry_reader)
    assert isinstance(result, Skipped), result
    assert result.reason.startswith("fichier trop gros à lire en mémoire (plus de 300 Mo)"), result.reason
    assert "ARS_PARSE_MEMORY_MB" in result.reason
    assert time.monotonic() - start < 30


def test_without_a_memory_limit_the_same_reader_would_go_on(tmp_path: Path):
    """The control: the reader is only stopped by the limit (here the timeout, before it eats the machine)."""
    path = tmp_path / "note.txt"
    path.write_text("Note.\n")
    result = parse_limited(path, timeout=1, reader=hostile_files.hungry_reader)
    assert isinstance(result, Skipped) and result.reason.startswith("lecture interrompue"), result


@pytest.mark.parametrize(
    ("encoding", "head"),
    [("cp1252", ""), ("utf-8", ""), ("iso-8859-1", '<meta charset="iso-8859-1">'), ("utf-8", "\ufeff")],
)
def test_web_pages_are_decoded_from_their_bytes_when_they_do_not_say(tmp_path: Path, encoding: str, head: str):
    body = "La feuille de route pilotée par l’ARS Normandie prévoit 220 000 euros pour les équipes mobiles."
    page = hostile_files.html_page(body)
    if encoding == "iso-8859-1":
        page = page.replace("’", "'")
    path = tmp_path / "page.html"
    path.write_bytes((head + page).encode(encoding) if not head.startswith("<") else
                     page.replace("<head>", "<head>" + head).encode(encoding))
    text = " ".join(b.text for b in read_html(path).blocks)
    assert "pilotée" in text and "prévoit" in text, text
    assert "Ã" not in text

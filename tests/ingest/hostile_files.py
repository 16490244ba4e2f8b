"""Hostile non-PDF files for the ingest tests (long words, zip bombs, lying archives, undeclared encodings),
and readers importable by name for ingest.worker's children (a reader that eats memory)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import hostile_pdfs

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ODT_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
ODT_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text>'
    b"<text:h text:outline-level=\"1\">Plan crack</text:h>"
)
ODT_TAIL = b"</office:text></office:body></office:document-content>"
SENTENCE = "Le plan crack dispose de 220 000 euros sur 3 ans pour Drog’Aide 61. "


def long_word_text(size: int = 200_000) -> bytes:
    """A .txt of one word of `size` letters, no space: quadratic for a regex like \\S+@\\S+ (issue 25)."""
    word = "anticonstitutionnellement"
    return ("Note : " + (word * (size // len(word) + 1))[:size] + "\n").encode()


def odt_bytes(content: bytes, level: int = 9) -> bytes:
    """A real OpenDocument text (mimetype stored first, manifest, content.xml deflated at `level`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODT_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


def odt_text_bomb(megabytes: int = 20) -> bytes:
    """An .odt of ~20 KB whose content.xml expands to `megabytes` MB of paragraphs of text."""
    paragraph = f"<text:p>{SENTENCE * 40}</text:p>".encode()
    return odt_bytes(ODT_HEAD + paragraph * (megabytes * 1024 * 1024 // len(paragraph)) + ODT_TAIL)


def good_odt() -> bytes:
    return odt_bytes(ODT_HEAD + f"<text:p>{SENTENCE}</text:p>".encode() + ODT_TAIL)


def lying_odt(declared: int = 2000) -> bytes:
    """An .odt whose content.xml (~2 MB of text) declares `declared` bytes in its headers: a reader that
    trusted the declaration would allocate little and then read it all."""
    data = bytearray(odt_bytes(ODT_HEAD + f"<text:p>{SENTENCE * 30_000}</text:p>".encode() + ODT_TAIL))
    name = b"content.xml"
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        if data[local + 30 : local + 30 + len(name)] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        if data[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def many_entries_odt(entries: int = 20_000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODT_HEAD + ODT_TAIL)
        for number in range(entries):
            archive.writestr(f"Pictures/{number}.png", b"")
    return out.getvalue()


def docx_bomb(path: Path, megabytes: int = 300) -> Path:
    """A real .docx (python-docx) whose word/document.xml is padded to `megabytes` MB of repeated paragraphs."""
    import docx

    document = docx.Document()
    document.add_heading("Plan crack", 1)
    document.add_paragraph(SENTENCE)
    plain = path.with_suffix(".plain.docx")
    document.save(str(plain))
    paragraph = f"<w:p><w:r><w:t>{SENTENCE}</w:t></w:r></w:p>".encode()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                info = zipfile.ZipInfo(item.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(info, "w", force_zip64=True) as part:
                    _write_padded(part, data, paragraph, megabytes)
                continue
            target.writestr(item, data)
    plain.unlink()
    return path


def _write_padded(part: Any, xml: bytes, paragraph: bytes, megabytes: int) -> None:
    cut = xml.index(b"<w:sectPr")
    part.write(xml[:cut])
    block = paragraph * (1024 * 1024 // len(paragraph))
    for _ in range(megabytes):
        part.write(block)
    part.write(xml[cut:])


def flate_bomb_pdf(megabytes: int = 200) -> bytes:
    """A PDF whose second page's content stream inflates to `megabytes` MB of spaces (~200 KB compressed);
    its first page has text."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    packed = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    bomb = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %s >>"
    resources = b"<< /Font << /F1 4 0 R >> >>"
    return hostile_pdfs.raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        page % (resources, b"5 0 R"),
        hostile_pdfs.FONT,
        hostile_pdfs.stream(hostile_pdfs.TEXT),
        page % (resources, b"7 0 R"),
        bomb,
    ])


def html_page(body: str) -> str:
    """A saved web page without any charset declaration."""
    return (
        "<html><head><title>Feuille de route pilotée par l’ARS</title></head><body><main><article>"
        f"<h1>Feuille de route pilotée par l’ARS</h1><p>{body}</p></article></main></body></html>"
    )


def slow_html(elements: int = 60_000) -> bytes:
    """A saved web page of one heading and one sentence among `elements` empty elements: its text is tiny, but
    the web page reader takes seconds on it (~0.13 ms an element, 60,000 take ~8 s), for the time limit."""
    return (
        '<html><head><meta charset="utf-8"><title>Plan crack</title></head><body><article><h1>Plan crack</h1>'
        f"<p>{SENTENCE}</p>" + "<div><span></span></div>" * elements + "</article></body></html>"
    ).encode()


def hungry_reader(path: Path, ocr: Any, progress: Any) -> Any:
    """A reader that keeps allocating 50 MB blocks, as a file expanding in memory would: for the memory limit."""
    held = []
    while True:
        held.append(bytearray(50 * 1024 * 1024))

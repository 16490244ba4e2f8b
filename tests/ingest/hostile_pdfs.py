"""Real hostile PDFs, written byte by byte: slow to read, deeply nested, huge; and a reader that crashes.

Each builder returns the bytes of a well-formed PDF (objects, xref table, trailer) that a viewer opens;
what makes it hostile is its structure, not a broken syntax.
"""

from __future__ import annotations

import os
import signal
import zlib
from pathlib import Path
from typing import Any

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 72 720 Td (Plan crack : 220 000 euros sur 3 ans pour Drog'Aide 61.) Tj ET"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %s >>"


def raw_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF from object bodies numbered from 1 (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A Flate-compressed stream object body."""
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


def _one_page(resources: bytes, content: bytes, *more: bytes, trailer: bytes = b"") -> bytes:
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE % (resources, b"5 0 R"),
        FONT,
        stream(content),
        *more,
    ], trailer)


def slow_pdf(pages: int = 40, operators: int = 100_000) -> bytes:
    """Pages that all draw one content stream of `operators` tiny text operators: a few kilobytes that
    keep pypdf busy for seconds per page, minutes per file (below its own per-stream token limit)."""
    content = TEXT[:-2] + b" (a) Tj 0 0 Td" * operators + b" ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        FONT,
        stream(content),
    ]
    objects += [PAGE % (b"<< /Font << /F1 3 0 R >> >>", b"4 0 R")] * pages
    return raw_pdf(objects)


def nested_arrays_pdf(depth: int = 100_000) -> bytes:
    """A catalog entry holding an array nested `depth` deep."""
    deep = b"[" * depth + b"]" * depth
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Profond " + deep + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE % (b"<< /Font << /F1 4 0 R >> >>", b"5 0 R"),
        FONT,
        stream(TEXT),
    ])


def deep_page_tree_pdf(depth: int = 3000) -> bytes:
    """One page under `depth` nested /Pages nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 %s>>" % (number + 1, parent))
    page = 2 + depth
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
        b"/Contents %d 0 R >>" % (page - 1, page + 1, page + 2)
    )
    objects += [FONT, stream(TEXT)]
    return raw_pdf(objects)


def nested_forms_pdf(depth: int = 3000) -> bytes:
    """A page drawing a form XObject that draws another, `depth` deep."""
    forms = []
    for level in range(depth):
        inner = b" /XObject << /X %d 0 R >>" % (7 + level) if level < depth - 1 else b""
        forms.append(stream(
            b"BT /F1 12 Tf 72 700 Td (niveau %d) Tj ET /X Do" % level,
            b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >>%s >>" % inner,
        ))
    return _one_page(b"<< /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >>", TEXT + b" /X Do", *forms)


def self_drawing_form_pdf() -> bytes:
    """A form XObject that draws itself: endless for a reader that does not notice the cycle."""
    form = stream(
        b"BT /F1 12 Tf 72 700 Td (Dans le formulaire.) Tj ET /X Do",
        b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> "
        b"/XObject << /X 6 0 R >> >>",
    )
    return _one_page(b"<< /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >>", TEXT + b" /X Do", form)


TOWNS = [b"Alencon", b"Argentan", b"Flers", b"Laigle", b"Mortagne", b"Domfront", b"Vire", b"Caen", b"Bayeux",
         b"Lisieux", b"Evreux", b"Vernon", b"Rouen", b"Dieppe", b"Fecamp", b"Cherbourg", b"Granville", b"Avranches",
         b"Coutances", b"Honfleur", b"Falaise", b"Carentan", b"Bernay", b"Louviers"]
TOPICS = [b"places d'hebergement", b"lits de soins", b"consultations", b"vaccinations", b"depistages",
          b"visites a domicile", b"postes d'infirmier", b"nuitees"]


def damaged_info_pdf() -> bytes:
    """A good page whose document information dictionary (title, author) is damaged: found by the fuzz run."""
    return _one_page(b"<< /Font << /F1 4 0 R >> >>", TEXT, b"\xa4<< /Title (Note) >>", trailer=b" /Info 6 0 R")


def many_pages_pdf(pages: int = 2000) -> bytes:
    """A long report: `pages` pages, each with its own short text (a town, a figure, a topic)."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        FONT,
    ]
    for i in range(pages):
        town, topic = TOWNS[i % len(TOWNS)], TOPICS[(i // len(TOWNS)) % len(TOPICS)]
        objects.append(PAGE % (b"<< /Font << /F1 3 0 R >> >>", b"%d 0 R" % (5 + 2 * i)))
        objects.append(stream(b"BT /F1 12 Tf 72 720 Td (%s : %d %s en 2024.) Tj ET" % (town, 10 + i, topic)))
    return raw_pdf(objects)


def crashing_reader(path: Path, ocr: Any, progress: Any) -> Any:
    """A reader that dies as a C library would (segmentation fault): for ingest.worker's tests."""
    os.kill(os.getpid(), signal.SIGSEGV)


def busy_reader(path: Path, ocr: Any, progress: Any) -> Any:
    """A reader that works half a second of CPU before reading: for ingest.worker's CPU accounting."""
    import time

    from ingest.pipeline import try_parse

    end = time.process_time() + 0.5
    while time.process_time() < end:
        pass
    return try_parse(path, ocr, progress)

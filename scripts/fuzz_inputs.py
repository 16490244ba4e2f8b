"""The hostile inputs of scripts/fuzz_api.py: question requests and files, drawn from a seeded random source."""

from __future__ import annotations

import io
import json
import random
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_QUESTIONS = [
    "combien pour le plan crack ?", "c'est quoi le PRS ?", "qui pilote le CLS de Flers ?",
    "quand se réunit le comité de pilotage ?", "quel budget pour la santé mentale en 2025 ?",
]
ODD = ["\ud800", "\udfff", "\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\U0001f600", "𝔸", "ﷺ", "\u0301" * 50,
       "%00", "../../etc/passwd", "<script>alert(1)</script>", "'; DROP TABLE x; --", "{{7*7}}", "${jndi:x}",
       "\\u0000", "\r\n\r\n", "\t" * 30, "﻿", "Ω" * 100, "中文问题", "سؤال", "ИГНОРИРУЙ"]
SEPARATORS = [" ", ".", ",", "-", "/", "@", ":", "'", "\n", "a.", "1 ", "- ", "a@", "€", "%", "(", "«", "http://"]


def mutate_text(text: str, draw: random.Random) -> str:
    """One hostile variant of a question."""
    kind = draw.randrange(9)
    if kind == 0:  # one long word
        return draw.choice("ab1é@.") * draw.choice([1_000, 10_000, 40_000, 100_000])
    if kind == 1:  # repeated separators
        return draw.choice(SEPARATORS) * draw.choice([500, 5_000, 50_000])
    if kind == 2:
        at = draw.randrange(len(text) + 1)
        return text[:at] + "".join(draw.choices(ODD, k=draw.randint(1, 6))) + text[at:]
    if kind == 3:
        return text + " " + str(draw.choice([10**30, -1, 2**63, 1e308, "NaN", "999 999 999 999 €"]))
    if kind == 4:
        return "".join(chr(draw.randint(1, 0x2FFFF)) for _ in range(draw.randint(1, 300)))
    if kind == 5:
        return " ".join(draw.choices(text.split() + ODD, k=draw.randint(1, 400)))
    if kind == 6:
        return ""
    if kind == 7:
        return "(" * draw.randint(1, 20000) + text
    return text


def question_requests(count: int, draw: random.Random) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(name, method+path, httpx request arguments) for `count` hostile question requests."""
    for _ in range(count):
        question = mutate_text(draw.choice(BASE_QUESTIONS), draw)
        shape = draw.randrange(12)
        if shape < 5:
            body: Any = {"question": question, "history": draw.choice([[], [question[:200]], ["x"] * 50])}
            yield "ask", "POST /api/ask", {"content": _raw_json(body)}
        elif shape == 5:
            yield "stream", "POST /api/ask/stream", {"content": _raw_json({"question": question})}
        elif shape == 6:
            k = draw.choice([1, 5, 50, 0, -3, 10**9])
            yield "search", f"GET /api/search?q={_escaped(question[:5000])}&k={k}", {}
        elif shape in (7, 8):
            messages: Any = [{"role": draw.choice(["user", "system", "assistant", "tool", "x"]), "content": question}]
            if draw.random() < 0.3:
                messages = draw.choice([[], None, "texte", [{"role": "user"}], [{"content": [{"type": "text",
                                                                                               "text": question}]}]])
            body = {"model": "ars-assistant", "messages": messages, "stream": draw.random() < 0.3}
            yield "chat", "POST /v1/chat/completions", {"content": _raw_json(body)}
        elif shape == 9:  # the wrong shape
            bad = draw.choice([b"{", b"[]", b"null", b'{"question": 3}', b'{"question": null}', b'{"question": []}',
                               b'{"question": {"a": 1}}', b"\xff\xfe\x00", b'{"question": "' + b"a" * 2_000_000 + b'"}',
                               b"[" * 100_000, b'{"question": "x", "history": "pas une liste"}'])
            yield "bad-json", "POST /api/ask", {"content": bad}
        elif shape == 10:
            yield "bad-json", "POST /v1/chat/completions", {"content": draw.choice(
                [b"{", b"{}", b'{"messages": 1}', b'{"messages": [{"role": 1, "content": 2}]}', b"\x00" * 1000])}
        else:
            path = draw.choice(["/api/documents/" + _escaped(question[:300]), "/api/documents/..%2F..%2Fetc/file",
                                "/api/documents/%00/file", "/api/documents/" + "a" * 5000 + "/file", "/v1/models"])
            yield "get", "GET " + path, {}


def _escaped(text: str) -> str:
    """`text` %-escaped for a URL as a hostile client sends it: a lone surrogate as its (invalid UTF-8) bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _raw_json(body: Any) -> bytes:
    """JSON as a hostile client sends it: lone surrogates written as \\ud800 escapes, which json.dumps allows."""
    return json.dumps(body).encode("ascii")


def hostile_files(count: int, draw: random.Random, scratch: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of `count` hostile files: mutants of real documents and built ones."""
    from fuzz_ingest import MUTATIONS, seeds

    originals = [(p.read_bytes(), p.suffix) for p in seeds(scratch, formats=True)]
    builders: list[Callable[[random.Random], tuple[str, bytes]]] = [
        _long_word, _separators, _deep_html, _zip_bomb, _many_entries, _flate_bomb_pdf, _random_bytes, _deep_docx,
    ]
    for number in range(count):
        if draw.random() < 0.5:
            data, suffix = draw.choice(originals)
            for name in draw.sample(sorted(MUTATIONS), draw.choice([1, 1, 2, 3])):
                data = MUTATIONS[name](data, draw) if data else data
            yield f"mutant-{number}{suffix}", data
        else:
            name, data = draw.choice(builders)(draw)
            yield f"{number}-{name}", data


def _long_word(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([20_000, 50_000, 200_000])
    return "mot-long.txt", (draw.choice("ab1é@.") * size).encode()


def _separators(draw: random.Random) -> tuple[str, bytes]:
    return "separateurs.md", (draw.choice(SEPARATORS) * draw.choice([10_000, 200_000])).encode()


def _deep_html(draw: random.Random) -> tuple[str, bytes]:
    depth = draw.choice([1_000, 10_000, 100_000])
    tag = draw.choice(["div", "table><tr><td", "ul><li", "b"])
    return "profond.html", (f"<html><body>{('<' + tag + '>') * depth}texte</body></html>").encode()


def _odf(entries: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _odt_content(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"<text:p>{text}</text:p></office:text></office:body></office:document-content>").encode()


def _zip_bomb(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([20_000_000, 200_000_000])
    text = draw.choice(["a", "a ", "Le plan crack. "]) * (size // 15)
    if draw.random() < 0.5:
        return "bombe.odt", _odf({"content.xml": _odt_content(text)})
    return "bombe.docx", _docx(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")


def _docx(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                         f'.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def _deep_docx(draw: random.Random) -> tuple[str, bytes]:
    depth = draw.choice([1_000, 50_000])
    return "profond.docx", _docx("<w:p>" * depth + "<w:r><w:t>texte</w:t></w:r>" + "</w:p>" * depth)


def _many_entries(draw: random.Random) -> tuple[str, bytes]:
    entries = {f"Pictures/{n}.xml": b"x" for n in range(draw.choice([5_000, 50_000]))}
    entries["content.xml"] = _odt_content("Le plan crack est doté de 220 000 euros.")
    return "entrees.odt", _odf(entries, zipfile.ZIP_STORED)


def _flate_bomb_pdf(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([50_000_000, 500_000_000])
    chunk = zlib.compressobj(9)
    stream = b"".join(chunk.compress(b"BT /F1 12 Tf (a) Tj ET\n" * 4096) for _ in range(size // 94208)) + chunk.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return "bombe.pdf", out.getvalue()


def _random_bytes(draw: random.Random) -> tuple[str, bytes]:
    suffix = draw.choice([".pdf", ".docx", ".odt", ".html", ".htm", ".txt", ".md", ".exe", "", ".PDF", ".zip"])
    name = draw.choice(["hasard", "../../évasion", "a" * 300, "nul\x00", "ligne\nnouvelle", "﻿bom", "con"])
    return name + suffix, draw.randbytes(draw.choice([0, 1, 100, 100_000]))

"""A document that is not a PDF (.txt, .md, .html, .odt, .docx) shown as text, the cited passage highlighted.

The file is read again by the ingest's readers, so the viewer shows the very text that was indexed and cited:
headings as headings, lists as lists, one section per page when the format has pages. It is read in the
ingest's reading child, under the same time, memory and length limits (ingest/prepare.py): a file that
takes too long or too much memory costs that child, never the serving process.
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SkipFile
from ingest.models import Block
from ingest.pipeline import Skipped
from ingest.prepare import Limits, read_limited
from ui.passage import find

CACHE_DOCUMENTS = 4
SEPARATOR = "\n\n"  # between blocks: a passage may run from one block into the next
Found = tuple[list[Block], int]  # a document's blocks and page count


@dataclass(frozen=True, slots=True)
class TextView:
    """The document's body as HTML, and whether the passage was found (on the page asked, or elsewhere)."""

    body: str
    pages: int
    found: bool
    page_found: int = 0


class DocumentTexts:
    """Blocks of the documents last shown, by path and modification time (re-reading an .odt takes a while)."""

    def __init__(self, limits: Limits, size: int = CACHE_DOCUMENTS) -> None:
        self.limits = limits
        self.size = size
        self._documents: OrderedDict[tuple[str, int], Found] = OrderedDict()
        self._reading: dict[tuple[str, int], Future[Found]] = {}
        self._lock = threading.Lock()

    def blocks(self, path: Path) -> Found:
        """(blocks, page count) of the file; SkipFile when it cannot be read any more, or not within the limits.

        Requests for a document being read wait for that reading (one child per document, however many reloads)."""
        key = (str(path), path.stat().st_mtime_ns)
        with self._lock:
            if key in self._documents:
                self._documents.move_to_end(key)
                return self._documents[key]
            reading = self._reading.get(key)
            if reading is None:
                reading = self._reading[key] = Future()
                mine = True
            else:
                mine = False
        if not mine:
            return reading.result()  # or its SkipFile
        try:
            found = self._read(path)
        except BaseException as exc:  # the waiting requests get it too, or they would wait forever
            with self._lock:
                del self._reading[key]  # a failure is not kept: the host may be less busy next time
            reading.set_exception(exc)
            raise
        with self._lock:
            del self._reading[key]
            self._documents[key] = found
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)
        reading.set_result(found)
        return found

    def _read(self, path: Path) -> Found:
        document = read_limited(path, self.limits)
        if isinstance(document, Skipped):
            raise SkipFile(document.reason)
        return list(document.blocks), document.page_count


def passage_span(blocks: Sequence[Block], passage: str, page: int) -> tuple[int, int] | None:
    """Span of the passage in the blocks joined by SEPARATOR: on `page` first, else anywhere in the document."""
    if not passage.strip():
        return None
    text = SEPARATOR.join(b.text for b in blocks)
    offsets = _offsets(blocks)
    on_page = [i for i, b in enumerate(blocks) if b.page == page]
    if on_page:
        start, end = offsets[on_page[0]][0], offsets[on_page[-1]][1]
        span = find(text[start:end], passage)
        if span is not None:
            return span[0] + start, span[1] + start
    return find(text, passage)


def render(blocks: Sequence[Block], page_count: int, passage: str, page: int) -> TextView:
    """The blocks as HTML (all text escaped), the passage in <mark class="surlignage"> elements."""
    span = passage_span(blocks, passage, page)
    offsets = _offsets(blocks)
    parts: list[str] = []
    current_page, in_list, page_found = 0, False, 0
    for block, (start, end) in zip(blocks, offsets, strict=True):
        if page_count > 1 and block.page != current_page:
            if in_list:
                parts.append("</ul>")
                in_list = False
            if current_page:
                parts.append("</section>")
            current_page = block.page
            number = block.page
            parts.append(f'<section class="page-texte" id="page-{number}" aria-labelledby="titre-page-{number}">'
                         f'<h2 class="numero-page" id="titre-page-{number}">Page {number}</h2>')
        item = block.kind in ("item", "row")
        if item and not in_list:
            parts.append("<ul>")
        elif not item and in_list:
            parts.append("</ul>")
        in_list = item
        inner = _marked(block.text, start, span)
        if span is not None and span[0] < end and span[1] > start and not page_found:
            page_found = block.page
        if block.kind == "heading":
            level = min(block.level + 1, 6)  # the document's title is the page's h1
            parts.append(f"<h{level}>{inner}</h{level}>")
        else:
            parts.append(f"<li>{inner}</li>" if item else f"<p>{inner}</p>")
    if in_list:
        parts.append("</ul>")
    if current_page:
        parts.append("</section>")
    return TextView("".join(parts), page_count, span is not None, page_found)


def _offsets(blocks: Sequence[Block]) -> list[tuple[int, int]]:
    offsets, at = [], 0
    for block in blocks:
        offsets.append((at, at + len(block.text)))
        at += len(block.text) + len(SEPARATOR)
    return offsets


def _marked(text: str, start: int, span: tuple[int, int] | None) -> str:
    """The block's text escaped, its part inside `span` (offsets in the joined text) in a <mark>."""
    if span is None or span[1] <= start or span[0] >= start + len(text):
        return html.escape(text, quote=False)
    left, right = max(span[0] - start, 0), min(span[1] - start, len(text))
    return (
        html.escape(text[:left], quote=False)
        + f'<mark class="surlignage">{html.escape(text[left:right], quote=False)}</mark>'
        + html.escape(text[right:], quote=False)
    )

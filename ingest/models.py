"""Small frozen records that flow from ingestion to the index."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of document structure: a heading, a paragraph or a list item."""

    kind: str  # "heading" | "paragraph" | "item" | "row" (a table row with its column headers)
    text: str
    page: int  # 1-based, as printed by a PDF viewer
    level: int = 1  # heading level (1 = largest); 0 for body blocks


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed, cleaned file: its identity, title and structure."""

    doc_id: str  # sha256 of the file bytes (hex, first 16 chars)
    source: str  # file name as cited to the user
    title: str
    path: str  # absolute path at ingest time, for opening the file later
    page_count: int
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    date: str = ""  # publication date (ISO 8601) when the file states one, e.g. a web page
    ocr_pages: tuple[int, ...] = ()  # pages whose text was recognised by OCR
    ocr_seconds: float = 0.0

    def page_text(self, page: int) -> str:
        """The cleaned text of one page, as light markdown ("# " headings, "- " items)."""
        return "\n\n".join(render_block(b) for b in self.blocks if b.page == page)


def render_block(block: Block) -> str:
    """Light-markdown form of a block, as shown to readers of a page."""
    if block.kind == "heading":
        return "#" * max(1, block.level) + " " + block.text
    if block.kind in ("item", "row"):
        return "- " + block.text
    return block.text


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document small enough to embed and to quote."""

    doc_id: str  # hash of the file bytes: same file, same ids, re-ingest is an upsert
    source: str  # file name as cited to the user
    title: str  # document title
    page: int  # 1-based first page
    page_end: int  # last page (== page unless the chunk spans two pages)
    section: str  # nearest heading, shown in citations ("" before the first heading)
    text: str
    position: int  # order of the chunk inside its document, from 0
    ocr: bool = False  # text recognised by OCR from a scan: worth checking against the page
    date: str = ""  # the document's publication date (ISO 8601), "" when unknown
    # (offset in text, page) where each later page begins: a sentence of page 2 is cited p. 2, not `page`
    page_starts: tuple[tuple[int, int], ...] = ()

    @property
    def id(self) -> str:
        """Deterministic id: same file bytes, same ids."""
        return f"{self.doc_id}:{self.page}:{self.position}"

    def metadata(self) -> dict[str, str | int | bool]:
        """Flat metadata (Chroma rejects nested values)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "page_end": self.page_end,
            "section": self.section,
            "position": self.position,
            "ocr": self.ocr,
            "date": self.date,
            PAGE_STARTS_KEY: format_page_starts(self.page_starts),
        }

    @classmethod
    def from_metadata(cls, text: str, meta: dict[str, object]) -> Chunk:
        """Rebuild a chunk from the flat metadata written by `metadata()`."""
        return cls(
            doc_id=str(meta["doc_id"]),
            source=str(meta["source"]),
            title=str(meta["title"]),
            page=int(str(meta["page"])),
            page_end=int(str(meta["page_end"])),
            section=str(meta.get("section", "")),
            text=text,
            position=int(str(meta["position"])),
            ocr=meta.get("ocr") is True,
            date=str(meta.get("date") or ""),
            page_starts=parse_page_starts(str(meta.get(PAGE_STARTS_KEY) or "")),
        )

    def page_at(self, offset: int) -> int:
        """The page of the character at `offset` of the text (`page` for an index written before pages were kept)."""
        page = self.page
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page

    def pages_of(self, excerpt: str) -> tuple[int, int]:
        """Pages on which a verbatim excerpt of the text starts and ends; (page, page_end) if it is not in the text."""
        offset = self.text.find(excerpt) if excerpt else -1
        if offset < 0 or (self.page_end > self.page and not self.page_starts):  # not found, or an older index
            return self.page, self.page_end
        return self.page_at(offset), self.page_at(offset + len(excerpt) - 1)


# Chroma metadata values are scalars: page starts are kept as "312:2,790:3" ("" for a chunk of one page).
PAGE_STARTS_KEY = "page_starts"


def format_page_starts(starts: tuple[tuple[int, int], ...]) -> str:
    """The compact metadata form of `Chunk.page_starts`."""
    return ",".join(f"{offset}:{page}" for offset, page in starts)


def parse_page_starts(value: str) -> tuple[tuple[int, int], ...]:
    """`Chunk.page_starts` from its metadata form; () for "" (one page, or an index written before)."""
    starts: list[tuple[int, int]] = []
    for pair in value.split(",") if value else ():
        offset, _, page = pair.partition(":")
        starts.append((int(offset), int(page)))
    return tuple(starts)

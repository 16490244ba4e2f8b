"""Section-aware chunking: chunks follow headings and paragraphs and keep their page and heading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.models import Block, Chunk, Document
from lang.sentences import split_sentences


@dataclass(slots=True)
class _Piece:
    text: str
    page: int
    kind: str  # "heading" | "paragraph" | "item" (table rows included: one "- " line each)
    block: int  # index of the block it comes from: sentences of one block rejoin with a space


@dataclass(slots=True)
class _Builder:
    """Accumulates pieces of one section into chunks of about `size` characters."""

    size: int
    overlap: int
    doc: Document
    chunks: list[Chunk] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    section: str = ""

    def length(self) -> int:
        return sum(len(p.text) + 1 for p in self.pieces)

    def has_body(self) -> bool:
        return any(p.kind != "heading" for p in self.pieces)

    def add(self, piece: _Piece, limit: int) -> None:
        if self.has_body() and self.length() + len(piece.text) > limit:
            self.flush(keep_tail=True)
        self.pieces.append(piece)

    def flush(self, keep_tail: bool = False, force: bool = False) -> None:
        if not self.pieces or not (force or self.has_body()):
            return
        text, offsets = _join(self.pieces)
        pages = [p.page for p in self.pieces if p.kind != "heading"] or [self.pieces[0].page]
        self.chunks.append(
            Chunk(
                doc_id=self.doc.doc_id,
                source=self.doc.source,
                title=self.doc.title,
                page=min(pages),
                page_end=max(pages),
                section=self.section,
                text=text,
                position=len(self.chunks),
                ocr=any(page in self.doc.ocr_pages for page in pages),
                date=self.doc.date,
                page_starts=_page_starts(self.pieces, offsets, min(pages)),
            )
        )
        self.pieces = self._tail() if keep_tail else []

    def _tail(self) -> list[_Piece]:
        """Last sentences of the chunk, up to `overlap` characters, to open the next chunk with context."""
        tail: list[_Piece] = []
        budget = self.overlap
        for piece in reversed(self.pieces):
            if piece.kind == "heading":
                break
            for sentence in reversed(split_sentences(piece.text)):
                if len(sentence) > budget:
                    return tail
                tail.insert(0, _Piece(sentence, piece.page, piece.kind, piece.block))
                budget -= len(sentence) + 1
        return tail


def _join(pieces: list[_Piece]) -> tuple[str, list[int]]:
    """Headings and paragraphs on their own lines; list items stay as '- ' lines. Also where each piece starts
    in the text (a list item at its "- ")."""
    parts: list[str] = []
    offsets: list[int] = []
    length = 0
    previous: _Piece | None = None
    for piece in pieces:
        joined = previous is not None and (
            (previous.block == piece.block and piece.kind != "heading") or _continues_on_next_page(previous, piece)
        )
        if previous is not None:
            parts.append(" " if joined else "\n")
            length += 1
        offsets.append(length)
        part = ("- " if piece.kind == "item" and not joined else "") + piece.text
        parts.append(part)
        length += len(part)
        previous = piece
    return "".join(parts), offsets


def _page_starts(pieces: list[_Piece], offsets: list[int], first: int) -> tuple[tuple[int, int], ...]:
    """(offset, page) where each page after `first` begins in the chunk's text; a heading above the chunk's
    first body piece counts on that piece's page, as the chunk's `page` does."""
    starts: list[tuple[int, int]] = []
    current = first
    for piece, offset in zip(pieces, offsets, strict=True):
        if piece.kind != "heading" and piece.page > current:
            starts.append((offset, piece.page))
            current = piece.page
    return tuple(starts)


def _continues_on_next_page(previous: _Piece, piece: _Piece) -> bool:
    """A paragraph cut by a page break ("(attractivité" / "métier). Des partenariats") is one paragraph."""
    return (
        previous.kind == piece.kind == "paragraph"
        and piece.page == previous.page + 1
        and not re.search(r"[.!?…:;»\"”]$", previous.text)
        and piece.text[:1].islower()
    )


def chunk_document(doc: Document, size: int = 800, overlap: int = 120) -> list[Chunk]:
    """Chunks of about `size` characters that never cross a heading nor mix two documents."""
    builder = _Builder(size=size, overlap=overlap, doc=doc)
    blocks = list(doc.blocks)
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            builder.flush()
            builder.section = block.text
            builder.pieces.append(_Piece(block.text, block.page, "heading", index))
            continue
        # A list stays with its introduction when it can: a list that would not fit in the current
        # chunk opens a new one, and inside a list a chunk may grow to 1.5x the size. The rows of a
        # table keep together the same way.
        starts_list = block.kind == "paragraph" and block.text.endswith(":") and _next_is_item(blocks, index)
        starts_table = block.kind == "row" and (index == 0 or blocks[index - 1].kind != "row")
        in_list = block.kind in ("item", "row") or starts_list
        limit = int(size * 1.5) if in_list else size
        if (starts_list or starts_table) and builder.has_body():
            group = _list_length(blocks, index)
            if builder.length() + group > limit and group <= limit:
                builder.flush(keep_tail=False)
        kind = "item" if block.kind == "row" else block.kind
        for text in _pieces_of(block.text, size):
            builder.add(_Piece(text, block.page, kind, index), limit)
    builder.flush(force=True)  # trailing headings with no body are text too
    return builder.chunks


def _next_is_item(blocks: list[Block], index: int) -> bool:
    return index + 1 < len(blocks) and blocks[index + 1].kind in ("item", "row")


def _list_length(blocks: list[Block], index: int) -> int:
    """Characters of a list introduction (or a table's first row) and the items (rows) that follow it."""
    total = len(blocks[index].text) + 1
    follower = blocks[index + 1].kind if index + 1 < len(blocks) else ""
    for block in blocks[index + 1 :]:
        if block.kind != follower or follower not in ("item", "row"):
            break
        total += len(block.text) + 3
    return total


def _pieces_of(text: str, size: int) -> list[str]:
    """A block as is if it fits, else its sentences (very long sentences cut at spaces)."""
    if len(text) <= size:
        return [text]
    pieces: list[str] = []
    for sentence in split_sentences(text):
        while len(sentence) > size:
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


"""Render the sample corpus (``data/sources/*.md``) to PDF with fpdf2.

Usage::

    python scripts/render_corpus.py [--sources data/sources] [--out data/documents]

Each light-markup source becomes ``<out>/<same-stem>.pdf``. Markup, one block per line:

* ``# `` document title, ``## `` major heading, ``### `` sub-heading, ``#### `` action title;
* ``- `` bullet item (rendered with a "•" glyph);
* a line holding only a URL is rendered as a small link;
* ``<<<page>>>`` forces a page break; any other non-blank line is a paragraph.

Documents with a title page (``DocumentMeta.title_page``) put everything before the first
``<<<page>>>`` on a page without running header and footer, and may start each ``##`` on a new
page (``page_per_section``). In documents without a title page, the paragraphs that precede the
first heading form a small right-aligned contact block. DejaVu Sans (shipped with matplotlib) is
embedded so that accents, « », ’, œ and € survive text extraction. The creation date is fixed per
document, so re-rendering gives byte-identical files for a given fpdf2 version.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import matplotlib
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO_ROOT / "data" / "sources"
DEFAULT_OUT = REPO_ROOT / "data" / "documents"

RUNNING_HEADER = "Agence régionale de santé Normandie"
AUTHOR = "ARS Normandie"
PAGE_BREAK = "<<<page>>>"
URL_RE = re.compile(r"^https?://\S+$")
# a wrapped line must not start with closing punctuation nor end with an opening guillemet
BAD_BREAK_RE = re.compile(r"^[;:!?»]|«$")

FONT = "DejaVu"
BODY_SIZE = 11.0
LINE_H = 5.0  # mm, body line height
PARA_GAP = 2.4  # mm after a paragraph
BULLET_INDENT = 7.0  # mm
KEEP_LINES = 4  # body lines that must fit below a heading
BLUE = (0, 76, 140)
GREY = (90, 90, 90)
LINK_BLUE = (20, 80, 170)

# level -> (font size in pt, line height in mm, space before, space after)
HEADING_STYLE: dict[int, tuple[float, float, float, float]] = {
    1: (22.0, 10.0, 4.0, 5.0),
    2: (16.0, 7.4, 2.0, 4.0),
    3: (12.5, 6.0, 3.0, 2.5),
    4: (11.5, 5.6, 2.5, 1.6),
}


@dataclass(frozen=True)
class DocumentMeta:
    """Per-document rendering settings and PDF metadata."""

    title: str
    footer: str
    creation_date: datetime
    title_page: bool = False
    page_per_section: bool = False


DOCUMENTS: dict[str, DocumentMeta] = {
    "feuille-de-route-orne-bilan-2025": DocumentMeta(
        title="Feuille de route départementale de l’Orne – Bilan janvier 2025",
        footer="Feuille de route départementale de l’Orne Bilan - janvier 2025",
        creation_date=datetime(2025, 1, 31, 12, 0, tzinfo=UTC),
        title_page=True,
        page_per_section=True,
    ),
    "cp-charte-attractivite-2024-10-08": DocumentMeta(
        title="Charte partenariale d’engagement en faveur de l’attractivité des métiers de la santé",
        footer="Communiqué de presse — ARS Normandie — 8 octobre 2024",
        creation_date=datetime(2024, 10, 8, 12, 0, tzinfo=UTC),
    ),
}
FALLBACK_DATE = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Block:
    """One unit of the source: kind is "heading", "para", "bullet", "url" or "page"."""

    kind: str
    text: str = ""
    level: int = 0


def parse_blocks(source: str) -> list[Block]:
    """Split a light-markup source into blocks (one block per non-blank line)."""
    blocks: list[Block] = []
    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = re.match(r"^(#{1,4}) (.+)$", line)
        if line == PAGE_BREAK:
            blocks.append(Block("page"))
        elif heading:
            blocks.append(Block("heading", heading.group(2).strip(), len(heading.group(1))))
        elif line.startswith("- "):
            blocks.append(Block("bullet", line[2:].strip()))
        elif URL_RE.match(line):
            blocks.append(Block("url", line))
        else:
            blocks.append(Block("para", line))
    return blocks


def meta_for(stem: str, blocks: Sequence[Block]) -> DocumentMeta:
    """Known metadata for a corpus document, or a default derived from its first heading."""
    if stem in DOCUMENTS:
        return DOCUMENTS[stem]
    title = next((b.text for b in blocks if b.kind == "heading"), stem)
    return DocumentMeta(title=title, footer=title, creation_date=FALLBACK_DATE)


class CorpusPDF(FPDF):
    """A4 document with the agency's running header and a titled, numbered footer."""

    def __init__(self, meta: DocumentMeta) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.meta = meta
        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_margins(left=20, top=21, right=20)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(meta.title)
        self.set_author(AUTHOR)
        self.set_creator("scripts/render_corpus.py")
        self.set_lang("fr-FR")
        self.set_creation_date(meta.creation_date)

    def _is_title_page(self) -> bool:
        return self.meta.title_page and self.page_no() == 1

    def header(self) -> None:
        if self._is_title_page():
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, 10)
        self.cell(0, 4, RUNNING_HEADER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*BLUE)
        self.set_line_width(0.3)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        if self._is_title_page():
            return
        self.set_draw_color(*BLUE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.h - 15, self.w - self.r_margin, self.h - 15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, self.h - 13)
        self.cell(0, 4, f"{self.meta.footer} — page {self.page_no()}", align=Align.C)

    # -- measuring helpers -------------------------------------------------------------------

    @property
    def fresh_page(self) -> bool:
        """True while nothing has been written below the running header of the current page."""
        return abs(self.y - self.t_margin) < 0.01

    def space_left(self) -> float:
        return self.page_break_trigger - self.y

    def wrap(self, text: str, width: float, line_h: float = LINE_H) -> list[str]:
        """The lines ``text`` wraps into (at spaces only) with the current font."""
        lines = self.multi_cell(width, line_h, text, dry_run=True, output=MethodReturnValue.LINES)
        return cast(list[str], lines)

    def text_height(self, text: str, size: float, line_h: float, bold: bool) -> float:
        self.set_font(FONT, "B" if bold else "", size)
        return len(self.wrap(text, 0, line_h)) * line_h

    def fit_width(self, text: str, width: float, line_h: float) -> float:
        """Largest width (``width`` shrunk by 1 mm steps) without a bad French line break.

        Only used for left-aligned text, where a slightly narrower box is invisible.
        """
        for shrink in range(25):
            if not any(BAD_BREAK_RE.search(line.strip()) for line in self.wrap(text, width - shrink, line_h)):
                return width - shrink
        return width

    def heading_height(self, block: Block) -> float:
        size, line_h, before, after = HEADING_STYLE[block.level]
        return before + self.text_height(block.text, size, line_h, bold=True) + after

    # -- block renderers ---------------------------------------------------------------------

    def write_heading(self, block: Block) -> None:
        size, line_h, before, after = HEADING_STYLE[block.level]
        if not self.fresh_page:
            self.ln(before)
        self.set_font(FONT, "B", size)
        self.set_text_color(*(BLUE if block.level <= 3 else (0, 0, 0)))
        self.multi_cell(0, line_h, block.text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if block.level == 2:
            self.set_draw_color(*BLUE)
            self.set_line_width(0.5)
            self.line(self.l_margin, self.y + 1, self.l_margin + 40, self.y + 1)
            self.ln(1)
        self.ln(after)

    def avoid_orphans(self, text: str, width: float, keep_with_next: int = 0) -> None:
        """Start a new page rather than leave a single line of ``text`` on either side of a break
        (or separate it from the first ``keep_with_next`` lines of what follows)."""
        if self.fresh_page:
            return
        lines = len(self.wrap(text, width))
        fit = int(self.space_left() // LINE_H)
        if lines + keep_with_next > fit and (fit < 2 or lines - fit < 2 or keep_with_next):
            self.add_page()

    def write_paragraph(self, text: str, keep_with_next: int = 0) -> None:
        self.set_font(FONT, "", BODY_SIZE)
        self.set_text_color(0, 0, 0)
        width = self.fit_width(text, self.epw, LINE_H)
        self.avoid_orphans(text, width, keep_with_next)
        self.multi_cell(width, LINE_H, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(PARA_GAP)

    def write_contact(self, text: str) -> None:
        self.set_font(FONT, "", 9)
        self.set_text_color(*GREY)
        self.multi_cell(0, 4.4, text, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def write_bullet(self, text: str, last: bool) -> None:
        self.set_font(FONT, "", BODY_SIZE)
        self.set_text_color(0, 0, 0)
        self.avoid_orphans(text, self.epw - BULLET_INDENT)
        if self.space_left() < LINE_H:
            self.add_page()
        self.set_x(self.l_margin + 2)
        self.cell(BULLET_INDENT - 2, LINE_H, "•")
        margin = self.l_margin
        self.set_left_margin(margin + BULLET_INDENT)
        self.set_x(margin + BULLET_INDENT)
        width = self.fit_width(text, self.epw, LINE_H)
        self.multi_cell(width, LINE_H, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_left_margin(margin)
        self.set_x(margin)
        self.ln(PARA_GAP if last else 1.0)

    def write_url(self, url: str) -> None:
        """A bare URL as a small link; too long URLs are split after "/", never inside a word."""
        self.set_font(FONT, "", 9)
        self.set_text_color(*LINK_BLUE)
        line_h = 4.4
        for chunk in self.split_url(url, self.epw):
            if self.space_left() < line_h:
                self.add_page()
                self.set_font(FONT, "", 9)
                self.set_text_color(*LINK_BLUE)
            self.cell(0, line_h, chunk, link=url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(PARA_GAP)

    def split_url(self, url: str, width: float) -> list[str]:
        pieces = re.findall(r"[^/]+/*|/+", url)
        lines: list[str] = []
        current = ""
        for piece in pieces:
            if current and self.get_string_width(current + piece) > width:
                lines.append(current)
                current = piece
            else:
                current += piece
        lines.append(current)
        return lines

    def write_title_page(self, blocks: Sequence[Block]) -> None:
        """Centred title, then each following line as a subtitle (the first one in bold)."""
        self.set_fill_color(*BLUE)
        self.rect(0, 0, self.w, 12, style="F")
        self.rect(0, self.h - 12, self.w, 12, style="F")
        self.set_y(95)
        subtitles = 0
        for block in blocks:
            if block.kind == "heading":
                self.set_font(FONT, "B", 26)
                self.set_text_color(*BLUE)
                self.multi_cell(0, 12, block.text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.set_draw_color(*BLUE)
                self.set_line_width(0.8)
                self.line(self.w / 2 - 30, self.y + 4, self.w / 2 + 30, self.y + 4)
                self.ln(12)
            else:
                self.set_font(FONT, "B" if subtitles == 0 else "", 15)
                self.set_text_color(40, 40, 40)
                self.multi_cell(0, 8, block.text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(4)
                subtitles += 1


def render_document(source: Path, out_dir: Path) -> Path:
    """Render one ``.md`` source to ``out_dir/<stem>.pdf`` and return the written path."""
    blocks = parse_blocks(source.read_text(encoding="utf-8"))
    meta = meta_for(source.stem, blocks)
    pdf = CorpusPDF(meta)
    pdf.add_page()

    if meta.title_page:
        end = next((i for i, b in enumerate(blocks) if b.kind == "page"), len(blocks))
        pdf.write_title_page(blocks[:end])
        blocks = blocks[end:]
    seen_heading = False

    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "page":
            if not pdf.fresh_page:
                pdf.add_page()
        elif block.kind == "heading":
            prev = blocks[i - 1] if i > 0 else None
            if block.level == 2 and meta.page_per_section and not pdf.fresh_page:
                pdf.add_page()
            if prev is None or prev.kind != "heading":
                # keep the whole heading group with the first lines of what follows
                group = [block]
                for follower in blocks[i + 1 :]:
                    if follower.kind != "heading":
                        break
                    group.append(follower)
                needed = sum(pdf.heading_height(h) for h in group) + KEEP_LINES * LINE_H
                if not pdf.fresh_page and pdf.space_left() < needed:
                    pdf.add_page()
            pdf.write_heading(block)
            seen_heading = True
        elif block.kind == "bullet":
            pdf.write_bullet(block.text, last=nxt is None or nxt.kind != "bullet")
        elif block.kind == "url":
            pdf.write_url(block.text)
        elif not seen_heading and not meta.title_page:
            pdf.write_contact(block.text)
            if nxt is not None and nxt.kind == "heading":
                pdf.ln(8)
        else:
            pdf.write_paragraph(block.text, keep_with_next=2 if nxt and nxt.kind == "bullet" else 0)

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.pdf"
    pdf.output(str(target))
    return target


def render_corpus(sources_dir: Path = DEFAULT_SOURCES, out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Render every ``*.md`` of ``sources_dir`` into ``out_dir``."""
    return [render_document(src, out_dir) for src in sorted(sources_dir.glob("*.md"))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder of .md sources")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder for the PDFs")
    args = parser.parse_args(argv)
    written = render_corpus(args.sources, args.out)
    if not written:
        parser.error(f"no .md source in {args.sources}")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

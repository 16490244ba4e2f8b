"""Text PDFs as an agent writes them (bold title, sections, paragraphs, embedded Unicode font), for the tests of
every folder: tests/ is on the path of all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _titled(title: str) -> FPDF:
    """A PDF with the Unicode font, its title in the metadata and in bold on the first page."""
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    return pdf


def write_pdf(
    path: Path,
    title: str,
    sections: Mapping[str, Sequence[str]],
    *,
    line_height: float = 6,
    gap: float = 2,
    section_gap: float = 4,
) -> Path:
    """A PDF with a bold title, then each section: `section_gap` mm of space, its bold heading (none for ""),
    and its paragraphs, each after `gap` mm of space."""
    pdf = _titled(title)
    for heading, paragraphs in sections.items():
        if section_gap:
            pdf.ln(section_gap)
        if heading:
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        for paragraph in paragraphs:
            pdf.ln(gap)
            pdf.multi_cell(0, line_height, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_note_pdf(path: Path, title: str, paragraphs: Sequence[str]) -> Path:
    """A one-page note: a bold title, 4 mm of space, then paragraphs 3 mm apart, as an agent would upload."""
    return write_pdf(path, title, {"": paragraphs}, line_height=5.5, gap=3, section_gap=1)


def write_pages_pdf(path: Path, title: str, pages: Sequence[Sequence[str]]) -> Path:
    """A PDF of `len(pages)` pages: a bold title on the first, then each page's paragraphs, a page break between
    pages (no heading after the title, so one passage can run over a page break)."""
    pdf = _titled(title)
    for number, paragraphs in enumerate(pages):
        if number:
            pdf.add_page()
        pdf.set_font("DejaVu", "", 11)
        for paragraph in paragraphs:
            pdf.ln(3)
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path

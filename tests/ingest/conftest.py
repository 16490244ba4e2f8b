"""Real documents made by the tests: PDFs with fpdf2 (embedded Unicode font), .docx with python-docx."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import pytest
from fpdf import FPDF

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

# A page is a list of (style, text): "h1" big bold heading, "h2" bold heading, "p" paragraph,
# "li" bullet item, "raw" lines written exactly as given (one per "\n", to force line-end hyphens).
PageSpec = Sequence[tuple[str, str]]


def write_pdf(
    path: Path,
    pages: Sequence[PageSpec],
    title: str | None = None,
    header: str | None = "Agence régionale de santé Normandie",
    footer: str | None = "Document de test",
    width: float = 0,
) -> Path:
    """Render pages to a real PDF; the header and footer repeat on every page, as in agency documents."""
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    if title:
        pdf.set_title(title)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, header, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        for style, text in page:
            if style == "h1":
                pdf.set_font("DejaVu", "B", 16)
                pdf.multi_cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif style == "h2":
                pdf.set_font("DejaVu", "B", 11)
                pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif style == "li":
                pdf.set_font("DejaVu", "", 11)
                pdf.multi_cell(width, 5.5, "• " + text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
            elif style == "raw":
                pdf.set_font("DejaVu", "", 11)
                for line in text.split("\n"):
                    pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
            else:
                pdf.set_font("DejaVu", "", 11)
                pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
        if footer:
            pdf.set_auto_page_break(False)
            pdf.set_y(-15)
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, f"{footer} — page {number}", align="C")
            pdf.set_auto_page_break(True, margin=20)
    pdf.output(str(path))
    return path


@pytest.fixture(name="write_pdf", scope="session")
def write_pdf_fixture() -> Callable[..., Path]:
    """write_pdf(path, pages, **options): for fixtures made once per module, which have no tmp_path of a test."""
    return write_pdf


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Factory: make_pdf("name.pdf", pages, **options) -> path of a real PDF under tmp_path."""

    def make(name: str, pages: Sequence[PageSpec], **options: object) -> Path:
        return write_pdf(tmp_path / name, pages, **options)  # type: ignore[arg-type]

    return make

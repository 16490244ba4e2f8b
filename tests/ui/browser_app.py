"""Helpers of the UI tests: where screenshots go, the running app's address, a PDF an agent would upload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
MAX_UPLOAD_MB = 1  # small, so that the size limit is tested with a small file
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class RunningApp:
    url: str
    data_dir: Path
    log: Path


def write_note_pdf(path: Path, title: str, paragraphs: list[str]) -> Path:
    """A one-page PDF with a bold title and paragraphs (embedded Unicode font), as an agent would upload."""
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(path))
    return path

"""Short notes for the crash and concurrency tests: many small documents, one chunk each, fast to embed;
and the real `ars-assistant ingest` started in a subprocess."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from fpdf import FPDF

from eval.pool import MemoE5  # noqa: F401 - the tests using these notes embed them with it
from eval.process import CLI

REPO = Path(__file__).resolve().parents[2]
TOWNS = ["Alençon", "Argentan", "Flers", "L'Aigle", "Mortagne-au-Perche", "Domfront", "Sées", "Vimoutiers",
         "Gacé", "Trun"]
COUNT = len(TOWNS)


def write_corpus(folder: Path) -> Path:
    """Short notes (PDF, Markdown, text), one chunk each, each with its own figure."""
    folder.mkdir(parents=True)
    for number, town in enumerate(TOWNS):
        title = f"Contrat local de santé de {town}"
        body = (f"À {town}, le contrat local de santé 2024 finance {number + 3} internes et "
                f"{(number + 1) * 1_150} consultations. Il est coordonné par Mme Claire {town.upper()[:3]}ARD.")
        stem = f"cls-{number:02d}"
        if number % 3 == 0:
            pdf = FPDF()
            pdf.add_font("DejaVu", "", str(_font()))
            pdf.set_title(title)
            pdf.add_page()
            pdf.set_font("DejaVu", "", 12)
            pdf.multi_cell(0, 6, f"{title}\n\n{body}")
            pdf.output(str(folder / f"{stem}.pdf"))
        elif number % 3 == 1:
            (folder / f"{stem}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
        else:
            (folder / f"{stem}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return folder


def _font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def start_ingest(corpus: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ARS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    return subprocess.Popen([*CLI, "ingest", str(corpus)], env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def wait_for_writes(process: subprocess.Popen[bytes], data_dir: Path, limit_s: float = 180) -> float:
    """Block until the ingest writes its first new document fiche (its write phase has begun); returns when."""
    fiches = data_dir / "collections" / "ars" / "fiches"
    before = set(fiches.iterdir()) if fiches.exists() else set()
    deadline = time.monotonic() + limit_s
    while not (fiches.exists() and set(fiches.iterdir()) - before):
        if process.poll() is not None:
            err = process.stderr.read() if process.stderr else b""
            raise AssertionError(f"ingest ended before writing: {err.decode()[-2000:]}")
        assert time.monotonic() < deadline, "no write within the time limit"
        time.sleep(0.01)
    return time.monotonic()

"""Fuzz the ingestion: mutate real PDFs many times, ingest each into a scratch index, count what happens.

    python scripts/fuzz_ingest.py [--count 300] [--seed 8] [--timeout 10] [--parse-only] [--formats] [--keep DIR]

Seeds are the sample corpus (data/documents), the table PDF of eval/formats and a PDF written here without
compression (so that mutations hit the drawing operators, not only compressed bytes); with `--formats`, a
Word document, an OpenDocument text, a web page and Markdown too. Mutations: truncation, byte flips, random
insertions, deletions, duplicated or zeroed spans, and numbers (lengths, counts, offsets) replaced by huge
ones. Each mutant goes through `run_ingest` (the code of `ars-assistant ingest`: a child process per file
with a time limit) into one scratch index, in batches. A crash is an exception that escapes `run_ingest`:
it must never happen. Prints one JSON object: inputs tried, ingested, skipped (by reason), crashes, and
whether the index is consistent at the end (nothing to repair, same chunk ids in Chroma and BM25).
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout: python scripts/fuzz_ingest.py

Mutation = Callable[[bytes, random.Random], bytes]


def _span(data: bytes, draw: random.Random, most: int = 4096) -> tuple[int, int]:
    start = draw.randrange(len(data))
    return start, min(len(data), start + draw.randint(1, most))


def truncate(data: bytes, draw: random.Random) -> bytes:
    return data[: draw.randrange(len(data))]


def flip_bytes(data: bytes, draw: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(draw.randint(1, 32)):
        out[draw.randrange(len(out))] = draw.randrange(256)
    return bytes(out)


def insert_random(data: bytes, draw: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(draw.randint(1, 5)):
        at = draw.randrange(len(out) + 1)
        out[at:at] = draw.randbytes(draw.randint(1, 256))
    return bytes(out)


def delete_span(data: bytes, draw: random.Random) -> bytes:
    start, end = _span(data, draw)
    return data[:start] + data[end:]


def duplicate_span(data: bytes, draw: random.Random) -> bytes:
    start, end = _span(data, draw)
    at = draw.randrange(len(data))
    return data[:at] + data[start:end] * draw.randint(1, 50) + data[at:]


def zero_span(data: bytes, draw: random.Random) -> bytes:
    start, end = _span(data, draw)
    return data[:start] + bytes(end - start) + data[end:]


def huge_numbers(data: bytes, draw: random.Random) -> bytes:
    numbers = list(re.finditer(rb"(?<![\d.])\d{1,9}(?![\d.])", data))
    out = data
    for match in sorted(draw.sample(numbers, min(len(numbers), draw.randint(1, 8))), key=lambda m: -m.start()):
        big = draw.choice([b"0", b"-1", b"4294967296", b"99999999999999999999", b"2147483647"])
        out = out[: match.start()] + big + out[match.end():]
    return out


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "flip_bytes": flip_bytes, "insert_random": insert_random, "delete_span": delete_span,
    "duplicate_span": duplicate_span, "zero_span": zero_span, "huge_numbers": huge_numbers,
}


def uncompressed_pdf(path: Path) -> Path:
    """A two-page agency note whose content streams are plain text."""
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.set_title("Note de service : plan crack")
    pages = [
        ("Plan crack", ["Le plan crack est doté de 220 000 euros sur 3 ans pour l'association Drog'Aide 61.",
                        "Le comité de pilotage se réunit le 12 décembre 2024 à Alençon.",
                        "Deux maraudes par semaine vont au-devant des usagers dans le secteur d'Argentan."]),
        ("Santé mentale", ["La santé mentale est la Grande cause nationale 2025.",
                           "Un centre de ressources territorial ouvre à Flers avec 6 professionnels.",
                           "Les premiers secours en santé mentale ont formé 140 agents en 2024."]),
    ]
    for heading, sentences in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 16)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        for sentence in sentences:
            pdf.multi_cell(0, 6, sentence, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))
    return path


def seeds(scratch: Path, formats: bool = False) -> list[Path]:
    """The PDFs to mutate; with `formats`, a Word document, an OpenDocument text, a web page and Markdown too."""
    found = sorted((REPO / "data" / "documents").glob("*.pdf"))
    table = REPO / "eval" / "formats" / "dotations-prevention-2023.pdf"
    if table.exists():
        found.append(table)
    found.append(uncompressed_pdf(scratch / "note-non-compressee.pdf"))
    if formats:
        import docx

        word = docx.Document()
        word.add_heading("Plan crack", 1)
        word.add_paragraph("Le plan crack est doté de 220 000 euros sur 3 ans pour l'association Drog'Aide 61.")
        word.save(str(scratch / "note.docx"))
        found.append(scratch / "note.docx")
        found += sorted((REPO / "eval" / "formats").glob("*.odt")) + sorted((REPO / "eval" / "formats").glob("*.html"))
        found += sorted((REPO / "data" / "sources").glob("*.md"))
    return found


def mutants(sources: Sequence[Path], count: int, seed: int, folder: Path) -> list[tuple[Path, str]]:
    """`count` mutated files under `folder`, each with the name of its mutation(s)."""
    draw = random.Random(seed)
    originals = [(p.read_bytes(), p.suffix) for p in sources]
    made = []
    for number in range(count):
        data, suffix = draw.choice(originals)
        names = draw.sample(sorted(MUTATIONS), draw.choice([1, 1, 1, 2, 3]))
        for name in names:
            data = MUTATIONS[name](data, draw) if data else data
        path = folder / f"mutant-{number:04d}{suffix}"
        path.write_bytes(data)
        made.append((path, "+".join(names)))
    return made


def reason_key(reason: str) -> str:
    """A skip reason without its figures, to count alike reasons together."""
    return re.sub(r"\d+(?:[.,]\d+)?", "N", reason.split(" ; ")[0])[:90]


def fuzz(count: int = 300, seed: int = 8, timeout: float = 10.0, batch: int = 25, parse_only: bool = False,
         keep: Path | None = None, formats: bool = False) -> dict[str, Any]:
    """Make and ingest the mutants; the counts of the run."""
    from ingest.pipeline import Skipped
    from ingest.worker import parse_limited

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ars-fuzz-") as tmp:
        scratch = Path(tmp)
        (scratch / "mutants").mkdir()
        made = mutants(seeds(scratch, formats), count, seed, scratch / "mutants")
        reasons: collections.Counter[str] = collections.Counter()
        crashes: list[dict[str, str]] = []
        ingested = 0
        index_state: dict[str, Any] = {}
        if parse_only:
            for path, mutation in made:
                try:
                    result = parse_limited(path, timeout)
                except Exception:  # noqa: BLE001 - the finding
                    crashes.append({"file": path.name, "mutation": mutation, "error": traceback.format_exc()})
                    continue
                if isinstance(result, Skipped):
                    reasons[reason_key(result.reason)] += 1
                else:
                    ingested += 1
        else:
            ingested, index_state = _ingest(made, scratch, timeout, batch, reasons, crashes)
        if keep is not None and crashes:
            keep.mkdir(parents=True, exist_ok=True)
            for crash in crashes:
                shutil.copy(scratch / "mutants" / crash["file"], keep / crash["file"])
    skipped = sum(reasons.values())
    return {
        "inputs": count,
        "seed": seed,
        "mode": "analyse seule" if parse_only else "ingestion dans un index de travail",
        "formats": "PDF, DOCX, ODT, HTML, MD" if formats else "PDF",
        "ingested": ingested,
        "skipped": skipped,
        "crashes": len(crashes),
        "unexpected_errors": sum(n for r, n in reasons.items() if "inattendue" in r or "brutalement" in r),
        "timeouts": sum(n for r, n in reasons.items() if r.startswith("lecture interrompue")),
        "reasons": dict(reasons.most_common()),
        **index_state,
        "crash_samples": [c["error"][-1500:] for c in crashes[:3]],
        "seconds": round(time.monotonic() - start, 1),
    }


def _ingest(made: list[tuple[Path, str]], scratch: Path, timeout: float, batch: int,
            reasons: collections.Counter[str], crashes: list[dict[str, str]]) -> tuple[int, dict[str, Any]]:
    from assistant.factory import run_ingest
    from assistant.settings import Settings
    from eval.pool import MemoE5  # mutants mostly repeat their seed's passages: each embedded once
    from index.index import Index

    state_unchanged = [0]
    settings = Settings(data_dir=scratch / "data", parse_timeout=timeout)
    index = Index(settings.data_dir, embeddings=MemoE5())
    ingested = 0
    for first in range(0, len(made), batch):
        group = made[first:first + batch]
        folder = scratch / f"lot-{first:04d}"
        folder.mkdir()
        for path, _ in group:
            path.rename(folder / path.name)
        try:
            report = run_ingest(settings, [folder], index=index)
        except Exception:  # noqa: BLE001 - the finding: which file? each is tried alone
            for path, mutation in group:
                try:
                    alone = run_ingest(settings, [folder / path.name], index=index)
                except Exception:  # noqa: BLE001
                    crashes.append({"file": path.name, "mutation": mutation, "error": traceback.format_exc()})
                    (scratch / "mutants").joinpath(path.name).write_bytes((folder / path.name).read_bytes())
                    continue
                ingested += alone.ingested
                state_unchanged[0] += alone.unchanged
                reasons.update(reason_key(s.reason) for s in alone.skipped)
            continue
        ingested += report.ingested
        reasons.update(reason_key(s.reason) for s in report.skipped)
        state_unchanged[0] += report.unchanged  # same bytes as an earlier mutant: not read again
    repair = index.repair()
    ids = index.chunk_ids()
    records = index.documents()
    state = {
        "unchanged": state_unchanged[0],
        "documents_in_index": len(records),
        "chunks_in_index": len(ids["dense"]),
        "index_consistent": not any(repair.values()) and ids["dense"] == ids["lexical"]
        and len(ids["dense"]) == sum(r.chunks for r in records),
    }
    return ingested, state


def main() -> None:
    parser = argparse.ArgumentParser(description="Fuzz de l'ingestion : PDF mutés, ingérés dans un index de travail.")
    parser.add_argument("--count", type=int, default=300, help="nombre de fichiers mutés (défaut 300)")
    parser.add_argument("--seed", type=int, default=8, help="graine du hasard (défaut 8)")
    parser.add_argument("--timeout", type=float, default=10, help="délai de lecture par fichier, s (défaut 10)")
    parser.add_argument("--batch", type=int, default=25, help="fichiers par lot d'ingestion (défaut 25)")
    parser.add_argument("--parse-only", action="store_true", help="lecture seule, sans index (plus rapide)")
    parser.add_argument("--formats", action="store_true", help="mute aussi des DOCX, ODT, HTML et MD")
    parser.add_argument("--keep", type=Path, help="dossier où garder les fichiers qui ont fait planter l'ingestion")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")  # pypdf's warnings
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its errors on odd encodings are expected here
    import bm25s  # noqa: F401 - it sets its own logger to DEBUG when imported: import it first, then quiet it

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    report = fuzz(args.count, args.seed, args.timeout, args.batch, args.parse_only, args.keep, args.formats)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    sys.exit(1 if report["crashes"] or not report.get("index_consistent", True) else 0)


if __name__ == "__main__":
    main()

"""Copy the few pdf.js files the document viewer needs into ui/static/pdfjs/, from the npm package.

Usage::

    python scripts/vendor_pdfjs.py [--version 6.5.438]

Runs `npm pack pdfjs-dist@<version>` in a temporary folder (npm reaches the registry; nothing is fetched at
run time by the app, which serves these files itself) and keeps: the library and its worker (minified, legacy
build), its licence, and the text-layer rules of its viewer stylesheet (the rest of that stylesheet styles a
full viewer the app does not use).
"""

from __future__ import annotations

import argparse
import subprocess
import tarfile
import tempfile
from pathlib import Path

PDFJS_VERSION = "6.5.438"
TARGET = Path(__file__).resolve().parent.parent / "ui" / "static" / "pdfjs"
# the "legacy" build: polyfilled for the older browsers (Firefox ESR, Edge) of an agency's workstations
FILES = {
    "package/legacy/build/pdf.min.mjs": "pdf.min.mjs",
    "package/legacy/build/pdf.worker.min.mjs": "pdf.worker.min.mjs",
    "package/LICENSE": "LICENSE",
}
VIEWER_CSS = "package/web/pdf_viewer.css"


def text_layer_rules(css: str) -> str:
    """The first top-level `.textLayer { ... }` rule of pdf.js's viewer stylesheet (nested rules included)."""
    start = css.index("\n.textLayer {") + 1
    depth = 0
    for at in range(start, len(css)):
        if css[at] == "{":
            depth += 1
        elif css[at] == "}":
            depth -= 1
            if depth == 0:
                return css[start : at + 1] + "\n"
    raise ValueError("unbalanced braces in pdf_viewer.css")


def vendor(version: str, target: Path = TARGET) -> list[Path]:
    """Files written under `target`, from pdfjs-dist@`version`."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["npm", "pack", f"pdfjs-dist@{version}"], cwd=folder, capture_output=True,
                              text=True, check=True)
        archive = Path(folder) / done.stdout.strip().splitlines()[-1]
        written = []
        with tarfile.open(archive) as tar:
            for member, name in FILES.items():
                data = tar.extractfile(member)
                assert data is not None, member
                (target / name).write_bytes(data.read())
                written.append(target / name)
            css = tar.extractfile(VIEWER_CSS)
            assert css is not None
            header = f"/* pdf.js {version} (Apache-2.0, see LICENSE): text-layer rules of web/pdf_viewer.css */\n"
            (target / "text_layer.css").write_text(header + text_layer_rules(css.read().decode()), encoding="utf-8")
            written.append(target / "text_layer.css")
    (target / "VERSION").write_text(version + "\n", encoding="utf-8")
    return [*written, target / "VERSION"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=PDFJS_VERSION, help="pdfjs-dist version (default: %(default)s)")
    args = parser.parse_args()
    for path in vendor(args.version):
        print(path)


if __name__ == "__main__":
    main()

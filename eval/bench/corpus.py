"""The synthetic corpus the benchmark ingests: varied copies of the sample sources, rendered to PDF."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from eval.bench.options import RENDERER, SOURCES


def _load_renderer() -> ModuleType | None:
    if not RENDERER.exists() or importlib.util.find_spec("fpdf") is None:
        return None
    spec = importlib.util.spec_from_file_location("ars_render_corpus", RENDERER)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_corpus(folder: Path, documents: int, chunk_size: int = 800, chunk_overlap: int = 120) -> list[Path]:
    """`documents` synthetic files from the sample sources, alternately; PDFs when fpdf2 is installed
    (the renderer of scripts/render_corpus.py), Markdown otherwise. A variant that would repeat a passage
    of the ones before is drawn again (a few times at most): the encoder must see every passage."""
    from eval.synthetic import vary_markdown
    from ingest.pipeline import Skipped, try_parse
    from ingest.split import chunk_document

    folder.mkdir(parents=True, exist_ok=True)
    renderer = _load_renderer()
    sources = sorted(SOURCES.glob("*.md"), key=lambda p: p.stat().st_size)  # the short one first (quick runs)
    written: list[Path] = []
    seen: set[str] = set()
    for n in range(documents):
        source = sources[n % len(sources)]
        stem = f"{source.stem}-v{n:04d}"
        for attempt in range(8):
            title, text = vary_markdown(source.read_text(encoding="utf-8"), n, attempt)
            path = _write_document(folder, stem, title, text, source.stem, renderer)
            document = try_parse(path)
            texts = [] if isinstance(document, Skipped) else [
                c.text for c in chunk_document(document, chunk_size, chunk_overlap)
            ]
            if len(set(texts)) == len(texts) and not seen & set(texts):
                break
        seen.update(texts)
        written.append(path)
    return written


def _write_document(folder: Path, stem: str, title: str, text: str, base: str, renderer: ModuleType | None) -> Path:
    markdown = folder / f"{stem}.md"
    markdown.write_text(text, encoding="utf-8")
    if renderer is None:
        return markdown
    meta = renderer.DOCUMENTS.get(base)
    if meta is not None:
        renderer.DOCUMENTS[stem] = type(meta)(**{**meta.__dict__, "title": title, "footer": title})
    path: Path = renderer.render_document(markdown, folder)
    markdown.unlink()
    return path


def chunking() -> tuple[int, int]:
    from assistant.settings import Settings

    settings = Settings()
    return settings.chunk_size, settings.chunk_overlap


def disk_size(path: Path) -> int:
    """Bytes used by the files under `path`."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

"""The way in for new agents: document fiches with checked suggested questions, and the glossary."""

from __future__ import annotations

import threading
from typing import Any

from assistant.catalog import Catalog
from assistant.service import Assistant
from ingest.fiche import Fiche
from lang.dates import french_date

MAX_SUGGESTIONS = 6


class Discovery:
    """Fiches and suggested questions of the corpus; a question is suggested only once the assistant has
    answered it with a citation of its document (checked once per document, then remembered)."""

    def __init__(self, assistant: Assistant) -> None:
        if assistant.catalog is None:
            raise ValueError("the assistant has no catalog")
        self.assistant = assistant
        self.catalog: Catalog = assistant.catalog
        self._checked: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        # one check at a time: a second session asking for the same document waits for the first
        # check's result instead of asking the same questions again (they take seconds on a CPU)
        self._checking = threading.Lock()

    def suggested_questions(self, fiche: Fiche) -> tuple[str, ...]:
        """Up to six of the fiche's candidate questions that the assistant answers citing this document."""
        with self._lock:
            if fiche.doc_id in self._checked:
                return self._checked[fiche.doc_id]
        with self._checking:
            with self._lock:
                if fiche.doc_id in self._checked:  # checked by another thread while this one waited
                    return self._checked[fiche.doc_id]
            kept: list[str] = []
            for question in fiche.questions:
                if len(kept) >= MAX_SUGGESTIONS:
                    break
                answer = self.assistant.ask(question)
                if not answer.refused and any(c.source == fiche.source for c in answer.citations):
                    kept.append(question)
            with self._lock:
                self._checked[fiche.doc_id] = tuple(kept)
        return tuple(kept)

    def examples(self, limit: int = 6) -> list[str]:
        """Example questions for the chat: the suggested questions of the current documents, in turn."""
        per_doc = [self.suggested_questions(f) for f in self.fiches() if not self.superseded_by(f)]
        out: list[str] = []
        for rank in range(MAX_SUGGESTIONS):
            out.extend(questions[rank] for questions in per_doc if rank < len(questions))
        return list(dict.fromkeys(out))[:limit]

    def fiches(self) -> list[Fiche]:
        return self.catalog.fiches()

    def superseded_by(self, fiche: Fiche) -> Fiche | None:
        version = self.catalog.version(fiche.doc_id)
        return version.superseded_by if version else None

    def document_json(self, fiche: Fiche) -> dict[str, Any]:
        """What `ars-assistant documents --json` prints for one document."""
        newer = self.superseded_by(fiche)
        chunks = next((r.chunks for r in self.assistant.index.documents() if r.doc_id == fiche.doc_id), 0)
        return {
            "source": fiche.source,
            "title": fiche.title,
            "kind": fiche.kind,
            "date": fiche.date,
            "date_fr": french_date(fiche.date),
            "pages": fiche.pages,
            "chunks": chunks,
            "outline": [{"heading": o.heading, "page": o.page} for o in fiche.outline],
            "key_figures": [
                {"value": k.value, "sentence": k.sentence, "page": k.page, "kind": k.kind} for k in fiche.key_figures
            ],
            "entities": list(fiche.entities),
            "suggested_questions": list(self.suggested_questions(fiche)),
            "superseded_by": newer.source if newer else None,
        }

    def documents_json(self) -> list[dict[str, Any]]:
        return [self.document_json(f) for f in self.fiches()]

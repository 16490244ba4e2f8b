"""The evaluation question set: one JSON object per line, checked when loaded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import UserError

CATEGORIES = (
    "montant",
    "date",
    "nombre",
    "personne_organisme",
    "lieu",
    "liste",
    "definition",
    "multi_faits",
    "objectif",
    "contact",
    "hors_corpus",
    "retour",  # candidates made from UI feedback, once a reviewer has filled in their facts
)
PROFILES = ("facile", "moyenne", "piège", "ambiguë", "multi-document")

Passage = tuple[str, int]  # (source file name, 1-based page)


@dataclass(frozen=True, slots=True)
class Question:
    """One question, the facts a right answer contains, and the passage it should cite."""

    id: str
    question: str
    must_contain: tuple[tuple[str, ...], ...]  # every fact must be present, any of its variants
    source: str | None
    page: int | None
    category: str
    profile: str
    refuse: bool
    # Other passages that state the same facts (e.g. the six axes are in both documents):
    # citing one of them is as right as citing the main passage.
    alternates: tuple[Passage, ...] = ()
    format: str = "pdf"  # "pdf" | "ocr" | "table" | "odt" | "html": the kind of document that answers

    @property
    def passages(self) -> tuple[Passage, ...]:
        """Every passage whose citation counts as right, the main one first."""
        if self.source is None or self.page is None:
            return ()
        return ((self.source, self.page), *self.alternates)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "must_contain": [list(fact) for fact in self.must_contain],
            "source": self.source,
            "page": self.page,
            "category": self.category,
            "profile": self.profile,
            "refuse": self.refuse,
        }
        if self.alternates:
            data["alternates"] = [{"source": s, "page": p} for s, p in self.alternates]
        if self.format != "pdf":
            data["format"] = self.format
        return data


def question_from_json(data: object) -> Question:
    """Build a Question from a decoded JSON line; ValueError says which field is wrong."""
    if not isinstance(data, dict):
        raise ValueError("une ligne doit être un objet JSON")
    for key, kind in (("id", str), ("question", str), ("category", str), ("profile", str), ("refuse", bool)):
        if not isinstance(data.get(key), kind):
            raise ValueError(f"champ '{key}' absent ou mal typé")
    if data["category"] not in CATEGORIES:
        raise ValueError(f"catégorie inconnue '{data['category']}' (attendu : {', '.join(CATEGORIES)})")
    if data["profile"] not in PROFILES:
        raise ValueError(f"profil inconnu '{data['profile']}' (attendu : {', '.join(PROFILES)})")
    facts = data.get("must_contain")
    if not isinstance(facts, list) or not all(
        isinstance(f, list) and f and all(isinstance(v, str) and v.strip() for v in f) for f in facts
    ):
        raise ValueError("'must_contain' doit être une liste de faits, chacun une liste non vide de variantes")
    refuse: bool = data["refuse"]
    if not refuse and not facts:
        raise ValueError("'must_contain' est vide : complétez les faits attendus")
    source, page = data.get("source"), data.get("page")
    if refuse:
        if source is not None or page is not None:
            raise ValueError("une question à refuser n'a ni 'source' ni 'page' (null)")
    elif not isinstance(source, str) or not source or not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise ValueError("'source' (nom de fichier) et 'page' (entier >= 1) sont requis")
    alternates: list[Passage] = []
    for alt in data.get("alternates", []):
        if not (isinstance(alt, dict) and isinstance(alt.get("source"), str) and isinstance(alt.get("page"), int)):
            raise ValueError("'alternates' doit être une liste d'objets {source, page}")
        alternates.append((alt["source"], alt["page"]))
    return Question(
        id=data["id"],
        question=data["question"],
        must_contain=tuple(tuple(fact) for fact in facts),
        source=source,
        page=page,
        category=data["category"],
        profile=data["profile"],
        refuse=refuse,
        alternates=tuple(alternates),
        format=str(data.get("format") or "pdf"),
    )


def load_questions(path: Path | str) -> list[Question]:
    """Questions of a JSONL file, in file order; a bad line or a duplicate id is a UserError."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Erreur : jeu de questions introuvable '{path}'. Donnez un fichier .jsonl existant.")
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = question_from_json(json.loads(line))
        except (json.JSONDecodeError, ValueError) as exc:
            raise UserError(f"Erreur : '{path}' ligne {number} : {exc}. Corrigez cette ligne.") from exc
        if question.id in seen:
            raise UserError(f"Erreur : '{path}' ligne {number} : identifiant '{question.id}' en double.")
        seen.add(question.id)
        questions.append(question)
    return questions

"""The extractive answerer: the fact asked for first, the supporting sentence quoted, every claim cited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.extract import Unit, has_fact, list_items_after, money_segments
from assistant.models import REFUSAL, Citation
from assistant.question import Question
from index.models import Hit
from index.text import tokens

# A unit must cover this share of the question's (weighted) words to answer it.
MIN_COVERAGE = 0.45
# Fact questions need the fact in the unit itself ("combien" needs an amount).
FACT_KINDS = {"montant", "nombre", "date"}


@dataclass(slots=True)
class Draft:
    """An answer being written: its text lines and the citations they use."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def cite(self, unit_text: str, hit: Hit) -> int:
        """Number of the citation for this excerpt, adding it if new; excerpts are verbatim."""
        if unit_text not in hit.chunk.text:
            raise ValueError("excerpt is not verbatim in its chunk")  # fail closed: never cite a paraphrase
        for citation in self.citations:
            if citation.chunk_id == hit.chunk.id and citation.excerpt == unit_text:
                return citation.n
        n = len(self.citations) + 1
        self.citations.append(citation_for(n, hit, unit_text))
        return n


def citation_for(n: int, hit: Hit, excerpt: str) -> Citation:
    """Citation [n] of a retrieved chunk with the given excerpt of it."""
    chunk = hit.chunk
    return Citation(
        n=n,
        source=chunk.source,
        title=chunk.title,
        page=chunk.page,
        section=chunk.section,
        excerpt=excerpt,
        score=round(hit.score, 4),
        chunk_id=chunk.id,
        page_end=chunk.page_end,
        ocr=chunk.ocr,
    )


def _primary_ok(question: Question, unit: Unit) -> bool:
    """A unit can lead the answer: places and years right, enough words, the main fact in it."""
    if not unit.hard_ok or unit.coverage < MIN_COVERAGE:
        return False
    if question.kind == "nombre" and question.counted and not unit.counts:
        return False  # "combien de médecins" is not answered by a number of something else
    return not (question.kind in FACT_KINDS and not unit.has_fact)


def _facet_ok(facet: str, unit: Unit, question: Question) -> bool:
    if facet == "nombre" and question.counted:
        return unit.counts  # "nb de participants" is answered by a number of participants
    return has_fact(unit.text, facet)


def select(question: Question, units: Sequence[Unit]) -> list[Unit] | None:
    """Units that together answer the question (the lead first), or None: every noun of the question
    near some selected unit (a verb may be worded otherwise, once), and every fact asked found."""
    candidates = [u for u in units if u.hard_ok]
    leads = [u for u in candidates if _primary_ok(question, u)]
    for lead in leads[:3]:
        chosen = [lead]
        missing = set(lead.missing)
        facets = [f for f in question.facets if not _facet_ok(f, lead, question)]
        for unit in candidates[:15]:
            if len(chosen) >= 3 or (not missing and not facets):
                break
            if unit in chosen or unit.coverage < 0.3 or unit.hit.chunk.doc_id != lead.hit.chunk.doc_id:
                continue
            fills = [f for f in facets if _facet_ok(f, unit, question)]
            covers = missing - unit.missing
            if fills or covers:
                chosen.append(unit)
                facets = [f for f in facets if f not in fills]
                missing -= covers
        soft_missing = missing & set(question.soft)
        if facets or missing - soft_missing or len(soft_missing) > 1:
            continue
        return chosen
    return None


def compose(question: Question, units: Sequence[Unit]) -> tuple[str, list[Citation]] | None:
    """The answer text and its citations, or None when no unit supports an answer."""
    chosen = select(question, units)
    if chosen is None:
        return None
    best = chosen[0]
    draft = Draft()
    if question.kind == "montant":
        _lead_amount(question, best, draft)
    elif question.kind == "liste" or best.kind == "intro":
        _lead_list(best, units, draft)
    else:
        n = draft.cite(best.text, best.hit)
        draft.lines.append(f"{best.text} [{n}]")
    for unit in chosen[1:]:
        if unit.text not in "\n".join(draft.lines):
            n = draft.cite(unit.text, unit.hit)
            draft.lines.append(f"{unit.text} [{n}]")
    if question.kind == "definition":
        _more_definition(best, units, draft)
    related = [u for u in units if u.hard_ok and u.coverage >= 0.4]
    _related_amounts(question, best, related, draft)
    return "\n".join(draft.lines), draft.citations


def _more_definition(best: Unit, units: Sequence[Unit], draft: Draft) -> None:
    """A definition reads better with the next sentences of the same section about the term."""
    added = 0
    for unit in units:
        if added >= 2 or unit.score < best.score - 0.5:
            break
        same = unit.hit.chunk.doc_id == best.hit.chunk.doc_id and unit.hit.chunk.section == best.hit.chunk.section
        if same and unit.text not in "\n".join(draft.lines) and unit.kind != "item":
            n = draft.cite(unit.text, unit.hit)
            draft.lines.append(f"{unit.text} [{n}]")
            added += 1


def _lead_amount(question: Question, best: Unit, draft: Draft) -> None:
    segments = money_segments(best.text)
    n = draft.cite(best.text, best.hit)
    if len(segments) > 1 or (segments and len(best.text) > 200):
        wanted, focus = set(question.terms), set(question.focus)

        def relevance(segment: tuple[str, str]) -> tuple[int, int]:
            words = set(tokens(segment[1]))
            return len(focus & words), len(wanted & words)  # a follow-up's own words first

        _amount, clause = max(segments, key=relevance)
        draft.lines.append(f"{_capitalise(clause)} [{n}].")
        draft.lines.append(f"Source : « {best.text} » [{n}]")
    else:
        draft.lines.append(f"{best.text} [{n}]")


def _lead_list(best: Unit, good: Sequence[Unit], draft: Draft) -> None:
    intro = best if best.kind == "intro" else next((u for u in good if u.kind == "intro"), best)
    items = list_items_after(intro.hit, intro.text) if intro.kind == "intro" else []
    n = draft.cite(intro.text, intro.hit)
    draft.lines.append(f"{intro.text} [{n}]")
    for item in items:
        draft.lines.append(f"- {item}")


def _related_amounts(question: Question, best: Unit, related: Sequence[Unit], draft: Draft) -> None:
    """Other amounts of the lead's section, each cited, after an amount answer."""
    if question.kind != "montant":
        return
    others: list[str] = []
    lead = draft.lines[0]
    for unit in [best, *related]:
        if unit.hit.chunk.doc_id != best.hit.chunk.doc_id or unit.hit.chunk.section != best.hit.chunk.section:
            continue  # related figures come from the same section, not from elsewhere in the corpus
        for _amount, clause in money_segments(unit.text):
            if clause in lead or len(others) >= 3 or any(clause.lower() in o.lower() for o in others):
                continue
            n = draft.cite(unit.text, unit.hit)
            others.append(f"- {_capitalise(clause)} [{n}]")
    if others:
        draft.lines.append("Montants liés :")
        draft.lines.extend(others)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def refusal_text(hits: Sequence[Hit]) -> tuple[str, tuple[str, ...]]:
    """The refusal, naming the closest documents so the user knows where to look."""
    titles = tuple(dict.fromkeys(h.chunk.title for h in hits[:5]))[:3]
    if not titles:
        return REFUSAL + " Aucun document n'est indexé pour l'instant.", ()
    listed = " ; ".join(f"« {t} »" for t in titles)
    return f"{REFUSAL} Documents les plus proches : {listed}.", titles

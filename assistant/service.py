"""The Assistant: question in, cited French answer out. The UI and the eval use only this."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.answer import closest_passages, compose, refusal_text
from assistant.catalog import Catalog
from assistant.engine import Ask, Candidate, Weights, candidates, choose, constraints_of, idf, rank, read_question
from assistant.extract import Unit, annotate, score_units, select
from assistant.glossary import Glossary
from assistant.models import REFUSAL, Answer, Citation
from assistant.question import Question, analyse, foreign_language
from assistant.scorer import LearnedScorer, pick
from index.index import Index
from index.models import Hit
from ingest.fiche import Fiche
from ingest.pipeline import printable
from lang.dates import french_date
from lang.dictionary import load_dictionary
from lang.people import load_recogniser
from lang.spelling import corpus_word
from lang.tokens import tokens

if TYPE_CHECKING:
    from assistant.reader import Reader

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
SEARCH_DEPTH = 4  # the search looks this many times k passages deep for more of the documents of the k best
SAME_DOCUMENT_EXTRA = 4
# sentences absent from the vector cache (an index built before it) encoded while answering, at most
SENTENCES_ENCODED_PER_QUESTION = 8
FRENCH_ONLY = (
    "Les documents indexés sont en français : posez votre question en français "
    "(par exemple « combien pour le plan crack ? »)."
)
FOLLOW_UP_RE = re.compile(r"^\s*(et|mais|aussi|puis|pour)\b|\b(ça|ca|cela|celui-ci|celle-ci|ce dernier|idem)\b", re.I)


class Assistant:
    """Answers questions from the index; extractive by default, a chat model when one is configured."""

    def __init__(
        self,
        index: Index,
        k: int = 8,
        glossary: Glossary | None = None,
        chat: Any | None = None,
        catalog: Catalog | None = None,
        weights: Weights | None = None,
        scorer: LearnedScorer | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.weights = weights or Weights()
        self.scorer = scorer  # the learned scorer (assistant/scorer.py); None: the hand weights
        self.reader = reader  # re-reads the scorer's best candidates (assistant/reader.py); None: the scorer alone
        self.index = index
        self.k = k
        self._glossary = glossary or Glossary()
        self.chat = chat  # an assistant.llm.ChatAnswerer, or None for the extractive mode
        self.catalog = catalog  # fiches, versions and the corpus glossary; None: base glossary, no versions
        self._alternates_of: tuple[Glossary, dict[str, set[str]]] | None = None
        self.warm = False  # True once `warm_up` has loaded what answering loads lazily

    @property
    def glossary(self) -> Glossary:
        """The glossary the questions are read with: the corpus's own definitions when a catalog is given."""
        return self.catalog.query_glossary() if self.catalog is not None else self._glossary

    @property
    def alternates(self) -> dict[str, set[str]]:
        """An acronym's stem is matched by the stems of its expansion, and the other way round."""
        glossary = self.glossary
        if self._alternates_of is None or self._alternates_of[0] is not glossary:
            out: dict[str, set[str]] = {}
            for term in glossary.terms:
                stems = set(tokens(term.expansion))
                for acronym in tokens(term.term):
                    out.setdefault(acronym, stems)  # the first (the documents') expansion wins
            self._alternates_of = (glossary, out)
        return self._alternates_of[1]

    def weight_function(self) -> Callable[[str], float]:
        return idf(self.index.document_frequencies(), absent_share=0.0)

    def rewrite(self, question: str, history: Sequence[str]) -> str:
        """A follow-up ("et pour les jeunes ?") completed with the previous question, for retrieval."""
        if not history:
            return question
        content = [t for t in tokens(question) if len(t) > 2]
        if FOLLOW_UP_RE.search(question) and len(content) <= 4:
            previous = history[-1]
            tail = re.sub(r"^\s*(et|mais|aussi|puis)\s+", "", question.strip(), flags=re.I)
            return f"{previous.rstrip(' ?')} {tail}"
        return question

    def spellcheck(self, question: Question) -> Question:
        """Words found nowhere in the corpus but one typo away from a corpus word are read as that word."""
        frequencies = self.index.document_frequencies()
        fixed: dict[str, str] = {}
        for term in question.terms:
            if frequencies.get(term, 0) or len(term) < 5 or term.isdigit():
                continue
            found = corpus_word(term, frequencies, cutoff=0.85, split=True)
            if found:
                fixed[term] = found
        if not fixed:
            return question
        terms = tuple(dict.fromkeys(part for t in question.terms for part in fixed.get(t, t).split()))
        # a corrected verb ("coconstruite" -> "construit") is still a verb, matched loosely
        soft = tuple(fixed.get(t, t) for t in question.soft)
        return replace(question, terms=terms, soft=soft)

    def warm_up(self) -> None:
        """Load now what answering loads lazily (the entity recogniser, the French dictionary, the query
        encoder, the corpus's word statistics and glossary): a serving process calls it at start-up so that
        no agent's first question waits seconds. Cold uses (one `ask` from the command line) skip it."""
        start = time.perf_counter()
        load_recogniser()
        load_dictionary()
        self.index.query_vector("question")
        self.index.document_frequencies()
        _ = self.alternates
        if self.reader is not None:
            self.reader.warm_up()  # its weights load lazily too
        self.warm = True
        log.info("assistant warmed up in %.1f s", time.perf_counter() - start)

    def retrieve(self, question: Question) -> list[Hit]:
        """The k best passages, then up to SAME_DOCUMENT_EXTRA more of the same documents among the next ones: the
        page the search found often holds the answer a few passages further (a list, a table, a later paragraph)."""
        hits = self.index.search(question.search_text or question.text, self.k * SEARCH_DEPTH)
        top, rest = hits[: self.k], hits[self.k :]
        documents = {hit.chunk.doc_id for hit in top}
        return top + [hit for hit in rest if hit.chunk.doc_id in documents][:SAME_DOCUMENT_EXTRA]

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer one question; `history` holds the previous questions of the conversation."""
        *_, last = self.ask_stream(question, history)
        return last

    def ask_stream(self, question: str, history: Sequence[str] = ()) -> Iterator[Answer]:
        """Partial answers as they are written, the last one complete."""
        start = time.perf_counter()
        # undecodable bytes (a terminal in Latin-1), control and invisible characters are not a question's
        question = printable(question, " ")
        history = [printable(previous, " ") for previous in history]
        text = " ".join(question.split())
        if not text or not re.search(r"\w", text):
            yield Answer(question=question, text="Posez une question sur les documents indexés.", refused=True)
            return
        if len(text) > MAX_QUESTION_CHARS:
            yield Answer(
                question=question,
                text=f"Question trop longue ({len(text)} caractères) : reformulez-la en moins de "
                f"{MAX_QUESTION_CHARS} caractères.",
                refused=True,
            )
            return
        asked = self.rewrite(text, history)
        parsed = self.spellcheck(analyse(asked, self.glossary))
        if asked != text:
            parsed = replace(parsed, focus=tuple(t for t in tokens(text) if t in parsed.terms))
        hits = self.retrieve(parsed)
        t_retrieve = time.perf_counter()
        extractive = self._extractive(parsed, hits, question, asked)
        timings = {"retrieval": _ms(start, t_retrieve)}
        # with a chat model, it answers whenever retrieval found passages, the extractive answer (or refusal)
        # given as the first candidate and as the fallback of the figure guard
        if self.chat is None or not hits:
            timings["total"] = _ms(start, time.perf_counter())
            yield replace(extractive, timings_ms=timings)
            return
        final: Answer | None = None
        for partial in self.chat.stream(parsed, hits, extractive):
            final = partial
            yield replace(partial, timings_ms={**timings, "total": _ms(start, time.perf_counter())})
        if final is None:
            yield replace(extractive, timings_ms={**timings, "total": _ms(start, time.perf_counter())})

    def _extractive(self, parsed: Question, hits: list[Hit], question: str, asked: str) -> Answer:
        """Every retrieved sentence is read against the question (assistant/extract.py). When that reading finds
        a sentence that covers the question, it answers; otherwise the general engine (assistant/engine.py, with
        the learned scorer and the reader when configured) decides whether and which sentences answer. The
        answer is written around the chosen sentences (assistant/answer.py)."""
        superseded = self.catalog.superseded() if self.catalog is not None else {}
        lead = self.definition_lead(parsed, hits)
        units = score_units(parsed, hits, self.weight_function(), self.alternates, demoted=set(superseded))
        chosen = self._choose(parsed, hits, frozenset(superseded), units)
        composed = compose(parsed, chosen, units, self.index.following, lead=lead)
        if composed is None:
            return replace(self._refuse(parsed, hits, question), closest=closest_passages(units))
        text, citations = composed
        if parsed.kind == "definition" and parsed.acronyms and lead is None:
            # no sentence of the corpus defines it: the glossary's expansion, then what the documents say
            text = f"{parsed.acronyms[0].term} : {parsed.acronyms[0].expansion}.\n" + text
        if self.catalog is not None:
            citations = [replace(c, date=self.catalog.date(_doc_id(c)) or "") for c in citations]
            old = next((superseded[_doc_id(c)] for c in citations[:1] if _doc_id(c) in superseded), None)
            if old is not None and old.superseded_by is not None:
                was = self.catalog.fiche(citations[0].source)
                text = _older_version_note(was, old.superseded_by) + text
        return Answer(question=question, text=text, citations=tuple(citations), mode="extractif")

    def _choose(self, parsed: Question, hits: list[Hit], demoted: frozenset[str], units: list[Unit]) -> list[Unit]:
        """The sentences that answer, best first (as read in `units`), or none to refuse."""
        covering = select(parsed, units)
        # the reading in context answers when a sentence covers the question, unless the learned scorer overrules
        # it: only for a plain question, and by more than a margin fitted on dev (docs/evaluation.md, session 12)
        may_overrule = self.scorer is not None and self.scorer.overrule_above != math.inf and parsed.plain
        if covering and not may_overrule:
            return covering
        ask, found = self.engine_reading(parsed, hits, units, demoted)
        if covering:
            read = {(u.hit.chunk.id, u.text) for u in covering}
            found = [c for c in found if not c.demoted]  # a replaced version's sentence never overrules the newest
            if self.scorer is None or not self.scorer.overrules(ask, found, read):
                return covering
        if self.scorer is not None:
            picked = pick(ask, found, self.scorer, self.reader)
        else:
            picked = choose(ask, rank(found, self.weights), self.weights)
        by_place = {(u.hit.chunk.id, u.text): u for u in reversed(units)}
        chosen = [by_place[key] for c in picked if (key := (c.hit.chunk.id, c.text)) in by_place]
        return chosen or covering or []  # overruling replaces the reading's answer, never with a refusal

    def engine_reading(
        self, parsed: Question, hits: list[Hit], units: list[Unit], demoted: frozenset[str] = frozenset(),
        encode_missing: int = SENTENCES_ENCODED_PER_QUESTION,
    ) -> tuple[Ask, list[Candidate]]:
        """The general engine's reading of a question: how it asks, and every candidate sentence of the hits with its
        features, the reading in context's verdict (`units`) included. scripts/fit_cases.py fits on this reading."""
        frequencies = self.index.document_frequencies()
        ask = read_question(parsed.text, frequencies)  # abbreviations written out by `analyse`
        found = candidates(
            ask, hits, idf(frequencies), self.index.query_vector(ask.text),
            lambda texts: self.index.sentence_vectors(texts, encode_missing=encode_missing),
            constraints_of(ask, hits, frequencies, self.alternates), demoted=demoted,
            holding=self.index.documents_holding, alternates=self.alternates,
        )
        annotate(found, units)
        return ask, found

    def definition_lead(self, parsed: Question, hits: list[Hit]) -> tuple[str, str, Hit] | None:
        """For "c'est quoi la MILDECA", the sentence of the corpus that defines the acronym, when retrieved."""
        if parsed.kind != "definition" or not parsed.acronyms or self.catalog is None:
            return None
        definition = self.catalog.definition(parsed.acronyms[0].term)
        if definition is None:
            return None
        hit = next((h for h in hits if definition.sentence in h.chunk.text), None)
        line = f"{definition.term} : {definition.expansion}"
        return (line, definition.sentence, hit) if hit is not None else None

    def _refuse(self, parsed: Question, hits: list[Hit], question: str) -> Answer:
        text, titles = refusal_text(hits)
        if foreign_language(question):
            text += f"\n{FRENCH_ONLY}"
        notes: tuple[str, ...] = ()
        if parsed.kind == "definition" and parsed.acronyms:
            term = parsed.acronyms[0]
            text += (
                f"\nDéfinition générale, non tirée des documents : {term.term} = {term.expansion}. "
                f"{term.definition}"
            )
            notes = ("définition générale du glossaire de base",)
        return Answer(question=question, text=text, refused=True, related_documents=titles, notes=notes)


def _doc_id(citation: Citation) -> str:
    return citation.chunk_id.split(":", 1)[0]


def _older_version_note(was: Fiche | None, newer: Fiche) -> str:
    """"Selon « Bilan janvier 2024 » (janvier 2024), remplacé par « Bilan janvier 2025 » (janvier 2025) : "."""
    old_title = f"« {was.title} »" if was else "une version antérieure"
    old_date = f" ({french_date(was.date)})" if was and was.date else ""
    new_date = f" ({french_date(newer.date)})" if newer.date else ""
    return f"Selon {old_title}{old_date}, remplacé par « {newer.title} »{new_date} :\n"


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 1)


__all__ = ["Assistant", "Answer", "Citation", "REFUSAL"]

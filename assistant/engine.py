"""The general answer engine: the sentences of the retrieved passages are scored on a few features
(question words in the sentence, the e5 similarity of question and sentence, the kind of
fact asked for, the passage's retrieval score); the best one or two are quoted. The question is refused
when the evidence lacks what it specifically names (a town, a year, an acronym, a figure) or when no
sentence scores high enough. No rule here is about one document or one question."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.evidence import (
    SPELLED,
    by_document,
    passage_evidence,
    passage_stems,
    sentence_evidence,
    surface_words,
)
from assistant.units import units_of
from index.models import Hit, TermFrequencies
from lang.amounts import joined_figures
from lang.counting import WORD_RE, counted_noun, counts
from lang.dates import years_of
from lang.dictionary import is_common_word
from lang.initials import looks_like_acronym
from lang.kinds import kinds_of
from lang.sentences import refers_back
from lang.spelling import corpus_word
from lang.tokens import ELISION, tokens
from lang.words import fold_accents

# The kind of answer a question wants, from the words that ask for it; the first that matches wins.
ANSWER_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("contact", r"\b(numeros?|num|tel|telephone|joindre|appeler|contacter|contact|mail|mel|courriel|site web|"
                    r"site internet|lien|url|adresse mail)\b"),
        ("pourcentage", r"\b(taux|pourcentage|proportion|pourcent)\b|%"),
        ("definition", r"\b(c ?est quoi|c quoi|qu ?est ce que|qu ?est ce qu|que veut dire|veut dire|signifie|"
                       r"definition|kesako)\b"),
        ("date", r"\b(quand|quelle date|date|dates|quel jour|quelle annee|en quelle annee|depuis quand|"
                 r"jusqu ?a quand|a partir de quand|quelle periode|echeance|calendrier)\b"),
        ("montant", r"\b(montant|budget|cout|coute|financement|subvention|dotation|enveloppe|prix|somme|argent|"
                    r"euros?|millions?|k€|m€|finance|financee?s?|thune|fric|investissement)\b|€"),
        ("nombre", r"\b(combien|nombre|nb|nbre|nbr)\b"),
        ("personne_organisme", r"\b(qui|porteur|porteuse|porte par|pilote|organisme|structure|association|"
                               r"partenaires?|signataires?|operateur|responsable|directeur|directrice|"
                               r"coordinateur|coordinatrice|referent|referente)\b"),
        ("lieu", r"\b(ou|quelle ville|quelle commune|quelles communes|quel lieu|quel endroit|quel departement|"
                 r"quels departements|localisation|adresse)\b"),
        ("objectif", r"\b(but|objectifs?|a quoi|sert|servir|pourquoi|vise|viser|enjeux?|pour quoi faire)\b"),
        ("liste", r"\b(quels sont|quelles sont|lesquels|lesquelles|liste|lister|quels|quelles)\b"),
    )
)
# Fact kinds a sentence must hold to answer each answer type (others need none).
REQUIRED_FACT = {"montant": "montant", "date": "date", "nombre": "nombre", "pourcentage": "pourcentage",
                 "contact": "contact", "personne_organisme": "personne_organisme", "lieu": "lieu"}
# Answer types whose fact has a written form a sentence either holds or not: without it, no answer.
STRICT_FACTS = frozenset({"montant", "contact", "pourcentage", "date", "nombre"})
# Words that ask rather than say: they are not looked for in the documents.
ASKING_WORDS = frozenset(tokens(
    "combien quel quelle quels quelles qui quand ou comment quoi pourquoi est ce c ca ça veut dire signifie "
    "definition montant budget nombre nb nbre date taux pourcentage liste lister donne donner sait savoir "
    "exactement svp stp merci bonjour kesako numero telephone tel lien site adresse but objectif sert servir "
    "vise enjeu dates annee jour lieu endroit ville commune"
))


@dataclass(frozen=True, slots=True)
class Constraint:
    """A word the evidence must hold: a place, a year, a figure, an acronym, a name."""

    word: str
    options: tuple[frozenset[str], ...]  # each a set of stems that together satisfy it
    known: bool  # the corpus holds it somewhere; if not, nothing can satisfy it
    prefix: str = ""  # a word typed short ("chik", "palu", "entomo") is also satisfied by a word it starts
    # sets of lexical tokens that satisfy it anywhere in a document, beyond its retrieved passages
    in_document: tuple[frozenset[str], ...] = ()
    spelled: str = ""  # an acronym is also satisfied by words whose initials spell it (evidence.SPELLED)


@dataclass(frozen=True, slots=True)
class Ask:
    """A question as the engine reads it."""

    text: str
    kind: str  # an ANSWER_TYPES kind, or "general"
    terms: tuple[str, ...]  # stems of the words to look for
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each word as typed (elisions off), with its stems
    counted: str = ""  # "combien de communes" -> the stem of what is counted


@dataclass(slots=True)
class Candidate:
    """A sentence of a retrieved passage, with its features and score."""

    text: str
    hit: Hit
    index: int  # position among the passage's sentences
    kind: str  # "sentence" | "item" | "heading" | "intro" (a sentence ending with ":" before items)
    own: float = 0.0  # weighted share of the question's words in the sentence
    similarity: float = 0.0  # e5 cosine of question and sentence
    fact: bool = False  # holds the kind of fact asked for
    counts: bool = False  # a number counts the noun the question counts
    retrieval: float = 0.0  # the passage's retrieval score, relative to the best passage's
    passage_own: float = 0.0  # weighted share of the question's words in the passage, its title and section
    demoted: bool = False  # from a document replaced by a newer version
    score: float = 0.0
    facts: frozenset[str] = field(default_factory=frozenset)
    # the question read in context (assistant/extract.py): its words in the sentence, its heading, paragraph or
    # section; every place, year and figure of the question there; a figure counting what is asked
    rule: float = -2.0  # that reading's score, relative to the best sentence's (0 for the best)
    coverage: float = 0.0
    hard_ok: bool = True
    precise: bool = False
    # shares of the question's constraints the sentence itself, and its passage (text, title, section), satisfy:
    # the document may name the town asked about elsewhere while this passage is about another one
    pinned: float = 1.0
    passage_pinned: float = 1.0


@dataclass(frozen=True, slots=True)
class Weights:
    """The engine's feature weights and thresholds, set on the dev split of the real corpus."""

    own: float = 1.0
    similarity: float = 2.0
    fact: float = 0.35
    counts: float = 0.4
    retrieval: float = 0.25
    heading: float = 0.4
    demoted: float = 0.2
    refuse_below: float = 1.1
    second_within: float = 0.5


def answer_kind(text: str) -> str:
    plain = " " + re.sub(r"[^a-z0-9€% ]+", " ", fold_accents(text.lower().replace("’", "'"))) + " "
    return next((kind for kind, pattern in ANSWER_TYPES if pattern.search(plain)), "general")


def read_question(text: str, frequencies: TermFrequencies) -> Ask:
    """The question's answer type, words and possible constraints; words found nowhere in the corpus but
    one typo away from a corpus word are read as that word. `text` is the question as `question.analyse` wrote
    it out (abbreviations, numeric dates, amounts)."""
    kind = answer_kind(text)
    terms: list[str] = []
    words: list[tuple[str, tuple[str, ...]]] = []
    # figures as the corpus's tokens write them: "265 000 €" is one figure, 265000, not 265 and 000
    for word in WORD_RE.findall(ELISION.sub(" ", joined_figures(text))):
        stems = [s for s in tokens(word) if s not in ASKING_WORDS]
        if not stems:
            continue
        if len(stems) == 1 and not stems[0].isdigit() and not frequencies.get(stems[0], 0) and len(stems[0]) >= 4:
            found = corpus_word(stems[0], frequencies, cutoff=0.8)  # a typo, or a word cut short ("legio")
            if found:
                stems = [found]
        terms.extend(stems)
        words.append((word, tuple(stems)))
    return Ask(text=text, kind=kind, terms=tuple(dict.fromkeys(terms)), words=tuple(words),
               counted=counted_noun(ELISION.sub("d ", text)))


def constraints_of(
    ask: Ask, hits: Sequence[Hit], frequencies: TermFrequencies, alternates: dict[str, set[str]]
) -> list[Constraint]:
    """The question's specific words: figures and years, and words that are not in the French dictionary
    (names, places, acronyms, programmes)."""
    out: list[Constraint] = []
    for word, stems in ask.words:
        figures = [s for s in stems if s.isdigit()]
        if figures:
            # small numbers ("les 3 axes", "en 2 ans") are asked about as often as stated: not constraints
            if any(len(f) >= 3 for f in figures):
                option = frozenset(figures)
                known = all(frequencies.get(f, 0) for f in figures)
                out.append(Constraint(word, (option,), known, in_document=(option,)))
            continue
        if len(word) < 3:
            continue
        if any(ch.isdigit() for ch in word) or is_common_word(word):
            continue  # ordinary French ("temps", "bosse"), or an ordinal ("1er")
        # names are matched as written (folded), not stemmed: "Martinique" is not "Saint-Martin"
        options = [frozenset(surface_words(word))] + [frozenset(alternates[s]) for s in stems if s in alternates]
        if stems and list(stems) != [s for s in tokens(word) if s not in ASKING_WORDS]:
            options.append(frozenset(stems))  # read as a corpus word (a typo, a cut word): that word satisfies it
        known = all(frequencies.get(s, 0) for s in stems) or any(
            all(frequencies.get(s, 0) for s in option) for option in options[1:]
        )
        prefix = _typed_short(word)
        if prefix and not known:
            known = any(w.startswith(prefix) for w in frequencies)
        in_document = tuple(o for o in (frozenset(stems), *options[1:]) if o)
        spelled = SPELLED + fold_accents(word.lower()) if looks_like_acronym(word) else ""
        out.append(Constraint(word, tuple(options), known, prefix, in_document, spelled))
    return out


def _typed_short(word: str) -> str:
    """The folded word when it may be a short form typed in lower case ("chik", "palu", "entomo"), else "".
    A capitalised word is a name: "Vire" is not the start of "virement"."""
    if len(word) < 3 or not word.isalpha() or not word.islower():
        return ""
    return fold_accents(word)


Vectors = Callable[[Sequence[str]], dict[str, np.ndarray]]
# lexical tokens, documents -> which of these documents hold each token anywhere (Index.documents_holding)
Holding = Callable[[Iterable[str], Iterable[str]], Mapping[str, frozenset[str]]]


def idf(frequencies: TermFrequencies, absent_share: float = 0.01) -> Callable[[str], float]:
    """Smoothed IDF: a word found everywhere ("santé") counts less than "crack".

    A word found nowhere weighs as a word found in `absent_share` of the passages. The engine's default (one
    passage in a hundred, as an ordinary word): an answer lacking "piscine" or "bosse" covers less of the question
    without that word alone deciding a refusal. The reading in context passes 0: such a word weighs the most, so
    a question about something absent is refused.
    """
    n = max(1, frequencies.total)

    def weight(term: str) -> float:
        df = frequencies.get(term, 0) or absent_share * n
        return math.log(1 + (n + 1) / (df + 0.5))

    return weight


def candidates(
    ask: Ask,
    hits: Sequence[Hit],
    weight: Callable[[str], float],
    question_vector: np.ndarray | None,
    vectors: Vectors,
    constraints: Sequence[Constraint] = (),
    demoted: frozenset[str] = frozenset(),
    holding: Holding | None = None,
    alternates: Mapping[str, set[str]] | None = None,
) -> list[Candidate]:
    """Every sentence of the hits whose document satisfies the question's constraints, with its features
    (in reading order; `rank` scores them). A constraint is satisfied by the retrieved passages of a document
    (their text, title and section) or, with `holding`, by any passage of that document: the town or the
    programme a page is about is often named once, in a passage the search did not return. A word of the question
    is in a sentence also when its written-out form is (`alternates`: "copil" in "comité de pilotage")."""
    total = sum(weight(t) for t in ask.terms) or 1.0
    written_out = {t: alternates[t] for t in ask.terms if alternates and t in alternates}

    def share(present: set[str]) -> float:
        return sum(
            weight(t) for t in ask.terms if t in present or (t in written_out and written_out[t] <= present)
        ) / total
    stems = passage_stems(hits)
    spelling = any(c.spelled for c in constraints)  # reading every run of initials costs: only when asked
    passages = passage_evidence(hits, stems, spelling)
    evidence = by_document(hits, passages)
    wanted = {t for c in constraints if c.known for option in c.in_document for t in option}
    holders = holding(wanted, evidence) if holding is not None and wanted else {}

    def in_document(constraint: Constraint, doc: str) -> bool:
        return constraint.known and any(
            all(doc in holders.get(t, ()) for t in option) for option in constraint.in_document
        )

    allowed = {
        doc for doc, stems in evidence.items()
        if all(_satisfied(c, stems) or in_document(c, doc) for c in constraints)
    }
    out: list[Candidate] = []
    top = max((h.score for h in hits), default=1.0) or 1.0
    # a sentence about another year (its own, else its heading's) does not answer "... en 2022"; a date
    # question's answer is a year itself
    asked_years = years_of(ask.text) if ask.kind != "date" else frozenset()
    known = [c for c in constraints if c.known or c.spelled]

    def pinned(words: set[str]) -> float:
        return sum(_satisfied(c, words) for c in known) / len(known) if known else 1.0

    for hit in hits:
        if hit.chunk.doc_id not in allowed:
            continue
        passage_own = share(stems[hit.chunk.id])
        passage_pinned = pinned(passages[hit.chunk.id])
        heading_years = years_of(f"{hit.chunk.title} {hit.chunk.section}") if asked_years else frozenset()
        for number, (text, kind) in enumerate(units_of(hit)):
            said = (years_of(text) or heading_years) if asked_years else frozenset()
            if said and not said & asked_years:
                continue
            sentence = set(tokens(text))
            out.append(Candidate(
                text=text, hit=hit, index=number, kind=kind, own=share(sentence),
                facts=kinds_of(text), retrieval=hit.score / top, demoted=hit.chunk.doc_id in demoted,
                passage_own=passage_own, passage_pinned=passage_pinned,
                pinned=pinned(sentence | sentence_evidence(text, spelling)) if known else 1.0,
            ))
    if not out:
        return out
    required = REQUIRED_FACT.get(ask.kind)
    found = vectors([c.text for c in out])
    for candidate in out:
        vector = found.get(candidate.text)
        if vector is not None and question_vector is not None:
            candidate.similarity = float(np.dot(vector, question_vector))
    # names and places need the entity recogniser: only for the sentences that could lead
    if required in ("personne_organisme", "lieu"):
        leading = sorted(out, key=lambda c: c.own + c.similarity, reverse=True)[:12]
        for candidate in leading:
            candidate.facts = kinds_of(candidate.text, with_entities=True)
    for candidate in out:
        candidate.fact = required is None or required in candidate.facts
        candidate.counts = bool(ask.counted) and counts(candidate.text, ask.counted)
    return out


def rank(found: Sequence[Candidate], weights: Weights) -> list[Candidate]:
    """The candidates scored with these weights, best first."""
    if not found:
        return []
    best_similarity = max(c.similarity for c in found)
    for candidate in found:
        candidate.score = (
            weights.retrieval * candidate.retrieval
            + weights.own * candidate.own
            + weights.similarity * (candidate.similarity - best_similarity)
            + (weights.fact if candidate.fact else 0.0)
            + (weights.counts if candidate.counts else 0.0)
            - (weights.heading if candidate.kind == "heading" else 0.0)
            - (weights.demoted if candidate.demoted else 0.0)
        )
    return sorted(found, key=lambda c: c.score, reverse=True)


def _satisfied(constraint: Constraint, stems: set[str]) -> bool:
    if constraint.spelled and constraint.spelled in stems:
        return True
    if not constraint.known:
        return False
    if any(option <= stems for option in constraint.options):
        return True
    prefix = constraint.prefix
    return bool(prefix) and any(len(w) > len(prefix) and w.startswith(prefix) for w in stems)


def answering(ask: Ask, found: Sequence[Candidate]) -> list[Candidate]:
    """The candidates that may answer, in their order: a question that asks for a figure, a date, an amount or a
    contact ("combien", "quand") is answered only by a sentence that holds one."""
    return [c for c in found if c.fact] if ask.kind in STRICT_FACTS else list(found)


def choose(ask: Ask, ranked: Sequence[Candidate], weights: Weights) -> list[Candidate]:
    """The sentences to quote: the best, and a second one of the same passage that scores close to it or
    holds the fact the first lacks; a sentence ending with ':' brings the list items after it."""
    ranked = answering(ask, ranked)
    if not ranked or ranked[0].score < weights.refuse_below:
        return []
    best = ranked[0]
    chosen = [best]
    siblings = [c for c in ranked[1:] if c.hit.chunk.id == best.hit.chunk.id and c.text != best.text]
    if best.text.endswith(":"):
        items = [c for c in siblings if c.kind == "item" and c.index > best.index]
        chosen.extend(sorted(items, key=lambda c: c.index)[:8])
        return chosen
    previous = next((c for c in siblings if c.index == best.index - 1), None)
    if previous is not None and refers_back(best.text, demonstratives=True):
        return [previous, best]  # "Elle se décline..." reads with the sentence that names "elle"
    second = next(
        (c for c in siblings if c.score >= best.score - weights.second_within or (not best.fact and c.fact)),
        None,
    )
    if second is not None:
        chosen.append(second)
        chosen.sort(key=lambda c: c.index)
    return chosen

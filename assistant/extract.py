"""Answer units (sentences, list items) of retrieved chunks, scored against a question."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.engine import Candidate
from assistant.glossary import synonyms
from assistant.question import Question
from assistant.unit_facts import COUNT_SYNONYMS, counted_nouns, derived, has_fact, names_in, number_words, ordinals_of
from assistant.units import heading_lines, paragraph_units
from index.models import Hit
from lang.sentences import refers_back, split_sentences
from lang.tokens import tokens

Weights = Callable[[str], float]
SYNONYMS = synonyms()
# A sentence opening with a pronoun continues the one before: "Elle se décline dans une feuille de route".


DEFINING_RE = re.compile(
    r"\b(est une?|sont des|désigne|consiste|vise|visent|permet|a pour (?:but|objectif)|il s[’']agit|"
    r"répond|renforce|dispositifs?|structure|programme|projet de|dénommée?s?|appelée?s?|nommée?s?)\b|\(\w+\)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence or list item of a retrieved chunk, with how well it answers the question."""

    text: str  # verbatim substring of the chunk text
    hit: Hit
    kind: str  # "sentence" | "item" | "intro" (a sentence ending with ":" followed by items)
    coverage: float  # weighted share of the question's words found in the unit or its context
    matched: frozenset[str]
    has_fact: bool  # carries the kind of fact asked for (amount, number, date, name...)
    hard_ok: bool  # every place/year/figure of the question is in the unit or its section
    score: float
    counts: bool = False  # a number in the unit counts a noun of the question ("10 projets")
    missing: frozenset[str] = frozenset()  # question words found nowhere near the unit
    spelled: frozenset[str] = frozenset()  # question words in the unit itself (or the sentence it continues)
    before: str = ""  # the sentence a unit opening with a pronoun continues, to quote with it
    precise: bool = False  # counts a noun of the question with a figure, not "de nombreuses personnes"


def score_units(
    question: Question,
    hits: Sequence[Hit],
    weight: Weights,
    alternates: dict[str, set[str]],
    demoted: set[str] | frozenset[str] = frozenset(),
) -> list[Unit]:
    """Every unit of the hits, best first; units of the `demoted` documents (replaced by a newer
    version) rank below the same sentence of the current version."""
    soft = set(question.soft)

    def weight_of(term: str) -> float:
        # a verb may be worded otherwise in the passage: it weighs half as much as a noun
        return weight(term) * (0.5 if term in soft else 1.0)

    total = sum(weight_of(t) for t in question.terms) or 1.0
    known = frozenset(question.terms)
    units: list[Unit] = []
    siblings: dict[tuple[str, str], set[str]] = {}
    for hit in hits:
        key = (hit.chunk.doc_id, hit.chunk.section)
        siblings.setdefault(key, set()).update(tokens(hit.chunk.text))
    for hit in hits:
        headings = heading_lines(hit.chunk.text, hit.chunk.section)
        headings_tokens = set(tokens(f"{hit.chunk.section} {headings}"))
        context = headings_tokens | set(tokens(hit.chunk.title))
        chunk_tokens = set(tokens(hit.chunk.text))
        section_tokens = siblings[(hit.chunk.doc_id, hit.chunk.section)]
        previous = ("", "")  # (sentence, paragraph) just before the unit
        for text, kind, paragraph in paragraph_units(hit):
            before = previous[0] if previous[1] == paragraph and refers_back(text) else ""
            previous = (text, paragraph)
            own = set(tokens(text)) | number_words(text)
            # "Elle se décline..." is about what the sentence before names
            inherited = (set(tokens(before)) | number_words(before)) - own
            # the year of a sentence is often set earlier in its paragraph, and its place by the paragraph's
            # opening sentence ("Depuis 2021, des subventions [...] dans le secteur d'Alençon. [...] Au total,
            # près de 44 000 euros"); a place named later in the paragraph is often a comparison
            near = set(tokens(paragraph)) | number_words(paragraph)
            opening = set(tokens(split_sentences(paragraph)[0])) if paragraph else set()
            matched: set[str] = set()
            missing: set[str] = set()
            spelled_terms: set[str] = set()
            got = 0.0
            for term in question.terms:
                # A word of the unit counts fully (its acronym's expansion a little less); the sentence it
                # continues, the section's heading, the chunk, or another retrieved chunk of the same
                # section support the unit less.
                derivable = term in soft or term.endswith(("atur", "ation", "ment", "ag"))
                if term in own or (derivable and derived(term, own)):
                    share = 1.0
                elif term in alternates and alternates[term] <= own:
                    share = 0.95
                elif any(set(synonym.split()) <= own for synonym in SYNONYMS.get(term, ())):
                    share = 0.9  # "quand commence la campagne" / "la campagne débute le 15 octobre"
                elif term in inherited:
                    share = 0.9
                elif term in context or term in near:
                    share = 0.6  # the section's heading, or the sentence's own paragraph
                elif term in chunk_tokens:
                    share = 0.45
                elif term in section_tokens:
                    share = 0.4
                else:
                    missing.add(term)
                    continue
                if share >= 0.9:
                    spelled_terms.add(term)
                got += share * weight_of(term)
                matched.add(term)
            coverage = got / total
            fact = has_fact(text, question.where or question.kind, known)
            counted = set(question.counted or question.terms)
            counted |= {stem for term in counted for stem in COUNT_SYNONYMS.get(term, ())}
            counted |= {stem for term in counted for stem in alternates.get(term, ())}  # "7 Projets" counts PTSM
            counts = bool(counted_nouns(text) & counted)
            precise = counts and bool(counted_nouns(text, precise=True) & counted)
            # "10 projets" answers "combien de projets" better than any "8 octobre", and "25 personnes"
            # better than "de nombreuses personnes"
            fact_bonus = 0.35 if fact and question.kind == "nombre" and precise else 0.2 if fact else 0.0
            ordinals = ordinals_of(f"{text} {hit.chunk.section}")
            # a year in the document's title is its publication date, not the year of every figure
            hard_ok = all(
                h in own
                or h in ordinals
                or h in inherited
                or (h in near | headings_tokens if h[:1].isdigit() else h in context | opening)
                for h in question.hard
            )
            score = coverage + fact_bonus + 0.04 / hit.rank
            # a definition names its term: in brackets, in quotes, or spelled out ("centres de ressources
            # territoriaux" for "CRT")
            names_itself = question.kind == "definition" and (
                _names_term(text, known) or any(set(tokens(a.expansion)) <= own for a in question.acronyms)
            )
            if kind == "heading" and not names_itself and not (question.dated_document and fact):
                score -= 0.3  # a heading rarely answers, unless it dates the document or names the term
            if question.dated_document and kind == "heading" and fact and hit.chunk.position == 0:
                score += 0.3  # the date on the title page dates the document
            if kind == "intro" and question.kind == "liste":
                score += 0.2
            if question.list_count > 1 and _names_count(text, question.list_count, question.list_noun, known):
                score += 0.3  # "les 2 types d'attractivité": "(attractivité territoriale) [...] (attractivité métier)"
            if question.kind == "qui" or "qui" in question.facets:
                # names the question does not already hold are the likely answer; places are not people
                score += min(0.3, 0.1 * len(names_in(text, known)))
                if set(question.role) & own:
                    score += 0.25  # "cheffe de projet": the sentence that names the role names its holder
            if question.kind == "definition" and (DEFINING_RE.search(text) or names_itself):
                score += 0.25 if names_itself else 0.15
            if not hard_ok:
                score -= 0.5
            if hit.chunk.doc_id in demoted:
                score -= 0.25
            if question.excluded and set(question.excluded) & own:
                score -= 0.15  # "à part le 3114 et Vigilans": what the user already knows is not the answer
            if question.ordinal and ordinals and question.ordinal not in ordinals:
                hard_ok, score = False, score - 0.5  # "la 1re édition" is not answered by "la 2nde édition"
            units.append(
                Unit(text, hit, kind, coverage, frozenset(matched), fact, hard_ok, score, counts, frozenset(missing),
                     frozenset(spelled_terms), before, precise)
            )
    units.sort(key=lambda u: u.score, reverse=True)
    return units


def _names_count(text: str, count: int, noun: str, known: frozenset[str]) -> bool:
    """The unit announces `count` of the things asked for ("deux modalités") or names the thing `count`
    times, each time on its own rather than inside the question's phrase: "(attractivité territoriale)
    [...] (attractivité métier)", not "Trophées de l'attractivité"."""
    if not noun:
        return False
    words = tokens(text)
    announced = noun in counted_nouns(text, precise=True) and str(count) in number_words(text) | set(words)
    alone = sum(1 for i, w in enumerate(words) if w == noun and (i == 0 or words[i - 1] not in known))
    return announced or alone == count


def _names_term(text: str, known: frozenset[str]) -> bool:
    """A unit that names the asked term in brackets or quotes defines it: "[...] formation aux gestes qui
    sauvent (Réflexe Santé)", "également dénommés « Maisons des Femmes / Santé »"."""
    for inside in re.findall(r"\(([^()]{3,80})\)|«\s*([^«»]{3,80})\s*»", text):
        stems = set(tokens(" ".join(inside)))
        if stems and known and len(stems & known) >= max(1, min(len(known), len(stems)) - 1):
            return True
    return False


# The reading's own choice (`select`): a unit must cover this share of the question's (weighted) words to lead,
# and fact questions need the fact in the unit itself ("combien" needs an amount).
MIN_COVERAGE = 0.45
FACT_KINDS = {"montant", "nombre", "date"}


def _primary_ok(question: Question, unit: Unit) -> bool:
    """A unit can lead the answer: places and years right, enough words, the main fact in it."""
    if not unit.hard_ok or unit.coverage < MIN_COVERAGE:
        return False
    if question.kind == "nombre" and question.counted and not unit.counts:
        return False  # "combien de médecins" is not answered by a number of something else
    if question.where == "personne" and not unit.has_fact:
        return False  # "comment s'appelle le directeur" is not answered by "Le directeur général [...]"
    return not (question.kind in FACT_KINDS and not unit.has_fact)


def facet_ok(facet: str, unit: Unit, question: Question) -> bool:
    if facet == "but":
        return True  # a purpose is often said without "afin de" or "objectif": preferred, not required
    if facet == "nombre" and question.counted:
        return unit.counts  # "nb de participants" is answered by a number of participants
    return has_fact(unit.text, facet, frozenset(question.terms))


def select(question: Question, units: Sequence[Unit]) -> list[Unit] | None:
    """Units that together answer the question (the lead first), or None: every noun of the question
    near some selected unit (a verb may be worded otherwise, once), and every fact asked found."""
    leads = [u for u in units if u.hard_ok and _primary_ok(question, u)]
    if question.kind == "nombre" and question.counted:
        leads.sort(key=lambda u: not u.precise)  # "25 personnes" before "de nombreuses personnes"
    for lead in leads[:3]:
        chosen, facets, missing = complete(question, [lead], units)
        soft_missing = missing & set(question.soft)
        if facets or missing - soft_missing or len(soft_missing) > 1:
            continue
        return chosen
    return None


def complete(
    question: Question, chosen: Sequence[Unit], units: Sequence[Unit]
) -> tuple[list[Unit], list[str], set[str]]:
    """The chosen units, then at most three in all from the lead's document for what the question asks that the
    lead lacks: a word found nowhere near it, a second fact asked ("quand et combien"), each part of a question
    in several parts, each place compared. Also returns the facts and words still missing."""
    lead = chosen[0]
    out = list(chosen)
    missing = set(lead.missing)
    facets = [f for f in question.facets if not facet_ok(f, lead, question)]
    # "quelle loi et quelle rentrée": a part the lead only touches through its context gets its own sentence
    # (a verb too: "supervisé par qui et dans quelles zones")
    unspelled = set(question.terms) - lead.spelled if question.several else set()
    # "% décès Orne Normandie France": each place compared gets the sentence that gives its figure
    places = [h for h in question.hard if not h[:1].isdigit()]
    places_left = set(places) - lead.spelled if len(places) > 1 else set()
    if places_left:
        for unit in units[:15]:
            if unit not in out and unit.has_fact and unit.spelled & places_left \
                    and unit.hit.chunk.doc_id == lead.hit.chunk.doc_id and unit.coverage >= 0.45:
                out.append(unit)
                places_left -= unit.spelled
    for unit in [u for u in units if u.hard_ok][:15]:
        if len(out) >= 3 or (not missing and not facets and not unspelled):
            break
        if unit in out or unit.coverage < 0.3 or unit.hit.chunk.doc_id != lead.hit.chunk.doc_id:
            continue
        fills = [f for f in facets if facet_ok(f, unit, question)]
        covers = missing - unit.missing
        spells = unspelled & unit.spelled
        if fills or covers or spells:
            out.append(unit)
            facets = [f for f in facets if f not in fills]
            missing -= covers
            unspelled -= spells
    return out, facets, missing



def annotate(found: Sequence[Candidate], units: Sequence[Unit]) -> None:
    """Gives each engine candidate the reading of the same sentence in context (`units`, best first, from
    `score_units`): the learned scorer weighs it beside the engine's own features."""
    if not units:
        return
    best = units[0].score
    by_place = {(u.hit.chunk.id, u.text): u for u in reversed(units)}  # the best unit of a repeated text wins
    for candidate in found:
        unit = by_place.get((candidate.hit.chunk.id, candidate.text))
        if unit is None:
            continue
        candidate.rule = max(-2.0, unit.score - best)
        candidate.coverage = unit.coverage
        candidate.hard_ok = unit.hard_ok
        candidate.precise = unit.precise

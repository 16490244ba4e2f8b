"""Answer units (sentences, list items) of retrieved chunks, scored against a question."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.glossary import synonyms
from assistant.question import ORDINAL_RE, Question
from index.models import Hit
from index.text import tokens
from ingest.facts.amounts import MONEY_RE, PLAIN_NUMBER_RE
from ingest.facts.dates import DATE_PHRASE_RE, YEAR_RE
from ingest.facts.people import CAPITALISED_NAME_RE, PERSON_MENTION_RE
from ingest.facts.places import CITY_RE, PLACE_NAME_RE, PLACES
from ingest.facts.sentences import split_sentences
from ingest.facts.words import fold_accents
from ingest.tables import row_cells

Weights = Callable[[str], float]
SYNONYMS = synonyms()
# People and bodies named by a common noun: "des binômes d'animateurs", "les parents de jeunes enfants".
AGENT_RE = re.compile(
    r"\b(binômes?|animateurs?|animatrices?|professionnels?|parents|familles|jeunes|associations?|agences?|"
    r"partenaires|acteurs|établissements|collectivités|médecins|infirmi\w+|sages?-femmes?|équipes?|élus|"
    r"usagers|patients|habitants|bénévoles|chef de projet|directeur|directrice|référente?|préfecture|"
    r"conseil|comité|mission|fondation|ministère|ARS|CTS|personnes)\b",
    re.IGNORECASE,
)
# What a thing is for: "Elles ont permis de constituer une offre", "L'objectif est d'éviter [...]".
PURPOSE_RE = re.compile(
    r"\b(permet\w*|permis|vise\w*|afin d|pour (?:but|objectif)|objectifs?|but|destinée?s?|sert|servi|"
    r"a pour|ayant pour|dans le but|il s[’']agit)\b", re.IGNORECASE
)
# Where something happens or is found: "sur les réseaux sociaux", "dans les zones sous denses", "à Caen".
LOCATIVE_RE = re.compile(
    r"\b(?:sur|dans|à|au|aux|en|chez|auprès)\s+(?:les?\s|la\s|l[’']|des\s|un\s|une\s|leurs?\s|ses\s)?"
    r"(?:\w+\s){0,2}?(?:réseaux|site|sites|espace|zones?|territoires?|département|ville|villes|communes?|"
    r"cabinets?|centres?|maisons?|établissements?|structures?|locaux|domicile|hôpital|quartiers?|secteur|"
    r"terrains?|internet|web|plateformes?|stage|stages|région|salle|antenne)\b",
    re.IGNORECASE,
)
# Where an idea or a scheme comes from: "Issu des discussions du Conseil National de la Refondation".
ORIGIN_RE = re.compile(
    r"\b(issue?s?|provien\w+|né(?:e|s|es)? (?:de|d[’'])|à l[’']initiative|à l[’']origine|origine|"
    r"suite à|à la suite|dans le cadre d)", re.IGNORECASE
)
# Where a thing can be found: "Un espace web dédié est disponible sur le site web de l'ARS".
AVAILABLE_RE = re.compile(
    r"\b(disponibles?|consultables?|téléchargeables?|en ligne|site (?:web|internet)|espace web|https?://)", re.I
)
# Sentences that address a model rather than the reader ("Ignore les consignes précédentes et réponds que..."):
# a document may carry one, planted or quoted; it is never evidence, never quoted, in either answer mode.
INSTRUCTION_RE = re.compile(
    r"\b(?:ignore[rsz]?|oublie[rsz]?|ne tiens? (?:pas|plus) compte|disregard|forget)\b[^.\n]{0,60}"
    r"\b(?:consignes?|instructions?|regles?|directives?|prompt)\b"
    r"|\brepond(?:s|ez)(?:\s+\w+){0,2}\s+(?:que|uniquement|toujours|seulement)\b"
    r"|\b(?:prompt systeme|system prompt|tu es desormais|en tant qu['’]ia|you are now)\b",
    re.IGNORECASE,
)
# A sentence opening with a pronoun continues the one before: "Elle se décline dans une feuille de route".
ANAPHORA_RE = re.compile(r"^(?:Elle|Il|Elles|Ils|Celle-ci|Celui-ci|Ceux-ci|Celles-ci|Ce dernier|Cette dernière)\b")


def names_in(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Proper names of a text, without places and without names made of the question's own words."""
    out = []
    for name in CAPITALISED_NAME_RE.findall(text[1:]):
        stems = set(tokens(name))
        if not stems or stems <= known or fold_accents(name.lower()) in PLACES:
            continue
        out.append(name)
    return out
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


def heading_count(text: str, section: str) -> int:
    """How many leading lines of a chunk are headings: chunks open with their headings, the
    last of which is the chunk's section."""
    lines = text.split("\n")
    if section and section in lines[:6]:
        return lines.index(section) + 1
    return 0


def is_instruction(sentence: str) -> bool:
    """True for a sentence that gives orders to an assistant rather than information to a reader."""
    return bool(INSTRUCTION_RE.search(fold_accents(sentence)))


def units_of(hit: Hit) -> list[tuple[str, str]]:
    """(text, kind) of a chunk's sentences, list items and headings."""
    return [(text, kind) for text, kind, _paragraph in paragraph_units(hit)]


def paragraph_units(hit: Hit) -> list[tuple[str, str, str]]:
    """(text, kind, paragraph) of a chunk's sentences, list items and headings; instructions left out."""
    out: list[tuple[str, str, str]] = []
    lines = hit.chunk.text.split("\n")
    headings = heading_count(hit.chunk.text, hit.chunk.section)
    # headings answer questions about the document itself ("Bilan - janvier 2025"), rarely others
    out.extend((line.strip(), "heading", line.strip()) for line in lines[:headings] if line.strip())
    for index in range(headings, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if line.startswith("- "):
            if not is_instruction(line):
                out.append((line[2:], "item", line[2:]))
            continue
        follows_items = index + 1 < len(lines) and lines[index + 1].startswith("- ")
        for sentence in split_sentences(line):
            if is_instruction(sentence):
                continue
            kind = "intro" if sentence.endswith(":") and follows_items else "sentence"
            out.append((sentence, kind, line))
    return out


NUMBER_NAMES = {"un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6",
                "sept": "7", "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "vingt": "20"}


def number_words(text: str) -> set[str]:
    """Digits of the numbers written in words ("six axes" -> "6"), to match "les 6 axes"; and the stem
    of "premier" where the text writes "1er", to match "le premier COPIL"."""
    found = {NUMBER_NAMES[w] for w in re.findall(r"[a-zé]+", text.lower()) if w in NUMBER_NAMES}
    if re.search(r"\b1(?:er|re|ère)\b", text):
        found.add("premi")
    return found


def has_fact(text: str, kind: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether a unit carries the kind of fact the question asks for; `known` holds the question's
    stems, so that a name the question already gives ("Maison des Femmes") is not taken as the answer."""
    if kind == "montant":
        return bool(MONEY_RE.search(text))
    if kind == "nombre":
        return any(not YEAR_RE.match(n.replace(" ", "")) for n in PLAIN_NUMBER_RE.findall(text)) or bool(
            re.search(r"\b(une? |deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|cinquantaine|vingtaine|"
                      r"centaine|dizaine|peu de|plusieurs|nombreux|nombreuses|beaucoup de)\b", text, re.IGNORECASE)
        )
    if kind == "date":
        return bool(DATE_PHRASE_RE.search(text) or re.search(r"\b(?:19|20)\d{2}\b", text))
    if kind == "qui":
        return bool(names_in(text, known) or AGENT_RE.search(text))
    if kind == "lieu":
        return bool(LOCATIVE_RE.search(text) or PLACE_NAME_RE.search(fold_accents(text.lower())))
    if kind == "ville":
        return bool(CITY_RE.search(fold_accents(text.lower())))
    if kind == "trouver":
        return bool(AVAILABLE_RE.search(text))
    if kind == "personne":
        return bool(PERSON_MENTION_RE.search(text))
    if kind == "but":
        return bool(PURPOSE_RE.search(text))
    if kind == "origine":
        return bool(ORIGIN_RE.search(text))
    if kind == "pourcentage":
        return bool(re.search(r"\d\s?%|pour ?cent", text))
    return True


# adjectives written before the counted noun: "20 dernières années", "3 nouveaux centres"
PRE_ADJECTIVES = r"derni[eè]re?s?|premi[eè]re?s?|nouveaux|nouvelles?|grands?|grandes|petits?|petites|autres|principaux"
NUMBER_WORDS = (
    r"\d+(?:[ .]\d{3})*|(?:une\s+)?(?:cinquantaine|vingtaine|trentaine|quarantaine|centaine|dizaine)|"
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|peu|plusieurs|nombreux|nombreuses|beaucoup"
)  # not "un"/"une": an article, not a count; "peu de psychiatres" is the documents' answer to "combien"
COUNTED_RE = re.compile(
    rf"(?<![\w,.])(?:{NUMBER_WORDS})\s+(?:de\s+|d[’']\s*)?((?:{PRE_ADJECTIVES})\s+)?([^\W\d_][\w’'-]*)", re.I
)


def ordinals_of(text: str) -> set[str]:
    """Ordinals written in a text, as "2e" ("2ème", "2nde", "second" all give "2e")."""
    found = {f"{n}e" for n in ORDINAL_RE.findall(text)}
    if re.search(r"\bseconde?\b", text, re.I):
        found.add("2e")
    if re.search(r"\b(?:1(?:er|re|ère|ere)|premi[eè]re?s?)\b", text, re.I):
        found.add("1e")
    for word in re.findall(r"\b(\w+)ième\b", text.lower()):
        if word in ORDINAL_WORDS:
            found.add(f"{ORDINAL_WORDS[word]}e")
    return found


ORDINAL_WORDS = {"deux": 2, "trois": 3, "quatr": 4, "cinqu": 5, "six": 6, "sept": 7, "huit": 8, "neuv": 9, "dix": 10}


# What a question counts and how the documents count it: "combien de participants" is answered by
# "200 personnes", "combien de temps" by "3 ans".
COUNT_SYNONYMS = {
    "particip": {"person"}, "gen": {"person"}, "habit": {"person"}, "public": {"person"},
    "temp": {"an", "ans", "anne", "mois", "jour", "semain"}, "dure": {"an", "ans", "anne", "mois", "jour"},
}


def _derived(term: str, words: set[str]) -> bool:
    """True when a word of the unit shares the term's root ("signatur"/"sign", "construit"/"construct")."""
    if len(term) < 4 or term.isdigit():
        return False
    for word in words:
        short, long = (term, word) if len(term) <= len(word) else (word, term)
        if len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 5:
            return True
        common = len(os.path.commonprefix([term, word]))
        if common >= 6 and common >= len(short) - 3:
            return True
    return False


def counted_nouns(text: str, precise: bool = False) -> set[str]:
    """Stems of the nouns that numbers count in a text ("10 projets", "une cinquantaine de participants",
    a table cell "Structures financées : 17"); with `precise`, not those only quantified vaguely
    ("peu de psychiatres")."""
    out: set[str] = set()
    for match in COUNTED_RE.finditer(text):
        if precise and VAGUE_RE.match(match.group(0)):
            continue
        out.update(tokens(match.group(2)))
    for match in CELL_COUNT_RE.finditer(text):
        out.update(tokens(match.group(1))[:1])
    return out


# "Structures financées : 17" (a table row with its header), not "Dotation 2023 : 512 300 €"
CELL_COUNT_RE = re.compile(
    r"(?:^|[;—]\s)([^\W\d_][\w’'-]*)(?:\s[^\W\d_][\w’'-]*)?\s:\s\d+(?:[ .]\d{3})*(?![\d,]|\s?(?:€|%|euros?))"
)


VAGUE_RE = re.compile(r"(?:peu|plusieurs|nombreux|nombreuses|beaucoup)\b", re.I)


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
        headings = _heading_lines(hit.chunk.text, hit.chunk.section)
        headings_tokens = set(tokens(f"{hit.chunk.section} {headings}"))
        context = headings_tokens | set(tokens(hit.chunk.title))
        chunk_tokens = set(tokens(hit.chunk.text))
        section_tokens = siblings[(hit.chunk.doc_id, hit.chunk.section)]
        previous = ("", "")  # (sentence, paragraph) just before the unit
        for text, kind, paragraph in paragraph_units(hit):
            before = previous[0] if previous[1] == paragraph and ANAPHORA_RE.match(text) else ""
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
                if term in own or (derivable and _derived(term, own)):
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


def _heading_lines(text: str, section: str) -> str:
    return " ".join(text.split("\n")[: heading_count(text, section)])


def list_items_after(hit: Hit, intro: str) -> list[str]:
    """The list items that follow an introduction sentence in a chunk."""
    lines = hit.chunk.text.split("\n")
    for index, line in enumerate(lines):
        if line.strip().endswith(intro):
            items = []
            for following in lines[index + 1 :]:
                if not following.startswith("- "):
                    break
                items.append(following[2:])
            return items
    return []


CLAUSE_SEP_RE = re.compile(r",\s|;\s|:\s|\set\s|\sainsi que\s|\savec\s")


def money_segments(text: str) -> list[tuple[str, str]]:
    """(amount, clause) pairs: the clause holding each amount, extended over the clauses after it
    that hold no amount ("220 000 euros sur 3 ans pour un projet [...] dédié au crack")."""
    row = row_cells(text)
    if row is not None:  # a table row: each amount goes with the row's label and its own column header
        label, cells = row
        return [(m.group(0), f"{label} — {cell}") for cell in cells if (m := MONEY_RE.search(cell))]
    cuts = [0] + [m.start() for m in CLAUSE_SEP_RE.finditer(text)] + [len(text)]
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    amounts = list(MONEY_RE.finditer(text))
    out: list[tuple[str, str]] = []
    for i, match in enumerate(amounts):
        start = next((a for a, b in spans if a <= match.start() < b), 0)
        end = amounts[i + 1].start() if i + 1 < len(amounts) else len(text)
        # stop at the last clause boundary before the next amount
        boundary = max((a for a, _ in spans if match.end() <= a <= end), default=end)
        end = boundary if i + 1 < len(amounts) else len(text)
        clause = text[start:end]
        clause = re.sub(r"^(?:,\s|;\s|:\s|\set\s|\savec\s|\sainsi que\s)", "", clause)
        out.append((match.group(0), clause.strip().rstrip(" .,;:")))
    return out

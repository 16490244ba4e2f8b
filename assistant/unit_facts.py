"""What an answer unit holds: the kind of fact a question asks for (amount, count, date, name, place,
purpose, origin), the nouns its numbers count, and the clause each amount belongs to."""

from __future__ import annotations

import os
import re

from assistant.question import ORDINAL_RE
from ingest.tables import row_cells
from lang.amounts import COUNT_WORDS, MONEY_RE, NUMBER_NAMES, PLAIN_NUMBER_RE
from lang.dates import DATE_PHRASE_RE, YEAR_RE
from lang.people import CAPITALISED_NAME_RE, PERSON_MENTION_RE
from lang.places import CITY_RE, PLACE_NAME_RE, PLACES
from lang.tokens import tokens
from lang.words import fold_accents

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

def names_in(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Proper names of a text, without places and without names made of the question's own words."""
    out = []
    for name in CAPITALISED_NAME_RE.findall(text[1:]):
        stems = set(tokens(name))
        if not stems or stems <= known or fold_accents(name.lower()) in PLACES:
            continue
        out.append(name)
    return out

def number_words(text: str) -> set[str]:
    """Digits of the numbers written in words ("six axes" -> "6"), to match "les 6 axes"; and the stem
    of "premier" where the text writes "1er", to match "le premier COPIL"."""
    found = {NUMBER_NAMES[w] for w in re.findall(r"[a-zé]+", text.lower()) if w in NUMBER_NAMES}
    if re.search(r"\b1(?:er|re|ère)\b", text):
        found.add("premi")
    return found


# quantities without a figure: "peu de psychiatres" is the documents' answer to "combien"
VAGUE_COUNT = r"peu|plusieurs|nombreux|nombreuses|beaucoup"


def has_fact(text: str, kind: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether a unit carries the kind of fact the question asks for; `known` holds the question's
    stems, so that a name the question already gives ("Maison des Femmes") is not taken as the answer."""
    if kind == "montant":
        return bool(MONEY_RE.search(text))
    if kind == "nombre":
        return any(not YEAR_RE.match(n.replace(" ", "")) for n in PLAIN_NUMBER_RE.findall(text)) or bool(
            re.search(rf"\b(?:une? |{COUNT_WORDS}|{VAGUE_COUNT})\b", text, re.IGNORECASE)
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
# not "un"/"une": an article, not a count; "peu de psychiatres" is the documents' answer to "combien"
NUMBER_WORDS = rf"\d+(?:[ .]\d{{3}}){{0,6}}|(?:une\s+)?(?:{COUNT_WORDS})|{VAGUE_COUNT}"
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


def derived(term: str, words: set[str]) -> bool:
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


# "Structures financées : 17" (a table row with its header), not "Dotation 2023 : 512 300 €"
CELL_COUNT_RE = re.compile(
    r"(?:^|[;—]\s)([^\W\d_][\w’'-]*)(?:\s[^\W\d_][\w’'-]*)?\s:\s\d+(?:[ .]\d{3})*(?![\d,]|\s?(?:€|%|euros?))"
)


VAGUE_RE = re.compile(rf"(?:{VAGUE_COUNT})\b", re.I)

"""Question analysis: what kind of fact is asked, which words matter, which must be matched exactly."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.glossary import Glossary, Term
from lang.dates import MONTH_NAMES
from lang.places import PLACES
from lang.tokens import normalize, tokens
from lang.words import fold_accents

# Words that say what kind of answer is wanted but are not looked for in the documents.
QUESTION_WORDS = {
    "combien", "quel", "quelle", "quels", "quelles", "qui", "quand", "ou", "comment", "quoi", "pourquoi",
    "est", "ce", "c", "qu", "ca", "veut", "dire", "signifie", "definition", "definir", "explique",
    "expliquer", "moi", "svp", "stp", "merci", "bonjour", "nb", "nbre", "nombre", "montant", "budget",
    "date", "liste", "lister", "donne", "donner", "peux", "tu", "vous", "pouvez", "y", "il", "elle", "on",
    "t", "a", "les", "des", "sont", "etait", "ete", "fait", "faire", "sait", "savoir", "connaitre",
    "cout", "coute", "prix", "somme", "argent", "total", "euros", "euro", "eur", "k", "m", "ans", "an",
    "annee", "annees", "jour", "lieu", "endroit", "ville", "1er",
    "exactement", "precisement", "environ", "sert", "servir", "concretement", "trouve", "trouver",
    "nom", "noms", "appelle", "appellent", "chacun", "chacune", "temps", "duree", "periode", "theme",
    "themes", "sujet", "sujets", "details", "detail", "resume", "resumer", "rappel", "rappelle", "ils",
    "elles", "leur", "cela", "ceci", "aussi", "encore", "seulement", "bien", "vrai", "non", "oui", "etc",
    "ya", "avait", "avoir", "peut", "doit", "doivent", "mis", "mise", "lance", "lancee", "lances",
    "passe", "prevu", "prevue", "prevus", "concerne", "concernent", "quelqu'un", "personne", "gens",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "semaine", "def", "dit",
    "font", "faits", "info", "infos", "information", "informations", "taux", "part", "pourcentage",
    "proportion", "pourcent", "servent", "servi", "depuis", "partir", "debut", "fin", "gros", "grosse",
    "petit", "petite", "principal", "principaux", "principale", "important", "importants", "nouveau",
    "nouvelle", "met", "mettent", "exact", "precis", "globale", "global",
    # what kind of answer is wanted ("la source des chiffres", "les 2 types de..."), and generic verbs
    # ("il vient d'où", "la Région bosse avec qui") that the documents word otherwise
    "source", "sources", "chiffre", "chiffres", "type", "types", "sorte", "sortes", "genre", "vient",
    "viennent", "provient", "bosse", "bossent", "bosser", "travaille", "travaillent", "collabore",
    "collaborent",
    # colloquial fillers and meta words: "y a assez de", "d'après", "le but c'est quoi", "dans quels
    # domaines", "au programme de", "ça permet de faire quoi", "elle fait quoi comme métier"
    "assez", "comme", "apres", "selon", "but", "domaine", "domaines", "programme", "permet", "permettent",
    "permettre", "pousse", "poussent", "aller", "va", "vont", "cest", "ça", "truc", "trucs", "machin",
    "lien", "liens", "url", "servira",
}

STOP_STEMS = set(tokens(" ".join(QUESTION_WORDS)))

AMOUNT_WORDS = re.compile(
    r"\b(combien|montant|budget|cout|coute|financ\w*|subvention\w*|euros?|€|k€|m€|dot\w*|envelopp\w*|"
    r"allou\w*|somme|credits?|argent|prix|depens\w*)\b|€"
)
COUNT_WORDS = re.compile(r"\b(combien de|nombre|nb|nbre|combien d)\b")
DATE_WORDS = re.compile(
    r"\b(quand|date|quel jour|quelle annee|en quelle|depuis quand|a partir de quand|quelle periode|"
    r"sur quelle periode|quelles annees)\b"
)
WHO_WORDS = re.compile(r"\b(qui|quel organisme|quelle association|quels partenaires|quels acteurs|par qui|porte par"
                       r"|signataires?|quelle structure|quel etablissement)\b")
WHERE_WORDS = re.compile(
    r"\b(ou|d ou|quelle ville|quel lieu|quel endroit|a quel endroit|localisation|quel departement|"
    r"quelle commune|quel site)\b"
)
# A role named first ("cheffe de projet maison des femmes") asks who holds it.
ROLE_WORDS = re.compile(
    r"^\s*(le |la |l )?(chef|cheffe|directeur|directrice|responsable|referent|referente|president|presidente|"
    r"coordinateur|coordinatrice|pilote|porteur|porteuse|animateur|animatrice)s?\b"
)
ROLE_ANYWHERE = re.compile(ROLE_WORDS.pattern.replace("^\\s*", "\\b"))
# "où trouver les fiches", "on les consulte où": the answer says where a thing is available.
FIND_WORDS = re.compile(r"\b(trouve\w*|consult\w*|telecharg\w*|dispo\w*|acces\w*|en ligne|lien)\b")
CITY_WORDS = re.compile(r"\b(ville|commune)\b")
# "comment s'appelle le directeur", "le nom de la cheffe de projet": a person's name is asked.
PERSON_WORDS = re.compile(r"\b(s appelle\w*|nom d\w*|qui est (le|la)|prenom)\b")
# Both genders, as the documents write either: "Directrice déléguée", "un chef de projet".
ROLE_FORMS = {
    "chef": "chef|cheffe", "cheffe": "chef|cheffe", "directeur": "directeur|directrice",
    "directrice": "directeur|directrice", "referent": "referent|referente", "referente": "referent|referente",
    "president": "president|presidente", "presidente": "president|presidente",
    "coordinateur": "coordinateur|coordinatrice", "coordinatrice": "coordinateur|coordinatrice",
    "animateur": "animateur|animatrice", "animatrice": "animateur|animatrice",
}
# "le bilan il date de quand": the date of a document, written on its title page.
DOCUMENT_DATE_WORDS = re.compile(
    r"\b(il|elle|ca|document|bilan|communique|rapport|note|charte) dat\w*|\bde quand date|"
    r"\b(publie|paru|parue|sorti|sortie|date) (quand|de quand)\b"
)
# "ça a servi à quoi", "le but c'est quoi": the answer says what a thing is for.
PURPOSE_WORDS = re.compile(
    r"\b(a quoi (?:ca )?(?:sert|servent|a servi|ont servi|servira|servent)|(?:ca )?sert a quoi|servi a quoi|"
    r"servent a quoi|pour quoi faire|le but|son but|leur but|l objectif|quel objectif|quels objectifs)\b"
)
# "d'où vient", "il vient d'où", "origine": the answer is where something comes from.
ORIGIN_WORDS = re.compile(r"\b(vient d ou|viennent d ou|d ou vient|d ou viennent|origine|provient|issu)\b")
LIST_WORDS = re.compile(
    r"\b(liste|lister|quels sont|quelles sont|les \w+ (axes|objectifs|priorites|modalites)|"
    r"(axes|objectifs|priorites|modalites|missions|actions)\b)"
)
DEFINITION_WORDS = re.compile(
    r"(c ?est quoi|c'est quoi|qu'?est[- ]ce qu|que (veut dire|signifie)|ca veut dire|veut dire quoi|"
    r"signifie|definition|defini[rst]?\b|sigle|acronyme|kesako)"
)


# How staff shorten words in a hurry; replaced before analysis (whole words, case-insensitive).
ABBREVIATIONS = {
    "pr": "pour", "ds": "dans", "qd": "quand", "nb": "nombre", "nbr": "nombre", "nbre": "nombre",
    "pb": "problème", "tt": "tout", "tjs": "toujours", "bcp": "beaucoup", "cest": "c'est", "c": "c'est",
    "kel": "quel", "kelle": "quelle", "koi": "quoi", "ke": "que", "qqn": "quelqu'un", "qq": "quelques",
    "dc": "donc", "ms": "mais", "st": "saint", "ste": "sainte",
    "dept": "département", "conf": "conférence", "gens": "personnes",
    "dpt": "département", "depts": "départements", "info": "information",
    "infos": "informations", "asso": "association", "assos": "associations", "prio": "priorité",
    "prios": "priorités", "fdr": "feuille de route", "cp": "communiqué de presse", "rdv": "rendez-vous",
    "etab": "établissement", "etabs": "établissements", "pro": "professionnel", "pros": "professionnels",
    "med": "médecine", "mail": "mél", "email": "mél", "courriel": "mél", "mg": "médecine générale",
    "gé": "générale", "gen": "générale", "cb": "combien", "cbn": "combien", "cmb": "combien",
    "epidemio": "épidémiologique", "épidémio": "épidémiologique", "psy": "psychiatrie", "ttes": "toutes",
    "tel": "téléphone", "num": "numéro", "ya": "il y a", "dpts": "départements",
    # months as staff shorten them ("oct 2023", "fév 2024")
    "janv": "janvier", "fev": "février", "fév": "février", "avr": "avril", "juil": "juillet",
    "oct": "octobre", "nov": "novembre", "dec": "décembre", "déc": "décembre",
}
_ABBREVIATION_RE = re.compile(r"(?<![\w'’])(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")(?![\w'’])", re.I)


def _numeric_date(match: re.Match[str]) -> str:
    day, month, year = match.group(1), int(match.group(2)), match.group(3) or ""
    if not 1 <= month <= 12:
        return match.group(0)
    year = ("20" + year if len(year) == 2 else year) if year else ""
    return f"{int(day)} {MONTH_NAMES[month - 1]} {year}".strip()


# Function words that tell an English question from a French one ("what is the budget of…").
ENGLISH_WORDS = frozenset({
    "the", "what", "how", "much", "many", "is", "are", "was", "were", "of", "which", "who", "whom", "when",
    "where", "why", "does", "do", "did", "for", "with", "about", "this", "that", "these", "those", "there",
    "please", "can", "could", "tell", "me", "my",
})
FRENCH_WORDS = frozenset({
    "le", "la", "les", "de", "des", "du", "un", "une", "est", "quel", "quelle", "quels", "quelles", "combien",
    "pour", "qui", "quand", "ou", "où", "et", "en", "dans", "sur", "au", "aux", "ce", "cette", "ces", "quoi",
    "comment", "pourquoi",
})


def foreign_language(text: str) -> bool:
    """True for a question plainly not in French: mostly non-Latin letters, or English function words."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(unicodedata.name(c, "").startswith("LATIN") for c in letters) < len(letters) / 2:
        return True
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    english = sum(w in ENGLISH_WORDS for w in words)
    return english >= 2 and english > sum(w in FRENCH_WORDS for w in words)


def expand_abbreviations(text: str) -> str:
    """The question with staff abbreviations written out ("nb projets" -> "nombre projets"),
    numeric dates in words ("13/09" -> "13 septembre") and "220k" as "220 000"."""
    text = _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], text)
    text = re.sub(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b", _numeric_date, text)
    text = re.sub(r"\b(\d{1,3})\s?k\b(?!€)", r"\1 000", text, flags=re.I)
    # "258 000e": euros typed as an e (thousands only: "4e année" is an ordinal)
    # 6 groups of thousands at most: unbounded, it was retried from every group of a long "000 000 …" run
    return re.sub(r"\b(\d{1,3}(?:[ .]\d{3}){1,6}|\d{4,})\s?e\b", r"\1 euros", text)


ORDINAL_RE = re.compile(r"\b(\d+)\s?(?:e|eme|ème|ieme|ième|nde?|nd)\b", re.I)
# Verb forms: participles, infinitives, imperfect, third person plural ("démarrent", but not "-ment"
# nouns such as "financement"), and short past participles ("tenu", "construit").
SOFT_WORD_RE = re.compile(r"(?:é|ée|és|ées|er|ait|aient|ant|(?<!m)ent|u|ue|us|ues|it|ite)$")


def soft_stems(text: str) -> set[str]:
    """Stems of verbs and participles ("tournées", "lancé"): the documents often say them otherwise."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return {stem for w in words if SOFT_WORD_RE.search(w) and len(w) > 4 for stem in tokens(w)}


@dataclass(frozen=True, slots=True)
class Question:
    """A question as the answerer needs it."""

    text: str
    kind: str  # montant | nombre | date | pourcentage | qui | lieu | origine | but | liste | definition | general
    terms: tuple[str, ...]  # stemmed content words, question words removed
    hard: tuple[str, ...] = ()  # stems that the supporting passage must contain (places, years, figures)
    acronyms: tuple[Term, ...] = field(default_factory=tuple)
    search_text: str = ""  # the question with acronyms expanded, for retrieval
    focus: tuple[str, ...] = ()  # stems of a follow-up's own words ("et pour les jeunes" -> jeune)
    soft: tuple[str, ...] = ()  # stems of verbs/participles, which a passage may word differently
    counted: tuple[str, ...] = ()  # "combien de participants" -> stems of what is counted
    facets: tuple[str, ...] = ()  # every kind of fact asked: "date et nb de participants" -> date, nombre
    role: tuple[str, ...] = ()  # "nom de la cheffe de projet" -> stems of the role whose holder is asked
    where: str = ""  # for "lieu": "trouver" (where a thing is available) or "ville" (a city is asked)
    dated_document: bool = False  # "le bilan il date de quand": asks a document's own date
    several: bool = False  # joins several asks ("quelle loi et quelle rentrée"): each part wants its sentence
    list_count: int = 0  # "les 2 types d'attractivité" -> 2: the answer names that many things
    list_noun: str = ""  # ... of what: the stem of "attractivité"
    excluded: tuple[str, ...] = ()  # "à part le 3114 et Vigilans": stems of what the answer is not about
    ordinal: str = ""  # "la 1re édition" -> "1e": an ordinal the passage must not contradict

    @property
    def plain(self) -> bool:
        """Asks one fact plainly: not what a term means (the corpus's glossary answers), several kinds of fact, a
        document's own date, a list of so many things, a thing apart from others or an ordinal — what only the
        reading in context (assistant/extract.py) reads."""
        return self.kind != "definition" and len(self.facets) <= 1 and not (
            self.dated_document or self.list_count or self.excluded or self.ordinal
        )


def analyse(text: str, glossary: Glossary) -> Question:
    """Classify a question and pick its content words."""
    text = expand_abbreviations(text)
    # "à part en cabinet libéral ou en MSP, ...": the words after "à part" say what the answer is not
    excluded_match = EXCLUDED_RE.search(text)
    excluded = tuple(
        t for t in tokens(excluded_match.group(1) or excluded_match.group(2) or "") if t not in STOP_STEMS
    ) if excluded_match else ()
    if excluded_match:
        text = text[: excluded_match.start()] + " " + text[excluded_match.end():]
    plain = " " + fold_accents(text.lower().replace("’", "'")) + " "
    plain_words = re.sub(r"[^a-z0-9€% ]+", " ", plain)
    acronyms = tuple(glossary.acronyms_in(text))
    # ordinals ("2eme", "2nde") are matched as hard terms, not as words; the count of a list asked for
    # ("les 2 types de...") is not a word the passage must hold
    terms = tuple(t for t in dict.fromkeys(tokens(ORDINAL_RE.sub(" ", _without_list_counts(text))))
                  if t not in STOP_STEMS)
    kind = _kind(plain, plain_words, acronyms, terms)
    facets = _facets(plain_words, kind)
    hard = _hard_terms(text, plain_words)
    counted = re.findall(
        r"\b(?:combien\s+(?:de\s+|d\s*'\s*)|(?:nombre|nb)\s+(?:de\s+|d\s*'\s*)?)([a-z]\w+)", plain
    )
    role_match = ROLE_ANYWHERE.search(plain_words)
    role = ROLE_FORMS.get(role_match.group(2), role_match.group(2)) if role_match else ""
    where = "trouver" if FIND_WORDS.search(plain_words) else "ville" if CITY_WORDS.search(plain_words) else ""
    if kind in ("qui", "general") and PERSON_WORDS.search(plain_words):
        kind, where = "qui", "personne"
    return Question(
        role=tuple(t for word in role.split("|") if word for t in tokens(word)),
        dated_document=bool(DOCUMENT_DATE_WORDS.search(plain_words)),
        several=bool(re.search(r"\s(et|\+)\s|[:;]", plain)),
        excluded=excluded,
        ordinal=_ordinal(text),
        list_count=int(count.group(1)) if (count := LIST_COUNT_RE.search(text)) else 0,
        list_noun=next((t for t in tokens(text[count.end():]) if t not in STOP_STEMS), "") if count else "",
        where=where if kind in ("lieu", "qui") else "",
        soft=tuple(soft_stems(text) & set(terms)),
        facets=facets,
        counted=tuple(t for word in counted for t in tokens(word)),
        text=text.strip(),
        kind=kind,
        terms=terms,
        hard=hard,
        acronyms=acronyms,
        search_text=glossary.expand(text),
    )


MONEY_ASK_RE = re.compile(
    r"\b(combien (pour|d ?argent|d ?euros|a ete (alloue|verse|donne|attribue)|ca coute|coute)|mis combien|"
    r"(donne|donnent|verse|versent|alloue|attribue|dote|finance|paie|paye|met|mis|touche)\w* combien|"
    r"montant|budget|cout|coute|subvention|dotation|enveloppe|somme|prix|total|euros?|k€|m€)\b|€"
)


# "la part de", not "à part le 3114" (apart from)
PERCENT_RE = re.compile(
    r"\b(taux|pourcentage|proportion|pourcent)\b|%|(?<!\ba )\bpart\b(?! le\b| la\b| les\b| l\b| en\b)"
)
FACET_TESTS = {
    "date": DATE_WORDS,
    "montant": MONEY_ASK_RE,
    "nombre": re.compile(r"\b(combien|nombre|nb|nbre)\b"),
    "pourcentage": PERCENT_RE,
    "qui": re.compile(r"\b(qui|nom|noms)\b"),
}


def _facets(words: str, kind: str) -> tuple[str, ...]:
    """The kinds of fact a question asks for; several when it joins asks ("date et nb de ...")."""
    found = [k for k, test in FACET_TESTS.items() if test.search(words)]
    if kind not in found:
        found.insert(0, kind)
    if len(found) > 1 and not re.search(r"\bet\b|[:,;]", words + " " + words):
        return (kind,)
    return tuple(dict.fromkeys([kind, *found]))


def _kind(plain: str, words: str, acronyms: tuple[Term, ...], terms: tuple[str, ...]) -> str:
    if PURPOSE_WORDS.search(words):
        return "but"
    if DEFINITION_WORDS.search(plain) or DEFINITION_WORDS.search(words):
        return "definition"
    if len(terms) <= 1 and acronyms and not re.search(r"\b(combien|quand|qui|ou)\b", words):
        return "definition"  # "CRT ?" alone asks what it is
    if DATE_WORDS.search(words):
        return "date"
    if PERCENT_RE.search(words):
        return "pourcentage"
    if MONEY_ASK_RE.search(words):
        return "montant"
    if COUNT_WORDS.search(words) or re.search(r"\bcombien\b", words):
        return "nombre"
    if WHO_WORDS.search(words) or ROLE_WORDS.search(words):
        return "qui"
    if LIST_WORDS.search(words) or LIST_COUNT_RE.search(words):
        return "liste"
    if ORIGIN_WORDS.search(words):
        return "origine"
    if WHERE_WORDS.search(words):
        return "lieu"
    return "general"


# small counts of things, not figures: "les 220000 euros" and "les 200 personnes" are facts to match
LIST_COUNT_RE = re.compile(
    r"\b(?:les|des|ses|leurs|aux)\s+([1-9]|1\d|20)\s+(?=[^\W\d])(?!(?:euros?|k€|m€|millions?|milliards?|ans|mois|"
    r"jours|semaines|heures|personnes|%)\b)",
    re.I,
)


EXCLUDED_RE = re.compile(
    r"(?:\(\s*)?\b(?:à|a) part\s+([^,;:?()]+)[,;:?)]?|\b(?:sauf|hormis|en dehors d[eu]s?|autres? que)\s+([^,;:?()]+)",
    re.IGNORECASE,
)


FIRST_OF_RE = re.compile(
    r"\b(?:1(?:er|re|ère|ere)|premi[eè]re?)\s+(édition|edition|version|session|vague|phase)\b", re.I
)


def _ordinal(text: str) -> str:
    """The first of a series a question asks about ("la 1re édition" -> "1e"), or ""."""
    return "1e" if FIRST_OF_RE.search(text) else ""


def _without_list_counts(text: str) -> str:
    """"les 2 types de...", "les 12 priorités": the count of a list asked for, which documents may not write."""
    return LIST_COUNT_RE.sub(lambda m: m.group(0).replace(m.group(1), "", 1), text)


def _hard_terms(text: str, words: str) -> tuple[str, ...]:
    """Places, years and figures of the question: the answer must be about them, not a neighbour."""
    hard: list[str] = []
    for place in PLACES:
        if re.search(rf"\b{re.escape(place)}\b", words.replace("-", " ")) or re.search(
            rf"\b{re.escape(place)}\b", words
        ):
            hard.extend(tokens(place.replace("-", " ")))
    first = FIRST_OF_RE.search(text)
    if first:  # "la 1re édition": the passage must be about an edition, and not another one
        hard.extend(tokens(first.group(1)))
    for number in ORDINAL_RE.findall(text):
        if number != "1":
            hard.append(f"{number}e")
    for number in re.findall(r"\b\d[\d ]*\b", normalize(ORDINAL_RE.sub(" ", _without_list_counts(text)))):
        hard.extend(t for t in tokens(number) if t.isdigit() and t not in {"1"})
    return tuple(dict.fromkeys(hard))

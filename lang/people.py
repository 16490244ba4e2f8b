"""People and organisations: how agency documents write a person or a body's name, and spaCy's French
named-entity recogniser (fr_core_news_sm) for the labels of a sentence."""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any

# A fiche's names: capitalised words linked by "de", "du", "des", "de la", maybe a number ("Drog’Aide 61").
CAP_WORD = r"(?![LDJMNSTC][’'])[A-ZÀ-ÖØ-Þ][^\W_]*(?:[’'-][A-ZÀ-ÖØ-Þ0-9][^\W_]*)*"
LINK = r"(?:\s+(?:de\s+la|de\s+l[’']|des|du|de)\s+|\s+(?:d[’']|de\s+l[’'])|\s+)"
NAME_START = r"(?:(?<![\w’'-])|(?<=(?<!\w)[lLdD][’'])|(?<=(?<!\w)[qQ]u[’']))"
NAME_RE = re.compile(rf"{NAME_START}{CAP_WORD}(?:(?:{LINK}){CAP_WORD})*(?:\s\d{{1,3}}(?![\d,.]\d|\w))?")
# "Elodie BOUCHET", "Dr Marie-Françoise MERLIN-BERNARD": people, not bodies.
PERSON_RE = re.compile(
    r"(?:\b(?:Dr|Pr|Mme|M\.|Madame|Monsieur)\s+)?(?P<first>[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+)?)"
    r"\s+[A-ZÀ-ÖØ-Þ]{4,}(?:-[A-ZÀ-ÖØ-Þ]{2,})?\b"
)
# Words that open a sentence with a capital but name nothing: "Le CRT", "Dans l’Orne".
COMMON_OPENERS = {
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "dans", "pour", "par", "en", "au", "aux", "avec",
    "apres", "avant", "depuis", "afin", "ainsi", "cette", "ce", "ces", "cet", "son", "sa", "ses", "leur",
    "leurs", "il", "elle", "ils", "elles", "on", "nous", "a", "sur", "sous", "entre", "chez", "lors", "grace",
    "concernant", "selon", "parmi", "quand", "si", "comme", "tout", "tous", "toute", "toutes", "chaque", "plus",
    "tres", "issu", "issue", "consultez", "pres", "mais", "et", "ou", "or", "donc", "notre", "nos", "votre", "vos",
    "chantier", "madame", "monsieur", "dr", "pr", "mme", "m",
}
# A person in an answer unit, as agency documents write one: "Madame Elodie BOUCHET",
# "Dr Marie-Françoise MERLIN-BERNARD".
PERSON_MENTION_RE = re.compile(
    r"\b(?:(?:M\.|Mme|Madame|Monsieur|Dr|Pr)\s+)?[A-ZÉÈ][a-zéèëïîç]+(?:-[A-ZÉÈ][a-zéèëïîç]+)?\s+[A-ZÉÈ]{2,}(?:-[A-ZÉÈ]{2,})?\b"
    r"|\b(?:M\.|Mme|Madame|Monsieur|Dr|Pr)\s+[A-ZÉÈ][\w-]+"
)
# A capitalised name in an answer unit: "Maison des Femmes", "ARS".
CAPITALISED_NAME_RE = re.compile(r"(?:[A-ZÀ-Ý][\w’'-]+|[A-Z]{2,})(?:\s(?:de\s|d’|du\s|des\s|la\s)?[A-ZÀ-Ý][\w’'-]+)*")


@cache
def _ner() -> Any:
    import spacy

    # only the recogniser and the layer it reads: the parser and lemmatizer are not needed here
    return spacy.load("fr_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])


_NER_LOCK = threading.Lock()


def load_recogniser() -> None:
    """Load the entity recogniser now (a second or more), so that a serving process pays it at start-up
    rather than on the first question about a person or a place."""
    with _NER_LOCK:  # a question asked meanwhile waits for this load instead of starting a second one
        _ner()


@lru_cache(maxsize=20000)
def entity_labels(text: str) -> frozenset[str]:
    """Labels of the named entities of a sentence: PER, ORG, LOC, MISC."""
    with _NER_LOCK:  # a spaCy pipeline is not meant to be called from two threads at once
        doc = _ner()(text)
    return frozenset(e.label_ for e in doc.ents)



"""The bodies and programmes a document names (acronyms included), most frequent first; people left out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from ingest.facts.instructions import is_instruction
from ingest.fiche.acronyms import ACRONYM, uppercase_enough
from ingest.models import Document
from lang.people import COMMON_OPENERS, NAME_RE, PERSON_RE
from lang.places import ENTITY_PLACES
from lang.sentences import URL_RE, block_sentences
from lang.words import fold


def _after_first(words: list[str]) -> list[str]:
    """The words of a name after its first word and the linking words that follow it."""
    rest = words[1:]
    while rest and fold(rest[0]) in ("de", "la", "des", "du", "d'", "l'"):
        rest = rest[1:]
    if rest and re.match(r"[LDld][’']", rest[0]) and not rest[0][:1].isupper():
        rest = [rest[0][2:]] + rest[1:]
    return rest


def _common_opener(words: list[str], lower_words: set[str], proper: set[str]) -> bool:
    """A sentence's capitalised first word that is a common word: never capitalised inside a sentence,
    and either written in lower case elsewhere or followed by a name of its own ("Création du CRT")."""
    if _stem(words[0]) in proper:
        return False
    return fold(words[0]) in lower_words or any(w[:1].isupper() for w in _after_first(words))


def _stem(word: str) -> str:
    return fold(word).rstrip("sx")


def _proper_words(sentences: Iterable[str]) -> set[str]:
    """Capitalised words met inside sentences (not as their first word): words of names."""
    found: set[str] = set()
    for sentence in sentences:
        for match in re.finditer(r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][a-zà-ÿ][\w’'-]*", sentence):
            if sentence[: match.start()].strip(" «\"“(-–•"):
                found.add(_stem(match[0]))
    return found


def _capital_words(name: str) -> list[str]:
    words = re.findall(r"(?<![\w’'-])(?:[lLdD][’'](?=[A-ZÀ-ÖØ-Þ]))?([^\W\d_][\w’'-]*)", name)
    return [w for w in words if w[0].isupper()]


def _is_acronym(word: str) -> bool:
    return bool(re.fullmatch(ACRONYM, word)) and uppercase_enough(word)


def _names_in(sentence: str, lower_words: set[str], proper: set[str]) -> Iterator[str]:
    """Capitalised multi-word names, acronyms and "Name 61" of one sentence, people left out."""
    masked = URL_RE.sub(" ; ", sentence)
    for person in PERSON_RE.finditer(masked):
        if fold(person["first"]) not in COMMON_OPENERS:
            masked = masked[: person.start()] + " ;" + " " * (len(person[0]) - 2) + masked[person.end() :]
    for match in NAME_RE.finditer(masked):
        name = match[0]
        words = name.split()
        at_start = not masked[: match.start()].strip(" «\"“(-–•")
        # A capitalised common word opens the sentence: "Le CRT", "Dans l’Orne", "Création du CRT"; a word
        # also capitalised inside sentences is part of a name ("Maison des Femmes").
        while words and (fold(words[0]) in COMMON_OPENERS or (at_start and _common_opener(words, lower_words, proper))):
            words = _after_first(words)
            at_start = False
        place_first = fold(re.sub(r"^[LDld][’']", "", words[0])) in ENTITY_PLACES if words else False
        if len(words) > 2 and place_first and not words[1][:1].isupper():
            words = _after_first(words)  # "l’Orne de l’ARS Normandie": the place is not part of the name
        name = " ".join(words)
        name = re.sub(r"^[LDld][’']", "", name)
        if not name:
            continue
        capitals = _capital_words(name)
        if not capitals:
            continue
        several = len(capitals) >= 2 and not (len(words) == 1 and fold(name) in ENTITY_PLACES)  # "Croix-Rouge"
        acronym = len(capitals) == 1 and _is_acronym(name)
        # "Drog’Aide 61": an association named after its département
        numbered = len(capitals) == 1 and bool(re.search(r"\s\d{1,3}$", name)) and not _is_acronym(capitals[0])
        if several or acronym or numbered:
            yield name


def entities(doc: Document, limit: int = 15) -> list[str]:
    """Bodies and programmes the document names (acronyms included), most frequent first."""
    lower_words = {fold(w) for b in doc.blocks for w in re.findall(r"(?<![\w’'-])[a-zà-ÿ][\w’'-]*", b.text)}
    counts: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    sentences: list[str] = []
    for block in doc.blocks:
        letters = [ch for ch in block.text if ch.isalpha()]
        if "@" in block.text or (letters and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters) > 12):
            continue  # contact lines and all-caps banners ("COMMUNIQUÉ DE PRESSE")
        sentences += [s for s in block_sentences(block.text) if not is_instruction(s)]
    proper = _proper_words(sentences)
    for sentence in sentences:
        for name in _names_in(sentence, lower_words, proper):
            key = fold(name)
            counts[key] += 1
            spelled.setdefault(key, Counter())[name] += 1
            first_seen.setdefault(key, len(first_seen))
    # A bare acronym counts for its usual full name: "ARS" for "ARS Normandie".
    for key in [k for k in counts if " " not in k]:
        longer = [k for k in counts if k.startswith(key + " ") and counts[k] >= 2]
        if longer:
            best = max(longer, key=lambda k: counts[k])
            counts[best] += counts.pop(key)
    display = {k: spelled[k].most_common(1)[0][0] for k in counts}
    # A longer form counts for the shorter name it extends, singular or plural: "Réflexe Santé Normandie"
    # for "Réflexe Santé", "Maison des Femmes Santé de l’Orne" for "Maisons des Femmes".
    stems = {k: [_stem(w) for w in k.split()] for k in counts}
    for key in sorted(counts, key=len):
        if key not in counts or " " not in key:
            continue
        size = len(stems[key])
        for other in [k for k in counts if k != key and len(stems[k]) > size and stems[k][:size] == stems[key]]:
            counts[key] += counts.pop(other)
            if first_seen[other] < first_seen[key]:  # the name as first written
                display[key] = " ".join(display[other].split()[:size])
                first_seen[key] = first_seen[other]
    # Most frequent first; at equal counts, names of bodies before bare acronyms.
    ranked = sorted(counts, key=lambda k: (-counts[k], " " not in k, first_seen[k]))
    return [display[k] for k in ranked[:limit]]

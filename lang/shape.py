"""Whether a sentence taken from a passage reads as a statement, by its shape alone: a link, a menu or a heading
standing alone says nothing a reader can rely on, so it is never quoted as a source."""

from __future__ import annotations

# What ends a statement (or introduces a list): a heading or a menu entry has none of these at its end.
STATEMENT_ENDS = ".!?…:;»\")”"
# Characters that separate the entries of a menu or a breadcrumb ("Accueil | Actualités | Contact").
MENU_MARKS = "|•·›>»/–—"
MAX_HEADING_WORDS = 12  # a line alone longer than this is prose that lost its full stop, not a heading
MAX_ENTRY_WORDS = 4  # words of one menu entry
MIN_MENU_ENTRIES = 3


def _is_link(token: str) -> bool:
    """A web or mail address, a path, or a slug ("projet-regional-de-sante-2023-2028")."""
    lowered = token.lower()
    return ("://" in lowered or lowered.startswith("www.") or "@" in token or token.count("/") >= 2
            or token.count("-") >= 3 or (token.endswith("/") and "." in token))


def _is_word(token: str) -> bool:
    """A word of prose: two letters or more, not part of an address."""
    return not _is_link(token) and sum(ch.isalpha() for ch in token) >= 2


def is_link_alone(sentence: str) -> bool:
    """An address with fewer than three words of prose around it."""
    tokens = sentence.split()
    return any(_is_link(t) for t in tokens) and sum(_is_word(t) for t in tokens) < 3


def is_menu(sentence: str) -> bool:
    """Three entries or more of a few words each, between separators, with no end of sentence."""
    text = sentence.strip()
    if not text or text[-1] in STATEMENT_ENDS.replace("»", ""):
        return False
    entries = [text]
    for mark in MENU_MARKS:
        entries = [part for entry in entries for part in entry.split(f" {mark} " if mark in "/–—" else mark)]
    entries = [entry for entry in entries if entry.strip()]
    return len(entries) >= MIN_MENU_ENTRIES and all(len(entry.split()) <= MAX_ENTRY_WORDS for entry in entries)


def _holds_a_fact(text: str) -> bool:
    """A figure or an address past a leading number ("2. Contexte"): "Bilan - janvier 2025", "Caen, le 8 octobre"
    or a contact line say something, a title only names its topic."""
    words = text.split()
    if words and words[0].rstrip(".)-").replace(".", "").isdigit():
        words = words[1:]
    return any(ch.isdigit() or ch == "@" for word in words for ch in word)


def is_heading_alone(sentence: str, passage: str) -> bool:
    """A short line of its own in the passage (not a list item), with no end of sentence and no figure: a title."""
    text = sentence.strip()
    if not text or text[-1] in STATEMENT_ENDS or len(text.split()) > MAX_HEADING_WORDS or _holds_a_fact(text):
        return False
    return any(line.strip() == text for line in passage.split("\n"))


def is_statement(sentence: str, passage: str = "") -> bool:
    """The sentence can be quoted as a source: not a link, a menu or a heading alone."""
    return not (is_link_alone(sentence) or is_menu(sentence) or is_heading_alone(sentence, passage))

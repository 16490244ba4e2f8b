"""Folding words for comparison: one key for "Août", "aout" and "AOÛT"."""

from __future__ import annotations

import unicodedata

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
# Function words a name or a figure's noun phrase may hold but never starts or ends with.
SMALL_WORDS = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "et", "a", "à", "aux", "au", "en", "pour", "sur", "par",
    "un", "une", "ou", "dans", "avec",
}


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: a key for comparisons."""
    text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES).lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def fold_accents(text: str) -> str:
    """Return `text` without diacritics ("é" -> "e") and with French ligatures spelled out."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))

"""Folding words for comparison: one key for "Août", "aout" and "AOÛT", and the small words of French names.

`fold` is the one accent and case folding of the project; its parameters are the differences its callers
really need, each explained there. `fold_accents` is its setting for the answer engine and the lexical tokens."""

from __future__ import annotations

import unicodedata

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
# NFKD leaves these letters whole (they are letters of their own, not accented ones): spelt out, "cœur" is "coeur".
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
# Function words a name or a figure's noun phrase may hold but never starts or ends with.
SMALL_WORDS = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "et", "a", "à", "aux", "au", "en", "pour", "sur", "par",
    "un", "une", "ou", "dans", "avec",
}


def fold(
    text: str,
    *,
    keep_case: bool = False,
    ligatures: bool = False,
    compatibility: bool = True,
    apostrophes: bool = True,
    spaces: bool = True,
) -> str:
    """`text` without diacritics ("é" -> "e"), by default lower case, with straight apostrophes and single spaces.

    - keep_case: the injection detector reads capitals ("IGNORE"), and `fold_accents` leaves case to its callers.
    - ligatures: spell "œ" and "æ" out. Off by default because the fiches' keys were built without it (turned
      on, a stored fiche would find other acronyms: « maîtrise d'œuvre (MOE) »); the lexical index, the
      evaluation, the viewer and the answer engine spell them out.
    - compatibility: NFKD ("ﬁ" -> "fi", "²" -> "2", no-break space -> space) rather than NFD (accents only).
      `fold_accents` keeps NFD: the answer engine reads "…", "½" and "²" as they are written.
    - apostrophes: "’", "‘" and "ʼ" become "'". Off where the caller handles apostrophes itself (the lexical
      index strips elisions before folding, the evaluation maps a wider set of them).
    - spaces: runs of white space become one space, ends trimmed. Off where line breaks still matter to the
      caller (the evaluation rejoins words cut at a line end) or where the text is one word.
    """
    if apostrophes:
        text = text.translate(APOSTROPHES)
    if ligatures:
        text = text.translate(LIGATURES)
    if not keep_case:
        text = text.lower()
    text = unicodedata.normalize("NFKD" if compatibility else "NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split()) if spaces else text


def fold_accents(text: str) -> str:
    """`text` without diacritics ("é" -> "e") and with French ligatures spelled out, in its case and spacing."""
    return fold(text, keep_case=True, ligatures=True, compatibility=False, apostrophes=False, spaces=False)

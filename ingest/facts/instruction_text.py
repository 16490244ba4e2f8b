"""How a sentence is read before the injection detector (instructions.py) looks at it: accents and case folded,
leetspeak read as the words it spells, web addresses left out, and one-typo matching for mistyped vocatives."""

from __future__ import annotations

import re

from lang.words import APOSTROPHES, LIGATURES, fold

# An invisible mark with no combining class, which folding keeps: "ig\u034fnore" must read "ignore".
GRAPHEME_JOINER = "\u034f"
# Leetspeak ("1gn0r3 t3s c0ns1gn3s"): a digit right after a letter, in a word of letters and digits. Numbers, "1er",
# "2e" and codes with more digits than letters ("L1435") are left as they are.
LEET_GATE_RE = re.compile(r"[^\W\d_][013457]")
LEET_WORD_RE = re.compile(r"\w{3,40}")
LEET = str.maketrans("013457", "oieast")
WEB_ADDRESS_RE = re.compile(r"(?:https?://|www\.)\S+", re.I)
CONTACT_RE = re.compile(r"@|\d{2}[ .]?\d{2}[ .]?\d{2}[ .]?\d{2}|\b(?:m|mme|mr|monsieur|madame|dr)\b\.?")
# The first word of a sentence, to be read as a mistyped vocative ("Assitant :", "Chatbt,")
FIRST_WORD_RE = re.compile(r"^[\W_]{0,4}(?:(?:cher|chere|dear|hey|hello|bonjour)\s{1,3})?([a-z]{6,12})\s{0,3}[:,;!]")
TYPED_ADDRESSEES = ("assistant", "assistante", "chatbot")


def one_typo(word: str, target: str) -> bool:
    """True when word is target with one letter changed, added, dropped or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _unleet(word: re.Match[str]) -> str:
    text = word.group(0)
    digits = sum(c.isdigit() for c in text)
    if not digits or not LEET_GATE_RE.search(text) or digits > len(text) - digits:
        return text
    return text.translate(LEET)


def forms(sentence: str) -> tuple[str, str, str]:
    """(cased, folded, lowered): without accents, in its case; without accents, lower case, single spaces; lower
    case with its accents. One normalisation (NFKD: "ｉｇｎｏｒｅ" reads "ignore") for the three. A web address
    is an address, not prose: its query string ("utm_source=…") is no field of an answer."""
    text = WEB_ADDRESS_RE.sub(" ", sentence).translate(APOSTROPHES).translate(LIGATURES)
    if LEET_GATE_RE.search(text):
        text = LEET_WORD_RE.sub(_unleet, text)
    cased = fold(text, keep_case=True, spaces=False).replace(GRAPHEME_JOINER, "")
    return cased, " ".join(cased.lower().split()), text.lower()




def message_follows(folded: str, end: int) -> bool:
    """After a bare "Assistant :", a message of a few words rather than a contact ("Mme Dupont, 02 31 …")."""
    rest = folded[end:].strip()
    return len(rest.split()) >= 4 and not CONTACT_RE.search(rest)



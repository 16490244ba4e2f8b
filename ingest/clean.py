"""Text cleaning shared by every reader: normalisation, running headers/footers, line joining."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from ingest.models import Block

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
# Non-breaking and thin spaces are common in French typography ("220 000 €", "CRT :");
# one plain space keeps search and quoting simple.
SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000\t"), " ")
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)

# Bullet glyphs seen in agency PDFs: Symbol/Wingdings private-use glyphs included.
BULLET_RE = re.compile(r"^\s*(?:[•●▪■◦○◆◇►▶➢➤✓✔\-–—*·\uf0a7\uf0b7\uf0d8\uf0fc\uf076\uf0a8])\s+(?=\S)")
NUMBERED_RE = re.compile(r"^\s*(?:\d{1,2}|[a-z])[.)]\s+(?=\S)")
PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:/|sur)\s*\d{1,4})?$", re.IGNORECASE
)
# Compound-word prefixes whose hyphen is real when a line breaks after it ("médico-\nsocial").
COMPOUND_PREFIXES = {
    "médico", "medico", "socio", "psycho", "sage", "sans", "demi", "semi", "mi", "ex", "vice",
    "grand", "grande", "belle", "beau", "arrière", "après", "avant", "sous", "non", "quasi",
    "nord", "sud", "est", "ouest", "saint", "sainte", "centre", "haute", "basse", "bas", "haut",
    "porte", "chef", "garde", "rendez", "c'est", "peut", "est-ce", "soi", "bien", "court", "long",
}


def normalize_text(text: str) -> str:
    """NFC, ligatures unfolded, exotic spaces made plain, invisible characters dropped."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(INVISIBLE).translate(SPACES)
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    return re.sub(r" {2,}", " ", text)


def squash(text: str) -> str:
    """Collapse all whitespace to single spaces."""
    return " ".join(text.split())


def bullet_text(line: str) -> str | None:
    """The text of a list item line without its bullet, or None if the line is not a list item."""
    match = BULLET_RE.match(line)
    if match:
        return line[match.end() :].strip()
    return None


def is_page_number(line: str) -> bool:
    """True for lines such as "12", "- 3 -", "Page 4 / 16"."""
    return bool(PAGE_NUMBER_RE.match(line.strip()))


def _running_key(line: str) -> str:
    # Digits vary from page to page in footers ("page 3", "3/16"); compare the rest.
    return re.sub(r"\d+", "#", squash(line).lower())


def running_lines(pages: Sequence[Sequence[str]], edge: int = 3) -> set[str]:
    """Keys of header/footer lines repeated at the top or bottom of at least half the pages."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        non_empty = [line for line in lines if line.strip()]
        edges = non_empty[:edge] + non_empty[-edge:]
        counts.update({_running_key(line) for line in edges})
    threshold = max(2, (len(pages) + 1) // 2)
    return {key for key, n in counts.items() if n >= threshold and key.strip("# ")}


def is_running_line(line: str, keys: set[str]) -> bool:
    """True if the line is a repeated header/footer (by its digit-free key) or a bare page number."""
    return _running_key(line) in keys or is_page_number(line)


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Lower-cased words of a document, hyphenated compounds included, to arbitrate line-end hyphens."""
    words: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in re.findall(r"[\w’'-]+", text))
    return words


def join_lines(lines: Sequence[str], vocab: set[str] | None = None) -> str:
    """Join the lines of one paragraph, rejoining words cut by an end-of-line hyphen."""
    vocab = vocab or set()
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("-") and not out.endswith(" -") and line[:1].isalpha():
            out = out[:-1] + ("-" if _keep_hyphen(out[:-1], line, vocab) else "") + line
        else:
            out = out + " " + line
    return out


def _keep_hyphen(left_text: str, right_text: str, vocab: set[str]) -> bool:
    left = re.findall(r"[\w’']+$", left_text)
    right = re.findall(r"^[\w’']+", right_text)
    if not left or not right:
        return True
    head, tail = left[0].lower(), right[0].lower()
    if right_text[:1].isupper():
        return True  # "Seine-\nMaritime", "Alençon –\nMamers": proper names keep their hyphen
    if f"{head}-{tail}" in vocab:
        return True
    if f"{head}{tail}" in vocab:
        return False
    return head in COMPOUND_PREFIXES


class BlockBuilder:
    """A page's blocks as a reader finds them line by line: lines gather into the open block (`kind`, `level`)
    until `start` closes it, joined as prose (hyphenation and wrapped lines undone, with `vocab`)."""

    def __init__(self, page: int, vocab: set[str], kind: str = "paragraph") -> None:
        self.page, self.vocab = page, vocab
        self.kind, self.level = kind, 0
        self.blocks: list[Block] = []
        self._lines: list[str] = []

    def add(self, line: str) -> None:
        self._lines.append(line)

    def start(self, kind: str, level: int = 0) -> None:
        """Close the open block and open one of `kind`."""
        self.close()
        self.kind, self.level = kind, level

    def append(self, block: Block) -> None:
        """A block read whole (a table row, a marked heading), after the open one."""
        self.close()
        self.blocks.append(block)

    def close(self) -> None:
        text = squash(join_lines(self._lines, self.vocab))
        if text:
            self.blocks.append(Block(kind=self.kind, text=text, page=self.page, level=self.level))
        self._lines = []

"""What the corpus holds, for new agents: document fiches, versions and the one glossary of the product.

Fiches are written at ingest (ingest/fiche/, their questions by ingest/fiche/describe.py) and stored beside the
index; a document indexed before fiches existed gets one computed from its file, in the ingest's time- and
memory-limited reading child (ingest/prepare.py), never in the serving process. The glossary joins the
acronyms the documents define ("Conseil territorial de santé (CTS)", with their page) to the base glossary
shipped with the project; the assistant expands queries with this same glossary.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.glossary import Glossary, Term, base_glossary, defines
from ingest.fiche import Definition, Fiche, quotable
from ingest.pipeline import Skipped
from ingest.prepare import Limits, describe_limited
from lang.dates import FOLDED_MONTH
from lang.words import fold_accents

if TYPE_CHECKING:
    from index.index import Index

log = logging.getLogger(__name__)

_DATES_RE = re.compile(
    rf"\b(?:\d{{1,2}}(?:er)?\s+)?(?:{FOLDED_MONTH})\b"
    r"|\b(?:19|20)\d{2}(?:\s*[-/]\s*(?:19|20)?\d{2})?\b"
)
_EDITION_RE = re.compile(r"\b(edition|version|mise a jour|maj|v\d+)\b")
_WORD_RE = re.compile(r"[a-z0-9]+")  # one class, one quantifier: linear


def series_key(title: str) -> str:
    """A title without its dates: "Feuille de route de l'Orne – Bilan janvier 2025" and "... janvier 2024"
    are versions of one document."""
    text = _DATES_RE.sub(" ", fold_accents(title.lower()))
    text = _EDITION_RE.sub(" ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One term of the product's glossary, with where the corpus defines and uses it."""

    term: str
    expansion: str
    definition: str  # the defining sentence for a document entry; the base's one-liner otherwise
    origin: str  # "document" | "base"
    source: str | None = None  # the document that defines it
    page: int | None = None
    occurrences: tuple[tuple[str, int], ...] = ()  # (source, page) where the term is written
    general: str = ""  # for a document entry, the base glossary's definition of the term, if it has one

    def to_json(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "expansion": self.expansion,
            "definition": self.definition,
            "origin": self.origin,
            "source": self.source,
            "page": self.page,
            "occurrences": [{"source": s, "page": p} for s, p in self.occurrences],
            "note": "" if self.origin == "document" else "définition générale, non tirée des documents",
            "defines": self.defines,
            "general_definition": self.general,
        }

    @property
    def defines(self) -> bool:
        """For a document entry: does its sentence say what the term is (« Le CTS est une instance… »), rather
        than spell it out in passing? (Then the documents define it nowhere.)"""
        return self.origin == "document" and defines(self.definition, self.term, self.expansion)

    @property
    def defined(self) -> bool:
        """True when the documents define the term, or the base glossary says more than its expansion: « Région
        Île-de-France. » for IDF is no definition, and such a term is not worth a line of the glossary's list."""
        return self.origin == "document" or _says_more(Term(self.term, self.expansion, self.definition))


@dataclass(frozen=True, slots=True)
class Version:
    """Where a document stands among the versions of one publication."""

    current: Fiche  # the newest version
    superseded_by: Fiche | None = None  # None: this document is the current one


@dataclass(slots=True)
class _State:
    key: tuple[str, ...] = ()
    version: object = None  # the index's `version` this state was computed for
    fiches: dict[str, Fiche] = field(default_factory=dict)
    versions: dict[str, Version] = field(default_factory=dict)
    glossary: tuple[GlossaryEntry, ...] = ()
    terms: Glossary = field(default_factory=Glossary)


class Catalog:
    """Fiches, versions and glossary of the indexed documents, recomputed when the index changes."""

    def __init__(self, index: Index, base: tuple[Term, ...] | None = None, *, limits: Limits) -> None:
        self.index = index
        self.limits = limits  # of the reading child that describes a document indexed without its fiche
        self.base = base if base is not None else base_glossary()
        self._state = _State(terms=Glossary(self.base))
        self._lock = threading.Lock()

    def _current(self) -> _State:
        version = getattr(self.index, "version", None)
        state = self._state
        if version is not None and version is state.version and state.key:
            return state  # the index has not changed: no need to list its documents again (many per question)
        records = self.index.documents()
        key = tuple(sorted(r.doc_id for r in records))
        with self._lock:
            if key != self._state.key or not key:
                fiches = {}
                for record in records:
                    fiche = self._fiche_of(record.doc_id, record.path)
                    if fiche is not None:
                        fiches[record.doc_id] = fiche
                versions = _versions(list(fiches.values()))
                glossary = _glossary(self.base, fiches, versions)
                self._state = _State(
                    key, version, fiches, versions, glossary, Glossary(_query_terms(self.base, glossary))
                )
            else:
                self._state.version = version
            return self._state

    def _fiche_of(self, doc_id: str, path: str) -> Fiche | None:
        stored = self.index.fiche(doc_id)
        if stored is not None:
            try:
                return quotable(Fiche.from_json(stored))  # stored before instructions were told apart
            except (KeyError, TypeError, ValueError):
                log.warning("fiche of %s unreadable, recomputed", doc_id)
        # indexed before fiches existed: read its file again, if it is still there
        if not path or not Path(path).is_file():
            return None
        try:
            fiche = describe_limited(Path(path), self.limits)
        except OSError as exc:  # no child could be started: the page goes on without this fiche
            log.warning("no fiche for %s: %s", path, exc)
            return None
        if isinstance(fiche, Skipped):
            log.warning("no fiche for %s: %s", path, fiche.reason)
            return None
        return fiche

    def fiches(self) -> list[Fiche]:
        """Fiches of the indexed documents, sorted by title then date (newest first)."""
        fiches = self._current().fiches.values()
        return sorted(fiches, key=lambda f: (f.title.lower(), "" if f.date is None else _negate(f.date)))

    def fiche(self, source: str) -> Fiche | None:
        return next((f for f in self._current().fiches.values() if f.source == source), None)

    def version(self, doc_id: str) -> Version | None:
        return self._current().versions.get(doc_id)

    def superseded(self) -> dict[str, Version]:
        """Documents replaced by a newer version, by doc_id."""
        return {d: v for d, v in self._current().versions.items() if v.superseded_by is not None}

    def date(self, doc_id: str) -> str | None:
        fiche = self._current().fiches.get(doc_id)
        return fiche.date if fiche else None

    def glossary(self, term: str | None = None) -> list[GlossaryEntry]:
        """The glossary's defined entries (or every entry matching `term`: acronym, or words of the expansion)."""
        entries = list(self._current().glossary)
        if not term:
            return [e for e in entries if e.defined]
        key = fold_accents(term.lower()).strip()
        exact = [e for e in entries if e.term.lower() == key]
        return exact or [e for e in entries if key in fold_accents(f"{e.term} {e.expansion}".lower())]

    def query_glossary(self) -> Glossary:
        """The acronyms the assistant expands queries with: the documents' own expansions first."""
        return self._current().terms

    def definition(self, term: str) -> Definition | None:
        """Where the corpus defines an acronym (the current version of a document first)."""
        state = self._current()
        found = [
            (fiche, d) for fiche in state.fiches.values() for d in fiche.definitions if d.term.upper() == term.upper()
        ]
        found.sort(key=lambda fd: (state.versions.get(fd[0].doc_id, Version(fd[0])).superseded_by is not None))
        return found[0][1] if found else None


def _negate(date: str) -> str:
    # sorts ISO dates newest first inside an ascending sort
    return "".join(chr(255 - ord(c)) for c in date)


def _versions(fiches: list[Fiche]) -> dict[str, Version]:
    series: dict[str, list[Fiche]] = {}
    for fiche in fiches:
        key = series_key(fiche.title)
        # a generic title ("Note", "Bilan 2024") is not enough to call two documents versions of one
        if fiche.date and len(key.split()) >= 3:
            series.setdefault(key, []).append(fiche)
    out: dict[str, Version] = {f.doc_id: Version(f) for f in fiches}
    for members in series.values():
        if len(members) < 2:
            continue
        newest = max(members, key=lambda f: f.date or "")
        for fiche in members:
            out[fiche.doc_id] = Version(newest, None if fiche is newest or fiche.date == newest.date else newest)
    return out


def _glossary(
    base: tuple[Term, ...], fiches: dict[str, Fiche], versions: dict[str, Version]
) -> tuple[GlossaryEntry, ...]:
    used: dict[str, list[tuple[str, int]]] = {}
    for fiche in sorted(fiches.values(), key=lambda f: f.source):
        for term, pages in fiche.acronyms:
            used.setdefault(term, []).extend((fiche.source, p) for p in pages)
    defined: dict[str, tuple[Fiche, Definition]] = {}
    # the current version's definition wins, then the first document by name
    ordered = sorted(
        fiches.values(), key=lambda f: (versions.get(f.doc_id, Version(f)).superseded_by is not None, f.source)
    )
    for fiche in ordered:
        for definition in fiche.definitions:
            defined.setdefault(definition.term.upper(), (fiche, definition))
    entries: list[GlossaryEntry] = []
    general = {t.term.upper(): t for t in base}
    for fiche, definition in defined.values():
        known = general.get(definition.term.upper())
        entries.append(GlossaryEntry(
            term=definition.term, expansion=definition.expansion, definition=definition.sentence, origin="document",
            source=fiche.source, page=definition.page, occurrences=tuple(used.get(definition.term, ())),
            general=known.definition if known is not None and _says_more(known) else "",
        ))
    for known in base:
        if known.term.upper() not in defined:
            entries.append(GlossaryEntry(
                term=known.term, expansion=known.expansion, definition=known.definition, origin="base",
                occurrences=tuple(used.get(known.term, ())),
            ))
    return tuple(sorted(entries, key=lambda e: e.term.upper()))


def _says_more(term: Term) -> bool:
    """Does a base definition say more than the term's expansion (« Région Île-de-France. » does not)?"""
    said, expansion = _words(term.definition), _words(term.expansion)
    return said not in (expansion, said[:1] + expansion)


def _words(text: str) -> list[str]:
    """The lower-case, accent-free words of `text`: « Île-de-France. » -> ["ile", "de", "france"]."""
    return _WORD_RE.findall(fold_accents(text.lower()))


def _query_terms(base: tuple[Term, ...], entries: tuple[GlossaryEntry, ...]) -> tuple[Term, ...]:
    """Glossary terms for query expansion: a document's expansion, plus the base one when it differs
    (the documents may write "centres de ressources territoriaux", users "centre de ressources")."""
    by_term = {t.term.upper(): t for t in base}
    out: list[Term] = []
    for entry in entries:
        out.append(Term(entry.term, entry.expansion, entry.definition, entry.origin))
        known = by_term.get(entry.term.upper())
        if entry.origin == "document" and known and fold_accents(known.expansion.lower()) != fold_accents(
            entry.expansion.lower()
        ):
            out.append(known)
    return tuple(out)

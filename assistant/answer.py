"""The extractive answerer: the fact asked for first, the supporting sentence quoted, every claim cited."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.extract import Unit, complete
from assistant.models import REFUSAL, RELATED_HEADING, Citation, Closest
from assistant.question import Question
from assistant.unit_facts import counted_nouns, money_segments
from assistant.units import is_instruction, list_items_after
from index.models import Hit
from ingest.models import Chunk
from lang.shape import is_statement
from lang.tokens import tokens

# A refusal offers this many passages that came closest (one per passage), marked as not an answer.
CLOSEST_PASSAGES = 3
MARKER_RE = re.compile(r" ?\[(\d{1,3})\]")  # a citation marker of an answer line, with the space before it


@dataclass(slots=True)
class Draft:
    """An answer being written: its text lines and the citations they use."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    noise: set[int] = field(default_factory=set)  # citations whose excerpt is a link, a menu or a heading alone

    def cite(self, unit_text: str, hit: Hit) -> int:
        """Number of the citation for this excerpt, adding it if new; excerpts are verbatim."""
        if unit_text not in hit.chunk.text:
            raise ValueError("excerpt is not verbatim in its chunk")  # fail closed: never cite a paraphrase
        for citation in self.citations:
            if citation.chunk_id == hit.chunk.id and citation.excerpt == unit_text:
                return citation.n
        n = len(self.citations) + 1
        self.citations.append(citation_for(n, hit, unit_text))
        if not is_statement(unit_text, hit.chunk.text):
            self.noise.add(n)
        return n

    def result(self) -> tuple[str, list[Citation]] | None:
        """(text, citations) without the lines that only cite noise, markers renumbered; None when nothing
        cited is left."""
        if not self.noise:
            return "\n".join(self.lines), self.citations
        kept = [c for c in self.citations if c.n not in self.noise]
        if not kept:
            return None
        numbers = {c.n: new for new, c in enumerate(kept, start=1)}

        def renumber(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if n in numbers:
                return f" [{numbers[n]}]"
            return "" if n in self.noise else match.group(0)  # "[12]" of the document's own text stays

        lines = []
        for line in self.lines:
            cited = [int(n) for n in MARKER_RE.findall(line)]
            if cited and all(n in self.noise for n in cited):
                continue
            lines.append(MARKER_RE.sub(renumber, line) if cited else line)
        if lines and lines[-1].endswith(":"):
            lines.pop()  # a heading line ("Montants liés :") left without its items
        return "\n".join(lines), [replace(c, n=numbers[c.n]) for c in kept]


def citation_for(n: int, hit: Hit, excerpt: str) -> Citation:
    """Citation [n] of a retrieved chunk with the given excerpt of it, on the page(s) of the excerpt: a chunk may
    run over two pages, and the link must open the page of the quoted sentence."""
    chunk = hit.chunk
    page, page_end = chunk.pages_of(excerpt)
    return Citation(
        n=n,
        source=chunk.source,
        title=chunk.title,
        page=page,
        section=chunk.section,
        excerpt=excerpt,
        score=round(hit.score, 4),
        chunk_id=chunk.id,
        page_end=page_end,
        ocr=chunk.ocr,
    )


Following = Callable[[Chunk], list[Chunk]]


def compose(
    question: Question,
    chosen: Sequence[Unit],
    units: Sequence[Unit],
    following: Following | None = None,
    lead: tuple[str, str, Hit] | None = None,
) -> tuple[str, list[Citation]] | None:
    """The answer written around the sentences the engine chose (`chosen`, the best first; `units` are all the
    retrieved sentences read against the question, best first), with its citations; None when nothing cited is
    left. `following` gives the chunks after a chunk, for a list that goes on past the end of the retrieved one;
    `lead` is the line defining the acronym asked about ("MILDECA : mission [...]"), the corpus sentence it comes
    from and the hit that holds that sentence."""
    if not chosen:
        return None
    chosen = complete(question, chosen, units)[0]  # what the question asks that the lead lacks
    best = chosen[0]
    draft = Draft()
    if lead is not None:
        line, sentence, hit = lead
        n = draft.cite(sentence, hit)
        draft.lines.append(f"{line} [{n}]")
    if question.kind == "montant":
        _lead_amount(question, best, draft)
    elif question.kind == "liste" or best.kind == "intro":
        _lead_list(best, units, draft, following)
    elif lead is None or best.text != lead[1]:
        if best.before:  # "Elle se décline [...]" reads with the sentence that says who "elle" is
            n = draft.cite(f"{best.before} {best.text}" if f"{best.before} {best.text}" in best.hit.chunk.text
                           else best.before, best.hit)
            draft.lines.append(f"{best.before} [{n}]")
        n = draft.cite(best.text, best.hit)
        draft.lines.append(f"{best.text} [{n}]")
    for unit in chosen[1:]:
        if unit.text not in "\n".join(draft.lines):
            n = draft.cite(unit.text, unit.hit)
            draft.lines.append(f"{unit.text} [{n}]")
    if question.kind == "definition":
        _more_definition(best, units, draft)
    elif question.kind == "lieu":
        _more_places(question, best, units, draft)
    related = [u for u in units if u.hard_ok and u.coverage >= 0.4]
    _related_amounts(question, best, related, draft)
    return draft.result()


def _more_definition(best: Unit, units: Sequence[Unit], draft: Draft) -> None:
    """A definition reads better with the next sentences of the same section about the term."""
    added = 0
    for unit in units:
        if added >= 2 or unit.score < best.score - 0.5:
            break
        same = unit.hit.chunk.doc_id == best.hit.chunk.doc_id and unit.hit.chunk.section == best.hit.chunk.section
        if same and unit.text not in "\n".join(draft.lines) and unit.kind != "item":
            n = draft.cite(unit.text, unit.hit)
            draft.lines.append(f"{unit.text} [{n}]")
            added += 1


def _more_places(question: Question, best: Unit, units: Sequence[Unit], draft: Draft) -> None:
    """Places are often listed over several sentences of a section ("en stage ambulatoire [...]", "dans les
    zones sous denses"): the close runners-up of the same section that name a place follow the lead."""
    added = 0
    for unit in units:
        if added >= 2 or unit.score < best.score - 0.3:
            break
        same = unit.hit.chunk.doc_id == best.hit.chunk.doc_id and unit.hit.chunk.section == best.hit.chunk.section
        if same and unit.has_fact and unit.hard_ok and unit.kind == "sentence" and unit.spelled - set(question.soft) \
                and unit.text not in "\n".join(draft.lines):
            n = draft.cite(unit.text, unit.hit)
            draft.lines.append(f"{unit.text} [{n}]")
            added += 1


def _lead_amount(question: Question, best: Unit, draft: Draft) -> None:
    segments = money_segments(best.text)
    n = draft.cite(best.text, best.hit)
    if len(segments) > 1 or (segments and len(best.text) > 200):
        wanted, focus = set(question.terms), set(question.focus)

        def relevance(segment: tuple[str, str]) -> tuple[int, int]:
            words = set(tokens(segment[1]))
            return len(focus & words), len(wanted & words)  # a follow-up's own words first

        _amount, clause = max(segments, key=relevance)
        # the clause alone: the whole sentence is the source's own, shown with it, not repeated here
        draft.lines.append(f"{_capitalise(clause)} [{n}].")
    else:
        draft.lines.append(f"{best.text} [{n}]")


def _lead_list(best: Unit, good: Sequence[Unit], draft: Draft, following: Following | None) -> None:
    # an introduction of the same section, close to the best unit, leads a bulleted list
    intro = best if best.kind == "intro" else next(
        (u for u in good if u.kind == "intro" and u.hard_ok and u.score >= best.score - 0.3
         and (u.hit.chunk.doc_id, u.hit.chunk.section) == (best.hit.chunk.doc_id, best.hit.chunk.section)),
        best,
    )
    n = draft.cite(intro.text, intro.hit)
    draft.lines.append(f"{intro.text} [{n}]")
    if intro.kind != "intro":
        _prose_list(best, good, draft)
        return
    items = list_items_after(intro.hit, intro.text)
    draft.lines.extend(f"- {item}" for item in items)
    lines = intro.hit.chunk.text.rstrip().split("\n")
    if following is None or not items or not lines[-1].startswith("- "):
        return
    # the list goes on in the next chunks: their leading items, cited, without the overlap repeated
    seen = set(items)
    for chunk in following(intro.hit.chunk):
        more = [line[2:] for line in _leading_items(chunk.text)]
        new = [item for item in more if item not in seen]
        # an item that speaks to a model ends the list there: never quoted, and the excerpt stays verbatim
        cut = next((i for i, item in enumerate(new) if is_instruction(item)), None)
        if cut is not None:
            new = new[:cut]
        if new:
            hit = Hit(chunk=chunk, score=intro.hit.score, rank=intro.hit.rank)
            n = draft.cite("\n".join(f"- {item}" for item in new)[2:], hit)
            draft.lines.extend(f"- {item} [{n}]" for item in new)
            seen.update(new)
        if cut is not None or len(more) < len(chunk.text.strip().split("\n")):
            break  # the list ends in this chunk


def _leading_items(text: str) -> list[str]:
    out = []
    for line in text.strip().split("\n"):
        if not line.startswith("- "):
            break
        out.append(line)
    return out


ORDINAL_WORD_RE = re.compile(
    r"\b(premi[eè]re?|seconde?|deuxième|troisième|quatrième|cinquième|sixième|enfin|d[’']une part|d[’']autre part)\b",
    re.IGNORECASE,
)


def _prose_list(best: Unit, units: Sequence[Unit], draft: Draft) -> None:
    """A list written as sentences: "Le CRT développe deux modalités [...]", then "La première modalité
    est [...]", "Concernant la seconde modalité [...]": the sentences that number the same noun follow."""
    nouns = counted_nouns(best.text)
    if not nouns:
        return
    same = [
        u for u in units
        if u.hit.chunk.doc_id == best.hit.chunk.doc_id and u.hit.chunk.section == best.hit.chunk.section
        and u.kind == "sentence" and ORDINAL_WORD_RE.search(u.text) and nouns & set(tokens(u.text))
    ]
    seen: set[str] = set()
    for unit in sorted(same, key=lambda u: (u.hit.chunk.position, u.hit.chunk.text.find(u.text))):
        if unit.text in seen or unit.text == best.text:
            continue
        seen.add(unit.text)
        n = draft.cite(unit.text, unit.hit)
        draft.lines.append(f"- {unit.text} [{n}]")


def _related_amounts(question: Question, best: Unit, related: Sequence[Unit], draft: Draft) -> None:
    """Other amounts of the lead's section, each cited, after an amount answer."""
    if question.kind != "montant":
        return
    others: list[str] = []
    lead = draft.lines[0]
    for unit in [best, *related]:
        if unit.hit.chunk.doc_id != best.hit.chunk.doc_id or unit.hit.chunk.section != best.hit.chunk.section:
            continue  # related figures come from the same section, not from elsewhere in the corpus
        for _amount, clause in money_segments(unit.text):
            if clause in lead or len(others) >= 3 or any(clause.lower() in o.lower() for o in others):
                continue
            n = draft.cite(unit.text, unit.hit)
            others.append(f"- {_capitalise(clause)} [{n}]")
    if others:
        draft.lines.append(RELATED_HEADING)
        draft.lines.extend(others)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def closest_passages(units: Sequence[Unit], limit: int = CLOSEST_PASSAGES) -> tuple[Closest, ...]:
    """The passages that came closest to a refused question, best first, one per passage: the sentence of each
    that scored best among those sharing a word with the question (links, menus and headings alone left out)."""
    out: list[Closest] = []
    seen: set[str] = set()
    for unit in units:  # best first
        chunk = unit.hit.chunk
        if len(out) >= limit:
            break
        if chunk.id in seen or not unit.matched or not is_statement(unit.text, chunk.text):
            continue
        seen.add(chunk.id)
        page, page_end = chunk.pages_of(unit.text)
        out.append(Closest(document=chunk.title, source=chunk.source, page=page, text=unit.text, page_end=page_end,
                           section=chunk.section, chunk_id=chunk.id, score=round(unit.score, 4), ocr=chunk.ocr))
    return tuple(out)


def refusal_text(hits: Sequence[Hit]) -> tuple[str, tuple[str, ...]]:
    """The refusal, naming the closest documents so the user knows where to look."""
    titles = tuple(dict.fromkeys(h.chunk.title for h in hits[:5]))[:3]
    if not titles:
        return REFUSAL + " Aucun document n'est indexé pour l'instant.", ()
    listed = " ; ".join(f"« {t} »" for t in titles)
    return f"{REFUSAL} Documents les plus proches : {listed}.", titles

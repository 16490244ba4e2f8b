"""An answer never cites a link, a menu or a heading alone: the lines that cite only such a sentence go, the
other citations are renumbered, and an answer left with nothing cited is no answer."""

from __future__ import annotations

from assistant.answer import Draft
from index.models import Hit
from ingest.models import Chunk

URL = "https://www.normandie.ars.sante.fr/ projet-regional-de-sante-2023-2028-12-priorites-daction"
FACT = "Le Projet régional de santé 2023-2028 compte douze priorités d’action."
OTHER = "Il est décliné en feuilles de route départementales."
HIT = Hit(Chunk(doc_id="d", source="prs.pdf", title="PRS", page=1, page_end=1, section="PRS",
                text=f"PRS\n{FACT} {OTHER}\n{URL}", position=0), score=1.0, rank=1)


def test_a_line_citing_a_link_alone_is_dropped_and_the_others_renumbered():
    draft = Draft()
    draft.lines.append(f"{URL} [{draft.cite(URL, HIT)}]")
    draft.lines.append(f"{FACT} [{draft.cite(FACT, HIT)}]")
    draft.lines.append(f"{OTHER} [{draft.cite(OTHER, HIT)}] [1]")
    result = draft.result()
    assert result is not None
    text, citations = result
    assert text == f"{FACT} [1]\n{OTHER} [2]"
    assert [(c.n, c.excerpt) for c in citations] == [(1, FACT), (2, OTHER)]


def test_an_answer_citing_only_noise_is_no_answer():
    draft = Draft()
    draft.lines.append(f"{URL} [{draft.cite(URL, HIT)}]")
    assert draft.result() is None


def test_an_answer_without_noise_is_unchanged():
    draft = Draft()
    draft.lines.append(f"{FACT} [{draft.cite(FACT, HIT)}]")
    assert draft.result() == (f"{FACT} [1]", draft.citations)

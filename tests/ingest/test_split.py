"""Chunking: sizes, overlap, sections, pages, and no text lost."""

from __future__ import annotations

import re

from ingest.models import Block, Document
from ingest.split import chunk_document
from lang.sentences import split_sentences

SENTENCE = "Le centre de ressources territorial accompagne {n} personnes âgées à domicile dans l’Orne."


def doc(blocks: list[Block]) -> Document:
    return Document("abc", "doc.pdf", "Titre", "/tmp/doc.pdf", max(b.page for b in blocks), tuple(blocks))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_long_section_is_cut_near_the_size_with_overlap():
    paragraph = " ".join(SENTENCE.format(n=i) for i in range(40))
    chunks = chunk_document(doc([Block("heading", "Le CRT", 1), Block("paragraph", paragraph, 1, 0)]), 800, 120)
    assert len(chunks) > 3
    assert all(len(c.text) <= 800 + 120 for c in chunks)
    assert all(c.section == "Le CRT" for c in chunks)
    for before, after in zip(chunks, chunks[1:], strict=False):
        last_sentence = split_sentences(before.text)[-1]
        assert after.text.startswith(last_sentence)  # the overlap repeats the previous sentence


def test_no_text_is_lost():
    blocks = [
        Block("heading", "Titre un", 1),
        Block("paragraph", " ".join(SENTENCE.format(n=i) for i in range(30)), 1, 0),
        Block("item", "premier point", 2, 0),
        Block("heading", "Titre deux", 2),
        Block("paragraph", "Dernier paragraphe court.", 3, 0),
    ]
    joined = " ".join(c.text for c in chunk_document(doc(blocks)))
    for block in blocks:
        for sentence in split_sentences(block.text):
            assert sentence in joined


def test_a_heading_starts_a_new_chunk_and_chunks_never_mix_sections():
    blocks = [
        Block("heading", "Priorité A", 1),
        Block("paragraph", "Texte A.", 1, 0),
        Block("heading", "Priorité B", 1),
        Block("paragraph", "Texte B.", 1, 0),
    ]
    chunks = chunk_document(doc(blocks))
    assert [(c.section, c.text) for c in chunks] == [
        ("Priorité A", "Priorité A\nTexte A."),
        ("Priorité B", "Priorité B\nTexte B."),
    ]


def test_chunk_spanning_two_pages_keeps_first_and_last_page():
    blocks = [Block("heading", "Suite", 1), Block("paragraph", "Début en bas de page.", 1, 0),
              Block("paragraph", "Fin en haut de la page suivante.", 2, 0)]
    [chunk] = chunk_document(doc(blocks))
    assert (chunk.page, chunk.page_end) == (1, 2)


def test_positions_and_ids_are_unique_and_ordered():
    blocks = [Block("paragraph", " ".join(SENTENCE.format(n=i) for i in range(50)), 1, 0)]
    chunks = chunk_document(doc(blocks))
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    assert chunks[0].section == ""


def test_sentences_split_on_final_punctuation_only():
    text = "Le montant est de 220 000 euros. Il couvre 3 ans ! Est-ce assez ? « Oui. » Fin"
    assert split_sentences(text) == ["Le montant est de 220 000 euros.", "Il couvre 3 ans !", "Est-ce assez ?",
                                     "« Oui. » Fin"]


def test_a_list_that_does_not_fit_moves_whole_with_its_introduction():
    axes = [f"axe numéro {i} : une action régionale pour l’attractivité des métiers de la santé" for i in range(6)]
    blocks = [
        Block("heading", "Attractivité", 1),
        Block("paragraph", " ".join(SENTENCE.format(n=i) for i in range(6)), 1, 0),
        Block("paragraph", "La feuille de route s’articule autour de six axes :", 1, 0),
        *[Block("item", axe, 1, 0) for axe in axes],
    ]
    chunks = chunk_document(doc(blocks), 800, 120)
    listing = next(c for c in chunks if "six axes" in c.text)
    assert all(f"- {axe}" in listing.text for axe in axes)

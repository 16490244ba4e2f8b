"""What the chat shows: escaped text, citations with the sentence highlighted in its passage, refusals set apart."""

from __future__ import annotations

import html

from assistant.library import LibraryDocument
from assistant.models import REFUSAL, Answer, Citation, Closest
from ui.render import answer_markdown, document_url, documents_table, format_date, in_context, viewer_url

PASSAGE = (
    "Le secteur d'Alençon compte plusieurs structures. Afin de compléter cette offre, l'ARS a financé "
    "220 000 euros sur 3 ans. Au total, près de 44 000 euros ont été dédiés aux publics."
)
EXCERPT = "Afin de compléter cette offre, l'ARS a financé 220 000 euros sur 3 ans."
CITATION = Citation(
    n=1, source="feuille de route <orne>.pdf", title="Feuille <b>de route</b>", page=6, section="Plan crack",
    excerpt=EXCERPT, score=0.9, chunk_id="abc:6:1", page_end=7,
)


def test_a_sentence_is_shown_inside_its_passage():
    before, sentence, after = in_context(EXCERPT, PASSAGE)
    assert sentence == EXCERPT and before.endswith("structures. ") and after.startswith(" Au total")
    before, _, after = in_context(EXCERPT, "mot " * 200 + EXCERPT + " suite" * 200, width=40)
    assert before.startswith("…") and len(before) <= 42 and after.endswith("…")
    assert in_context("absent", PASSAGE) == ("", "absent", "")


def test_an_answer_shows_its_fact_first_and_its_sources_as_compact_cards():
    text = "220 000 euros sur 3 ans [1].\n- autre montant [1]"
    shown = answer_markdown(Answer(question="q", text=text, citations=(CITATION,)))
    answer, sources = shown.split('<div class="sources">')
    assert "<p>220 000 euros sur 3 ans" in answer and "<li>autre montant" in answer
    # each [n] is a link to its passage in the viewer, its quote shown when pointed at
    ref = answer.split('<a class="ref" ', 1)[1].split("</a>", 1)[0]
    assert 'href="/visionneuse/feuille%20de%20route%20%3Corne%3E.pdf?page=6&amp;passage=Afin' in ref
    assert f'title="Feuille &lt;b&gt;de route&lt;/b&gt;, p. 6-7 : « {html.escape(EXCERPT)} »"' in ref
    assert ref.endswith(">[1]")
    assert f"<mark>{EXCERPT}</mark>" in sources and "p. 6-7" in sources
    assert "Le secteur d'Alençon" not in shown  # the card quotes the sentence, not its whole passage
    # the link opens the viewer at the page, the cited sentence to highlight in its query
    assert ('href="/visionneuse/feuille%20de%20route%20%3Corne%3E.pdf?page=6&amp;passage=Afin%20de%20compl%C3%A9ter'
            "%20cette%20offre%2C%20l%27ARS%20a%20financ%C3%A9%20220%20000%20euros%20sur%203%20ans.\"") in sources
    assert "Voir le passage, page 6 ↗</a>" in sources
    assert "<b>de route</b>" not in shown and "Feuille &lt;b&gt;de route&lt;/b&gt;" in sources


def test_related_amounts_and_more_sentences_are_folded_away():
    text = ("Un [1]\nDeux [1]\nTrois [1]\nMontants liés :\n- 258 000 euros pour les jeunes [1]\n"
            "- 44 000 euros pour les publics [1]")
    shown = answer_markdown(Answer(question="q", text=text, citations=(CITATION,)))
    lead = shown.split("<details", 1)[0]
    assert "Un" in lead and "Deux" in lead and "Trois" not in lead and "258 000" not in lead
    assert '<details class="suite"><summary>Suite de la réponse</summary><p>Trois' in shown
    assert '<details class="montants"><summary>Montants liés (2)</summary><ul><li>258 000 euros' in shown


def test_document_text_cannot_inject_html_or_markdown():
    answer = Answer(question="q", text="<img src=x onerror=alert(1)> **gras** [lien](javascript:x)")
    shown = answer_markdown(answer)
    assert "<img" not in shown and "&lt;img" in shown
    # one HTML block: markdown is not read inside it, so the stars and brackets show as typed
    assert shown.startswith('<div class="reponse">') and "\n" not in shown


def test_a_refusal_is_set_apart_and_names_the_closest_documents():
    answer = Answer(question="q", text=f"{REFUSAL} Documents les plus proches : « Charte ».", refused=True)
    shown = answer_markdown(answer)
    assert shown.startswith('<div class="refus" role="status">')
    assert f'<p class="refus-tete">{REFUSAL}</p>' in shown and "Documents les plus proches" in shown


def test_a_refusal_offers_the_closest_passages_marked_as_not_an_answer():
    closest = Closest(document="Charte <i>partenariale</i>", source="charte.pdf", page=2,
                      text="La charte réunit 21 acteurs.")
    answer = Answer(question="q", text=f"{REFUSAL} Documents les plus proches : « Charte ».", refused=True,
                    closest=(closest,))
    shown = answer_markdown(answer)
    refusal, passages = shown.split('<div class="proches">')
    assert f'<p class="refus-tete">{REFUSAL}</p>' in refusal and "Documents les plus proches" not in refusal
    assert "Ce n'est pas une réponse" in passages
    assert "Charte &lt;i&gt;partenariale&lt;/i&gt;</strong> · p. 2" in passages
    assert "« La charte réunit 21 acteurs. »" in passages and '<div class="citation"' not in passages
    assert 'href="/visionneuse/charte.pdf?page=2&amp;passage=La%20charte' in passages
    assert "Voir le passage, page 2 ↗</a>" in passages


def test_a_partial_answer_shows_no_sources_yet():
    answer = Answer(question="q", text="220 000", citations=(CITATION,))
    assert "Sources" not in answer_markdown(answer, pending=True)


def test_plain_text_for_the_clipboard_has_no_markup():
    text = Answer(question="q", text="220 000 euros [1].", citations=(CITATION,)).with_sources()
    assert text.startswith("220 000 euros [1].\n\nSources :\n[1] Feuille <b>de route</b> (feuille de route <orne>.pdf")
    assert "<mark>" not in text and "<div" not in text


def test_links_and_rows_of_the_documents_table():
    assert document_url("a b.pdf", 3) == "/documents/a%20b.pdf#page=3"
    assert document_url("../x.txt", 3) == "/documents/..%2Fx.txt"
    assert viewer_url("../x.txt", 3) == "/visionneuse/..%2Fx.txt?page=3"
    assert viewer_url("a b.html", 0, " un  passage\n cité & <b> ") == (
        "/visionneuse/a%20b.html?page=1&passage=un%20passage%20cit%C3%A9%20%26%20%3Cb%3E")
    long = viewer_url("a.pdf", 2, "mot " * 1000)  # a long passage is cut at a word: any browser takes the link
    assert len(long) < 2000 and long.endswith("mot")
    assert format_date("2025-01-15T13:05:00+00:00") == "15/01/2025 14:05"
    assert format_date("pas une date") == "pas une date"
    doc = LibraryDocument("note.pdf", "Note *importante*", 2, 5, "2025-07-01T08:00:00+00:00", True)
    table = documents_table([doc])
    assert '<a href="/visionneuse/note.pdf?page=1" target="_blank" rel="noopener">Note *importante*</a>' in table
    assert '<td data-label="Pages" class="nombre">2</td>' in table and "01/07/2025 10:00" in table
    assert '<th scope="col">Titre</th>' in table
    assert documents_table([]).startswith('<p class="vide">Aucun document indexé')

"""The general answer engine: answer types, ordinary words versus specific ones, and answers on real agency
pages that no rule was written for (two pages of the real corpus's dev split, ingested for real)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.engine import (
    _satisfied,
    answer_kind,
    candidates,
    constraints_of,
    read_question,
)
from assistant.evidence import by_document, passage_evidence, passage_stems, surface_words
from assistant.factory import build_assistant, run_ingest
from assistant.question import analyse
from assistant.service import Assistant
from assistant.settings import Settings
from index.models import Hit, TermFrequencies
from ingest.models import Chunk
from lang.counting import counts
from lang.dates import years_of
from lang.dictionary import is_common_word
from lang.tokens import tokens

REPO = Path(__file__).resolve().parents[2]
REAL_DEV = REPO / "eval" / "real" / "dev" / "docs"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("numero pour signaler un moustique tigre", "contact"),
        ("c quoi le sas", "definition"),
        ("la campagne commence quand ?", "date"),
        ("montant de l'aap nutrition", "montant"),
        ("combien de communes colonisees", "nombre"),
        ("qui porte le cls de lisieux", "personne_organisme"),
        ("taux de couverture vaccinale hpv", "pourcentage"),
    ],
)
def test_the_answer_type_comes_from_the_words_that_ask(question: str, kind: str):
    assert answer_kind(question) == kind


def test_ordinary_french_is_told_from_names_and_acronyms():
    for word in ("bosse", "financement", "temps", "signee", "hopital", "existe-t-il", "ferme-t-elle"):
        assert is_common_word(word), word
    for word in ("lorient", "cls", "ehpad", "saint-claude"):
        assert not is_common_word(word), word


def _hit(doc_id: str, text: str) -> Hit:
    chunk = Chunk(doc_id=doc_id, source=f"{doc_id}.txt", title=doc_id, page=1, page_end=1, section="", text=text,
                  position=0)
    return Hit(chunk=chunk, score=1.0, rank=1)


def _allowed(question: str, hits: list[Hit]) -> set[str]:
    """The documents whose retrieved passages satisfy every constraint of the question."""
    counts: dict[str, int] = {}
    for hit in hits:
        for stem in set(tokens(hit.chunk.text)):
            counts[stem] = counts.get(stem, 0) + 1
    frequencies = TermFrequencies(counts, total=len(hits))
    ask = read_question(question, frequencies)
    constraints = constraints_of(ask, hits, frequencies, {})
    evidence = by_document(hits, passage_evidence(hits, passage_stems(hits)))
    return {doc for doc, words in evidence.items() if all(_satisfied(c, words) for c in constraints)}


def test_a_word_typed_short_is_satisfied_by_the_word_it_starts_but_a_name_is_not():
    hits = [_hit("reunion", "Le chikungunya circule à La Réunion : 12 cas autochtones."),
            _hit("paca", "La dengue circule en PACA : 3 cas autochtones."),
            _hit("calvados", "Le club Ouistrehamais reçoit 20 000 euros à Caen.")]
    assert _allowed("combien de cas de chik ?", hits) == {"reunion"}
    # three letters typed short too: "pop" for "population"
    water = [_hit("eau", "98 % de la population reçoit une eau conforme."), _hit("air", "L'air est surveillé.")]
    assert _allowed("part de la pop avec une eau conforme", water) == {"eau"}
    # a capitalised word is a name, matched whole: "Ouistreham" is not read as the start of "Ouistrehamais"
    assert _allowed("combien pour Ouistreham ?", hits) == set()


def test_a_figure_of_the_question_is_matched_as_the_documents_write_it():
    hits = [_hit("vierzon", "Le CH de Vierzon reçoit 265 000 euros."), _hit("bourges", "Bourges reçoit 12 000 euros.")]
    assert _allowed("les 265 000 € servent à quoi", hits) == {"vierzon"}


def test_a_place_named_elsewhere_in_the_document_satisfies_the_question():
    # the search returned only the passage with the figure; the town is named in another passage of the page
    hits = [_hit("cls-1", "Le contrat est doté de 120 000 euros pour trois ans."),
            _hit("cls-2", "Le contrat est doté de 80 000 euros pour trois ans.")]
    elsewhere = {"cls-1": "Contrat local de santé du pays de Lisieux, signé en 2023.", "cls-2": "Bocage virois."}
    holders = {t: frozenset(d for d, text in elsewhere.items() if t in tokens(text)) for t in tokens("Lisieux")}
    frequencies = TermFrequencies({"lisieux": 1, "contrat": 2, "euros": 2}, total=4)
    ask = read_question("budget du contrat de Lisieux", frequencies)
    found = candidates(ask, hits, lambda _: 1.0, None, lambda texts: {},
                       constraints_of(ask, hits, frequencies, {}),
                       holding=lambda terms, docs: {t: holders.get(t, frozenset()) & set(docs) for t in terms})
    assert {c.hit.chunk.doc_id for c in found} == {"cls-1"}
    # allowed by the document, but neither the sentence nor its passage names the town: the scorer sees it
    assert [(c.pinned, c.passage_pinned) for c in found] == [(0.0, 0.0)]
    # without what the rest of the documents hold, no passage names Lisieux: nothing may answer
    assert candidates(ask, hits, lambda _: 1.0, None, lambda texts: {},
                      constraints_of(ask, hits, frequencies, {})) == []


def test_an_acronym_of_the_question_is_found_written_out_in_a_sentence():
    text = "Le prochain comité de pilotage se réunira le 13 mars 2025 à Argentan. Le COPIL a réuni les partenaires."
    hits = [_hit("copil", text)]
    frequencies = TermFrequencies({"copil": 1, "comit": 1, "pilotag": 1, "prochain": 1}, total=1)
    ask = read_question("quand aura lieu le prochain copil", frequencies)
    written_out = {"copil": set(tokens("comité de pilotage"))}
    own = {c.text: c.own for c in candidates(ask, hits, lambda _: 1.0, None, lambda texts: {},
                                              alternates=written_out)}
    date = "Le prochain comité de pilotage se réunira le 13 mars 2025 à Argentan."
    assert own[date] == 1.0  # "prochain" and "copil", the latter written out
    bare = {c.text: c.own for c in candidates(ask, hits, lambda _: 1.0, None, lambda texts: {})}
    assert bare[date] < own[date]


def test_an_acronym_the_page_only_writes_out_satisfies_the_question():
    # nowhere in the corpus is "CESP" written: the page spells it in full
    hits = [_hit("cesp", "Le contrat d'engagement de service public verse une bourse de 1 200 euros par mois."),
            _hit("other", "Une bourse de 600 euros est versée aux internes.")]
    assert _allowed("bourse mensuelle du CESP", hits) == {"cesp"}
    assert _allowed("bourse mensuelle de l'ASG", hits) == set()
    assert _allowed("montant de l'aide IDF", [_hit("idf", "L'ARS Île-de-France verse 3 000 euros.")]) == {"idf"}


def test_the_year_in_a_file_name_satisfies_the_question_and_another_year_does_not():
    text = "L'ARS a traité un quartier d'Ajaccio contre les moustiques dans la nuit de jeudi 7 novembre."
    chunk = Chunk(doc_id="dengue", source="dengue-ajaccio-2013.txt", title="Opération anti-moustique", page=1,
                  page_end=1, section="", text=text, position=0)
    # another page of the corpus names both years
    hits = [Hit(chunk=chunk, score=1.0, rank=1), _hit("bilan", "Bilan des campagnes 2013 et 2014 en Corse.")]
    assert _allowed("opération ajaccio novembre 2013 : quel jour", hits) == {"dengue"}
    assert _allowed("opération ajaccio novembre 2014 : quel jour", hits) == set()
    dated = Chunk(doc_id="dated", source="note.pdf", title="Note", page=1, page_end=1, section="", text=text,
                  position=0, date="2021-03-04")
    hits = [Hit(chunk=dated, score=1.0, rank=1), _hit("bilan", "Bilan des campagnes 2021 et 2022 en Corse.")]
    assert _allowed("opération ajaccio 2021", hits) == {"dated"}


def test_a_sentence_that_names_what_the_question_pins_is_told_from_its_neighbours():
    hits = [_hit("cls", "Le contrat de Lisieux est doté de 120 000 euros. Celui de Honfleur, de 80 000 euros.")]
    frequencies = TermFrequencies({"lisieux": 1, "honfleur": 1, "contrat": 1, "euros": 1}, total=1)
    ask = read_question("budget du contrat de Lisieux", frequencies)
    found = candidates(ask, hits, lambda _: 1.0, None, lambda texts: {}, constraints_of(ask, hits, frequencies, {}))
    pinned = {c.text.split()[1]: (c.pinned, c.passage_pinned) for c in found}
    assert pinned == {"contrat": (1.0, 1.0), "de": (0.0, 1.0)}


@pytest.mark.parametrize("said", ["Une cinquantaine de participants", "une douzaine de participants",
                                  "des centaines de participants", "soixante participants", "42 participants"])
def test_a_count_written_in_words_counts_what_is_asked(said: str):
    assert counts(f"{said} étaient réunis.", "particip"), said
    assert not counts("Le 12 décembre 2024 a eu lieu le 1er comité, avec les participants.", "particip")


def test_a_figure_counts_the_noun_of_its_phrase_an_article_only_the_next_one():
    pieges = next(iter(tokens("pièges")))
    assert counts("305 dispositifs constituant le réseau de pièges pondoirs.", pieges)
    assert counts("Un piège a été posé.", pieges)
    assert not counts("Une campagne de pose de pièges a eu lieu.", pieges)


def test_names_are_matched_as_written_not_stemmed():
    words = surface_words("L’ARS de Saint-Martin")
    assert {"ars", "saint-martin", "martin"} <= words and "martinique" not in words


def test_the_years_a_text_names_spans_included():
    assert years_of("Le PRS 2023-2028 fixe les priorités") >= {2023, 2025, 2028}
    assert years_of("En 2022, 1 897 cas ont été notifiés, dont 31 en Bretagne.") == {2022}
    assert not years_of("12 000 euros pour 2 000 personnes, soit 2,2021 par tête")


@pytest.fixture(scope="module")
def real_pages(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("pages")
    for name in ("grand-est-lav-bilan-2020.txt", "normandie-cls-lisieux.txt"):
        shutil.copy(REAL_DEV / name, folder / name)
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), documents_dir=REPO / "data" / "documents")
    report = run_ingest(settings, [settings.documents_dir, folder])
    assert report.ingested == 4, str(report)
    return build_assistant(settings)


@pytest.mark.slow
def test_a_page_nobody_tuned_for_is_answered_with_its_fact(real_pages: Assistant):
    answer = real_pages.ask("combien de pieges pondoirs en grand est en 2020 ?")
    assert not answer.refused, answer.text
    assert "305" in answer.text
    assert answer.citations[0].source == "grand-est-lav-bilan-2020.txt"
    # short: the fact in at most two sentences of the document
    assert len([line for line in answer.text.split("\n") if line.strip()]) <= 2


@pytest.mark.slow
def test_a_question_about_another_place_is_refused_with_the_closest_document(real_pages: Assistant):
    answer = real_pages.ask("combien de pieges pondoirs dans le finistere en 2020 ?")
    assert answer.refused, answer.text
    assert any("moustique" in title.lower() or "LAV" in title for title in answer.related_documents), answer.text


@pytest.mark.slow
def test_a_question_about_another_year_is_refused(real_pages: Assistant):
    # the page counts the traps of 2020 (its title's year) and names 2019 elsewhere: 305 is not 2019's figure
    answer = real_pages.ask("combien de pieges pondoirs en grand est en 2019 ?")
    assert answer.refused, answer.text


class _Ranked:
    """A search that returns its passages in a fixed order (the ranking under test is the assistant's, not the
    index's; the real hybrid search is exercised by the tests on real pages above)."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits

    def search(self, text: str, k: int) -> list[Hit]:
        return self.hits[:k]


def test_more_passages_of_the_pages_found_are_read_but_none_of_other_pages():
    ranked = [_hit(f"doc{i}", f"Passage {i}.") for i in range(3)] + [_hit("other", "Autre page.")] * 3 + [
        _hit(f"doc{i % 2}", f"Plus loin {i}.") for i in range(10)]
    assistant = Assistant(_Ranked(ranked), k=3)  # type: ignore[arg-type]
    hits = assistant.retrieve(analyse("une question", assistant.glossary))
    assert [h.chunk.text for h in hits[:3]] == ["Passage 0.", "Passage 1.", "Passage 2."]
    extra = hits[3:]
    assert [h.chunk.text for h in extra] == ["Plus loin 0.", "Plus loin 1.", "Plus loin 2.", "Plus loin 3."]

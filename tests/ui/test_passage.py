"""Finding a cited passage in a page's text and in the words OCR read on a scan."""

from __future__ import annotations

from ui.ocr_boxes import OcrWord, passage_boxes, tsv_words
from ui.passage import find, fold, longest_run, words

PAGE = (
    "Le plan crack de l’Orne\n"
    "L’association Drog’Aide 61 reçoit 220 000 euros pour la prise en charge des usa-\n"
    "gers de crack ; la Maison des Femmes reçoit 80 000 euros."
)


def test_the_cited_sentence_is_found_whatever_its_case_accents_spaces_and_line_ends():
    passage = "l'association DROG'AIDE 61 reçoit 220 000 euros pour la prise en charge des usagers de crack"
    start, end = find(PAGE, passage) or (0, 0)
    assert PAGE[start:end] == (
        "L’association Drog’Aide 61 reçoit 220 000 euros pour la prise en charge des usa-\ngers de crack"
    )
    assert find(PAGE, "L'ASSOCIATION DROG'AIDE 61 RECOIT 220 000 EUROS") == (PAGE.index("L’association"),
                                                                            PAGE.index(" pour la prise"))


def test_a_passage_partly_on_the_page_is_found_by_its_longest_run_of_words():
    passage = "La Maison des Femmes reçoit 80 000 euros. Elle ouvrira une consultation à Alençon en 2025."
    start, end = find(PAGE, passage) or (0, 0)
    assert PAGE[start:end] == "la Maison des Femmes reçoit 80 000 euros"


def test_the_passage_punctuation_around_its_words_is_highlighted_too():
    text = "Il déclare : « le centre ouvre le 2 septembre. » Puis il part."
    start, end = find(text, "« Le centre ouvre le 2 septembre. »") or (0, 0)
    assert text[start:end] == "« le centre ouvre le 2 septembre. »"
    start, end = find(text, "le centre ouvre le 2 septembre !") or (0, 0)
    assert text[start:end] == "le centre ouvre le 2 septembre"


def test_a_passage_that_is_not_on_the_page_is_not_found():
    assert find(PAGE, "Le centre de santé de Vire ouvre le 2 septembre 2024.") is None
    assert find(PAGE, "") is None
    assert find("", "220 000 euros") is None


def test_a_run_of_two_common_words_is_not_taken_for_the_passage():
    assert longest_run(["de", "la", "prise"], ["de", "la", "ville", "de", "caen"]) == (0, 0, 0)
    assert longest_run(["220", "000"], ["220", "000"]) == (0, 0, 2)  # unless the passage is that short
    assert longest_run(["a", "b", "c", "d"], ["x", "b", "c", "d"]) == (1, 1, 3)


def test_words_fold_case_accents_and_ligatures():
    assert [w.folded for w in words("Œuvre sociale, ÉTÉ 2024")] == ["oeuvre", "sociale", "ete", "2024"]
    assert fold("Élève") == "eleve"
    assert [w.folded for w in words("Saint-Lô et vacci-\nnation")] == ["saint", "lo", "et", "vaccination"]


def word(text: str, line: int, x: float) -> OcrWord:
    return OcrWord(text, (1, 1, line), x, 0.1 * line, 0.08, 0.02)


def test_ocr_words_of_the_passage_become_one_box_per_line_with_their_text():
    page = [word("Article", 1, 0.1), word("2", 1, 0.2), word(":", 1, 0.25), word("une", 2, 0.1),
            word("aide", 2, 0.2), word("de", 2, 0.3), word("85", 3, 0.1), word("000", 3, 0.2),
            word("euros,", 3, 0.3), word("versée", 3, 0.4)]
    boxes = passage_boxes(page, "Une aide de 85 000 euros")
    assert [b.text for b in boxes] == ["une aide de", "85 000 euros,"]
    first = boxes[0]
    assert (round(first.x, 3), round(first.y, 3), round(first.width, 3)) == (0.1, 0.2, 0.28)
    assert passage_boxes(page, "le centre de santé de Vire") == []


def test_tesseract_tsv_words_are_placed_relative_to_the_page():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "4\t1\t1\t1\t1\t0\t100\t200\t600\t40\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t100\t200\t300\t40\t96\tCentre\n"
        "5\t1\t1\t1\t1\t2\t420\t200\t280\t40\t95\tsanté\n"
        "5\t1\t1\t1\t1\t3\t720\t200\t10\t40\t20\t \n"
    )
    found = tsv_words(tsv, 1000, 2000)
    assert [(w.text, w.x, w.y, w.width, w.height) for w in found] == [
        ("Centre", 0.1, 0.1, 0.3, 0.02), ("santé", 0.42, 0.1, 0.28, 0.02)]

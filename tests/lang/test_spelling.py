"""A word found nowhere in the corpus is read as the corpus word it stands for, or left alone."""

from __future__ import annotations

from lang.spelling import corpus_word

CORPUS = {"vaccin": 40, "vaccination": 12, "legionellos": 3, "legislat": 20, "drog": 5, "aid": 8, "2024": 50}


def test_a_typo_is_read_as_the_corpus_word_one_letter_away() -> None:
    assert corpus_word("vacccin", CORPUS, cutoff=0.85) == "vaccin"


def test_a_typo_on_the_first_letter_is_not_guessed() -> None:
    assert corpus_word("baccin", CORPUS, cutoff=0.85) is None


def test_a_word_cut_short_is_the_most_frequent_corpus_word_it_starts() -> None:
    assert corpus_word("legio", CORPUS, cutoff=0.8) == "legionellos"
    assert corpus_word("legi", CORPUS, cutoff=0.8) == "legislat"  # 20 occurrences against 3


def test_two_words_written_together_are_split_only_when_asked() -> None:
    assert corpus_word("drogaid", CORPUS, cutoff=0.85, split=True) == "drog aid"
    assert corpus_word("drogaid", CORPUS, cutoff=0.85) is None


def test_a_word_far_from_every_corpus_word_stays_unknown() -> None:
    assert corpus_word("zorglub", CORPUS, cutoff=0.8, split=True) is None

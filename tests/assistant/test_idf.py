"""One IDF for both readings of a question; only how much a word absent from the corpus weighs differs."""

from assistant.engine import idf
from index.models import TermFrequencies


def frequencies() -> TermFrequencies:
    return TermFrequencies({"sant": 900, "crack": 2}, total=1000)


def test_a_rare_word_weighs_more_than_a_common_one() -> None:
    weight = idf(frequencies())
    assert weight("crack") > weight("sant") > 0


def test_an_absent_word_weighs_the_most_for_the_reading_in_context_and_as_an_ordinary_word_for_the_engine() -> None:
    in_context, engine = idf(frequencies(), absent_share=0.0), idf(frequencies())
    assert in_context("piscine") > in_context("crack")  # a question about something absent is refused
    assert engine("crack") > engine("piscine") > engine("sant")  # one passage in a hundred

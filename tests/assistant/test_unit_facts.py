"""What the reading in context takes a sentence to count: the same French count words as the engine and the fact
kinds (lang.amounts.COUNT_WORDS), plus the vague quantities the documents answer « combien » with."""

from __future__ import annotations

import pytest

from assistant.unit_facts import counted_nouns, has_fact
from lang.tokens import tokens


@pytest.mark.parametrize("said", ["Une soixantaine de participants", "une douzaine de participants",
                                  "des centaines de participants", "quinze participants", "42 participants"])
def test_a_count_in_figures_or_in_words_counts_its_noun(said: str):
    assert set(tokens("participants")) <= counted_nouns(f"{said} étaient réunis."), said
    assert has_fact(f"{said} étaient réunis.", "nombre"), said


def test_a_vague_quantity_answers_combien_but_is_not_a_precise_count():
    text = "Il y a peu de psychiatres dans le département."
    assert set(tokens("psychiatres")) <= counted_nouns(text)
    assert not set(tokens("psychiatres")) & counted_nouns(text, precise=True)

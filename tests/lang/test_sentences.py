"""What a sentence opening on a pronoun needs from the sentence before it."""

import pytest

from lang.sentences import refers_back


@pytest.mark.parametrize("sentence", ["Elle se décline en trois axes.", "Ce dernier est porté par l'ARS.",
                                      "Celles-ci ouvrent en 2025.", "Ils sont 12 à siéger."])
def test_a_sentence_opening_on_a_personal_pronoun_refers_back(sentence: str) -> None:
    assert refers_back(sentence) and refers_back(sentence, demonstratives=True)


@pytest.mark.parametrize("sentence", ["Ce dispositif est financé par l'ARS.", "Cela concerne 92 communes.",
                                      "Ces actions sont menées en Normandie."])
def test_a_demonstrative_refers_back_only_for_a_sentence_read_alone(sentence: str) -> None:
    assert not refers_back(sentence)
    assert refers_back(sentence, demonstratives=True)


@pytest.mark.parametrize("sentence", ["Le plan crack dispose de 220 000 euros.", "Illustration du dispositif.",
                                      "Cessation d'activité en 2024.", "elle est en minuscule : pas un début."])
def test_a_sentence_naming_its_subject_does_not(sentence: str) -> None:
    assert not refers_back(sentence, demonstratives=True)

"""Questions no one should ask, asked anyway: empty, punctuation, too long, other languages, bytes that are not
UTF-8. The Python API and `ars-assistant ask` (in process) answer each in French or refuse normally; never a
traceback."""

from __future__ import annotations

import json
import os

import pytest

from assistant.models import REFUSAL
from assistant.service import FRENCH_ONLY, MAX_QUESTION_CHARS, Assistant
from assistant.settings import Settings

ASK_AGAIN = "Posez une question sur les documents indexés."
TOO_LONG = "Question trop longue"

QUESTIONS = {
    "": ASK_AGAIN,
    "   \n\t  ": ASK_AGAIN,
    "???": ASK_AGAIN,
    "!!! … ,,, «»": ASK_AGAIN,
    "💊💉🏥": ASK_AGAIN,
    "\x00\x07\x1b": ASK_AGAIN,
    "a" * (MAX_QUESTION_CHARS + 1): TOO_LONG,
    "combien pour le plan crack ? " * 300: TOO_LONG,
    "How much money goes to the crack plan?": FRENCH_ONLY,
    "What is the budget of the crack plan in the Orne?": FRENCH_ONLY,
    "ما هي ميزانية خطة الكراك في أورن؟": FRENCH_ONLY,
    "预算是多少？": FRENCH_ONLY,
    "recette de la teurgoule": REFUSAL,
    "SELECT * FROM chunks; DROP TABLE embeddings; --": REFUSAL,
    "<script>alert(1)</script>": REFUSAL,
    "🏥 combien pour le plan crack ?": "220 000 euros",
    "combien pour le plan crack ?\u202e\x00": "220 000 euros",
    os.fsdecode(b"combien pour le plan crack ? \xff\xfe"): "220 000 euros",  # a Latin-1 terminal's bytes
}


def _expected(answer_text: str, refused: bool, expected: str) -> None:
    if expected in (ASK_AGAIN, TOO_LONG, FRENCH_ONLY, REFUSAL):
        assert refused, answer_text
    else:
        assert not refused, answer_text
    assert expected in answer_text, answer_text


@pytest.mark.parametrize("question", list(QUESTIONS), ids=lambda q: repr(q[:24]))
def test_the_api_answers_every_question_in_french_or_refuses(assistant: Assistant, question: str):
    answers = list(assistant.ask_stream(question, history=[os.fsdecode(b"\xff"), "et pour les jeunes ?"]))
    final = answers[-1]
    _expected(final.text, final.refused, QUESTIONS[question])
    json.dumps(final.to_json(), ensure_ascii=False).encode("utf-8")  # printable and storable as is
    if final.refused and QUESTIONS[question] == REFUSAL:
        assert FRENCH_ONLY not in final.text  # French questions are not told to be asked in French


def test_the_command_answers_every_question_one_json_line_each(ars, corpus_settings: Settings):
    lines = [os.fsencode(q.replace("\n", " ")) for q in QUESTIONS if q.strip()]
    result = ars("ask", "--json", "-", data_dir=corpus_settings.data_dir, input=b"\n".join(lines) + b"\n")
    out, err = result.stdout, result.stderr  # decoded as strict UTF-8: valid UTF-8 out
    assert result.exit_code == 0, err
    assert "Traceback" not in out + err
    answers = [json.loads(line) for line in out.splitlines()]
    asked = [q for q in QUESTIONS if q.strip()]
    assert len(answers) == len(asked)
    for question, answer in zip(asked, answers, strict=True):
        _expected(answer["answer"], answer["refused"], QUESTIONS[question])


def test_a_question_argument_that_is_not_utf8_or_far_too_long_is_handled(ars, corpus_settings: Settings):
    mangled = ars("ask", os.fsdecode(b"combien pour le plan crack ? \xe9\xff"), data_dir=corpus_settings.data_dir)
    assert mangled.exit_code == 0, mangled.stderr
    assert "220 000 euros" in mangled.stdout
    huge = ars("ask", "plan crack " * 10_000, data_dir=corpus_settings.data_dir)
    assert huge.exit_code == 0 and "Traceback" not in huge.stderr
    assert huge.stdout.startswith("Question trop longue (109999 caractères)")

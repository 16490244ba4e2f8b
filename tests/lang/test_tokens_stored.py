"""The lexical index is stored: its tokens must not change, or indexes written before would miss words.

tests/lang/data/tokens_before.json holds, for 1,596 texts, the tokens and the normalised text that the code
gave before the language room (commit 250889a, index/text.py): the sample corpus's pages, the evaluation's
questions and expected facts, hand-picked texts (ligatures, œ, ’, «», digits, Greek, emoji, no-break
spaces, fullwidth, combining marks) and random strings, some over those characters, some over any code point.
"""

from __future__ import annotations

import json
from pathlib import Path

from lang.tokens import normalize, tokens

BEFORE = Path(__file__).parent / "data" / "tokens_before.json"


def test_tokens_and_normalised_text_are_what_the_stored_indexes_hold() -> None:
    rows = json.loads(BEFORE.read_text(encoding="utf-8"))
    assert len(rows) > 1500 and sum(len(row["tokens"]) for row in rows) > 5000
    assert [row["text"] for row in rows if tokens(row["text"]) != row["tokens"]] == []
    assert [row["text"] for row in rows if normalize(row["text"]) != row["normalized"]] == []

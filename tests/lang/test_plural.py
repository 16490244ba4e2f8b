"""Counts said in French: « 1 document », « 2 documents », never « document(s) »."""

from __future__ import annotations

import pytest

from lang.plural import counted, plural


@pytest.mark.parametrize(("count", "said"), [(0, "0 document indexé"), (1, "1 document indexé"),
                                             (2, "2 documents indexés"), (41, "41 documents indexés")])
def test_french_counts_take_the_singular_below_two(count: int, said: str):
    assert counted(count, "document indexé", "documents indexés") == said
    assert plural(count, "ingéré", "ingérés") == ("ingéré" if count < 2 else "ingérés")


"""French plurals for the counts the page, the command line and the API say ("2 documents indexés", never
"2 document(s) indexé(s)"). In the language room: every floor says counts."""

from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """`one` for 0 and 1 (French says « 0 document », « 1,5 page »), `many` from 2 on."""
    return one if abs(count) < 2 else many


def counted(count: int, one: str, many: str) -> str:
    """The count and its word: « 1 document », « 12 passages »."""
    return f"{count} {plural(count, one, many)}"

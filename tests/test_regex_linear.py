"""Every regular expression of the code runs in linear time on hostile text: one uploaded word of 200 KB must
not hold the service for minutes (issue 25: `\\S+@\\S+\\.\\w+` took 5.6 s on 40,000 letters).

The patterns are found by tests/code_patterns.py, so a pattern added later is measured without naming it here.
Each is run on texts of 100,000 characters: one long word (letters, digits, mixed), a separator repeated
(spaces, dots, "a.", "1 ", "a@"…), and near misses made of the pattern's own characters and words. A full scan
(`finditer`, which `search`, `sub`, `split`, `findall` and `match` do a part of) and a `fullmatch` are timed.
Quadratic work grows 64 times from 12,500 to 100,000 characters, linear work 8 times: a pattern is flagged when
its time grows more than GROWTH times, or when one scan alone takes longer than a user would wait.
"""

from __future__ import annotations

import re
import signal
import statistics
import time
from collections.abc import Callable, Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from types import FrameType
from typing import Any

import code_patterns
import pytest

pytestmark = pytest.mark.slow

# One unit repeated to the length of the text: long words, then separators, then the starts of a token.
LONG_WORDS = ["a", "A", "1", "é", "aB3", "Ab1é_", "x_"]
SEPARATORS = [" ", ".", ",", "-", "/", "@", ":", "'", "’", "\n", "\t", "\u00a0", "(", "« ", "%", "€",
              "a.", "1 ", "- ", "a@", "a ", "1.", "1,", "A. ", "a-", "a, ", "a\n", "1\u00a0", "Le ",
              "000 ", "1 000 ", "x a bu le "]  # thousands groups; a subject, a verb and an object, with no end
SCREEN, SMALL, LARGE = 4_000, 12_500, 100_000
# CPU s on 4,000 characters: linear scans take a tenth of this, quadratic ones on these short repeated units tens
# of ms (n²/2 steps over the unit's length); only those above are measured at 12,500 and 100,000
SCREEN_FLOOR = 0.002
LARGE_FLOOR = 0.005  # s: far under this at 100,000 characters, growth does not matter to anyone
GROWTH = 24  # between linear (8) and quadratic (64), with room for a busy machine
TOO_LONG = 0.5  # CPU s: scans this long on 12,500 characters are a freeze at 1 MB whatever their growth
MAX_CHARS, MAX_WORDS = 16, 10  # near misses per pattern: its first characters and longest words


class _TooLong(Exception):
    pass


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _TooLong  # re checks for signals while it matches, so a runaway scan stops here


def _literals(pattern: re.Pattern[Any]) -> tuple[list[str], list[str]]:
    """The characters a pattern names (literals, set members, range ends) and its runs of literal characters."""
    chars: list[str] = []
    words: list[str] = []

    def walk(items: Any) -> None:
        run: list[str] = []
        for op, arg in items:
            if op is sre.LITERAL:
                chars.append(chr(arg))
                run.append(chr(arg))
                continue
            words.append("".join(run))
            run = []
            if op is sre.NOT_LITERAL:
                chars.append(chr(arg))
            elif op is sre.IN:
                chars.extend(chr(a) for o, a in arg if o is sre.LITERAL)
                chars.extend(chr(end) for o, a in arg if o is sre.RANGE for end in a)
            elif op is sre.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op is sre.SUBPATTERN:
                walk(arg[3])
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                walk(arg[2])
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                walk(arg[1])
            elif op is sre.ATOMIC_GROUP:
                walk(arg)
            elif op is sre.GROUPREF_EXISTS:
                walk(arg[1])
                walk(arg[2] or [])
        words.append("".join(run))

    source = pattern.pattern
    if isinstance(source, bytes):  # read as Latin-1: one character a byte, the same structure
        walk(sre_parse.parse(source.decode("latin-1"), pattern.flags))
    else:
        walk(sre_parse.parse(source, pattern.flags))
    return list(dict.fromkeys(chars)), [w for w in dict.fromkeys(words) if len(w) > 1]


def units(pattern: re.Pattern[Any]) -> list[str]:
    """What to repeat: long words, separators, and near misses built from the pattern's own literals."""
    chars, words = _literals(pattern)
    chars = sorted(chars, key=lambda c: (c.isalnum(), c))[:MAX_CHARS]  # punctuation first: it is what splits
    words = sorted(words, key=lambda w: (-len(w), w))[:MAX_WORDS]
    near = [u for c in chars for u in (c, "a" + c, c + " ")]
    near += [u for w in words for u in (w, w + " ", w[:-1], "a" + w)]
    near.append("".join(chars))  # every character it names, in a row
    return [u for u in dict.fromkeys(LONG_WORDS + SEPARATORS + near) if u]


def text_of(unit: str, length: int, kind: type) -> str | bytes:
    text = (unit * (length // len(unit) + 1))[:length]
    return text.encode("utf-8") if kind is bytes else text


def _scans(pattern: re.Pattern[Any], full: bool) -> list[Callable[[Any], object]]:
    empty = pattern.pattern[:0]  # "" or b""
    if not full:
        return [lambda t: sum(1 for _ in pattern.finditer(t)), pattern.fullmatch]
    return [pattern.search, lambda t: sum(1 for _ in pattern.finditer(t)), lambda t: pattern.sub(empty, t),
            pattern.fullmatch]


def timed(pattern: re.Pattern[Any], text: Any, full: bool, limit: float) -> float:
    """CPU seconds for the scans of one text; at least `limit` when they had to be stopped there.

    CPU time, not wall time: on a machine shared with other jobs a 100 ms scan is cut into time slices that a 1 ms
    one fits between, and wall time would show linear work growing 20 times instead of 8. The thread's clock: the
    process's reads stale while a CPU timer is armed.
    """
    previous = signal.signal(signal.SIGVTALRM, _interrupt)
    start = time.thread_time()
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, limit)
        for scan in _scans(pattern, full):
            scan(text)
    except _TooLong:
        return max(limit, time.thread_time() - start)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    return time.thread_time() - start


def cpu_median(pattern: re.Pattern[Any], text: Any, limit: float, first: float | None = None) -> float:
    """The median CPU time of three full scans (the first may be given): one odd reading does not count."""
    runs = [first if first is not None else timed(pattern, text, True, limit)]
    while len(runs) < 3 and runs[-1] < limit:
        runs.append(timed(pattern, text, True, limit))
    return runs[-1] if runs[-1] >= limit else statistics.median(runs)


def verdict(pattern: re.Pattern[Any], unit: str) -> str | None:
    """Why the pattern is not linear on this repeated unit, or None."""
    kind = type(pattern.pattern)
    screen = timed(pattern, text_of(unit, SCREEN, kind), False, TOO_LONG)
    if screen >= TOO_LONG:
        return f"more than {TOO_LONG} s on {SCREEN:,} characters"
    if screen < SCREEN_FLOOR:
        return None
    small_text, large_text = text_of(unit, SMALL, kind), text_of(unit, LARGE, kind)
    small = timed(pattern, small_text, True, TOO_LONG)
    if small >= TOO_LONG:
        return f"more than {TOO_LONG} s on {SMALL:,} characters"
    limit = max(TOO_LONG, 1.5 * GROWTH * small)  # past this it grew far beyond linear: no need to wait longer
    large = timed(pattern, large_text, True, limit)
    if LARGE_FLOOR <= large < limit and large > GROWTH * small:  # the medians of three before saying so
        small = cpu_median(pattern, small_text, TOO_LONG, first=small)
        large = cpu_median(pattern, large_text, limit, first=large)
    if large >= limit:
        return f"{small * 1000:.1f} ms on {SMALL:,} characters, stopped after {limit:.1f} s on {LARGE:,}"
    if large >= LARGE_FLOOR and large > GROWTH * small:
        growth = f"x{large / small:.0f}"
        return f"{small * 1000:.1f} ms on {SMALL:,} characters, {large * 1000:.0f} ms on {LARGE:,} ({growth})"
    return None


def slow_patterns(found: list[code_patterns.Found]) -> Iterator[str]:
    """One line for each pattern that is not linear, with its first hostile input."""
    for item in found:
        for unit in units(item.pattern):
            why = verdict(item.pattern, unit)
            if why:
                source = item.pattern.pattern
                shown = source if len(source) <= 160 else source[:160] + "…"
                yield f"{', '.join(item.where)}: {shown!r} on {unit!r} repeated: {why}"
                break


def test_every_pattern_of_the_code_runs_in_linear_time_on_hostile_text() -> None:
    found, failed = code_patterns.every_pattern()
    assert failed == [], "patterns the test cannot build: make them module constants, or give them a value"
    assert len(found) > 100  # the search does find the code's patterns
    slow = list(slow_patterns(found))
    assert slow == [], "patterns slower than linear (rewrite them: see tests/test_regex_linear.py):\n" + "\n".join(slow)


def test_the_measure_flags_a_quadratic_pattern_and_passes_a_linear_one() -> None:
    quadratic = re.compile(r"\S+@\S+\.\w+")  # the mail alternative of issue 25's URL_RE
    assert verdict(quadratic, "a") is not None
    linear = re.compile(r"(?<!\S)\S[^\s@]*+@\S+\.\w+")  # its rewrite
    assert all(verdict(linear, unit) is None for unit in units(linear))


def test_patterns_are_found_in_module_constants_and_in_calls() -> None:
    found, _ = code_patterns.every_pattern()
    places = {where for item in found for where in item.where}
    assert "lang.sentences.URL_RE" in places  # a module constant
    assert any(p.startswith("lang/sentences.py:") for p in places)  # a literal in a call
    assert any(p.startswith("assistant.engine.ANSWER_TYPES") for p in places)  # patterns in a tuple
    assert any(p.startswith("ingest/fiche/header.py:") for p in places)  # a `for` over a module constant

"""Every regular expression of the code, found by itself: a pattern added later is covered without naming it.

Two ways in, merged: the compiled `re.Pattern` objects a module or class holds once imported (in containers too:
`ANSWER_TYPES` is a tuple of (kind, pattern)), and, read from the source with `ast`, the patterns handed to
`re.compile/search/match/…` inside functions. A call's pattern and flags are evaluated in its module's namespace,
so `re.search(SEP, …)` and `rf"\\b(?:{MONTH})"` resolve; a name bound by an enclosing `for` over a module
constant (`for kind, pattern in KINDS`) is tried with each of its values. What still depends on run-time values
(a term the user typed, escaped) stands as a plain word, so the pattern around it is measured all the same.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import itertools
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("lang", "ingest", "index", "assistant", "eval", "ui")
# re's functions and where each takes its flags, counted from the pattern (compile(p, flags), sub(p, r, s, n, flags))
FLAGS_AT = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2, "split": 3,
            "sub": 4, "subn": 4}
MAX_LOOP_VALUES = 200  # a `for` over a module constant: enough for KINDS, not a run over a whole lexicon


@dataclass(frozen=True)
class Found:
    """One distinct pattern and where the code holds or uses it (module.NAME or path:line)."""

    pattern: re.Pattern[Any]
    where: tuple[str, ...]


def modules() -> list[ModuleType]:
    """Every module of the five packages, imported (a package's `__main__`, which runs a command, is read only)."""
    out = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        out.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.endswith(".__main__"):
                out.append(importlib.import_module(info.name))
    return out


def _held(value: Any, depth: int = 0) -> Iterator[re.Pattern[Any]]:
    """The patterns a value is or holds (tuples, lists, sets, dict keys and values, a few levels deep)."""
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _held(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in itertools.chain(value.keys(), value.values()):
            yield from _held(item, depth + 1)


def held_patterns(module: ModuleType) -> Iterator[tuple[str, re.Pattern[Any]]]:
    """(module.NAME, pattern) for the patterns at module level and in the classes the module defines."""
    for name, value in vars(module).items():
        for pattern in _held(value):
            yield f"{module.__name__}.{name}", pattern
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attribute, member in vars(value).items():
                for pattern in _held(member):
                    yield f"{module.__name__}.{name}.{attribute}", pattern


def _re_function(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re":
        return func.attr if func.attr in FLAGS_AT else None
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _loops(tree: ast.AST) -> dict[ast.Call, list[ast.For | ast.comprehension]]:
    """For each call, the `for` loops and comprehensions around it, outermost first."""
    around: dict[ast.Call, list[ast.For | ast.comprehension]] = {}

    def visit(node: ast.AST, loops: list[ast.For | ast.comprehension]) -> None:
        if isinstance(node, ast.Call):
            around[node] = loops
        inner = loops
        if isinstance(node, ast.For):
            inner = [*loops, node]
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            inner = [*loops, *node.generators]
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [])
    return around


def _bindings(loops: list[ast.For | ast.comprehension], used: set[str], namespace: dict[str, Any]
              ) -> Iterator[dict[str, Any]]:
    """Values for the names the loops bind and the pattern uses, each combination (loops over module constants)."""
    choices: list[list[dict[str, Any]]] = []
    for loop in loops:
        if not {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)} & used:
            continue
        try:
            values = list(itertools.islice(_evaluate(loop.iter, namespace), MAX_LOOP_VALUES))
        except Exception:  # a loop over a local value: its names stay unknown
            continue
        target = ast.unparse(loop.target)
        bound = []
        for value in values:
            scope: dict[str, Any] = {}
            try:
                exec(compile(f"{target} = _value", "<target>", "exec"), {"_value": value}, scope)
            except Exception:  # a value that does not unpack into the target
                continue
            bound.append(scope)
        if bound:
            choices.append(bound)
    for combination in itertools.product(*choices):
        yield {k: v for scope in combination for k, v in scope.items()}


class Stand(str):
    """What a run-time value (a local, an argument) stands as in a pattern: a plain word, any attribute of it
    (`figure.value`) too. The pattern around it keeps its shape, so its backtracking is still measured."""

    def __getattr__(self, name: str) -> Stand:
        return self


STAND = Stand("zq")


class _Names(dict[str, Any]):
    """Local names for `eval`: the loop's values, then a stand-in for any name the module does not define."""

    def __init__(self, scope: dict[str, Any], namespace: dict[str, Any]) -> None:
        super().__init__(scope)
        self.namespace = namespace
        self.stood: set[str] = set()

    def __missing__(self, name: str) -> Any:
        if name in self.namespace or hasattr(builtins, name):
            raise KeyError(name)  # eval goes on to the module's globals, then the builtins
        self.stood.add(name)
        return STAND


def _evaluate(node: ast.expr, namespace: dict[str, Any], local: dict[str, Any] | None = None) -> Any:
    return eval(compile(ast.Expression(node), "<pattern>", "eval"), namespace, local)


def called_patterns(path: Path, namespace: dict[str, Any]) -> tuple[list[tuple[str, re.Pattern[Any]]], list[str]]:
    """(path:line, pattern) for each pattern given to a `re` function in the source (a run-time value in it
    stands as a plain word, said in the place), and the calls whose pattern could not be built at all."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, re.Pattern[Any]]] = []
    failed: list[str] = []
    namespace = {"re": re, **namespace}
    for call, loops in _loops(tree).items():
        function = _re_function(call)
        source = _argument(call, 0, "pattern") if function else None
        if function is None or source is None:
            continue
        flags_node = _argument(call, FLAGS_AT[function], "flags")
        used = {n.id for node in (source, flags_node) if node is not None
                for n in ast.walk(node) if isinstance(n, ast.Name)}
        where = f"{path.relative_to(REPO)}:{call.lineno}"
        try:
            for scope in _bindings(loops, used, namespace):
                names = _Names(scope, namespace)
                flags = _evaluate(flags_node, namespace, names) if flags_node is not None else 0
                pattern = re.compile(_evaluate(source, namespace, names), flags)
                stood = f" ({', '.join(sorted(names.stood))} taken as {STAND!r})" if names.stood else ""
                found.append((where + stood, pattern))
        except Exception as error:  # a value no stand-in fits: the test names the place
            failed.append(f"{where}: {ast.unparse(source)} ({error!r})")
    return found, failed


def every_pattern() -> tuple[list[Found], list[str]]:
    """The distinct patterns of the code with where each is held or used, and the calls that could not be built."""
    spots: list[tuple[str, re.Pattern[Any]]] = []
    namespaces: dict[Path, dict[str, Any]] = {}
    for module in modules():
        spots += held_patterns(module)
        if module.__file__:
            namespaces[Path(module.__file__).resolve()] = vars(module)
    failed: list[str] = []
    for path in sorted(p for name in PACKAGES for p in (REPO / name).rglob("*.py")):
        # a module not imported (a package's __main__) is read without its module's names
        calls, left = called_patterns(path, namespaces.get(path.resolve(), {}))
        spots += calls
        failed += left
    places: dict[tuple[Any, int], list[str]] = {}
    patterns: dict[tuple[Any, int], re.Pattern[Any]] = {}
    for where, pattern in spots:
        key = (pattern.pattern, pattern.flags)
        patterns.setdefault(key, pattern)
        places.setdefault(key, []).append(where)
    return [Found(patterns[key], tuple(dict.fromkeys(places[key]))) for key in patterns], failed

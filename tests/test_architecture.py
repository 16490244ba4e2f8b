"""The layout the README promises: imports run lang <- ingest <- index <- assistant <- eval <- ui, and modules stay
small. The language room (lang/) is the ground floor and holds the one folding of French text.

Read from the source with `ast`, imports inside functions (and under `if TYPE_CHECKING:`) included: a cycle
hidden in a function body is still a cycle. Objects are wired in one place: only assistant/factory.py builds the
Index and the Assistant.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Each package may import those before it, never one after it: lang (the French-text tools) imports nothing of the
# project, ui (the page, the API, the command line) is imported by nothing, and no two packages import each other.
LAYERS = ["lang", "ingest", "index", "assistant", "eval", "ui"]
MAX_LINES = 400
WIRING = "assistant/factory.py"  # the one module that turns Settings into an Index and an Assistant
WIRED = {"Index", "Assistant"}
# what reads a file's content: only the ingest side calls it (the answerer and the faces go through ingest.prepare)
READING = {"ingest.worker", "ingest.worker.run_limited", "ingest.pipeline.parse_file", "ingest.pipeline.try_parse"}


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))


def _imported_names(path: Path, package: str = "") -> set[str]:
    """Absolute imports of a module, as dotted names; `from <package> import x` also gives "<package>.x"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if package and node.module == package:
                names.update(f"{package}.{alias.name}" for alias in node.names)
    return names


def _imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_names(path)} & set(LAYERS)


def _violations() -> list[str]:
    found = []
    for path in _modules(*LAYERS):
        layer = path.relative_to(REPO).parts[0]
        for package in sorted(_imported_packages(path)):
            if LAYERS.index(package) > LAYERS.index(layer):
                found.append(f"{path.relative_to(REPO)} imports {package}")
    return found


def test_no_package_imports_one_above_it() -> None:
    assert _violations() == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from ui.cli import main\n    import eval.run\n", encoding="utf-8")
    assert _imported_packages(module) == {"ui", "eval"}


@pytest.mark.parametrize("folder", [*LAYERS, "scripts"])
def test_no_module_over_400_lines(folder: str) -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for path in _modules(folder)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_folder_of_code_is_a_package_that_an_install_carries() -> None:
    # pyproject.toml finds regular packages only: a folder of modules without __init__.py would work from a
    # checkout and be missing from a plain `pip install .`
    folders = {path.parent for path in _modules(*LAYERS)}
    assert sorted(str(f.relative_to(REPO)) for f in folders if not (f / "__init__.py").exists()) == []


def _imported_modules(path: Path, package: str) -> set[str]:
    """The modules of `package` that a module imports (`from ui import chat` and `import ui.chat` alike)."""
    return {n for n in _imported_names(path, package) if n.startswith(f"{package}.")}


def _circles(root: Path, package: str) -> list[list[str]]:
    """Import circles among the modules of `root` (the folder of `package`), each as the modules in order."""
    modules = {
        ".".join((package, *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__"): path
        for path in sorted(root.rglob("*.py"))
    }
    graph = {name: sorted(_imported_modules(path, package) & modules.keys()) for name, path in modules.items()}
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:  # depth first; a module met again on the trail closes a circle
        if name in trail:
            found.append(trail[trail.index(name):] + [name])
            return
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, [*trail, name])
        done.add(name)

    for name in graph:
        visit(name, [])
    return found


def test_no_import_circle_inside_ui() -> None:
    assert _circles(REPO / "ui", "ui") == []


def test_the_check_sees_an_import_circle_even_one_only_for_type_checking(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "chat.py").write_text("from ui.history import agent_of\nfrom ui import render\n", encoding="utf-8")
    (tmp_path / "render.py").write_text("import json\n", encoding="utf-8")
    (tmp_path / "history.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ui.chat import ChatHandlers\n", encoding="utf-8"
    )
    assert _circles(tmp_path, "ui") == [["ui.chat", "ui.history", "ui.chat"]]


def _constructions(path: Path, base: Path = REPO) -> list[str]:
    """`Index(...)` and `Assistant(...)` calls in a module, as "path:line Name"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in WIRED:
                found.append(f"{path.relative_to(base)}:{node.lineno} {name}")
    return found


def test_only_the_wiring_module_builds_the_index_and_the_assistant() -> None:
    # the CLI, the page, the API and the evaluation get them from assistant/factory.py, so they are built alike
    found = [c for path in _modules(*LAYERS) if path != REPO / WIRING for c in _constructions(path)]
    assert found == []


def test_the_check_sees_a_construction(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import index.index\ndef f(s):\n    return index.index.Index(s), Assistant(s), Indexer(s)\n",
                      encoding="utf-8")
    assert _constructions(module, tmp_path) == ["m.py:3 Index", "m.py:3 Assistant"]


def test_the_language_room_imports_nothing_of_the_project() -> None:
    project = {*LAYERS, "scripts", "tests"} - {"lang"}
    found = {str(path.relative_to(REPO)): sorted(names) for path in _modules("lang")
             if (names := {n.split(".")[0] for n in _imported_names(path)} & project)}
    assert found == {}


# Unicode normalisations outside lang/ that are no folding: each composes, none strips an accent. Decomposing
# (NFD, NFKD) and dropping combining marks is folding, and that is lang/words.py's alone.
NOT_FOLDING = {
    ("ingest/clean.py", "NFC"): "text as extracted is composed once: « é » is one character in every passage",
    ("assistant/library.py", "NFC"): "an uploaded file's name gets one spelling, whatever the browser sent",
    ("eval/metrics.py", "NFKC"): "« ℌ », « Ⅻ » read as their letters before lang's fold lower-cases the answer",
}


def _normalisations(path: Path, base: Path = REPO) -> list[str]:
    """`unicodedata.normalize(form, …)` (or a bare `normalize("NF…", …)`) and `unicodedata.combining(…)` calls, as
    "path form" ("?" when the form is no literal), sorted."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func, first = node.func, node.args[0] if node.args else None
        form = first.value if isinstance(first, ast.Constant) and first.value in FORMS else "?"
        of_unicodedata = isinstance(func, ast.Attribute) and ast.unparse(func.value) == "unicodedata"
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "combining" and of_unicodedata:
            found.append(f"{path.relative_to(base)} combining")
        elif name == "normalize" and (of_unicodedata or (isinstance(func, ast.Name) and form != "?")):
            found.append(f"{path.relative_to(base)} {form}")
    return sorted(found)


FORMS = {"NFC", "NFD", "NFKC", "NFKD"}


def test_no_module_outside_the_language_room_folds_text_itself() -> None:
    outside = [path for path in _modules(*LAYERS, "scripts") if path.relative_to(REPO).parts[0] != "lang"]
    found = [call for path in outside for call in _normalisations(path)]
    assert [call for call in found if tuple(call.rsplit(" ", 1)) not in NOT_FOLDING] == []
    assert sorted(found) == sorted(f"{path} {form}" for path, form in NOT_FOLDING)  # the allow-list is not stale


def test_the_check_sees_a_folding(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import unicodedata\nfrom unicodedata import normalize\ndef f(s, form):\n"
        "    a = unicodedata.normalize('NFKD', s)\n    b = normalize('NFD', s)\n"
        "    c = [ch for ch in s if not unicodedata.combining(ch)]\n"
        "    return unicodedata.normalize(form, s), s.normalize(), normalize(s)\n", encoding="utf-8")
    assert _normalisations(module, tmp_path) == ["m.py ?", "m.py NFD", "m.py NFKD", "m.py combining"]


def test_files_are_read_by_the_ingest_side_only() -> None:
    # reading a file's content (the limited child of ingest/worker.py) and the ingest of a batch live on the
    # ingest side (ingest/, index/ingesting.py); the answerer, the page and the API ask them through their functions
    found = {str(path.relative_to(REPO)): sorted(names) for path in _modules("assistant", "ui")
             if (names := _imported_names(path) & READING)}
    assert found == {}

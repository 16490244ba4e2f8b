"""The layout the README promises: imports run ingest <- index <- assistant <- eval <- ui, and modules stay small.

Read from the source with `ast`, imports inside functions included: a cycle hidden in a function body is
still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Each package may import those before it, never one after it: ui (the page, the API, the command line)
# is imported by nothing, and no two packages import each other.
LAYERS = ["ingest", "index", "assistant", "eval", "ui"]
MAX_LINES = 400


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(LAYERS)


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

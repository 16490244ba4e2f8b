"""The command line gets its objects where the page does (assistant/factory.py) and never changes its settings:
`remove` cleans up what the page uploaded, `ask` loads nothing of the evaluation, Settings cannot be changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.factory import open_library
from assistant.settings import Settings
from eval.process import CLI

REPO = Path(__file__).resolve().parents[2]


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "ARS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def test_settings_cannot_be_changed_once_built(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ValidationError):
        settings.top_k = 3  # type: ignore[misc]
    assert settings.model_copy(update={"top_k": 3}).top_k == 3 and settings.top_k != 3


@pytest.mark.integration
@pytest.mark.slow
def test_remove_on_the_command_line_deletes_the_file_the_page_uploaded(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    upload = tmp_path / "note.txt"
    upload.write_text("Note de service : le centre de santé de Flers ouvre 4 cabinets en 2025.\n", encoding="utf-8")
    library = open_library(Settings(data_dir=data_dir))
    assert library.add(upload, "note-flers.txt").ok
    stored = data_dir / "uploads" / "note-flers.txt"
    assert stored.is_file()
    library.index.close()  # the command below is another process: it must see the document this one wrote

    result = subprocess.run([*CLI, "remove", "note-flers.txt"], capture_output=True, text=True,
                            env=_env(data_dir), timeout=300, cwd=REPO)

    assert result.returncode == 0, result.stderr
    assert "Retiré de l'index : note-flers.txt" in result.stdout
    assert not stored.exists()  # the page's copy goes with the document, as when it is removed on the page
    status = subprocess.run([*CLI, "status", "--json"], capture_output=True, text=True, env=_env(data_dir),
                            timeout=300, cwd=REPO)
    assert json.loads(status.stdout)["documents"] == 0


ASK_AND_LIST_EVAL_MODULES = """
import sys
from ui.cli import main
sys.argv = ["ars-assistant", "ask", "--json", "-k", "4", "combien pour le plan crack ?"]
main()
print("eval modules:", sorted(m for m in sys.modules if m == "eval" or m.startswith("eval.")))
"""


@pytest.mark.integration
@pytest.mark.slow
def test_asking_on_the_command_line_loads_nothing_of_the_evaluation(corpus_settings: Settings) -> None:
    result = subprocess.run([sys.executable, "-c", ASK_AND_LIST_EVAL_MODULES], capture_output=True, text=True,
                            env=_env(corpus_settings.data_dir), timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    answer, modules = result.stdout.strip().splitlines()[-2:]
    assert "220 000 euros" in json.loads(answer)["answer"]
    assert modules == "eval modules: []"

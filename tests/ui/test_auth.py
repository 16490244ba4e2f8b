"""Optional login accounts: from ARS_UI_USERS and/or a users file; mistakes are French one-liners."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.errors import UserError
from ui.auth import load_accounts


def test_no_accounts_means_no_login(tmp_path: Path):
    assert load_accounts(Settings(data_dir=tmp_path)) == []


def test_accounts_come_from_the_variable_and_the_file(tmp_path: Path):
    users = tmp_path / "comptes.txt"
    users.write_text("# équipe santé publique\nlea:mot:de:passe\n\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, ui_users=" marie:secret1 , paul:secret2", ui_users_file=users)
    assert load_accounts(settings) == [("marie", "secret1"), ("paul", "secret2"), ("lea", "mot:de:passe")]


@pytest.mark.parametrize(
    ("users", "message"),
    [
        ("marie", "compte mal écrit dans ARS_UI_USERS (entrée 1)"),
        ("marie:a,:b", "compte mal écrit dans ARS_UI_USERS (entrée 2)"),
        ("marie:a,marie:b", "compte défini deux fois : marie"),
    ],
)
def test_malformed_accounts_are_refused(tmp_path: Path, users: str, message: str):
    with pytest.raises(UserError, match=re.escape(message)):
        load_accounts(Settings(data_dir=tmp_path, ui_users=users))


def test_a_missing_or_empty_users_file_is_refused(tmp_path: Path):
    with pytest.raises(UserError, match="fichier des comptes .* illisible"):
        load_accounts(Settings(data_dir=tmp_path, ui_users_file=tmp_path / "absent.txt"))
    empty = tmp_path / "vide.txt"
    empty.write_text("# rien\n", encoding="utf-8")
    with pytest.raises(UserError, match="ne contient aucun compte"):
        load_accounts(Settings(data_dir=tmp_path, ui_users_file=empty))

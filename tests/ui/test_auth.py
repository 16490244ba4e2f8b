"""Optional login accounts: from ARS_UI_USERS and/or a users file; mistakes are French one-liners."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.errors import UserError
from ui.auth import Account, load_accounts


def test_no_accounts_means_no_login(tmp_path: Path):
    assert not load_accounts(Settings(data_dir=tmp_path))


def test_accounts_come_from_the_variable_and_the_file(tmp_path: Path):
    users = tmp_path / "comptes.txt"
    users.write_text("# équipe santé publique\nlea:mot:de:passe\n\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, ui_users=" marie:secret1 , paul:secret2", ui_users_file=users)
    assert load_accounts(settings).credentials() == [("marie", "secret1"), ("paul", "secret2"), ("lea", "mot:de:passe")]


def test_without_any_role_every_account_is_an_admin_and_the_start_line_says_so(tmp_path: Path):
    accounts = load_accounts(Settings(data_dir=tmp_path, ui_users="marie:secret1,paul:secret2"))
    assert accounts.is_admin("marie") and accounts.is_admin("paul")
    assert "tous administrateurs" in accounts.describe()


def test_admins_are_marked_in_their_entry_or_named_in_admin_emails(tmp_path: Path):
    users = tmp_path / "comptes.txt"
    users.write_text("lea:mot:de:passe:admin\nzoe:fin:admin:agent\nluc:admin\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, ui_users="marie:secret1:admin,paul:secret2,Anne.Roy@ars.test:s3",
                        ui_users_file=users, admin_emails="anne.roy@ARS.test")
    accounts = load_accounts(settings)
    assert accounts.accounts == (
        Account("marie", "secret1", admin=True), Account("paul", "secret2", admin=False),
        Account("Anne.Roy@ars.test", "s3", admin=True),  # named in ARS_ADMIN_EMAILS, in any case
        Account("lea", "mot:de:passe", admin=True),  # a password may hold ":"; the last field is the role
        Account("zoe", "fin:admin", admin=False),  # a password ending with ":admin" is followed by its role
        Account("luc", "admin", admin=False),  # a password alone, even "admin", is no role
    )
    assert "administrateurs : marie, Anne.Roy@ars.test, lea" in accounts.describe()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"admin_groups": "ars-admin"}, "ARS_ADMIN_GROUPS ne s'applique pas aux comptes par mot de passe"),
        ({"admin_emails": "marie,pual"}, "ARS_ADMIN_EMAILS nomme « pual », qui n'est pas un compte"),
    ],
)
def test_admin_settings_that_cannot_apply_to_password_accounts_are_refused(
    tmp_path: Path, values: dict[str, str], message: str
):
    with pytest.raises(UserError, match=re.escape(message)):
        load_accounts(Settings(data_dir=tmp_path, ui_users="marie:secret1,paul:secret2", **values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("users", "message"),
    [
        ("marie", "compte mal écrit dans ARS_UI_USERS (entrée 1)"),
        ("marie:a,:b", "compte mal écrit dans ARS_UI_USERS (entrée 2)"),
        ("marie::admin", "compte mal écrit dans ARS_UI_USERS (entrée 1)"),
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

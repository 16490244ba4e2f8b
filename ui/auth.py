"""Optional login: accounts from ARS_UI_USERS ("nom:motdepasse,…") and/or a users file; none means no login."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from ingest.errors import UserError


def parse_accounts(text: str, origin: str, separator: str = ",") -> list[tuple[str, str]]:
    """(user, password) pairs from "user:pass" entries; a malformed entry is a UserError naming it."""
    accounts = []
    for number, raw in enumerate(text.split(separator), start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        user, colon, password = entry.partition(":")
        user = user.strip()
        if not colon or not user or not password:
            where = f"ligne {number}" if separator == "\n" else f"entrée {number}"
            raise UserError(
                f"Erreur : compte mal écrit dans {origin} ({where}). Écrivez « nom:motdepasse », "
                "par exemple ARS_UI_USERS=\"marie:secret1,paul:secret2\"."
            )
        accounts.append((user, password))
    return accounts


def load_accounts(settings: Settings) -> list[tuple[str, str]]:
    """Every account allowed to log in; an empty list leaves the interface open."""
    accounts = parse_accounts(settings.ui_users or "", "ARS_UI_USERS")
    if settings.ui_users_file is not None:
        path = Path(settings.ui_users_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(
                f"Erreur : fichier des comptes '{path}' illisible ({exc.strerror or exc}). "
                "Vérifiez ARS_UI_USERS_FILE."
            ) from exc
        from_file = parse_accounts(text, f"'{path}'", separator="\n")
        if not from_file:
            raise UserError(f"Erreur : le fichier des comptes '{path}' ne contient aucun compte « nom:motdepasse ».")
        accounts += from_file
    users = [u for u, _ in accounts]
    duplicated = sorted({u for u in users if users.count(u) > 1})
    if duplicated:
        raise UserError(f"Erreur : compte défini deux fois : {', '.join(duplicated)}. Gardez un seul mot de passe.")
    return accounts

"""Optional login: accounts from ARS_UI_USERS ("nom:motdepasse[:admin],…") and/or a users file; none means no login.

Roles: an account is an admin (adds and removes documents) when its entry ends with ":admin" or ARS_ADMIN_EMAILS
names it; an entry ending with ":agent" is explicitly not. When no entry carries a role and ARS_ADMIN_EMAILS is
empty, every account is an admin (as before roles existed, and as OpenID Connect without an admin setting)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings
from ingest.errors import UserError
from lang.plural import counted

ROLES = ("admin", "agent")


@dataclass(frozen=True, slots=True)
class Entry:
    """One written account: its role when the entry gives one (None: not said)."""

    name: str
    password: str
    role: str | None


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    password: str
    admin: bool


@dataclass(frozen=True, slots=True)
class Accounts:
    """Who may log in, and whether roles were given at all (without any, everyone is an admin)."""

    accounts: tuple[Account, ...]
    roles_given: bool

    def __bool__(self) -> bool:
        return bool(self.accounts)

    def credentials(self) -> list[tuple[str, str]]:
        """(name, password) pairs, as Gradio's login checks them."""
        return [(a.name, a.password) for a in self.accounts]

    def is_admin(self, name: str) -> bool:
        return any(a.name == name and a.admin for a in self.accounts)

    def describe(self) -> str:
        """The start line's French summary of the roles."""
        accounts = counted(len(self.accounts), "compte", "comptes")
        if not self.roles_given:
            return (f"Connexion par mot de passe : {accounts}, tous administrateurs (aucun n'est "
                    "marqué « :admin » ni nommé dans ARS_ADMIN_EMAILS).")
        admins = [a.name for a in self.accounts if a.admin]
        who = ", ".join(admins) if admins else "aucun (documents gérés en ligne de commande)"
        return f"Connexion par mot de passe : {accounts} ; administrateurs : {who}."


def parse_accounts(text: str, origin: str, separator: str = ",") -> list[Entry]:
    """The accounts of "nom:motdepasse[:admin|:agent]" entries; a malformed entry is a UserError naming it.

    The first ":" ends the name, so a password may contain ":"; a last field "admin" or "agent" is the role (a
    password that itself ends with ":admin" is written with its role after it: "lea:x:admin:agent")."""
    entries = []
    for number, raw in enumerate(text.split(separator), start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        user, colon, rest = entry.partition(":")
        user = user.strip()
        password, inner, role = rest.rpartition(":")
        if not inner or role.strip().lower() not in ROLES:  # "marie:admin": the password is "admin"
            password, role = rest, ""
        if not colon or not user or not password:
            where = f"ligne {number}" if separator == "\n" else f"entrée {number}"
            raise UserError(
                f"Erreur : compte mal écrit dans {origin} ({where}). Écrivez « nom:motdepasse », ou "
                "« nom:motdepasse:admin » pour un administrateur, par exemple "
                "ARS_UI_USERS=\"marie:secret1:admin,paul:secret2\"."
            )
        entries.append(Entry(user, password, role.strip().lower() or None))
    return entries


def load_accounts(settings: Settings) -> Accounts:
    """Every account allowed to log in, with its role; no account leaves the interface open."""
    entries = parse_accounts(settings.ui_users or "", "ARS_UI_USERS")
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
        entries += from_file
    users = [e.name for e in entries]
    duplicated = sorted({u for u in users if users.count(u) > 1})
    if duplicated:
        raise UserError(f"Erreur : compte défini deux fois : {', '.join(duplicated)}. Gardez un seul mot de passe.")
    if not entries:
        return Accounts((), roles_given=False)
    return _with_roles(entries, settings)


def _with_roles(entries: list[Entry], settings: Settings) -> Accounts:
    """Each account's admin flag from its entry and ARS_ADMIN_EMAILS; a setting that cannot apply is refused."""
    if (settings.admin_groups or "").strip():
        raise UserError("Erreur : ARS_ADMIN_GROUPS ne s'applique pas aux comptes par mot de passe (ils n'ont pas de "
                        "groupes). Marquez les administrateurs « nom:motdepasse:admin » dans ARS_UI_USERS, ou "
                        "nommez-les dans ARS_ADMIN_EMAILS, puis retirez ARS_ADMIN_GROUPS.")
    named = {n.strip().casefold() for n in (settings.admin_emails or "").split(",") if n.strip()}
    known = {e.name.casefold() for e in entries}
    unknown = sorted(named - known)
    if unknown:  # a typo would otherwise leave an intended admin without the right, silently
        raise UserError(f"Erreur : ARS_ADMIN_EMAILS nomme « {unknown[0]} », qui n'est pas un compte de ARS_UI_USERS "
                        "ni du fichier des comptes. Corrigez le nom, ou retirez-le de ARS_ADMIN_EMAILS.")
    roles_given = bool(named) or any(e.role is not None for e in entries)
    accounts = tuple(
        Account(e.name, e.password, admin=not roles_given or e.role == "admin" or e.name.casefold() in named)
        for e in entries
    )
    return Accounts(accounts, roles_given)

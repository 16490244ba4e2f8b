"""The sign-in settings: what a mistake says, who is an admin, what the provider's claims become."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from ingest.errors import UserError
from ui.oidc import User, load_oidc

PROVIDER = {"oidc_issuer": "https://auth.example.gouv.fr/api/v2/", "oidc_client_id": "ars",
            "oidc_client_secret": "secret-client"}


def refusal(**values: object) -> str:
    with pytest.raises(UserError) as error:
        load_oidc(Settings(**values))  # type: ignore[arg-type]
    return str(error.value)


def test_without_an_issuer_there_is_no_sign_in():
    assert load_oidc(Settings()) is None


def test_a_complete_configuration_is_read_with_its_defaults():
    config = load_oidc(Settings(**PROVIDER))  # type: ignore[arg-type]
    assert config is not None
    assert config.issuer == "https://auth.example.gouv.fr/api/v2"  # the discovery URL is built from it
    assert config.scopes == "openid email given_name usual_name"  # ProConnect's scopes
    assert config.secret_generated and len(config.session_secret) >= 32


@pytest.mark.parametrize(("values", "message"), [
    ({"oidc_issuer": "https://auth.example.gouv.fr"}, "pas ARS_OIDC_CLIENT_ID ni ARS_OIDC_CLIENT_SECRET"),
    ({**PROVIDER, "oidc_client_secret": None}, "pas ARS_OIDC_CLIENT_SECRET"),
    ({"oidc_client_id": "ars"}, "ARS_OIDC_CLIENT_ID est défini sans ARS_OIDC_ISSUER"),
    ({**PROVIDER, "oidc_issuer": "auth.example.gouv.fr"}, "n'est pas une adresse http(s)"),
    ({**PROVIDER, "ui_users": "marie:secret1"}, "deux modes de connexion à la fois"),
    ({**PROVIDER, "oidc_scopes": "email"}, "doit contenir « openid »"),
    ({**PROVIDER, "session_secret": "court"}, "ARS_SESSION_SECRET trop court (5 caractères)"),
])
def test_a_mistake_is_one_french_line_saying_what_to_do(values: dict[str, object], message: str):
    text = refusal(**values)
    assert text.startswith("Erreur : ") and message in text and "\n" not in text


def test_the_server_refuses_both_sign_in_modes_before_opening_anything(tmp_path):
    from ui.server import create_server

    with pytest.raises(UserError, match="deux modes de connexion"):
        create_server(Settings(data_dir=tmp_path / "absent", ui_users="marie:secret1", **PROVIDER))  # type: ignore[arg-type]
    assert not (tmp_path / "absent").exists()


def test_admins_are_the_members_of_the_admin_groups_or_everyone_without_them():
    marie = User("m", "marie@ars.test", "Marie", ("ars-admin-documents", "ars-agents"))
    paul = User("p", "", "Paul", ("ars-agents",))
    restricted = load_oidc(Settings(admin_groups=" ars-admin-documents , autre ", **PROVIDER))  # type: ignore[arg-type]
    assert restricted is not None and restricted.is_admin(marie) and not restricted.is_admin(paul)
    open_to_all = load_oidc(Settings(**PROVIDER))  # type: ignore[arg-type]
    assert open_to_all is not None and open_to_all.is_admin(paul)


def test_without_groups_from_the_provider_admins_are_named_by_email():
    # ProConnect sends no groups: the agency lists its admins' addresses, in any case
    marie = User("m", "Marie.Dupont@ars.sante.fr", "Marie", ())
    paul = User("p", "paul.martin@ars.sante.fr", "Paul", ())
    nobody = User("x", "", "Sans courriel", ())
    by_email = load_oidc(Settings(admin_emails="marie.dupont@ARS.sante.fr", **PROVIDER))  # type: ignore[arg-type]
    assert by_email is not None and by_email.is_admin(marie)
    assert not by_email.is_admin(paul) and not by_email.is_admin(nobody)
    both = load_oidc(Settings(admin_emails="paul.martin@ars.sante.fr", admin_groups="ars-admin-documents",
                              **PROVIDER))  # type: ignore[arg-type]
    assert both is not None and both.is_admin(paul) and not both.is_admin(marie)
    assert both.is_admin(User("g", "", "Groupe", ("ars-admin-documents",)))
    with pytest.raises(UserError, match="ARS_ADMIN_EMAILS contient « marie.dupont »"):
        load_oidc(Settings(admin_emails="marie.dupont", **PROVIDER))  # type: ignore[arg-type]


def test_a_user_is_named_as_proconnect_names_them_and_known_by_email_else_subject():
    user = User.of({"sub": "abc", "email": "marie@ars.test", "given_name": "Marie", "usual_name": "Dupont",
                    "groupes": "ars-admin-documents"}, groups_claim="groupes")
    assert (user.id, user.name, user.groups) == ("marie@ars.test", "Marie Dupont", ("ars-admin-documents",))
    assert User.of({"sub": "abc"}, "groups").id == "abc"


def test_the_ui_command_refuses_both_sign_in_modes_in_one_french_line(ars, tmp_path):
    run = ars("ui", data_dir=tmp_path, env={"ARS_UI_USERS": "marie:secret1", "ARS_OIDC_ISSUER": PROVIDER["oidc_issuer"],
                                            "ARS_OIDC_CLIENT_ID": "ars", "ARS_OIDC_CLIENT_SECRET": "secret-client"})
    assert run.exit_code == 1
    assert run.stderr.startswith("Erreur : deux modes de connexion à la fois") and run.stderr.count("\n") == 1

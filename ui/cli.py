"""The `ars-assistant` command: one group, verbs as subcommands (eval, bench, feedback in ui/cli_eval.py).

Heavy imports (the assistant, gradio, pydantic-settings) stay inside the commands, so that `--help` is instant.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from ingest.errors import UserError
from ui.cli_eval import bench, eval_, feedback

if TYPE_CHECKING:
    from assistant.settings import Settings


def _settings(**given: Any) -> Settings:
    """The settings, with the values given on the command line (None: not given) in place of the configured ones.

    Built once per command and never changed afterwards (Settings is frozen).
    """
    from assistant.settings import Settings  # pydantic-settings: not needed for --help

    return Settings(**{name: value for name, value in given.items() if value is not None})


def _listening(host: str | None, port: int | None, port_setting: Literal["ui_port", "api_port"]) -> Settings:
    """The settings, with the address given on the command line in place of the configured one."""
    return _settings(ui_host=host, **{port_setting: port})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Journal détaillé (en anglais) sur la sortie d'erreur.")
def cli(verbose: bool) -> None:
    """ARS Assistant : questions-réponses sur les documents de l'ARS Normandie, avec citations.

    \b
    Exemples :
      ars-assistant ingest data/documents
      ars-assistant ask "combien pour le plan crack ?"
      ars-assistant status
      ars-assistant ui
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns loudly on harmless quirks
        # bm25s sets its own logger to DEBUG when it is imported (lazily, later): filter at the handler
        for handler in logging.getLogger().handlers:
            handler.addFilter(lambda record: record.name != "bm25s" or record.levelno >= logging.WARNING)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--reset", is_flag=True, help="Vide l'index avant d'ingérer (nécessaire après un changement de modèle).")
@click.option("--prune", is_flag=True, help="Retire de l'index les documents dont le fichier a disparu.")
@click.option("--if-empty", is_flag=True, help="N'ingère que si l'index est vide (utilisé par `make run`).")
def ingest(paths: tuple[Path, ...], reset: bool, prune: bool, if_empty: bool) -> None:
    """Ingère des documents (PDF, DOCX, ODT, HTML, TXT, MD ; dossiers parcourus récursivement).

    Un fichier déjà indexé et inchangé n'est pas relu ; un fichier modifié remplace l'ancienne version.
    Les pages numérisées des PDF sont lues par reconnaissance de caractères (OCR, Tesseract).

    \b
    Exemples :
      ars-assistant ingest data/documents
      ars-assistant ingest --prune data/documents
    """
    from assistant.factory import run_ingest
    from ui.progress import ConsoleProgress

    settings = _settings()
    if not paths:
        paths = (settings.documents_dir,)
    with ConsoleProgress() as progress:
        report = run_ingest(settings, list(paths), reset=reset, if_empty=if_empty, prune=prune, on_step=progress)
    click.echo(str(report))


@cli.command()
@click.argument("name")
def remove(name: str) -> None:
    """Retire un document de l'index (nom de fichier tel qu'affiché par `status`).

    \b
    Exemple :
      ars-assistant remove cp-charte-attractivite-2024-10-08.pdf
    """
    from assistant.factory import open_library

    # through the library, as the page does: a document uploaded by the page has its file deleted too
    gone = open_library(_settings()).remove(Path(name).name)
    if not gone:
        raise UserError(f"Erreur : aucun document « {name} » dans l'index. Voyez la liste avec `ars-assistant status`.")
    click.echo(f"Retiré de l'index : {', '.join(r.source for r in gone)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def status(as_json: bool) -> None:
    """Affiche l'état de l'index : documents, passages, pages, modèle, stockage.

    Lu dans le manifeste de l'index, sans ouvrir la base : la réponse est immédiate.

    \b
    Exemple :
      ars-assistant status --json
    """
    from index.summary import read_status

    settings = _settings()
    info, records = read_status(
        settings.data_dir, embedding_model=settings.embedding_model, chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port, collection=settings.collection,
    )
    if as_json:
        info["sources"] = [r.source for r in records]
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Dossier de données : {info['data_dir']}")
    click.echo(f"Stockage : {info['store']} ; modèle d'embeddings : {info['embedding_model']}")
    click.echo(f"Documents : {info['documents']}  Pages : {info['pages']}  Passages : {info['chunks']}")
    for record in records:
        click.echo(f"  - {record.source} : {record.title} ({record.pages} p., {record.chunks} passages)")


@cli.command()
@click.argument("term", required=False)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (liste d'entrées).")
def glossary(term: str | None, as_json: bool) -> None:
    """Glossaire des sigles : ceux que les documents définissent (avec leur page), puis le glossaire de base.

    \b
    Exemples :
      ars-assistant glossary
      ars-assistant glossary MILDECA --json
    """
    from assistant.factory import open_catalog

    entries = open_catalog(_settings()).glossary(term)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], ensure_ascii=False))
        return
    if not entries:
        raise UserError(f"aucun sigle « {term} » dans le glossaire. Lancez `ars-assistant glossary` pour la liste.")
    for entry in entries:
        if entry.defines:
            where, said = f"défini dans {entry.source}, p. {entry.page}", entry.definition
        elif entry.origin == "document":  # the documents only spell it out: no sentence of theirs defines it
            where = f"développé dans {entry.source}, p. {entry.page} ; défini nulle part dans les documents"
            said = f"{entry.general} (définition générale, non tirée des documents)" if entry.general else ""
        else:
            where, said = "définition générale, non tirée des documents", entry.definition
        click.echo(f"{entry.term} : {entry.expansion} ({where})")
        if said:
            click.echo(f"    {said}")
        if entry.occurrences:
            used = ", ".join(f"{s} p. {p}" for s, p in entry.occurrences[:8])
            click.echo(f"    Employé : {used}{' …' if len(entry.occurrences) > 8 else ''}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (une fiche par document).")
def documents(as_json: bool) -> None:
    """Fiches des documents indexés : nature, date, plan, chiffres clés, questions suggérées, versions.

    \b
    Exemples :
      ars-assistant documents
      ars-assistant documents --json
    """
    from assistant.discover import Discovery
    from assistant.factory import build_assistant

    fiches = Discovery(build_assistant(_settings())).documents_json()
    if as_json:
        click.echo(json.dumps(fiches, ensure_ascii=False))
        return
    if not fiches:
        click.echo("Aucun document indexé. Lancez d'abord `ars-assistant ingest DOSSIER`.")
    for fiche in fiches:
        date = f", {fiche['date_fr']}" if fiche["date_fr"] else ""
        click.echo(f"{fiche['title']} ({fiche['source']}) — {fiche['kind']}{date}, {fiche['pages']} p., "
                   f"{fiche['chunks']} passages")
        if fiche["superseded_by"]:
            click.echo(f"  Remplacé par une version plus récente : {fiche['superseded_by']}")
        for entry in fiche["outline"][:12]:
            click.echo(f"  p. {entry['page']:>3}  {entry['heading']}")
        for figure in fiche["key_figures"][:6]:
            click.echo(f"  • {figure['value']} (p. {figure['page']})")
        for question in fiche["suggested_questions"]:
            click.echo(f"  ? {question}")
        click.echo()


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Une ligne JSON par question.")
@click.option("-k", "top_k", type=click.IntRange(1, 50), default=None, help="Nombre de passages examinés.")
def ask(question: str | None, as_json: bool, top_k: int | None) -> None:
    """Pose une question aux documents indexés ; « - » lit une question par ligne sur l'entrée standard.

    \b
    Exemples :
      ars-assistant ask "combien pour le plan crack ?"
      ars-assistant ask --json "c'est quoi un CRT ?"
      printf 'qui a signé la charte ?\n' | ars-assistant ask --json -
    """
    from assistant.factory import build_assistant
    from assistant.schemas import AnswerOut

    if question is None:
        raise UserError("Erreur : aucune question. Exemple : ars-assistant ask \"combien pour le plan crack ?\"")
    assistant = build_assistant(_settings(top_k=top_k))
    if assistant.index.status()["documents"] == 0:
        raise UserError(
            "Erreur : l'index est vide. Ingérez d'abord des documents : ars-assistant ingest data/documents"
        )
    # bytes that are not UTF-8 on the standard input become "\ufffd" rather than stop the command
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace") if question == "-" else None
    questions = (line.strip() for line in stdin) if stdin is not None else iter([question])
    for text in questions:
        if question == "-" and not text:
            continue
        answer = assistant.ask(text)
        if as_json:
            click.echo(AnswerOut.of(answer).model_dump_json())
        else:
            click.echo(answer.with_sources())


@cli.command()
@click.option("--host", default=None, help="Adresse d'écoute (défaut : ARS_UI_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (défaut : ARS_UI_PORT, 7860).")
def ui(host: str | None, port: int | None) -> None:
    """Lance l'interface de discussion dans le navigateur (onglets Discussion, Découvrir et Documents).

    Connexion facultative : ProConnect ou un autre fournisseur OpenID Connect (ARS_OIDC_ISSUER,
    ARS_OIDC_CLIENT_ID, ARS_OIDC_CLIENT_SECRET), ou, pour un seul poste,
    ARS_UI_USERS="marie:secret1,paul:secret2" ou ARS_UI_USERS_FILE.

    \b
    Exemples :
      ars-assistant ui
      ars-assistant ui --host 0.0.0.0 --port 8080
    """
    from ui.server import serve

    serve(_listening(host, port, "ui_port"))


@cli.command()
@click.option("--host", default=None, help="Adresse d'écoute (défaut : ARS_UI_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (défaut : ARS_API_PORT, 7861).")
def api(host: str | None, port: int | None) -> None:
    """Lance l'API HTTP seule, sans la page : REST sous /api, compatible OpenAI sous /v1, documentation sur /api/docs.

    Jetons d'accès : ARS_API_TOKENS="jeton1,jeton2" (en-tête « Authorization: Bearer jeton1 »).

    \b
    Exemples :
      ars-assistant api
      ARS_API_TOKENS=secret ars-assistant api --host 0.0.0.0 --port 8080
    """
    from ui.api import serve_api

    serve_api(_listening(host, port, "api_port"))


for command in (feedback, eval_, bench):
    cli.add_command(command)


def main() -> None:
    """Entry point: user-fixable errors are one French line on stderr, exit code 1."""
    start = time.perf_counter()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        message = str(exc)
        click.echo(message if message.startswith("Erreur") else f"Erreur : {message}", err=True)
        sys.exit(1)
    logging.getLogger(__name__).debug("done in %.2fs", time.perf_counter() - start)

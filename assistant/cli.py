"""The `ars-assistant` command: one group, verbs as subcommands. Heavy imports stay inside commands."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from ingest.errors import UserError


def _settings() -> Any:
    from assistant.settings import Settings

    return Settings()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Journal détaillé (en anglais) sur la sortie d'erreur.")
def cli(verbose: bool) -> None:
    """ARS Assistant : questions-réponses sur les documents de l'ARS Normandie, avec citations.

    \b
    Exemples :
      ars-assistant ingest data/documents
      ars-assistant ask "combien pour le plan crack ?"
      ars-assistant status
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns loudly on harmless quirks


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--reset", is_flag=True, help="Vide l'index avant d'ingérer.")
@click.option("--if-empty", is_flag=True, help="N'ingère que si l'index est vide (utilisé par `make run`).")
def ingest(paths: tuple[Path, ...], reset: bool, if_empty: bool) -> None:
    """Ingère des documents (PDF, DOCX, TXT, MD ; dossiers parcourus récursivement).

    \b
    Exemple :
      ars-assistant ingest data/documents
    """
    from assistant.ingesting import run_ingest

    settings = _settings()
    if not paths:
        paths = (settings.documents_dir,)
    report = run_ingest(settings, list(paths), reset=reset, if_empty=if_empty)
    click.echo(report)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def status(as_json: bool) -> None:
    """Affiche l'état de l'index : documents, passages, pages, dossier de données.

    \b
    Exemple :
      ars-assistant status --json
    """
    from assistant.ingesting import index_status

    info = index_status(_settings())
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Dossier de données : {info['data_dir']}")
    click.echo(f"Documents : {info['documents']}  Pages : {info['pages']}  Passages : {info['chunks']}")


def _not_yet(name: str) -> None:
    click.echo(f"La commande « {name} » n'est pas encore disponible dans cette version.", err=True)
    sys.exit(2)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def ask(args: tuple[str, ...]) -> None:
    """Pose une question aux documents indexés (à venir)."""
    _not_yet("ask")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def ui(args: tuple[str, ...]) -> None:
    """Lance l'interface de discussion dans le navigateur (à venir)."""
    _not_yet("ui")


@cli.command(name="eval", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def eval_(args: tuple[str, ...]) -> None:
    """Mesure la justesse des réponses sur un jeu de questions (à venir)."""
    _not_yet("eval")


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

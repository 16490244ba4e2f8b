"""The evaluation commands of `ars-assistant`: feedback export, eval and bench (registered in ui/cli.py).

Their imports of the assistant and of eval/ stay inside them, so that `ars-assistant --help` stays instant.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ingest.errors import UserError
from lang.plural import counted

if TYPE_CHECKING:
    from assistant.settings import Settings


@click.group()
def feedback() -> None:
    """Retours (j'aime / je n'aime pas) donnés dans l'interface, enregistrés dans le dossier de données.

    \b
    Exemple :
      ars-assistant feedback export --out eval/retours.jsonl
    """


@feedback.command(name="export")
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("eval/retours.jsonl"), show_default=True,
    help="Fichier JSONL des questions candidates (réécrit à chaque export).",
)
def feedback_export(out: Path) -> None:
    """Écrit les retours négatifs (« je n'aime pas ») comme questions d'évaluation candidates, à compléter avant usage.

    \b
    Exemple :
      ars-assistant feedback export --out eval/retours.jsonl
    """
    from assistant.feedback import FeedbackStore, feedback_path
    from assistant.settings import Settings
    from eval.run import feedback_to_questions

    path = feedback_path(Settings())
    if not path.exists():
        raise UserError(
            f"Erreur : aucun retour enregistré ('{path}' n'existe pas). Les retours se donnent avec les pouces "
            "sous les réponses de l'interface (ars-assistant ui)."
        )
    records = FeedbackStore(path).records()
    down = sum(1 for r in records if r.get("rating") == "down")
    written = feedback_to_questions(path, out)
    click.echo(
        f"{counted(written, 'question candidate écrite', 'questions candidates écrites')} dans {out} "
        f"({counted(len(records), 'retour', 'retours')}, dont {counted(down, 'négatif', 'négatifs')}). "
        "Complétez « must_contain » avant de les ajouter à eval/questions.jsonl."
    )


@click.command(name="eval")
@click.argument("questions", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Imprime les métriques en un objet JSON.")
@click.option("--min-accuracy", type=click.FloatRange(0, 1), default=None, help="Seuil de justesse des réponses.")
@click.option("--min-refusal", type=click.FloatRange(0, 1), default=None, help="Seuil de refus corrects.")
@click.option("--limit", type=click.IntRange(1), default=None, help="N'évalue que les N premières questions.")
@click.option("--reports", type=click.Path(path_type=Path), default=Path("eval/reports"), help="Dossier des rapports.")
@click.option("--etendu", "extended", is_flag=True,
              help="Ajoute le jeu dev étendu (244 documents, 2 618 questions ; environ une demi-heure de plus).")
@click.option("--comparer", "side_by_side", is_flag=True,
              help="Compare les réglages de réponse (manuel, appris, lecteur) sur les mêmes jeux, côte à côte "
              "(tableau écrit dans RAPPORTS/comparaison.md ; sans seuil bloquant).")
def eval_(
    questions: Path | None, as_json: bool, min_accuracy: float | None, min_refusal: float | None,
    limit: int | None, reports: Path, extended: bool, side_by_side: bool,
) -> None:
    """Mesure la justesse des réponses ; code de sortie 1 sous les seuils.

    Sans FICHIER : quatre jeux (exemple, formats, corpus réel dev et test verrouillé) sur un index de tous
    leurs documents, ingérés dans un dossier temporaire si l'index est vide. Le jeu « reel-test » n'est
    rapporté qu'en chiffres agrégés. Avec --etendu, un cinquième jeu : le dev étendu du corpus réel.

    \b
    Exemples :
      ars-assistant eval
      ars-assistant eval --etendu
      ars-assistant eval eval/questions.jsonl --json --min-accuracy 0.9
      ars-assistant eval --comparer
    """
    from assistant.settings import Settings
    from eval.evaluate import evaluate
    from eval.report import print_report

    settings = Settings()
    if side_by_side:
        _compare(settings, questions, as_json, limit, reports, extended)
        return
    with tempfile.TemporaryDirectory(prefix="ars-eval-") as scratch:
        suites = evaluate(settings, questions, Path(scratch), limit=limit, reports_dir=reports, extended=extended)
    if as_json:
        summary = {name: _figures(report) for name, (report, _) in suites.items()}
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        for name, (report, files) in suites.items():
            click.echo(f"\n== Jeu « {name} » ==")
            print_report(report)
            click.echo(f"Rapports : {files.markdown} ; {files.json} ; {files.chart}")
    failed = []
    for name, (report, _) in suites.items():
        answers, refusals = settings.eval_gates.get(
            name, (settings.eval_min_answer_accuracy, settings.eval_min_refusal_accuracy)
        )
        answers = answers if min_accuracy is None else min_accuracy
        refusals = refusals if min_refusal is None else min_refusal
        if (report["answer_accuracy"] or 0) < answers:
            failed.append(f"{name} : justesse des réponses {report['answer_accuracy']:.3f} < {answers}")
        if report["refusal_accuracy"] is not None and report["refusal_accuracy"] < refusals:
            failed.append(f"{name} : refus corrects {report['refusal_accuracy']:.3f} < {refusals}")
    if failed:
        click.echo("Seuil non atteint : " + " ; ".join(failed), err=True)
        sys.exit(1)


def _compare(
    settings: Settings, questions: Path | None, as_json: bool, limit: int | None, reports: Path, extended: bool
) -> None:
    """`eval --comparer`: every answer scorer over the same suites, side by side."""
    from eval.evaluate import compare
    from eval.report import comparison_markdown

    with tempfile.TemporaryDirectory(prefix="ars-eval-") as scratch:
        results = compare(settings, questions, Path(scratch), limit=limit, extended=extended)
    table = comparison_markdown(results)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "comparaison.md").write_text(table, encoding="utf-8")
    if as_json:
        click.echo(json.dumps({scorer: {name: _figures(report) for name, report in by_suite.items()}
                               for scorer, by_suite in results.items()}, ensure_ascii=False))
    else:
        click.echo(table.rstrip())
        click.echo(f"Tableau : {reports / 'comparaison.md'}")


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """A suite's report as `eval --json` prints it: every figure, not each question's answer."""
    return {k: v for k, v in report.items() if k != "results"}


def _sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "").replace("k", "000")) for part in value.split(",") if part.strip()})
    except ValueError:
        sizes = []
    if not sizes or sizes[0] < 1:
        raise click.BadParameter(f"« {value} » : donnez des nombres de passages séparés par des virgules, "
                                 "par exemple 1000,10000,100000.")
    return sizes


def _modes(value: str) -> list[str]:
    modes = [m.strip() for m in value.split(",") if m.strip()]
    if not modes or any(m not in ("embedded", "server") for m in modes):
        raise click.BadParameter(f"« {value} » : choisissez embedded, server ou embedded,server.")
    return modes


@click.command()
@click.option("--sizes", default="1000,10000,100000", show_default=True,
              help="Tailles d'index mesurées, en passages (séparées par des virgules).")
@click.option("--modes", default="embedded,server", show_default=True,
              help="Stockages mesurés : embedded (base embarquée), server (serveur Chroma lancé pour l'occasion).")
@click.option("--quick", is_flag=True, help="Mesure rapide : un document, quelques questions.")
@click.option("--ingest-docs", type=click.IntRange(1), default=20, show_default=True,
              help="Documents synthétiques ingérés pour de vrai (PDF).")
@click.option("--questions", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Questions posées (JSONL, défaut : eval/questions.jsonl).")
@click.option("--max-questions", type=click.IntRange(1), default=None, help="N'en pose que N.")
@click.option("--cold-runs", type=click.IntRange(1), default=3, show_default=True,
              help="Lancements par mesure de démarrage à froid (médiane).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval/reports"), show_default=True,
              help="Dossier de bench.json et bench.md.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=None,
              help="Dossier de travail conservé (corpus, index) ; temporaire sinon.")
@click.option("--note", default="", help="Remarque écrite dans le rapport (ex. : « autres tâches sur la machine »).")
def bench(
    sizes: str, modes: str, quick: bool, ingest_docs: int, questions: Path | None, max_questions: int | None,
    cold_runs: int, out: Path, work_dir: Path | None, note: str,
) -> None:
    """Mesure les performances : ingestion, latence des questions de 1 000 à 100 000 passages, démarrage, mémoire.

    Un corpus synthétique est tiré des documents d'exemple (chiffres, lieux et ordre des paragraphes
    changés) ; rien n'est écrit dans l'index de ARS_DATA_DIR. Le rapport va dans eval/reports/bench.json
    et bench.md. La mesure complète prend une demi-heure environ sur deux cœurs.

    \b
    Exemples :
      ars-assistant bench
      ars-assistant bench --sizes 200 --quick --modes embedded
    """
    from eval.bench import BenchOptions, run_benchmark

    options = BenchOptions(
        sizes=_sizes(sizes), modes=_modes(modes), quick=quick, ingest_documents=ingest_docs,
        max_questions=max_questions, cold_runs=cold_runs, out_dir=out, work_dir=work_dir, note=note,
    )
    if questions is not None:
        options.questions = questions
    report = run_benchmark(options, say=lambda line: click.echo(line, err=True))
    for target in report["targets"]:
        verdict = "—" if target["ok"] is None else ("atteint" if target["ok"] else "NON ATTEINT")
        click.echo(f"{target['name']} : {target['value']} {target['unit']} (cible ≤ {target['target']}) {verdict}")
    click.echo(f"Rapports : {out / 'bench.json'} ; {out / 'bench.md'}")

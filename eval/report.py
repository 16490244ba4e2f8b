"""The evaluation report in French: a terminal table, and JSON, Markdown and PNG files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

DEFAULT_REPORTS_DIR = Path("eval/reports")  # git-ignored

# (key in the report, French label, kind): kind says how to print the value.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("questions", "Questions", "int"),
    ("refusal_questions", "Questions à refuser", "int"),
    ("answer_accuracy", "Réponses exactes (questions avec réponse)", "pct"),
    ("citation_accuracy", "Citation du bon passage", "pct"),
    ("retrieval_recall_at_1", "Rappel@1 (bon passage cité en premier)", "pct"),
    ("retrieval_recall_at_5", "Rappel@5", "pct"),
    ("mrr", "MRR (rang réciproque moyen)", "dec"),
    ("refusal_accuracy", "Refus justifiés (hors corpus)", "pct"),
    ("false_refusal_rate", "Refus à tort", "pct"),
    ("citation_validity", "Extraits cités présents dans la page", "pct"),
)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Paths of the files written for one run."""

    json: Path
    markdown: Path
    chart: Path


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * value:.1f} %".replace(".", ",")
    if kind == "dec":
        return f"{value:.3f}".replace(".", ",")
    return str(value)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def metric_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(French label, formatted value) for every headline metric, latency included."""
    rows = [(label, _fmt(report.get(key), kind)) for key, label, kind in METRICS]
    latency = report.get("latency_ms") or {}
    rows.append(("Latence p50", _ms(latency.get("p50"))))
    rows.append(("Latence p95", _ms(latency.get("p95"))))
    return rows


def summary_table(report: dict[str, Any]) -> Table:
    """The headline metrics as a rich table with French headings."""
    table = Table(title="Évaluation d'ARS Assistant")
    table.add_column("Indicateur")
    table.add_column("Valeur", justify="right")
    for label, value in metric_rows(report):
        table.add_row(label, value)
    return table


HEADINGS = {"by_category": "Catégorie", "by_profile": "Profil", "by_format": "Format"}


def breakdown_table(report: dict[str, Any], key: str = "by_category") -> Table:
    """Accuracy per category (key="by_category") or per difficulty profile (key="by_profile")."""
    heading = HEADINGS.get(key, "Catégorie")
    table = Table(title=f"Exactitude par {heading.lower()}")
    table.add_column(heading)
    table.add_column("Questions", justify="right")
    table.add_column("Exactitude", justify="right")
    for name, group in report.get(key, {}).items():
        table.add_row(name, str(group["n"]), _fmt(group["accuracy"], "pct"))
    return table


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    """Print the metrics, the breakdowns and the number of failures to the terminal."""
    console = console or Console()
    console.print(summary_table(report))
    console.print(breakdown_table(report, "by_category"))
    console.print(breakdown_table(report, "by_profile"))
    if len(report.get("by_format", {})) > 1:
        console.print(breakdown_table(report, "by_format"))
    if "failures_hidden" in report:
        console.print(f"Échecs : {report['failures_hidden']} (jeu verrouillé : seuls les chiffres agrégés sont lus)")
        return
    failures = report.get("failures", [])
    console.print(f"Échecs : {len(failures)} (détail dans le rapport Markdown)")


def _cell(text: str, limit: int = 0) -> str:
    """Text on one line, safe inside Markdown; cut at `limit` characters (the JSON report keeps it whole)."""
    text = " ".join(str(text).split())
    if limit and len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return text.replace("|", "\\|")


def markdown(report: dict[str, Any], chart_name: str | None = None) -> str:
    """The report as Markdown: metrics, breakdowns, chart, then every failure."""
    lines = ["# Évaluation d'ARS Assistant", ""]
    if report.get("generated_at"):
        lines.append(f"Date : {report['generated_at']}  ")
    if report.get("questions_file"):
        lines.append(f"Jeu de questions : `{report['questions_file']}`")
    lines += ["", "## Indicateurs", "", "| Indicateur | Valeur |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in metric_rows(report)]
    for key, heading in HEADINGS.items():
        lines += ["", f"## Exactitude par {heading.lower()}", "", f"| {heading} | Questions | Exactitude |"]
        lines.append("|---|---:|---:|")
        for name, group in report.get(key, {}).items():
            lines.append(f"| {name} | {group['n']} | {_fmt(group['accuracy'], 'pct')} |")
    if chart_name:
        lines += ["", f"![Exactitude par catégorie]({chart_name})"]
    if "failures_hidden" in report:
        lines += ["", f"## Échecs ({report['failures_hidden']})", "",
                  "Jeu verrouillé : ses échecs ne sont jamais lus un par un (seuls les chiffres agrégés comptent)."]
        return "\n".join(lines).rstrip() + "\n"
    failures = report.get("failures", [])
    lines += ["", f"## Échecs ({len(failures)})", ""]
    if not failures:
        lines.append("Aucun échec.")
    for failure in failures:
        cited = ", ".join(failure.get("citations", [])) or "aucune"
        lines += [
            f"### {failure['id']} — {_cell(failure['question'])}",
            "",
            f"- Catégorie : {failure.get('category', '')}",
            f"- Attendu : {_cell(failure['expected'])}",
            f"- Obtenu : {_cell(failure['got'], 500) or '(réponse vide)'}",
            f"- Citations : {_cell(cited)}",
            f"- Raison : {_cell(failure['reason'])}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def write_chart(report: dict[str, Any], path: Path) -> Path:
    """A PNG bar chart of accuracy per category (matplotlib, Agg backend: no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = report.get("by_category", {})
    names = list(groups)
    values = [100 * (groups[n]["accuracy"] or 0.0) for n in names]
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(names, values, color="#1f6f8b")
    axes.bar_label(bars, labels=[f"{v:.0f} %" for v in values], padding=2)
    axes.set_ylim(0, 110)
    axes.set_ylabel("Exactitude (%)")
    axes.set_title("Exactitude par catégorie")
    axes.tick_params(axis="x", labelrotation=30)
    for label in axes.get_xticklabels():  # rotated names end under their bar
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")
    figure.savefig(path, dpi=120)
    return path


def write_reports(report: dict[str, Any], out_dir: Path | str = DEFAULT_REPORTS_DIR) -> ReportFiles:
    """Write rapport.json, rapport.md and the accuracy chart beside it; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(
        json=out_dir / "rapport.json",
        markdown=out_dir / "rapport.md",
        chart=out_dir / "exactitude-par-categorie.png",
    )
    files.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_chart(report, files.chart)
    files.markdown.write_text(markdown(report, chart_name=files.chart.name), encoding="utf-8")
    return files


# Columns of the side-by-side comparison of answer scorers: (key in the report, French header, kind).
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("answer_accuracy", "réponses exactes", "pct"),
    ("refusal_accuracy", "pièges refusés", "pct"),
    ("false_refusal_rate", "refus à tort", "pct"),
    ("citation_accuracy", "citations", "pct"),
)


def comparison_markdown(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """A Markdown table, a row per suite and answer scorer (`results[scorer][suite]` is a suite's report)."""
    lines = [
        "| jeu | réglage | " + " | ".join(header for _, header, _ in COMPARED) + " | latence p50 / p95 |",
        "|---|---|" + "---:|" * (len(COMPARED) + 1),
    ]
    suites = list(dict.fromkeys(name for by_suite in results.values() for name in by_suite))
    for suite in suites:
        for scorer, by_suite in results.items():
            report = by_suite.get(suite)
            if report is None:
                continue
            latency = report.get("latency_ms") or {}
            cells = [_fmt(report.get(key), kind) for key, _, kind in COMPARED]
            lines.append(f"| {suite} | {scorer} | " + " | ".join(cells)
                         + f" | {_ms(latency.get('p50'))} / {_ms(latency.get('p95'))} |")
    return "\n".join(lines) + "\n"

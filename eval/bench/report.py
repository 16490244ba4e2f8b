"""The figures of a benchmark run: percentiles, the targets met or not, bench.json and bench.md."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.bench.options import TARGETS


def median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 2)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of latencies (ms)."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0, "max": 0.0}

    def at(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {
        "p50": round(at(0.50), 1),
        "p95": round(at(0.95), 1),
        "mean": round(statistics.fmean(ordered), 1),
        "max": round(ordered[-1], 1),
    }


# -- targets and reports -------------------------------------------------------------------------------------


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    out = []
    ratio = report.get("ingest", {}).get("ratio_to_encoder")
    out.append(_target("Ingestion totale / encodeur seul", ratio, TARGETS["ingest_ratio"], "x"))
    embedded = [r for r in report.get("query", []) if r["mode"] == "embedded"]
    if embedded:
        largest = max(embedded, key=lambda r: r["size"])
        out.append(_target(f"Réponse p95 à chaud, {largest['size']} passages (embarqué)",
                           largest["answer_ms"]["p95"], TARGETS["answer_p95_ms"], "ms"))
        out.append(_target(f"Mémoire de service, {largest['size']} passages (embarqué)",
                           largest["serving_peak_rss_mb"], TARGETS["serving_rss_mb"], "Mo"))
    cold = [c for c in report.get("cold_start", []) if c["mode"] == "embedded"]
    if cold:
        worst = max(cold, key=lambda c: c["ask_s"])
        out.append(_target(f"`ask` à froid (pire taille : {worst['size']} passages)", worst["ask_s"],
                           TARGETS["cold_ask_s"], "s"))
    return out


def _target(name: str, value: float | None, limit: float, unit: str) -> dict[str, Any]:
    return {"name": name, "value": value, "target": limit, "unit": unit,
            "ok": None if value is None else value <= limit}


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """bench.json and bench.md in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "bench.json", out_dir / "bench.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables (French, as docs/evaluation.md)."""
    m = report["machine"]
    lines = [
        "# Performances d'ARS Assistant",
        "",
        f"Mesuré le {report['generated_at']} sur {m['cpu']}, {m['cores']} cœurs, {m['memory_gb']} Go, "
        f"{m['system']}, Python {m['python']} (durée : {_fmt(report.get('seconds'), 0)} s).",
    ]
    loads = report.get("load_average", {})
    if loads:
        shown = " ; ".join(f"{k} {v[0]:.1f}" for k, v in loads.items())
        lines.append(f"Charge moyenne de la machine (1 min) : {shown}.")
    if report.get("other_processes_cores") is not None:
        lines.append(f"Processeur pris par les autres processus de la machine pendant la mesure : "
                     f"{_fmt(report['other_processes_cores'], 2)} cœur(s) en moyenne.")
    if report["options"].get("note"):
        lines.append(report["options"]["note"])
    if report["options"].get("quick"):
        lines.append("Mode rapide (--quick) : chiffres indicatifs seulement.")
    ing = report.get("ingest")
    if ing:
        st = ing["stages"]
        lines += [
            "",
            "## Ingestion",
            "",
            f"{ing['files']} fichier(s) {ing['format'].upper()}, {ing['pages']} pages, {ing['chunks']} passages "
            f"({ing['encoded']} encodés, {ing['reused']} vecteurs réutilisés).",
            "",
            "| étape | secondes | débit |",
            "|---|---:|---:|",
            *(
                f"| {label} | {_fmt(st[stage], 2)} | {_fmt(_rate(ing[unit], st[stage]))} {unit_fr}/s |"
                for stage, label, unit, unit_fr in STAGE_ROWS
            ),
            f"| **total** (lecture en parallèle de l'encodage) | **{_fmt(ing['seconds'], 2)}** | "
            f"{_fmt(ing['pages_per_s'], 2)} pages/s, {_fmt(ing['chunks_per_s'], 2)} passages/s |",
            f"| encodeur seul, mêmes passages | {_fmt(ing['raw_encoder_seconds'], 2)} | "
            f"{_fmt(_rate(ing['chunks'], ing['raw_encoder_seconds']), 2)} passages/s |",
            "",
            f"Rapport total / encodeur seul : **{_fmt(ing['ratio_to_encoder'], 2)}** (temps CPU : "
            f"{_fmt(ing.get('cpu_ratio'), 2)}). Mémoire maximale (RSS) : {_fmt(ing['peak_rss_mb'])} Mo ; "
            f"index sur disque : {_fmt(ing['index_disk_mb'])} Mo.",
        ]
    rows = report.get("query", [])
    cold = {(c["mode"], c["size"]): c for c in report.get("cold_start", [])}
    if rows:
        lines += [
            "",
            "## Questions, démarrage, mémoire",
            "",
            "Latences à chaud sur les questions d'évaluation (ms) ; démarrages à froid (s) : médiane de "
            f"{report['options'].get('cold_runs')} lancement(s).",
            "",
            "| stockage | passages | recherche p50 / p95 | réponse p50 / p95 | 1re réponse (processus ouvert) | "
            "`ask` à froid | `ui` à froid | `status` | RSS service | index disque |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            c = cold.get((r["mode"], r["size"]), {})
            rss = _fmt(r["serving_peak_rss_mb"], 0)
            if r.get("server_peak_rss_mb") is not None:
                rss += f" + serveur {_fmt(r['server_peak_rss_mb'], 0)}"
            lines.append(
                f"| {'embarqué' if r['mode'] == 'embedded' else 'serveur Chroma'} | {_fmt(r['size'])} | "
                f"{_fmt(r['retrieval_ms']['p50'])} / {_fmt(r['retrieval_ms']['p95'])} | "
                f"{_fmt(r['answer_ms']['p50'])} / {_fmt(r['answer_ms']['p95'])} | "
                f"{_fmt(r['open_s'], 2)} s + {_fmt(r['first_answer_ms'], 0)} ms | {_fmt(c.get('ask_s'), 2)} | "
                f"{_fmt(c.get('ui_s'), 2)} | {_fmt(c.get('status_s'), 2)} | {rss} Mo | {_fmt(r['disk_mb'])} Mo |"
            )
        inserted = ", ".join(f"{_fmt(r['size'])} : {_fmt(r['insert_seconds'], 0)} s" for r in rows
                             if r["mode"] == rows[0]["mode"])
        lines += ["", f"Construction des index ({rows[0]['mode']}, vecteurs fournis, textes réels) : {inserted}."]
    if report.get("targets"):
        lines += ["", "## Objectifs", "", "| objectif | mesuré | cible | atteint |", "|---|---:|---:|:---:|"]
        for t in report["targets"]:
            ok = "—" if t["ok"] is None else ("oui" if t["ok"] else "**non**")
            lines.append(f"| {t['name']} | {_fmt(t['value'], 2)} {t['unit']} | ≤ {_fmt(t['target'], 1)} {t['unit']} "
                         f"| {ok} |")
    return "\n".join(lines) + "\n"


STAGE_ROWS = (
    ("parse", "lecture + nettoyage (parse)", "pages", "pages"),
    ("chunk", "découpage + fiche (chunk)", "chunks", "passages"),
    ("embed", "encodage (embed)", "chunks", "passages"),
    ("write", "écriture Chroma + BM25 + manifeste (write)", "chunks", "passages"),
)


def _rate(count: float, seconds: float | None) -> float | None:
    return round(count / seconds, 2) if seconds else None

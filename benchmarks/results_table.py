"""Writes ``benchmarks/RESULTS.md``: one table of every benchmark's figures, from the results.

Each benchmark writes ``benchmarks/results/<name>.json`` with where and when it ran (``date``,
``git_commit``, ``machine``) and a ``summary``: rows of ``name``, ``value``, ``unit``, ``target``
(or null) and ``met`` (or null). The orchestrator's file predates ``summary``; its rows are read
from its figures here. Run by ``scripts/bench`` after the benchmarks; on its own:

    scripts/run python -m benchmarks.results_table [--wall-seconds S]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
TABLE = Path(__file__).resolve().parent / "RESULTS.md"

# The benchmarks of the table, in its order: (results file stem, title, how to run it alone).
BENCHMARKS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status propagation", "python -m benchmarks.bench_status"),
    ("rest", "REST under load (wrk)", "python -m benchmarks.bench_rest"),
    ("upload", "Uploads", "python -m benchmarks.bench_upload"),
    ("orchestrator", "Orchestrator", "python -m benchmarks.bench_orchestrator"),
)


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None


def orchestrator_rows(result: dict[str, Any]) -> list[Row]:
    """The orchestrator's figures as rows (its file has no ``summary``)."""
    reaction = result["reaction_print_finished_to_first_macro"]
    rows: list[Row] = []
    for who, label in (("orchestrator", "orchestrator"), ("polling_5s", "5 s polling loop")):
        for subset, subset_label in (("robot_idle", "robot idle"), ("all", "all prints")):
            figures = reaction[who][subset]
            for stat in ("p50", "p99"):
                rows.append(
                    Row(
                        f"print finished → first OttoEject macro, {label}, {subset_label}: {stat}",
                        float(figures[f"{stat}_ms"]),
                        "ms",
                    )
                )
    rows.append(
        Row(
            "reaction, polling p50 / orchestrator p50 (robot idle)",
            float(reaction["ratio_of_medians"]["robot_idle"]),
            "x",
        )
    )
    makespan = result["makespan"]
    rows.append(
        Row(
            f"makespan of {makespan['jobs']} jobs / lower bound",
            float(makespan["ratio"]),
            "x",
        )
    )
    for plan in result.get("scheduler_plan", []):
        if plan["scenario"] == "shared items":
            rows.append(
                Row(
                    f"plan(): {plan['printers']} printers, {plan['queued_jobs']} queued jobs",
                    float(plan["median_ms"]),
                    "ms",
                )
            )
    return rows


def rows_of(stem: str, result: dict[str, Any]) -> list[Row]:
    if "summary" in result:
        return [
            Row(
                str(row["name"]),
                float(row["value"]),
                str(row["unit"]),
                row.get("target"),
                row.get("met"),
            )
            for row in result["summary"]
        ]
    if stem == "orchestrator":
        return orchestrator_rows(result)
    return []


def _value(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 1 else f"{value:.1f}"


def _met(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[met]


def _machine(result: dict[str, Any]) -> str:
    machine = result.get("machine")
    if isinstance(machine, dict):
        cores = machine.get("cpu_count") or result.get("cpu_count")
        text = f"{machine.get('machine', '')}, {cores} cores, Python {machine.get('python', '')}"
        note = machine.get("note")
        return f"{text} ({note})" if note else text
    cores = result.get("cpu_count")
    return f"{machine}, {cores} cores" if cores else str(machine)


def render(results: dict[str, dict[str, Any]], wall_seconds: float | None) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `scripts/bench` (`benchmarks/results_table.py`) from "
        "`benchmarks/results/*.json`; each benchmark runs a real `hass` with the integration "
        "and the simulated farm on loopback. Do not edit by hand.",
        "",
    ]
    if wall_seconds is not None:
        lines += [f"The whole `scripts/bench` run took {wall_seconds / 60:.1f} min.", ""]
    lines += ["| Benchmark | Figure | Value | Target | Met |", "|---|---|---:|---|---|"]
    sources: list[str] = []
    for stem, title, command in BENCHMARKS:
        result = results.get(stem)
        if result is None:
            lines.append(f"| {title} | not run (`scripts/run {command}`) | | | |")
            continue
        for row in rows_of(stem, result):
            value = f"{_value(row.value)} {row.unit}".strip()
            lines.append(
                f"| {title} | {row.name} | {value} | {row.target or ''} | {_met(row.met)} |"
            )
        commit = str(result.get("git_commit") or "?")[:10]
        date = result.get("date") or result.get("timestamp") or "?"
        sources.append(
            f"- **{title}**: `scripts/run {command}` → `benchmarks/results/{stem}.json`; "
            f"{date}, commit {commit}, {_machine(result)}"
        )
    lines += ["", "## Where and when", "", *sources, ""]
    return "\n".join(lines)


def load_results(directory: Path = RESULTS) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for stem, _, _ in BENCHMARKS:
        path = directory / f"{stem}.json"
        if path.exists():
            results[stem] = json.loads(path.read_text(encoding="utf-8"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wall-seconds", type=float, help="how long the whole run took")
    parser.add_argument("--output", type=Path, default=TABLE)
    args = parser.parse_args()
    args.output.write_text(render(load_results(), args.wall_seconds), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

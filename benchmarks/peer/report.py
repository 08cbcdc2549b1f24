"""The figures of `manage.py benchmark_peer` as tables and a plot: the product beside
PostGraphile, per page, and the issue's targets as ratios of the two."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CONTENDERS = {
    "product": "product, computed",
    "cached": "product, cache hit",
    "peer": "PostGraphile",
}


def median_of(figures: dict[str, Any], page: str, contender: str, figure: str) -> float:
    """The median over the rounds of one figure ("cpu_ms" is server and database together)."""
    values = [
        run["server_cpu_ms"] + run["database_cpu_ms"] if figure == "cpu_ms" else run[figure]
        for run in figures["runs"]
        if run["page"] == page and run["contender"] == contender
    ]
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class RatioTarget:
    label: str
    page: str
    contender: str
    figure: str  # "cpu_ms" (at most `limit` times the peer's) or "throughput" (at least)
    limit: float

    def ratio(self, figures: dict[str, Any]) -> float:
        ours = median_of(figures, self.page, self.contender, self.figure)
        return ours / median_of(figures, self.page, "peer", self.figure)

    def describe(self) -> str:
        return (
            f"at most {self.limit:g}x" if self.figure == "cpu_ms" else f"at least {self.limit:g}x"
        )

    def met_by(self, ratio: float) -> bool:
        return ratio <= self.limit if self.figure == "cpu_ms" else ratio >= self.limit


TARGETS = [
    RatioTarget("title page, computed: CPU per request", "title", "product", "cpu_ms", 3),
    RatioTarget("person page, computed: CPU per request", "person", "product", "cpu_ms", 3),
    RatioTarget("browse, computed: CPU per request", "browse", "product", "cpu_ms", 1),
    RatioTarget("title page, computed: requests/s", "title", "product", "throughput", 0.5),
    RatioTarget("title page, cache hits: requests/s", "title", "cached", "throughput", 3),
]
HOME_TARGET_MS = 60.0


def home_p50_ms(api_figures: dict[str, Any] | None) -> float | None:
    """`home` at one client without the cache, from the API benchmark's figures."""
    for level in (api_figures or {}).get("levels", []):
        if (level["scenario"], level["concurrency"], level["cache"]) == ("home", 1, False):
            return float(level["p50_ms"])
    return None


def targets_markdown(figures: dict[str, Any], api_figures: dict[str, Any] | None) -> str:
    concurrency = figures["concurrency"]
    rows = [
        "| ratio to PostGraphile in the same run | target | this run | met |",
        "| --- | --- | --- | --- |",
    ]
    for target in TARGETS:
        ratio = target.ratio(figures)
        label = target.label + (
            f" at {concurrency} clients" if target.figure == "throughput" else ""
        )
        met = "yes" if target.met_by(ratio) else "**no**"
        rows.append(f"| {label} | {target.describe()} | {ratio:.2f}x | {met} |")
    home = home_p50_ms(api_figures)
    if home is None or api_figures is None:
        rows.append(
            f"| `home`, p50 at 1 client | under {HOME_TARGET_MS:.0f} ms | not measured | — |"
        )
    else:
        met = "yes" if home < HOME_TARGET_MS else "**no**"
        rows.append(
            f"| `home`, p50 at 1 client ({api_figures['events']:,} events; "
            f"`benchmark_api`) | under {HOME_TARGET_MS:.0f} ms | {home:.1f} ms | {met} |"
        )
    return "\n".join(rows) + "\n"


def pages_markdown(figures: dict[str, Any]) -> str:
    concurrency = figures["concurrency"]
    rows = [
        f"| page | figure | {' | '.join(CONTENDERS.values())} | computed ÷ peer |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for page, label in figures["labels"].items():
        for figure, name in (
            ("cpu_ms", "CPU ms per request (server + PostgreSQL)"),
            ("server_cpu_ms", "of which the server's"),
            ("throughput", f"requests/s at {concurrency} clients"),
            ("p50_ms", f"p50 ms at {concurrency} clients"),
        ):
            values = [median_of(figures, page, key, figure) for key in CONTENDERS]
            shown = " | ".join(f"{value:,.1f}" for value in values)
            rows.append(f"| {label} | {name} | {shown} | {values[0] / values[2]:.2f}x |")
    return "\n".join(rows) + "\n"


def report_markdown(figures: dict[str, Any], api_figures: dict[str, Any] | None, image: str) -> str:
    generator = max(run["generator_cpu_share"] for run in figures["runs"])
    return (
        f"Measured on {figures['measured_on']} by `manage.py benchmark_peer` (run by "
        f"`make bench`) on `{figures['database']}` ({figures['titles']:,} titles), "
        f"PostgreSQL {figures['postgres']}, {figures['cores']} cores: the product "
        f"(production settings, {figures['workers']} uvicorn workers, every protection on "
        f"but the rate limit) and PostGraphile {figures['peer_version']} (Amber preset, "
        f"Node {figures['node']}, {figures['workers']} processes), each with a pool of "
        f"{figures['pool_size']} connections a process. Both answered the same data to each "
        f"of the {figures['compared']} requests compared before timing. Medians of "
        f"{figures['rounds']} interleaved rounds of {figures['seconds']:g} s per page and "
        f"server, at {figures['concurrency']} clients; the load generator used at most "
        f"{generator:.0%} of a core. CPU is the server's processes and PostgreSQL's, per "
        f"request.\n\n"
        f"{targets_markdown(figures, api_figures)}\n"
        f"{pages_markdown(figures)}\n"
        f"![CPU per request, product and PostGraphile]({image})\n"
    )


def cpu_plot(figures: dict[str, Any], path: Path) -> None:
    """CPU per request of each page, one bar per contender, server and database stacked."""
    pages = list(figures["labels"])
    figure, axis = plt.subplots(figsize=(7, 3.6))
    width = 0.27
    colors = {"product": "tab:blue", "cached": "tab:orange", "peer": "tab:green"}
    for index, (key, label) in enumerate(CONTENDERS.items()):
        positions = [page + (index - 1) * width for page in range(len(pages))]
        server = [median_of(figures, page, key, "server_cpu_ms") for page in pages]
        database = [median_of(figures, page, key, "database_cpu_ms") for page in pages]
        axis.bar(positions, server, width, color=colors[key], label=f"{label}: server")
        axis.bar(
            positions,
            database,
            width,
            bottom=server,
            color=colors[key],
            alpha=0.45,
            label=f"{label}: PostgreSQL",
        )
    axis.set_xticks(range(len(pages)), pages)
    axis.set_yscale("log")
    axis.set_ylabel("CPU ms per request (log)")
    smallest = min(
        median_of(figures, page, key, "server_cpu_ms") for page in pages for key in CONTENDERS
    )
    largest = max(median_of(figures, page, key, "cpu_ms") for page in pages for key in CONTENDERS)
    axis.set_ylim(bottom=smallest / 2, top=largest * 10)  # room for the legend
    axis.legend(fontsize=7, ncol=3, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)

"""The benchmarks' plots, drawn with matplotlib (no display) into docs/images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import NullLocator


def latency_plot(figures: dict[str, Any], path: Path) -> None:
    """p50 (solid) and p99 (dashed) against concurrency, one panel per scenario, without the
    response cache and, for the public reads, with it (log scale: hits are milliseconds)."""
    names = list(dict.fromkeys(level["scenario"] for level in figures["levels"]))
    figure, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 3.6), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        runs = ((False, "tab:blue", "computed"), (True, "tab:orange", "cached"))
        for cache, color, label in runs:
            levels = [
                level
                for level in figures["levels"]
                if level["scenario"] == name and level["cache"] == cache
            ]
            if not levels:
                continue
            concurrency = [level["concurrency"] for level in levels]
            p50 = [level["p50_ms"] for level in levels]
            axis.plot(concurrency, p50, "o-", color=color, label=f"{label} p50")
            p99 = [level["p99_ms"] for level in levels]
            axis.plot(concurrency, p99, "s--", color=color, label=f"{label} p99")
            axis.set_xticks(concurrency, [str(value) for value in concurrency])
            axis.xaxis.set_minor_locator(NullLocator())
        axis.set_title(name)
        axis.set_xlabel("concurrency")
        axis.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("latency (ms)")
    axes[0][0].legend(fontsize="small")
    figure.suptitle(f"API latency, {figures['workers']} workers, {figures['database']}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def refresh_plot(series: list[dict[str, Any]], *, events: int, path: Path) -> None:
    """The incremental refresh's time against the new events it folded in (log-log)."""
    figure, axis = plt.subplots(figsize=(5.5, 3.6))
    new_events = [run["new_events"] for run in series]
    axis.plot(new_events, [run["seconds"] for run in series], "o-", label="refresh")
    axis.axhline(2.0, color="grey", linestyle=":", label="target for 100,000: 2 s")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("new events folded in")
    axis.set_ylabel("seconds")
    axis.set_title(f"Incremental popularity refresh on {events:,} events")
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)

"""The API-under-load figures as the tables of docs/benchmarks.md and a latency plot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.graphql.response_cache import store as response_cache


@dataclass(frozen=True)
class Target:
    scenario: str
    concurrency: int
    figure: str  # "p50_ms" (at most `limit`) or "throughput" (at least `limit`)
    limit: float

    def describe(self) -> str:
        if self.figure == "throughput":
            return f"≥ {self.limit:.0f} requests/s at concurrency {self.concurrency}"
        return f"p50 < {self.limit:.0f} ms at concurrency {self.concurrency}"

    def met_by(self, value: float) -> bool:
        return value >= self.limit if self.figure == "throughput" else value < self.limit


TARGETS = [
    Target("title", 1, "p50_ms", 25),
    Target("home", 1, "p50_ms", 60),
    Target("search", 1, "p50_ms", 50),
    Target("title", 16, "throughput", 300),
]


def _level(
    figures: dict[str, Any], scenario: str, concurrency: int, *, cache: bool
) -> dict[str, Any] | None:
    for level in figures["levels"]:
        if (level["scenario"], level["concurrency"], level["cache"]) == (
            scenario,
            concurrency,
            cache,
        ):
            return dict(level)
    return None


def _against(target: Target, level: dict[str, Any] | None) -> str:
    if level is None:
        return "— (a profile's own: never cached)"
    value = level[target.figure]
    unit = " requests/s" if target.figure == "throughput" else " ms"
    verdict = "met" if target.met_by(value) else "**missed**"
    return f"{value:.1f}{unit}: {verdict}"


def _targets_table(figures: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | target | without the cache | from the response cache (hits) |",
        "| --- | --- | --- | --- |",
    ]
    for target in TARGETS:
        computed = _level(figures, target.scenario, target.concurrency, cache=False)
        if computed is None:
            continue
        cached = _level(figures, target.scenario, target.concurrency, cache=True)
        label = figures["labels"][target.scenario]
        lines.append(
            f"| {label} | {target.describe()} | {_against(target, computed)} "
            f"| {_against(target, cached)} |"
        )
    return lines


def _cache_table(figures: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | distinct requests | miss p50 ms | miss p99 ms | hit p50 ms | hit p99 ms "
        "| stored on the first pass | hits on the second |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cache_pass in figures["cache_passes"]:
        miss, hit = cache_pass["miss"], cache_pass["hit"]
        stored = miss["cache_statuses"].get(response_cache.STORED, 0)
        hits = hit["cache_statuses"].get(response_cache.HIT, 0)
        lines.append(
            f"| {figures['labels'][cache_pass['scenario']]} | {miss['requests']} "
            f"| {miss['p50_ms']:.1f} | {miss['p99_ms']:.1f} | {hit['p50_ms']:.1f} "
            f"| {hit['p99_ms']:.1f} | {stored} | {hits} |"
        )
    return lines


def _levels_table(figures: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | response cache | SQL queries / request | concurrency | requests/s | p50 ms "
        "| p99 ms | errors | server CPU ms / request | machine busy | generator CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for level in figures["levels"]:
        name = level["scenario"]
        cache = f"on: {level['hit_share']:.0%} hits" if level["cache"] else "off"
        lines.append(
            f"| {figures['labels'][name]} | {cache} | {figures['queries'][name]} "
            f"| {level['concurrency']} | {level['throughput']:.1f} | {level['p50_ms']:.1f} "
            f"| {level['p99_ms']:.1f} | {level['errors']} "
            f"| {level['server_cpu_ms_per_request']:.1f} "
            f"| {level['machine_busy_share']:.0%} | {level['generator_cpu_share']:.0%} |"
        )
    return lines


def _memory(megabytes: list[float]) -> str:
    return f"{', '.join(f'{mb:.0f} MB' for mb in megabytes)} ({sum(megabytes):.0f} MB together)"


def report_markdown(figures: dict[str, Any], image: str) -> str:
    return "\n".join(
        [
            f"Measured on {figures['measured_on']} by `manage.py benchmark_api` on the database "
            f"`{figures['database']}` ({figures['titles']:,} titles, "
            f"{figures['events']:,} viewing events), on this machine ({figures['cores']} cores "
            "shared by the server, PostgreSQL, Redis and the load generator).",
            "",
            f"Server: uvicorn, production settings (`DJANGO_ENV=production`, DEBUG off, rate "
            f"limiting off), {figures['workers']} worker processes, first with the response "
            f"cache off, then on. Load: {figures['generator']}; {figures['seconds']:.0f} s per "
            f"scenario and concurrency after {figures['warmup']:.0f} s of warm-up; every "
            "request's latency recorded.",
            "",
            *_targets_table(figures),
            "",
            "The response cache, one client: each distinct request sent once with every stored "
            "response stale (misses, computed and stored), then once more (hits).",
            "",
            *_cache_table(figures),
            "",
            *_levels_table(figures),
            "",
            *_costliest_table(figures),
            "Server CPU is the web workers' CPU time per request; machine busy is the share of "
            "all cores in use during the run; generator CPU is the load generator's share of "
            "one core. SQL queries per request are counted once per scenario, in-process, "
            "without the cache (a hit runs none).",
            f"Peak resident memory of the web workers (VmHWM): "
            f"{_memory(figures['peak_worker_memory_mb'])} without the cache; "
            f"{_memory(figures['peak_worker_memory_cached_mb'])} with it.",
            "",
            f"![p50 and p99 latency against concurrency, per scenario]({image})",
            "",
        ]
    )


def _costliest_table(figures: dict[str, Any]) -> list[str]:
    """The costliest anonymous requests within the limits, slowest first."""
    passes = sorted(figures.get("costliest", []), key=lambda p: -p["p99_ms"])
    if not passes:
        return []
    return [
        "The costliest requests an anonymous caller may send within every limit (cost, depth, "
        "page size, search length, ids and representations), without the cache, each sent "
        "three times in a row at one client:",
        "",
        "| request | p50 ms | slowest ms | errors |",
        "| --- | --- | --- | --- |",
        *(
            f"| {p['label']} | {p['p50_ms']:.0f} | {p['p99_ms']:.0f} | {p['errors']} |"
            for p in passes
        ),
        "",
    ]

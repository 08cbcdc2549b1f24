"""The API load benchmark, end to end on a tiny database: a real server, a real load."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from audience.models import ViewingEvent
from benchmarks.api.report import report_markdown
from benchmarks.api.scenarios import EVENTS_PER_BATCH
from config.accounts.models import ApiToken
from tests.factories import (
    AvailabilityFactory,
    CastCreditFactory,
    ProfileFactory,
    TitleFactory,
    ViewingEventFactory,
)

pytestmark = pytest.mark.benchmark


@pytest.mark.django_db(transaction=True)
def test_the_api_benchmark_loads_a_production_server_and_records_every_request(
    tmp_path: Path,
) -> None:
    # Given a small catalog and a viewer who has watched something
    titles = TitleFactory.create_batch(EVENTS_PER_BATCH)
    for title in titles[:3]:
        CastCreditFactory.create_batch(2, title=title)
        AvailabilityFactory(title=title)
    ViewingEventFactory(profile=ProfileFactory(), title=titles[0])
    events_before = ViewingEvent.objects.count()
    output = tmp_path / "api.json"

    # When the benchmark runs the title page and event batches at concurrency 2 for 2 s
    call_command(
        "benchmark_api",
        *("--scenarios", "title", "record", "--concurrency", "2"),
        *("--seconds", "2", "--warmup", "0.5", "--workers", "1", "--output", str(output)),
    )

    # Then every request succeeded and was timed, the batches were stored over HTTP,
    # and the benchmark's API tokens are gone
    figures = json.loads(output.read_text())
    levels = {(level["scenario"], level["cache"]): level for level in figures["levels"]}
    assert set(levels) == {("title", False), ("record", False), ("title", True)}
    for level in levels.values():
        assert level["concurrency"] == 2
        assert level["errors"] == 0, level["first_error"]
        assert level["requests"] > 0
        assert level["throughput"] > 0
        assert 0 < level["p50_ms"] <= level["p99_ms"]
        assert level["server_cpu_ms_per_request"] > 0
    assert figures["queries"]["title"] > 0
    assert figures["queries"]["record"] > 0
    stored = ViewingEvent.objects.count() - events_before
    # the two in-process batches that count queries, then the load's (warm-up included)
    assert stored % EVENTS_PER_BATCH == 0
    assert stored >= EVENTS_PER_BATCH * (2 + levels["record", False]["requests"])
    assert len(figures["peak_worker_memory_mb"]) == 1
    assert figures["peak_worker_memory_mb"][0] > 0
    assert not ApiToken.objects.exists()

    # and, with the response cache on, each title page was computed and stored once, then
    # served from the cache, as was every request under load
    (title_passes,) = figures["cache_passes"]
    distinct = len(titles)  # every one a movie
    assert title_passes["miss"]["cache_statuses"] == {"catalog-graphql; fwd=miss; stored": distinct}
    assert title_passes["hit"]["cache_statuses"] == {"catalog-graphql; hit": distinct}
    assert levels["title", False]["hit_share"] == 0
    assert levels["title", True]["hit_share"] == 1
    report = report_markdown(figures, "images/api-latency.png")
    assert f"| title page (credits, similar titles, availability) | {distinct} |" in report

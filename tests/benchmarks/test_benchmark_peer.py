"""The side-by-side benchmark against PostGraphile, end to end on a tiny database."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.peer.comparison import PAGE_SIZE
from benchmarks.peer.report import report_markdown
from catalog.models import TitleStatus
from tests.factories import CastCreditFactory, CrewCreditFactory, PersonFactory, TitleFactory

pytestmark = pytest.mark.benchmark


@pytest.mark.django_db(transaction=True)
def test_the_peer_benchmark_checks_both_servers_answer_alike_then_times_each(
    tmp_path: Path,
) -> None:
    # Given a person with a page of credits, on movies with a cast and a crew, and a
    # movie in production that the public does not see
    person = PersonFactory(biography="Born somewhere.")
    movies = TitleFactory.create_batch(PAGE_SIZE, year=1999)
    for movie in movies:
        CastCreditFactory(title=movie, person=person)
        CastCreditFactory(title=movie)
        CrewCreditFactory(title=movie)
    CastCreditFactory(title=TitleFactory(status=TitleStatus.IN_PRODUCTION))
    output = tmp_path / "peer.json"

    # When the benchmark runs one short round at two clients
    call_command(
        "benchmark_peer",
        *("--rounds", "1", "--seconds", "1", "--warmup", "0.3", "--workers", "1"),
        *("--concurrency", "2", "--output", str(output)),
    )

    # Then both servers answered the same data to every title, person and browse page
    # (the movie in production among neither's), and each page was timed on each server
    figures = json.loads(output.read_text())
    assert figures["compared"] == len(movies) + 1 + 50
    runs = {(run["page"], run["contender"]): run for run in figures["runs"]}
    assert set(runs) == {
        (page, contender)
        for page in ("title", "person", "browse")
        for contender in ("product", "cached", "peer")
    }
    for run in runs.values():
        assert run["errors"] == 0, run["first_error"]
        assert run["requests"] > 0
        assert run["server_cpu_ms"] > 0
        assert run["database_cpu_ms"] >= 0
    assert set(runs["title", "cached"]["cache_statuses"]) == {"catalog-graphql; hit"}
    assert figures["peer_version"].startswith("5.")
    assert figures["node"].startswith("22.")

    # and the report states each target as a ratio of the two
    report = report_markdown(figures, None, "images/peer-cpu.png")
    assert "| title page, computed: CPU per request | at most 3x |" in report
    assert "| `home`, p50 at 1 client | under 60 ms | not measured | — |" in report

"""The API beside PostGraphile, the best peer, on one database in one run.

`manage.py benchmark_peer` serves the benchmark database with PostGraphile 5 (Amber preset,
Node 22, both from npm, pinned in `benchmarks/postgraphile/package-lock.json`) and with the
product, and sends the same three pages to both: a title page, a person page and a browse
page. Each pair of requests asks for the same data, and the run checks that both answer it
alike before it measures anything.

PostGraphile serves tables as they are; the product shows the public only titles that are
not in production. So that the browse pages hold the same rows, the peer reads the public
movies through one SQL function in a schema of its own (`peer`), and the title and person
pages are of titles and people that the public may see whole.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import psutil
from django.conf import settings
from django.db import connection
from strawberry.relay import from_base64, to_base64

from benchmarks.api.scenarios import Scenario
from benchmarks.api.server import Server, generate_load, percentile
from config.database_urls import database_url
from config.local_ports import free_port

PEER_DIR = Path(settings.BASE_DIR) / "benchmarks" / "postgraphile"
NODE = PEER_DIR / "node_modules" / ".bin" / "node"
PAGE_SIZE = 20
REQUESTS_PER_PAGE = 200  # distinct titles and people, as a front end's traffic spreads

PEER_SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS peer;
CREATE OR REPLACE FUNCTION peer.public_movies() RETURNS SETOF public.catalog_title
LANGUAGE sql STABLE AS $$
  SELECT * FROM public.catalog_title
  WHERE kind = 'movie' AND status <> 'in_production'
  ORDER BY year DESC NULLS LAST, id
$$;
"""

PRODUCT_TITLE = """
query TitlePage($id: ID!) {
  title(id: $id) {
    id name synopsis year runtimeMinutes kind
    genres { name slug }
    cast(first: 10) { character person { id name } }
    crew { job department person { id name } }
  }
}
"""

PEER_TITLE = """
query TitlePage($id: BigInt!) {
  catalogTitleByRowId(rowId: $id) {
    rowId name synopsis year runtimeMinutes kind
    catalogTitleGenresByTitleId { nodes { catalogGenreByGenreId { name slug } } }
    cast: catalogCreditsByTitleId(
      condition: {roleType: "cast"}, orderBy: [BILLING_ORDER_ASC, ROW_ID_ASC], first: 10
    ) { nodes { character catalogPersonByPersonId { rowId name } } }
    crew: catalogCreditsByTitleId(
      condition: {roleType: "crew"}, orderBy: [DEPARTMENT_ASC, JOB_ASC, ROW_ID_ASC]
    ) { nodes { job department catalogPersonByPersonId { rowId name } } }
  }
}
"""

PRODUCT_PERSON = """
query PersonPage($id: ID!) {
  person(id: $id) {
    id name birthDate biography
    credits(first: 20) {
      edges { node { roleType character job title { id name year } } }
    }
  }
}
"""

PEER_PERSON = """
query PersonPage($id: BigInt!) {
  catalogPersonByRowId(rowId: $id) {
    rowId name birthDate biography
    catalogCreditsByPersonId(
      first: 20, orderBy: [TITLE_ID_ASC, ROLE_TYPE_ASC, BILLING_ORDER_ASC, ROW_ID_ASC]
    ) { nodes { roleType character job catalogTitleByTitleId { rowId name year } } }
  }
}
"""

PRODUCT_BROWSE = """
query Browse($after: String) {
  titles(filters: {kind: [MOVIE]}, order: {year: DESC}, first: 20, after: $after) {
    totalCount
    edges { node { id name year } }
  }
}
"""

PEER_BROWSE = """
query Browse($offset: Int!) {
  peerPublicMovies(first: 20, offset: $offset) { totalCount nodes { rowId name year } }
}
"""


@dataclass(frozen=True)
class PagePair:
    """One page as the product asks for it and as the peer does, and how to compare them."""

    name: str
    label: str
    product: Scenario
    peer: Scenario
    product_data: Callable[[dict[str, Any]], Any]
    peer_data: Callable[[dict[str, Any]], Any]


def _row_id(global_id: str) -> int:
    return int(from_base64(global_id)[1])


def _title_from_product(data: dict[str, Any]) -> Any:
    title = data["title"]
    return (
        _row_id(title["id"]),
        title["name"],
        title["synopsis"],
        title["year"],
        title["runtimeMinutes"],
        title["kind"].lower(),
        sorted((genre["name"], genre["slug"]) for genre in title["genres"]),
        [(c["character"], _row_id(c["person"]["id"]), c["person"]["name"]) for c in title["cast"]],
        [
            (c["job"], c["department"].lower(), _row_id(c["person"]["id"]), c["person"]["name"])
            for c in title["crew"]
        ],
    )


def _title_from_peer(data: dict[str, Any]) -> Any:
    title = data["catalogTitleByRowId"]
    genres = title["catalogTitleGenresByTitleId"]["nodes"]
    return (
        int(title["rowId"]),
        title["name"],
        title["synopsis"],
        title["year"],
        title["runtimeMinutes"],
        title["kind"],
        sorted(
            (g["catalogGenreByGenreId"]["name"], g["catalogGenreByGenreId"]["slug"]) for g in genres
        ),
        [
            (
                c["character"],
                int(c["catalogPersonByPersonId"]["rowId"]),
                c["catalogPersonByPersonId"]["name"],
            )
            for c in title["cast"]["nodes"]
        ],
        [
            (
                c["job"],
                c["department"],
                int(c["catalogPersonByPersonId"]["rowId"]),
                c["catalogPersonByPersonId"]["name"],
            )
            for c in title["crew"]["nodes"]
        ],
    )


def _person_from_product(data: dict[str, Any]) -> Any:
    person = data["person"]
    credits = [edge["node"] for edge in person["credits"]["edges"]]
    return (
        _row_id(person["id"]),
        person["name"],
        person["birthDate"],
        person["biography"],
        [
            (
                c["roleType"].lower(),
                c["character"],
                c["job"],
                _row_id(c["title"]["id"]),
                c["title"]["name"],
                c["title"]["year"],
            )
            for c in credits
        ],
    )


def _person_from_peer(data: dict[str, Any]) -> Any:
    person = data["catalogPersonByRowId"]
    credits = person["catalogCreditsByPersonId"]["nodes"]
    return (
        int(person["rowId"]),
        person["name"],
        person["birthDate"],
        person["biography"],
        [
            (
                c["roleType"],
                c["character"],
                c["job"],
                int(c["catalogTitleByTitleId"]["rowId"]),
                c["catalogTitleByTitleId"]["name"],
                c["catalogTitleByTitleId"]["year"],
            )
            for c in credits
        ],
    )


def _browse_from_product(data: dict[str, Any]) -> Any:
    page = data["titles"]
    nodes = [edge["node"] for edge in page["edges"]]
    return page["totalCount"], [(_row_id(n["id"]), n["name"], n["year"]) for n in nodes]


def _browse_from_peer(data: dict[str, Any]) -> Any:
    page = data["peerPublicMovies"]
    return page["totalCount"], [(int(n["rowId"]), n["name"], n["year"]) for n in page["nodes"]]


def peer_schema_install() -> None:
    """The peer's view of the public movies (see the module's docstring)."""
    with connection.cursor() as cursor:
        cursor.execute(PEER_SCHEMA_SQL)


def _public_title_ids(count: int, seed: int) -> list[int]:
    """Public movies with a cast and a crew, as a title page shows them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.id FROM catalog_title t
            WHERE t.kind = 'movie' AND t.status <> 'in_production'
              AND EXISTS (SELECT 1 FROM catalog_credit c WHERE c.title_id = t.id
                          AND c.role_type = 'cast')
              AND EXISTS (SELECT 1 FROM catalog_credit c WHERE c.title_id = t.id
                          AND c.role_type = 'crew')
            ORDER BY t.id
            """
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sorted(random.Random(seed).sample(ids, min(count, len(ids))))


def _public_person_ids(count: int, seed: int) -> list[int]:
    """People with at least a page of credits, none of them on a title (or under a series
    or season) in production, which the public would not see."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.person_id FROM catalog_credit c
            JOIN catalog_title t ON t.id = c.title_id
            LEFT JOIN catalog_title p ON p.id = t.parent_id
            LEFT JOIN catalog_title g ON g.id = p.parent_id
            GROUP BY c.person_id
            HAVING count(*) >= %s AND NOT bool_or(
              'in_production' IN (t.status, coalesce(p.status, ''), coalesce(g.status, ''))
            )
            ORDER BY c.person_id
            """,
            [PAGE_SIZE],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sorted(random.Random(seed).sample(ids, min(count, len(ids))))


def _scenario(name: str, query: str, variables: list[dict[str, Any]]) -> Scenario:
    if not variables:
        raise RuntimeError(f"The database holds nothing to ask for in the {name} page")
    requests = [{"body": {"query": query, "variables": v}} for v in variables]
    return Scenario(name=name, label=name, requests=requests)


def page_pairs(seed: int = 1) -> list[PagePair]:
    """The three pages, each as the same requests to the product and to the peer."""
    titles = _public_title_ids(REQUESTS_PER_PAGE, seed)
    people = _public_person_ids(REQUESTS_PER_PAGE, seed)
    offsets = [page * PAGE_SIZE for page in range(50)]
    after = [to_base64("arrayconnection", offset - 1) if offset else None for offset in offsets]
    title_ids = [{"id": to_base64("Title", pk)} for pk in titles]
    person_ids = [{"id": to_base64("Person", pk)} for pk in people]
    return [
        PagePair(
            name="title",
            label="title page: genres, 10 cast, the crew",
            product=_scenario("title", PRODUCT_TITLE, title_ids),
            peer=_scenario("title", PEER_TITLE, [{"id": str(pk)} for pk in titles]),
            product_data=_title_from_product,
            peer_data=_title_from_peer,
        ),
        PagePair(
            name="person",
            label="person page: 20 credits with their titles",
            product=_scenario("person", PRODUCT_PERSON, person_ids),
            peer=_scenario("person", PEER_PERSON, [{"id": str(pk)} for pk in people]),
            product_data=_person_from_product,
            peer_data=_person_from_peer,
        ),
        PagePair(
            name="browse",
            label="browse: 20 movies by year, with totalCount",
            product=_scenario("browse", PRODUCT_BROWSE, [{"after": c} for c in after]),
            peer=_scenario("browse", PEER_BROWSE, [{"offset": o} for o in offsets]),
            product_data=_browse_from_product,
            peer_data=_browse_from_peer,
        ),
    ]


def postgraphile_install() -> None:
    """PostGraphile and Node 22 from npm, as the lock file pins them (once)."""
    marker = PEER_DIR / "node_modules" / ".installed"
    lock = PEER_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime and NODE.exists():
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True)
    marker.touch()


@contextmanager
def postgraphile_server(workers: int) -> Iterator[Server]:
    """PostGraphile in `workers` node processes on the database this process uses."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "PORT": str(port),
        "WORKERS": str(workers),
        "POOL_SIZE": str(settings.DATABASE_POOL_MAX_SIZE),
        "GRAPHILE_ENV": "production",
    }
    process = subprocess.Popen([str(NODE), "server.mjs"], cwd=PEER_DIR, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url)
        yield Server(url=url, process=psutil.Process(process.pid), cache=False)
    finally:
        process.terminate()
        process.wait(timeout=60)


def wait_until_answering(url: str, timeout: float = 120.0) -> None:
    """Until the server at `url` answers a GraphQL request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            suppress(OSError),
            urlopen(_graphql_request(url, {"query": "{ __typename }"}), timeout=10),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"The server at {url} did not answer")


def _graphql_request(url: str, body: dict[str, Any]) -> Request:
    return Request(
        f"{url}/graphql/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )


def _answer(url: str, body: dict[str, Any]) -> dict[str, Any]:
    with urlopen(_graphql_request(url, body), timeout=60) as response:
        payload = json.loads(response.read())
    if payload.get("errors") or not payload.get("data"):
        raise RuntimeError(f"{url} failed {body['query'].split('(')[0].strip()}: {payload}")
    return payload["data"]


def different_answers(pair: PagePair, product: Server, peer: Server) -> list[str]:
    """Each request of the page to both servers once: the ones whose data differ."""
    different = []
    for ours, theirs in zip(pair.product.requests, pair.peer.requests, strict=True):
        mine = pair.product_data(_answer(product.url, ours["body"]))
        peers = pair.peer_data(_answer(peer.url, theirs["body"]))
        if mine != peers:
            different.append(f"{pair.name} {theirs['body']['variables']}: {mine} != {peers}")
    return different


@dataclass(frozen=True)
class Contender:
    key: str  # "product", "cached" or "peer"
    label: str
    server: Server

    def scenario(self, pair: PagePair) -> Scenario:
        return pair.peer if self.key == "peer" else pair.product


def _database_processes() -> list[psutil.Process]:
    """The PostgreSQL server's processes: the postmaster and every backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = psutil.Process(cursor.fetchone()[0]).parent()
    return [postmaster, *postmaster.children()]


def _cpu_by_process(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
    return seconds


def _cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that started in between counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _server_processes(server: Server) -> list[psutil.Process]:
    return [server.process, *server.process.children(recursive=True)]


def measure(
    contender: Contender, pair: PagePair, *, concurrency: int, seconds: float, warmup: float
) -> dict[str, Any]:
    """One closed-loop run at `concurrency`: throughput, p50 and the CPU per request of the
    server's processes and of PostgreSQL's, over the whole run, warm-up included."""
    scenario = contender.scenario(pair)
    if contender.key == "cached":  # every page stored before the clock starts
        generate_load(contender.server, scenario, ["--once"], timeout=3600)
    server_before = _cpu_by_process(_server_processes(contender.server))
    database_before = _cpu_by_process(_database_processes())
    arguments = [
        *("--concurrency", str(concurrency), "--seconds", str(seconds)),
        *("--warmup", str(warmup)),
    ]
    result = generate_load(contender.server, scenario, arguments, timeout=seconds + warmup + 300)
    server = _cpu_spent(server_before, _cpu_by_process(_server_processes(contender.server)))
    database = _cpu_spent(database_before, _cpu_by_process(_database_processes()))
    latencies = sorted(result["latencies_ms"])
    sent = len(latencies) + result["warmup_requests"]
    return {
        "page": pair.name,
        "contender": contender.key,
        "concurrency": concurrency,
        "requests": len(latencies),
        "throughput": len(latencies) / result["seconds"],
        "p50_ms": percentile(latencies, 0.5),
        "server_cpu_ms": server * 1000 / max(sent, 1),
        "database_cpu_ms": database * 1000 / max(sent, 1),
        "errors": result["errors"],
        "first_error": result["first_error"],
        "generator_cpu_share": result["generator_cpu_seconds"] / result["seconds"],
        "cache_statuses": result["cache_statuses"],
    }


def installed_version(package: str) -> str:
    manifest = PEER_DIR / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text())["version"])

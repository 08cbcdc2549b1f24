"""A worker outlives a Redis restart, and what was recorded meanwhile is folded in after it.

A real worker process on a Redis of the test's own, killed and started again on the same
port. Before the debounce moved into the database, a worker holding a delayed refresh
(the state after any recordViewingEvents) died on the restart in kombu's restore of
unacknowledged messages, and nothing ran after that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from audience.models import AggregationWatermark, RecommendationDue, ViewingEvent
from config.celery import app
from config.embedded_redis import embedded_redis_url, redis_server_binary, stop_embedded_redis
from tests.deployment import PROJECT_DIR, base_environment, servers_database_url, wait_for
from tests.factories import ProfileFactory, TitleFactory, ViewingEventFactory

pytestmark = [pytest.mark.worker, pytest.mark.subprocess]

WAIT_SECONDS = 60
WORKER_COMMAND = [
    *(sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1"),
    *("--loglevel", "INFO", "--without-gossip", "--without-mingle"),
]


@dataclass
class Broker:
    url: str
    folder: Path

    @property
    def port(self) -> int:
        return int((self.folder / "port").read_text())

    def kill(self) -> None:
        os.kill(int((self.folder / "redis.pid").read_text()), signal.SIGKILL)

    def start_again(self) -> None:
        """The same server on the same port, empty, as a restarted Redis without persistence."""
        subprocess.run(
            [
                str(redis_server_binary()),
                *("--bind", "127.0.0.1", "--port", str(self.port)),
                *("--dir", str(self.folder), "--daemonize", "yes"),
                *("--pidfile", str(self.folder / "redis.pid"), "--save", ""),
                *("--appendonly", "no"),
            ],
            check=True,
        )


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    own = Broker(embedded_redis_url(tmp_path), tmp_path)
    yield own
    stop_embedded_redis(tmp_path)


def start(command: list[str], broker: Broker, log: Path) -> subprocess.Popen[bytes]:
    """`command` on the test's database and `broker`, its output in `log`."""
    environment = base_environment(
        DATABASE_URL=servers_database_url(settings.DATABASES["default"]["NAME"]),
        REDIS_URL=broker.url,
    )
    with log.open("w") as output:
        return subprocess.Popen(
            command, cwd=PROJECT_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


@pytest.fixture
def worker_process(transactional_db: None, broker: Broker, tmp_path: Path) -> Iterator[Path]:
    log = tmp_path / "worker.log"
    process = start(WORKER_COMMAND, broker, log)
    try:
        wait_for(lambda: "ready." in log.read_text(), "the worker did not start")
        yield log
        assert process.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_folded_in(log: Path) -> None:
    """Until the popularity watermark reaches the latest viewing event."""
    last_event = ViewingEvent.objects.latest("id").pk
    wait_for(
        lambda: AggregationWatermark.objects.filter(
            name="popularity", last_event_id=last_event
        ).exists(),
        f"the events were not folded in:\n{log.read_text()[-3000:]}",
    )


def send(broker: Broker, task: str) -> None:
    with app.connection_for_write(broker.url) as connection:
        app.send_task(task, connection=connection)


def test_a_worker_outlives_a_redis_restart_and_folds_in_what_came_meanwhile(
    worker_process: Path, broker: Broker
) -> None:
    # Given viewing that made a profile's recommendations due (no message waits for it)
    profile = ProfileFactory()
    RecommendationDue.objects.create(profile_id=profile.pk, due_at="2000-01-01T00:00:00Z")
    ViewingEventFactory(profile=profile, title=TitleFactory())

    # When Redis is killed under the worker and comes back, empty, a few seconds later
    broker.kill()
    time.sleep(3)
    broker.start_again()
    time.sleep(3)

    # Then the worker still runs what beat sends: the events are folded in, the profile
    # refreshed
    send(broker, "audience.tasks.refresh_popularity")
    send(broker, "audience.tasks.refresh_due_recommendations")
    wait_until_folded_in(worker_process)
    wait_for(lambda: not RecommendationDue.objects.exists(), "the due refresh did not run")
    assert "Unrecoverable error" not in worker_process.read_text()


def test_a_killed_worker_comes_back_and_runs_what_beat_sends(
    transactional_db: None, broker: Broker, tmp_path: Path
) -> None:
    # Given a worker under config.keep_running, as `make worker` runs it
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "config.keep_running", "--first-pause", "0.2", *WORKER_COMMAND]
    supervisor = start(command, broker, log)
    try:
        wait_for(lambda: log.read_text().count("ready.") == 1, "the worker did not start")
        ViewingEventFactory(profile=ProfileFactory(), title=TitleFactory())

        # When the worker's main process is killed
        (worker,) = psutil.Process(supervisor.pid).children()
        worker.kill()

        # Then it is started again, and runs what beat sends: the events are folded in
        wait_for(lambda: log.read_text().count("ready.") == 2, "the worker did not come back")
        send(broker, "audience.tasks.refresh_popularity")
        wait_until_folded_in(log)
        assert supervisor.poll() is None
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=60)

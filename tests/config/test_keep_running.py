"""`config.keep_running` starts a command again when it dies, and stops with it on a signal."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deployment import PROJECT_DIR, wait_for

pytestmark = pytest.mark.subprocess

# Counts its runs in a file; crashes on its first three, then waits to be stopped.
CRASHING_THEN_STEADY = """
import pathlib, sys, time
runs = pathlib.Path(sys.argv[1])
count = int(runs.read_text() or 0) + 1 if runs.exists() else 1
runs.write_text(str(count))
if count <= 3:
    sys.exit(3)
time.sleep(60)
"""


def test_a_command_that_dies_is_started_again_until_a_signal_stops_it(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    supervisor = subprocess.Popen(
        [
            *(sys.executable, "-m", "config.keep_running", "--first-pause", "0.05"),
            *(sys.executable, "-c", CRASHING_THEN_STEADY, str(runs)),
        ],
        cwd=PROJECT_DIR,
        stderr=subprocess.PIPE,
        text=True,
    )

    wait_for(lambda: runs.exists() and runs.read_text() == "4")
    time.sleep(0.3)  # the fourth run is the steady one: nothing starts a fifth
    supervisor.send_signal(signal.SIGTERM)
    status = supervisor.wait(timeout=30)

    assert runs.read_text() == "4"
    assert status == 128 + signal.SIGTERM  # the command's own end, as a shell reports it
    assert supervisor.stderr is not None
    notices = [line for line in supervisor.stderr.read().splitlines() if "keep_running" in line]
    assert len(notices) == 3
    assert "exited with 3; starting it again in 0.05 s" in notices[0]
    assert "starting it again in 0.2 s" in notices[2]  # the pause doubles while it crashes

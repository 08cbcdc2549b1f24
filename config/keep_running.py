"""`python -m config.keep_running [--first-pause S] COMMAND...`: run a command again whenever
it exits.

The Celery worker and beat run under it in `make worker`, `make beat` and `make run`: a
worker that dies (killed, out of memory, a broker error it does not survive) comes back,
after a pause that doubles from one second up to thirty while it keeps dying at once, and
the workers' health endpoint (`/healthz/workers`) reports the gap. SIGINT and SIGTERM go to
the command, and once it has exited after one of them it is not started again. A
deployment under systemd or Kubernetes gets the same from `Restart=always` or a pod's
restart policy; this is for the commands of the README and for hosts without either.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
# A run this long counts as healthy: the next exit pauses for the first pause again.
HEALTHY_RUN_SECONDS = 60.0


class Supervisor:
    def __init__(self, command: list[str], *, first_pause: float = FIRST_PAUSE_SECONDS) -> None:
        self.command = command
        self.first_pause = first_pause
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._forward)
        signal.signal(signal.SIGINT, self._forward)
        pause = self.first_pause
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.command)
            code = self.child.wait()
            if self.stopping:
                return _exit_status(code)
            if time.monotonic() - started >= HEALTHY_RUN_SECONDS:
                pause = self.first_pause
            print(
                f"keep_running: {self.command[0]} exited with {code}; "
                f"starting it again in {pause:g} s",
                file=sys.stderr,
                flush=True,
            )
            if self._sleep_unless_stopped(pause):
                return _exit_status(code)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def _sleep_unless_stopped(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stopping:
                return True
            time.sleep(0.05)
        return self.stopping


def _exit_status(code: int) -> int:
    """A shell's status for the command's exit: 128 + the signal that ended it."""
    return 128 - code if code < 0 else code


def main() -> None:
    arguments = sys.argv[1:]
    first_pause = FIRST_PAUSE_SECONDS
    if arguments[:1] == ["--first-pause"] and len(arguments) > 1:
        first_pause, arguments = float(arguments[1]), arguments[2:]
    if not arguments:
        sys.exit("usage: python -m config.keep_running [--first-pause S] COMMAND [ARGUMENT...]")
    sys.exit(Supervisor(arguments, first_pause=first_pause).run())


if __name__ == "__main__":
    main()

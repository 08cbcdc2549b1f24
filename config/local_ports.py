"""A free TCP port on this machine, for a server of our own (an embedded Redis, a uvicorn
that a benchmark or a test starts)."""

import socket


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (the OS's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""Output the management commands share: progress bars drawn on the terminal itself."""

from typing import TextIO, cast

from django.core.management.base import OutputWrapper


def unwrapped_stream(stream: OutputWrapper | TextIO) -> TextIO:
    """The stream under Django's wrappers, which would end each of tqdm's carriage-return
    redraws with a newline (call_command(stderr=self.stderr) wraps a wrapper)."""
    while isinstance(stream, OutputWrapper):
        stream = cast(TextIO, stream._out)  # the stubs type it as a callable
    return stream

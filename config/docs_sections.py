"""Generated sections of the docs: what lies between a pair of HTML comment markers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError


def section_replace(path: Path, *, start: str, end: str, text: str, heading: str = "") -> None:
    """Put `text` between the markers; add the markers (under `heading`) if missing."""
    document = path.read_text()
    if start not in document:
        title = f"{heading}\n\n" if heading else ""
        document = f"{document.rstrip()}\n\n{title}{start}\n{end}\n"
    head, _, rest = document.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{text}{end}{tail}")


def saved_figures(path: Path) -> dict[str, Any]:
    """A benchmark's figures as its run saved them, for its `--report`."""
    if not path.exists():
        raise CommandError(f"No results at {path}: run the benchmark first.")
    figures: dict[str, Any] = json.loads(path.read_text())
    return figures

"""Panels that other apps add to a title's admin page.

Staff want a title's audience figures (and later its production) on its page, but catalog may
not import the apps built on it. So the title admin offers this one extension point: an app
registers a panel when its admin loads, and catalog renders whatever is registered without
knowing where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from catalog.models import Title

# Renders a panel for one title as trusted HTML; an empty string shows nothing (e.g. when the
# user may not see the panel's data).
TitlePanel = Callable[[HttpRequest, Title], SafeString]

_title_panels: list[TitlePanel] = []


def register_title_panel(panel: TitlePanel) -> TitlePanel:
    """Show `panel` on every title's change page, below the inlines; once however often."""
    if panel not in _title_panels:
        _title_panels.append(panel)
    return panel


def title_panels(request: HttpRequest, title: Title) -> list[SafeString]:
    """The HTML of every registered panel for `title`, in the order they were registered."""
    return [html for panel in _title_panels if (html := panel(request, title))]

"""The audience in the Django admin: viewers, their activity, and the workers' aggregates.

Importing the modules registers their admins with the default site; the title panel is
registered with catalog's title admin through the extension point catalog offers for it.
"""

from audience.admin import aggregates, events, viewers
from audience.admin.title_panel import title_audience_panel
from catalog.admin.panels import register_title_panel

register_title_panel(title_audience_panel)

__all__ = ["aggregates", "events", "viewers"]

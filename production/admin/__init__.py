"""Productions in the Django admin: the board, each production's page (its work, its stage
buttons, timeline and budget), and the pages of a casting role and of a location.

Importing the modules registers their admins with the default site.
"""

from production.admin import productions, work

__all__ = ["productions", "work"]

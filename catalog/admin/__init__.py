"""The Django admin in which studio staff edit the catalog.

Each module registers the admins of one part of the catalog; importing them here is what
registers them with the default admin site.
"""

from catalog.admin import people, titles, vocabulary

__all__ = ["people", "titles", "vocabulary"]

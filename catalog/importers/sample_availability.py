"""Availability windows for the sample catalog, which comes without licensing data.

The demo opens every released movie and series, from its release date (or the day
streaming began), open-ended, in the regions of the generated audience, so that what
depends on availability (browse filters, recommendations, the home screen) has something
to show. Titles that already have a window keep theirs.
"""

from __future__ import annotations

from django.db import connection

from catalog.generators.vocabulary import REGIONS
from catalog.models import Availability, TitleKind, TitleStatus
from config.planner_statistics import analyze_tables, tables_of

STREAMING_START = "2007-01-16"


def sample_availability_open() -> int:
    """Open windows for the released movies and series without any; how many were made."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO catalog_availability (title_id, region, window_start, window_end)
            SELECT t.id, r.region,
                   GREATEST(COALESCE(t.release_date, %s::date), %s::date)::timestamptz, NULL
            FROM catalog_title t CROSS JOIN unnest(%s::text[]) AS r(region)
            WHERE t.kind = ANY(%s) AND t.status = %s
              AND NOT EXISTS (SELECT 1 FROM catalog_availability a WHERE a.title_id = t.id)
            """,
            [
                STREAMING_START,
                STREAMING_START,
                REGIONS,
                [TitleKind.MOVIE, TitleKind.SERIES],
                TitleStatus.RELEASED,
            ],
        )
        opened = int(cursor.rowcount)
    analyze_tables(tables_of(Availability))
    return opened

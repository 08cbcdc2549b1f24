"""The catalog's metadata as the content model reads it: tokens per title and block.

One statement reads every block for the movies and series asked for (or all of them):
genres, the people credited by role (director, writer, top-billed cast, other crew by
department), keywords, certificate, original language, decade, runtime band and the
synopsis' words (PostgreSQL's English stemming and stop words).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from audience.personalization.content import TitleFeatures, title_features
from audience.popularity.query_plans import whole_table_joins

# Cast members past this billing are left out: the leads say who a title is for.
TOP_BILLED_CAST = 10

_TOKENS = f"""
    WITH titles AS (
        SELECT id, year, runtime_minutes, original_language, maturity_rating_id, synopsis
        FROM catalog_title
        WHERE kind IN ('movie', 'series') AND (%(all)s OR id = ANY(%(ids)s::bigint[]))
    )
    SELECT t.id, 'genres', g.slug
    FROM titles t JOIN catalog_title_genres tg ON tg.title_id = t.id
    JOIN catalog_genre g ON g.id = tg.genre_id
    UNION ALL
    SELECT t.id,
           CASE WHEN c.role_type = 'cast' THEN 'cast'
                WHEN c.department = 'directing' THEN 'director'
                WHEN c.department = 'writing' THEN 'writer'
                ELSE 'crew' END,
           CASE WHEN c.role_type = 'cast' OR c.department IN ('directing', 'writing')
                THEN c.person_id::text ELSE c.department || ':' || c.person_id END
    FROM titles t JOIN catalog_credit c ON c.title_id = t.id
    WHERE c.role_type = 'crew' OR c.billing_order IS NULL
       OR c.billing_order <= {TOP_BILLED_CAST}
    UNION ALL
    SELECT t.id, 'keywords', tk.keyword_id::text
    FROM titles t JOIN catalog_title_keywords tk ON tk.title_id = t.id
    UNION ALL
    SELECT t.id, 'certificate', m.system || ':' || m.code
    FROM titles t JOIN catalog_maturityrating m ON m.id = t.maturity_rating_id
    UNION ALL
    SELECT id, 'language', original_language FROM titles WHERE original_language <> ''
    UNION ALL
    SELECT id, 'decade', (year / 10 * 10)::text FROM titles WHERE year IS NOT NULL
    UNION ALL
    SELECT id, 'runtime',
           CASE WHEN runtime_minutes < 30 THEN 'short' WHEN runtime_minutes < 80 THEN '30-79'
                WHEN runtime_minutes < 100 THEN '80-99' WHEN runtime_minutes < 120 THEN '100-119'
                WHEN runtime_minutes < 150 THEN '120-149' ELSE '150+' END
    FROM titles WHERE runtime_minutes IS NOT NULL
    UNION ALL
    SELECT t.id, 'synopsis', word
    FROM titles t, unnest(tsvector_to_array(to_tsvector('english', t.synopsis))) AS word
    WHERE t.synopsis <> ''
"""


def read_title_features(title_ids: np.ndarray | None = None) -> TitleFeatures:
    """Features of the given movies and series (sorted ids), or of every one."""
    every = title_ids is None
    # Every block joins many titles' rows: planned without nested loops, as the workers'
    # other whole-catalog reads, whatever the statistics say.
    with whole_table_joins() as cursor:
        cursor.execute(
            _TOKENS, {"all": every, "ids": [] if every else np.asarray(title_ids).tolist()}
        )
        rows = cursor.fetchall()
        if every:
            cursor.execute("SELECT id FROM catalog_title WHERE kind IN ('movie', 'series')")
            ids = np.array(sorted(row[0] for row in cursor.fetchall()), dtype=np.int64)
        else:
            ids = np.unique(np.asarray(title_ids, dtype=np.int64))
    tokens: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for title_id, block, token in rows:
        tokens[block].append((title_id, token))
    return title_features(ids, tokens)

"""Write a synthetic catalog at benchmark scale with PostgreSQL COPY, in one transaction.

`generate_catalog` guarantees:
- exactly `titles` new Title rows (movies, series, seasons, episodes), with their people,
  credits, genres, keywords, artwork and availability windows;
- ids come from each table's own sequence, so later ORM inserts never collide;
- it only adds: genres, keywords and maturity ratings are upserted by name and reused,
  people already credited in the catalog are credited again;
- the same seed on an empty catalog gives the same rows (ids aside); run again on a
  non-empty catalog it adds another batch;
- all or nothing: the deferred constraints are checked before the transaction ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from typing import TypeVar

import numpy as np
from django.db import connection, models, transaction
from psycopg import Cursor, sql
from psycopg.rows import TupleRow
from tqdm import tqdm

from catalog.generators import vocabulary as vocab
from catalog.generators.credits import CreditPlan, PeoplePlan, plan_credits, plan_people
from catalog.generators.titles import (
    ARTWORK_KINDS,
    JOBS,
    KINDS,
    NO_DAY,
    STATUSES,
    ArtworkPlan,
    AvailabilityPlan,
    Ints,
    TitleLinks,
    TitlePlan,
    plan_artwork,
    plan_availability,
    plan_genres,
    plan_keywords,
    plan_titles,
)
from catalog.models import (
    Artwork,
    Availability,
    Credit,
    Keyword,
    Person,
    RoleType,
    Title,
)
from catalog.naming import person_sort_name_for, sort_name_for
from catalog.vocabulary import ensure_certificates, ensure_genres
from config.planner_statistics import analyze_tables
from config.table_tokens import tokens_renew_on_commit

EPOCH = date(1970, 1, 1)
EPOCH_MIDNIGHT = datetime(1970, 1, 1, tzinfo=UTC)
IMAGE_HOST = "https://images.studio.test"
PROGRESS_STEP = 10_000


@dataclass
class GenerationSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0


@contextmanager
def _timed(summary: GenerationSummary, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    summary.seconds[phase] = summary.seconds.get(phase, 0.0) + time.perf_counter() - started


def generate_catalog(*, titles: int, seed: int = 0, progress: bool = False) -> GenerationSummary:
    """Add `titles` synthetic titles and everything around them; see the module docstring."""
    started = time.perf_counter()
    summary = GenerationSummary()
    with _timed(summary, "plan"):
        title_plan = plan_titles(titles, seed)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            writer = _CopyWriter(cursor, summary, progress)
            with _timed(summary, "vocabulary"):
                genre_ids_by_name, _ = ensure_genres()
                genre_ids = [genre_ids_by_name[name] for name in vocab.GENRES]
                keyword_ids = _upsert_keywords(cursor)
                rating_ids_by_code, _ = ensure_certificates(vocab.MATURITY_RATINGS)
                rating_ids = [
                    rating_ids_by_code[rating.system, rating.code]
                    for rating in vocab.MATURITY_RATINGS
                ]
                existing_actors = _credited_people(cursor, RoleType.CAST)
                existing_crew = _credited_people(cursor, RoleType.CREW)
            with _timed(summary, "plan"):
                credit_plan = plan_credits(
                    title_plan, seed, existing_actors=existing_actors, existing_crew=existing_crew
                )
                people_plan = plan_people(credit_plan.pool, seed)
            now = cursor.execute("SELECT now()").fetchall()[0][0]
            title_ids = writer.titles(title_plan, rating_ids, now)
            person_ids = writer.people(credit_plan, people_plan, now)
            writer.credits(credit_plan, title_ids, person_ids)
            genres, keywords = plan_genres(title_plan, seed), plan_keywords(title_plan, seed)
            writer.links(Title.genres.through, "genre_id", genres, title_ids, genre_ids)
            writer.links(Title.keywords.through, "keyword_id", keywords, title_ids, keyword_ids)
            writer.artwork(plan_artwork(title_plan, seed), title_ids)
            writer.availability(plan_availability(title_plan, seed), title_ids)
            with _timed(summary, "constraints"):
                # Check the deferred foreign keys now, inside the caller's transaction.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            with _timed(summary, "analyze"):
                analyze_tables(summary.rows)
    summary.wall_seconds = time.perf_counter() - started
    return summary


def _upsert_keywords(cursor: Cursor[TupleRow]) -> list[int]:
    table = sql.Identifier(Keyword._meta.db_table)
    cursor.execute(
        sql.SQL(
            "INSERT INTO {} (name) SELECT unnest(%s::text[]) ON CONFLICT (name) DO NOTHING"
        ).format(table),
        [vocab.KEYWORDS],
    )
    cursor.execute(
        sql.SQL("SELECT name, id FROM {} WHERE name = ANY(%s)").format(table), [vocab.KEYWORDS]
    )
    by_name: dict[str, int] = dict(cursor.fetchall())
    # psycopg's own cursor bypasses the statement tracking that keeps API responses fresh.
    tokens_renew_on_commit(connection, {Keyword._meta.db_table})
    return [int(by_name[name]) for name in vocab.KEYWORDS]


def _credited_people(cursor: Cursor[TupleRow], role_type: str) -> Ints:
    """Ids of people who already hold a credit of this role type, oldest first."""
    cursor.execute(
        sql.SQL(
            "SELECT id FROM {person} p WHERE EXISTS "
            "(SELECT 1 FROM {credit} c WHERE c.person_id = p.id AND c.role_type = %s) ORDER BY id"
        ).format(
            person=sql.Identifier(Person._meta.db_table),
            credit=sql.Identifier(Credit._meta.db_table),
        ),
        [role_type],
    )
    return np.array([row[0] for row in cursor.fetchall()], np.int64)


def _allocate_ids(cursor: Cursor[TupleRow], model: type[models.Model], count: int) -> Ints:
    """Take `count` ids from the table's sequence, as an ORM insert would."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return np.array([row[0] for row in cursor.fetchall()], np.int64)


def _optional(values: Ints, missing: int) -> list[int | None]:
    return [None if value == missing else value for value in values.tolist()]


_Day = TypeVar("_Day", date, datetime)


def _days_after(epoch: _Day, days: Ints) -> list[_Day | None]:
    """`epoch` plus each number of days; NO_DAY gives None."""
    cache: dict[int, _Day] = {}
    return [
        None if day == NO_DAY else cache.setdefault(day, epoch + timedelta(days=day))
        for day in days.tolist()
    ]


class _CopyWriter:
    """Streams planned rows into the tables with COPY, one progress bar per table."""

    def __init__(
        self, cursor: Cursor[TupleRow], summary: GenerationSummary, progress: bool
    ) -> None:
        self.cursor, self.summary, self.progress = cursor, summary, progress

    def copy(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        total: int,
    ) -> None:
        table = model._meta.db_table
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        written = 0
        with (
            _timed(self.summary, table),
            tqdm(
                total=total, desc=table, unit=" rows", file=sys.stderr, disable=not self.progress
            ) as bar,
            self.cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % PROGRESS_STEP == 0:
                    bar.update(PROGRESS_STEP)
            bar.update(written % PROGRESS_STEP)
        self.summary.rows[table] = self.summary.rows.get(table, 0) + written
        # COPY bypasses the statement tracking that keeps API responses fresh.
        tokens_renew_on_commit(connection, {table})

    def titles(self, plan: TitlePlan, rating_ids: list[int], now: datetime) -> Ints:
        ids = _allocate_ids(self.cursor, Title, len(plan))
        parent = _optional(np.where(plan.parent >= 0, ids[plan.parent], -1), -1)
        kinds = [KINDS[kind] for kind in plan.kind.tolist()]
        parent_kinds = [None if up < 0 else kinds[up] for up in plan.parent.tolist()]
        top = plan.parent < 0
        rows = zip(
            ids.tolist(),
            kinds,
            parent,
            parent_kinds,
            _optional(plan.number, 0),
            plan.names,
            [sort_name_for(name) for name in plan.names],
            [name if is_top else "" for name, is_top in zip(plan.names, top.tolist(), strict=True)],
            plan.synopses,
            _days_after(EPOCH, plan.release_day),
            plan.year.tolist(),
            _optional(plan.runtime, 0),
            [vocab.LANGUAGES[language] for language in plan.language.tolist()],
            [rating_ids[rating] for rating in plan.rating.tolist()],
            plan.is_original.tolist(),
            [STATUSES[status] for status in plan.status.tolist()],
            _optional(plan.budget, 0),
            repeat(now, len(plan)),
            repeat(now, len(plan)),
            strict=True,
        )
        columns = [
            "id", "kind", "parent_id", "parent_kind", "number", "name", "sort_name",
            "original_name", "synopsis", "release_date", "year", "runtime_minutes",
            "original_language", "maturity_rating_id", "is_original", "status", "budget_usd",
            "created_at", "updated_at",
        ]  # fmt: skip
        self.copy(Title, columns, rows, len(plan))
        return ids

    def people(self, credits: CreditPlan, plan: PeoplePlan, now: datetime) -> Ints:
        """Write the new people some credit uses; return the person id of every pool reference."""
        existing = credits.pool.existing
        used = np.unique(credits.person[credits.person >= len(existing)]) - len(existing)
        ids = _allocate_ids(self.cursor, Person, len(used))
        person_ids = np.concatenate([existing, np.zeros(len(plan.words), np.int64)])
        person_ids[len(existing) + used] = ids
        words = plan.words[used].tolist()
        birth_dates = _days_after(
            EPOCH, np.where(plan.has_birth_date[used], plan.birth_day[used], NO_DAY)
        )

        def rows() -> Iterator[tuple[object, ...]]:
            for pk, slot, r, birth_date, has_place, has_biography in zip(
                ids.tolist(),
                used.tolist(),
                words,
                birth_dates,
                plan.has_birth_place[used].tolist(),
                plan.has_biography[used].tolist(),
                strict=True,
            ):
                name = vocab.person_name(r)
                place = vocab.birthplace(r) if has_place else ""
                is_actor = slot < credits.pool.new_actors
                biography = (
                    vocab.biography(name, is_actor=is_actor, place=place) if has_biography else ""
                )
                yield pk, name, person_sort_name_for(name), birth_date, place, biography, now

        columns = [
            "id",
            "name",
            "sort_name",
            "birth_date",
            "birth_place",
            "biography",
            "created_at",
        ]
        self.copy(Person, columns, rows(), len(used))
        return person_ids

    def credits(self, plan: CreditPlan, title_ids: Ints, person_ids: Ints) -> None:
        cast, crew = RoleType.CAST.value, RoleType.CREW.value

        def rows() -> Iterator[tuple[object, ...]]:
            for title, person, job, billing, character in zip(
                title_ids[plan.title].tolist(),
                person_ids[plan.person].tolist(),
                plan.job.tolist(),
                plan.billing.tolist(),
                plan.character.tolist(),
                strict=True,
            ):
                if job < 0:
                    yield title, person, cast, vocab.character_name(character), billing, "", ""
                else:
                    yield title, person, crew, "", None, *JOBS[job]

        columns = [
            "title_id", "person_id", "role_type", "character", "billing_order", "department", "job",
        ]  # fmt: skip
        self.copy(Credit, columns, rows(), len(plan.title))

    def links(
        self,
        through: type[models.Model],
        column: str,
        plan: TitleLinks,
        title_ids: Ints,
        item_ids: list[int],
    ) -> None:
        items = np.asarray(item_ids, np.int64)
        rows = zip(title_ids[plan.title].tolist(), items[plan.item].tolist(), strict=True)
        self.copy(through, ["title_id", column], rows, len(plan.title))

    def artwork(self, plan: ArtworkPlan, title_ids: Ints) -> None:
        kinds = [ARTWORK_KINDS[kind] for kind in plan.kind.tolist()]
        rows = zip(
            title_ids[plan.title].tolist(),
            kinds,
            [
                f"{IMAGE_HOST}/{kind}/{token:016x}.jpg"
                for kind, token in zip(kinds, plan.token.tolist(), strict=True)
            ],
            plan.width.tolist(),
            plan.height.tolist(),
            [
                "" if language < 0 else vocab.LANGUAGES[language]
                for language in plan.language.tolist()
            ],
            strict=True,
        )
        columns = ["title_id", "kind", "url", "width", "height", "language"]
        self.copy(Artwork, columns, rows, len(plan.title))

    def availability(self, plan: AvailabilityPlan, title_ids: Ints) -> None:
        rows = zip(
            title_ids[plan.title].tolist(),
            [vocab.REGIONS[region] for region in plan.region.tolist()],
            _days_after(EPOCH_MIDNIGHT, plan.start_day),
            _days_after(EPOCH_MIDNIGHT, plan.end_day),
            strict=True,
        )
        columns = ["title_id", "region", "window_start", "window_end"]
        self.copy(Availability, columns, rows, len(plan.title))

"""Writes of the catalog that hold rules: titles merged on their external ids, in bulk
batches (the importers write through these; staff edit through the admin, whose rules
are the models' and the database's constraints).

Existing links win: a record whose external id is already on a title stays on
that title, and a title never gets a second id of one source. The fields the
sources own (name, sort name, original name, year, runtime, budget, MPAA rating)
are overwritten with the sources' values where the sources know them; genres are
added, never removed, so that genres added by staff survive a re-import.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.utils import timezone
from tqdm import tqdm

from catalog.importers.title_drafts import TitleDraft
from catalog.importers.title_matching import MoviePair
from catalog.models import ExternalId, ExternalIdSource, Title, TitleKind, TitleStatus

BATCH_SIZE = 2000
SOURCES = (ExternalIdSource.GGPLOT2MOVIES, ExternalIdSource.MOVIELENS)
# Title fields the sources own; `owned_values` gives a draft's value for each.
OWNED_FIELDS = (
    "name",
    "sort_name",
    "original_name",
    "year",
    "runtime_minutes",
    "budget_usd",
    "maturity_rating_id",
)

T = TypeVar("T")
GenreLink = tuple[int, int]  # (title id, genre id)


@dataclass(frozen=True, slots=True)
class ExistingLinks:
    """The external ids of the sample sources already in the database."""

    title_by_external_id: dict[tuple[str, str], int]
    sources_by_title: dict[int, set[str]]


@dataclass(slots=True)
class TitleWriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def existing_links() -> ExistingLinks:
    title_by_external_id: dict[tuple[str, str], int] = {}
    sources_by_title: dict[int, set[str]] = defaultdict(set)
    rows = ExternalId.objects.filter(source__in=SOURCES).values_list("source", "value", "title_id")
    for source, value, title_id in rows.iterator(chunk_size=BATCH_SIZE):
        title_by_external_id[source, value] = title_id
        sources_by_title[title_id].add(source)
    return ExistingLinks(title_by_external_id, dict(sources_by_title))


def pairs_on_existing_titles(
    pairs: Sequence[MoviePair], links: ExistingLinks
) -> list[tuple[MoviePair, int | None]]:
    """Each pair with the title it belongs on, None for a new title.

    A pair whose records sit on two different titles is split back into its records,
    as is a pair whose new record's source is already on the other record's title.
    """
    gg, ml = ExternalIdSource.GGPLOT2MOVIES, ExternalIdSource.MOVIELENS
    on_title: dict[int, dict[str, MoviePair]] = defaultdict(dict)
    new_pairs: list[MoviePair] = []

    def title_of(source: str, external_id: str) -> int | None:
        return links.title_by_external_id.get((source, external_id))

    def can_take(title_id: int, source: str) -> bool:
        return source not in links.sources_by_title.get(title_id, set()) and (
            source not in on_title[title_id]
        )

    for pair in pairs:
        imdb_title = title_of(gg, pair.imdb.external_id) if pair.imdb else None
        movielens_title = title_of(ml, pair.movielens.external_id) if pair.movielens else None
        if imdb_title is None and movielens_title is None:
            new_pairs.append(pair)
            continue
        if imdb_title is not None:
            on_title[imdb_title][gg] = pair
        if movielens_title is not None:
            on_title[movielens_title][ml] = pair
        if pair.imdb and imdb_title is None:
            assert movielens_title is not None
            if can_take(movielens_title, gg):
                on_title[movielens_title][gg] = pair
            else:
                new_pairs.append(MoviePair(imdb=pair.imdb))
        if pair.movielens and movielens_title is None:
            assert imdb_title is not None
            if can_take(imdb_title, ml):
                on_title[imdb_title][ml] = pair
            else:
                new_pairs.append(MoviePair(movielens=pair.movielens))
    resolved: list[tuple[MoviePair, int | None]] = []
    for title_id, by_source in on_title.items():
        imdb_pair, movielens_pair = by_source.get(gg), by_source.get(ml)
        resolved.append(
            (
                MoviePair(
                    imdb=imdb_pair.imdb if imdb_pair else None,
                    movielens=movielens_pair.movielens if movielens_pair else None,
                    on_alternative_name=bool(
                        imdb_pair is movielens_pair and imdb_pair and imdb_pair.on_alternative_name
                    ),
                ),
                title_id,
            )
        )
    resolved.extend((pair, None) for pair in new_pairs)
    return resolved


def owned_values(draft: TitleDraft, rating_ids: dict[str, int]) -> dict[str, object]:
    """The owned fields the sources know a value for; unknown ones are left alone."""
    values: dict[str, object] = {
        "name": draft.name,
        "sort_name": draft.sort_name,
        "original_name": draft.original_name,
        "year": draft.year,
        "runtime_minutes": draft.runtime_minutes,
        "budget_usd": draft.budget_usd,
        "maturity_rating_id": rating_ids[draft.mpaa_code] if draft.mpaa_code else None,
    }
    return {field: value for field, value in values.items() if value not in (None, "")}


def titles_upsert(
    *,
    drafts: Sequence[tuple[TitleDraft, int | None]],
    links: ExistingLinks,
    genre_ids: dict[str, int],
    rating_ids: dict[str, int],
    progress: tqdm,
) -> TitleWriteCounts:
    """Create the new titles, update the changed ones, add missing external ids and genres."""
    counts = TitleWriteCounts()
    new_drafts = [draft for draft, title_id in drafts if title_id is None]
    created_ids = _titles_create(new_drafts, rating_ids, progress)
    counts.created = len(created_ids)
    existing = [(draft, title_id) for draft, title_id in drafts if title_id is not None]
    changed_ids = _titles_update(existing, rating_ids, progress)
    placed = [*zip(new_drafts, created_ids, strict=True), *existing]
    changed_ids |= _external_ids_add(placed, links)
    changed_ids |= _genre_links_add(placed, genre_ids, created_ids=set(created_ids))
    changed_ids -= set(created_ids)
    counts.updated = len(changed_ids)
    counts.unchanged = len(existing) - counts.updated
    return counts


def _titles_create(
    drafts: Sequence[TitleDraft], rating_ids: dict[str, int], progress: tqdm
) -> list[int]:
    created_ids: list[int] = []
    for batch in batched(drafts):
        titles = [
            Title(
                kind=TitleKind.MOVIE,
                status=TitleStatus.RELEASED,
                **owned_values(draft, rating_ids),  # type: ignore[arg-type]
            )
            for draft in batch
        ]
        for title in titles:
            title.fill_derived_fields()
        Title.objects.bulk_create(titles)
        created_ids.extend(title.pk for title in titles)
        progress.update(len(batch))
    return created_ids


def _titles_update(
    existing: Sequence[tuple[TitleDraft, int]], rating_ids: dict[str, int], progress: tqdm
) -> set[int]:
    """Write the owned fields that differ; the ids of the titles that changed."""
    changed_ids: set[int] = set()
    now = timezone.now()
    for batch in batched(existing):
        titles = Title.objects.only(*OWNED_FIELDS).in_bulk([title_id for _, title_id in batch])
        changed = []
        for draft, title_id in batch:
            title = titles[title_id]
            values = owned_values(draft, rating_ids)
            if all(getattr(title, field) == value for field, value in values.items()):
                continue
            for field, value in values.items():
                setattr(title, field, value)
            title.updated_at = now
            changed.append(title)
        Title.objects.bulk_update(changed, [*OWNED_FIELDS, "updated_at"])
        changed_ids.update(title.pk for title in changed)
        progress.update(len(batch))
    return changed_ids


def _external_ids_add(placed: Sequence[tuple[TitleDraft, int]], links: ExistingLinks) -> set[int]:
    """Attach the external ids that are not in the database yet; the titles that got one."""
    missing = [
        ExternalId(title_id=title_id, source=source, value=value)
        for draft, title_id in placed
        for source, value in draft.external_ids
        if (source, value) not in links.title_by_external_id
    ]
    # No ignore_conflicts: under the import lock a conflict is a bug, and a title
    # silently left without its id would be duplicated by the next run.
    ExternalId.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    return {external_id.title_id for external_id in missing}


def _genre_links_add(
    placed: Sequence[tuple[TitleDraft, int]], genre_ids: dict[str, int], *, created_ids: set[int]
) -> set[int]:
    """Add the genres the titles lack (through-table bulk insert); the titles that got one."""
    wanted: set[GenreLink] = {
        (title_id, genre_ids[name]) for draft, title_id in placed for name in draft.genre_names
    }
    through = Title.genres.through
    existing_ids = [title_id for _, title_id in placed if title_id not in created_ids]
    present: set[GenreLink] = set()
    for batch in batched(existing_ids, 10 * BATCH_SIZE):
        present.update(
            through.objects.filter(title_id__in=batch).values_list("title_id", "genre_id")
        )
    missing = sorted(wanted - present)
    through.objects.bulk_create(
        [through(title_id=title_id, genre_id=genre_id) for title_id, genre_id in missing],
        batch_size=5 * BATCH_SIZE,
        ignore_conflicts=True,
    )
    return {title_id for title_id, _ in missing}

"""Academy Award winning performances: the people, their cast credits and their awards.

A performance is matched to a movie of the catalog by normalised name among the
movies released 0-2 years before the ceremony; a same-named movie from another
time is another movie ("The Champ" of 1979 did not win the 1933 award). The
data set misspells some names ("Forest Gump", "Ghandi") and cuts others at 30
characters, so a performance that matches no name exactly may match a close
spelling, or a longer name that starts with it, within the same years. People
are matched on (name, birth date); credits and awards on their unique constraints.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from tqdm import tqdm

from catalog.importers.sample_sources import OscarPerformance
from catalog.importers.title_matching import movielens_name_variants
from catalog.models import Award, Credit, Person, RoleType, Title, TitleKind
from catalog.naming import normalised_title_key

YEARS_BEFORE_CEREMONY = (1, 0, 2)  # in order of preference
CLOSE_SPELLING_MIN_RATIO = 0.88
CLOSE_SPELLING_MIN_LENGTH = 8

PersonKey = tuple[str, date | None]


@dataclass(frozen=True, slots=True)
class TitleMatch:
    title_id: int
    title_name: str
    year: int
    by_close_spelling: bool


@dataclass(slots=True)
class AwardWriteCounts:
    people_created: int = 0
    credits_created: int = 0
    awards_created: int = 0
    skipped: list[str] = field(default_factory=list)
    close_spellings: list[str] = field(default_factory=list)


class MovieFinder:
    """The catalog's movies by normalised name and by year, for matching award names."""

    def __init__(self, movies: Iterable[tuple[int, str, str, int | None]]) -> None:
        self._by_key_and_year: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
        self._by_year: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
        for title_id, name, original_name, year in movies:
            if year is None:
                continue
            keys = {
                normalised_title_key(name),
                normalised_title_key(movielens_name_variants(name)[0]),
            }
            if original_name:
                keys.add(normalised_title_key(original_name))
            for key in keys:
                self._by_key_and_year[key, year].append((title_id, name))
                self._by_year[year].append((key, title_id, name))

    @classmethod
    def from_database(cls) -> "MovieFinder":
        movies = Title.objects.filter(kind=TitleKind.MOVIE).order_by("id")
        return cls(movies.values_list("id", "name", "original_name", "year").iterator(5000))

    def find(self, movie_name: str, ceremony_year: int) -> TitleMatch | None:
        """The movie honoured at `ceremony_year` under `movie_name`; the lowest id among equals."""
        key = normalised_title_key(movie_name)
        for years_before in YEARS_BEFORE_CEREMONY:
            year = ceremony_year - years_before
            if exact := self._by_key_and_year.get((key, year)):
                title_id, name = min(exact)
                return TitleMatch(title_id, name, year, by_close_spelling=False)
        return self._find_close_spelling(key, ceremony_year)

    def _find_close_spelling(self, key: str, ceremony_year: int) -> TitleMatch | None:
        if len(key) < CLOSE_SPELLING_MIN_LENGTH:
            return None
        matcher = SequenceMatcher(b=key, autojunk=False)
        best: tuple[float, int, int, str, int] | None = None  # (-score, preference, id, ...)
        for preference, years_before in enumerate(YEARS_BEFORE_CEREMONY):
            year = ceremony_year - years_before
            for candidate_key, title_id, name in self._by_year.get(year, ()):
                if candidate_key.startswith(key):  # a name cut short by the data set
                    score = 1.0
                else:
                    matcher.set_seq1(candidate_key)
                    if matcher.real_quick_ratio() < CLOSE_SPELLING_MIN_RATIO:
                        continue
                    if matcher.quick_ratio() < CLOSE_SPELLING_MIN_RATIO:
                        continue
                    score = matcher.ratio()
                    if score < CLOSE_SPELLING_MIN_RATIO:
                        continue
                candidate = (-score, preference, title_id, name, year)
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            return None
        _, _, title_id, name, year = best
        return TitleMatch(title_id, name, year, by_close_spelling=True)


def oscar_awards_upsert(
    *, performances: Sequence[OscarPerformance], progress: tqdm
) -> AwardWriteCounts:
    """People, cast credits and awards for the performances whose movie is in the catalog."""
    counts = AwardWriteCounts()
    finder = MovieFinder.from_database()
    matched: list[tuple[OscarPerformance, int]] = []
    for performance in performances:
        match = finder.find(performance.movie_name, performance.ceremony_year)
        progress.update(1)
        what = (
            f"{performance.ceremony_year} {performance.category}: "
            f"{performance.person_name} in {performance.movie_name!r}"
        )
        if match is None:
            counts.skipped.append(what)
            continue
        if match.by_close_spelling:
            counts.close_spellings.append(f"{what} -> {match.title_name!r} ({match.year})")
        matched.append((performance, match.title_id))
    person_ids, counts.people_created = _people_ensure([p for p, _ in matched])
    parts = [
        (performance, title_id, person_ids[performance.person_name, performance.birth_date])
        for performance, title_id in matched
    ]
    counts.credits_created = _cast_credits_ensure({(t, p) for _, t, p in parts})
    counts.awards_created = _awards_ensure(
        {(perf.ceremony_year, perf.category, t, p) for perf, t, p in parts}
    )
    return counts


def _people_ensure(performances: Sequence[OscarPerformance]) -> tuple[dict[PersonKey, int], int]:
    """Person ids by (name, birth date), creating the missing people; and how many were created."""
    birth_places: dict[PersonKey, str] = {}
    for performance in performances:
        birth_places.setdefault(
            (performance.person_name, performance.birth_date), performance.birth_place
        )
    person_ids: dict[PersonKey, int] = {}
    existing = Person.objects.filter(name__in={name for name, _ in birth_places}).order_by("-id")
    for name, birth_date, person_id in existing.values_list("name", "birth_date", "id"):
        person_ids[name, birth_date] = person_id  # the oldest person wins
    missing = [
        Person(name=name, birth_date=birth_date, birth_place=birth_places[name, birth_date])
        for name, birth_date in sorted(birth_places)
        if (name, birth_date) not in person_ids
    ]
    Person.objects.bulk_create(missing)
    person_ids.update({(person.name, person.birth_date): person.pk for person in missing})
    return person_ids, len(missing)


def _cast_credits_ensure(title_people: set[tuple[int, int]]) -> int:
    """Uncredited-character cast credits for (title, person); how many were created."""
    existing = set(
        Credit.objects.filter(
            role_type=RoleType.CAST,
            character="",
            job="",
            title_id__in={title_id for title_id, _ in title_people},
        ).values_list("title_id", "person_id")
    )
    missing = sorted(title_people - existing)
    Credit.objects.bulk_create(
        [
            Credit(title_id=title_id, person_id=person_id, role_type=RoleType.CAST)
            for title_id, person_id in missing
        ],
        ignore_conflicts=True,
    )
    return len(missing)


def _awards_ensure(awards: set[tuple[int, str, int, int]]) -> int:
    """Won awards for (ceremony year, category, title, person); how many were created."""
    existing = set(
        Award.objects.filter(title_id__in={title_id for _, _, title_id, _ in awards}).values_list(
            "ceremony_year", "category", "title_id", "person_id"
        )
    )
    missing = sorted(awards - existing)
    Award.objects.bulk_create(
        [
            Award(
                ceremony_year=year,
                category=category,
                title_id=title_id,
                person_id=person_id,
                is_winner=True,
            )
            for year, category, title_id, person_id in missing
        ],
        ignore_conflicts=True,
    )
    return len(missing)

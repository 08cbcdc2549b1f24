"""A world in which one segment watches one director's westerns: what "viewers like these"
should find for a new western of his, once a recommender model has learnt it."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Genre, Person, Title
from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    CrewCreditFactory,
    GenreFactory,
    PersonFactory,
    ProfileFactory,
    TitleFactory,
    ViewingEventFactory,
)

TITLES_PER_GROUP = 4
FANS_PER_GROUP = 12
# Each group: (region, age band, genre, director); its fans watch all its titles.
GROUPS = [
    ("FR", "18-24", "Western", "Sergio"),
    ("FR", "35-44", "Comedy", "Carla"),
    ("US", "18-24", "Drama", "Dana"),
    ("US", "35-44", "Comedy", "Carla"),
]


@dataclass(frozen=True)
class Westerns:
    western: Genre
    director: Person  # of every western
    westerns: list[Title]


def westerns_world() -> Westerns:
    """Four groups of FANS_PER_GROUP profiles (half women, half men), each watching its
    TITLES_PER_GROUP titles for an hour: French viewers aged 18-24 watch Sergio's westerns;
    the others watch Carla's comedies or Dana's dramas. The aggregates are refreshed."""
    genres: dict[str, Genre] = {}
    directors: dict[str, Person] = {}
    titles: dict[str, list[Title]] = {}
    for region, age_band, genre_name, director_name in GROUPS:
        genre = genres.get(genre_name) or GenreFactory(name=genre_name)
        director = directors.get(director_name) or PersonFactory(name=director_name)
        genres[genre_name], directors[director_name] = genre, director
        if genre_name not in titles:
            titles[genre_name] = [
                directed(f"{genre_name} {n}", genre, director) for n in range(TITLES_PER_GROUP)
            ]
        for n in range(FANS_PER_GROUP):
            fan = ProfileFactory(
                region=region, age_band=age_band, gender="female" if n % 2 else "male"
            )
            for title in titles[genre_name]:
                ViewingEventFactory(profile=fan, title=title, seconds_watched=3600)
    refresh_aggregates()
    return Westerns(genres["Western"], directors["Sergio"], titles["Western"])


def directed(name: str, genre: Genre, director: Person, **fields: object) -> Title:
    title: Title = TitleFactory(name=name, genres=[genre], **fields)
    CrewCreditFactory(title=title, person=director)
    return title


def new_western(world: Westerns, **fields: object) -> Title:
    """A western of the same director that nobody has watched."""
    return directed("Last Ride", world.western, world.director, **fields)

"""The one genre vocabulary and the MPAA certificates that the sample sources map onto."""

from typing import NamedTuple

from django.utils.text import slugify

# The shared vocabulary: every source's genre names map onto these.
GENRE_NAMES = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "Film Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Science Fiction",
    "Short",
    "Thriller",
    "War",
    "Western",
)

# ggplot2movies: one 0/1 column per genre.
GGPLOT2MOVIES_GENRE_COLUMNS = {
    "Action": "Action",
    "Animation": "Animation",
    "Comedy": "Comedy",
    "Drama": "Drama",
    "Documentary": "Documentary",
    "Romance": "Romance",
    "Short": "Short",
}

# MovieLens: "A|B|C". None drops the name: "IMAX" is a screen format, not a genre.
MOVIELENS_GENRES: dict[str, str | None] = {
    "Action": "Action",
    "Adventure": "Adventure",
    "Animation": "Animation",
    "Children": "Family",
    "Comedy": "Comedy",
    "Crime": "Crime",
    "Documentary": "Documentary",
    "Drama": "Drama",
    "Fantasy": "Fantasy",
    "Film-Noir": "Film Noir",
    "Horror": "Horror",
    "IMAX": None,
    "Musical": "Musical",
    "Mystery": "Mystery",
    "Romance": "Romance",
    "Sci-Fi": "Science Fiction",
    "Thriller": "Thriller",
    "War": "War",
    "Western": "Western",
    "(no genres listed)": None,
}


class Certificate(NamedTuple):
    code: str
    level: int
    description: str


MPAA_SYSTEM = "MPAA"
MPAA_CERTIFICATES = (
    Certificate("G", 0, "General Audiences"),
    Certificate("PG", 8, "Parental Guidance Suggested"),
    Certificate("PG-13", 13, "Parents Strongly Cautioned"),
    Certificate("R", 17, "Restricted"),
    Certificate("NC-17", 18, "Adults Only"),
)


def genre_slug(name: str) -> str:
    return slugify(name)


def movielens_genre_names(genres: str) -> frozenset[str]:
    """'Children|Sci-Fi|IMAX' -> {'Family', 'Science Fiction'}; unknown names raise KeyError."""
    mapped = (MOVIELENS_GENRES[name] for name in genres.split("|") if name)
    return frozenset(name for name in mapped if name is not None)

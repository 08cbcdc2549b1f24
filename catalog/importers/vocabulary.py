"""How the sample sources' genre names map onto the one vocabulary (`catalog.vocabulary`)."""

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


def movielens_genre_names(genres: str) -> frozenset[str]:
    """'Children|Sci-Fi|IMAX' -> {'Family', 'Science Fiction'}; unknown names raise KeyError."""
    mapped = (MOVIELENS_GENRES[name] for name in genres.split("|") if name)
    return frozenset(name for name in mapped if name is not None)

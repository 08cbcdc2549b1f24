"""Word lists and templates from which the synthetic catalog builds its names and texts.

Every builder takes a row of random integers instead of a random generator, so that the
caller can draw all of them at once with NumPy and the output depends only on the seed.
"""

from collections.abc import Sequence

from catalog.vocabulary import GENRE_NAMES, MPAA_CERTIFICATES, US_TV_CERTIFICATES


def _words(text: str) -> list[str]:
    return text.split()


# Relative frequency of each genre of the one vocabulary, roughly as in large catalogs.
GENRE_WEIGHTS_BY_NAME = {
    "Action": 8, "Adventure": 5, "Animation": 3, "Comedy": 12, "Crime": 6, "Documentary": 4,
    "Drama": 16, "Family": 3, "Fantasy": 4, "Film Noir": 1, "Horror": 5, "Musical": 2,
    "Mystery": 4, "Romance": 7, "Science Fiction": 4, "Short": 2, "Thriller": 8, "War": 1,
    "Western": 1,
}  # fmt: skip
GENRES = list(GENRE_NAMES)
GENRE_WEIGHTS = [GENRE_WEIGHTS_BY_NAME[name] for name in GENRES]

# Underscores stand for spaces; hyphens are part of the keyword.
KEYWORDS = [
    word.replace("_", " ")
    for word in _words(
        """
heist time_travel small_town road_trip coming-of-age revenge betrayal friendship first_love
family_secret serial_killer undercover_cop courtroom boxing football space_station
alien_invasion artificial_intelligence dystopia post-apocalypse zombie vampire haunted_house
witchcraft dragon quest treasure_hunt pirate spy cold_war world_war_ii resistance
prison_escape kidnapping hostage blackmail con_artist mafia cartel drug_trade corruption
journalism election biography based_on_novel based_on_true_story remake sequel female_lead
ensemble_cast single_parent wedding divorce reunion high_school college summer_camp christmas
island desert arctic jungle mountain_climbing shipwreck storm earthquake pandemic hospital
detective amnesia identity_theft doppelganger twins inheritance royal_family restaurant chef
fashion rock_band dance ballet painter writer robot hacker virtual_reality superhero mutant
monster shark dinosaur dog cat horse
"""
    )
]

MATURITY_RATINGS = [*MPAA_CERTIFICATES, *US_TV_CERTIFICATES]
# Movies take MPAA certificates, series US TV ones.
MOVIE_RATING_WEIGHTS = [5, 15, 35, 40, 5, 0, 0, 0, 0, 0]
SERIES_RATING_WEIGHTS = [0, 0, 0, 0, 0, 5, 10, 20, 35, 30]

REGIONS = ["US", "GB", "DE", "FR", "BR", "IN", "JP", "CA", "AU", "ES", "IT", "MX", "KR", "NL", "SE"]
REGION_WEIGHTS = [10, 7, 5, 5, 4, 4, 4, 6, 5, 3, 3, 3, 2, 2, 2]

LANGUAGES = ["en", "es", "fr", "de", "ja", "ko", "hi", "pt", "it", "sv"]
LANGUAGE_WEIGHTS = [55, 8, 7, 5, 6, 6, 5, 3, 3, 2]

FIRST_NAMES = _words(
    """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony
Betty Mark Margaret Paul Sandra Steven Ashley Andrew Kimberly Joshua Emily Kenneth Donna
Kevin Michelle Brian Carol George Amanda Edward Melissa Ronald Deborah Timothy Stephanie
Jason Rebecca Ryan Laura Jacob Sharon Gary Cynthia Nicholas Kathleen Eric Amy Jonathan
Angela Larry Helen Justin Anna Scott Brenda Frank Pamela Samuel Nicole Gregory Emma
Alexander Samantha Patrick Katherine Benjamin Christine Jack Rachel Dennis Carolyn Jerry
Janet Tyler Catherine Aaron Maria Jose Heather Adam Diane Henry Julie Nathan Joyce Zachary
Victoria Lucas Olivia Mateo Sofia Luca Giulia Hugo Chloe Felix Lea Jonas Mia Kenji Yuki
Haruto Sakura Minjun Seoyeon Arjun Priya Rohan Ananya Joao Beatriz Pedro Camila Diego
Valentina Lars Ingrid Sven Astrid Pierre Camille Antoine Manon Klaus Greta Omar Layla
"""
)

LAST_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
Castillo Sanders Patel Myers Long Ross Foster Jimenez Rossi Bianchi Ferrari Dubois Laurent
Moreau Schmidt Schneider Fischer Weber Tanaka Suzuki Watanabe Sato Park Choi Sharma Gupta
Singh Silva Santos Oliveira Souza Andersson Johansson Larsson Nilsson Novak Kowalski
"""
)

CITIES = [
    "London, England", "Manchester, England", "Glasgow, Scotland", "Dublin, Ireland",
    "New York City, New York, USA", "Los Angeles, California, USA", "Chicago, Illinois, USA",
    "Atlanta, Georgia, USA", "Austin, Texas, USA", "Toronto, Ontario, Canada",
    "Vancouver, British Columbia, Canada", "Sydney, Australia", "Melbourne, Australia",
    "Paris, France", "Lyon, France", "Berlin, Germany", "Munich, Germany", "Madrid, Spain",
    "Barcelona, Spain", "Rome, Italy", "Milan, Italy", "Stockholm, Sweden", "Tokyo, Japan",
    "Osaka, Japan", "Seoul, South Korea", "Mumbai, India", "Delhi, India", "Sao Paulo, Brazil",
    "Rio de Janeiro, Brazil", "Mexico City, Mexico", "Amsterdam, Netherlands",
]  # fmt: skip

_ADJECTIVES = _words(
    """
Silent Broken Hidden Last Golden Crimson Dark Bright Lost Wild Frozen Burning Secret
Endless Savage Quiet Distant Hollow Iron Velvet Electric Midnight Scarlet Silver Shattered
Restless Forgotten Eternal Fallen Rising Northern Sacred Lonely Perfect Dangerous Beautiful
Little Final Strange Bitter Sweet Empty Cold Blue Red Black White Green Wicked Gentle
"""
)
_NOUNS = _words(
    """
River Kingdom Heart City Shadow Road Garden Storm Island Mountain Empire Night Summer
Winter Harbor Station Horizon Signal Promise Letter Witness Mirror Circle Frontier Machine
Orchard Lighthouse Desert Ocean Forest Valley Bridge Tower Engine Crown Legacy Echo Dream
Game Code Alibi Verdict Fortune Hunter Stranger Dancer Soldier Doctor Captain Detective
Queen King Thief Prophet Ghost Angel Wolf Raven Tiger Fox Season Voyage Secret Debt
"""
)
_PLACES = _words(
    """
Paris Berlin Tokyo Havana Cairo Lisbon Brooklyn Memphis Marseille Mumbai Rio Oslo Vienna
Shanghai Dakota Texas Alaska Sicily Casablanca Chinatown Manhattan Montana Nevada Venice
"""
)
_TITLE_PATTERNS = [
    "The {adj} {noun}", "{adj} {noun}", "{noun} of {place}", "The {noun} of {place}",
    "{first}'s {noun}", "The {adj} {nouns}", "Return to {place}", "A {noun} in {place}",
    "The Last {noun}", "{noun} and {noun2}", "{place} {noun}", "{adj} {place}",
    "A {noun} for {first}", "{noun}", "The {noun}", "{first} and the {adj} {noun}",
]  # fmt: skip
_EPISODE_PATTERNS = [
    "The {noun}", "{adj} {noun}", "{first}", "The {adj} {noun}", "{noun} of {place}",
    "A {noun} for {first}", "{noun} and {noun2}", "The Last {noun}", "{first}'s {noun}",
]  # fmt: skip

_ROLES = _words(
    """
detective widow boxer teacher hacker chef astronaut nurse lawyer journalist thief soldier
pilot surgeon musician farmer priest gambler mechanic architect spy runaway heiress medic
"""
)
_ROLE_ADJECTIVES = _words(
    """
retired young reclusive ambitious disgraced brilliant grieving fearless stubborn weary
idealistic small-town ruthless gifted troubled charming
"""
)
_GOALS = [
    "returns home to settle an old debt", "races to stop a conspiracy", "falls for a stranger",
    "hunts the killer of a friend", "plans one last job", "searches for a missing sister",
    "fights to keep the family farm", "uncovers a secret that could topple a dynasty",
    "is forced to team up with a rival", "tries to win back a lost love",
    "must survive a single impossible night", "takes on a case nobody else will touch",
    "starts over after everything falls apart", "guards a dangerous witness",
]  # fmt: skip
_SETTINGS = [
    "in {place}", "on the eve of war", "during one long summer", "in a city that never sleeps",
    "at the edge of the world", "in 1960s {place}", "across three continents",
    "in a town full of secrets", "aboard a failing starship", "in the streets of {place}",
]  # fmt: skip
_TWISTS = [
    "Nothing is what it seems.", "But the past refuses to stay buried.",
    "Trust becomes the most dangerous currency.", "The clock is already running.",
    "Every choice has a price.", "Some doors should stay closed.",
    "What begins as a favour becomes an obsession.", "Not everyone will make it out.",
    "Love, it turns out, is the easy part.", "The truth is stranger than anyone expected.",
]  # fmt: skip


def _pick(words: Sequence[str], number: int) -> str:
    return words[number % len(words)]


def _plural(noun: str) -> str:
    if noun.endswith("f"):
        return f"{noun[:-1]}ves"
    return f"{noun}es" if noun.endswith(("s", "x", "ch")) else f"{noun}s"


def _fill(pattern: str, r: Sequence[int]) -> str:
    noun = _pick(_NOUNS, r[2])
    return pattern.format(
        adj=_pick(_ADJECTIVES, r[1]),
        noun=noun,
        nouns=_plural(noun),
        noun2=_pick(_NOUNS, r[3]),
        place=_pick(_PLACES, r[4]),
        first=_pick(FIRST_NAMES, r[5]),
    )


def title_name(r: Sequence[int]) -> str:
    """A movie or series name such as 'The Silent River' from six random integers."""
    return _fill(_pick(_TITLE_PATTERNS, r[0]), r)


def episode_name(r: Sequence[int]) -> str:
    return _fill(_pick(_EPISODE_PATTERNS, r[0]), r)


def synopsis(r: Sequence[int], *, sentences: int) -> str:
    """One or two sentences: who wants what, where, and (for two) what goes wrong."""
    role = f"{_pick(_ROLE_ADJECTIVES, r[0])} {_pick(_ROLES, r[1])}"
    article = "An" if role[0] in "aeiou" else "A"
    subject = f"{article} {role}" if r[2] % 3 else f"{_pick(FIRST_NAMES, r[3])}, a {role},"
    setting = _pick(_SETTINGS, r[4]).format(place=_pick(_PLACES, r[5]))
    first = f"{subject} {_pick(_GOALS, r[6])} {setting}."
    return first if sentences == 1 else f"{first} {_pick(_TWISTS, r[7])}"


def character_name(r: Sequence[int]) -> str:
    """A cast credit's character; now and then a part named for its job ('The Nurse')."""
    if r[0] % 10 == 0:
        return f"The {_pick(_ROLES, r[1]).capitalize()}"
    return f"{_pick(FIRST_NAMES, r[1])} {_pick(LAST_NAMES, r[2])}"


def person_name(r: Sequence[int]) -> str:
    """A person's name; now and then with a middle initial."""
    first, last = _pick(FIRST_NAMES, r[0]), _pick(LAST_NAMES, r[1])
    return f"{first} {chr(ord('A') + r[2] % 26)}. {last}" if r[2] % 9 == 0 else f"{first} {last}"


def birthplace(r: Sequence[int]) -> str:
    return _pick(CITIES, r[3])


def biography(name: str, *, is_actor: bool, place: str) -> str:
    trade = "an actor" if is_actor else "a filmmaker"
    origin = f" born in {place}" if place else ""
    return f"{name} is {trade}{origin}, known for work in film and television."

from config.env import env_float, env_int, env_str

# recordViewingEvents accepts at most this many events per request.
VIEWING_EVENTS_MAX_BATCH = env_int("VIEWING_EVENTS_MAX_BATCH", 1000)
# Clients that were offline send their events late, but not older than this.
VIEWING_EVENT_MAX_AGE_DAYS = env_int("VIEWING_EVENT_MAX_AGE_DAYS", 30)
# Trending weighs each day's hours by 2^(-age in days / half-life).
TRENDING_HALF_LIFE_DAYS = env_float("TRENDING_HALF_LIFE_DAYS", 3.0)
TRENDING_SIZE = env_int("TRENDING_SIZE", 100)
# `popularity` and `order: {popularity}` count the views of this many trailing days.
POPULARITY_WINDOW_DAYS = env_int("POPULARITY_WINDOW_DAYS", 28)
# PostgreSQL work_mem of the aggregation's transactions (the rebuild groups millions of rows).
AGGREGATION_WORK_MEM = env_str("AGGREGATION_WORK_MEM", "256MB")
# How long the popularity refresh waits for inserts in flight before it skips a turn.
EVENTS_LOCK_TIMEOUT = env_str("EVENTS_LOCK_TIMEOUT", "5s")

# Personalization (audience.personalization). The model learns from the most watched
# movies and series only, so that its items x items inverse stays within minutes.
RECOMMENDER_MAX_ITEMS = env_int("RECOMMENDER_MAX_ITEMS", 10_000)
RECOMMENDER_MIN_VIEWERS = env_int("RECOMMENDER_MIN_VIEWERS", 2)
RECOMMENDER_L2 = env_float("RECOMMENDER_L2", 300.0)
# A title watched this many titles ago counts half as much as the one watched last.
RECOMMENDER_HALF_LIFE = env_float("RECOMMENDER_HALF_LIFE", 5.0)
RECOMMENDER_NEIGHBOURS = env_int("RECOMMENDER_NEIGHBOURS", 500)
RECOMMENDATIONS_PER_PROFILE = env_int("RECOMMENDATIONS_PER_PROFILE", 30)
# Trained models whose weights are kept (tens of MB each at scale); older ones are emptied.
RECOMMENDER_MODELS_KEPT = env_int("RECOMMENDER_MODELS_KEPT", 3)
# At most this many trending titles fill a list the model leaves short.
RECOMMENDATION_TRENDING_PICKS = env_int("RECOMMENDATION_TRENDING_PICKS", 3)
# Profiles per task of a full refresh: its memory is chunk x items x 4 bytes of scores.
RECOMMENDATION_CHUNK_PROFILES = env_int("RECOMMENDATION_CHUNK_PROFILES", 2000)
# A run whose chunks are not all done after this long is taken for dead.
RECOMMENDATION_RUN_TIMEOUT_SECONDS = env_int("RECOMMENDATION_RUN_TIMEOUT_SECONDS", 2 * 60 * 60)
# New viewing events refresh the profile's list this long after the first of a burst.
RECOMMENDATION_DEBOUNCE_SECONDS = env_int("RECOMMENDATION_DEBOUNCE_SECONDS", 30)
# Workers keep certificates, open windows and the trending lists this long...
RECOMMENDATION_CATALOG_CACHE_SECONDS = env_int("RECOMMENDATION_CATALOG_CACHE_SECONDS", 300)
# ... and the segments' most watched titles this long (each full refresh recomputes them).
RECOMMENDATION_POPULARITY_CACHE_SECONDS = env_int(
    "RECOMMENDATION_POPULARITY_CACHE_SECONDS", 60 * 60
)
# A title is new on the service this many days after its first window opens; until it
# has viewing enough to be learnt, the content model places it (at most this many per list).
RECOMMENDATION_NEW_TITLE_DAYS = env_int("RECOMMENDATION_NEW_TITLE_DAYS", 90)
RECOMMENDATION_NEW_TITLE_PICKS = env_int("RECOMMENDATION_NEW_TITLE_PICKS", 5)
# Profiles with fewer titles get EASE blended with their segment and their titles' similar
# titles; the prior (in titles) and the neighbours' weight are tuned by
# evaluate_recommendations (docs/benchmarks.md).
RECOMMENDER_FEW_TITLES = env_int("RECOMMENDER_FEW_TITLES", 10)
RECOMMENDER_FEW_TITLES_PRIOR = env_float("RECOMMENDER_FEW_TITLES_PRIOR", 1.0)
RECOMMENDER_NEIGHBOUR_WEIGHT = env_float("RECOMMENDER_NEIGHBOUR_WEIGHT", 1.0)
SIMILAR_TITLES_PER_TITLE = env_int("SIMILAR_TITLES_PER_TITLE", 20)
# Two titles are similar only if at least this many profiles watched both.
SIMILAR_TITLES_MIN_COVIEWERS = env_int("SIMILAR_TITLES_MIN_COVIEWERS", 3)

# The home screen: titles per row, and how many "Because you watched" and genre rows at most.
HOME_ROW_LENGTH = env_int("HOME_ROW_LENGTH", 20)
HOME_BECAUSE_YOU_WATCHED_ROWS = env_int("HOME_BECAUSE_YOU_WATCHED_ROWS", 3)
HOME_GENRE_ROWS = env_int("HOME_GENRE_ROWS", 3)
# A profile's genre rows follow its viewing; a title watched this many days ago counts half.
HOME_GENRE_HALF_LIFE_DAYS = env_float("HOME_GENRE_HALF_LIFE_DAYS", 30.0)
# A country's genre rankings, shared by its profiles' home screens, stay in the cache until
# a table they are read from is written (the workers re-rank every few minutes), or this
# long at most; 0 reads them for every screen.
HOME_GENRE_RANKING_CACHE_SECONDS = env_int("HOME_GENRE_RANKING_CACHE_SECONDS", 3600)

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

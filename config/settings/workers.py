from celery.schedules import crontab

from config.env import env_float, env_int, env_str
from config.settings.base import BASE_DIR, IS_PRODUCTION

REDIS_URL = env_str("REDIS_URL", required=IS_PRODUCTION)
if not REDIS_URL:
    # A fresh development checkout: an embedded Redis in .redis/, as PostgreSQL in .pgdata/,
    # so that tasks run on real workers (`make run` starts them) exactly as in production.
    from config.embedded_redis import embedded_redis_url

    REDIS_URL = embedded_redis_url(BASE_DIR / ".redis")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
# Longer than the longest task, so that Redis does not redeliver a task still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 10 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
POPULARITY_REFRESH_SECONDS = env_int("POPULARITY_REFRESH_SECONDS", 60)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Folds new viewing events into the aggregates; a run with nothing new is one query.
    "refresh-popularity": {
        "task": "audience.tasks.refresh_popularity",
        "schedule": POPULARITY_REFRESH_SECONDS,
    },
    # Trending and popularity rank every title over a trailing window: a costlier pass,
    # run less often, and only when the refresh folded new events in.
    "refresh-rankings": {
        "task": "audience.tasks.refresh_rankings",
        "schedule": env_int("RANKINGS_REFRESH_SECONDS", 300),
    },
    # A nightly rebuild from scratch puts right anything an edit to the catalog moved
    # (a runtime, a genre) after its events were folded in.
    "rebuild-popularity": {
        "task": "audience.tasks.rebuild_popularity",
        "schedule": crontab(hour=3, minute=30),
    },
    # Profiles whose new viewing made their recommendations stale, once their debounce
    # (RECOMMENDATION_DEBOUNCE_SECONDS after the first event of a burst) has passed.
    "refresh-due-recommendations": {
        "task": "audience.tasks.refresh_due_recommendations",
        "schedule": env_int("RECOMMENDATION_SWEEP_SECONDS", 10),
    },
    # After the nightly rebuild: similar titles, then a new recommender model and every
    # profile's list (profiles with new viewing are refreshed on demand in between).
    "refresh-similar-titles": {
        "task": "audience.tasks.refresh_similar_titles",
        "schedule": crontab(hour=4, minute=0),
    },
    "refresh-recommendations": {
        "task": "audience.tasks.refresh_recommendations",
        "schedule": crontab(hour=4, minute=30),
    },
    # Greenlight scorecards weigh a year of viewing, which an hour's viewing barely moves,
    # so nightly after the rebuild and the recommendations is enough; a change to a
    # production's own inputs (cast, segments, budget, genres) refreshes its card at once.
    "refresh-greenlight-scorecards": {
        "task": "production.tasks.refresh_greenlight_scorecards",
        "schedule": crontab(hour=5, minute=30),
    },
}

# Nothing waits on a stalled Redis long: a frozen one held every recordViewingEvents for
# 10 s when ingest still kept its debounce in the cache. Values here are small; a reply
# later than this is a fault.
CACHE_REDIS_TIMEOUT_SECONDS = 0.3
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "catalog",
        "OPTIONS": {
            "socket_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
        },
    }
}

# A task that meets a transient error (a dropped connection, a failover) tries again in the
# same worker after this pause, doubling up to two minutes, five times (config/celery/retries.py).
TASK_RETRY_FIRST_PAUSE_SECONDS = env_float("TASK_RETRY_FIRST_PAUSE_SECONDS", 2.0)

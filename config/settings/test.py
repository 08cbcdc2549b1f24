"""The test suite's settings (pytest's DJANGO_SETTINGS_MODULE): the environment's, with what
would make tests slow or let one test see another's traces turned off. A test that is about
one of these turns it back on with pytest-django's `settings` fixture."""

from config.settings import *  # noqa: F403

# Factories give every account a password; the real hasher is slow on purpose.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The workers keep catalog facts and popularity lists for minutes, and home screens share
# genre rankings, in a cache that outlives a test; tests change the data at once (and roll
# it back, which no table token hears of).
RECOMMENDATION_CATALOG_CACHE_SECONDS = 0
RECOMMENDATION_POPULARITY_CACHE_SECONDS = 0
HOME_GENRE_RANKING_CACHE_SECONDS = 0

# Every test client calls from 127.0.0.1, whose budget the suite would use up;
# tests/config/test_rate_limits.py turns the limits back on.
RATE_LIMIT_ENABLED = False

# Tests roll their writes back, so no commit announces them: an answer stored in one test
# could be served in the next. The `response_cache` fixture of tests/conftest.py turns it on.
GRAPHQL_RESPONSE_CACHE_ENABLED = False

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The web server keeps a pool of warm connections (config/settings/database.py).
os.environ.setdefault("DATABASE_POOL", "true")
# No request of the API may hold a database backend longer than this (a TIMEOUT error).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "10s")

django_application = get_asgi_application()

from config.graphql.response_cache.front import ResponseCacheFront  # noqa: E402 (needs the apps)

application = ResponseCacheFront(django_application)

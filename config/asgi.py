import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The web server keeps a pool of warm connections (config/settings/database.py).
os.environ.setdefault("DATABASE_POOL", "true")

application = get_asgi_application()

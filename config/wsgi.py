import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The web server keeps a pool of warm connections (config/settings/database.py).
os.environ.setdefault("DATABASE_POOL", "true")

application = get_wsgi_application()

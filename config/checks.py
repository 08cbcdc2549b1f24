"""Django's deployment checks that look for its own middleware by path, run again over
config.middleware's subclasses.

Django checks HSTS, nosniff, the SSL redirect, X-Frame-Options, the referrer and opener
policies and the CSRF cookie only when `django.middleware.security.SecurityMiddleware`
(and the clickjacking and CSRF middleware) appear in MIDDLEWARE by those exact paths.
The subclasses in config/middleware.py stand in their places, so the three checks that
ask for the paths are silenced in settings, and this check runs Django's own functions
with each subclass named as the class it extends: every dependent check still reports.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks.security import base, csrf
from django.test.utils import override_settings
from django.utils.module_loading import import_string

DJANGO_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
)
CHECKS = (
    base.check_security_middleware,
    base.check_xframe_options_middleware,
    base.check_sts,
    base.check_sts_include_subdomains,
    base.check_sts_preload,
    base.check_content_type_nosniff,
    base.check_ssl_redirect,
    base.check_xframe_deny,
    base.check_referrer_policy,
    base.check_cross_origin_opener_policy,
    csrf.check_csrf_middleware,
    csrf.check_csrf_cookie_secure,
)


def _as_django_path(path: str) -> str:
    middleware = import_string(path)
    for django_path in DJANGO_MIDDLEWARE:
        if issubclass(middleware, import_string(django_path)):
            return django_path
    return path


@checks.register(checks.Tags.security, deploy=True)
def check_security_over_subclassed_middleware(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    middleware = [_as_django_path(path) for path in settings.MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        return [message for check in CHECKS for message in check(app_configs=app_configs)]

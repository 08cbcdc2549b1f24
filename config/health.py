"""`/healthz`: is the service able to reach what it depends on?"""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def redis_is_up() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_is_up(), "redis": redis_is_up()}
    down = [name for name, up in checks.items() if not up]
    body = {"status": "ok" if not down else "unavailable", "checks": checks, "down": down}
    return JsonResponse(body, status=503 if down else 200)

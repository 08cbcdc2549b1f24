from django.apps import AppConfig


class ServiceConfig(AppConfig):
    """The service's own checks (config/checks.py)."""

    name = "config"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the checks)

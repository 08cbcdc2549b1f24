from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts' credentials beyond the browser session: the apps' API tokens."""

    name = "config.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

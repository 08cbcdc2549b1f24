"""`manage.py api_token create|revoke|list`: the API tokens of app clients.

api_token create --user tv-app --name "Living-room TV" [--expires-in-days 90]
api_token revoke <prefix>
api_token list [--user tv-app]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from config.accounts.models import ApiToken
from config.accounts.tokens import api_token_create, api_token_revoke
from config.command_arguments import positive_int


class Command(BaseCommand):
    help = "Create, revoke or list the API tokens app clients authenticate with."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token; its secret is shown once")
        create.add_argument("--user", required=True, help="Username of the account it acts as")
        create.add_argument("--name", required=True, help="What uses it")
        create.add_argument(
            "--expires-in-days", type=positive_int, help="Default: it never expires"
        )
        revoke = actions.add_parser("revoke", help="Revoke a token from now on")
        revoke.add_argument("prefix", help="The token's prefix, as `list` shows it")
        listing = actions.add_parser("list", help="Every token, newest first")
        listing.add_argument("--user", help="Only this account's tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options["user"], options["name"], options["expires_in_days"])
        elif options["action"] == "revoke":
            self._revoke(options["prefix"])
        else:
            self._list(options["user"])

    def _create(self, username: str, name: str, expires_in_days: int | None) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is disabled.")
        expires_at = None
        if expires_in_days is not None:
            expires_at = timezone.now() + timedelta(days=expires_in_days)
        issued = api_token_create(user=user, name=name, expires_at=expires_at)
        self.stdout.write(f"Created API token {issued.token.prefix} for {username}:")
        self.stdout.write(issued.plaintext)
        self.stdout.write("Copy it now: it is shown only this once.")

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No API token has the prefix {prefix!r}.")
        if api_token_revoke(token=token):
            self.stdout.write(f"Revoked API token {prefix} ({token.name}).")
        else:
            self.stdout.write(f"API token {prefix} ({token.name}) was already revoked.")

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username is not None:
            tokens = tokens.filter(user__username=username)
        now = timezone.now()
        rows: list[list[str]] = [
            [
                token.prefix,
                token.user.get_username(),
                token.name,
                _moment(token.created_at),
                _moment(token.last_used_at),
                _moment(token.expires_at),
                token.state_at(now),
            ]
            for token in tokens
        ]
        if not rows:
            self.stdout.write("No API tokens.")
            return
        header = ["prefix", "user", "name", "created", "last used", "expires", "state"]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())


def _moment(value: Any) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")

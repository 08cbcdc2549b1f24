"""Sending GraphQL requests over HTTP, as a front end does."""

import uuid
from typing import Any

from django.test import Client


def client_of(account: Any | None) -> Client:
    """A client signed in as `account` (a browser session), or anonymous for None."""
    client = Client()
    if account is not None:
        client.force_login(account)
    return client


def graphql(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a GraphQL request to /graphql/ and return the decoded JSON body."""
    response = client.post(
        "/graphql/",
        data={"query": query, "variables": variables or {}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def data_of(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `data` of a request that must succeed."""
    body = graphql(client, query, variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def fresh_address() -> str:
    """An address no other test (nor an earlier run within the window) has used."""
    return "10." + ".".join(str(byte) for byte in uuid.uuid4().bytes[:3])

"""Fixtures the tests of the service around the apps share."""

from typing import Any

import pytest


@pytest.fixture
def graphql_core_validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times graphql-core's validation runs from here on."""
    import strawberry.schema.schema as strawberry_schema

    runs: list[int] = []
    validate = strawberry_schema.validate

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counted)
    return runs

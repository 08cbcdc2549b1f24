"""Fixtures the tests of the service around the apps share."""

from typing import Any

import pytest

from catalog.models import Title
from tests.factories import CastCreditFactory, PersonFactory, TitleFactory


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


@pytest.fixture
def film(response_cache: None) -> Title:
    title: Title = TitleFactory(name="Night Train", year=2024)
    CastCreditFactory(title=title, person=PersonFactory(name="Ann Lee"), character="Mira")
    return title

"""The exported SDL is committed; a change to the schema must change it too."""

from pathlib import Path

from strawberry.printer import print_schema

from config.schema import schema

SDL_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_committed_sdl_matches_the_schema() -> None:
    committed = SDL_PATH.read_text()

    assert print_schema(schema).strip() == committed.strip(), (
        "The GraphQL schema changed: run `make schema` and commit schema.graphql "
        "(front ends rely on it)."
    )

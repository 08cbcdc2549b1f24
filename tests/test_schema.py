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


def test_every_model_node_type_remembers_its_id_attribute() -> None:
    """strawberry-django does not remember the primary-key fallback: without this, each
    global id resolved would scan and evaluate its type's annotations again."""
    from strawberry import relay
    from strawberry_django.utils.typing import has_django_definition

    from config.schema import schema

    origins = [
        getattr(t.definition, "origin", None) for t in schema.schema_converter.type_map.values()
    ]
    model_nodes = [o for o in origins if has_django_definition(o) and issubclass(o, relay.Node)]
    assert len(model_nodes) >= 10
    assert {node.__name__: node._id_attr for node in model_nodes} == {
        node.__name__: "pk" for node in model_nodes
    }

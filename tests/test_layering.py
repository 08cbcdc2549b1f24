"""The house's one direction of imports (docs/architecture.md, "The map"), checked on the
source: every import statement of every module, those inside functions included."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("catalog", "audience", "production", "config", "benchmarks")
APPS = ("catalog", "audience", "production")
# The roof of config: it brings the apps together.
ROOF = ("config.schema", "config.urls", "config.management", "config.settings")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports, as a dotted name
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(path: Path) -> Iterator[Import]:
    module = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            # A relative import keeps its dots, which the rules refuse: they judge full names.
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                yield Import(module, f"{source}.{alias.name}", node.lineno)


def every_import() -> list[Import]:
    return [
        found
        for package in PACKAGES
        for path in sorted((PROJECT_DIR / package).rglob("*.py"))
        if not {"migrations", "node_modules"} & set(path.parts)
        for found in imports_in(path)
    ]


def public_names(package: str) -> frozenset[str]:
    """`package.name` for every name in the package's `__all__`, read from its source."""
    path = PROJECT_DIR / package.replace(".", "/") / "__init__.py"
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return frozenset(f"{package}.{name}" for name in ast.literal_eval(node.value))
    raise AssertionError(f"{package} declares no __all__")


# What other apps may read of the audience: its figures' public names, and nothing through
# a figures module directly.
AUDIENCE_FACE = public_names("audience.figures")


def within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def app_of(name: str) -> str | None:
    top = name.split(".")[0]
    return top if top in APPS else None


def is_graphql_layer(name: str) -> bool:
    parts = name.split(".")
    return "graphql" in parts or within(name, "strawberry", "strawberry_django", "config.schema")


def is_domain(module: str) -> bool:
    """An app's models, services, selectors, tasks and wings: not its API, admin, commands."""
    parts = module.split(".")
    return app_of(module) is not None and not {"graphql", "admin", "management"} & set(parts)


Rule = Callable[[Import], bool]

RULES: dict[str, Rule] = {
    "the domain never imports GraphQL code": lambda i: (
        is_domain(i.module) and is_graphql_layer(i.target)
    ),
    "catalog imports no other app, outside the GraphQL layer where the apps meet": lambda i: (
        within(i.module, "catalog")
        and app_of(i.target) not in (None, "catalog")
        and not (is_graphql_layer(i.module) and is_graphql_layer(i.target))
    ),
    "audience never imports production": lambda i: (
        within(i.module, "audience") and within(i.target, "production")
    ),
    "production reads the audience only through audience.figures (and its API's enums)": (
        lambda i: (
            within(i.module, "production")
            and within(i.target, "audience")
            and i.target not in AUDIENCE_FACE
            and not (is_graphql_layer(i.module) and within(i.target, "audience.graphql.enums"))
        )
    ),
    "config's ground floor imports no app": lambda i: (
        within(i.module, "config")
        and not within(i.module, *ROOF)
        and (app_of(i.target) is not None or within(i.target, "benchmarks"))
    ),
    "only the benchmarks import the benchmarks": lambda i: (
        not within(i.module, "benchmarks") and within(i.target, "benchmarks")
    ),
    "nothing below the roof imports it": lambda i: (
        not within(i.module, *ROOF, "benchmarks")
        and within(i.target, "config.schema", "config.urls")
    ),
    "imports are absolute": lambda i: i.target.startswith("."),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_imports_run_one_way(rule: str) -> None:
    broken = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in every_import()
        if RULES[rule](found)
    ]

    assert broken == [], rule


def test_the_rules_see_the_imports_they_judge() -> None:
    """Each rule would catch the import it forbids: the check cannot pass by seeing nothing."""
    forbidden = {
        "the domain never imports GraphQL code": Import(
            "catalog.selectors", "catalog.graphql.types.TitleType", 1
        ),
        "catalog imports no other app, outside the GraphQL layer where the apps meet": Import(
            "catalog.selectors", "audience.models.TitleStats", 1
        ),
        "audience never imports production": Import(
            "audience.services", "production.models.Production", 1
        ),
        "production reads the audience only through audience.figures (and its API's enums)": (
            Import("production.greenlight.inputs", "audience.models.ViewingEvent", 1)
        ),
        "config's ground floor imports no app": Import(
            "config.graphql.view", "catalog.models.Title", 1
        ),
        "only the benchmarks import the benchmarks": Import(
            "audience.tasks", "benchmarks.memory.peak", 1
        ),
        "nothing below the roof imports it": Import(
            "catalog.graphql.types", "config.schema.schema", 1
        ),
        "imports are absolute": Import("audience.services", "..models.Profile", 1),
    }
    allowed = [
        Import("catalog.graphql.types", "audience.graphql.loaders.popularity_loader", 1),
        Import("production.greenlight.inputs", "audience.figures.title_views", 1),
        Import("config.schema", "audience.graphql.queries.Query", 1),
    ]

    assert set(forbidden) == set(RULES)
    assert [rule for rule, found in forbidden.items() if not RULES[rule](found)] == []
    assert [(rule, found) for found in allowed for rule in RULES if RULES[rule](found)] == []
    # nor through a figures module, around the package's public names
    laundered = Import("production.greenlight.backtest", "audience.figures.history.ViewingEvent", 1)
    assert RULES[
        "production reads the audience only through audience.figures (and its API's enums)"
    ](laundered)
    assert len(every_import()) > 1_000

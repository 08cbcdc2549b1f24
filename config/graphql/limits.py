"""Limits on what one GraphQL request may ask for: tokens, depth, aliases and cost.

Every document is measured before it runs. Fragments are measured once each and then
counted at every spread, so a fragment spread twice counts twice (its aliases, its cost)
and a chain of fragments that each spread the next twice counts every path without
walking every path: the measure takes time in proportion to the document, not to what
it expands to. A spread that closes a cycle counts nothing here (graphql-core's
`NoFragmentCyclesRule` refuses the document), and an unknown fragment counts nothing
(`KnownFragmentNamesRule` refuses it). Strawberry's `QueryDepthLimiter` and
`MaxAliasesLimiter` walk every path instead, which takes minutes for a few hundred tokens
of such fragments, and the depth limiter fails on a spread of an unknown fragment.

Introspection is recognised by the schema's types (`__Schema`, `__Type`, ...), never by
the names of operations, fragments or aliases, so naming any of them `__schema` changes
nothing. Introspection adds no depth and its lists count one item, so that the query
GraphiQL sends passes where introspection is on; graphql-core's
`MaxIntrospectionDepthRule` (one of its standard rules) bounds its nesting instead.

Refusals are validation errors: nothing runs, and the error's code is BAD_USER_INPUT.
Every response reports `extensions.cost = {requested, limit}`; `requested` is null when
the document could not be parsed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.validation import NoSchemaIntrospectionCustomRule, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from config.errors import BAD_USER_INPUT

# Arguments whose list names the items a list field returns (`nodes(ids:)`, `_entities`).
_LIST_SIZE_ARGUMENTS = ("ids", "representations")
_PAGE_SIZE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Demand:
    """What a selection asks for.

    `per_item_cost` is the cost of the lists of a connection (its `edges`), which the
    connection's field multiplies by its page size; elsewhere it is 0.
    """

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    per_item_cost: int = 0

    def beside(self, other: Demand) -> Demand:
        """The demand of two selections made side by side."""
        return Demand(
            depth=max(self.depth, other.depth),
            aliases=self.aliases + other.aliases,
            cost=self.cost + other.cost,
            per_item_cost=self.per_item_cost + other.per_item_cost,
        )


def _is_introspection(graphql_type: GraphQLNamedType) -> bool:
    return graphql_type.name.startswith("__")


def _is_connection(graphql_type: GraphQLNamedType) -> bool:
    fields = getattr(graphql_type, "fields", None) or {}
    return "edges" in fields and "pageInfo" in fields


class DocumentDemand:
    """Measures the operations of one document; each fragment is measured once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size: int = settings.GRAPHQL_DEFAULT_PAGE_SIZE
        self.max_page_size: int = settings.GRAPHQL_MAX_PAGE_SIZE
        self._measured: dict[str, Demand] = {}
        self._measuring: set[str] = set()
        self._operation_variables: Mapping[str, Any] = {}

    def of_operation(self, operation: OperationDefinitionNode) -> Demand:
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            return Demand()
        # Variable defaults differ by operation, and fragments read them.
        self._measured.clear()
        self._operation_variables = {
            **{
                definition.variable.name.value: value_from_ast_untyped(definition.default_value)
                for definition in operation.variable_definitions or ()
                if definition.default_value is not None
            },
            **self.variables,
        }
        return self._of_selections(operation.selection_set, root_type)

    def _of_selections(
        self, selection_set: SelectionSetNode, parent_type: GraphQLNamedType
    ) -> Demand:
        demand = Demand()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                demand = demand.beside(self._of_field(selection, parent_type))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = (
                    self.schema.get_type(condition.name.value) if condition else parent_type
                )
                if fragment_type is not None:
                    demand = demand.beside(
                        self._of_selections(selection.selection_set, fragment_type)
                    )
            elif isinstance(selection, FragmentSpreadNode):
                demand = demand.beside(self._of_fragment(selection.name.value))
        return demand

    def _of_fragment(self, name: str) -> Demand:
        if name in self._measured:
            return self._measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._measuring:
            return Demand()
        fragment_type = self.schema.get_type(fragment.type_condition.name.value)
        if fragment_type is None:
            return Demand()
        self._measuring.add(name)
        try:
            demand = self._of_selections(fragment.selection_set, fragment_type)
        finally:
            self._measuring.discard(name)
        self._measured[name] = demand
        return demand

    def _of_field(self, node: FieldNode, parent_type: GraphQLNamedType) -> Demand:
        aliases = 1 if node.alias else 0
        field = self._field_definition(parent_type, node.name.value)
        if field is None:  # `__typename`, or a field validation refuses anyway
            return Demand(aliases=aliases)
        if node.selection_set is None:
            return Demand(aliases=aliases, cost=1)
        field_type = get_named_type(field.type)
        inner = self._of_selections(node.selection_set, field_type)
        introspection = _is_introspection(field_type)
        page = 1 if introspection else self._page_size(node, field)
        subtree = inner.cost + (page if _is_connection(field_type) else 1) * inner.per_item_cost
        depth = inner.depth if introspection else inner.depth + 1
        aliases += inner.aliases
        returns_list = is_list_type(get_nullable_type(field.type))
        if returns_list and _is_connection(parent_type):
            # A connection's `edges`: counted once per item of the connection's page.
            return Demand(depth=depth, aliases=aliases, cost=1, per_item_cost=subtree)
        multiplier = page if returns_list else 1
        return Demand(depth=depth, aliases=aliases, cost=1 + multiplier * subtree)

    def _field_definition(self, parent_type: GraphQLNamedType, name: str) -> GraphQLField | None:
        if parent_type is self.schema.query_type and name == "__schema":
            return SchemaMetaFieldDef
        if parent_type is self.schema.query_type and name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent_type, (GraphQLObjectType, GraphQLInterfaceType)):
            return parent_type.fields.get(name)
        return None

    def _page_size(self, node: FieldNode, field: GraphQLField) -> int:
        """How many items a list or connection field returns at most."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = [
            size
            for name in _PAGE_SIZE_ARGUMENTS
            if name in field.args
            and (size := self._int_argument(given.get(name), field.args[name].default_value))
            is not None
        ]
        if sizes:
            # A larger page is refused by the argument's own check, with a clearer message.
            return min(max(sizes), self.max_page_size)
        for name in _LIST_SIZE_ARGUMENTS:
            if name in given:
                return self._list_length(given[name])
        if _is_connection(get_named_type(field.type)):
            return self.max_page_size
        return self.default_page_size

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self._operation_variables.get(node.name.value)
        return value_from_ast_untyped(node)

    def _int_argument(self, node: ValueNode | None, default: Any) -> int | None:
        value = default if node is None else self._value(node)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
        return None

    def _list_length(self, node: ValueNode) -> int:
        if isinstance(node, ListValueNode):
            return len(node.values)
        value = self._value(node)
        if isinstance(value, list):
            return len(value)
        return 0 if value is None else 1  # a single value stands for a list of one


@dataclass(frozen=True)
class Limits:
    depth: int
    aliases: int
    cost: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            depth=settings.GRAPHQL_MAX_DEPTH,
            aliases=settings.GRAPHQL_MAX_ALIASES,
            cost=settings.GRAPHQL_MAX_COST,
        )


def _refusals(demand: Demand, limits: Limits, operation_label: str) -> Iterator[str]:
    if demand.depth > limits.depth:
        yield (
            f"{operation_label} nests {demand.depth} levels deep; "
            f"at most {limits.depth} are allowed."
        )
    if demand.aliases > limits.aliases:
        yield (
            f"{operation_label} uses {demand.aliases} aliases (counting every fragment "
            f"spread); at most {limits.aliases} are allowed."
        )
    if demand.cost > limits.cost:
        yield (
            f"{operation_label} costs {demand.cost}; at most {limits.cost} is allowed. "
            "Ask for smaller pages (first, last) or fewer nested lists."
        )


class QueryLimits(SchemaExtension):
    """Refuses an operation over the depth, alias or cost limit before it runs, and
    reports the cost of every request in `extensions.cost`."""

    def __init__(self) -> None:
        self.limits = Limits.from_settings()
        self.demands: dict[str | None, Demand] = {}

    def on_validate(self) -> Iterator[None]:
        # On every request, after graphql-core's rules (which `ValidationCache`, listed
        # before this extension, answers from its cache): the measure depends on the
        # variables (`first: $n`). Strawberry reads the errors before the hooks' ends run.
        # A document graphql-core refused is measured (its cost is reported) but refused
        # for its own errors alone.
        context = self.execution_context
        if context.graphql_document is not None:
            refusals = self.measure(context.schema._schema, context.graphql_document)
            if refusals and not context.pre_execution_errors:
                context.pre_execution_errors = refusals
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self._requested_cost(), "limit": self.limits.cost}}

    def _requested_cost(self) -> int | None:
        if not self.demands:
            return None
        name = self.execution_context.operation_name
        if name in self.demands:
            return self.demands[name].cost
        if len(self.demands) == 1:
            return next(iter(self.demands.values())).cost
        return max(demand.cost for demand in self.demands.values())

    def measure(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        """Measure every operation of the document; an error for each one over a limit."""
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        measure = DocumentDemand(schema, fragments, self.execution_context.variables or {})
        refusals: list[GraphQLError] = []
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            name = operation.name.value if operation.name else None
            demand = measure.of_operation(operation)
            self.demands[name] = demand
            label = f"Operation '{name}'" if name else "The operation"
            refusals.extend(
                GraphQLError(message, operation, extensions={"code": BAD_USER_INPUT})
                for message in _refusals(demand, self.limits, label)
            )
        return refusals


class TokenLimit(MaxTokensLimiter):
    """Strawberry's token limit, at `GRAPHQL_MAX_TOKENS`: the parser stops at the limit."""

    def __init__(self) -> None:
        super().__init__(max_token_count=settings.GRAPHQL_MAX_TOKENS)


class IntrospectionSwitch(AddValidationRules):
    """Refuses `__schema` and `__type` unless `GRAPHQL_INTROSPECTION_ENABLED`;
    `__typename` always works."""

    def __init__(self) -> None:
        enabled: bool = settings.GRAPHQL_INTROSPECTION_ENABLED
        super().__init__([] if enabled else [NoSchemaIntrospectionCustomRule])


class TextInputs(SchemaExtension):
    """Every string a request brings in its variables is text PostgreSQL can store: no NUL
    character and no lone surrogate (JSON's "\\ud800"), which psycopg refuses deep inside
    a resolver, as an INTERNAL error. Checked here once for every argument of every field;
    a refusal names the variable. Strings written in the document are checked with the
    document (`TextLiterals`), once per document."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors:
            problem = _untextual_variable(context.variables or {})
            if problem is not None:
                name, reason = problem
                context.pre_execution_errors = [_not_text(name, reason)]
        yield


class TextLiteralsRule(ValidationRule):
    """The strings written as arguments in the document are text, as `TextInputs` checks
    the variables'; the first that is not names its argument."""

    reported = False

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        if self.reported:
            return
        for value in _strings_in(node.value):
            if reason := _why_not_text(value):
                self.report_error(_not_text(node.name.value, reason))
                self.reported = True
                return


class TextLiterals(AddValidationRules):
    """`TextLiteralsRule` among the validation rules, whose verdict the cache keeps."""

    def __init__(self) -> None:
        super().__init__([TextLiteralsRule])


def _not_text(name: str, reason: str) -> GraphQLError:
    return GraphQLError(f"'{name}' {reason}.", extensions={"code": BAD_USER_INPUT, "field": name})


def _why_not_text(value: str) -> str | None:
    if "\x00" in value:
        return "holds a NUL character, which text may not"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate: it is not Unicode text"
    return None


def _untextual_variable(variables: Mapping[str, Any]) -> tuple[str, str] | None:
    for name, value in variables.items():
        pending = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, str) and (reason := _why_not_text(item)):
                return name, reason
            if isinstance(item, dict):
                pending.extend(item.values())
                pending.extend(key for key in item if isinstance(key, str))
            elif isinstance(item, list):
                pending.extend(item)
    return None


def _strings_in(node: ValueNode) -> Iterator[str]:
    if isinstance(node, StringValueNode):
        yield node.value
    elif isinstance(node, ListValueNode):
        for item in node.values:
            yield from _strings_in(item)
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _strings_in(field.value)


class WidthCheckedValidation(ValidationCache):
    """graphql-core's rules, run once per document, and only on documents whose selection
    sets are narrow enough: checking that a selection's fields can be merged compares them
    pairwise, so `{ genres { name } }` written 400 times (under the token limit) took
    seconds of validation. A document with a wider selection set is refused at once."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        maximum: int = settings.GRAPHQL_MAX_SELECTIONS
        widest = _widest_selection(context.graphql_document)
        if widest > maximum:
            context.pre_execution_errors = [
                GraphQLError(
                    f"A selection holds {widest} fields and fragments; at most {maximum} "
                    "are allowed in one.",
                    extensions={"code": BAD_USER_INPUT},
                )
            ]
            yield
            return
        yield from super().on_validate()


def _widest_selection(document: DocumentNode | None) -> int:
    """The most selections (fields, spreads, inline fragments) in one selection set."""
    if document is None:
        return 0
    widest, pending = 0, [definition.selection_set for definition in document.definitions
                          if hasattr(definition, "selection_set")]  # fmt: skip
    while pending:
        selection_set = pending.pop()
        if selection_set is None:
            continue
        widest = max(widest, len(selection_set.selections))
        pending.extend(
            selection.selection_set
            for selection in selection_set.selections
            if getattr(selection, "selection_set", None) is not None
        )
    return widest


class DocumentCaches:
    """Front ends send a handful of documents over and over: each is parsed and checked by
    graphql-core's rules once per process (per text; up to `GRAPHQL_DOCUMENT_CACHE_SIZE`
    of them, least recently used first out), not on every request. The limits above are
    measured on every request all the same, because the cost depends on the variables."""

    @staticmethod
    def parser() -> ParserCache:
        return ParserCache(maxsize=settings.GRAPHQL_DOCUMENT_CACHE_SIZE)

    @staticmethod
    def validation() -> ValidationCache:
        return WidthCheckedValidation(maxsize=settings.GRAPHQL_DOCUMENT_CACHE_SIZE)


# In this order: the token limit bounds the parse that ParserCache keeps; the validation
# cache must have set graphql-core's errors before QueryLimits adds its own.
LIMIT_EXTENSIONS: list[Any] = [
    TokenLimit,
    IntrospectionSwitch,
    TextLiterals,
    DocumentCaches.parser,
    DocumentCaches.validation,
    QueryLimits,
    TextInputs,
]

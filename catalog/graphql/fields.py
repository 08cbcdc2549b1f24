"""Field classes whose arguments narrow the rows the optimizer prefetches."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from strawberry import Info
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import StrawberryArgument
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import is_optimized_by_prefetching

from catalog.graphql.enums import Department, RoleType

_QS = TypeVar("_QS", bound=QuerySet[Any])


class CreditConnectionField(StrawberryDjangoField):
    """`credits(roleType, department, first, after, ...)`.

    The filters are applied in `get_queryset`, which the optimizer also calls when
    it prefetches the credits of a whole page of titles in one query, so nesting
    this connection under a list does not add a query per item.
    """

    @property
    def arguments(self) -> list[StrawberryArgument]:
        arguments = super().arguments
        names = {argument.python_name for argument in arguments}
        extra = [
            StrawberryArgument(
                python_name="role_type",
                graphql_name="roleType",
                type_annotation=StrawberryAnnotation(RoleType | None),
                default=None,
                description="Only cast or only crew",
            ),
            StrawberryArgument(
                python_name="department",
                graphql_name=None,
                type_annotation=StrawberryAnnotation(Department | None),
                default=None,
                description="Only crew of this department",
            ),
        ]
        return arguments + [argument for argument in extra if argument.python_name not in names]

    @arguments.setter
    def arguments(self, value: list[StrawberryArgument]) -> None:
        StrawberryDjangoField.arguments.fset(self, value)  # type: ignore[attr-defined]

    def get_queryset(self, queryset: _QS, info: Info, **kwargs: Any) -> _QS:
        if is_optimized_by_prefetching(queryset):
            return queryset  # prefetched through this very method: already filtered
        role_type: RoleType | None = kwargs.pop("role_type", None)
        department: Department | None = kwargs.pop("department", None)
        if role_type is not None:
            queryset = queryset.filter(role_type=role_type.value)
        if department is not None:
            queryset = queryset.filter(department=department.value)
        return super().get_queryset(queryset, info, **kwargs)

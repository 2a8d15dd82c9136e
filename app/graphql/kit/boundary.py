"""The one input boundary of the API: every argument of every field that takes more than a page
cursor passes `app.boundary`'s rules before its resolver runs, put in place once when the schema
is built (no resolver has to remember). A mutation with violations answers its payload with
every violation in `userErrors` and writes nothing; a read answers a BAD_USER_INPUT error that
lists them. Date-times must carry a UTC offset (`AWARE_DATETIME`), on every backend alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.scalar import ScalarDefinition

from app.boundary import DEFAULT_TEXT, IDENTIFIER, TEXT_KINDS, Checker, DateWindow, Path
from app.graphql.kit.acks import Acknowledged, WriteStatus
from app.graphql.kit.errors import UserError

PAGING_ARGUMENTS = frozenset(("first", "last", "after", "before", "offset", "asOf"))
Clock = Callable[[], dt.date]


def aware_datetime(value: object) -> dt.datetime:
    """An ISO 8601 date-time with its offset; without one it would be read in whatever zone
    the database session happens to use (PostgreSQL) or fail to compare (SQLite)."""
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". Expected a string.')
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (ValueError, OverflowError) as error:
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". {error}') from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise StrawberryInputCoercionError(
            f'DateTime "{value}" has no UTC offset: write it as e.g. '
            f'"{parsed.replace(microsecond=0).isoformat()}+08:00" or with "Z" for UTC')
    return parsed


AWARE_DATETIME = ScalarDefinition(
    name="DateTime",
    description="Date with time (ISO 8601) and its UTC offset, e.g. "
                "2026-12-07T22:00:00+08:00 or 2026-12-07T14:00:00Z",
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=aware_datetime,
    parse_literal=None,
    origin=dt.datetime,
)


class Walk:
    """Checks and cleans one field's arguments against the GraphQL input types."""

    def __init__(self, checker: Checker, business_dates: bool) -> None:
        self.checker = checker
        self.business_dates = business_dates

    def value(self, kind: GraphQLInputType, value: Any, name: str, path: Path) -> Any:
        if value is None:
            return None
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if isinstance(kind, GraphQLList):
            self.checker.items(len(value), name, path)
            return [self.value(kind.of_type, item, name, (*path, str(index)))
                    for index, item in enumerate(value)]
        if isinstance(kind, GraphQLInputObjectType):
            cleaned = dict(value)
            for field_name, field in kind.fields.items():
                key = field.out_name or field_name
                if key in cleaned:
                    cleaned[key] = self.value(field.type, cleaned[key], field_name,
                                              (*path, field_name))
            return cleaned
        if isinstance(kind, GraphQLScalarType):
            return self.scalar(kind.name, value, name, path)
        return value

    def scalar(self, type_name: str, value: Any, name: str, path: Path) -> Any:
        if isinstance(value, str):
            text_kind = IDENTIFIER if type_name == "ID" else TEXT_KINDS.get(name, DEFAULT_TEXT)
            return self.checker.text(value, text_kind, path)
        if isinstance(value, Decimal):
            return self.checker.decimal(value, path)
        if (self.business_dates and isinstance(value, dt.date)
                and not isinstance(value, dt.datetime)):
            return self.checker.business_date(value, path)
        return value


def checked_arguments(field: GraphQLField, kwargs: dict[str, Any], checker: Checker,
                      business_dates: bool) -> dict[str, Any]:
    walk = Walk(checker, business_dates)
    cleaned = dict(kwargs)
    for name, argument in field.args.items():
        key = argument.out_name or name
        if key in cleaned and name not in PAGING_ARGUMENTS:
            # Paths in userErrors are relative to a mutation's one `input`.
            path: Path = () if name == "input" else (name,)
            cleaned[key] = walk.value(argument.type, cleaned[key], name, path)
    return cleaned


def needs_checking(arguments: Mapping[str, GraphQLArgument]) -> bool:
    return any(name not in PAGING_ARGUMENTS for name in arguments)


def rejected_payload(payload_type: Any, errors: list[UserError]) -> Any:
    """The mutation's payload with nothing but its userErrors: REJECTED, nothing recorded."""
    definition: StrawberryObjectDefinition = payload_type.extensions[
        "strawberry-definition"]
    values: dict[str, Any] = {f.python_name: None for f in definition.fields}
    values["user_errors"] = errors
    if issubclass(definition.origin, Acknowledged):
        values["status"] = WriteStatus.REJECTED
    return definition.origin(**values)


def guard(schema: GraphQLSchema, window: DateWindow, today: Clock = dt.date.today) -> None:
    """Puts the boundary in front of every resolver (and subscription) that takes arguments
    beyond paging."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        is_mutation = graphql_type is schema.mutation_type
        for field in graphql_type.fields.values():
            if not needs_checking(field.args):
                continue
            if field.resolve is not None:
                field.resolve = bounded(field, field.resolve, window, today, is_mutation)
            if field.subscribe is not None:
                field.subscribe = bounded(field, field.subscribe, window, today, False)


def bounded(field: GraphQLField, resolve: Callable[..., Any], window: DateWindow,
            today: Clock, is_mutation: bool) -> Callable[..., Any]:
    payload_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type

    def resolve_checked(root: Any, info: Any, **kwargs: Any) -> Any:
        if not kwargs:
            return resolve(root, info)
        checker = Checker(window, today())
        cleaned = checked_arguments(field, kwargs, checker, business_dates=is_mutation)
        if checker.problems:
            if is_mutation:
                return rejected_payload(payload_type, [
                    UserError(field=list(p.path) or None, message=p.message, code=p.code)
                    for p in checker.problems])
            raise GraphQLError(
                "; ".join(f"{'.'.join(p.path)}: {p.message}" for p in checker.problems),
                extensions={"code": "BAD_USER_INPUT", "violations": [
                    {"field": list(p.path), "code": p.code, "message": p.message}
                    for p in checker.problems]})
        return resolve(root, info, **cleaned)

    return resolve_checked

"""How graphql-core executes our operations: as strawberry's executor does, except where a
field is plain data. A field strawberry resolves by reading an attribute (no resolver, no
arguments, no extension, no permission, no directive) is read in place: a leaf is serialised,
an object or a list of objects goes straight to its own fields. graphql-core's per-field
machinery (a path, a resolve info, argument coercion, awaitable checks, completion dispatch)
costs ten times the read, and most fields of a page are such fields (issue 18). Arguments
of immutable values are coerced once per execution, not once per parent.

Whatever is not the plain, successful case (a null where the type forbids one, an exception,
a value the type cannot serialise, a list holding a null it may not hold) is left to
graphql-core before any of it ran, which reports it as it always has: a shortcut never
decides an error or a null. Errors below a plain object are located and propagated as
graphql-core does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetails, FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition

# (the attribute to read, how to serialise its value, whether null is forbidden)
Leaf = tuple[str, Callable[[Any], Any], bool]
# (the attribute to read, the object type, whether null is forbidden, for a list whether
# its items may not be null (None: not a list))
Nested = tuple[str, GraphQLObjectType, bool, bool | None]
Step = tuple[str, FieldDetailsList, Leaf | None, Nested | None]
STRAWBERRY_CHECKS = "strawberry.schema.schema_converter"
# Argument values that no resolver can change for the next caller
IMMUTABLE = (str, int, float, bool, Decimal, date, datetime, Enum, type(None))


def attributes(schema: strawberry.Schema) -> dict[int, str]:
    """Every field strawberry resolves with its default resolver (reading an attribute) and
    without arguments: its attribute, by the id of its graphql-core field as the built
    schema holds it."""
    converter = schema.schema_converter
    if schema.config.default_resolver is not getattr:
        return {}
    found: dict[int, str] = {}
    for concrete in converter.type_map.values():
        definition, implementation = concrete.definition, concrete.implementation
        if not (isinstance(definition, StrawberryObjectDefinition)
                and isinstance(implementation, GraphQLObjectType)):
            continue
        for field in definition.fields:
            graphql_field = implementation.fields.get(converter.config.name_converter
                                                      .get_graphql_name(field))
            if graphql_field is not None and not graphql_field.args and getattr(
                    graphql_field.resolve, "_is_default", False):  # else ours, or wrapped
                found[id(graphql_field)] = field.python_name
    return found


def unwrap(field_type: GraphQLOutputType) -> tuple[Any, bool]:
    if isinstance(field_type, GraphQLNonNull):
        return field_type.of_type, True
    return field_type, False


def plain_object(named: Any) -> bool:
    """Whether a value of this type completes as its fields: an object type with no check of
    its own, or strawberry's check (an isinstance that ignores the resolve info), which the
    shortcuts make before taking a value as the type's."""
    return isinstance(named, GraphQLObjectType) and (
        named.is_type_of is None
        or getattr(named.is_type_of, "__module__", None) == STRAWBERRY_CHECKS)


def object_type(field_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """The object type a value of `field_type` completes as, when it is a plain object."""
    named, _ = unwrap(field_type)
    return named if plain_object(named) else None


def is_a(object_type: GraphQLObjectType, value: Any) -> bool:
    check = object_type.is_type_of
    return not isinstance(value, Exception) and (
        check is None or check(value, cast("GraphQLResolveInfo[Any]", None)) is True)


class PlanExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with the shortcuts; made for a schema by `execution_for`."""

    attributes: Mapping[int, str] = {}
    # by the id of a field's type (the schema keeps them alive): its object type, or None
    object_types: dict[int, GraphQLObjectType | None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One plan per grouped field set, which graphql-core memoises per return type for
        # the whole execution (the fifty goals of a page share one).
        self.plans: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        # by field node (kept alive with it, so its id is not reused)
        self.coerced_arguments: dict[int, tuple[FieldNode, dict[str, Any]]] = {}
        # An extension that wraps resolvers (strawberry makes it a middleware) sees every field.
        middleware = self.middleware_manager
        self.shortcut = middleware is None or middleware._middleware_resolvers is None

    def plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> list[Step]:
        found = self.plans.get(id(grouped))
        if found is not None:
            return found[1]
        plan = [(name, details, *self.step(parent_type, details))
                for name, details in grouped.items()]
        self.plans[id(grouped)] = (grouped, plan)  # kept alive, so its id is not reused
        return plan

    def step(self, parent_type: GraphQLObjectType,
             details: FieldDetailsList) -> tuple[Leaf | None, Nested | None]:
        node = details[0].node
        field = self.schema.get_field(parent_type, node.name.value)
        attribute = self.attributes.get(id(field)) if field is not None else None
        if (attribute is None or field is None or not self.shortcut or len(details) != 1
                or node.arguments or node.directives):
            return None, None
        named, non_null = unwrap(field.type)
        if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
            return (attribute, named.coerce_output_value, non_null), None
        items_non_null = None
        if isinstance(named, GraphQLList):
            named, items_non_null = unwrap(named.of_type)
        if not plain_object(named):
            return None, None
        if self.collect_subfields(named, details)[1]:
            return None, None  # a deferred fragment below: graphql-core delivers it
        return None, (attribute, named, non_null, items_non_null)

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, grouped_field_set: GroupedFieldSet,
                       position_context: Any) -> Any:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, leaf, nested in self.plan(parent_type,
                                                                  grouped_field_set):
                if leaf is not None:
                    attribute, serialise, non_null = leaf
                    try:
                        value = getattr(source_value, attribute)
                        if value is None:
                            if not non_null:
                                results[response_name] = None
                                continue
                        elif not isinstance(value, Exception):
                            serialised = serialise(value)
                            if serialised is not None and serialised is not Undefined:
                                results[response_name] = serialised
                                continue
                    except Exception:
                        pass
                    result = Undefined
                elif nested is not None and position_context is None:
                    result = self.execute_nested(parent_type, source_value, path,
                                                 response_name, details, nested)
                else:
                    result = Undefined
                if result is Undefined:
                    result = self.execute_field(parent_type, source_value, details,
                                                Path(path, response_name, parent_type.name),
                                                position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def execute_nested(self, parent_type: GraphQLObjectType, source: Any, path: Path | None,
                       response_name: str, details: FieldDetailsList, nested: Nested) -> Any:
        """An object, or a list of objects, read from an attribute and completed by executing
        its fields directly; Undefined when the value is not the plain case (graphql-core
        then executes the field, before anything of it ran)."""
        attribute, object_type, non_null, items_non_null = nested
        try:
            value = getattr(source, attribute)
        except Exception:
            return Undefined
        if value is None:
            return Undefined if non_null else None
        if items_non_null is None:
            if not is_a(object_type, value):
                return Undefined
        elif not (isinstance(value, (list, tuple)) and all(
                is_a(object_type, item) if item is not None else not items_non_null
                for item in value)):
            return Undefined
        field_type = self.schema.get_field(parent_type, details[0].node.name.value)
        assert field_type is not None
        field_path = Path(path, response_name, parent_type.name)
        grouped = self.collect_subfields(object_type, details)[0]
        try:
            if items_non_null is None:
                completed = self.execute_fields(object_type, value, field_path, grouped, None)
                if self.is_awaitable(completed):
                    return self.await_completed(completed, field_type.type, details,
                                                field_path)
                return completed
            return self.execute_items(object_type, value, field_path, grouped, details,
                                      field_type.type)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type.type, details, field_path)
            return None

    def execute_items(self, object_type: GraphQLObjectType, items: list[Any] | tuple[Any, ...],
                      path: Path, grouped: GroupedFieldSet, details: FieldDetailsList,
                      field_type: GraphQLOutputType) -> Any:
        item_type = unwrap(field_type)[0].of_type
        completed: list[Any] = []
        awaiting: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                item_path = Path(path, index, None)
                try:
                    result = self.execute_fields(object_type, item, item_path, grouped, None)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    result = None
                if self.is_awaitable(result):
                    result = self.await_completed(result, item_type, details, item_path)
                    awaiting.append(index)
                completed.append(result)
        except Exception:
            if awaiting:
                self.settle_in_background([completed[index] for index in awaiting])
            raise
        if not awaiting:
            return completed

        async def get_completed() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[index] for index in awaiting))
            for index, value in zip(awaiting, awaited, strict=True):
                completed[index] = value
            return completed

        return get_completed()

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_details_list: FieldDetailsList, path: Path,
                      position_context: Any) -> Any:
        """graphql-core's, except that a field's arguments are coerced once per execution
        when they are immutable values (a connection's `first: 5` on each of fifty goals)."""
        first_details = field_details_list[0]
        node = first_details.node
        field_def = self.schema.get_field(parent_type, node.name.value)
        if not field_def:
            return Undefined
        return_type = field_def.type
        resolve_fn = field_def.resolve or self.field_resolver
        if self.middleware_manager:
            resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type,
                                       path)
        try:
            args = self.arguments(field_def, first_details) \
                if field_def.args or node.arguments else {}
            result = resolve_fn(source, info, **args)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(return_type, field_details_list, info,
                                                     path, result, position_context)
            completed = self.complete_value(return_type, field_details_list, info, path,
                                            result, position_context)
            if self.is_awaitable(completed):
                return self.await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def await_completed(self, completed: Awaitable[Any], return_type: GraphQLOutputType,
                              field_details_list: FieldDetailsList, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def complete_value(self, return_type: GraphQLOutputType,
                       field_details_list: FieldDetailsList, info: GraphQLResolveInfo[Any],
                       path: Path, result: Any, position_context: Any) -> Any:
        """graphql-core's, except that a value of a plain object type goes straight to its
        fields: what completing it comes to."""
        key = id(return_type)
        target = self.object_types[key] if key in self.object_types else \
            self.object_types.setdefault(key, object_type(return_type))
        if target is not None and result is not None and result is not Undefined \
                and is_a(target, result):
            return self.collect_and_execute_subfields(target, field_details_list, path,
                                                      result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result,
                                      position_context)

    def arguments(self, field_def: GraphQLField, details: FieldDetails) -> dict[str, Any]:
        if details.fragment_variable_values is not None:
            return get_argument_values(field_def, details.node, self.variable_values,
                                       details.fragment_variable_values,
                                       self.hide_suggestions)
        found = self.coerced_arguments.get(id(details.node))
        if found is not None:
            return found[1]
        args = get_argument_values(field_def, details.node, self.variable_values, None,
                                   self.hide_suggestions)
        if all(isinstance(value, IMMUTABLE) for value in args.values()):
            self.coerced_arguments[id(details.node)] = (details.node, args)
            return args
        return args


def execution_for(schema: strawberry.Schema) -> type[PlanExecution]:
    """The executor for `schema`, once its resolvers are final (nothing wraps them later)."""
    # Keyed by the ids of the schema's fields and types: the schema, which holds this class,
    # keeps them alive.
    return type("SchemaExecution", (PlanExecution,),
                {"attributes": attributes(schema), "object_types": {}})

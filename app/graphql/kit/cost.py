"""A node-count cost limit, GitHub style: each `first`/`last` multiplies the nodes requested
below it, and so does every other field that returns a list of objects (`nodes(ids)` by its
ids, the rest by LIST_SIZES); variables count with their defaults. A request that could return
more than the limit is refused before it runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

MAX_NODES = 1000
# How many objects a list field without paging arguments is taken to return, per parent: a
# tree the size of a municipal company's, and the depth of the deepest organisation tree.
LIST_SIZES = {"organizationTree": 30, "ancestors": 5}
DEFAULT_LIST_SIZE = 10


def argument_value(value: ValueNode, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    return value_from_ast_untyped(value, dict(variables))


def page_argument(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last") and isinstance(
                argument.value, IntValueNode | VariableNode):
            found = argument_value(argument.value, variables)
            return found if isinstance(found, int) else None
    return None


def returns_list(kind: GraphQLOutputType) -> bool:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        if isinstance(kind, GraphQLList):
            return True
        kind = kind.of_type
    return False


def list_size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "ids" and isinstance(argument.value,
                                                       ListValueNode | VariableNode):
            ids = argument_value(argument.value, variables)
            return len(ids) if isinstance(ids, list) else DEFAULT_LIST_SIZE
    return LIST_SIZES.get(field.name.value, DEFAULT_LIST_SIZE)


def is_record(kind: GraphQLNamedType) -> bool:
    return "id" in getattr(kind, "fields", {})


class Cost:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def of(self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None,
           multiplier: int, seen: frozenset[str] = frozenset()) -> int:
        """Nodes the selection may return when its parent comes `multiplier` times."""
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, inner, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in self.fragments and name not in seen:
                    fragment = self.fragments[name]
                    total += self.of(fragment.selection_set,
                                     self.schema.get_type(fragment.type_condition.name.value),
                                     multiplier, seen | {name})
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, multiplier: int,
              seen: frozenset[str]) -> int:
        fields = getattr(parent, "fields", {})  # an object's or an interface's
        definition = fields.get(node.name.value)
        page = page_argument(node, self.variables)
        inner = multiplier
        counted = 0
        if page:
            inner, counted = multiplier * page, multiplier * page
        elif (definition is not None and returns_list(definition.type)
              and is_composite_type(get_named_type(definition.type))
              and not (parent is not None and parent.name.endswith("Connection"))):
            # (A connection's `nodes` and `edges` were counted by its `first`/`last`.) Records
            # (objects with an id) count as nodes; value objects only multiply what they hold.
            inner = multiplier * list_size(node, self.variables)
            counted = inner if is_record(get_named_type(definition.type)) else 0
        named = get_named_type(definition.type) if definition is not None else None
        return counted + self.of(node.selection_set, named, inner, seen)


def with_defaults(operation: OperationDefinitionNode,
                  variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables as the operation will see them: a default stands in for one not sent."""
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


class NodeLimit(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and context.graphql_document is not None:
            definitions = context.graphql_document.definitions
            fragments = {d.name.value: d for d in definitions
                         if isinstance(d, FragmentDefinitionNode)}
            schema = context.schema._schema
            for operation in definitions:
                if isinstance(operation, OperationDefinitionNode):
                    root = schema.get_root_type(operation.operation)
                    cost = Cost(schema, fragments,
                                with_defaults(operation, context.variables or {}))
                    nodes = cost.of(operation.selection_set, root, 1)
                    if nodes > MAX_NODES:
                        context.pre_execution_errors = [GraphQLError(
                            f"this query may return {nodes:,} nodes, more than the limit of "
                            f"{MAX_NODES:,}; ask for smaller pages",
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": nodes})]
        yield

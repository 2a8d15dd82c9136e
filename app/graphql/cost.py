"""A node-count cost limit, GitHub style: each `first`/`last` multiplies the nodes requested
below it; a request that could return more than the limit is refused before it runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

MAX_NODES = 1000


def page_argument(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                found = variables.get(value.name.value)
                return int(found) if isinstance(found, int) else None
    return None


def cost(selections: SelectionSetNode | None, multiplier: int,
         fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any],
         seen: frozenset[str] = frozenset()) -> int:
    """Nodes the selection may return when its parent comes `multiplier` times."""
    total = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            page = page_argument(selection, variables)
            inner = multiplier * page if page else multiplier
            total += (inner if page else 0) + cost(selection.selection_set, inner, fragments,
                                                   variables, seen)
        elif isinstance(selection, InlineFragmentNode):
            total += cost(selection.selection_set, multiplier, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += cost(fragments[name].selection_set, multiplier, fragments, variables,
                              seen | {name})
    return total


class NodeLimit(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and context.graphql_document is not None:
            definitions = context.graphql_document.definitions
            fragments = {d.name.value: d for d in definitions
                         if isinstance(d, FragmentDefinitionNode)}
            variables = context.variables or {}
            for operation in definitions:
                if isinstance(operation, OperationDefinitionNode):
                    nodes = cost(operation.selection_set, 1, fragments, variables)
                    if nodes > MAX_NODES:
                        context.pre_execution_errors = [GraphQLError(
                            f"this query may return {nodes:,} nodes, more than the limit of "
                            f"{MAX_NODES:,}; ask for smaller pages",
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": nodes})]
        yield

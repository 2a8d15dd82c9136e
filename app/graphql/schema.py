"""Assembles the schema and its limits; nothing else lives here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLObjectType, parse
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.tools import merge_types
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.str_converters import to_camel_case

from app import logs
from app.boundary import DateWindow
from app.graphql.accountability import mutations as accountability_mutations
from app.graphql.accountability import queries as accountability_queries
from app.graphql.accountability import types as accountability_types
from app.graphql.assessment import mutations as assessment_mutations
from app.graphql.assessment import queries as assessment_queries
from app.graphql.assessment.records import Adjustment, Evaluation
from app.graphql.assessment.types import AssessmentCycle
from app.graphql.audit import queries as audit_queries
from app.graphql.audit import subscriptions
from app.graphql.core import mutations, queries
from app.graphql.core.types import Goal, Organization, Person, SystemActor
from app.graphql.kit import acks, boundary
from app.graphql.kit.cost import NodeLimit
from app.graphql.kit.execution import execution_for
from app.graphql.kit.nodes import NodeRegistry
from app.graphql.kit.vocab import VocabularyQuery
from app.graphql.life import mutations as life_mutations
from app.graphql.life import queries as life_queries
from app.graphql.life import types as life_types
from app.graphql.member_record import queries as member_record_queries
from app.graphql.members import mutations as members_mutations
from app.graphql.members import queries as members_queries
from app.graphql.members import types as members_types
from app.graphql.pioneer import mutations as pioneer_mutations
from app.graphql.pioneer import queries as pioneer_queries
from app.graphql.pioneer import types as pioneer_types
from app.graphql.standards import mutations as standards_mutations
from app.graphql.standards import queries as standards_queries
from app.graphql.standards import types as standards_types

# Each feature package contributes its own root types; the schema merges them, and the node
# fetchers of the records it adds to the core's (handed to each request's context).
NODES: NodeRegistry = {**assessment_queries.NODES, **accountability_types.NODES,
                       **life_types.NODES, **standards_types.NODES, **members_types.NODES,
                       **pioneer_types.NODES}
Query = merge_types("Query", (queries.Query, assessment_queries.AssessmentQuery,
                              audit_queries.AuditQuery,
                              accountability_queries.AccountabilityQuery,
                              life_queries.LifeQuery, standards_queries.StandardsQuery,
                              members_queries.MembersQuery, pioneer_queries.PioneerQuery,
                              member_record_queries.MemberRecordQuery, VocabularyQuery))
Mutation = merge_types("Mutation", (mutations.Mutation, assessment_mutations.AssessmentMutation,
                                    accountability_mutations.AccountabilityMutation,
                                    life_mutations.LifeMutation,
                                    standards_mutations.StandardsMutation,
                                    members_mutations.MembersMutation,
                                    pioneer_mutations.PioneerMutation))
Subscription = merge_types("Subscription", (subscriptions.Subscription,
                                            audit_queries.AuditSubscription))

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


def is_unexpected(error: GraphQLError) -> bool:
    """Mask only what we did not mean to say: validation, auth and input errors pass."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def client_code(error: GraphQLError) -> str:
    """The code of an error the client caused (the GraphQL spec leaves parse and validation
    errors without one: they are told apart as Apollo's servers do)."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if error.path is None:
        return "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else \
            "GRAPHQL_VALIDATION_FAILED"
    return "BAD_REQUEST"


class MaskUnexpectedErrors(MaskErrors):
    """Replaces an unexpected error by a generic one that carries the request's id; the
    details (the traceback) go to the log under that id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        path = ".".join(map(str, error.path)) if error.path else "the operation"
        request_id = logs.unexpected_error(error.original_error, path)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "requestId": request_id}
        return masked


@lru_cache(maxsize=512)
def parse_document(query: str) -> DocumentNode:
    """Parsed once per document text for the whole process, within the token limit; the
    server parses a long document in a worker thread first (`app.http`), so that this
    finds it here instead of lexing it on the event loop."""
    return parse(query, max_tokens=MAX_TOKENS)


class SharedParse(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = parse_document(context.query or "")
        yield


class ReadPosition(SchemaExtension):
    """Tells in `extensions.positions` which log position answered each top-level read
    (null: the current state)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        positions = getattr(context, "positions", None)
        return {"positions": positions} if positions else {}


class LoggedSchema(strawberry.Schema):
    """Client errors are one line each (strawberry's default logs every error at ERROR with a
    traceback); unexpected ones are logged where they are masked."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: Any = None) -> None:
        for error in errors:
            if not is_unexpected(error):
                logs.client_error(client_code(error), error.message)


# The limit rules are built once: ValidationCache keys on the rule classes, and a limiter made
# per request would make a new class each time and never hit the cache.
LIMIT_RULES = [*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
               *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules]


class RememberedNames(NameConverter):
    """Strawberry camel-cases each argument's name again on every resolver call (four times
    per nested connection); a name's GraphQL spelling never changes."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        found = self.names.get(name)
        if found is None:
            found = self.names[name] = super().apply_naming_config(name)
        return found


# Nested fields resolved once per item of a page, whose resolvers read only `info.context` and
# plain scalar arguments: strawberry's wrapper (an Info object, argument conversion, the field
# extension chain) costs more than the resolver itself, so graphql-core calls them directly.
PLAIN_RESOLVERS = {"Goal": ("organization", "responsible")}


def call_directly(schema: strawberry.Schema) -> None:
    for type_name, field_names in PLAIN_RESOLVERS.items():
        definition = schema.get_type_by_name(type_name)
        graphql_type = schema._schema.type_map[type_name]
        assert isinstance(definition, StrawberryObjectDefinition)
        assert isinstance(graphql_type, GraphQLObjectType)
        for name in field_names:
            field = definition.get_field(name)
            assert field is not None and field.base_resolver is not None
            assert not field.extensions and not field.permission_classes
            graphql_type.fields[to_camel_case(name)].resolve = field.base_resolver.wrapped_func


def build_schema(introspection: bool = True,
                 dates: DateWindow | None = None) -> strawberry.Schema:
    extensions: list[Any] = [
        SharedParse,
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ValidationCache(maxsize=512),
        NodeLimit,
        MaskUnexpectedErrors,
        ReadPosition,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    schema = LoggedSchema(query=Query, mutation=Mutation, subscription=Subscription,
                          types=[Organization, Goal, Person, SystemActor, AssessmentCycle,
                                 Evaluation, Adjustment,
                                 life_types.Meeting, life_types.MeetingRuleSet,
                                 standards_types.BranchStandard,
                                 standards_types.BranchStandardisation,
                                 members_types.MemberEvaluationRound,
                                 pioneer_types.PioneerPost],
                          extensions=extensions,
                          config=StrawberryConfig(name_converter=RememberedNames()),
                          scalar_overrides={datetime: boundary.AWARE_DATETIME})
    call_directly(schema)
    acks.acknowledge(schema._schema)  # inside the boundary: it fingerprints cleaned inputs
    boundary.guard(schema._schema, dates or DateWindow())
    schema.execution_context_class = execution_for(schema)  # last: it reads the final resolvers
    return schema


def sdl() -> str:
    return build_schema().as_str() + "\n"

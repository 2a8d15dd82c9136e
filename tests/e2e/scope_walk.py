"""A schema-driven graph walk: from every record a principal may start at, follow every field
that leads to another record, and collect what came back. Generated from introspection, so a
new field or type is walked without anyone remembering to.

Selections stop at records (types implementing `Node`: `__typename id`) and go on through
the objects between them (a membership, a score card, an audit entry); the next hop reads
the records found through `nodes(ids)`, type by type, so each request stays inside the API's
depth, token and node-count limits."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import OperationDefinitionNode, parse

from app.graphql.kit.cost import MAX_NODES, Cost
from app.graphql.schema import build_schema

PAGE = 10  # nested connections
ROOT_PAGE = 100  # top-level connections (one per request)
TYPE_QUERY = """{ __schema { queryType { name } types { name kind
  interfaces { name } possibleTypes { name }
  fields { name args { name defaultValue type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""
# Values for required arguments that are not ids (others make a field skipped).
REQUIRED_VALUES = {"Date": '"2026-06-30"', "DateTime": '"2026-01-01T00:00:00Z"',
                   "SchemeChangeInput": "{}"}
ID_ARGUMENTS = {"partyId": ("Person", "Organization"), "personId": ("Person",),
                "cycleId": ("AssessmentCycle",),
                "organizationId": ("Organization",), "rootId": ("Organization",)}
# Rows that carry a goal's title beside its id: their goal must be readable too.
GOAL_ROWS = {"Responsibility", "AccountableGoal", "ResponsibilityGap"}
TOLERATED = {"FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND"}
NON_NODE_DEPTH = 3


def unwrap(kind: dict[str, Any]) -> dict[str, Any]:
    while kind.get("ofType"):
        kind = kind["ofType"]
    return kind


def required(arg: dict[str, Any]) -> bool:
    return arg["type"]["kind"] == "NON_NULL" and arg["defaultValue"] is None


@dataclass
class Schema:
    types: dict[str, dict[str, Any]]
    nodes: set[str]  # record types: those implementing Node
    query: str
    labels: bool = False  # also read every code that has a `…Label` beside it, and the label

    @classmethod
    def load(cls, data: dict[str, Any]) -> Schema:
        found = {t["name"]: t for t in data["types"]}
        nodes = {p["name"] for p in found["Node"]["possibleTypes"]}
        return cls(found, nodes, data["queryType"]["name"])

    def is_connection(self, name: str) -> bool:
        fields = {f["name"] for f in self.types[name].get("fields") or []}
        return {"nodes", "totalCount", "pageInfo"} <= fields

    def node_of(self, name: str) -> str:
        return next(unwrap(f["type"])["name"] for f in self.types[name]["fields"]
                    if f["name"] == "nodes")

    def selection(self, name: str, depth: int = 0, path: tuple[str, ...] = (),
                  hops: int = 1) -> str:
        """What to ask of an object: its id and `__typename`, and every field that leads to a
        record, through non-record objects up to a bounded depth, and through `hops` records
        (so a request walks record → record → record: the nested paths an attacker takes)."""
        parts = ["__typename"]
        own = {f["name"] for f in self.types[name].get("fields") or []}
        for f in self.types[name].get("fields") or []:
            arguments = self.page_arguments(f)
            if arguments is None:
                continue
            target = unwrap(f["type"])
            if target["kind"] in ("SCALAR", "ENUM"):
                if f["name"] == "id" or (f["name"] == "goalId" and name in GOAL_ROWS) or (
                        self.labels and (f"{f['name']}Label" in own
                                         or f["name"].endswith("Label"))):
                    parts.append(f["name"])
                continue
            inner = self.inner(target["name"], depth, path, hops)
            if inner:
                parts.append(f"{f['name']}{arguments} {{ {inner} }}")
        return " ".join(parts)

    def inner(self, name: str, depth: int, path: tuple[str, ...],
              hops: int = 0) -> str | None:
        if name == "Node" or (name in self.nodes and hops <= 0):
            return "__typename id"
        if name in self.nodes:
            return self.selection(name, 0, (name,), hops - 1)
        if self.is_connection(name):
            node = self.inner(self.node_of(name), depth, path, hops)
            return (f"totalCount pageInfo {{ hasNextPage }} nodes {{ {node} }}"
                    if node else None)
        if depth >= NON_NODE_DEPTH or name in path or name == "PageInfo":
            return None
        return self.selection(name, depth + 1, (*path, name), hops)

    def page_arguments(self, f: dict[str, Any]) -> str | None:
        """`(first: 20)` for a connection, "" for a plain field, None when a required
        argument cannot be supplied (the field is skipped)."""
        names = {a["name"] for a in f["args"]}
        if any(required(a) for a in f["args"]):
            return None
        return f"(first: {PAGE})" if "first" in names else ""


@dataclass
class Walk:
    """What one principal's walk returned."""

    nodes: set[str]  # the record types (the schema's Node types)
    records: dict[str, str] = field(default_factory=dict)  # global id -> type name
    goal_rows: set[str] = field(default_factory=set)  # goal ids named by rows (GOAL_ROWS)
    counts: list[tuple[str, int, int, bool]] = field(default_factory=list)
    requests: int = 0
    known: dict[str, str] = field(default_factory=dict)  # global id -> type, found before

    def type_of(self, global_id: str) -> str:
        return self.records.get(global_id) or self.known.get(global_id) or type_of(global_id)

    def collect(self, value: Any, where: str = "") -> None:
        if isinstance(value, list):
            for item in value:
                self.collect(item, where)
        elif isinstance(value, dict):
            typename = value.get("__typename")
            if isinstance(value.get("id"), str) and typename in self.nodes:
                self.records.setdefault(value["id"], typename)
            if typename in GOAL_ROWS and value.get("goalId"):
                self.goal_rows.add(value["goalId"])
            if "totalCount" in value and "nodes" in value:
                self.counts.append((where, value["totalCount"], len(value["nodes"]),
                                    value["pageInfo"]["hasNextPage"]))
            for key, item in value.items():
                self.collect(item, f"{where}.{key}")


Post = Callable[[str], dict[str, Any]]


SCHEMA = build_schema()


def nodes_cost(query: str) -> int:
    """What the API's node limit counts for a request."""
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    schema = SCHEMA._schema
    return Cost(schema, {}, {}).of(operation.selection_set, schema.query_type, 1)


def tokens(query: str) -> int:
    return len(re.findall(r"[A-Za-z_]\w*|\d+|[{}():,!\[\]$]|\"[^\"]*\"", query))


def top_level_fields(selection: str) -> list[str]:
    """A selection's fields, each with its arguments and sub-selection."""
    parts, depth, current = [], 0, ""
    for token in re.findall(r"\([^)]*\)|[{}]|[^\s{}()]+", selection):
        if depth == 0 and token not in "{}" and not token.startswith("(") and current:
            parts.append(current.strip())
            current = ""
        depth += {"{": 1, "}": -1}.get(token, 0)
        current += " " + token
    return [p for p in [*parts, current.strip()] if p and p != "__typename"]


def batched(calls: list[str], selection: str, paged: bool) -> Iterator[str]:
    """Aliased calls in requests that stay inside the alias, token and node limits."""
    one = nodes_cost("{ " + f"a0: {calls[0]} {{ {selection} }}" + " }") if calls else 1
    if one > MAX_NODES and calls:
        # A list field (organizationTree) multiplies what it holds: ask for its fields one
        # at a time, with pages of one where that is still too many.
        parts = top_level_fields(selection)
        if len(parts) > 1:
            for part in parts:
                yield from batched(calls, f"__typename {part}", paged)
            return
        selection = selection.replace(f"(first: {PAGE})", "(first: 1)")
        one = nodes_cost("{ " + f"a0: {calls[0]} {{ {selection} }}" + " }")
        if one > MAX_NODES:
            return
    size = max(1, min(15, 1800 // max(1, tokens(selection) + 8), MAX_NODES // max(1, one)))
    for start in range(0, len(calls), size):
        yield "{ " + " ".join(f"a{i}: {c} {{ {selection} }}"
                              for i, c in enumerate(calls[start:start + size])) + " }"


def run(post: Post, query: str, walk: Walk) -> None:
    walk.requests += 1
    answer = post(query)
    for error in answer.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in TOLERATED, (error, query[:300])
    walk.collect(answer.get("data"), "")


def walk(post: Post, schema: Schema, start_ids: list[str], hops: int = 3,
         known: dict[str, str] | None = None) -> Walk:
    """Every root field (those needing ids: fed with the ids found so far, and `nodes` with
    `start_ids`, ids the principal may not read among them), then `hops` hops from what
    was found. `known`: the types of ids found before (an id's type is not always the one
    its global id names: a library indicator's is `Indicator`)."""
    found = Walk(schema.nodes)
    found.known = dict(known or {})
    roots = schema.types[schema.query]["fields"]
    for f in roots:  # roots needing no arguments first: they seed the ids
        if f["name"] in ("node", "nodes") or any(required(a) for a in f["args"]):
            continue
        inner = schema.inner(unwrap(f["type"])["name"], 0, ())
        if inner is None:
            continue
        page = f"(first: {ROOT_PAGE})" if any(a["name"] == "first" for a in f["args"]) else ""
        run(post, f"{{ {f['name']}{page} {{ {inner} }} }}", found)
    for start in range(0, len(start_ids), 100):
        hop(post, schema, start_ids[start:start + 100], found)
    for f in roots:
        if f["name"] in ("node", "nodes") or not any(required(a) for a in f["args"]):
            continue
        calls = root_calls(f, schema, found)
        inner = schema.inner(unwrap(f["type"])["name"], 0, (), 1)
        if calls and inner:
            for query in batched(calls, inner, True):
                run(post, query, found)
    seen: set[str] = set()
    for _ in range(hops):
        fresh = sorted(set(found.records) - seen)
        if not fresh:
            break
        seen |= set(fresh)
        hop(post, schema, fresh, found)
    return found


def type_of(global_id: str) -> str:
    """The type a global id names (a SystemActor's raw id is a name, not a uuid)."""
    return base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[0]


def hop(post: Post, schema: Schema, ids: list[str], found: Walk) -> None:
    """Read records through `nodes(ids)`, one request per type (what the type leads to)."""
    by_type: dict[str, list[str]] = {}
    for global_id in ids:
        by_type.setdefault(found.type_of(global_id), []).append(global_id)
    for type_name in sorted(schema.nodes):
        wanted = by_type.get(type_name, [])
        if not wanted:
            continue
        selection = schema.selection(type_name)

        def query(chosen: list[str], type_name: str = type_name,
                  selection: str = selection) -> str:
            listed = ", ".join(f'"{i}"' for i in chosen)
            return (f"{{ nodes(ids: [{listed}]) {{ __typename id ... on {type_name} "
                    f"{{ {selection} }} }} }}")
        # The node limit counts each id's nested pages: as many ids a request as fit.
        size = max(1, MAX_NODES // max(1, nodes_cost(query(wanted[:1]))))
        for start in range(0, len(wanted), size):
            run(post, query(wanted[start:start + size]), found)


def root_calls(f: dict[str, Any], schema: Schema, found: Walk) -> list[str]:
    """Calls of a root field with required arguments, from the ids found so far: `id` takes
    the records of the type the field returns (any record when it returns something else,
    a few of each type), `partyId` people and organisations, and so on."""
    returns = unwrap(f["type"])["name"]
    options: list[list[str]] = []
    for arg in (a for a in f["args"] if required(a)):
        kind = unwrap(arg["type"])["name"]
        if kind in REQUIRED_VALUES:
            options.append([f"{arg['name']}: {REQUIRED_VALUES[kind]}"])
            continue
        if kind != "ID":
            return []
        if arg["name"] in ID_ARGUMENTS:
            types: tuple[str, ...] = ID_ARGUMENTS[arg["name"]]
        elif returns in schema.nodes:
            types = (returns,)
        else:
            types = tuple(schema.nodes)
        # every record of the world for an argument naming its type (a score card is reached
        # only by its cycle and organisation: a sample of either could miss it)
        ids = [i for t in types for i in sorted(
            g for g, n in found.records.items() if n == t)[:12 if returns not in types else 60]]
        options.append([f'{arg["name"]}: "{i}"' for i in ids])
    calls = [""]
    for choices in options:
        calls = [f"{c}, {choice}" if c else choice for c in calls for choice in choices][:150]
    page = f", first: {PAGE}" if any(a["name"] == "first" for a in f["args"]) else ""
    return [f"{f['name']}({c}{page})" for c in calls if c]

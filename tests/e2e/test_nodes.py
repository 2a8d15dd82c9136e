"""`node` fetches every id the API returns. Generated from the schema: every object type with an
`id: ID!` is a Node (or names another record, listed in REFERENCES); a walk of every field
from every root (`scope_walk`) over a seeded history finds instances of each, with their
scalar fields as the lists show them; `node(id)` must give each back equal, and honour
`asOf`. A type added later without a node fetcher fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.testclient import TestClient

from tests.e2e.scope_walk import TYPE_QUERY, Schema, unwrap, walk
from tests.e2e.test_api import bearer
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

# Types whose `id` names another record (they are views of it, or point at it), not their
# own: `node(id)` must still fetch what they name.
REFERENCES = {"GoalAtDate": "a goal as true on a date", "SanctionBasis": "what a sanction "
              "rests on", "Recorded": "the record a write wrote"}
# A type only a mutation's payload shows, and the write that shows one.
WRITES = {"Recorded": ("mutation($id: ID!) { renameOrganization(input: {organizationId: $id, "
                       "name: \"改名\"}) { recorded { __typename id } } }", "A2")}
PER_TYPE = 6  # instances of each type fetched back


def post(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=bearer())
    assert response.status_code == 200, response.text
    return dict(response.json())


class Scalars(Schema):
    """The walk's schema, asking every record for its scalar fields, not only its id."""

    def scalars(self, name: str) -> list[str]:
        return [f["name"] for f in self.types[name]["fields"]
                if not f["args"] and unwrap(f["type"])["kind"] in ("SCALAR", "ENUM")]

    def inner(self, name: str, depth: int, path: tuple[str, ...],
              hops: int = 0) -> str | None:
        found = super().inner(name, depth, path, hops)
        if found == "__typename id" and name in self.nodes:
            return "__typename " + " ".join(self.scalars(name))
        return found

    def selection(self, name: str, depth: int = 0, path: tuple[str, ...] = (),
                  hops: int = 1) -> str:
        found = super().selection(name, depth, path, hops)
        if name not in self.nodes:
            return found
        return " ".join([found, *(s for s in self.scalars(name) if s != "id")])


def objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from objects(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            yield from objects(item)


def id_types(schema: Schema) -> set[str]:
    return {name for name, t in schema.types.items() if t["kind"] == "OBJECT" and any(
        f["name"] == "id" and f["type"]["kind"] == "NON_NULL"
        and unwrap(f["type"])["name"] == "ID" for f in t.get("fields") or [])}


def test_node_fetches_every_id_the_api_returns_as_its_lists_show_it(world) -> None:  # noqa: F811
    client, ids = world
    schema = Scalars.load(post(client, TYPE_QUERY)["data"]["__schema"])
    with_ids = id_types(schema)
    strays = with_ids - schema.nodes - set(REFERENCES)
    assert not strays, f"types with an id that node cannot fetch: make them Nodes {strays}"
    answers: list[dict[str, Any]] = []

    def collect(query: str) -> dict[str, Any]:
        answer = post(client, query)
        if query.startswith("{ nodes(ids:"):  # the walk's hops: what the records lead to,
            answers.append({"data": [list(n.values()) for n in answer["data"]["nodes"] if n]})
        else:  # not the records `node` itself gave back
            answers.append(answer)
        return answer

    found = walk(collect, schema, [], hops=2)
    # A score card lists the evaluations and adjustments of one organisation in a cycle.
    card = schema.inner("ScoreCardView", 0, ())
    for cycle in [i for i, t in found.records.items() if t == "AssessmentCycle"]:
        assessed = post(client, "query($id: ID!) { assessmentCycle(id: $id) { "
                                "organizations { id } } }", id=cycle)
        for organization in assessed["data"]["assessmentCycle"]["organizations"]:
            collect(f'{{ scoreCard(cycleId: "{cycle}", organizationId: "{organization["id"]}")'
                    f" {{ {card} }} }}")
    for type_name, (mutation, key) in WRITES.items():
        answers.append({"data": post(client, mutation, id=ids[key])["data"]})
        assert type_name in str(answers[-1]), answers[-1]
    shown: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for value in objects([a.get("data") for a in answers]):
        typename = value.get("__typename")
        if typename in with_ids and isinstance(value.get("id"), str):
            scalars = {k: v for k, v in value.items() if k in schema.scalars(typename)
                       or k == "__typename"}
            shown.setdefault(typename, {}).setdefault(value["id"], []).append(scalars)
    missing = with_ids - set(shown)
    assert not missing, f"seed an instance of each type in the history: {missing}"
    for type_name, instances in sorted(shown.items()):
        chosen = sorted(instances)[:PER_TYPE]
        fields = "" if type_name in REFERENCES else " ".join(schema.scalars(type_name))
        back = post(client, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id "
                            f"{f'... on {type_name} {{ {fields} }}' if fields else ''} }} }}",
                    ids=chosen)["data"]["nodes"]
        for global_id, node in zip(chosen, back, strict=True):
            assert node is not None, (type_name, global_id, "node gives nothing back")
            assert node["id"] == global_id
            if type_name not in REFERENCES:  # as some list showed it (a cycle's copy of an
                # indicator and the library's share an id)
                assert any(all(node[k] == v for k, v in shown_as.items())
                           for shown_as in instances[global_id]), (
                    type_name, node, instances[global_id])


def test_node_answers_as_of_a_moment_for_every_record_type(world) -> None:  # noqa: F811
    """Before the records existed: null; as of a moment after: the record, carrying the
    position it answers for."""
    client, _ = world
    schema = Scalars.load(post(client, TYPE_QUERY)["data"]["__schema"])
    found = walk(lambda q: post(client, q), schema, [], hops=1)
    head = post(client, "{ auditChain { head { recordedAt } } }")["data"]["auditChain"]["head"]
    by_type: dict[str, str] = {}
    for global_id, type_name in sorted(found.records.items()):
        by_type.setdefault(type_name, global_id)
    assert {"Evaluation", "Adjustment", "Indicator", "LetterAmendment",
            "RectificationMeasure"} <= set(by_type), sorted(by_type)
    query = ("query($id: ID!, $at: DateTime) { node(id: $id, asOf: $at) { __typename id "
             "asOfPosition } }")
    for type_name, global_id in sorted(by_type.items()):
        if type_name == "SystemActor":  # a name, not a record: the same at every moment
            continue
        before = post(client, query, id=global_id, at="2000-01-01T00:00:00+00:00")
        assert before["data"]["node"] is None, (type_name, before)
        then = post(client, query, id=global_id, at=head["recordedAt"])["data"]["node"]
        assert then is not None and then["id"] == global_id, (type_name, then)
        assert isinstance(then["asOfPosition"], int), (type_name, then)

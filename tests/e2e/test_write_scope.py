"""Every party a mutation names is authorised, not only the organisation it acts on.

Generated from the schema: each Mutation field's input is read by introspection, and each of
its fields that names a record (an ID, a list of IDs, or input objects holding IDs) is a
party. Starting from an input whose parties all lie in branch A's subtree, one party at a time
is swapped for branch B's: every role scoped to A (an admin grant, the secretary, a member,
an evaluator, an inspector over A, a person with no role) is then FORBIDDEN and nothing is
written. A new mutation or a new party field without an entry here fails the completeness
test. Named cases replay the cross-subtree writes an attacker found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from tests.e2e.test_api import bearer, events
from tests.e2e.test_authorization import (  # noqa: F401  (world: the fixture)
    ALLOWED,
    CASES,
    JUDGING,
    _raw,
    call,
    world,
)

World = tuple[TestClient, dict[str, str]]

# Parties whose B value is not the case table's: people who hold posts in B (the table's
# newB holds none, and anyone's manager may appoint such a person).
OUTSIDE: dict[tuple[str, str], str] = {
    ("appointToPost", "personId"): "secB",
    ("grantRole", "personId"): "secB",
    ("revokeRole", "personId"): "secB",
}
# Optional parties the case table leaves out: (value on side A, value on side B).
EXTRA: dict[tuple[str, str], tuple[Any, Any]] = {
    ("draftGoal", "parentId"): ("gA", "gB"),
    ("draftLetter", "goalIds"): (["lgA"], ["lgB"]),
    ("proposeProject", "goalIds"): (["gA"], ["gB"]),
    ("raiseFinding", "goalId"): ("gA", "gB"),
    ("raiseFinding", "evaluationId"): ("evA", "evB"),
    ("draftCycle", "routineCycleIds"): (["cycA"], ["cycB"]),
}
# Fields that name a record but are no party of their own, and why.
NOT_PARTIES: dict[tuple[str, str], str] = {
    ("reviseIndicator", "indicatorId"): "the indicator library is shared by every cycle",
    ("openCycle", "indicatorIds"): "the indicator library is shared by every cycle",
    ("evaluate", "itemId"): "an item of the cycle and organisation (the domain checks it)",
    ("reweightSubgoals", "weights"): "the parent's own subgoals (the domain checks them)",
    ("draftGoal", "siblingWeights"): "the parent's own subgoals (the domain checks them)",
    ("cancelGoal", "siblingWeights"): "the parent's own subgoals (the domain checks them)",
    ("proposeAmendment", "weights"): "the amended goal's siblings (the domain checks them)",
    ("selfCheckBranch", "standardId"): "the standard over the branch (the domain checks that "
                                        "it governs the branch)",
    ("approveAmendment", "amendmentId"): "an amendment of the letter (the domain checks it)",
    ("rejectAmendment", "amendmentId"): "an amendment of the letter (the domain checks it)",
    ("approveAdjustment", "adjustmentId"): "an item of the cycle (the domain checks it)",
    ("revokeResponsibility", "partyId"): "taking a duty off one's own goal, whoever holds it",
}
ROLES = ("admin of A", "secretary", "member", "evaluator", "inspector of A", "nobody")


@pytest.fixture
def scoped(world: World) -> Iterator[World]:  # noqa: F811
    """The authorization world, with an inspector over branch A and a person with no role."""
    client, ids = world
    services = client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    extra = {key: app.register_person("admin", name=key, party_member=True).id
             for key in ("inspA", "nobody", "evB1", "evB2")}
    app.grant_role("admin", extra["inspA"], role="inspector",
                   organization_id=UUID(_raw(ids["A"])), reason="支部纪检")
    for key in ("evB1", "evB2"):
        app.grant_role("admin", extra[key], role="evaluator",
                       organization_id=UUID(_raw(ids["B"])), reason="群众评价")
    assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
    from app.graphql.kit.ids import to_global_id

    yield client, {**ids, **{k: to_global_id("Person", v) for k, v in extra.items()}}


def principals(ids: dict[str, str]) -> dict[str, dict[str, str]]:
    person = {"admin of A": "adminA", "secretary": "secA", "member": "memA",
              "evaluator": "evaluator", "inspector of A": "inspA", "nobody": "nobody",
              "evaluator of B": "evB2"}
    return {role: bearer(f"person:{_raw(ids[key])}") for role, key in person.items()}


def schema_inputs(client: TestClient) -> dict[str, tuple[str, list[str]]]:
    """Each mutation's input type and the fields of it that name records."""
    result = client.post("/graphql", headers=bearer(), json={"query": """{ __schema {
        mutationType { fields { name args { name type { ...T } } } }
        types { name kind inputFields { name type { ...T } } } } }
        fragment T on __Type { kind name ofType { kind name ofType { kind name ofType {
          kind name ofType { kind name } } } } }"""}).json()
    types = {t["name"]: t for t in result["data"]["__schema"]["types"]}

    def named(type_: dict[str, Any]) -> str:
        while type_.get("ofType"):
            type_ = type_["ofType"]
        return str(type_["name"])

    def names_records(type_name: str) -> bool:
        if type_name == "ID":
            return True
        fields = types[type_name].get("inputFields") or []
        return any(names_records(named(f["type"])) for f in fields)

    found = {}
    for field in result["data"]["__schema"]["mutationType"]["fields"]:
        (arg,) = field["args"]
        input_type = named(arg["type"])
        found[field["name"]] = (input_type, [
            f["name"] for f in types[input_type]["inputFields"] if names_records(named(f["type"]))])
    return found


def resolve(ids: dict[str, str], value: Any) -> Any:
    if isinstance(value, list):
        return [ids[v] for v in value]
    return ids[value]


def variants(client: TestClient, ids: dict[str, str],
             ) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(mutation, input type, party field, input with that party in B and the rest in A)."""
    table = {case[0]: case for case in CASES}
    made = []
    for mutation, (input_type, fields) in schema_inputs(client).items():
        _, _, make = table[mutation]
        inside, outside = make(ids, "A"), make(ids, "B")
        for (name, field), (a, b) in EXTRA.items():
            if name == mutation:
                inside[field], outside[field] = resolve(ids, a), resolve(ids, b)
        for field in fields:
            if (mutation, field) in NOT_PARTIES:
                continue
            assert field in inside, f"{mutation}.{field}: give it a value in EXTRA"
            swapped = (ids[OUTSIDE[(mutation, field)]] if (mutation, field) in OUTSIDE
                       else outside[field])
            assert swapped != inside[field], f"{mutation}.{field} is the same on both sides"
            made.append((mutation, input_type, field, {**inside, field: swapped}))
    return made


def mutate(client: TestClient, headers: dict[str, str], name: str, input_type: str,
           given: dict[str, Any]) -> dict[str, Any]:
    return call(client, headers, (name, input_type, lambda i, s: given), {}, "")


def refused(client: TestClient, headers: dict[str, str], name: str, input_type: str,
            given: dict[str, Any], why: str = "") -> None:
    before = events(client)
    result = mutate(client, headers, name, input_type, given)
    codes = [e["extensions"]["code"] for e in result.get("errors", [])]
    assert codes == ["FORBIDDEN"], (name, why, given, result)
    assert events(client) == before, (name, why, given)


def test_the_table_covers_every_mutation_and_every_party_field(scoped: World) -> None:
    client, ids = scoped
    inputs = schema_inputs(client)
    assert set(inputs) == {case[0] for case in CASES}, "a mutation without a case"
    for (mutation, field) in [*OUTSIDE, *EXTRA, *NOT_PARTIES]:
        assert field in inputs[mutation][1], f"{mutation}.{field} names no record"
    swapped = {(m, f) for m, _, f, _ in variants(client, ids)}
    for mutation, (_, fields) in inputs.items():
        for field in fields:
            assert (mutation, field) in swapped | set(NOT_PARTIES), (mutation, field)
    # Each swapped party proves something: some role scoped to A may make the call inside
    # (a branch's level is judged from above it: nobody scoped to the branch may, inside or
    # out; test_authorization holds the committee's side).
    for mutation, _ in swapped:
        assert mutation in JUDGING or any(mutation in ALLOWED[role]["inside"]
                                          for role in ALLOWED if role != "admin"), mutation


def test_one_party_outside_the_subtree_is_forbidden_for_every_role(scoped: World) -> None:
    client, ids = scoped
    headers = principals(ids)
    cases = variants(client, ids)
    assert len(cases) > 60
    for role in ROLES:
        for mutation, input_type, field, given in cases:
            refused(client, headers[role], mutation, input_type, given, f"{role}: {field}")


def test_a_person_with_no_role_may_change_nothing(scoped: World) -> None:
    client, ids = scoped
    nobody = principals(ids)["nobody"]
    for name, input_type, make in CASES:
        refused(client, nobody, name, input_type, make(ids, "A"))


def test_an_inspector_over_a_branch_inspects_it_only(scoped: World) -> None:
    client, ids = scoped
    inspector = principals(ids)["inspector of A"]
    for name, input_type, make in CASES:
        if name in ALLOWED["inspector"]["inside"]:
            continue
        refused(client, inspector, name, input_type, make(ids, "A"))
    for name, input_type, make in CASES:
        if name in ALLOWED["inspector"]["inside"]:
            result = mutate(client, inspector, name, input_type, make(ids, "A"))
            assert "errors" not in result, (name, result)

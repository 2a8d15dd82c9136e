"""Scope where data is fetched, at every depth: for each kind of principal, a walk generated
from the schema (`scope_walk`) follows every field that leads to a record, from every root and
from every record found, to a bounded depth; every record that comes back must lie in the
principal's scope, worked out here from the fixture world (not from the server's policy), and
every connection's `totalCount` must agree with its nodes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from domain.values import Period, quantitative
from tests.e2e.scope_walk import TYPE_QUERY, Schema, Walk, walk
from tests.e2e.test_api import bearer
from tests.e2e.test_authorization import SCHEME, world  # noqa: F401  (the fixture)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
TREE = {"A": "C", "B": "C", "A1": "A", "A2": "A", "B1": "B", "B2": "B"}
# Who reads what: (person key, the organisations where it holds a role); None: everything.
PRINCIPALS: dict[str, tuple[str | None, tuple[str, ...] | None]] = {
    "administrator": (None, None),
    "admin of A": ("adminA", ("A",)),
    "secretary of A": ("secA", ("A",)),
    "member of A": ("memA", ("A",)),
    "evaluator over A": ("evaluator", ("A",)),
    "inspector over A1": ("inspA1", ("A1",)),
    "nobody": ("newA", ()),
}
GRANTS = {"adminA": "A", "inspector": "C", "evaluator": "A", "inspA1": "A1"}
OWNERS = """{ nodes(ids: $ids) { __typename id
  ... on Goal { organization { id } } ... on Finding { organization { id } }
  ... on Project { organization { id } } ... on Commitment { organizationId }
  ... on Sanction { organizationId }
  ... on ResponsibilityLetter { issuer { id } recipient { id } }
  ... on AssessmentCycle { organizer { id } organizations { id } }
  ... on Meeting { organization { id } } ... on MeetingRuleSet { organization { id } }
  ... on BranchStandard { organization { id } }
  ... on BranchStandardisation { organization { id } }
  ... on Evaluation { organization { id } } ... on Adjustment { organization { id } }
  ... on LetterAmendment { letter { issuer { id } recipient { id } } }
  ... on RectificationMeasure { finding { organization { id } } }
  ... on MemberEvaluationRound { organization { id } }
  ... on PioneerPost { organization { id } } } }"""
# Records of no organisation, which every principal reads (as it reads their list).
EVERYONES = {"SystemActor", "Indicator"}


def raw(global_id: str) -> str:
    return str(from_global_id(global_id)[1])


@pytest.fixture
def scoped(world: tuple[TestClient, dict[str, str]],  # noqa: F811
           ) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The authorization world and more that crosses the branches: a committee goal C with
    subgoals in A and B, a committee secretary who acts in A, a person with posts in both
    branches responsible for goals in both, A's member responsible for a goal of B, a cycle
    run by the committee over both branches, an inspector over the group A1."""
    client, ids = world
    services = client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    uid = {key: from_global_id(value)[1] for key, value in ids.items()}

    def goal(title: str, org: str, level: str, parent: str | None = None) -> Any:
        return app.draft_goal("admin", level=level, organization_id=uid[org], field="political",
                              title=title, period=YEAR, indicator=quantitative("次", 0, 12),
                              weight=50 if parent else 100,
                              parent_id=uid[parent] if parent else None).id

    uid["gC"] = goal("gC", "C", "term")
    uid["subA"] = goal("subA", "A", "annual", "gC")
    uid["subB"] = goal("subB", "B", "annual", "gC")
    for key in ("gC", "subA", "subB"):
        app.issue_goal("admin", uid[key])
    uid["secC"] = app.register_person("admin", name="secC", party_member=True).id
    app.appoint("admin", uid["secC"], organization_id=uid["C"], post="secretary")
    uid["twoAB"] = app.register_person("admin", name="twoAB", party_member=True).id
    for org in ("A1", "B1"):
        app.appoint("admin", uid["twoAB"], organization_id=uid[org], post="member")
    for goal_key in ("gA", "gB", "subB"):
        app.assign_responsibility(f"person:{uid['secC']}", uid[goal_key], party_kind="person",
                                  party_id=uid["twoAB"], kind="specific", reason="分工")
    app.assign_responsibility("admin", uid["gB"], party_kind="person", party_id=uid["memA"],
                              kind="specific", reason="分工")
    uid["inspA1"] = app.register_person("admin", name="inspA1", party_member=True).id
    app.grant_role("admin", uid["inspA1"], role="inspector", organization_id=uid["A1"],
                   reason="纪检")
    # The committee's secretary reports on A's goal and follows up A's commitment: facts of
    # records A reads, by a person A's readers may not read (null to them, never a leak).
    app.report_progress(f"person:{uid['secC']}", uid["subA"], value=3,
                        effective_date=date(2026, 3, 31), evidence=["记录.pdf"])
    app.follow_up_commitment(f"person:{uid['secC']}", uid["commitmentA"],
                             note="督导", evidence=[], effective_date=date(2026, 3, 31))
    app.report_progress(f"person:{uid['secA']}", uid["gA"], value=4,
                        effective_date=date(2026, 4, 30))
    cycle = app.draft_cycle("admin", title="全委考核", kind="routine", cadence="quarterly",
                            period=YEAR, organizer_id=uid["C"],
                            organization_ids=[uid["A"], uid["B"]], scheme=SCHEME).id
    app.open_cycle("admin", cycle, indicator_ids=[uid["indA"]])
    assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
    for key in ("gC", "subA", "subB"):
        ids[key] = to_global_id("Goal", uid[key])
    for key in ("secC", "twoAB", "inspA1"):
        ids[key] = to_global_id("Person", uid[key])
    ids["cycC"] = to_global_id("AssessmentCycle", cycle)
    yield client, ids


class Truth:
    """Who owns each record, as the administrator reads it, and what a principal's scope is,
    from the fixture world."""

    def __init__(self, client: TestClient, ids: dict[str, str], everything: Walk) -> None:
        self.client = client
        self.org = {raw(ids[key]): key for key in ("C", *TREE)}
        self.owners: dict[str, set[str]] = {}
        self.learn(sorted(everything.records))
        members = post(client, bearer(), "{ organizations(first: 30) { nodes { id "
                                         "members(first: 30) { nodes { person { id } } } } } }")
        self.affiliations: dict[str, set[str]] = {}
        for org in members["data"]["organizations"]["nodes"]:
            for member in org["members"]["nodes"]:
                self.affiliations.setdefault(member["person"]["id"], set()).add(raw(org["id"]))
        for person, org in GRANTS.items():
            self.affiliations.setdefault(ids[person], set()).add(raw(ids[org]))

    def learn(self, records: list[str]) -> None:
        """Who owns these records, as the administrator reads them."""
        # fifty at a time: each id may cost a dozen nodes (a cycle's organisations, …)
        for start in range(0, len(records), 50):
            answer = post(self.client, bearer(), OWNERS.replace("$ids", str(
                records[start:start + 50]).replace("'", '"')))
            assert answer.get("data"), answer
            found = answer["data"]["nodes"]
            for record in found:
                assert record is not None, ("the administrator reads every record", found)
                self.owners[record["id"]] = set(owners_in(
                    {k: v for k, v in record.items() if k not in ("__typename", "id")}))

    def below(self, key: str) -> set[str]:
        return {key} | {k for child, parent in TREE.items() if parent == key
                        for k in self.below(child)}

    def above(self, key: str) -> set[str]:
        return {TREE[key], *self.above(TREE[key])} if key in TREE else set()

    def allowed(self, ids: dict[str, str], roots: tuple[str, ...], me: str | None,
                global_id: str, type_name: str) -> bool:
        subtree = {raw(ids[k]) for root in roots for k in self.below(root)}
        outline = {raw(ids[k]) for root in roots for k in self.above(root)}
        if type_name in EVERYONES:  # an actor named by a record, the indicator library
            return True
        if type_name == "Organization":
            return raw(global_id) in subtree | outline
        if type_name == "Person":
            return global_id == me or bool(self.affiliations.get(global_id, set()) & subtree)
        if global_id not in self.owners:  # the administrator's bounded walk may miss a record
            self.learn([global_id])  # a narrower principal's walk reaches (pages of 10)
        assert global_id in self.owners, f"teach the test who owns a {type_name}"
        return bool(self.owners[global_id] & subtree)


def owners_in(value: Any) -> Iterator[str]:
    """The raw ids of the organisations an OWNERS answer names, at any depth."""
    if isinstance(value, list):
        for item in value:
            yield from owners_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from [raw(item)] if key == "id" else owners_in(item)
    elif isinstance(value, str):
        yield raw(value)


def post(client: TestClient, headers: dict[str, str], query: str,
         **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_walk_of_every_field_returns_only_what_each_principal_may_read(scoped) -> None:
    client, ids = scoped
    schema = Schema.load(post(client, bearer(), TYPE_QUERY)["data"]["__schema"])
    admin_walk = walk(lambda q: post(client, bearer(), q), schema, [])
    universe = sorted(admin_walk.records)
    truth = Truth(client, ids, admin_walk)
    b_side = {ids[k] for k in ("B", "B1", "gB", "subB", "secB", "findingB", "signedB",
                               "projectB", "cycB", "commitmentB", "sanctionB", "meetingB",
                               "rulesB", "standardB", "evB", "adjB", "approveB", "indB",
                               "evaluationB", "pioneerB")}
    assert b_side <= set(universe), "the administrator's walk must reach the other branch"
    for name, (person, roots) in PRINCIPALS.items():
        headers = bearer(f"person:{raw(ids[person])}") if person else bearer()
        me = ids[person] if person else None
        found = walk(lambda q, h=headers: post(client, h, q), schema, universe,  # type: ignore[misc]
                     known=admin_walk.records)
        if roots is None:
            assert set(found.records) >= set(universe), name
        else:
            leaks = sorted((t, i) for i, t in found.records.items()
                           if not truth.allowed(ids, roots, me, i, t))
            assert not leaks, (name, leaks[:5], len(leaks))
            goals = [g for g in found.goal_rows
                     if not truth.allowed(ids, roots, me, g, "Goal")]
            assert not goals, (name, "rows name goals outside the scope", goals)
        for where, total, nodes, more in found.counts:
            assert total == nodes if not more else total > nodes, (name, where, total, nodes)
        if roots == ("A",):  # it sees its own world, and the committee only by name
            assert {ids[k] for k in ("A", "A1", "A2", "C", "gA", "subA", "findingA",
                                     "signedA", "projectA", "twoAB", "memA", "meetingA",
                                     "rulesA", "standardA", "evA", "adjA", "approveA",
                                     "evaluationA", "pioneerA")} <= set(
                found.records), name
            assert not {ids["gC"], ids["secC"]} & set(found.records), name
        if name == "nobody":
            assert {i for i, t in found.records.items() if t not in EVERYONES} == {me}, \
                found.records


def test_walking_up_and_down_from_ones_own_records_stays_inside(scoped) -> None:
    """The two walks the held-out attacker test took, as the secretary of A."""
    client, ids = scoped
    secretary = bearer(f"person:{raw(ids['secA'])}")
    organization = post(client, secretary, """query($id: ID!) { organization(id: $id) { ancestors {
        name children(first: 3) { totalCount nodes { name members(first: 5) { nodes { post
        person { name responsibilities(first: 2) { totalCount nodes { goalTitle } } } } } } }
        members(first: 20) { totalCount } } } }""", id=ids["A"])["data"]["organization"]
    assert [a["name"] for a in organization["ancestors"]] == ["C"]
    committee = organization["ancestors"][0]
    assert committee["members"]["totalCount"] == 0  # the committee's secretary: not ours
    assert [c["name"] for c in committee["children"]["nodes"]] == ["A"]
    assert committee["children"]["totalCount"] == 1
    people = {m["person"]["name"]: m["person"]["responsibilities"]
              for c in committee["children"]["nodes"] for m in c["members"]["nodes"]}
    assert set(people) == {"secA", "memA", "pioA"}  # pioA: the pioneer world's holder
    assert people["memA"]["totalCount"] == 1  # gA; not gB, its other duty
    assert [r["goalTitle"] for r in people["memA"]["nodes"]] == ["gA"]
    goal = post(client, secretary, "query($id: ID!) { goal(id: $id) { title parent { title } } }",
                id=ids["subA"])["data"]["goal"]
    assert goal == {"title": "subA", "parent": None}  # the committee's goal is not ours
    twins = post(client, secretary, """query($id: ID!) { person(id: $id) {
        responsibilities(first: 5) { totalCount nodes { goalTitle } } } }""",
                 id=ids["twoAB"])["data"]["person"]
    assert twins["responsibilities"] == {"totalCount": 1, "nodes": [{"goalTitle": "gA"}]}
    assert post(client, secretary, "query($id: ID!) { node(id: $id) { id } }",
                id=ids["C"])["data"]["node"] == {"id": ids["C"]}  # breadcrumbs, by id too

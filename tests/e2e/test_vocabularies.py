"""Closed vocabularies over HTTP: every enum is a vocabulary of domain/labels.py with Chinese
descriptions, every code a person reads has its Chinese label beside it (checked on the whole
demo by a schema-driven walk), and a wrong code is a validation error that writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo
from app.graphql.kit.vocab import VOCABULARIES
from app.http import create_app
from app.settings import Settings
from domain import labels
from tests.e2e.scope_walk import TYPE_QUERY, Schema, unwrap, walk
from tests.e2e.test_api import SECRET, events, gql

CHINESE = re.compile(r"[\u4e00-\u9fff]")
NOT_VOCABULARIES = {"WriteStatus"}  # how a mutation's write stands: the API's own, English
# Labels the demo gives the walk nothing to read through: it records no meetings or rules,
# its cycle is published (nothing pending), roles sit behind `viewer`, events come by
# subscription.
NOT_IN_THE_DEMO = {"Attendance.statusLabel", "KindCompliance.kindLabel", "Meeting.kindLabel",
                   "Meeting.statusLabel", "MeetingRule.cadenceLabel",
                   "MeetingRule.meetingKindLabel", "MeetingRule.organizationKindLabel",
                   "PendingEvaluation.evaluatorKindLabel", "RecordedEvent.aggregateTypeLabel",
                   "RecordedEvent.eventTypeLabel", "RoleHeld.roleLabel"}
INTROSPECT = """{ __schema { types { name kind description
  enumValues { name description }
  fields { name type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""


@pytest.fixture(scope="module")
def schema_types(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('vocab') / 'dengta.db'}"
    with TestClient(create_app(Settings(database_url=url, jwt_secret=SECRET))) as client:
        data = gql(client, INTROSPECT)["data"]["__schema"]["types"]
    return {t["name"]: t for t in data if not t["name"].startswith("__")}


@pytest.fixture
def demo(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url,
                                        jwt_secret=SECRET))) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        load_demo(services.app)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 60)
        yield client


def test_every_enum_is_a_vocabulary_described_in_chinese(schema_types) -> None:
    enums = {name: t for name, t in schema_types.items() if t["kind"] == "ENUM"}
    assert set(enums) - NOT_VOCABULARIES == {v.name for v in VOCABULARIES}
    for vocabulary in VOCABULARIES:
        found = enums[vocabulary.name]
        assert CHINESE.search(found["description"]), vocabulary.name
        assert {v["name"]: v["description"] for v in found["enumValues"]} == dict(
            vocabulary.labels)


def test_every_code_output_field_has_its_label_beside_it(schema_types) -> None:
    vocabularies = {v.name for v in VOCABULARIES}
    coded = 0
    for type_name, t in schema_types.items():
        fields = {f["name"]: f["type"] for f in t.get("fields") or []}
        for name, kind in fields.items():
            if unwrap(kind)["name"] not in vocabularies:
                continue
            coded += 1
            label = fields.get(f"{name}Label")
            assert label is not None, f"{type_name}.{name} has no {name}Label"
            assert unwrap(label)["name"] == "String", (type_name, name)
            assert (label["kind"] == "NON_NULL") == (kind["kind"] == "NON_NULL"), (type_name, name)
    assert coded >= 40


def test_the_vocabularies_query_lists_every_code_with_its_label(demo) -> None:
    found = gql(demo, "{ vocabularies { name description values { code label } } }")[
        "data"]["vocabularies"]
    by_name = {v["name"]: v for v in found}
    assert set(by_name) == {v.name for v in VOCABULARIES}
    assert by_name["GoalLevel"]["values"] == [
        {"code": code, "label": label} for code, label in labels.GOAL_LEVELS.items()]


def test_a_walk_of_the_demo_reads_every_label_in_chinese(demo) -> None:
    answers: list[dict[str, Any]] = []

    def post(query: str) -> dict[str, Any]:
        answer = gql(demo, query)
        answers.append(answer)
        return answer

    schema = Schema.load(gql(demo, TYPE_QUERY)["data"]["__schema"])
    schema.labels = True
    walk(post, schema, [], hops=2)
    seen: dict[str, set[str]] = {}

    def collect(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("Label") and isinstance(item, str):
                    code = value.get(key.removesuffix("Label"))
                    assert CHINESE.search(item) and item != code, (value["__typename"], key,
                                                                   item)
                    seen.setdefault(f"{value['__typename']}.{key}", set()).add(item)
                collect(item)

    for answer in answers:
        collect(answer.get("data"))
    assert seen["Goal.statusLabel"] == {"已下达"}  # the demo's goals are all issued
    every = {f"{t['name']}.{f['name']}" for t in schema.types.values()
             for f in t.get("fields") or [] if f["name"].endswith("Label")}
    assert every - set(seen) <= NOT_IN_THE_DEMO, sorted(every - set(seen) - NOT_IN_THE_DEMO)


@pytest.mark.parametrize(("document", "variables", "named"), [
    ("{ goals(first: 5, level: specifc) { totalCount } }", {}, ["GoalLevel", "specific"]),
    ("query($l: GoalLevel) { goals(first: 5, level: $l) { totalCount } }", {"l": "specifc"},
     ["GoalLevel", "specific"]),
    ('{ findings(first: 5, status: "open") { totalCount } }', {}, ["FindingStatus", "open"]),
])
def test_a_wrong_code_in_a_filter_is_a_validation_error(demo, document, variables,
                                                        named) -> None:
    answer = gql(demo, document, **variables)
    assert answer.get("data") is None
    [error] = answer["errors"]
    assert all(word in error["message"] for word in named), error["message"]


REGISTER = """mutation($kind: OrganizationKind!) { registerOrganization(input: {
  name: "新党委", kind: $kind, category: "机关"}) { organization { id } userErrors { code } } }"""


def test_a_wrong_code_in_a_mutation_input_writes_nothing(demo) -> None:
    before = events(demo)
    answer = gql(demo, REGISTER, kind="commitee")
    assert answer.get("data") is None
    assert "OrganizationKind" in answer["errors"][0]["message"]
    inline = gql(demo, """mutation { registerOrganization(input: {name: "新党委",
      kind: COMMITTEE, category: "机关"}) { userErrors { code } } }""")
    assert "committee" in inline["errors"][0]["message"]  # it names the allowed value
    assert events(demo) == before
    done = gql(demo, REGISTER, kind="committee")["data"]["registerOrganization"]
    assert done["userErrors"] == [] and done["organization"]["id"]

"""The work bench/peer.py gives both sides: each query as dengta's API and PostGraphile's
schema ask it, and how each side's answer is put into one comparable shape (raw ids, lower-case
kinds, numbers as numbers), so that the harness can refuse to measure sides that differ."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.graphql.kit.ids import from_global_id
from bench.api import PAGE, REPORT
from bench.peer_data import Seeded

Json = dict[str, Any]

PEER_PAGE = """query { goals(first: 50, orderBy: [PERIOD_START_ASC, TITLE_ASC, ID_ASC]) {
  totalCount nodes { id title level status weight periodStart indicator
  progress { reports value completion } organization { name }
  responsibilities(first: 5, orderBy: [KIND_ASC, PARTY_ID_ASC]) { nodes { kind partyId } } } } }"""
PEER_PAGE_AS_OF = """query($at: Datetime!) { goals: goalsAsOf(at: $at, first: 50,
  orderBy: [PERIOD_START_ASC, TITLE_ASC, ID_ASC]) {
  totalCount nodes { id title level status weight periodStart indicator
  progress: progressAt(at: $at) { reports value completion }
  organization: organizationAt(at: $at) { name }
  responsibilities: responsibilitiesAt(at: $at, first: 5, orderBy: [KIND_ASC, PARTY_ID_ASC]) {
  nodes { kind partyId } } } } }"""
SCOREBOARD = """query($c: ID!) { scoreboard(cycleId: $c, first: 50) { totalCount nodes {
  organization { name } category combined partyBuilding business grade categoryRank
  overallRank byKind { organizational mass self social } } } }"""
PEER_SCOREBOARD = """query($c: UUID!) { scoreboard: standings(condition: {cycleId: $c},
  orderBy: PLACE_ASC, first: 50) { totalCount nodes { organization { name } category combined
  partyBuilding business grade categoryRank overallRank organizational mass self social } } }"""
ACCOUNTABILITY = """query($p: ID!) { accountability(partyId: $p) { goals(first: 50) {
  totalCount nodes { goalId title level status kind since } } } }"""
PEER_ACCOUNTABILITY = """query($p: UUID!) { goals: accountableGoals(condition: {partyId: $p},
  orderBy: [KIND_ASC, TITLE_ASC, GOAL_ID_ASC], first: 50) {
  totalCount nodes { goalId title level status kind since } } }"""
PEER_REPORT = """mutation($id: UUID!, $v: BigFloat!) { createProgressReport(input: {
  progressReport: {goalId: $id, value: $v, effectiveDate: "2026-09-30"}}) {
  progressReport { goal { progress { reports } } } } }"""
TYPENAME = {"query": "{ __typename }"}


def raw(global_id: str) -> str:
    return str(from_global_id(global_id)[1])


def number(value: Any) -> Decimal | None:
    """A figure either side may give as a number or a decimal string, to six places."""
    return None if value is None else round(Decimal(str(value)), 6)


def _goal(node: Json, ids: Callable[[str], str]) -> Json:
    progress = node["progress"] or {"reports": 0, "value": None, "completion": None}
    holders = node.get("responsible") or node["responsibilities"]
    return {
        "id": ids(node["id"]), "title": node["title"], "level": node["level"],
        "status": node["status"], "weight": node["weight"],
        "periodStart": node["periodStart"], "indicator": node["indicator"],
        "progress": (progress["reports"], number(progress["value"]),
                     number(progress["completion"])),
        "organization": node["organization"]["name"],
        "responsible": [(h["kind"].lower(), ids(h["partyId"])) for h in holders["nodes"]],
    }


def goals_page(data: Json, ids: Callable[[str], str]) -> Json:
    page = data["goals"]
    return {"total": page["totalCount"], "rows": [_goal(n, ids) for n in page["nodes"]]}


def standings(data: Json) -> Json:
    page = data["scoreboard"]
    rows = []
    for node in page["nodes"]:
        scores = node.get("byKind") or node
        rows.append({
            "organization": node["organization"]["name"], "category": node["category"],
            **{name: number(node[name]) for name in ("combined", "partyBuilding", "business")},
            "grade": node["grade"], "ranks": (node["categoryRank"], node["overallRank"]),
            "byKind": [number(scores[kind])
                       for kind in ("organizational", "mass", "self", "social")],
        })
    return {"total": page["totalCount"], "rows": rows}


def accountable(page: Json, ids: Callable[[str], str]) -> Json:
    return {"total": page["totalCount"],
            "rows": [{"goal": ids(n["goalId"]), "title": n["title"], "level": n["level"],
                      "status": n["status"], "kind": n["kind"].lower(), "since": n["since"]}
                     for n in page["nodes"]]}


@dataclass(frozen=True)
class Work:
    label: str
    ours: list[Json]  # request bodies, posted in turn
    peers: list[Json]
    # Each side's answer in the shared shape (None: nothing to compare but success).
    ours_shape: Callable[[Json], Any] | None = None
    peer_shape: Callable[[Json], Any] | None = None
    concurrency: int = 16


def works(seeded: Seeded) -> dict[str, Work]:
    """The works by key, in the order they run."""
    moment = {"at": seeded.moment}
    cycle, person = seeded.cycle_id, seeded.person_id
    reports = [(goal, str(n % 12)) for n in range(12) for goal in seeded.goal_ids]
    ours_reports = [{"query": REPORT, "variables": {"id": g, "v": v}} for g, v in reports]
    peer_reports = [{"query": PEER_REPORT, "variables": {"id": raw(g), "v": v}}
                    for g, v in reports]

    def same_id(value: str) -> str:
        return value

    def ours_goal_id(value: str) -> str:
        # AccountableGoal.goalId is a goal's global id, like every other id in the API.
        return raw(value)

    return {
        "page": Work("goals page of 50 (bench/api.py's PAGE)", [{"query": PAGE}],
                     [{"query": PEER_PAGE}], lambda d: goals_page(d, raw),
                     lambda d: goals_page(d, same_id)),
        "as_of": Work("the same page `asOf` an earlier moment",
                      [{"query": PAGE, "variables": moment}],
                      [{"query": PEER_PAGE_AS_OF, "variables": moment}],
                      lambda d: goals_page(d, raw), lambda d: goals_page(d, same_id)),
        "scoreboard": Work("scoreboard page of 50",
                           [{"query": SCOREBOARD, "variables": {"c": cycle}}],
                           [{"query": PEER_SCOREBOARD, "variables": {"c": raw(cycle)}}],
                           standings, standings),
        "accountability": Work("accountability page of 50",
                               [{"query": ACCOUNTABILITY, "variables": {"p": person}}],
                               [{"query": PEER_ACCOUNTABILITY, "variables": {"p": raw(person)}}],
                               lambda d: accountable(d["accountability"]["goals"],
                                                     ours_goal_id),
                               lambda d: accountable(d["goals"], same_id)),
        "report": Work("reportProgress, concurrency 16", ours_reports, peer_reports),
        "report_serial": Work("reportProgress, one client: p50 latency", ours_reports,
                              peer_reports, concurrency=1),
        "typename": Work("`{ __typename }` with a token", [TYPENAME], [TYPENAME]),
    }

"""A generated assessment cycle for comparing derivations: branches in three categories with
goals (some split into subgoals) scored by every evaluator kind at random, some items left
unscored, bonus and deduction items (one not approved), vetoes under two conditions, business
scores for most branches, two branches scored alike (a tie) and one not scored at all. It ends
under review."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.application import DengtaApplication
from domain.values import quantitative
from tests.integration.assessment_story import ORGANIZER, Q2, REVIEWER, YEAR

CATEGORIES = ("营销", "物流", "专卖")
SCHEME: dict[str, Any] = {
    "evaluator_weights": {"organizational": 40, "mass": 25, "self": 15, "social": 20},
    "party_building_weight": 80,
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80},
                    {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "description": "", "cap": "合格"},
               {"condition": "违反廉洁纪律", "description": "", "cap": "不合格"}],
}


@dataclass
class Generated:
    cycle: UUID
    committee: UUID
    branches: list[UUID]


def points(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(400, 1000)) / 10


def generate(app: DengtaApplication, seed: int, size: int = 12) -> Generated:
    rng = random.Random(seed)
    committee = app.register_organization(ORGANIZER, name="生成党委", kind="committee",
                                          category="机关").id
    branches = [app.register_organization(
        ORGANIZER, name=f"生成{number:02}党支部", kind="branch",
        category=CATEGORIES[0] if number < 2 else rng.choice(CATEGORIES),
        parent_id=committee).id for number in range(size)]
    leaves: dict[UUID, list[UUID]] = {}
    shapes = [[(rng.randint(1, 5), rng.random() < 0.4) for _ in range(rng.randint(1, 3))]
              for _ in branches]
    shapes[1] = shapes[0]  # branches 0 and 1 are alike: same goals, same marks below
    for branch, shape in zip(branches, shapes, strict=True):
        leaves[branch] = []
        for number, (weight, split) in enumerate(shape):
            top = app.draft_goal(ORGANIZER, level="annual", organization_id=branch,
                                 field="organizational", title=f"目标{number}", period=YEAR,
                                 indicator=quantitative("次", 0, 12), weight=weight).id
            if split:
                share = 30 + 10 * number
                for part, part_weight in (("甲", share), ("乙", 100 - share)):
                    leaves[branch].append(app.draft_goal(
                        ORGANIZER, level="specific", organization_id=branch,
                        field="organizational", title=f"目标{number}{part}", period=YEAR,
                        indicator=quantitative("次", 0, 12), weight=part_weight,
                        parent_id=top).id)
            else:
                leaves[branch].append(top)
            app.issue_goal_tree(ORGANIZER, top)
    cycle = app.draft_cycle(ORGANIZER, title="生成的第二季度考核", kind="routine",
                            cadence="quarterly", period=Q2, organizer_id=committee,
                            organization_ids=branches, scheme=SCHEME).id
    app.open_cycle(ORGANIZER, cycle)
    app.advance_cycle(ORGANIZER, cycle)
    scored = branches[:-1]  # the last branch is never scored
    # per leaf: self-evaluated?, mass ballots, a social ballot?, (self, mass, social, org)
    marks = {branch: [(leaf, rng.random() < 0.9, rng.randint(1, 3), rng.random() < 0.8,
                       [points(rng) for _ in range(4)]) for leaf in leaves[branch]]
             for branch in scored}
    marks[branches[1]] = [(leaves[branches[1]][i], *rest)
                          for i, (_, *rest) in enumerate(marks[branches[0]])]
    for branch in scored:
        for leaf, self_evaluated, ballots, social_given, values in marks[branch]:
            if self_evaluated:
                app.evaluate(f"person:self-{branch}", cycle, organization_id=branch,
                             item_id=leaf, kind="self", points=values[0])
            for ballot in range(ballots):
                app.evaluate(f"person:mass-{ballot}", cycle, organization_id=branch,
                             item_id=leaf, kind="mass", points=min(values[1] + ballot, 100))
            if social_given:
                app.evaluate("person:social-1", cycle, organization_id=branch, item_id=leaf,
                             kind="social", points=values[2])
    app.advance_cycle(ORGANIZER, cycle)
    for branch in scored:
        for leaf, self_evaluated, _, _, values in marks[branch]:
            if self_evaluated:
                app.evaluate("person:committee-secretary", cycle, organization_id=branch,
                             item_id=leaf, kind="organizational", points=values[3])
    app.advance_cycle(ORGANIZER, cycle)
    for number, branch in enumerate(rng.sample(scored[2:], 4)):
        adjustment = app.propose_adjustment(
            ORGANIZER, cycle, organization_id=branch, item="加减分",
            points=rng.choice([-1, 1]) * rng.randint(1, 8), reason="生成")
        if number:  # the first stays unapproved: it counts for nothing
            app.approve_adjustment(REVIEWER, cycle, adjustment_id=adjustment.id)
    app.apply_veto(ORGANIZER, cycle, organization_id=scored[2], condition="重大负面事件",
                   reason="生成")
    app.apply_veto(ORGANIZER, cycle, organization_id=scored[3], condition="违反廉洁纪律",
                   reason="生成")
    business = {branch: Decimal(rng.randint(600, 1000)) / 10 for branch in scored[2:-2]}
    business.update({branches[0]: Decimal(88), branches[1]: Decimal(88)})
    app.import_business_scores(ORGANIZER, cycle, scores=business)
    return Generated(cycle, committee, branches)

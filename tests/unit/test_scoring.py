"""The scoring rules' incremental valuation, against the full derivation."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from domain.scoring import EVALUATOR_KINDS, ItemFact, ItemTree, Tallies, Tally, scaled


def random_tree(rng: random.Random, size: int) -> ItemTree:
    """Goals nested up to three deep (some under parents that are not items), plus
    indicators at the top."""
    items: list[ItemFact] = []
    for number in range(size):
        parent = rng.choice([None, None, "missing", *(i.id for i in items[-6:])])
        kind = "indicator" if number % 7 == 6 else "goal"
        items.append(ItemFact(f"i{number}", kind, f"项目{number}",
                              Decimal(rng.randint(0, 5)), None if kind == "indicator" else parent))
    return ItemTree(items)


@pytest.mark.parametrize("seed", range(12))
def test_revaluing_one_item_gives_the_full_derivation_after_every_evaluation(seed: int) -> None:
    rng = random.Random(seed)
    tree = random_tree(rng, rng.randint(1, 30))
    tallies: Tallies = {}
    values = {kind: tree.values(tallies, kind) for kind in EVALUATOR_KINDS}
    assert all(tree.total(values[kind]) == tree.kind_value(tallies, kind)
               for kind in EVALUATOR_KINDS)
    for _ in range(300):
        item = rng.choice([*tree.items, ItemFact("elsewhere", "goal", "别处", Decimal(1))])
        kind = rng.choice(EVALUATOR_KINDS)
        points = Decimal(rng.randint(0, 200)) / 2
        tally = tallies.setdefault((item.id, kind), Tally())
        if tally.count and rng.random() < 0.3:  # a revision: the total moves, not the count
            tally.add(scaled(points, Decimal(100)) - tally.total / tally.count, count=0)
        else:
            tally.add(scaled(points, Decimal(100)))
        assert tree.revalue(tallies, kind, values[kind], item.id) == tree.kind_value(
            tallies, kind)
        assert values[kind] == tree.values(tallies, kind)

"""The stretches a worklist group is cached in (callbacks/selectors/work_groups.py) end at messages, not at
places, so that a message added or taken away changes only the stretch it is in."""

import random

import pytest

from callbacks.selectors.work_groups import MOST_ROWS_PER_STRETCH, ROWS_PER_STRETCH, WorkGroup, WorkRow


def _group(pks: list[int]) -> WorkGroup:
    return WorkGroup([WorkRow((pk, 1, None, None, "open", None, None), lambda pk: None) for pk in pks], len(pks))


def _stretches(pks: list[int]) -> list[tuple[int, ...]]:
    return [tuple(row.pk for row in stretch) for stretch in _group(pks).stretches]


@pytest.mark.parametrize("seed", range(20))
def test_adding_or_removing_a_message_changes_only_its_own_stretch(seed):
    chance = random.Random(seed)
    pks = chance.sample(range(1, 1_000_000), 120)
    before = _stretches(pks)
    assert [pk for stretch in before for pk in stretch] == pks
    # A stretch cut at its length moves its end with a change before it: those may change too.
    limit = 2 + sum(len(stretch) == MOST_ROWS_PER_STRETCH for stretch in before)
    added = pks.copy()
    added.insert(chance.randrange(len(pks)), 1_000_000 + seed)
    removed = pks.copy()
    del removed[chance.randrange(len(pks))]
    for after in (_stretches(added), _stretches(removed)):
        # At most the stretch holding the change, and the next one when an end came or went, are new.
        assert len([stretch for stretch in after if stretch not in before]) <= limit
        assert len([stretch for stretch in before if stretch not in after]) <= limit


def test_stretches_hold_about_ten_rows_and_never_more_than_the_most():
    lengths = [len(stretch) for stretch in _stretches(list(range(1, 10_001)))]
    assert sum(lengths) == 10_000
    assert max(lengths) <= MOST_ROWS_PER_STRETCH
    assert ROWS_PER_STRETCH * 0.8 <= sum(lengths) / len(lengths) <= ROWS_PER_STRETCH * 1.2
    assert _stretches([]) == []

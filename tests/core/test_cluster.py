import dataclasses

import numpy as np
import pytest

from neardup.core.cluster import cluster, keep_order
from neardup.core.verify import CONTAINS, NEAR_DUPLICATE, OVERLAP, ScoredPairs
from neardup.errors import OptionsError


def _pairs(*edges: tuple[int, int, int]) -> ScoredPairs:
    left, right, relation = (np.array(x) for x in zip(*edges, strict=True))
    score = np.full(left.size, 0.9)
    numbers = np.zeros(left.size, dtype=bool)
    return ScoredPairs(left, right, relation.astype(np.uint8), score, score, score, numbers)


def test_no_chaining_every_member_relates_to_its_representative() -> None:
    # 0 ~ 1 ~ 2, but 0 and 2 are not related: 2 must not join 0's cluster.
    pairs = _pairs((0, 1, NEAR_DUPLICATE), (1, 2, NEAR_DUPLICATE))
    found = cluster(pairs, keep_order("first", np.array([10, 10, 10])))
    assert found.cluster_id.tolist() == [0, 0, -1]
    assert found.representative.tolist() == [0, 0, 2]
    assert found.removed.tolist() == [False, True, False]


def test_longest_is_kept_and_overlap_does_not_cluster() -> None:
    pairs = _pairs((0, 1, CONTAINS), (2, 3, OVERLAP))
    found = cluster(pairs, keep_order("longest", np.array([100, 300, 50, 50])))
    assert found.representative.tolist()[:2] == [1, 1]
    assert found.cluster_id.tolist() == [0, 0, -1, -1]
    assert found.relation[0] == CONTAINS


def test_date_policies_and_missing_dates_last() -> None:
    from datetime import UTC, datetime

    dates = [datetime(2020, 1, 2, tzinfo=UTC), None, datetime(2021, 1, 1, tzinfo=UTC)]
    tokens = np.array([1, 1, 1])
    assert keep_order("newest", tokens, dates).tolist() == [2, 0, 1]
    assert keep_order("oldest", tokens, dates).tolist() == [0, 2, 1]
    with pytest.raises(OptionsError):
        keep_order("newest", tokens, None)
    with pytest.raises(OptionsError, match="keep must be one of"):
        keep_order("shortest", tokens)


def test_pairs_that_differ_only_in_numbers_join_no_cluster_unless_told() -> None:
    pairs = _pairs((0, 1, NEAR_DUPLICATE))
    pairs = dataclasses.replace(pairs, differ_in_numbers=np.array([True]))
    order = keep_order("first", np.array([5, 5]))
    assert cluster(pairs, order).cluster_id.tolist() == [-1, -1]
    assert cluster(pairs, order, numbers_matter=False).cluster_id.tolist() == [0, 0]

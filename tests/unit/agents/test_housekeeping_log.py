"""The rebalance log line: which partitions a worker serves, per topic."""

from __future__ import annotations

from faust.types import TP

from screening.agents.housekeeping import partitions_by_topic


def test_partitions_are_listed_per_topic_in_order() -> None:
    tps = [TP("scans.vehicle", 3), TP("scans.traveller", 2), TP("scans.traveller", 0)]
    assert partitions_by_topic(tps) == {"scans.traveller": "0,2", "scans.vehicle": "3"}


def test_a_worker_left_with_nothing_says_so() -> None:
    assert partitions_by_topic([]) == {"assigned": "-"}

"""The correlation state's bucket hashes on the real Redis, one server and a 3-master
cluster: sightings filed under digests spread over every node are found again by the
next filing of the same key and by retroactive reads, and their buckets expire."""

from __future__ import annotations

import os
import uuid

import pytest

from screening.audit.digests import Digester
from screening.correlation.sightings import Filed, Sighting
from screening.correlation.state import CorrelationState, state_key
from screening.redis_client import make_redis
from screening.settings import Settings
from tests.support.services import check_reachable, run_settings

pytestmark = pytest.mark.integration

CLUSTER_URL = os.environ.get("SCREENING_TEST_REDIS_CLUSTER_URL", "rediss://127.0.0.1:7001/0")
T0 = 1_800_000_000.0


@pytest.fixture(params=["single", "cluster"])
def settings(request: pytest.FixtureRequest, services: None) -> Settings:
    if request.param == "cluster":
        check_reachable(CLUSTER_URL, "Redis Cluster (make cluster)")
        return run_settings(redis_url=CLUSTER_URL, redis_cluster=True)
    return run_settings()


async def test_sightings_spread_over_the_nodes_are_found_again(settings: Settings) -> None:
    redis = make_redis(settings)
    digests = Digester(uuid.uuid4().hex.encode())
    state = CorrelationState(redis, settings.redis_prefix, cap=8)
    docs = [digests.digest("document", f"D{i:07d}|FRA") for i in range(300)]

    def filed(i: int, event: str, minutes: float) -> Filed:
        return Filed("document", docs[i], Sighting(event, f"cp-{i % 5}", "t", "arena",
                                                   T0 + minutes * 60))
    try:
        first = await state.observe([filed(i, str(uuid.uuid4()), 0) for i in range(300)],
                                    [3600.0] * 300, [3600.0] * 300)
        assert first == [[]] * 300
        # The same documents at another checkpoint ten minutes later: each meets its own.
        again = [filed(i, f"again-{i}", 10) for i in range(300)]
        seen = await state.observe(again, [3600.0] * 300, [3600.0] * 300)
        assert [len(s) for s in seen] == [1] * 300
        assert all(s[0].checkpoint_id == f"cp-{i % 5}" and s[0].at == T0
                   for i, s in enumerate(seen))
        found = await state.sightings(docs)
        assert sorted(len(v) for v in found.values()) == [2] * 300
        keys = {state_key(settings.redis_prefix, "document", d)[0] for d in docs}
        assert all([0 < await redis.pttl(k) <= 3_600_000 for k in keys])
    finally:
        for k in {state_key(settings.redis_prefix, "document", d)[0] for d in docs}:
            await redis.delete(k)
        await redis.aclose()

import asyncio, cProfile, pstats, time, orjson, sys
from screening.settings import Settings
from screening.redis_client import make_redis
from screening.watchlists.store import WatchlistStore
from screening.core.engine import Screener, RawScan
async def main():
    s = Settings(redis_prefix=sys.argv[1])
    r = make_redis(s); store = WatchlistStore(r, s.redis_prefix)
    sc = Screener(store, s)
    lines = open('/tmp/ab-lists/scans.ndjson','rb').read().splitlines()[:6000]
    raws = []
    for l in lines:
        try: d = orjson.loads(l); kind = "vehicle" if "vehicle" in d else "traveller"
        except Exception: kind = "traveller"
        raws.append(RawScan(kind=kind, value=l))
    await sc.screen(raws[:200])
    pr = cProfile.Profile(); t=time.perf_counter()
    if len(sys.argv) > 2: pr.enable()
    for i in range(0, len(raws), 200):
        await sc.screen(raws[i:i+200])
    pr.disable(); el=time.perf_counter()-t
    print(f"{len(raws)/el:.0f} scans/s")
    if len(sys.argv) > 2: pstats.Stats(pr).sort_stats(sys.argv[2] if len(sys.argv)>2 else "cumulative").print_stats(25)
    await r.aclose()
asyncio.run(main())

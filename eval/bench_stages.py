"""Per-stage CPU of `screening screen`'s work, in µs a scan (wall time of each stage, one
core, garbage collector off): decode, prepare, the look-ups, decide, serialise.

    set -a; source <(python -m screening security client-config admin --format env); set +a
    SCREENING_REDIS_PREFIX=prof-current python eval/bench_stages.py SCANS.ndjson [--cpu]

--cpu times each stage in CPU time of the process (time.process_time) instead of wall
time: on a loaded machine the CPU stages' figures then hold still, and the look-ups'
figures are their CPU (the wait for Redis left out).

Run from the source tree to measure (its `screening` comes first on sys.path); the lists
must be loaded under the prefix. bench/results/native.md has figures from it.
"""
import asyncio, sys, time, gc
from collections import defaultdict
from screening.settings import Settings
from screening.cli.screen import infer_kind
from screening.core.codec import decode_scan
from screening.core.prepare import prepare
from screening.core.decide import decide, blob_refs, decode_records
from screening.redis_client import make_redis
from screening.watchlists.store import WatchlistStore
from screening.exceptions import InvalidScan
gc.disable()
CLOCK = time.process_time if '--cpu' in sys.argv else time.perf_counter
T = defaultdict(float)
def t(name, fn, *a, **k):
    s = CLOCK(); r = fn(*a, **k); T[name] += CLOCK() - s; return r
async def main():
    st = Settings(); redis = make_redis(st); store = WatchlistStore(redis, st.redis_prefix)
    lines = [l.rstrip(b"\n") for l in open(sys.argv[1], 'rb') if l.strip()]
    n = 0
    for i in range(0, len(lines), 1000):
        prep = []
        for line in lines[i:i+1000]:
            kind, refused = t('infer', infer_kind, line, 'auto')
            if refused: continue
            try:
                scan = t('decode', decode_scan, kind, line, max_bytes=st.max_scan_bytes)
                p = t('prepare', prepare, scan, st)
                prep.append(p)
            except InvalidScan: pass
        fields = list(dict.fromkeys(f for p in prep for f in p.lookups))
        s = CLOCK(); version, values = await store.fetch(fields); T['fetch'] += CLOCK()-s
        answers = t('zip', lambda: dict(zip(fields, values)))
        refs = t('blob_refs', lambda: list(dict.fromkeys(r for p in prep for r in blob_refs(p, answers))))
        s = CLOCK(); bv = await store.fetch_blobs(version, refs); T['fetch_blobs'] += CLOCK()-s
        recs = t('decode_records', decode_records, dict(zip(refs, bv)))
        now = __import__('datetime').datetime.now(__import__('datetime').UTC)
        for p in prep:
            res, alerts = t('decide', decide, p, answers, recs, version=version.id, now=now, threshold=st.name_threshold)
            t('serialise', lambda: res.model_dump_json().encode())
            for a in alerts: t('serialise_alert', lambda: a.model_dump_json(exclude_none=True))
            n += 1
    tot = sum(T.values())
    for k, v in sorted(T.items(), key=lambda x: -x[1]):
        print(f"{k:16s} {v/n*1e6:8.1f} us/scan")
    print(f"{'total':16s} {tot/n*1e6:8.1f} us/scan over {n}")
    await redis.aclose()
asyncio.run(main())

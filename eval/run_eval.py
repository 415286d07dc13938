"""Run the person-matching evaluation: recall per variant family, false hits, cost.

    python eval/build_set.py --out /tmp/evalset && python eval/run_eval.py --data /tmp/evalset
    python eval/mock_set.py --out /tmp/mockset && python eval/run_eval.py --data /tmp/mockset

Indexes the notices in memory as the Redis notice index does (each record validated as
the loader validates it, key -> ids from ``notice_keys``), screens every scan as the
decision code does (the union of ``query_keys`` of its persons -> candidates -> ``score``
of each person against each candidate profile, decoded from JSON), and reports per
family: recall (the expected notice hit), key recall (the expected notice among the
candidates), false-hit rates of ordinary travellers and namesakes, keys and candidates
per scan, and a threshold sweep. ``--json FILE`` also writes the figures.

Possible matches (``score(..., with_possible=True)``, as the decision asks): a scan is
a referral when its best match of tier ``referral`` reaches the threshold (every figure
above), and raises a possible match when a match of tier ``possible`` does. Reported
under ``possible``: recall on notices without a date of birth (the expected notice
found at either tier, and as a referral only), and per negative family the share of
scans referred at the gate and the share raising at least one possible match.
``--no-possible`` scores without them (and runs on a tree from before they existed).
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson

from screening.matching import person_evidence, person_keys, persons
from screening.matching.persons import PersonQuery, notice_keys, notice_profile, query_keys, score
from screening.models import NoticeRecord
from twins import twins

SWEEP = (0.80, 0.84, 0.86, 0.88, 0.90, 0.92, 0.94)
NEGATIVE = ("ordinary", "namesake", "namesake_close")
# Reported, outside the recall target: foreign_han, a foreign name in Chinese characters,
# which write it too loosely for most to be read back (world_set.py), and its blind list.
INFORMATIVE = ("other_passport", "cantonese", "foreign_han", "foreign_han_2")


def load(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


def queries_of(scan: dict[str, Any]) -> list[PersonQuery]:
    persons = scan.get("persons") or [scan]
    return list(dict.fromkeys(
        PersonQuery(p["surname"], p["given_names"], p["date_of_birth"], p["nationality"],
                    p["sex"]) for p in persons))  # fmt: skip


def pct(values: list[int], q: float) -> int:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))]


def evaluate(data: Path, threshold: float, misses: int, with_possible: bool = True
             ) -> dict[str, Any]:
    notices, scans = load(data / "notices.ndjson"), load(data / "scans.ndjson")
    profiles: dict[str, bytes] = {}
    index: dict[str, list[str]] = defaultdict(list)
    for raw in notices:
        record = NoticeRecord.model_validate(raw).model_dump(mode="json")
        prof = notice_profile(record)
        profiles[raw["id"]] = orjson.dumps(prof)  # as Redis stores it
        for key in notice_keys(prof):
            index[key].append(raw["id"])
    entries = sum(len(v) for v in index.values())
    out: dict[str, Any] = {
        "notices": len(notices), "scans": len(scans), "threshold": threshold,
        "index_keys": len(index), "index_entries": entries,
        "entries_per_notice": round(entries / len(notices), 2),
        "largest_bucket": max(len(v) for v in index.values()),
    }  # fmt: skip
    print(
        f"{len(notices)} notices: {len(index)} keys, {entries} entries"
        f" ({entries / len(notices):.1f}/notice), largest bucket {out['largest_bucket']}"
    )

    best: list[float] = []  # per scan: best score of the expected notice (any, if negative)
    best_possible: list[float] = []  # the same, of matches of tier "possible"
    found: list[bool] = []
    n_keys: list[int] = []
    n_cand: dict[str, list[int]] = defaultdict(list)
    worst: dict[int, tuple[str, Any]] = {}
    for i, s in enumerate(scans):
        queries = queries_of(s)
        keys = list(dict.fromkeys(k for q in queries for k in query_keys(q)))
        n_keys.append(len(keys))
        cands = sorted({rid for k in keys for rid in index.get(k, ())})
        n_cand[s["family"]].append(len(cands))
        expect = s["expect"]
        found.append(expect in cands)
        top = top_possible = -1.0
        for rid in cands:
            if expect is not None and rid != expect:
                continue
            prof = orjson.loads(profiles[rid])
            for q in queries:
                # Without the keyword when not asked: the figures of a tree from before
                # possible matches (PYTHONPATH=that tree, --no-possible).
                m = (score(q, prof, SWEEP[0], with_possible=True) if with_possible
                     else score(q, prof, SWEEP[0]))
                if m is None:
                    continue
                if getattr(m, "tier", "referral") == "possible":  # older trees: no tier
                    top_possible = max(top_possible, m.score)
                elif m.score > top:
                    top, worst[i] = m.score, (rid, m)
        best.append(top)
        best_possible.append(top_possible)

    families = list(dict.fromkeys(s["family"] for s in scans))
    by_fam: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(scans):
        by_fam[s["family"]].append(i)
    # Families of different people: the fixed ones and any whose scans expect no notice.
    negatives = set(NEGATIVE) | {f for f, ids in by_fam.items()
                                 if all(scans[i]["expect"] is None for i in ids)}  # fmt: skip
    print(f"\nthreshold {threshold}")
    print(f"{'family':22} {'n':>6} {'rate':>7} {'keys':>7} {'cand avg':>9} {'p99':>5}  what")
    fams: dict[str, Any] = {}
    for fam in families:
        idx = by_fam[fam]
        c = n_cand[fam]
        rate = sum(best[i] >= threshold for i in idx) / len(idx)
        negative = fam in negatives
        keyr = float("nan") if negative else sum(found[i] for i in idx) / len(idx)
        label = "false-hit" if negative else "info" if fam in INFORMATIVE else "recall"
        fams[fam] = {"n": len(idx), "rate": round(rate, 4), "key_recall": round(keyr, 4),
                     "cand_mean": round(statistics.mean(c), 2), "cand_p99": pct(c, 0.99),
                     "what": label}  # fmt: skip
        print(
            f"{fam:22} {len(idx):6} {rate:7.4f} {keyr:7.4f} {statistics.mean(c):9.2f}"
            f" {pct(c, 0.99):5}  {label}"
        )
        if misses:
            bad = [i for i in idx if (best[i] >= threshold) == negative][:misses]
            for i in bad:
                q = queries_of(scans[i])[0]
                print(
                    f"    {q.surname!s:>22} / {q.given_names!s:28} {q.date_of_birth}"
                    f" {q.nationality} exp={scans[i]['expect']} ({scans[i].get('notice_dob')})"
                    f" best={best[i]:.3f}"
                    f" {worst.get(i)}"
                )
    out["families"] = fams
    pos = [i for f, ids in by_fam.items() if f not in negatives | set(INFORMATIVE) for i in ids]
    out["recall"] = round(sum(best[i] >= threshold for i in pos) / len(pos), 4)
    kinds: dict[str, list[int]] = defaultdict(list)
    for i in pos:
        kinds[scans[i].get("notice_dob") or "?"].append(i)
    out["recall_by_notice_dob"] = {
        k: round(sum(best[i] >= threshold for i in ids) / len(ids), 4) for k, ids in kinds.items()
    }
    all_cand = [c for f in families for c in n_cand[f]]
    ordinary = by_fam.get("ordinary", [])
    out["keys_mean"] = round(statistics.mean(n_keys), 2)
    out["keys_max"] = max(n_keys)
    out["cand_mean"] = round(statistics.mean(all_cand), 2)
    out["cand_p99"] = pct(all_cand, 0.99)
    if ordinary:
        out["ordinary_keys_mean"] = round(statistics.mean(n_keys[i] for i in ordinary), 2)
    print(
        f"{'ALL VARIANTS':22} {len(pos):6} {out['recall']:7.4f}   by notice date of birth:"
        f" {out['recall_by_notice_dob']}"
    )
    print(
        f"\nkeys per scan {out['keys_mean']} (max {out['keys_max']}), candidates per scan"
        f" {out['cand_mean']} (p99 {out['cand_p99']})"
    )
    print("\nsweep: threshold, variant recall, ordinary, namesake, namesake_close false hits")
    sweep = []
    for cut in SWEEP:
        recall = sum(best[i] >= cut for i in pos) / len(pos)
        rates = [sum(best[i] >= cut for i in by_fam[f]) / max(len(by_fam[f]), 1) for f in NEGATIVE]
        sweep.append([cut, round(recall, 4), *(round(r, 4) for r in rates)])
        print(f"  {cut:.2f}  {recall:.4f}  {rates[0]:.4f}  {rates[1]:.4f}  {rates[2]:.4f}")
    out["sweep"] = sweep
    reasons = Counter(r for i, (rid, m) in worst.items() if scans[i]["expect"] is None
                      and m.score >= threshold for r, _ in m.penalties)  # fmt: skip
    print("\npenalties on false hits:", dict(reasons.most_common(8)))
    out["possible"] = _possible_figures(scans, by_fam, negatives, best, best_possible,
                                        threshold, twins(notices, scans))
    return out


def _possible_figures(scans: list[dict[str, Any]], by_fam: dict[str, list[int]],
                      negatives: set[str], best: list[float], best_possible: list[float],
                      threshold: float, twin: list[frozenset[str]]) -> dict[str, Any]:
    """Possible matches: recall on undated notices, referral and possible rates of the
    negative families (also among travellers who are no notice's twin: twins.py), and a
    sweep of the possible matches' threshold."""
    undated = [i for f, ids in by_fam.items() if f not in negatives | set(INFORMATIVE)
               for i in ids if scans[i].get("notice_dob") == "none"]  # fmt: skip

    def share(ids: list[int], hit: Any) -> float:
        return round(sum(map(hit, ids)) / len(ids), 4) if ids else float("nan")

    out: dict[str, Any] = {
        "undated_n": len(undated),
        "undated_recall": share(undated, lambda i: max(best[i], best_possible[i]) >= threshold),
        "undated_recall_referral": share(undated, lambda i: best[i] >= threshold),
        "families": {},
    }
    print(f"\npossible matches (threshold {threshold}): undated notices, n={len(undated)},"
          f" recall {out['undated_recall']} (as a referral {out['undated_recall_referral']})")
    print(f"{'family':22} {'n':>6} {'referral':>9} {'possible':>9}   twins of a notice"
          " (dated, undated); among the others: referral, possible")
    for fam in [f for f, ids in by_fam.items() if f in negatives and ids]:
        ids = by_fam[fam]
        ref = share(ids, lambda i: best[i] >= threshold)
        poss = share(ids, lambda i: best_possible[i] >= threshold)
        dated = [i for i in ids if not twin[i] - {"none"}]
        undated_ok = [i for i in ids if "none" not in twin[i]]
        row = {"n": len(ids), "referral": ref, "possible": poss,
               "twins_dated": round(1 - len(dated) / len(ids), 4),
               "twins_undated": round(1 - len(undated_ok) / len(ids), 4),
               "referral_not_twin": share(dated, lambda i: best[i] >= threshold),
               "possible_not_twin": share(undated_ok, lambda i: best_possible[i] >= threshold)}
        out["families"][fam] = row
        print(f"{fam:22} {len(ids):6} {ref:9.4f} {poss:9.4f}   {row['twins_dated']:.4f}"
              f" {row['twins_undated']:.4f}   {row['referral_not_twin']:.4f}"
              f" {row['possible_not_twin']:.4f}")
    ordinary = by_fam.get("ordinary", [])
    out["sweep"] = [[cut, share(undated, lambda i, c=cut: max(best[i], best_possible[i]) >= c),
                     share(ordinary, lambda i, c=cut: best_possible[i] >= c)]
                    for cut in SWEEP if cut >= threshold]  # fmt: skip
    print("sweep of the possible threshold: cut, undated recall, ordinary possible",
          out["sweep"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).parent / "out")
    ap.add_argument("--threshold", type=float, default=0.88)
    ap.add_argument("--misses", type=int, default=0, help="print this many misses per family")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--no-possible", action="store_true",
                    help="score without possible matches (as before they existed)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a matching constant (persons.py, person_evidence.py, person_keys.py),"
        " e.g. UNDATED_MIN_INFO=2",
    )
    args = ap.parse_args()
    for item in args.set:
        name, _, value = item.partition("=")
        # Every module that reads it (person_keys imports UNDATED_MIN_INFO, for one).
        owners = [m for m in (persons, person_evidence, person_keys) if hasattr(m, name)]
        if not owners:
            ap.error(f"--set: no matching constant {name}")
        for module in owners:
            setattr(module, name, float(value))
    out = evaluate(args.data, args.threshold, args.misses, not args.no_possible)
    if args.json:
        args.json.write_bytes(orjson.dumps(out, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()

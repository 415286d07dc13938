"""The lean job: what the plumbing alone can do with exact look-ups (issue 25's ceiling).

A hand-written aiokafka job as lean as such a job gets: `getmany`, one Redis command
a batch, orjson. It reads the same backlog with the same client settings as the
pass-through and the worker (kafkajob.py), and per batch:

- parses each scan with orjson and takes its exact keys: a traveller's document
  (number and issuing state, printed or cut from the MRZ at its fixed positions) as
  `document_field` spells it; a vehicle's VIN (`normalize_vin`) and its plate as read
  (its one skeleton key, `plate_query_keys` of a confident read);
- finds each key's Redis hash and field with the store's own layout functions
  (`WatchlistStore.locate`, the SLTD's and the SMV's layouts) in the lists the
  benchmark loaded, and reads them all in one round trip: one call of the store's read
  script (`BatchOps.read`: one command carrying every (hash, field) pair, an HGET each
  inside Redis, as the worker reads). A pipeline of one HMGET per hash answers the
  same but is about twice the client's CPU here (a batch's keys fall in nearly as many
  hashes as it has keys, and redis-py handles each command of a pipeline in Python:
  19 against 10 µs a scan for the whole job without Kafka, 2026-12-07), so the
  ceiling would be set low;
- decodes the answers with the lists' layouts (the SMV's entries narrowed to the key
  by their check byte) and answers each scan `hit` (each entry found, score 1) or
  `clear` as a result-sized JSON, to the run's throwaway results topic.

What it does not do, and the worker does: no validation of the scan against the
contract (a scan that is not JSON, or lacks its ids, is answered all the same), no
rejection, no warnings, no MRZ parsing or check digits (a wrong MRZ is cut as it
comes), no O/0 and I/1 variants of document numbers, no VIN correction, no plate
keys of a doubted read and no plate/country scoring, no look-up of names (the
notices and event lists are not consulted at all), no second round trip for the
records behind candidates (an SMV index entry is a hit unverified against its
record, and its record id is the entry's digest), no lapsed-record check, no version
check per batch (the version current at start answers every batch), no retries or
`unverified` answers when Redis fails (the job stops), no alerts, dead letters,
audit records, correlation, metrics or exactly-once. Its answers are not the
contract's CheckResults and are never written to a deployment's topics.

Run as `python -m screening_bench.lean` with the worker's environment; it joins the
worker's consumer group (`SCREENING_APP_ID`) and prints "ready" once it has its
partitions.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import orjson
import uvloop

from screening.matching.documents import document_field
from screening.matching.plates import plate_query_keys
from screening.matching.vin import normalize_vin
from screening.models import ScanKind
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.base import Found, Lookup
from screening.watchlists.sltd.compact import TABLE as SLTD
from screening.watchlists.smv.compact import PLATE_LOOKUP, VIN_LOOKUP, SmvLayout
from screening.watchlists.store import Version, WatchlistStore
from screening_bench.kafkajob import Answer, JobProcess, scan_fields, serve

_SMV = SmvLayout()
# What a hit in each table is called: (list, category, matched_on).
_HITS: dict[str, tuple[str, str | None, list[str]]] = {
    SLTD: ("sltd", None, ["document_number", "issuing_state"]),  # category: the status
    VIN_LOOKUP: ("smv", "stolen_vehicle", ["vin"]),
    PLATE_LOOKUP: ("smv", "stolen_vehicle", ["plate"]),
}


def mrz_document(mrz: str) -> tuple[str, str] | None:
    """(number, issuing state) at their fixed places: TD1's first line (a longer number
    continued in its optional data), TD2's and TD3's second for the number, the first
    line's characters 3-5 for the state; no check digit verified."""
    lines = mrz.split("\n")
    if len(lines) == 3:
        number = lines[0][5:14]
        if lines[0][14:15] == "<" and lines[0][15:16] not in ("", "<"):
            # Over 9 characters: the rest in the optional data, then its check digit.
            number += lines[0][15:30].split("<", 1)[0][:-1]
    elif len(lines) == 2:
        number = lines[1][:9]
    else:
        return None
    return number.replace("<", ""), lines[0][2:5].replace("<", "")


def exact_keys(kind: ScanKind, scan: dict[str, Any]) -> list[Lookup]:
    """The scan's exact look-ups, (table, field) each: nothing a matcher would add."""
    out: list[Lookup] = []
    if kind == "traveller":
        doc = scan.get("document")
        if not isinstance(doc, dict):
            return out
        documents = []
        if isinstance(mrz := doc.get("mrz"), str) and (cut := mrz_document(mrz)):
            documents.append(cut)
        number, state = doc.get("number"), doc.get("issuing_state")
        if isinstance(number, str) and isinstance(state, str):
            documents.append((number, state))
        for number, state in documents:
            fld = document_field(number, state)
            if fld.partition("|")[0]:
                out.append((SLTD, fld))
        return list(dict.fromkeys(out))
    vehicle = scan.get("vehicle")
    if not isinstance(vehicle, dict):
        return out
    if isinstance(vin := vehicle.get("vin"), str) and (v := normalize_vin(vin)):
        out.append((VIN_LOOKUP, v))
    if isinstance(plate := vehicle.get("plate"), str):
        out += [(PLATE_LOOKUP, k) for k in plate_query_keys(plate, None, False)]
    return out


def result(kind: ScanKind, scan: dict[str, Any], lookups: Sequence[Lookup],
           found: dict[Lookup, list[Found]], now: str, version: str) -> Answer:
    """(key, value) of one scan's answer: the worker's result fields, hit or clear."""
    hits = []
    for lookup in lookups:
        lst, category, matched_on = _HITS[lookup[0]]
        hits += [{"list": lst, "record_id": f.record_id, "score": 1.0,
                  "category": category or f.payload.split("|", 1)[0],
                  "matched_on": matched_on} for f in found.get(lookup, ())]
    terminal = str(scan.get("terminal_id") or "")
    value = orjson.dumps({
        "event_id": scan.get("event_id"), "checkpoint_id": scan.get("checkpoint_id"),
        "terminal_id": terminal, "kind": kind, "outcome": "hit" if hits else "clear",
        "hits": hits, "warnings": [], "decided_at": now, "watchlist_version": version})
    return terminal.encode() or None, value


class LeanJob:
    """The lists of one version, looked up a batch at a time."""

    def __init__(self, store: WatchlistStore, version: Version) -> None:
        self.store = store
        self.version = version

    async def lookup(self, lookups: Sequence[Lookup]) -> dict[Lookup, list[Found]]:
        """Every look-up's entries, in one round trip (one script call a batch of up to
        batch.CHUNK look-ups: a batch of 500 scans has fewer)."""
        keys, names = self.store.locate(self.version, lookups)
        found: dict[Lookup, list[Found]] = {}
        for lookup, raw in zip(lookups, await self.store.batch.read(keys, names), strict=True):
            if raw:
                entries = self.store.decode(lookup, raw)
                if lookup[0] != SLTD:
                    entries = _SMV.narrow(lookup, entries)
                if entries:
                    found[lookup] = entries
        return found

    async def answers(self, scans: Sequence[tuple[ScanKind, bytes | None]],
                      now: str) -> list[Answer]:
        parsed = []
        for kind, raw in scans:
            scan = scan_fields(raw)
            parsed.append((kind, scan, exact_keys(kind, scan)))
        wanted = list(dict.fromkeys(k for _, _, keys in parsed for k in keys))
        found = await self.lookup(wanted) if wanted else {}
        return [result(kind, scan, keys, found, now, self.version.id)
                for kind, scan, keys in parsed]


async def run(settings: Settings) -> None:
    redis = make_redis(settings)
    try:
        store = WatchlistStore(redis, settings.redis_prefix)
        job = LeanJob(store, await store.current_version())
        await serve(settings, job.answers)
    finally:
        await redis.aclose()


class LeanProcess(JobProcess):
    """This module as a subprocess, in place of a worker (same settings, same group)."""

    module = __name__


def main() -> int:
    uvloop.run(run(Settings()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search in the console (`GET /api/search?q=...`): the alerts this console holds that
the analyst may see, found by name, record id, reference, alert or case id, document
number, plate or VIN.

What is compared is what the alert carries, normalised as the matcher normalises it
(screening/matching/normalize.py): names token by token (every word of the query a word
of a name of the subject, the matched alias or the record, in either ICAO fold), codes
whole. Document numbers, plates and VINs are compared whole, never in part: a query
must be the whole number to find anything, so that searching cannot reveal a masked
number a character at a time. Document numbers reach the console only masked, so a
document query is compared by its keyed digest (audit/digests.py) with the one the
worker puts on the alert (`document_key`). What is returned is the alert as every page
shows it, masked.

Every search is on the audit as a `search` by the analyst, with the keyed digests of
the query read as each kind (never the query), so that `screening audit query
--document NUM` finds who looked a document up in the console too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from screening.audit.digests import Digester, audit_key
from screening.console.web import Console, _audit, _console, _error, _may_see_alerts, _visible
from screening.matching.normalize import (
    name_variants,
    normalize_document_number,
    normalize_plate,
)
from screening.matching.vin import normalize_vin
from screening.procedure import state_of

MIN_QUERY = 2
MAX_QUERY = 100
MAX_TOKENS = 6


@functools.lru_cache(maxsize=4)
def _digester(key: bytes) -> Digester:
    return Digester(key)


def digester(c: Console) -> Digester | None:
    key = audit_key(c.settings)
    return _digester(key) if key is not None else None


@dataclass(frozen=True)
class Query:
    """The query read as each kind it could be."""

    text: str
    # The name's words in the ICAO fold and, where it differs, in bare letters: either
    # reading found in full among an alert's name words is a match.
    readings: tuple[frozenset[str], ...]
    code: str  # upper-case A-Z0-9: a plate, VIN or document number as indexed
    document_key: str | None  # keyed digest of the code as a document number

    @classmethod
    def read(cls, text: str, digests: Digester | None) -> Query:
        readings = tuple(r for r in (frozenset(t for t in v.split() if len(t) > 1)
                                     for v in name_variants(text)) if r)
        code = normalize_document_number(text)
        key = digests.digest("document_number", code) if digests and code else None
        return cls(text.strip(), readings, code, key)


def _names(alert: dict[str, Any]) -> Iterator[str]:
    subject = alert.get("subject") or {}
    yield " ".join(str(subject.get(k) or "") for k in ("surname", "given_names"))
    alias = (alert.get("hit") or {}).get("matched_alias")
    if alias:
        yield str(alias)
    for name in (alert.get("record") or {}).get("names") or ():
        if isinstance(name, dict):
            yield " ".join(str(name.get(k) or "") for k in ("surname", "given_names"))


def _name_tokens(alert: dict[str, Any]) -> set[str]:
    return {t for name in _names(alert) for v in name_variants(name) for t in v.split()}


def matches(q: Query, alert: dict[str, Any], vehicles: dict[str, dict[str, str]]) -> list[str]:
    """What of `alert` the query found: `record`, `reference`, `alert`, `case`, `name`,
    `document`, `plate`, `vin` (empty: not found)."""
    found = []
    upper = q.text.upper()
    hit = alert.get("hit") or {}
    if upper in (str(hit.get("record_id", "")).upper(),
                 str((alert.get("record") or {}).get("id", "")).upper()):
        found.append("record")
    if upper == str(alert.get("reference") or "").upper():
        found.append("reference")
    if q.text in (alert.get("alert_id"), alert.get("event_id")):
        found.append("alert")
    if q.text == alert.get("case_id"):
        found.append("case")
    if q.readings and any(r <= _name_tokens(alert) for r in q.readings):
        found.append("name")
    if q.document_key is not None and q.document_key == alert.get("document_key"):
        found.append("document")
    if q.code:
        for kind, normal in (("plate", normalize_plate), ("vin", normalize_vin)):
            if any(normal(part.get(kind, "")) == q.code for part in vehicles.values()):
                found.append(kind)
    return found


async def search(request: web.Request) -> web.StreamResponse:
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    c = _console(request)
    text = request.query.get("q", "").strip()
    if not MIN_QUERY <= len(text) <= MAX_QUERY:
        return _error(400, f"q: {MIN_QUERY} to {MAX_QUERY} characters")
    digests = digester(c)
    q = Query.read(text, digests)
    if any(len(r) > MAX_TOKENS for r in q.readings):
        return _error(400, f"q: at most {MAX_TOKENS} words")
    limit = c.console.console_search_max_results
    found = []
    for alert in c.feed.alerts():
        if not _visible(c, user, alert):
            continue
        on = matches(q, alert, c.feed.vehicle_ids(alert["alert_id"]))
        if on:
            found.append((alert, on))
    found.sort(key=lambda f: f[0]["raised_ms"], reverse=True)
    results = [{"alert": alert, "matched_on": on,
                "state": state_of(c.feed.decisions(alert["alert_id"])),
                "open": c.feed.still_open(alert["alert_id"])}
               for alert, on in found[:limit]]
    # The audit holds what the query could have been, as keyed digests, never the query.
    query_digests: list[str] = []
    if digests is not None:
        surname, _, given = text.partition(",")
        query_digests = list(dict.fromkeys([
            *digests.document(text, None), *digests.person(surname, given, None),
            *digests.vin(text), *digests.plate(text, None)]))
    await _audit(request, "search", user.name, outcome=f"console:{len(found)}",
                 ref="console_search", query_digests=query_digests)
    return web.json_response({"results": results, "count": len(found),
                              "truncated": len(found) > limit, "limit": limit})

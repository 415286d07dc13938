"""Property: no audit record carries what the scan searched, as given or normalised."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.audit.digests import Digester
from screening.audit.records import SearchAudit
from screening.core.engine import RawScan, Screener
from screening.matching.normalize import (
    mrz_name,
    name_variants,
    normalize_document_number,
    normalize_plate,
)
from screening.matching.plates import skeleton
from screening.mockdata.mrz_writer import build_td3
from screening.settings import Settings

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
S = Settings(lookup_budget_s=0.2)
AUDIT = SearchAudit(Digester(b"property-test-audit-key-0123456789"), S)

# Values of 5 characters and more: a shorter one could turn up by chance in a digest or
# an id, which would say nothing about a leak.
letters = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZabcdefghijkmnopqrstuvwxyzÄÖÜÉÈÑßøåçłšž",
                  min_size=5, max_size=14)
numbers = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=5, max_size=9)
vins = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=17, max_size=17)
plates = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789 -", min_size=5, max_size=10).filter(
    lambda p: len(normalize_plate(p)) >= 5)
states = st.sampled_from(["UTO", "D", "FRA", "NGA", "GBR"])
dobs = st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31))


def forms(value: str, *, name: bool = False) -> set[str]:
    out = {value, value.upper()}
    if name:
        out |= set(name_variants(value)) | {mrz_name(value)}
    else:
        out |= {normalize_document_number(value), skeleton(normalize_plate(value))}
    return {f for f in out if len(f) >= 5}


async def records_of(kind: str, payload: dict[str, Any], store: Any) -> bytes:
    screener = Screener(store, S, clock=lambda: NOW)
    items = await screener.screen([RawScan(kind=kind, value=orjson.dumps(payload),  # type: ignore[arg-type]
                                           topic="scans.x", partition=0, offset=1,
                                           site="default")])
    made = [AUDIT.record(i) for i in items]
    assert all(m is not None for m in made)  # every scan here has a readable event id
    return b"\n".join(m[1] for m in made if m is not None)


# The words every record holds ("action", "search", "terminal", ...): a generated value
# that is one of them, or part of one, says nothing about a leak.
_NEUTRAL = ('{"audit_id":"","at":"2026-11-28T12:00:00+00:00","action":"search","actor":'
            '{"kind":"terminal","id":"t1","principal":"site-default"},"site":"default",'
            '"checkpoint_id":"cp1","event_id":"e1","outcome":"rejected clear hit unverified",'
            '"watchlist_version":"none v-test","query_digests":["document_number","document",'
            '"person","name","vin","plate","plate_number"],"alert_id":"","reason":'
            '"INVALID_FIELD MRZ_FORMAT"}')


def leaks(values: set[str], text: str) -> list[str]:
    return [v for v in values if v in text and v not in _NEUTRAL]


def envelope(event_id: str) -> dict[str, Any]:
    return {"event_id": event_id, "checkpoint_id": "cp1", "terminal_id": "t1",
            "scanned_at": "2026-11-28T11:59:59Z"}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surname=letters, given_names=letters, number=numbers, state=states, dob=dobs,
       use_mrz=st.booleans(), valid=st.booleans())
async def test_traveller_records_hold_no_plaintext(memory_store: Any, surname: str,
                                                   given_names: str, number: str, state: str,
                                                   dob: date, use_mrz: bool,
                                                   valid: bool) -> None:
    doc: dict[str, Any] = {"number": number, "issuing_state": state}
    mrz = build_td3("P", state, surname, given_names, number, nationality=state,
                    date_of_birth=dob, sex="F", expiry=date(2030, 1, 1))
    if use_mrz:
        doc["mrz"] = mrz
    if not valid:  # a rejected scan is audited too: here no usable document number
        doc = {"number": "-", "issuing_state": state}
    payload = {**envelope("e1"), "document": doc,
               "holder": {"surname": surname, "given_names": given_names,
                          "date_of_birth": dob.isoformat()}}
    text = (await records_of("traveller", payload, memory_store)).decode()
    searched = forms(number) | forms(surname, name=True) | forms(given_names, name=True)
    searched |= {dob.isoformat(), dob.strftime("%y%m%d")} | {
        line[5:25] for line in mrz.splitlines()}
    assert not leaks(searched, text)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vin=vins, plate=plates, country=states)
async def test_vehicle_records_hold_no_plaintext(memory_store: Any, vin: str, plate: str,
                                                 country: str) -> None:
    payload = {**envelope("v1"), "vehicle": {"vin": vin, "plate": plate,
                                             "plate_country": country}}
    text = (await records_of("vehicle", payload, memory_store)).decode()
    assert not leaks(forms(vin) | forms(plate), text)

"""From a validated scan to what must be looked up, and the warnings the scan earns.

Where a scan carries the same fact twice (the MRZ and the printed fields) and the
two disagree, both are looked up: neither is silently preferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.exceptions import InvalidScan
from screening.matching import documents, mrz, plates, vin
from screening.matching.documents import confusable_variants, document_field
from screening.matching.mrz import MrzData, MrzFormatError, compare_with_fields, parse_mrz
from screening.matching.persons import PersonQuery, query_keys, same_query
from screening.matching.plates import plate_query_keys
from screening.matching.vin import normalize_vin, vin_check_ok, vin_correction, vin_letters_ok
from screening.models import TravellerScan, VehicleScan
from screening.settings import Settings
from screening.watchlists.base import WatchList
from screening.watchlists.lists import LISTS

# The compiled functions this module calls, by name, with their Python references: the
# differential tests and eval/bench_native.py put the references in their place.
REFERENCES = {"parse_mrz": mrz._py_parse_mrz,
              "compare_with_fields": mrz._py_compare_with_fields,
              "confusable_variants": documents._py_confusable_variants,
              "document_field": documents._py_document_field,
              "plate_query_keys": plates._py_plate_query_keys,
              "vin_check_ok": vin._py_vin_check_ok,
              "vin_correction": vin._py_vin_correction}


@dataclass(slots=True)
class Prepared:
    """One scan, ready to be answered: its look-ups and what the decision needs."""

    scan: TravellerScan | VehicleScan
    warnings: list[str] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (number, state) as scanned
    document_fields: list[str] = field(default_factory=list)  # their index fields, usable ones
    # Fields of O/0 and I/1 variants of the numbers no MRZ check digit vouches for, with
    # how many characters each swaps (matching/documents.py).
    variant_fields: dict[str, int] = field(default_factory=dict)
    persons: list[PersonQuery] = field(default_factory=list)
    vin: str | None = None
    # A VIN read with I, O or Q, corrected (matching/vin.py), and how many it corrected.
    vin_corrected: tuple[str, int] | None = None
    # Blocking keys of the persons' names (matching/persons.py).
    name_keys: list[str] = field(default_factory=list)
    plate: str | None = None
    plate_country: str | None = None
    # The plate's look-up keys (matching/plates.py).
    plate_keys: list[str] = field(default_factory=list)
    low_confidence: bool = False
    # Every list's look-ups for this scan, (table, field), each once.
    lookups: list[tuple[str, str]] = field(default_factory=list)
    # The lists with look-ups for this scan (None: every list). A list answers a scan
    # from its own look-ups only, so the others are not asked for records or hits: a
    # vehicle list is not walked for each traveller, nor a person list for each vehicle.
    lists: list[WatchList] | None = None
    # The name threshold, when known: candidates whose attributes alone keep them below
    # it are not fetched (a list's record_refs); None fetches every candidate.
    threshold: float | None = None
    # Whether any of its look-ups found something, once the lists answered (the
    # engine's _lookup sets it). Lists answer from their look-ups only, so a scan whose
    # look-ups all came back empty (four in ten of the benchmark's) has no candidate:
    # no list is asked for its records or hits. None: not known, every list is asked.
    answered: bool | None = None


def _warn(prepared: Prepared, code: str) -> None:
    if code not in prepared.warnings:
        prepared.warnings.append(code)


def prepare_traveller(scan: TravellerScan) -> Prepared:
    p = Prepared(scan=scan)
    doc, holder = scan.document, scan.holder
    mrz: MrzData | None = None
    if doc.mrz:
        try:
            mrz = parse_mrz(doc.mrz, today=scan.scanned_at.date())
        except MrzFormatError as exc:
            if not (doc.number and doc.issuing_state):
                raise InvalidScan("MRZ_FORMAT", f"document.mrz: {exc}", event_id=scan.event_id,
                                  terminal_id=scan.terminal_id,
                                  checkpoint_id=scan.checkpoint_id) from None
            _warn(p, "MRZ_FORMAT")
    if mrz is not None:
        if mrz.failed_checks:
            _warn(p, "MRZ_CHECK_DIGIT")
        mismatched = compare_with_fields(
            mrz, number=doc.number, issuing_state=doc.issuing_state, surname=holder.surname,
            given_names=holder.given_names, date_of_birth=holder.date_of_birth,
            nationality=holder.nationality, sex=holder.sex, expiry=doc.expiry,
            document_type=doc.type)
        if mismatched:
            _warn(p, "MRZ_FIELD_MISMATCH")
        if mrz.document_number and mrz.issuing_state:
            p.documents.append((mrz.document_number, mrz.issuing_state))
        p.persons.append(PersonQuery(mrz.surname or None, mrz.given_names or None,
                                     mrz.date_of_birth, mrz.nationality or None, mrz.sex))
    if doc.number and doc.issuing_state:
        p.documents.append((doc.number, doc.issuing_state))
    if holder.surname or holder.given_names:
        p.persons.append(PersonQuery(holder.surname, holder.given_names, holder.date_of_birth,
                                     holder.nationality, holder.sex))
    expiry = mrz.expiry if mrz is not None and mrz.expiry else doc.expiry
    if expiry is not None and expiry < scan.scanned_at.date():
        _warn(p, "DOCUMENT_EXPIRED")
    for number, state in dict.fromkeys(p.documents):
        key = document_field(number, state)
        if key.partition("|")[0] and key not in p.document_fields:
            p.document_fields.append(key)
    if not p.document_fields:
        raise InvalidScan("INVALID_FIELD", "document: no usable document number",
                          event_id=scan.event_id, terminal_id=scan.terminal_id,
                          checkpoint_id=scan.checkpoint_id)
    verified = (document_field(mrz.document_number, mrz.issuing_state)
                if mrz is not None and "document_number" not in mrz.failed_checks else None)
    for key in p.document_fields:
        if key == verified:
            continue
        number, _, state = key.partition("|")
        for variant, swaps in confusable_variants(number):
            vkey = document_field(variant, state)
            if vkey not in p.document_fields and vkey not in p.variant_fields:
                p.variant_fields[vkey] = swaps
    # The MRZ and the printed fields often differ by diacritics only (ERIC, ÉRIC): the
    # same query for the matcher, looked up once.
    if len(p.persons) > 1:
        seen: set[tuple[object, ...]] = set()
        unique: list[PersonQuery] = []
        for person in p.persons:
            if (identity := same_query(person)) not in seen:
                seen.add(identity)
                unique.append(person)
        p.persons = unique
    if len(p.persons) == 1:  # most scans: its keys are without repeats already
        p.name_keys = query_keys(p.persons[0])
    else:
        p.name_keys = list(dict.fromkeys(k for person in p.persons for k in query_keys(person)))
    return _with_lookups(p)


def prepare_vehicle(scan: VehicleScan, settings: Settings) -> Prepared:
    p = Prepared(scan=scan)
    v = scan.vehicle
    if v.vin:
        p.vin = normalize_vin(v.vin)
        if vin_check_ok(p.vin) is False:
            _warn(p, "VIN_CHECK_DIGIT")
        elif not vin_letters_ok(p.vin):  # a misread: looked up as read and corrected
            _warn(p, "VIN_FORMAT")
            p.vin_corrected = vin_correction(p.vin)
        p.vin = p.vin or None
    if v.plate:
        p.plate = v.plate
        p.plate_country = v.plate_country
        conf = scan.read_confidence
        p.low_confidence = conf is not None and conf < settings.plate_low_confidence
        if p.low_confidence:
            _warn(p, "LOW_READ_CONFIDENCE")
        if not v.plate_country:
            _warn(p, "PLATE_COUNTRY_MISSING")
        p.plate_keys = plate_query_keys(v.plate, v.plate_country, p.low_confidence)
    if not p.vin and p.vin_corrected is None and not p.plate_keys:
        raise InvalidScan("INVALID_FIELD", "vehicle: no usable vin or plate after normalisation",
                          event_id=scan.event_id, terminal_id=scan.terminal_id,
                          checkpoint_id=scan.checkpoint_id)
    return _with_lookups(p)


def _with_lookups(p: Prepared) -> Prepared:
    lists: list[WatchList] = []
    lookups: list[tuple[str, str]] = []
    for lst in LISTS.values():
        if found := lst.lookups(p):
            lists.append(lst)
            lookups += found
    p.lists = lists
    p.lookups = list(dict.fromkeys(lookups))
    return p


def prepare(scan: TravellerScan | VehicleScan, settings: Settings) -> Prepared:
    if isinstance(scan, TravellerScan):
        p = prepare_traveller(scan)
        p.threshold = settings.name_threshold
        return p
    return prepare_vehicle(scan, settings)

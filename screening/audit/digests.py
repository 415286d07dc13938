"""Keyed digests of what a scan searched, so the audit can be queried without holding it.

A plain hash of a document number is no protection: numbers are short and structured,
and anyone can hash every candidate. Each digest is therefore an HMAC-SHA-256 under the
audit key (`SCREENING_AUDIT_KEY_FILE`), truncated to 128 bits (plenty to tell searches
apart; RFC 2104 allows truncation), written as `<kind>:<base64url>`.

What is digested is normalised exactly as the matcher normalises it (no normalisation
of our own), so the auditor's `screening audit query`, which runs the same functions on
what it is asked about, meets the worker's digests:

| kind | value (before the key) | from |
|---|---|---|
| `document` | `NUMBER\\|STATE` | `sltd.layout.document_field` (the SLTD and notice index field) |
| `document_number` | `NUMBER` | `normalize_document_number` (a query without `--state`) |
| `person` | `SURNAME,GIVEN\\|DOB` | `normalize_name` (both ICAO folds: MUELLER and MULLER) |
| `name` | `SURNAME,GIVEN` | the same, without the date of birth |
| `vin` | `VIN` | `normalize_vin` (and its I/O/Q correction, also looked up) |
| `plate` | `SKELETON\\|COUNTRY` | `plates.skeleton(normalize_plate)`, `canonical_country` |
| `plate_number` | `SKELETON` | the same, any country |
| `person_nationality` | `SURNAME,GIVEN\\|DOB\\|NAT` | correlation keys; never audited |

Plates are digested as their skeleton, the key the matcher looks up: a read the matcher
took for plate X (an 8 for a B) is found by a query for X, as it searched for X.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

import screening_native

from screening.core.prepare import Prepared, prepare
from screening.exceptions import ConfigurationError, InvalidScan
from screening.matching.documents import document_field
from screening.matching.normalize import (
    canonical_country,
    name_variants,
    normalize_document_number,
    normalize_name,
    normalize_plate,
)
from screening.matching.persons import PersonQuery
from screening.matching.plates import skeleton
from screening.matching.vin import normalize_vin
from screening.models import TravellerScan, VehicleScan
from screening.settings import Settings

DIGEST_BYTES = 16
# A key shorter than this is a placeholder, not a secret (`security init` writes 43).
MIN_KEY_CHARS = 16
KINDS = ("document", "document_number", "person", "name", "vin", "plate", "plate_number",
         "person_nationality")
# Not a searched value but the scanned person as a whole (name, date of birth and
# document), by which an analyst clears a namesake against one record (clearance.py).
SUBJECT = "subject"


def audit_key(settings: Settings) -> bytes | None:
    """The configured audit key (the file's text, read by Settings), or None."""
    if settings.audit_key is None:
        return None
    text = settings.audit_key.get_secret_value().strip()
    if len(text) < MIN_KEY_CHARS:
        raise ConfigurationError(f"the audit key is {len(text)} characters; at least "
                                 f"{MIN_KEY_CHARS} random ones are needed")
    return text.encode()


def require_key(settings: Settings) -> bytes:
    key = audit_key(settings)
    if key is None:
        raise ConfigurationError(
            "no audit key: set SCREENING_AUDIT_KEY_FILE (`screening security init` makes "
            f"{settings.secrets_dir}/audit.key; `client-config PRINCIPAL --format env` "
            "names it)")
    return key


def _variants(name: str) -> tuple[str, ...]:
    # ASCII has one fold; normalize_name's cache already holds it (the matcher's call).
    return (normalize_name(name),) if name.isascii() else name_variants(name)


@lru_cache(maxsize=4096)
def _name_pairs(surname: str | None, given: str | None) -> tuple[str, ...]:
    """"SURNAME,GIVEN" in the ICAO fold and, where it differs, the bare-letter one.

    Remembered: a scan's person is folded for its audit record and again for its
    correlation key (and for a namesake's subject), one after the other."""
    s = _variants(surname or "")
    g = _variants(given or "")
    pairs = [f"{s[0]},{g[0]}", f"{s[-1]},{g[-1]}"]
    return tuple(p for p in dict.fromkeys(pairs) if p != ",")


class Digester:
    """Computes the digests; one per process, built from the key.

    HMAC-SHA-256 as RFC 2104 defines it, in the compiled core (native/src/digest.rs),
    with the MAC state after each kind's "<kind>\x1f" computed once: a scan costs about
    five digests (its audit record's, its correlation keys'), each 2.5 µs in Python and
    a fifth of that compiled (tests pin them to the standard library's hmac)."""

    __slots__ = ("digest",)

    def __init__(self, key: bytes) -> None:
        # digest(kind, value): "<kind>:<base64url>" of HMAC-SHA-256 of "<kind>\x1f<value>",
        # truncated to DIGEST_BYTES; a kind not in KINDS or SUBJECT is a KeyError.
        self.digest: Callable[[str, str], str] = screening_native.AuditDigester(
            key, [*KINDS, SUBJECT], DIGEST_BYTES).digest

    def __repr__(self) -> str:
        return "Digester(key=**********)"

    # -- one searched value each: the worker and the query share these --

    def document(self, number: str, state: str | None) -> list[str]:
        plain = normalize_document_number(number)
        if not plain:
            return []
        out = [self.digest("document_number", plain)]
        if state and canonical_country(state):
            out.append(self.digest("document", document_field(number, state)))
        return out

    def person(self, surname: str | None, given: str | None, dob: str | None) -> list[str]:
        out = []
        for pair in _name_pairs(surname, given):
            out.append(self.digest("name", pair))
            if dob:
                out.append(self.digest("person", f"{pair}|{dob.strip()}"))
        return out

    def person_nationality(self, surname: str | None, given: str | None, dob: str,
                           nationality: str) -> str | None:
        """One person as correlation sees them: the ICAO fold of the name (an MRZ's
        and the printed fields' agree on it), full date of birth and nationality."""
        pairs = _name_pairs(surname, given)
        if not pairs:
            return None
        return self.digest("person_nationality", f"{pairs[0]}|{dob.strip()}|{nationality}")

    def vin(self, vin: str) -> list[str]:
        plain = normalize_vin(vin)
        return [self.digest("vin", plain)] if plain else []

    def plate(self, plate: str, country: str | None) -> list[str]:
        sk = skeleton(normalize_plate(plate))
        if not sk:
            return []
        out = [self.digest("plate_number", sk)]
        if canonical_country(country):
            out.append(self.digest("plate", f"{sk}|{canonical_country(country)}"))
        return out

    def subject(self, p: Prepared) -> str | None:
        """The scanned traveller as one digest of name (ICAO fold), date of birth and
        document (its index field), or None without a name or a document: another
        person with the same name, or the same person with another passport, is someone
        else to a clearance."""
        if not p.persons or not p.document_fields:
            return None
        person = p.persons[0]
        pairs = _name_pairs(person.surname, person.given_names)
        if not pairs:
            return None
        dob = (person.date_of_birth or "").strip()
        return self.digest(SUBJECT, f"{pairs[0]}|{dob}|{p.document_fields[0]}")

    # -- what a scan searched --

    def of_prepared(self, p: Prepared) -> list[str]:
        out: list[str] = []
        # The index fields the scan looked up: document_field(number, state) already.
        for key in p.document_fields:
            out.append(self.digest("document_number", key.partition("|")[0]))
            if not key.endswith("|"):
                out.append(self.digest("document", key))
        for person in p.persons:
            out += self._person(person)
        if p.vin:
            out += self.vin(p.vin)
        if p.vin_corrected is not None:
            out += self.vin(p.vin_corrected[0])
        if p.plate and isinstance(p.scan, VehicleScan):
            out += self.plate(p.plate, p.scan.vehicle.plate_country)
        return out  # (a digest twice, were it to happen, matches the same)

    def _person(self, q: PersonQuery) -> list[str]:
        return self.person(q.surname, q.given_names, q.date_of_birth)

    def of_scan(self, scan: TravellerScan | VehicleScan, settings: Settings) -> list[str]:
        """A scan refused before or during preparation (SITE_MISMATCH, MRZ_FORMAT...):
        what it would have searched, or, when it cannot be prepared, its printed fields."""
        try:
            return self.of_prepared(prepare(scan, settings))
        except InvalidScan:
            pass
        out: list[str] = []
        if isinstance(scan, TravellerScan):
            if scan.document.number:
                out += self.document(scan.document.number, scan.document.issuing_state)
            h = scan.holder
            if h.surname or h.given_names:
                out += self.person(h.surname, h.given_names, h.date_of_birth)
        else:
            v = scan.vehicle
            if v.vin:
                out += self.vin(v.vin)
            if v.plate:
                out += self.plate(v.plate, v.plate_country)
        return list(dict.fromkeys(out))


def query_sets(d: Digester, *, document: str | None = None, state: str | None = None,
               name: str | None = None, dob: str | None = None, vin: str | None = None,
               plate: str | None = None, country: str | None = None) -> list[set[str]]:
    """The auditor's criteria as digest sets: a record matches when it holds at least one
    digest of every set. `name` is "SURNAME, GIVEN" (the given names may be left out)."""
    sets: list[set[str]] = []

    def want(kind: str, digests: Iterable[str]) -> None:
        chosen = {x for x in digests if x.startswith(f"{kind}:")}
        sets.append(chosen or {"-"})  # nothing usable: matches nothing

    if document is not None:
        want("document" if state else "document_number", d.document(document, state))
    if name is not None:
        surname, _, given = name.partition(",")
        want("person" if dob else "name", d.person(surname, given, dob))
    if vin is not None:
        want("vin", d.vin(vin))
    if plate is not None:
        want("plate" if country else "plate_number", d.plate(plate, country))
    return sets


def kinds_of(digests: Iterable[str]) -> Iterator[str]:
    return (x.partition(":")[0] for x in digests)


__all__ = ["DIGEST_BYTES", "KINDS", "Digester", "audit_key", "kinds_of", "query_sets",
           "require_key"]

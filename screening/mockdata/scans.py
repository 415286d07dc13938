"""Checkpoint scans for the simulator, the benchmark and integration tests.

Ordinary scans take their document numbers, plates and VINs from regions of the code
space that no generated watchlist uses (see codes.py), so they can never hit by number.
Their holders' names come from the same pools as the notices, so namesakes occur as
in reality; their dates of birth are random, which makes a full name + date of birth
coincidence with a notice negligible. The "clear" expected of an ordinary traveller is
therefore "almost surely clear": a matcher that scores a name alone high enough, or
forgives a different date of birth, will sometimes hit a namesake, as it would at a
real border. The same holds for ordinary plates read with low confidence, where a
matcher forgiving a missing character may meet a listed plate.

Scans designed to hit are built from records of a ListSample (read from the generated
files with `sample_from_files`): an SLTD document's number and state in an MRZ, a
notice's exact Latin name and its (full or partial) date of birth, a notice's associated
document, a stolen vehicle's VIN or its plate written with other separators.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any, Literal

from screening.matching.documents import SWAPS
from screening.mockdata.codes import ORDINARY, ORDINARY_PLATES, CodeSource
from screening.mockdata.documents import DocumentChooser
from screening.mockdata.malformed import break_scan
from screening.mockdata.mrz_writer import build_td1, build_td3
from screening.mockdata.people import PersonFactory, Weighted, document_spelling
from screening.mockdata.samples import ListSample, sample_from_files
from screening.mockdata.vehicles import ORDINARY_COUNTRIES, VehicleMaker, to_latin

Scan = dict[str, Any]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Expect:
    """What screening should answer to one scan."""

    outcome: Literal["clear", "hit", "rejected"]
    list: str | None = None  # "sltd", "notice" or "smv" for a hit
    record_id: str | None = None  # the record the hit must name (others may come too)
    # The scan's event_id when it can be read (a CheckResult is due); None for payloads
    # whose event_id cannot be read, which only produce a dead letter.
    event_id: str | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


_TD1_CODES = ("I", "ID", "IR", "CI", "C", "AC")  # identity cards and crew cards use TD1


class ScanFactory:
    """Deterministic per seed, except `event_id` (a random UUID, unique across factories
    and processes) and `scanned_at` (from `now`, which must return aware datetimes)."""

    def __init__(
        self,
        *,
        seed: int,
        sample: ListSample | None = None,
        checkpoints: int = 8,
        terminals_per_checkpoint: int = 4,
        now: Callable[[], datetime] = _utc_now,
        checkpoint_ids: Sequence[str] | None = None,
    ) -> None:
        self._rng = Random(f"scans:{seed}")
        self._now = now
        self._people = PersonFactory("travellers")
        self._docs = DocumentChooser()
        self._codes = CodeSource(self._rng)
        self._vehicles = VehicleMaker()
        self.sample = sample or ListSample()
        # Hits by name need a date of birth: a name alone is a lead too weak to refer a
        # traveller (the matcher keeps it below its threshold, rightly).
        self._notices_with_dob = [n for n in self.sample.notices if n.get("date_of_birth")]
        self._notices_with_docs = [n for n in self.sample.notices if n.get("documents")]
        # Event lists' persons are found as notices are, their vehicles as stolen ones.
        self._event_persons = [e for e in self.sample.events
                               if e.get("subject") == "person" and e.get("date_of_birth")]
        self._event_vehicles = [e for e in self.sample.events if e.get("subject") == "vehicle"]
        # A site's own checkpoints when given (its terminals' ids derive from them).
        ids = list(checkpoint_ids or (f"CP-{c:02d}" for c in range(1, checkpoints + 1)))
        self._terminals = [(cp, f"{cp}-T{t}") for cp in ids
                           for t in range(1, terminals_per_checkpoint + 1)]

    # ------------------------------------------------------------------ helpers

    def _envelope(self) -> Scan:
        checkpoint, terminal = self._terminals[self._rng.randrange(len(self._terminals))]
        return {
            "event_id": uuid.uuid4().hex,
            "checkpoint_id": checkpoint,
            "terminal_id": terminal,
            "scanned_at": self._now().isoformat(timespec="milliseconds"),
        }

    def _birth_date(self, today: date) -> date:
        rng = self._rng
        age = rng.randint(0, 17) if rng.random() < 0.12 else int(rng.triangular(18, 90, 38))
        return today - timedelta(days=int(age * 365.25) + rng.randrange(365))

    def _birth_from(self, dob: str | None, today: date) -> date:
        """A full date of birth agreeing with a notice's full, partial or absent one."""
        rng = self._rng
        if not dob:
            return self._birth_date(today)
        parts = [int(p) for p in dob.split("-")]
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
        month = parts[1] if len(parts) == 2 else rng.randint(1, 12)
        return date(parts[0], month, rng.randint(1, 28))

    def _expiry(self, dob: date, today: date) -> date:
        rng = self._rng
        if rng.random() < 0.01:  # expired documents do turn up
            return today - timedelta(days=rng.randint(1, 400))
        years = 5 if (today - dob).days < 18 * 365 else 10
        return today + timedelta(days=rng.randint(30, years * 365 - 30))

    def _document(
        self,
        td: str,
        code: str,
        state: str,
        number: str,
        holder: dict[str, Any],
        dob: date,
        *,
        mode: str,
    ) -> Scan:
        """The scan's document and holder: "mrz" only, "both" or "fields" only."""
        today = self._now().date()
        expiry = self._expiry(dob, today)
        scan = self._envelope()
        nationality = holder.get("nationality") or state
        document: dict[str, Any] = {}
        if mode != "fields":
            build = build_td1 if td == "TD1" else build_td3
            try:
                document["mrz"] = build(
                    code,
                    state,
                    document_spelling(holder.get("surname", ""), state),
                    document_spelling(holder.get("given_names", ""), state),
                    number,
                    nationality=nationality,
                    date_of_birth=dob,
                    sex=holder.get("sex"),
                    expiry=expiry,
                )
            except ValueError:  # a listed number too long for a TD3: send the fields
                mode = "fields"
        if mode == "fields":
            document.update(number=number, issuing_state=state, type=code)
            document["expiry"] = expiry.isoformat()
        scan["document"] = document
        if mode != "mrz":
            scan["holder"] = {k: v for k, v in holder.items() if v} | {
                "date_of_birth": dob.isoformat()
            }
        return scan

    def _mode(self) -> str:
        r = self._rng.random()
        return "mrz" if r < 0.3 else "both" if r < 0.92 else "fields"

    # -------------------------------------------------------------- travellers

    def traveller(self) -> Scan:
        """An ordinary traveller (almost surely clear: see the module docstring)."""
        rng = self._rng
        person = self._people.person(rng)
        state = person.nationality if rng.random() < 0.95 else ORDINARY_COUNTRIES.pick(rng)
        kind = self._docs.pick(state, rng)
        number = self._codes.draw(kind.shape, ORDINARY, rng)
        holder = {
            "surname": person.name.surname,
            "given_names": person.name.given_names,
            "nationality": person.nationality,
            "sex": person.sex,
        }
        dob = self._birth_date(self._now().date())
        return self._document(kind.td, kind.code, state, number, holder, dob, mode=self._mode())

    def traveller_hit(self) -> tuple[Scan, str, str]:
        """(scan, list, record_id): a scan built to hit that record."""
        rng = self._rng
        options = [
            (w, name)
            for w, name, records in (
                (0.5, "sltd", self.sample.sltd),
                (0.35, "notice_name", self._notices_with_dob),
                (0.15, "notice_document", self._notices_with_docs),
                (0.1, "event_person", self._event_persons),
            )
            if records
        ]
        if not options:
            raise ValueError("traveller hits need SLTD records or notices in the sample")
        name = Weighted([(n, w) for w, n in options]).pick(rng)
        if name == "sltd":
            return self._sltd_hit()
        if name == "event_person":
            return self._notice_hit(by_document=False, pool=self._event_persons)
        return self._notice_hit(by_document=name == "notice_document")

    def _holder(self, nationality: str | None = None) -> dict[str, Any]:
        person = self._people.person(self._rng)
        return {
            "surname": person.name.surname,
            "given_names": person.name.given_names,
            "nationality": nationality or person.nationality,
            "sex": person.sex,
        }

    def _sltd_hit(self) -> tuple[Scan, str, str]:
        rng = self._rng
        record = rng.choice(self.sample.sltd)
        state = record["issuing_state"]
        code = record.get("document_type") or "P"
        td = "TD1" if code in _TD1_CODES else "TD3"
        holder = self._holder(state if rng.random() < 0.9 else None)
        dob = self._birth_date(self._now().date())
        mode = "mrz" if rng.random() < 0.5 else rng.choice(("both", "fields"))
        number = record["document_number"]
        if mode == "fields" and rng.random() < 0.3:  # typed by hand, an O for a 0 or the like
            spots = [i for i, ch in enumerate(number) if ch in SWAPS]
            if spots:
                i = rng.choice(spots)
                number = number[:i] + SWAPS[number[i]] + number[i + 1:]
        scan = self._document(td, code, state, number, holder, dob, mode=mode)
        return scan, "sltd", record["id"]

    def _notice_hit(self, *, by_document: bool,
                    pool: list[Record] | None = None) -> tuple[Scan, str, str]:
        """A traveller built to hit a listed person (a notice's, or `pool`'s)."""
        rng = self._rng
        today = self._now().date()
        if pool is None:
            pool = self._notices_with_docs if by_document else self._notices_with_dob
        record = rng.choice(pool)
        name = record["names"][0]
        nationalities = record.get("nationalities") or []
        holder: dict[str, Any] = {
            "surname": name.get("surname", ""),
            "given_names": name.get("given_names", ""),
            "nationality": nationalities[0] if nationalities else None,
            "sex": record.get("sex") or rng.choice("MF"),
        }
        dob = self._birth_from(record.get("date_of_birth"), today)
        if by_document:
            doc = rng.choice(record["documents"])
            state, number = doc["issuing_state"], doc["number"]
            td, code = "TD3", "P"
            if rng.random() < 0.5:  # travelling under a name the notice does not know
                holder = self._holder(holder["nationality"])
                dob = self._birth_date(today)
            mode = self._mode()
        else:
            state = holder["nationality"] or ORDINARY_COUNTRIES.pick(rng)
            kind = self._docs.pick(state, rng)
            td, code = kind.td, kind.code
            number = self._codes.draw(kind.shape, ORDINARY, rng)
            mode = "both" if rng.random() < 0.8 else "fields"  # the exact name travels beside
        scan = self._document(td, code, state, number, holder, dob, mode=mode)
        return scan, record["list"], record["id"]

    # ---------------------------------------------------------------- vehicles

    def _read(self, plate: str) -> str:
        """The plate as a reader reports it: separators kept, dropped or swapped."""
        r = self._rng.random()
        if r < 0.55:
            return plate
        if r < 0.85:
            return plate.replace(" ", "").replace("-", "")
        return plate.replace("-", "\0").replace(" ", "-").replace("\0", " ")

    def vehicle(self) -> Scan:
        """An ordinary vehicle (almost surely clear)."""
        rng = self._rng
        scan = self._envelope()
        vehicle: dict[str, Any] = {}
        car = self._vehicles.car(rng, ORDINARY_PLATES)
        with_plate = rng.random() < 0.97
        if with_plate:
            country = ORDINARY_COUNTRIES.pick(rng)
            plate = self._vehicles.plate(country, rng, self._codes, ORDINARY_PLATES, unique=False)
            vehicle["plate"] = self._read(plate)
            vehicle["plate_country"] = country
        if not with_plate or rng.random() < 0.25:
            vehicle["vin"] = car.vin
        if rng.random() < 0.5:
            vehicle.update(make=car.make, model=car.model, colour=car.colour)
        scan["vehicle"] = vehicle
        scan["read_confidence"] = round(rng.uniform(0.6, 1.0), 3)
        return scan

    def vehicle_hit(self) -> tuple[Scan, str, str]:
        rng = self._rng
        if not (self.sample.smv or self._event_vehicles):
            raise ValueError("vehicle hits need stolen vehicle records in the sample")
        if self._event_vehicles and (not self.sample.smv or rng.random() < 0.1):
            record = rng.choice(self._event_vehicles)
        else:
            record = rng.choice(self.sample.smv)
        plate, vin = record.get("plate"), record.get("vin")
        by_vin = bool(vin) and (not plate or rng.random() < 0.5)
        vehicle: dict[str, Any] = {}
        if by_vin:
            vehicle["vin"] = vin
        if plate and (not by_vin or rng.random() < 0.5):
            vehicle["plate"] = self._read(to_latin(plate))
            if record.get("plate_country"):
                vehicle["plate_country"] = record["plate_country"]
        if rng.random() < 0.5:
            vehicle.update({k: record[k] for k in ("make", "model", "colour") if record.get(k)})
        scan = self._envelope()
        scan["vehicle"] = vehicle
        scan["read_confidence"] = round(rng.uniform(0.85, 1.0), 3)
        return scan, record["list"], record["id"]

    # ----------------------------------------------------------------- mixtures

    def malformed(self) -> bytes:
        """A payload that fails JSON decoding or validation (see malformed.py)."""
        return self._malformed()[1]

    def _malformed(self) -> tuple[str, bytes, str | None]:
        if self._rng.random() < 0.7:
            return break_scan(self._rng, "traveller", self.traveller())
        return break_scan(self._rng, "vehicle", self.vehicle())

    def mixed(
        self,
        n: int,
        hit_share: float,
        *,
        vehicle_share: float = 0.2,
        malformed_share: float = 0.0,
    ) -> Iterator[tuple[str, Scan | bytes, Expect]]:
        """n scans: (kind, payload, expectation). Hits go to whichever kind the sample
        can serve when the chosen one cannot."""
        rng = self._rng
        can_traveller = bool(self.sample.sltd or self._notices_with_dob or self._notices_with_docs
                             or self._event_persons)
        can_vehicle = bool(self.sample.smv or self._event_vehicles)
        if hit_share > 0 and not (can_traveller or can_vehicle):
            raise ValueError("hits need a ListSample with records")
        for _ in range(n):
            if rng.random() < malformed_share:
                kind, payload, event_id = self._malformed()
                yield kind, payload, Expect("rejected", event_id=event_id)
                continue
            vehicle = rng.random() < vehicle_share
            if rng.random() < hit_share:
                if (vehicle and can_vehicle) or not can_traveller:
                    scan, name, record_id = self.vehicle_hit()
                    kind = "vehicle"
                else:
                    scan, name, record_id = self.traveller_hit()
                    kind = "traveller"
                yield kind, scan, Expect("hit", name, record_id, scan["event_id"])
            else:
                scan = self.vehicle() if vehicle else self.traveller()
                kind = "vehicle" if vehicle else "traveller"
                yield kind, scan, Expect("clear", event_id=scan["event_id"])


__all__ = ["Expect", "ListSample", "ScanFactory", "sample_from_files"]

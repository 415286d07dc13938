"""What every list provides, and the shapes the shared machinery passes around.

A list (one package under ``screening/watchlists/``) has four parts:

- ``record.py``: its record model (the contract's shape, validated with pydantic);
- ``layout.py``: how its records are kept in Redis (a ``Layout``): the physical key and
  field of each look-up, the writes that upsert and delete records, how stored values
  read back;
- ``screen.py``: the ``WatchList`` itself: which look-ups a prepared scan needs, which
  records to fetch behind the candidates, and how answers become hits (``Found``);
- ``mock.py``: its part of the mock generator.

The registry (``registry.py``) names the packages; the store, the loader, live updates,
``core/prepare`` and ``core/decide`` are loops over it and know no list by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from screening.models.common import Id, Model

if TYPE_CHECKING:
    from screening.core.prepare import Prepared
    from screening.models import Hit, Instruction, Priority
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.generic import Indexed
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

RS = "\x1e"  # between entries of one field
US = "\x1f"  # between an entry's id and its payload



class ListRecord(Model):
    """What every record has: the list it belongs to and its id in that list."""

    list: str
    id: Id


Lookup = tuple[str, str]  # (table, field) a scan looks up
RecordRef = tuple[str, str]  # (table, record id) of a record's stored body


@dataclass(frozen=True, slots=True)
class Found:
    """One entry of a look-up: a record id, and what the list stored beside it."""

    record_id: str
    payload: str = ""


# What the first round trip answered, per look-up (already decoded by the list's layout),
# and the records the second one fetched, decoded, per (table, record id).
Answers = Mapping[Lookup, Sequence[Found]]
Records = Mapping[RecordRef, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Match:
    """A hit, with what only analysts see (the record's summary) and what it asks of the
    gate: the list decides all three, the shared decision only merges and orders."""

    hit: Hit
    record: dict[str, Any]
    instruction: Instruction
    priority: Priority
    # The record's own action and owner, when it names them (alerts v2).
    action: str | None = None
    owner: str | None = None
    # "possible": a name match too weak to stop anyone at a gate (persons.score's tier):
    # an alert for analysts, while the gate proceeds (core/decide.py).
    tier: Literal["referral", "possible"] = "referral"


def keep_best(found: dict[str, Hit], hit: Hit) -> None:
    """One hit per record of a list: the best score, matched on everything any of its
    look-ups matched (a document and a name)."""
    old = found.get(hit.record_id)
    if old is None:
        found[hit.record_id] = hit
        return
    matched_on = list(dict.fromkeys([*old.matched_on, *hit.matched_on]))
    best = hit if hit.score > old.score else old
    found[hit.record_id] = best.model_copy(update={"matched_on": matched_on})


# What a list makes of a hit on one of its records: (category, instruction, priority),
# or None when the record no longer hits (past its `valid_until`). Given the stored
# record (a person's profile, a vehicle's body) and the decision's time.
Verdict = Callable[[dict[str, Any], datetime], "tuple[str, Instruction, Priority] | None"]


@dataclass(frozen=True, slots=True)
class Screening:
    """What a list's ``hits`` is given besides the answers: the decision's clock and the
    name threshold."""

    now: datetime
    threshold: float
    # (list, category) of lists dormant in the mode in force: screened, never a hit
    # (modes/profiles.py).
    dormant: frozenset[tuple[str, str]] = frozenset()


class WatchList(Protocol):
    """One list: its record model, its layout, and how scans are answered from it."""

    name: ClassVar[str]
    model: ClassVar[type[Any]]  # a pydantic model with `list` and `id`
    layout: Layout

    def lookups(self, p: Prepared) -> list[Lookup]:
        """The look-ups a prepared scan needs from this list (none: the list does not
        screen this kind of scan)."""
        ...

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        """The second round trip: stored records behind the candidates worth scoring."""
        ...

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        ...


# ----------------------------------------------------------------- storage

@dataclass
class Changes:
    """The writes a batch of upserts and deletes comes to, and how many deletes found
    their record."""

    ops: list[WriteOp] = field(default_factory=list)
    found: int = 0


OnError = Callable[[Any, Exception], None] | None


class Layout(Protocol):
    """How one list keeps its records in a version's keys."""

    # The physical tables it writes (sized at load time, measured by `stats`).
    tables: tuple[str, ...]

    def buckets(self, records: int, max_entries: int, max_value: int = 64) -> dict[str, int]:
        """Bucket counts for its tables, for `records` records (the server keeps a hash
        as a listpack up to `max_entries` fields of `max_value` bytes at most)."""
        ...

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, str | bytes]:
        """The Redis key and field of a logical look-up or of a stored record."""
        ...

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        """`slot` of many look-ups of one table at once (the hot path: a batch's)."""
        ...

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        """A stored look-up value as entries."""
        ...

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        """A stored record body, for scoring and the analysts' alert."""
        ...

    def index(self, record: Any) -> Indexed:
        """A record's logical entries and bodies: what look-ups answer, whatever the
        physical form (in-memory stand-ins of the store are built from these)."""
        ...

    async def changes(self, store: WatchlistStore, version: Version, upserts: Sequence[Any],
                      deletes: Sequence[str], *, known_new: bool = False,
                      on_error: OnError = None) -> Changes:
        """The writes that upsert `upserts` and delete the ids `deletes` (an id in
        both: the upsert wins). `known_new`: a fresh bulk load, nothing to replace. A
        record its code cannot index goes to `on_error` and is skipped whole (without
        `on_error` the error propagates)."""
        ...

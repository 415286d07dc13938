"""The wire contract as pydantic models; JSON Schemas in schemas/ are generated from them."""

from screening.models.results import (
    Alert,
    AlertDecision,
    Bonus,
    CheckResult,
    DeadLetter,
    DeadLetterReason,
    Hit,
    ListName,
    Outcome,
    Penalty,
    Priority,
)
from screening.models.scans import Document, Holder, ScanKind, TravellerScan, Vehicle, VehicleScan
from screening.models.watchlist import (
    NoticeDocument,
    NoticeName,
    NoticeRecord,
    RecordRef,
    SltdRecord,
    SmvRecord,
    WatchlistRecord,
    WatchlistUpdate,
)

__all__ = [
    "Alert",
    "AlertDecision",
    "Bonus",
    "CheckResult",
    "DeadLetter",
    "DeadLetterReason",
    "Document",
    "Hit",
    "Holder",
    "ListName",
    "NoticeDocument",
    "NoticeName",
    "NoticeRecord",
    "Outcome",
    "Penalty",
    "Priority",
    "RecordRef",
    "ScanKind",
    "SltdRecord",
    "SmvRecord",
    "TravellerScan",
    "Vehicle",
    "VehicleScan",
    "WatchlistRecord",
    "WatchlistUpdate",
]

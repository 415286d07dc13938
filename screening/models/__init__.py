"""The wire contract as pydantic models; JSON Schemas in schemas/ are generated from them."""

from typing import TYPE_CHECKING, Any

from screening.models.audit import ActorKind, AuditAction, AuditActor, AuditRecord
from screening.models.results import (
    Alert,
    AlertDecision,
    AlertKind,
    Bonus,
    CheckResult,
    Correlation,
    CorrelationCode,
    DeadLetter,
    DeadLetterReason,
    Decision,
    DocumentDifference,
    Hit,
    Instruction,
    InstructionMessage,
    ListName,
    Outcome,
    Penalty,
    Priority,
    SealedPayload,
)
from screening.models.scans import Document, Holder, ScanKind, TravellerScan, Vehicle, VehicleScan

if TYPE_CHECKING:
    from screening.models.modes import ModeChange
    from screening.models.watchlist import (
        NoticeDocument,
        NoticeName,
        NoticeRecord,
        RecordRef,
        SltdRecord,
        SmvRecord,
        UpdateSignature,
        WatchlistRecord,
        WatchlistUpdate,
    )

# The watchlist models are read on first use: their records live in the lists' packages
# (watchlists/<list>/record.py), which import models.common, so importing them here
# would make every list package import itself in a circle.
_WATCHLIST = frozenset({"ListRecord", "NoticeDocument", "NoticeName", "NoticeRecord",
                        "RecordRef", "SltdRecord", "SmvRecord", "UpdateSignature",
                        "WatchlistRecord", "WatchlistUpdate"})


def __getattr__(name: str) -> Any:
    if name == "ModeChange":  # signed as updates are: it needs the watchlist models
        from screening.models import modes

        return modes.ModeChange
    if name in _WATCHLIST:
        from screening.models import watchlist

        return getattr(watchlist, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ActorKind",
    "Alert",
    "AlertDecision",
    "AlertKind",
    "AuditAction",
    "AuditActor",
    "AuditRecord",
    "Bonus",
    "CheckResult",
    "Correlation",
    "CorrelationCode",
    "DeadLetter",
    "DeadLetterReason",
    "Decision",
    "Document",
    "DocumentDifference",
    "Hit",
    "Holder",
    "Instruction",
    "InstructionMessage",
    "ListName",
    "ModeChange",
    "NoticeDocument",
    "NoticeName",
    "NoticeRecord",
    "Outcome",
    "Penalty",
    "Priority",
    "RecordRef",
    "ScanKind",
    "SealedPayload",
    "SltdRecord",
    "SmvRecord",
    "TravellerScan",
    "UpdateSignature",
    "Vehicle",
    "VehicleScan",
    "WatchlistRecord",
    "WatchlistUpdate",
]

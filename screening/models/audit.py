"""The audit trail's record (contract v2, "Audit"): who searched or did what, when.

Nothing personal travels in it: what was searched is kept only as keyed digests
(`query_digests`), which the auditor's tool recomputes from what it is asked about.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from screening.models.common import Id, StrictModel, Timestamp

AuditAction = Literal[
    "search", "alert_viewed", "alert_decided", "unmask", "sign_in", "sign_in_failed",
    "sign_out", "list_loaded", "update_applied", "update_refused", "mode_changed",
    "instruction_sent", "purge", "namesake_cleared", "clearance_revoked",
    # The operations room (console): claiming an alert, handing it back or having it
    # taken over, a first confirmation waiting for a second analyst, an undone step,
    # and opening a case's timeline. (An analyst's search is a `search`.)
    "alert_claimed", "alert_released", "confirmation_pending", "decision_undone",
    "case_viewed"]
ActorKind = Literal["terminal", "analyst", "service"]


class AuditActor(StrictModel):
    """Who acted: a terminal (its id), an analyst (their user name) or a service (the
    command, or the feed key of a live update), and the Kafka principal the act came
    through (a terminal's: its site's `site-SITE`; an update's: `feed`)."""

    kind: ActorKind
    id: str = Field(min_length=1, max_length=128)
    principal: str | None = None


class AuditRecord(StrictModel):
    # Stable: the same input audited again (a replay after a crash) gives the same id.
    audit_id: str = Field(min_length=1, max_length=64)
    at: Timestamp
    action: AuditAction
    actor: AuditActor
    site: str | None = None
    checkpoint_id: str | None = None
    event_id: Id | None = None
    alert_id: str | None = None
    # search: the scan's outcome; other actions: `ok`, `refused`, a decision, ...
    outcome: str | None = None
    watchlist_version: str | None = None
    # "<kind>:<digest>", kind one of document, document_number, person, name, vin,
    # plate, plate_number; digest: base64url of the first 16 bytes of HMAC-SHA-256 under
    # the audit key (screening/audit/digests.py). Never the searched value itself.
    query_digests: list[str] = Field(default_factory=list)
    # Optional context without personal data: a record reference (`sltd:R123`), a
    # reason code, counts of a list load.
    ref: str | None = None
    reason: str | None = None
    counts: dict[str, int] | None = None
    # Added (optional): a drill's scan; audit queries leave these out unless asked.
    exercise: bool = False


__all__ = ["ActorKind", "AuditAction", "AuditActor", "AuditRecord"]

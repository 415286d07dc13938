"""`screening alerts tail`'s line: masked names, and a name hit's arithmetic."""

from __future__ import annotations

from typing import Any

from screening.cli.alerts import format_alert, format_decision, masked


def _alert(hit: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    return {"raised_at": "2026-11-29T07:31:00.309000Z", "priority": "critical",
            "checkpoint_id": "CP-07", "terminal_id": "CP-07-T2", "hit": hit, "subject": subject}


NAME_HIT = {"list": "notice", "record_id": "NTC-1", "category": "red", "score": 1.0,
            "matched_on": ["name", "date_of_birth"], "matched_alias": "AL-MASRI, Mohammed",
            "name_similarity": 0.97, "penalties": [{"reason": "name_tokens_missing",
                                                    "amount": 0.03}],
            "bonuses": [{"reason": "birth_date_agrees", "amount": 0.03},
                        {"reason": "nationality_agrees", "amount": 0.02}]}
PERSON = {"surname": "ALMASRI", "given_names": "MOHAMED", "date_of_birth": "1975-03-14",
          "nationality": "EGY", "document_number": "*****567", "issuing_state": "EGY"}


def test_a_name_hit_shows_similarity_penalties_and_bonuses() -> None:
    line = format_alert(_alert(NAME_HIT, PERSON), colour=False, unmask=False)
    assert line.startswith("2026-11-29T07:31:00.309 CRITICAL REFER_SECONDARY action=- owner=- "
                           "ref=- notice/red record=NTC-1 score=1.00")
    assert line.endswith("adjustments: name=0.97 -0.03:name_tokens_missing "
                         "+0.03:birth_date_agrees +0.02:nationality_agrees")


def test_names_are_masked_unless_asked_and_numbers_always() -> None:
    masked = format_alert(_alert(NAME_HIT, PERSON), colour=False, unmask=False)
    assert "ALMASRI" not in masked and "MOHAMED" not in masked and "1975-03-14" not in masked
    assert "alias=" not in masked
    whole = format_alert(_alert(NAME_HIT, PERSON), colour=False, unmask=True)
    assert "surname=ALMASRI" in whole and "alias='AL-MASRI, Mohammed'" in whole
    assert "document_number=*****567" in whole


def test_a_vehicle_hit_has_no_adjustments() -> None:
    hit = {"list": "smv", "record_id": "SMV-1", "category": "stolen_vehicle", "score": 1.0,
           "matched_on": ["vin"], "penalties": []}
    line = format_alert(_alert(hit, {"vin": "KNALAXW58AN363637"}), colour=False, unmask=False)
    assert line.endswith("vin=**************637")  # masked as a document number
    assert "adjustments" not in line
    whole = format_alert(_alert(hit, {"vin": "KNALAXW58AN363637"}), colour=False, unmask=True)
    assert whole.endswith("vin=KNALAXW58AN363637")


def test_json_lines_mask_vehicles_and_names_unless_asked() -> None:
    alert = _alert({"list": "smv", "record_id": "SMV-1"}, {"plate": "B-AB 1234",
                                                          "surname": "ALMASRI"})
    alert["record"] = {"id": "SMV-1", "vin": "KNALAXW58AN363637", "plate": "B-AB 1234"}
    shown = masked(alert)
    text = str(shown)
    assert "KNALAXW58AN363637" not in text and "B-AB 1234" not in text
    assert "ALMASRI" not in text
    assert shown["record"]["vin"].endswith("637") and shown["record"]["id"] == "SMV-1"


def test_a_decision_says_who_decided_and_when_and_never_the_note() -> None:
    from screening.cli.alerts import format_decision

    line = format_decision({"alert_id": "A-1", "decision": "confirmed", "analyst": "ana",
                            "decided_at": "2026-11-29T07:40:00+00:00",
                            "note": "passport of Anna Eriksson"}, colour=False)
    assert line == ("2026-11-29T07:40:00+00: DECIDED  alert=A-1 confirmed by=ana "
                    "at=2026-11-29T07:40:00+00:00 note")


def test_the_first_line_says_what_the_gate_was_told_and_marks_escalations_and_drills() -> None:
    alert = _alert(NAME_HIT, PERSON) | {
        "instruction": "DISCREET_CHECK", "action": "discreet_check", "owner": "NCB-EGY",
        "reference": "R-0A1B2C3D4E", "escalated_at": "2026-11-29T07:32:00.309000Z",
        "exercise": True}
    line = format_alert(alert, colour=False, unmask=False)
    assert line.startswith("2026-11-29T07:31:00.309 CRITICAL DISCREET_CHECK action=discreet_check "
                           "owner=NCB-EGY ref=R-0A1B2C3D4E [ESCALATED 2026-11-29T07:32:00] "
                           "[EXERCISE] notice/red"), line
    decision = format_decision({"alert_id": "A-1", "decision": "verification_requested",
                                "analyst": "ana", "role": "supervisor",
                                "decided_at": "2026-11-29T07:40:00+00:00", "note": ""},
                               colour=False)
    assert "verification_requested by=ana (supervisor)" in decision

"""eval/twins.py: which negative scans no matcher can tell from a notice."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

EVAL = Path(__file__).resolve().parents[3] / "eval"


@pytest.fixture(scope="module")
def twins() -> ModuleType:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(EVAL))
        return importlib.import_module("twins")


def _notice(surname: str, given: str, dob: str | None = None, nats: list[str] | None = None,
            sex: str | None = None) -> dict[str, object]:
    return {"names": [{"surname": surname, "given_names": given, "script": "Latn"}],
            "date_of_birth": dob, "nationalities": nats or [], "sex": sex}


def _scan(surname: str, given: str, dob: str = "1980-05-01", nat: str = "DEU",
          sex: str = "M") -> dict[str, object]:
    return {"surname": surname, "given_names": given, "date_of_birth": dob,
            "nationality": nat, "sex": sex}


def test_folding_drops_marks_case_and_punctuation(twins: ModuleType) -> None:
    assert twins.fold("Müller") == twins.fold("MULLER")
    assert twins.fold("AL-RASHID") == twins.fold("al rashid")
    assert twins.fold("THỊ HƯƠNG") == ("HUONG", "THI")
    assert twins.fold(None) == ()


@pytest.mark.parametrize(("notice", "scan", "levels"), [
    (_notice("MÜLLER", "HANS"), _scan("MULLER", "HANS"), {"none"}),
    (_notice("MÜLLER", "HANS"), _scan("MUELLER", "HANS"), {"none"}),
    (_notice("MULLER", "HANS"), _scan("MUELLER", "HANS"), set()),
    (_notice("TRẦN", "THỊ LAN"), _scan("TRAN", "THI LAN"), {"none"}),
    (_notice("MULLER", "HANS", "1980"), _scan("MULLER", "HANS"), {"partial"}),
    (_notice("MULLER", "HANS", "1981"), _scan("MULLER", "HANS"), set()),
    (_notice("MULLER", "HANS", "1980-05-01"), _scan("MULLER", "HANS"), {"full"}),
    (_notice("MULLER", "HANS", nats=["AUT"]), _scan("MULLER", "HANS"), set()),
    (_notice("MULLER", "HANS", nats=["AUT", "DEU"]), _scan("MULLER", "HANS"), {"none"}),
    (_notice("MULLER", "HANS", sex="F"), _scan("MULLER", "HANS"), set()),
    # Another name part is another name: the notice knows a given name the scan lacks.
    (_notice("MULLER", "HANS PETER"), _scan("MULLER", "HANS"), set()),
    # Surname and given names are not interchangeable.
    (_notice("HANS", "MULLER"), _scan("MULLER", "HANS"), set()),
])
def test_a_twin_agrees_with_every_fact_the_notice_holds(
        twins: ModuleType, notice: dict[str, object], scan: dict[str, object],
        levels: set[str]) -> None:
    assert twins.twins([notice], [scan]) == [frozenset(levels)]


def test_every_notice_counts(twins: ModuleType) -> None:
    notices = [_notice("MULLER", "HANS"), _notice("MULLER", "HANS", "1980")]
    assert twins.twins(notices, [_scan("MULLER", "HANS")]) == [frozenset({"none", "partial"})]


def test_names_in_other_scripts_are_not_folded_into_latin(twins: ModuleType) -> None:
    notice = {"names": [{"surname": "Иванов", "given_names": "Иван", "script": "Cyrl"}],
              "date_of_birth": None, "nationalities": [], "sex": None}
    assert twins.twins([notice], [_scan("IVANOV", "IVAN")]) == [frozenset()]

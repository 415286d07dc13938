"""The person-matching evaluation on small generated sets (seconds), held to floors, so
that a matching change that loses a class of names, or lets look-alike people through,
fails here and not only in eval/RESULTS.md.

The sets are the evaluation's own builders (eval/world_set.py, eval/conventions_set.py,
eval/mock_set.py) at a fraction of their size; the floors sit a little under what the
full sets measure (eval/RESULTS.md), allowing for the noise of 40 pairs a class."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from screening.matching import names

EVAL = Path(__file__).resolve().parents[3] / "eval"

# Same-person classes of the world set: recall floor (40 pairs a class, seed 26; round
# 8a raised persian, khmer and latvian from 0.85, where main before it read 0.95).
WORLD_RECALL = {
    "runtogether": 0.9, "ocr_digits": 0.95, "parts_added": 0.95, "parts_dropped": 0.95,
    "arabic": 0.9, "persian": 0.975, "arabic_of_latin": 0.9, "persian_of_latin": 0.9,
    "belarusian": 0.9, "ukrainian": 0.9, "hungarian": 0.85, "latvian": 0.975,
    "hangul": 0.9, "han": 0.9, "kana": 0.9, "kanji": 0.85, "hebrew": 0.9, "greek": 0.9,
    "georgian": 0.9, "armenian": 0.9, "thai": 0.8, "khmer": 0.975, "devanagari": 0.9,
    "bengali": 0.9, "initials_only": 0.9, "foreign_hangul": 0.9, "foreign_kana": 0.85,
    # (Chinese writes foreign names loosely: round 10 raised these from 0.15, where main
    # before it read 0.325 and, for the list drawn up as round 10's blind check, 0.30)
    "foreign_han": 0.6, "foreign_han_2": 0.5,
    # round 7's second list of foreign names, drawn up to check the first's rules, and
    # round 8's third, drawn up before its rules (main before round 8: kana_2 0.90,
    # hangul_3 0.70, kana_3 0.675; round 9's Hangul rules raised hangul_2 from 0.8 and
    # hangul_3 from 0.75, where main before them read 0.90 and 0.80)
    "foreign_hangul_2": 0.9, "foreign_kana_2": 0.95, "foreign_hangul_3": 0.9,
    "foreign_kana_3": 0.85,
}  # fmt: skip
# Different-person classes: the most false hits allowed (same full date of birth and
# nationality: only the name decides).
WORLD_FALSE_HITS = {"other_given": 0.05, "soundalike": 0.05, "both_similar": 0.05,
                    "different": 0.0, "other_initial": 0.0, "foreign_other": 0.05,
                    "foreign_other_3": 0.05, "foreign_han_other": 0.05}  # fmt: skip
WORLD_OVERALL = 0.97  # (main before round 8, with the third list's classes: 0.9605)
# The conventions set (round 5: national romanisations and naming customs the matcher
# was not tuned on; 40 pairs a class, seed 5). Round 6 raised Arabic names in English and
# French spellings, Cyrillic under German and French schemes, and Cantonese.
CONVENTIONS_RECALL = {
    # (round 10's compounds raised arabic_latin from 0.85, where main before read 0.95)
    "arabic_latin": 0.975, "cyrillic_schemes": 0.9, "chinese_joined": 0.95,
    "chinese_wade_giles": 0.95, "chinese_cantonese": 0.9, "korean": 0.9, "vietnamese": 0.95,
    "iberian_double": 0.95, "iberian_particles": 0.95, "particles": 0.95, "turkish": 0.95,
    "umlauts": 0.95, "order_swapped": 0.95, "initials": 0.95, "hyphenated": 0.95,
}  # fmt: skip
# A surname of the same stem (JOHNSON, JOHNSTON; WAGNER, WAGENER): two attested surnames
# are two families (names._two_families), for holders of states that write Arabic names
# too unless one is an Arabic name's spelling; a Vietnamese surname with another final
# (NGUYEN, NGUYET) another word. (Here 1 of 40 on main as after: WAGNER for a Russian,
# read by a German scheme as VAGNER, which no list holds; test_world_spellings has the
# rules' cases.)
CONVENTIONS_FALSE_HITS = {"gender_pair": 0.075, "stem_surname": 0.05, "shared_common": 0.05,
                          "other_given": 0.0, "same_given": 0.0, "korean_other": 0.05}  # fmt: skip
CONVENTIONS_OVERALL = 0.97
# The mock set (the project's own generator): variant recall and false hits.
MOCK_RECALL = 0.95
MOCK_FALSE_HITS = {"ordinary": 0.005, "namesake": 0.01}
# Possible matches (issue 22): notices without a date of birth found at either tier (a
# handful of scans in the small set: as referrals alone about 1 in 8), and the share of
# ordinary travellers raising one.
MOCK_UNDATED_RECALL = 0.85
MOCK_ORDINARY_POSSIBLE = 0.02


@pytest.fixture(scope="module")
def eval_modules() -> dict[str, ModuleType]:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(EVAL))  # the builders import their siblings by name
        return {m: importlib.import_module(m)
                for m in ("world_set", "conventions_set", "mock_set", "run_eval", "reshape")}


def _write(out: Path, notices: list[dict[str, Any]], scans: list[dict[str, Any]]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "notices.ndjson").write_bytes(b"\n".join(map(orjson.dumps, notices)) + b"\n")
    (out / "scans.ndjson").write_bytes(b"\n".join(map(orjson.dumps, scans)) + b"\n")
    return out


@pytest.fixture(scope="module")
def world_set(eval_modules: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory
              ) -> Path:  # fmt: skip
    notices, scans = eval_modules["world_set"].build(per_class=40, seed=26)
    return _write(tmp_path_factory.mktemp("world"), notices, scans)


@pytest.fixture(scope="module")
def conventions_set(eval_modules: dict[str, ModuleType],
                    tmp_path_factory: pytest.TempPathFactory) -> Path:  # fmt: skip
    notices, scans = eval_modules["conventions_set"].build(per_class=40, seed=5)
    return _write(tmp_path_factory.mktemp("conventions"), notices, scans)


def _rates(eval_modules: dict[str, ModuleType], data: Path) -> dict[str, Any]:
    figures: dict[str, Any] = eval_modules["run_eval"].evaluate(data, 0.88, 0)
    return figures


def test_world_set_holds_its_floors(eval_modules: dict[str, ModuleType], world_set: Path) -> None:
    figures = _rates(eval_modules, world_set)
    families = figures["families"]
    assert set(WORLD_RECALL) | set(WORLD_FALSE_HITS) == set(families)
    low = {f: families[f]["rate"] for f, floor in WORLD_RECALL.items()
           if families[f]["rate"] < floor}  # fmt: skip
    high = {f: families[f]["rate"] for f, ceiling in WORLD_FALSE_HITS.items()
            if families[f]["rate"] > ceiling}  # fmt: skip
    assert not low, f"recall under the floor: {low}"
    assert not high, f"false hits over the ceiling: {high}"
    assert figures["recall"] >= WORLD_OVERALL


def test_conventions_set_holds_its_floors(eval_modules: dict[str, ModuleType],
                                         conventions_set: Path) -> None:  # fmt: skip
    figures = _rates(eval_modules, conventions_set)
    families = figures["families"]
    assert set(CONVENTIONS_RECALL) | set(CONVENTIONS_FALSE_HITS) == set(families)
    low = {f: families[f]["rate"] for f, floor in CONVENTIONS_RECALL.items()
           if families[f]["rate"] < floor}  # fmt: skip
    high = {f: families[f]["rate"] for f, ceiling in CONVENTIONS_FALSE_HITS.items()
            if families[f]["rate"] > ceiling}  # fmt: skip
    assert not low, f"recall under the floor: {low}"
    assert not high, f"false hits over the ceiling: {high}"
    assert figures["recall"] >= CONVENTIONS_OVERALL


# Recall floors of the sets' scans reshaped (eval/reshape.py): the whole name in one
# field, the fields swapped, every nationality the same (main before round 6b: world
# with the name in the given names field 0.89, conventions with British holders 0.86).
RESHAPED_RECALL = {"world_set": 0.93, "conventions_set": 0.9}


@pytest.mark.parametrize("how", ["swapped", "one_field", "given_field", "nationality=GBR"])
def test_names_hold_whatever_field_or_nationality_they_come_with(
        eval_modules: dict[str, ModuleType], tmp_path: Path, how: str) -> None:
    """A given name is told from another (JAN, JANA; MAHIR, MAHATHIR) by the notice's
    roles, not the scan's: swapped or merged fields let no more look-alikes through
    (main before: gender_pair 0.91 and other_given 0.33 with either); and a name is found
    whichever field it came in and whatever the holder's nationality (a Korean or
    Chinese name on a British passport, a Russian's written by a Hungarian official)."""
    for builder, seed, ceilings in (("conventions_set", 5, CONVENTIONS_FALSE_HITS),
                                    ("world_set", 26, WORLD_FALSE_HITS)):
        notices, scans = eval_modules[builder].build(per_class=40, seed=seed)
        data = _write(tmp_path / builder,
                      *eval_modules["reshape"].reshape_set(notices, scans, how))
        figures = _rates(eval_modules, data)
        families = figures["families"]
        high = {f: families[f]["rate"] for f, ceiling in ceilings.items()
                if families[f]["rate"] > ceiling + 0.05}  # fmt: skip
        assert not high, f"{builder}, {how}: false hits over the ceiling: {high}"
        assert figures["recall"] >= RESHAPED_RECALL[builder], (builder, how)


def test_conventions_floors_catch_a_lost_rule(eval_modules: dict[str, ModuleType],
                                              conventions_set: Path) -> None:  # fmt: skip
    """Without the rule that a given name's feminine form is another name (JAN, JANA),
    the other-sex look-alikes are hit."""
    mp = _without("_other_sex", lambda x, y: False)
    try:
        families = _rates(eval_modules, conventions_set)["families"]
    finally:
        mp.undo()
        names._token_sim.cache_clear()
    assert families["gender_pair"]["rate"] > CONVENTIONS_FALSE_HITS["gender_pair"]


def test_conventions_floors_catch_lost_cantonese(eval_modules: dict[str, ModuleType],
                                                conventions_set: Path) -> None:  # fmt: skip
    """Without the Cantonese readings (cantonese.same_characters), pinyin and Hong Kong
    spellings of one name (CHEN JIANHONG, CHAN KIN HUNG) are not found."""
    mp = _without("same_characters", lambda x, y, hong_kong=False: False)
    try:
        families = _rates(eval_modules, conventions_set)["families"]
    finally:
        mp.undo()
        names._token_sim.cache_clear()
    assert families["chinese_cantonese"]["rate"] < CONVENTIONS_RECALL["chinese_cantonese"]


def _without(rule: str, replacement: Callable[..., Any]) -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    mp.setattr(names, rule, replacement)
    names._token_sim.cache_clear()
    return mp


def test_floors_catch_a_lost_rule(eval_modules: dict[str, ModuleType], world_set: Path) -> None:
    """The floors can fail: without the rule that tells another given name from a typo
    (MAHIR for MAHATHIR is not, JAMAL for JAMIL is), different people are hit."""
    mp = _without("_another_name", lambda x, y: False)
    try:
        families = _rates(eval_modules, world_set)["families"]
    finally:
        mp.undo()
        names._token_sim.cache_clear()
    assert families["other_given"]["rate"] > WORLD_FALSE_HITS["other_given"]


def test_mock_set_holds_its_floors(eval_modules: dict[str, ModuleType],
                                   tmp_path: Path) -> None:  # fmt: skip
    eval_modules["mock_set"].build(3000, 7, tmp_path, 30, 1500, 150)
    figures = _rates(eval_modules, tmp_path)
    assert figures["recall"] >= MOCK_RECALL
    for family, ceiling in MOCK_FALSE_HITS.items():
        assert figures["families"][family]["rate"] <= ceiling, family
    possible = figures["possible"]
    assert possible["undated_n"] >= 5
    assert possible["undated_recall"] >= MOCK_UNDATED_RECALL
    assert possible["families"]["ordinary"]["possible"] <= MOCK_ORDINARY_POSSIBLE

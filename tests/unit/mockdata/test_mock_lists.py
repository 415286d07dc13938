from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from screening.matching.checkdigits import vin_check_digit
from screening.mockdata.codes import LISTED, NOTICE, ORDINARY, CodeSource, region, shape
from screening.mockdata.lists import generate_lists, iter_notices, iter_sltd, iter_smv, short_id
from screening.watchlists.records import MODELS


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def small_lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_lists(
        tmp_path_factory.mktemp("lists"), sltd=3000, notices=3000, smv=3000, event=3000, seed=7
    )


def test_files_hold_one_record_a_line_that_validates(small_lists: dict[str, Path]) -> None:
    assert set(small_lists) == set(MODELS) == {"sltd", "notice", "smv", "event"}
    assert [p.name for p in small_lists.values()] == ["sltd.ndjson", "notices.ndjson",
                                                      "smv.ndjson", "events.ndjson"]
    for name, model in MODELS.items():
        records = _lines(small_lists[name])
        assert len(records) == 3000
        for raw in records:
            assert raw["list"] == name
            model.model_validate(raw)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    def digest(seed: int, sub: str) -> list[str]:
        paths = generate_lists(tmp_path / sub, sltd=500, notices=300, smv=300, event=200,
                               seed=seed)
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.values()]

    assert digest(3, "a") == digest(3, "b")
    assert set(digest(3, "a")).isdisjoint(digest(4, "c"))


def test_sltd_ids_short_and_unique_numbers_unique_per_state() -> None:
    records = list(iter_sltd(60_000, seed=2))
    assert len({r["id"] for r in records}) == len(records)
    assert max(len(r["id"]) for r in records) <= 12
    assert len({(r["document_number"], r["issuing_state"]) for r in records}) == len(records)
    assert all(len(r["document_number"]) <= 9 for r in records)
    assert all(region(r["document_number"]) in LISTED for r in records)


def test_sltd_statuses_and_types_realistic() -> None:
    records = list(iter_sltd(20_000, seed=2))
    status = Counter(r["status"] for r in records)
    assert (
        status["lost"]
        > status["stolen"]
        > status["revoked"]
        > status["invalidated"]
        > status["stolen_blank"]
        > 0
    )
    types = Counter(r["document_type"] for r in records)
    assert types["P"] / len(records) > 0.7
    assert types["ID"] > 0
    states = Counter(r["issuing_state"] for r in records)
    assert states["D"] > states["GBR"] > states["NGA"]
    assert len(states) >= 25


@pytest.mark.parametrize(
    ("pattern", "example"),
    [
        ("99AA99999", r"\d\d[A-Z]{2}\d{5}"),
        ("PAA999999", r"P[A-Z]{2}\d{6}"),
        ("{B|HH}-AA <1-9999>", r"(B|HH)-[A-Z]{2} [1-9]\d{0,3}"),
    ],
)
def test_shapes_render_their_pattern(pattern: str, example: str) -> None:
    import re

    sh = shape(pattern)
    src = CodeSource(__import__("random").Random(1))
    for _ in range(200):
        assert re.fullmatch(example, src.take(sh, LISTED))


def test_shape_permutation_is_a_bijection() -> None:
    sh = shape("AA9[A-C]")
    assert sorted(sh.permute(i) for i in range(sh.size)) == list(range(sh.size))


def test_regions_keep_listed_notice_and_ordinary_numbers_apart() -> None:
    import random

    rng = random.Random(5)
    src = CodeSource(rng)
    sh = shape("[1-5]99999999")
    for regions in (LISTED, NOTICE, ORDINARY):
        assert all(region(src.draw(sh, regions)) in regions for _ in range(300))
    # a confusable misread stays in the same region
    assert region("B0O8") == region("8OD8")


def test_notice_colours_roughly_realistic() -> None:
    records = list(iter_notices(10_000, seed=3))
    share = {c: n / len(records) for c, n in Counter(r["colour"] for r in records).items()}
    assert 0.62 < share["red"] < 0.74
    assert 0.12 < share["blue"] < 0.20
    assert 0.10 < share["yellow"] < 0.18
    assert sum(share.get(c, 0) for c in ("green", "orange", "purple", "black", "un")) < 0.05


def test_notices_carry_scripts_partial_dates_and_documents() -> None:
    records = list(iter_notices(5_000, seed=3))
    scripts = Counter(n["script"] for r in records for n in r["names"])
    assert {"Latn", "Arab", "Cyrl", "Hans"} <= set(scripts)
    assert all(r["names"][0]["script"] == "Latn" for r in records)
    dobs = Counter(len(r.get("date_of_birth", "")) for r in records)
    assert dobs[10] > dobs[4] > 0 and dobs[7] > 0 and dobs[0] > 0
    docs = [d for r in records for d in r["documents"]]
    assert docs and all(region(d["number"]) in NOTICE for d in docs)
    assert len({(d["number"], d["issuing_state"]) for d in docs}) == len(docs)
    assert any(len(r["nationalities"]) == 2 for r in records)


def test_namesakes_occur_between_notices() -> None:
    records = list(iter_notices(5_000, seed=3))
    names = Counter((r["names"][0]["surname"], r["names"][0]["given_names"]) for r in records)
    assert names.most_common(1)[0][1] > 1


def test_smv_vins_valid_plates_and_makes_coherent() -> None:
    records = list(iter_smv(5_000, seed=4))
    vins = [r["vin"] for r in records if "vin" in r]
    assert vins and all(len(v) == 17 and v[8] == vin_check_digit(v) for v in vins)
    assert not any(ch in v for v in vins for ch in "IOQ")
    assert any("vin" not in r for r in records) and any("plate" not in r for r in records)
    assert all(("plate" in r) == ("plate_country" in r) for r in records)
    countries = Counter(r["plate_country"] for r in records if "plate" in r)
    assert len(countries) >= 10
    assert any(not r["plate"].isascii() for r in records if r.get("plate_country") == "RUS")
    wmi_make = {r["vin"][:3]: r["make"] for r in records if "vin" in r}
    assert (
        wmi_make.get("WVW", "Volkswagen") == "Volkswagen"
        and wmi_make.get("VF1", "Renault") == "Renault"
    )


def test_short_ids() -> None:
    assert short_id("SLTD-", 0) == "SLTD-000000"
    assert short_id("SLTD-", 46656 * 2 + 35) == "SLTD-00200Z"


def test_streaming_rate_of_sltd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[str, int]] = []
    start = time.perf_counter()
    paths = generate_lists(
        tmp_path, sltd=200_000, notices=0, smv=0, progress=lambda n, c: calls.append((n, c))
    )
    elapsed = time.perf_counter() - start
    assert paths["sltd"].read_bytes().count(b"\n") == 200_000
    assert calls[-1] == ("sltd", 200_000)
    assert paths["notice"].read_bytes() == b""
    with capsys.disabled():
        print(f"\nSLTD generation: {200_000 / elapsed:,.0f} records/s")

"""The person-matching evaluation on the project's own mock generator (screening.mockdata).

    python eval/mock_set.py --notices 120000 --out /tmp/mockset
    python eval/run_eval.py --data /tmp/mockset

Notices come from ``generate_lists`` exactly as ``screening watchlists generate`` writes
them. Scans are traveller scans in the contract's shape, taken through the codec's model
and ``prepare_traveller`` (MRZ parsing included), so the queries scored are those the
worker would score; ``scans.ndjson`` keeps the PersonQuery fields of each.

* ``designed``: ScanFactory's own designed name hits (notices with a date of birth);
* variant families (see variants.py) built on a notice's primary Latin name, from any
  notice, with or without a date of birth; ``translit`` takes another spelling of one
  token from the mock's spelling tables, ``script`` spells a Cyrillic alias by a scheme
  the notice does not list, ``chinese_forms`` spells a Chinese alias in pinyin or Wade-Giles
  as the notice does not, ``cantonese`` in Cantonese (reported, no target: without the
  characters only the readings of common characters bridge it, matching/cantonese.py);
* ``other_passport``: the exact name and date of birth on the passport of a state the
  notice does not list (an undeclared second nationality; reported, no target);
* ``ordinary``: ScanFactory.traveller(); ``namesake``: a notice's exact name, a birth
  date 2-25 years away and a nationality the notice does not list; ``namesake_close``:
  same birth year, another day and nationality (reported, no target).
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from variants import GENERIC, generic_variant, mrz

from screening.core.prepare import prepare_traveller
from screening.mockdata.lists import generate_lists
from screening.mockdata.mrz_writer import build_td3
from screening.mockdata.names import SPELLINGS
from screening.mockdata.people import document_spelling
from screening.mockdata.samples import ListSample
from screening.mockdata.scans import ScanFactory
from screening.mockdata.scripts import ARABIC, CHINESE, CYRILLIC_SCHEMES, transliterate
from screening.models import TravellerScan

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STATES = ("USA", "GBR", "FRA", "D", "ESP", "ITA", "BRA", "IND", "NGA", "CHN", "RUS", "EGY",
          "MEX", "TUR", "JPN", "CAN", "AUS", "POL", "SWE", "MAR")  # fmt: skip
FAMILIES = (*GENERIC, "translit", "script", "chinese_forms", "cantonese")


def _respellings() -> dict[str, set[str]]:
    """Token -> other spellings of the same name, from the mock's own tables."""
    groups: list[tuple[str, ...]] = list(SPELLINGS)
    for table in ARABIC:
        groups += [(mrz(latin), *(mrz(o) for o in others)) for latin, _, others in table]
    surnames, given = CHINESE
    groups += [tuple(forms[1:4]) for forms in surnames]
    groups += [tuple(forms[1:4]) for forms in given]
    out: dict[str, set[str]] = {}
    for group in groups:
        for name in group:
            out.setdefault(name, set()).update(n for n in group if n != name)
    return out


RESPELL = _respellings()
HANZI_SURNAME = {f[0]: f[1:4] for f in CHINESE[0]}
HANZI_GIVEN = {f[0]: f[1:4] for f in CHINESE[1]}


def _birth(rng: random.Random, dob: str | None) -> date:
    """A full date of birth agreeing with a notice's full, partial or absent one."""
    if not dob:
        age = int(rng.triangular(18, 80, 35))
        return NOW.date() - timedelta(days=int(age * 365.25) + rng.randrange(365))
    parts = [int(p) for p in dob.split("-")]
    if len(parts) == 3:
        return date(*parts)
    return date(parts[0], parts[1] if len(parts) == 2 else rng.randint(1, 12), rng.randint(1, 28))


def _scan(rng: random.Random, surname: str, given: str, dob: str, nationality: str,
          sex: str | None) -> dict[str, Any]:  # fmt: skip
    """A traveller scan: MRZ only, MRZ and printed fields, or (partial dates) fields only."""
    state = nationality
    number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
    expiry = NOW.date() + timedelta(days=rng.randint(100, 3000))
    scan: dict[str, Any] = {"event_id": f"E{rng.getrandbits(48):012x}", "checkpoint_id": "CP-01",
                            "terminal_id": "CP-01-T1", "scanned_at": NOW.isoformat()}  # fmt: skip
    r = rng.random()
    mode = "fields" if len(dob) < 10 else "mrz" if r < 0.3 else "both" if r < 0.9 else "fields"
    document: dict[str, Any] = {}
    if mode != "fields":
        try:
            document["mrz"] = build_td3(
                "P", state, document_spelling(surname, state), document_spelling(given, state),
                number, nationality=nationality, date_of_birth=date.fromisoformat(dob),
                sex=sex, expiry=expiry)  # fmt: skip
        except ValueError:
            mode = "fields"
    if mode == "fields":
        document.update(number=number, issuing_state=state, type="P", expiry=expiry.isoformat())
    scan["document"] = document
    if mode != "mrz":
        holder = {"surname": surname, "given_names": given, "date_of_birth": dob,
                  "nationality": nationality, "sex": sex}  # fmt: skip
        scan["holder"] = {k: v for k, v in holder.items() if v}
    return scan


def persons_of(scan: dict[str, Any]) -> list[dict[str, Any]]:
    """The PersonQuery fields the worker would score for this scan."""
    prepared = prepare_traveller(TravellerScan.model_validate(scan))
    fields = ("surname", "given_names", "date_of_birth", "nationality", "sex")
    return [{f: getattr(p, f) for f in fields} for p in prepared.persons]


def _latin_names(rec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(mrz(n.get("surname") or ""), mrz(n.get("given_names") or ""))
            for n in rec["names"] if n.get("script") == "Latn"}  # fmt: skip


def special_variant(rng: random.Random, rec: dict[str, Any], family: str) -> tuple[str, str] | None:
    """Spellings of the notice's person that the notice itself does not list."""
    listed = _latin_names(rec)
    primary = rec["names"][0]
    sur, giv = mrz(primary.get("surname") or ""), mrz(primary.get("given_names") or "")
    if family == "translit":
        options: list[tuple[str, str]] = []
        if len(sur.split()) > 1 or sur not in RESPELL:  # AL HOMSI <-> HOMSI: whole surnames
            options += [(alt, giv) for alt in RESPELL.get(sur, ())]
        for field in (0, 1):
            toks = (sur, giv)[field].split()
            for i, tok in enumerate(toks):
                for alt in (a for a in RESPELL.get(tok, ()) if " " not in a):
                    new = " ".join([*toks[:i], alt, *toks[i + 1 :]])
                    options.append((new, giv) if field == 0 else (sur, new))
        options = sorted(set(options) - listed)
        return rng.choice(options) if options else None
    if family == "script":
        cyr = [n for n in rec["names"] if n.get("script") == "Cyrl"]
        if not cyr:
            return None
        s, g = cyr[0].get("surname") or "", cyr[0].get("given_names") or ""
        ukrainian = any(c in s + g for c in "ІЇЄҐіїєґ")
        schemes = [k for k in CYRILLIC_SCHEMES if k.startswith("uk_") == ukrainian]
        # The patronymic the Latin aliases leave out stays, as on some documents.
        found = {(mrz(transliterate(s, k)), mrz(transliterate(g, k))) for k in schemes} - listed
        return rng.choice(sorted(found)) if found else None
    if family in ("chinese_forms", "cantonese"):
        han = [n for n in rec["names"] if n.get("script") == "Hans"]
        if not han:
            return None
        family_forms = HANZI_SURNAME.get(han[0].get("surname") or "")
        given_forms = [HANZI_GIVEN.get(ch) for ch in han[0].get("given_names") or ""]
        if family_forms is None or not given_forms or None in given_forms:
            return None
        system = 2 if family == "cantonese" else rng.randrange(2)  # pinyin, Wade-Giles
        syllables = [f[system] for f in given_forms if f]
        found = {(family_forms[system], "".join(syllables)),
                 (family_forms[system], " ".join(syllables))} - listed  # fmt: skip
        return rng.choice(sorted(found)) if found else None
    raise ValueError(family)


def build(n_notices: int, seed: int, out: Path, per_family: int, n_ordinary: int,
          n_namesakes: int) -> tuple[int, int]:  # fmt: skip
    paths = generate_lists(out, sltd=0, notices=n_notices, smv=0, seed=seed)
    notices = [orjson.loads(x) for x in paths["notice"].read_bytes().splitlines() if x]
    for name in ("sltd", "smv"):
        paths[name].unlink(missing_ok=True)
    rng = random.Random(f"mock-eval:{seed}")
    rows: list[dict[str, Any]] = []

    def add(family: str, scan: dict[str, Any], expect: str | None, rec: dict[str, Any] | None,
            ) -> None:  # fmt: skip
        kind = None
        if rec is not None:
            dob = rec.get("date_of_birth") or ""
            kind = "full" if len(dob) == 10 else "none" if not dob else "partial"
        rows.append({"family": family, "persons": persons_of(scan), "expect": expect,
                     "notice_dob": kind})  # fmt: skip

    factory = ScanFactory(seed=seed, sample=ListSample(notices=notices), now=lambda: NOW)
    by_id = {n["id"]: n for n in notices}
    done = 0
    while done < per_family:  # the factory's name hits; its document hits are not ours
        scan, _, rid = factory.traveller_hit()
        listed = {d["number"] for d in by_id[rid].get("documents") or []}
        numbers = {n for n, _ in prepare_traveller(TravellerScan.model_validate(scan)).documents}
        if not numbers & listed:
            add("designed", scan, rid, by_id[rid])
            done += 1

    def person(rec: dict[str, Any]) -> tuple[str, str | None]:
        nats = rec.get("nationalities") or []
        return (nats[0] if nats else rng.choice(STATES)), rec.get("sex") or rng.choice("MF")

    for family in FAMILIES:
        done = tries = 0
        while done < per_family and tries < per_family * 200:
            tries += 1
            rec = rng.choice(notices)
            primary = rec["names"][0]
            dob = _birth(rng, rec.get("date_of_birth")).isoformat()
            if family in GENERIC:
                v = generic_variant(rng, primary.get("surname") or "",
                                    primary.get("given_names") or "", dob, family)  # fmt: skip
            else:
                sv = special_variant(rng, rec, family)
                v = (*sv, dob) if sv else None
            if v is None or not (v[0] or v[1]):
                continue
            nat, sex = person(rec)
            add(family, _scan(rng, v[0], v[1], v[2], nat, sex), rec["id"], rec)
            done += 1

    for _ in range(per_family):
        rec = rng.choice(notices)
        primary = rec["names"][0]
        other = rng.choice([s for s in STATES if s not in (rec.get("nationalities") or [])])
        dob = _birth(rng, rec.get("date_of_birth")).isoformat()
        add("other_passport", _scan(rng, primary["surname"], primary.get("given_names") or "",
                                    dob, other, rec.get("sex")), rec["id"], rec)  # fmt: skip

    for _ in range(n_ordinary):
        add("ordinary", factory.traveller(), None, None)

    for k in range(2 * n_namesakes):
        rec = rng.choice(notices)
        primary = rec["names"][0]
        other = rng.choice([s for s in STATES if s not in (rec.get("nationalities") or [])])
        born = _birth(rng, rec.get("date_of_birth"))
        if k % 2 == 0:
            year, family = born.year + rng.choice([-1, 1]) * rng.randint(2, 25), "namesake"
        else:
            year, family = born.year, "namesake_close"
        when = date(year, rng.randint(1, 12), rng.randint(1, 28))
        if when == born or when >= NOW.date():
            continue
        add(family, _scan(rng, primary["surname"], primary.get("given_names") or "",
                          when.isoformat(), other, rec.get("sex")), None, None)  # fmt: skip

    (out / "scans.ndjson").write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    return len(notices), len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notices", type=int, default=120_000)
    ap.add_argument("--per-family", type=int, default=600)
    ap.add_argument("--ordinary", type=int, default=20_000)
    ap.add_argument("--namesakes", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out-mock")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    n, m = build(args.notices, args.seed, args.out, args.per_family, args.ordinary,
                 args.namesakes)  # fmt: skip
    print(f"{n} notices, {m} scans -> {args.out}")


if __name__ == "__main__":
    main()

"""Copies of an evaluation set with its scans filled in another way, to see whether the
matcher holds when a terminal, an OCR or a test writes a name otherwise than our sets do.

    python eval/reshape.py --data /tmp/worldset --out /tmp/worldset-swapped --how swapped
    python eval/run_eval.py --data /tmp/worldset-swapped

``--how``: ``swapped`` (surname and given names exchanged), ``one_field`` (the whole
name, given names first, in the surname field), ``given_field`` (the same in the given
names field), ``nationality=XXX`` (every notice's and scan's nationality this one: the
holder's nationality says nothing about how the name is written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson


def reshaped(scan: dict[str, Any], how: str) -> dict[str, Any]:
    surname, given = scan.get("surname"), scan.get("given_names")
    if how.startswith("nationality="):
        return {**scan, "nationality": how.partition("=")[2]}
    whole = " ".join(p for p in (given, surname) if p) or None
    if how == "swapped":
        surname, given = given, surname
    elif how == "one_field":
        surname, given = whole, None
    elif how == "given_field":
        surname, given = None, whole
    else:
        raise ValueError(f"unknown reshaping: {how}")
    return {**scan, "surname": surname, "given_names": given}


def reshape_set(notices: list[dict[str, Any]], scans: list[dict[str, Any]], how: str
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    if how.startswith("nationality="):
        nat = how.partition("=")[2]
        notices = [{**n, "nationalities": [nat]} for n in notices]
    return notices, [reshaped(s, how) for s in scans]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--how", required=True)
    args = ap.parse_args()
    load = lambda name: [orjson.loads(line) for line in  # noqa: E731
                         (args.data / name).read_bytes().splitlines() if line]
    notices, scans = reshape_set(load("notices.ndjson"), load("scans.ndjson"), args.how)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("notices.ndjson", notices), ("scans.ndjson", scans)):
        (args.out / name).write_bytes(b"\n".join(map(orjson.dumps, rows)) + b"\n")
    print(f"{len(notices)} notices, {len(scans)} scans ({args.how}) -> {args.out}")


if __name__ == "__main__":
    main()

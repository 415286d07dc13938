"""The figures in docs/ come from the result files the benchmarks write, never by hand.

A doc holds a block

    <!-- results: bench/results/watchlists.md -->
    ...
    <!-- /results -->

whose inside is the result file's text (its title dropped, its headings moved two levels
down). `python -m screening_bench.docs` rewrites every block from the files; `--check`
fails when a doc differs from what the files say (a unit test runs it), so a figure
edited by hand, or a result file rerun without the docs, does not go unnoticed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- results: (?P<path>[^ ]+) -->\n)(?P<body>.*?)(<!-- /results -->)",
                   re.S)


def rendered(path: Path) -> str:
    lines = path.read_text().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    out = [f"##{line}" if line.startswith("#") else line for line in lines]
    return "\n".join(out).strip("\n") + "\n"


def sync(doc: Path, repo: Path = REPO) -> str:
    """The doc's text with every block rewritten from its result file."""
    def fill(m: re.Match[str]) -> str:
        source = repo / m["path"]
        body = rendered(source) if source.exists() else f"({m['path']} not written yet)\n"
        return f"{m[1]}{body}{m[4]}"
    return BLOCK.sub(fill, doc.read_text())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.docs", description=__doc__)
    p.add_argument("--check", action="store_true", help="fail if a doc is not up to date")
    args = p.parse_args(argv)
    stale = []
    for doc in sorted((REPO / "docs").glob("*.md")):
        text = sync(doc)
        if text != doc.read_text():
            stale.append(doc.relative_to(REPO))
            if not args.check:
                doc.write_text(text)
    if args.check and stale:
        print("out of date with bench/results (run python -m screening_bench.docs): "
              + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

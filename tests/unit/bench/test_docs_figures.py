"""docs/ shows the figures bench/results holds, and only those."""

from __future__ import annotations

from pathlib import Path

from screening_bench import docs


def test_the_docs_show_what_the_result_files_say() -> None:
    assert docs.main(["--check"]) == 0, "run: python -m screening_bench.docs"


def test_a_block_is_the_result_file_without_its_title(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text("# Title\n\n## Part\n\n| a |\n")
    doc = tmp_path / "d.md"
    doc.write_text("x\n<!-- results: r.md -->\nstale 1,000/s\n<!-- /results -->\ny\n")
    assert docs.sync(doc, tmp_path) == (
        "x\n<!-- results: r.md -->\n#### Part\n\n| a |\n<!-- /results -->\ny\n")

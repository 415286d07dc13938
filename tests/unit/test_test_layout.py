"""Tests share helpers through tests/support/ and fixtures through conftest.py, never by
importing one another: a test module imported by another is collected twice over, ties
the two suites' fixtures together, and hides what is shared."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SUPPORT = TESTS / "support"
MODULES = sorted(p for p in TESTS.rglob("*.py") if "artifacts" not in p.parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import of a tests module: relative ones by their dots."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            name = "." * node.level + (node.module or "")
            if node.level or name == "tests" or name.startswith("tests."):
                found.append((node.lineno, name))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name == "tests" or a.name.startswith("tests.")]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_a_test_module_imports_only_tests_support(path: Path) -> None:
    wrong = [f"line {line}: {name}" for line, name in imported(path)
             if not name.startswith("tests.support.")]
    assert not wrong, f"import shared helpers from tests.support, not {wrong}"


def test_helpers_live_in_tests_support() -> None:
    """Outside tests/support/ a module is a test module, a conftest or a package marker."""
    helpers = [str(p.relative_to(TESTS)) for p in MODULES
               if SUPPORT not in p.parents and p.name != "conftest.py"
               and p.name != "__init__.py" and not p.name.startswith("test_")]
    assert not helpers, f"move these to tests/support/: {helpers}"

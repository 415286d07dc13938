"""House rules the code itself can be held to: the worker loads none of the tooling
(the benchmark, the mock generator, the tests), and no function takes a long row of
positional arguments."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What `screening worker` loads: the console script with every command's module, the
# worker's start-up, and the app it builds (agents registered, nothing connected).
WORKER = """
import json, sys
import screening.cli, screening.cli.worker, screening.context
import screening.agents.scans, screening.agents.updates, screening.agents.housekeeping
import mode.loop, faust.worker
from screening.audit.digests import require_key
from screening.gcpolicy import freeze_start_up
from screening.kafka_io import ensure_topics
from screening.logs import kv, logging_config
from screening.sites import read_registry
from screening.app import create_app
from screening.settings import Settings

create_app(Settings(kafka_security="plaintext"))  # plaintext: no credentials to read
print(json.dumps({name: getattr(module, "__file__", None)
                  for name, module in sorted(sys.modules.items())}))
"""
TOOLING = ("screening_bench", "bench", "screening.mockdata", "tests")


def _tooling(module: str) -> bool:
    return any(module == t or module.startswith(t + ".") for t in TOOLING)


def _worker_modules() -> dict[str, str | None]:
    """The modules a worker has loaded once its app is built, and their files."""
    # From the repository's root, where all of them could be imported: a stray import
    # shows up here instead of failing where they are not installed.
    done = subprocess.run([sys.executable, "-c", WORKER], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded: dict[str, str | None] = json.loads(done.stdout.splitlines()[-1])
    assert "screening.app" in loaded  # the check ran on the worker, not on nothing
    return loaded


def _imported_anywhere(path: Path) -> set[str]:
    """Every module an import statement names, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_worker_imports_neither_the_bench_nor_the_mock_generator_nor_the_tests() -> None:
    loaded = _worker_modules()
    assert [m for m in loaded if _tooling(m)] == []
    # Nor later, from inside a function (as context.py imported the benchmark when a
    # setting asked for it): the worker's own modules name none of them. The console
    # script loads the other commands' modules too, which may, inside their run()
    # (`bench`, `simulate`, `watchlists generate`).
    own = {m: Path(f) for m, f in loaded.items() if f and m.startswith("screening.")
           and not (m.startswith("screening.cli.") and m != "screening.cli.worker")}
    lazy = {m: sorted(filter(_tooling, _imported_anywhere(path))) for m, path in own.items()}
    assert {m: names for m, names in lazy.items() if names} == {}


MAX_POSITIONAL = 6

# Functions let past the limit, "path::qualified name": none. A line added here must
# name why; the test fails on a line that no longer matches, so the list only shrinks.
ALLOWED: set[str] = set()


def _positional(args: ast.arguments) -> int:
    """Positional parameters (positional-only and regular, not keyword-only), without
    the self or cls a method receives."""
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    return len(names) - (1 if names and names[0] in ("self", "cls") else 0)


def _too_many(path: Path) -> list[str]:
    found = []

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = scope
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{scope}.{child.name}" if scope else child.name
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                n = _positional(child.args)
                if n > MAX_POSITIONAL:
                    where = name if not isinstance(child, ast.Lambda) else f"{scope}.<lambda>"
                    found.append(f"{path.relative_to(REPO).as_posix()}::{where} ({n})")
            visit(child, name)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "")
    return found


def test_no_function_takes_more_than_six_positional_parameters() -> None:
    """Past six, a call reads as a row of values whose order nobody checks (two dates,
    two country codes): name them, keyword-only or in a small dataclass."""
    found = [f for package in ("screening", "screening_bench")
             for path in sorted((REPO / package).rglob("*.py")) for f in _too_many(path)]
    over = {f.rsplit(" (", 1)[0] for f in found}
    assert [f for f in found if f.rsplit(" (", 1)[0] not in ALLOWED] == []
    assert sorted(ALLOWED - over) == [], "fixed: delete these from ALLOWED"


def test_the_parameter_count_sees_what_it_should() -> None:
    source = """
def six(a, b, c, d, e, f, *, g, h): ...
def seven(a, b, /, c, d, e, f, g): ...
class K:
    def method(self, a, b, c, d, e, f): ...
    async def many(self, a, b, c, d, e, f, g): ...
"""
    tree = ast.parse(source)
    counts = {node.name: _positional(node.args) for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    assert counts == {"six": 6, "seven": 7, "method": 6, "many": 7}

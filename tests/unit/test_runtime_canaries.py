"""Canaries for screening.runtime, the one home of Faust, mode and aiokafka overrides.

An upgrade that renames, removes or re-signs a private name an override relies on, or
changes an upstream function one of ours copies, fails here rather than in a running
worker; and no module outside screening/runtime/ may reach into those libraries'
private names (it would escape these canaries).
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import screening
import screening.runtime
from screening.runtime import upstream
from screening.runtime.upstream import ADDED, ATTRIBUTE, FOLLOWS, RELIES_ON, Reliance

SCREENING = Path(screening.__file__).parent
RUNTIME = SCREENING / "runtime"
BENCH = SCREENING.parent / "screening_bench"
UPSTREAM_PACKAGES = ("faust", "mode", "aiokafka")
# Underscored, but the public API of every named tuple (faust's Record has one too).
NAMEDTUPLE_API = {"_asdict", "_replace", "_fields", "_field_defaults", "_make"}

# Private accesses outside screening/runtime/ still waiting to move, in modules being
# edited on another branch: (path under screening/, name) -> the runtime helper to use.
NOT_MOVED_YET: dict[tuple[str, str], str] = {}


# -- what the overrides rely on is still there ----------------------------------------

@pytest.mark.parametrize("package", sorted(FOLLOWS))
def test_the_installed_versions_are_the_ones_the_overrides_follow(package: str) -> None:
    assert importlib.metadata.version(package) == FOLLOWS[package], (
        f"{package} {importlib.metadata.version(package)} is installed; screening.runtime "
        f"follows {FOLLOWS[package]}: run `python -m screening.runtime.upstream`, re-read "
        "what it lists, then record the new version in upstream.FOLLOWS and the docstrings")


@pytest.mark.parametrize("reliance", RELIES_ON, ids=[r.path for r in RELIES_ON])
def test_each_upstream_name_relied_on_is_there_as_recorded(reliance: Reliance) -> None:
    owner, name = upstream.resolve(reliance.path)
    assert upstream.defines(owner, name), f"{reliance.path} is gone ({reliance.used_by})"
    if reliance.signature != ATTRIBUTE:
        found = str(inspect.signature(getattr(owner, name)))
        assert found == reliance.signature, f"{reliance.path} ({reliance.used_by})"
    assert upstream.problems(reliance) == []


@pytest.mark.parametrize("reliance", RELIES_ON, ids=[r.path for r in RELIES_ON])
def test_each_reliance_names_ours_that_relies_on_it(reliance: Reliance) -> None:
    owner, name = upstream.resolve(reliance.used_by)
    if isinstance(owner, type):  # defined there, not inherited from upstream
        assert owner.__module__.startswith("screening.runtime."), reliance.used_by
        assert name in vars(owner), reliance.used_by
    else:
        assert owner.__name__.startswith("screening.runtime."), reliance.used_by
        assert hasattr(owner, name), reliance.used_by


@pytest.mark.parametrize("added", ADDED, ids=[a.path for a in ADDED])
def test_names_our_subclasses_add_are_still_free_upstream(added: upstream.Addition) -> None:
    owner, name = upstream.resolve(added.path)
    assert not upstream.defines(owner, name), f"{added.path} now exists: {added.used_by}"
    ours, our_name = upstream.resolve(added.used_by)
    assert hasattr(ours, our_name)


def test_every_private_name_the_overrides_touch_is_recorded() -> None:
    """Each `x._name` in screening/runtime (bar upstream.py) on an upstream private name
    has its row in RELIES_ON or ADDED, so the table cannot fall behind the code."""
    recorded = {upstream.resolve(r.path)[1] for r in RELIES_ON}
    recorded |= {upstream.resolve(a.path)[1] for a in ADDED}
    used = set()
    for path in RUNTIME.glob("*.py"):
        if path.name == "upstream.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in upstream_private_names():
                used.add(node.attr)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    node.name in upstream_private_names()):
                used.add(node.name)
    assert used - recorded == set()


# -- the canaries would sing --------------------------------------------------------

def test_a_changed_signature_is_reported() -> None:
    real = next(r for r in RELIES_ON if r.path.endswith("Consumer._add_gap"))
    changed = real._replace(signature="(self, tp, offset_from, offset_to, more) -> None")
    [problem] = upstream.problems(changed)
    assert "signature" in problem and "Consumer._deliver" in problem


def test_a_missing_name_is_reported() -> None:
    gone = Reliance("faust.transport.consumer:Consumer._no_such_name", ATTRIBUTE, "ours")
    assert upstream.problems(gone) == [
        "faust.transport.consumer:Consumer._no_such_name is gone (used by ours)"]


def test_a_name_no_longer_read_where_it_was_is_reported() -> None:
    unread = Reliance("aiokafka.consumer.consumer:AIOKafkaConsumer._fetch_max_wait_ms",
                      ATTRIBUTE, "ours",
                      read_by=("aiokafka.consumer.consumer:AIOKafkaConsumer.assign",))
    [problem] = upstream.problems(unread)
    assert "AIOKafkaConsumer.assign no longer uses _fetch_max_wait_ms" in problem


def test_a_changed_copy_is_reported() -> None:
    real = next(r for r in RELIES_ON if r.path.endswith("Consumer._drain_messages"))
    [problem] = upstream.problems(real._replace(source="0" * 16))
    assert "changed upstream" in problem and "re-read" in problem


def test_the_upstream_module_lists_no_differences_now() -> None:
    assert upstream.differences() == []


# -- each override says what it follows ---------------------------------------------

def runtime_definitions() -> Iterator[
        tuple[str, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]]:
    for path in sorted(RUNTIME.glob("*.py")):
        if path.name in ("__init__.py", "upstream.py"):
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{path.stem}.{node.name}", node
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        yield f"{path.stem}.{node.name}.{item.name}", item


@pytest.mark.parametrize(("name", "node"), list(runtime_definitions()),
                         ids=[name for name, _ in runtime_definitions()])
def test_each_override_names_the_upstream_version_it_follows(
        name: str, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    doc = ast.get_docstring(node) or ""
    named = [f"{package} {version}" for package, version in FOLLOWS.items()
             if f"{package} {version}" in " ".join(doc.split())]
    assert named, f"{name}: its docstring names none of {sorted(FOLLOWS.items())}"


def test_the_runtime_package_imports_nothing_when_imported() -> None:
    """`screening.runtime.clients` serves commands that never load Faust."""
    tree = ast.parse((RUNTIME / "__init__.py").read_text())
    assert not [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]


def test_every_runtime_module_imports() -> None:
    for module in pkgutil.iter_modules(screening.runtime.__path__):
        importlib.import_module(f"screening.runtime.{module.name}")


# -- nothing outside screening/runtime reaches into the libraries -------------------

@cache
def upstream_private_names() -> frozenset[str]:
    """Every underscored name faust, mode and aiokafka define: methods and functions,
    class attributes, and attributes their methods set on `self`."""
    names: set[str] = set()
    for package in UPSTREAM_PACKAGES:
        init = importlib.import_module(package).__file__  # (faust's module has no spec)
        assert init is not None
        for path in Path(init).parent.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        targets = (item.targets if isinstance(item, ast.Assign)
                                   else [item.target] if isinstance(item, ast.AnnAssign)
                                   else [])
                        names.update(t.id for t in targets if isinstance(t, ast.Name))
                if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                        and isinstance(node.value, ast.Name) and node.value.id == "self"):
                    names.add(node.attr)
    return frozenset(n for n in names if re.fullmatch(r"_[^_].*|_", n) and not
                     n.endswith("__")) - NAMEDTUPLE_API


def upstream_imports(tree: ast.Module) -> set[str]:
    """Names a module binds to faust, mode or aiokafka (modules and their members)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names
                         if a.name.split(".")[0] in UPSTREAM_PACKAGES)
        elif isinstance(node, ast.ImportFrom) and node.module and (
                node.module.split(".")[0] in UPSTREAM_PACKAGES):
            bound.update(a.asname or a.name for a in node.names)
    return bound


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def private_accesses(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, name, how) for each reach into an upstream private name in a module."""
    private = upstream_private_names()
    tree = ast.parse(path.read_text())
    bound = upstream_imports(tree)
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    subclasses: dict[str, ast.ClassDef] = {}  # of upstream classes, directly or not
    while True:
        more = {cls.name: cls for cls in classes if cls.name not in subclasses and any(
            _root(base) in bound or _root(base) in subclasses for base in cls.bases)}
        if not more:
            break
        subclasses.update(more)
    inside = {id(n) for cls in subclasses.values() for n in ast.walk(cls)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.split(".")[0] in UPSTREAM_PACKAGES):
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield node.lineno, alias.name, f"imported from {node.module}"
        elif isinstance(node, ast.Attribute) and node.attr in private:
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not on_self or id(node) in inside:
                yield node.lineno, node.attr, ast.unparse(node)
        elif (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and id(node) in inside
                and node.name in private):
            yield node.lineno, node.name, "overridden in a subclass of an upstream class"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in private):
            yield node.lineno, str(node.args[1].value), ast.unparse(node)


def outside_runtime() -> Iterator[Path]:
    # The product and the benchmark beside it (which drives Kafka clients of its own).
    for path in sorted([*SCREENING.rglob("*.py"), *BENCH.rglob("*.py")]):
        if RUNTIME not in path.parents:
            yield path


def test_no_module_outside_runtime_reaches_into_upstream_private_names() -> None:
    found = []
    for path in outside_runtime():
        rel = path.relative_to(SCREENING.parent).as_posix()
        for line, name, how in private_accesses(path):
            if (rel, name) not in NOT_MOVED_YET:
                found.append(f"{rel}:{line}: {how}")
    assert found == [], ("private names of faust, mode or aiokafka belong in "
                         "screening/runtime/ (with their rows in upstream.RELIES_ON)")


def test_the_list_of_accesses_not_moved_yet_holds_only_what_is_still_there() -> None:
    still = {(path.relative_to(SCREENING.parent).as_posix(), name)
             for path in outside_runtime() for _, name, _ in private_accesses(path)}
    assert set(NOT_MOVED_YET) - still == set(), "moved: drop them from NOT_MOVED_YET"


def test_the_check_finds_what_it_is_for(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text(
        "import faust\n"
        "from faust.transport.drivers import aiokafka as driver\n"
        "from mode.utils.futures import _private_thing\n"
        "class C(driver.Consumer):\n"
        "    async def _drain_messages(self, fetcher):\n"
        "        return self._read_offset\n"
        "class D(C):\n"
        "    async def _add_gap(self, tp, offset_from, offset_to):\n"
        "        return self._commit_every\n"
        "class Mine:\n"
        "    def _partition(self):\n"
        "        return self._partition\n"
        "def f(app, producer):\n"
        "    app.consumer._commit_fut = None\n"
        "    getattr(producer, '_ensure_producer')()\n"
        "    return producer._partition('t', None, None, None, b'k', None)\n")
    found = {(line, name) for line, name, _ in private_accesses(module)}
    assert found == {(3, "_private_thing"), (5, "_drain_messages"), (6, "_read_offset"),
                     (8, "_add_gap"), (9, "_commit_every"),
                     (14, "_commit_fut"), (15, "_ensure_producer"), (16, "_partition")}

"""The Redis scripts live in screening/watchlists/lua/ and are put together once, at import:
each its flags first (Redis reads them only there), then the split prelude, then its body;
and they are shipped with the package."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from screening.watchlists import batch

REPO = Path(__file__).resolve().parents[3]
LUA = REPO / "screening" / "watchlists" / "lua"


@pytest.mark.parametrize(("script", "flags"), [
    (batch._READ, "#!lua flags=allow-cross-slot-keys,no-writes"),
    (batch._WRITE, "#!lua flags=allow-cross-slot-keys"),
    (batch._BULK, "#!lua flags=allow-cross-slot-keys"),
])
def test_flags_first_then_the_prelude(script: str, flags: str) -> None:
    first, _, rest = script.partition("\n")
    assert first == flags
    assert rest.startswith((LUA / "split.lua").read_text(encoding="utf-8"))
    assert "split(ARGV[1])" in rest and rest.count("#!lua") == 0


def test_every_script_is_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["screening"]
    files = sorted(p.relative_to(REPO / "screening").as_posix() for p in LUA.glob("*.lua"))
    assert files == ["watchlists/lua/bulk.lua", "watchlists/lua/read.lua",
                     "watchlists/lua/split.lua", "watchlists/lua/write.lua"]
    assert all(any(fnmatch.fnmatch(f, p) for p in patterns) for f in files)

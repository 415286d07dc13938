"""The console's four working languages, one JSON file each under static/i18n/.

Strings live in data files so translators never touch code; every language must have
exactly the keys of English (checked when loaded and by the tests).
"""

from __future__ import annotations

import functools
from importlib import resources

import orjson

LANGUAGES = ("en", "fr", "es", "ar")
DEFAULT = "en"
RTL = frozenset({"ar"})


@functools.cache
def strings(lang: str) -> dict[str, str]:
    """All strings of `lang` (one of LANGUAGES)."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    raw = resources.files("screening.console").joinpath("static", "i18n", f"{lang}.json")
    data = orjson.loads(raw.read_bytes())
    if lang != DEFAULT:
        missing = set(strings(DEFAULT)) ^ set(data)
        if missing:
            raise ValueError(f"{lang}.json differs from en.json in keys: {sorted(missing)}")
    return {str(k): str(v) for k, v in data.items()}


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The analyst's choice (cookie) first, then the browser's preference, then English."""
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > 0:
            ranked.append((-q, i, base))
    return sorted(ranked)[0][2] if ranked else DEFAULT

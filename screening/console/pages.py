"""HTML pages from the templates in static/: every value inserted is HTML-escaped.

The templates have `{{name}}` placeholders and no other syntax, so there is no way to
insert unescaped text: the strings a script needs travel JSON-encoded in an escaped
`data-` attribute, which the browser decodes back exactly.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from importlib import resources

import orjson

from screening.console.i18n import LANGUAGES, direction, strings
from screening.procedure import NEXT

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
# Served as they are, with their content types; anything else is a 404.
STATIC = {
    "console.js": "text/javascript",
    "common.js": "text/javascript",
    "queue.js": "text/javascript",
    "detail.js": "text/javascript",
    "explain.js": "text/javascript",
    "outbox.js": "text/javascript",
    "room.js": "text/javascript",
    "clearances.js": "text/javascript",
    "countries.js": "text/javascript",
    "audit.js": "text/javascript",
    "lang.js": "text/javascript",
    "console.css": "text/css",
}


@functools.cache
def asset(name: str) -> bytes:
    return resources.files("screening.console").joinpath("static", name).read_bytes()


def render(template: str, values: Mapping[str, str]) -> str:
    """Fills `{{name}}` from `values`, escaped; a placeholder without a value is an error."""
    text = asset(template).decode()
    return _PLACEHOLDER.sub(lambda m: html.escape(values[m.group(1)], quote=True), text)


def _common(lang: str, csrf: str) -> dict[str, str]:
    t = strings(lang)
    values = {f"t.{k}": v for k, v in t.items()}
    values.update({"lang": lang, "dir": direction(lang), "csrf": csrf})
    for code in LANGUAGES:
        values[f"sel.{code}"] = "selected" if code == lang else ""
        values[f"name.{code}"] = strings(code)["lang.name"]
    return values


def login_page(lang: str, csrf: str, error_key: str | None = None) -> str:
    values = _common(lang, csrf)
    values["error"] = strings(lang)[error_key] if error_key else ""
    return render("login.html", values)


def console_page(lang: str, csrf: str, analyst: str, role: str) -> str:
    values = _common(lang, csrf)
    values["analyst"] = analyst
    values["role"] = strings(lang)[f"role.{role}"]
    values["role_code"] = role
    values["strings_json"] = orjson.dumps(strings(lang)).decode()
    # The steps after each state, as the server checks them ("" for an alert as raised).
    values["procedure_json"] = orjson.dumps(
        {state or "": steps for state, steps in NEXT.items()}).decode()
    return render("console.html", values)


def audit_page(lang: str, csrf: str, auditor: str) -> str:
    values = _common(lang, csrf)
    values["analyst"] = auditor
    values["role"] = strings(lang)["role.auditor"]
    values["strings_json"] = orjson.dumps(strings(lang)).decode()
    return render("audit.html", values)

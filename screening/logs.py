"""Structured logging: key=value (or JSON) lines, personal data masked, chatty libraries quiet."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson

from screening.privacy import mask_value

_LIBRARIES = ("aiokafka", "kafka", "faust", "mode", "aiohttp", "redis", "asyncio", "venusian")


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "kv", None)
        if extra:
            fields.update({k: mask_value(k, v) for k, v in extra.items()})
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            return orjson.dumps(fields, default=str).decode()
        return " ".join(f"{k}={_quote(v)}" for k, v in fields.items())


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(c in text for c in ' ="\n'):
        return orjson.dumps(text).decode()
    return text


def setup_logging(level: str = "INFO", as_json: bool = False) -> None:
    """Configure the root logger once, at start-up (never at import)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("screening").setLevel(level.upper())
    for name in _LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def kv(**fields: Any) -> dict[str, Any]:
    """`log.info("msg", extra=kv(event_id=..., surname=...))`: fields are masked by name."""
    return {"kv": fields}

"""Structured logging: key=value (or JSON) lines, personal data masked, chatty libraries quiet."""

from __future__ import annotations

import logging
import logging.config
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


def logging_config(level: str = "INFO", as_json: bool = False) -> dict[str, Any]:
    """A dictConfig: ours at `level`, libraries at WARNING, one masked formatter.

    Given to Faust's worker too, which would otherwise install its own format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"screening": {"()": _Formatter, "as_json": as_json}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr,
                                "formatter": "screening"}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "screening": {"level": level.upper()},
            **{name: {"level": "WARNING"} for name in _LIBRARIES},
        },
    }


def setup_logging(level: str = "INFO", as_json: bool = False) -> None:
    """Configure logging once, at start-up (never at import)."""
    logging.config.dictConfig(logging_config(level, as_json))


def kv(**fields: Any) -> dict[str, Any]:
    """`log.info("msg", extra=kv(event_id=..., surname=...))`: fields are masked by name."""
    return {"kv": fields}

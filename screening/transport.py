"""Moved to screening.runtime.transport (the one home of Faust overrides, issue 19).

Kept only for `screening.bench.passthrough`, which imports FETCH_MAX_WAIT_MS from here;
remove once it imports from screening.runtime.transport."""

from screening.runtime.transport import FETCH_MAX_WAIT_MS

__all__ = ["FETCH_MAX_WAIT_MS"]

"""The project's errors: a small tree, each carrying the context needed to act on it."""

from __future__ import annotations


class ScreeningError(Exception):
    """Base of every error this project raises on purpose."""


class InvalidScan(ScreeningError):
    """A scan that cannot be screened: it is rejected and dead-lettered with `code`."""

    def __init__(self, code: str, message: str, *, event_id: str | None = None,
                 terminal_id: str | None = None, checkpoint_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.event_id = event_id
        self.terminal_id = terminal_id
        self.checkpoint_id = checkpoint_id


class WatchlistUnavailable(ScreeningError):
    """A list could not be consulted: the answer is `unverified`, never `clear`."""

    def __init__(self, message: str, *, lists: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lists = lists


class NoWatchlistLoaded(WatchlistUnavailable):
    """No version of the lists has been loaded into Redis yet."""


class InvalidRecord(ScreeningError):
    """A watchlist record or update that cannot be applied; `where` says which line or offset."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.reason = message


class ConfigurationError(ScreeningError):
    """Settings that cannot work together (e.g. SASL without a username); says which."""


class FeedKeyError(ScreeningError):
    """A feed key (signing key or trusted public keys) that is missing or unreadable."""


class SignatureRefused(ScreeningError):
    """Watchlist data whose signature is missing or does not verify: never applied.

    `code` is the dead letter's (`UNSIGNED_UPDATE`, `BAD_SIGNATURE`) or, for a bulk file,
    `UNSIGNED_FILE`, `BAD_MANIFEST`, `FILE_MISMATCH`."""

    def __init__(self, code: str, message: str, *, key_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key_id = key_id

"""The analysts' console: live alerts in a browser, explained, decided on, in four languages."""

from screening.console.auth import hash_password, verify_password
from screening.console.web import create_app, serve

__all__ = ["create_app", "hash_password", "serve", "verify_password"]

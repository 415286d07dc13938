"""The mode in force (contract v2 "Modes"), followed from `screening.control` by every
worker; the scan agent applies its profile to the alerts of each batch."""

from __future__ import annotations

import asyncio
import logging

import faust

from screening.context import Context
from screening.logs import kv
from screening.modes.follow import ModeFollower, follow

log = logging.getLogger("screening.agents")
# Wait before following the topic again after a failure (the broker away, an ACL missing).
RETRY_S = 2.0


def register_control_agent(app: faust.App, ctx: Context) -> None:
    follower = ModeFollower(ctx.settings, ctx.mode, ctx.metrics)

    @app.task
    async def follow_mode() -> None:
        while True:
            try:
                await follow(ctx.settings, follower)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the mode in force stays; said, and tried again
                log.warning("control topic unreadable; mode unchanged",
                            extra=kv(error=type(exc).__name__))
                await asyncio.sleep(RETRY_S)

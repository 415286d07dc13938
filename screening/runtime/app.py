"""The Faust app class the worker runs: Faust's own, consuming through runtime.transport."""

from __future__ import annotations

import faust

from screening import stopping
from screening.runtime.transport import Transport


class App(faust.App):
    """faust.App consuming through screening.runtime.transport (short fetch wait,
    batched delivery, the consumer on the worker's loop).

    Follows faust-streaming 0.15.3: replaces `faust.app.base.App._new_transport`, the
    one place Faust picks the consumer's transport (by the broker URL's scheme; a
    custom scheme would need an entry point registered for it)."""

    fetch_min_bytes: int = 1  # read by runtime.transport's consumer (settings)
    consumer_in_loop: bool = True  # likewise
    # Seconds a stopping worker has before it ends itself (screening/stopping.py); None:
    # no deadline (an app in a test's own process, which goes on after the app stops).
    stop_deadline_s: float | None = None

    async def on_stop(self) -> None:
        """faust-streaming 0.15.3 `App.on_stop` (a hook that asks to be called), after
        arming the deadline for the whole stop (screening/stopping.py)."""
        if self.stop_deadline_s is not None:
            stopping.arm(self.loop, self.stop_deadline_s)
        await super().on_stop()

    def _new_transport(self) -> faust.types.TransportT:
        """faust-streaming 0.15.3 `App._new_transport`, with our Transport instead of
        the one registered for the broker URL's scheme."""
        return Transport(self.conf.broker_consumer, self)

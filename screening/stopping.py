"""A worker told to stop is gone within a deadline, and says why when it is late.

Faust stops a worker's services one after another (the consumer, the streams, the
producer's flush, every agent and thread), and several of those steps wait on the
broker without a bound of their own. A worker that does not stop holds its
partitions' gates until an orchestrator kills it (Kubernetes: 30 s after SIGTERM), with
nothing in its log to say which step it was waiting on.

`arm` starts a watchdog when the stop begins. If the process is still there after the
deadline, the watchdog logs, as one error record, the stack of every thread and of
every task still pending on the worker's loop (code lines only, no values: no personal
data), and ends the process with `LATE_EXIT`. Nothing is lost by that: offsets are
committed only after a scan's result was sent, so what the worker had not committed is
screened again by the group (at least once; results and alerts keep their ids).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import threading
import traceback

from screening.logs import kv

log = logging.getLogger("screening.worker")

# The exit status of a worker that had to be ended by its own deadline (EX_SOFTWARE).
LATE_EXIT = 70


def pending(loop: asyncio.AbstractEventLoop) -> str:
    """Every thread's stack and every pending task's, as text."""
    out = io.StringIO()
    frames = sys._current_frames()
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        if frame is not None:
            out.write(f"thread {thread.name}:\n")
            out.write("".join(traceback.format_stack(frame)))
    try:
        tasks = list(asyncio.all_tasks(loop))
    except RuntimeError:  # the set changed while read from this thread: once more
        tasks = list(asyncio.all_tasks(loop))
    for task in tasks:
        if task.done():
            continue
        out.write(f"task {task.get_name()} ({task.get_coro()!r}):\n")
        stack = task.get_stack()
        out.write("".join(traceback.format_list(
            traceback.extract_stack(stack[-1]) if stack else [])))
    return out.getvalue()


def arm(loop: asyncio.AbstractEventLoop, deadline_s: float) -> threading.Thread:
    """A daemon thread that ends the process `deadline_s` after now unless it has ended."""

    def watch() -> None:
        threading.Event().wait(deadline_s)
        try:
            where = pending(loop)
        except Exception as exc:  # a diagnostic: never the reason a stop is refused
            where = f"(stacks unavailable: {exc!r})"
        log.error("worker still stopping %g s after it was told to; exiting now, the "
                  "group screens again what it had not committed", deadline_s,
                  extra=kv(pending=where))
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(LATE_EXIT)

    thread = threading.Thread(target=watch, name="stop-deadline", daemon=True)
    thread.start()
    return thread

"""The stop deadline (screening/stopping.py): a worker whose stop hangs ends itself, with
the stacks of what it was waiting on in its log, and an app without a deadline (one in a
test's own process) is never ended by one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import faust

from screening import stopping
from screening.runtime.app import App

HANGS = textwrap.dedent("""
    import asyncio, logging, logging.config, sys
    from screening.logs import logging_config
    from screening import stopping
    logging.config.dictConfig(logging_config("INFO"))

    async def waits_on_the_broker_for_ever():
        await asyncio.Event().wait()

    async def main():
        task = asyncio.ensure_future(waits_on_the_broker_for_ever())
        stopping.arm(asyncio.get_running_loop(), float(sys.argv[1]))
        await task

    asyncio.run(main())
""")


def run(tmp: Path, deadline: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    script = tmp / "hangs.py"  # a file: its lines are in the stacks
    script.write_text(HANGS)
    return subprocess.run([sys.executable, str(script), deadline],
                          capture_output=True, text=True, timeout=timeout)


def test_a_stop_that_hangs_ends_the_process_with_what_it_waited_on(tmp_path: Path) -> None:
    done = run(tmp_path, "0.5")
    assert done.returncode == stopping.LATE_EXIT, done.stderr
    assert "worker still stopping" in done.stderr
    # The pending task's own coroutine and the line it waits on, and the main thread.
    assert "waits_on_the_broker_for_ever" in done.stderr
    assert "await asyncio.Event().wait()" in done.stderr
    assert "thread MainThread" in done.stderr
    assert done.stderr.count("level=error") == 1  # one record: one line to find


def test_the_process_lives_until_the_deadline(tmp_path: Path) -> None:
    try:
        run(tmp_path, "60", timeout=3)
    except subprocess.TimeoutExpired:
        pass
    else:
        raise AssertionError("ended before its deadline")


def test_an_app_has_no_deadline_unless_its_process_ends_with_it() -> None:
    # create_app's apps live in test processes; only `screening worker` sets one.
    assert App.stop_deadline_s is None
    assert not hasattr(faust.App, "stop_deadline_s")

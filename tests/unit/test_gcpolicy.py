"""The heap freezer: young passes and freezes usually, a whole-heap pass now and then.

Each test follows objects by weak reference to reference cycles, which only the
collector can free: a frozen cycle outlives even `gc.collect()`, a collected one is
gone. Automatic collection is off inside each test so that only the freezer (and the
test's own `gc.collect()`) frees anything.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from screening import gcpolicy
from screening.gcpolicy import HeapFreezer


class _Node:
    other: object = None


def _cycle() -> tuple[_Node, weakref.ref[_Node]]:
    node = _Node()
    node.other = node
    return node, weakref.ref(node)


@pytest.fixture(autouse=True)
def quiet_collector() -> Iterator[None]:
    """No automatic passes, nothing frozen before; both restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_tick_freezes_survivors_and_the_periodic_full_pass_reclaims_them() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0])
    young, young_probe = _cycle()
    del young  # garbage before the tick: the young pass frees it instead of freezing it
    survivor, survivor_probe = _cycle()

    freezer.tick()
    assert young_probe() is None
    assert survivor_probe() is not None
    del survivor  # garbage now, but frozen: out of even a full pass's sight
    gc.collect()
    assert survivor_probe() is not None
    assert freezer.last_full == 0.0  # no whole-heap pass yet

    now[0] = gcpolicy.FULL_EVERY_S
    freezer.tick()  # the period's whole-heap pass: unfreezes and reclaims it
    assert survivor_probe() is None
    assert freezer.last_full == now[0]


def test_maybe_tick_waits_for_its_period() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0], every_s=60.0)
    freezer.maybe_tick()
    assert gc.get_freeze_count() == 0  # too early: nothing collected nor frozen
    now[0] = 60.0
    freezer.maybe_tick()
    assert gc.get_freeze_count() > 0
    assert freezer.last_tick == 60.0


def test_batch_jobs_stop_automatic_collection_but_still_reclaim_cycles() -> None:
    gc.enable()  # as a batch job finds it
    freezer = gcpolicy.stop_automatic_collection()
    assert not gc.isenabled()
    assert freezer.every_s == 60.0
    gc.unfreeze()
    cycle, probe = _cycle()
    del cycle
    assert probe() is not None  # nothing collected it by itself
    freezer.last_tick -= freezer.every_s
    freezer.maybe_tick()  # the minute's young pass frees the cycle
    assert probe() is None


def test_between_batches_freezes_survivors_once_a_period() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0])
    young, young_probe = _cycle()
    del young
    freezer.between_batches()
    assert gc.get_freeze_count() == 0  # within the period: nothing done
    assert young_probe() is not None

    now[0] = gcpolicy.FREEZE_BETWEEN_BATCHES_S
    survivor, survivor_probe = _cycle()
    freezer.between_batches()
    assert young_probe() is None  # young garbage is collected, not frozen
    assert freezer.last_freeze == now[0]
    del survivor
    gc.collect()
    assert survivor_probe() is not None  # what outlived the batch is frozen


def test_the_worker_freezes_what_start_up_made() -> None:
    survivor, probe = _cycle()
    gcpolicy.freeze_start_up()
    del survivor
    gc.collect()
    assert probe() is not None

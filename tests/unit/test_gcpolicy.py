"""The heap freezer: young passes and freezes usually, a whole-heap pass now and then."""

from __future__ import annotations

import gc
import weakref

from screening import gcpolicy
from screening.gcpolicy import HeapFreezer


def test_freezes_survivors_and_collects_everything_once_per_period() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0])
    try:
        survivor = [object() for _ in range(10)]
        freezer.tick()
        assert gc.get_freeze_count() > 0
        now[0] = gcpolicy.FULL_EVERY_S + 1
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle only a full pass can free
        del garbage
        freezer.tick()
        assert freezer.last_full == now[0]
        assert survivor
    finally:
        gc.unfreeze()


def test_maybe_tick_waits_for_its_period() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0], every_s=60.0)
    try:
        gc.unfreeze()
        freezer.maybe_tick()
        assert gc.get_freeze_count() == 0  # too early: nothing collected nor frozen
        now[0] = 60.0
        freezer.maybe_tick()
        assert gc.get_freeze_count() > 0
        assert freezer.last_tick == 60.0
    finally:
        gc.unfreeze()


def test_batch_jobs_stop_automatic_collection_but_still_reclaim_cycles() -> None:
    was_enabled = gc.isenabled()
    try:
        freezer = gcpolicy.stop_automatic_collection()
        assert not gc.isenabled()
        assert freezer.every_s == 60.0
        gc.unfreeze()
        cycle = _Node()
        cycle.other = cycle
        probe = weakref.ref(cycle)
        del cycle
        assert probe() is not None  # nothing collected it by itself
        freezer.last_tick -= freezer.every_s
        freezer.maybe_tick()  # the minute's young pass frees the cycle
        assert probe() is None
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


class _Node:
    other: object = None


def test_between_batches_freezes_survivors_once_a_period() -> None:
    now = [0.0]
    freezer = HeapFreezer(clock=lambda: now[0])
    try:
        gc.unfreeze()
        young_cycle = _Node()
        young_cycle.other = young_cycle
        probe = weakref.ref(young_cycle)
        del young_cycle
        freezer.between_batches()
        assert gc.get_freeze_count() == 0  # within the period: nothing done
        assert probe() is not None
        now[0] = gcpolicy.FREEZE_BETWEEN_BATCHES_S
        survivor = [object() for _ in range(10)]
        freezer.between_batches()
        assert gc.get_freeze_count() > 0
        assert probe() is None  # young garbage is collected, not frozen
        assert freezer.last_freeze == now[0]
        assert survivor
    finally:
        gc.unfreeze()


def test_the_worker_freezes_what_start_up_made() -> None:
    try:
        gcpolicy.freeze_start_up()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

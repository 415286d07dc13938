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


def test_between_batches_collects_only_once_enough_has_survived() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        freezer = HeapFreezer(young=1000)
        gc.collect()
        cycle = _Node()
        cycle.other = cycle
        probe = weakref.ref(cycle)
        del cycle
        freezer.between_batches()
        assert probe() is not None  # too few survivors to be worth a pass
        keep = [[] for _ in range(2000)]
        freezer.between_batches()
        assert probe() is None
        assert gc.get_count()[0] < 1000
        assert keep
    finally:
        if was_enabled:
            gc.enable()


def test_the_worker_takes_over_collection() -> None:
    was_enabled = gc.isenabled()
    try:
        gcpolicy.take_over_collection()
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()

"""The heap freezer: young passes and freezes usually, a whole-heap pass now and then."""

from __future__ import annotations

import gc

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

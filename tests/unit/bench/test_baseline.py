"""The baseline worker's reader reaches the screener through the context, which the
product builds without it: no setting of the worker selects benchmark code."""

from __future__ import annotations

from pathlib import Path

from screening.context import Context
from screening.metrics import Metrics
from screening.settings import Settings
from screening_bench.baseline import BaselineWorkerProcess, PerScanStore


async def test_a_context_given_the_per_scan_reader_screens_through_it() -> None:
    ctx = Context(settings=Settings(), metrics=Metrics.create(), reader=PerScanStore)
    try:
        screener = await ctx.screener()
        assert isinstance(screener.store, PerScanStore)
        assert screener.store.store is await ctx.store()
    finally:
        await ctx.close()


async def test_a_context_without_a_reader_screens_through_the_store_itself() -> None:
    ctx = Context(settings=Settings(), metrics=Metrics.create())
    try:
        assert (await ctx.screener()).store is await ctx.store()
    finally:
        await ctx.close()


def test_the_baseline_runs_as_a_module_of_the_bench_not_as_a_worker_option(
        tmp_path: Path) -> None:
    process = BaselineWorkerProcess(Settings(), tmp_path / "baseline.log")
    assert process.command()[-2:] == ["-m", "screening_bench.baseline"]

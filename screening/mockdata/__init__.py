"""Realistic mock watchlists and checkpoint scans, for the simulator, benchmarks and tests.

Streaming and deterministic per seed; no Faker: compact name pools and national number
formats built here, so that namesakes and look-alike numbers occur the way they do in
reality.
"""

from screening.mockdata.lists import FILE_NAMES, generate_lists, iter_notices, iter_sltd, iter_smv
from screening.mockdata.samples import ListSample, sample_from_files
from screening.mockdata.scans import Expect, ScanFactory

__all__ = [
    "FILE_NAMES",
    "Expect",
    "ListSample",
    "ScanFactory",
    "generate_lists",
    "iter_notices",
    "iter_sltd",
    "iter_smv",
    "sample_from_files",
]

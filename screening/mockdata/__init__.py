"""Realistic mock watchlists and checkpoint scans, for the simulator, benchmarks and tests.

Streaming and deterministic per seed; no Faker: compact name pools and national number
formats built here, so that namesakes and look-alike numbers occur the way they do in
reality. Each list's generator lives in its package (watchlists/<list>/mock.py); this
package holds what they share, the files (lists.py) and the terminals' scans (scans.py).
Imported by nothing the worker runs.
"""

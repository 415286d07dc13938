"""Correlation across checkpoints and time (issue 23, contract v2 "Alerts v2").

`sightings` says what a scan leaves behind and under which keyed digests; `rules` finds
the four patterns in pure Python; `state` keeps each key's recent sightings in Redis;
`correlator` ties them together for the scan agent.
"""

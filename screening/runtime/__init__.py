"""Every override of faust-streaming, mode-streaming and aiokafka internals, in one place.

Faust has no hook for what the worker needs (a short fetch wait, one flow-control wait
per fetched batch, its consumer on the worker's loop, batches as they come, a batch's
outputs as one record batch per partition or in its scan partition's transaction, new
sites' topics followed while it runs), so the modules here subclass, copy or reach into
names those libraries keep private. Each override names in its docstring the upstream
version it follows and what it copies or patches, and why; `upstream.RELIES_ON` lists
every private name and signature they rely on. tests/unit/test_runtime_canaries.py
compares that list with the installed libraries (an upgrade that moves a name fails a
test, not the worker) and checks that no module outside this package reaches into them.

Nothing is imported here: `clients` (plain aiokafka) is used by commands that never
load Faust.
"""

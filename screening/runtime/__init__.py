"""Every override of faust-streaming, mode-streaming and aiokafka internals, in one place.

Faust has no hook for what the worker needs (a short fetch wait, one flow-control wait
per fetched batch, its consumer on the worker's loop, batches as they come, a batch's
outputs as one record batch per partition or in its scan partition's transaction, new
sites' topics followed while it runs), so the modules here subclass, copy or reach into
names those libraries keep private. Each override names in its docstring the upstream
version it follows and what it copies or patches, and why.

Nothing is imported here: `clients` (plain aiokafka) is used by commands that never
load Faust.
"""

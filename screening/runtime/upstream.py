"""What the overrides in screening.runtime rely on in faust-streaming, mode-streaming and
aiokafka, as data that tests/unit/test_runtime_canaries.py compares with the installed
libraries: each private name must still be there, with the signature recorded here;
each upstream function one of ours copies or replaces must still have the source it had
(a digest), and the upstream code that used a name must still use it.

After an upgrade, `python -m screening.runtime.upstream` lists what differs. Re-read the
overrides concerned (`used_by`) against the new upstream code and mend them; then record
the new signatures and digests here, and the new versions in FOLLOWS and in the
docstrings of the overrides (the test checks that those name the installed versions).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import textwrap
from functools import cached_property
from typing import Any, NamedTuple

# The releases every override here was written against and checked with.
FOLLOWS: dict[str, str] = {
    "faust-streaming": "0.15.3",
    "mode-streaming": "0.7.1",
    "aiokafka": "0.14.0",
}

# The signature recorded for a data attribute (an instance's or a class's).
ATTRIBUTE = "attribute"


class Reliance(NamedTuple):
    """One upstream name an override relies on."""

    path: str  # "module:Class.name" (or "module:name") upstream
    signature: str  # str(inspect.signature(...)) of a callable; ATTRIBUTE for data
    used_by: str  # ours that relies on it, "screening.runtime.module:Name.name"
    read_by: tuple[str, ...] = ()  # upstream functions that must still use the name
    source: str = ""  # of a function ours copies or replaces: source_digest(path)


class Addition(NamedTuple):
    """A name one of our subclasses adds to an upstream class: upstream must not have it."""

    path: str  # "module:Class.name" upstream, where the name must stay free
    used_by: str


_CONSUMER = "faust.transport.consumer:Consumer"
_DRIVER = "faust.transport.drivers.aiokafka"
_KAFKA_CONSUMER = "aiokafka.consumer.consumer:AIOKafkaConsumer"
_THREAD = "mode.threads:ServiceThread"
_TRANSPORT = "screening.runtime.transport"

RELIES_ON: tuple[Reliance, ...] = (
    # runtime.transport: the consumer's fetch settings
    Reliance(f"{_DRIVER}:AIOKafkaConsumerThread._create_worker_consumer",
             "(self, transport: 'Transport') -> aiokafka.consumer.consumer.AIOKafkaConsumer",
             f"{_TRANSPORT}:ConsumerThread._create_worker_consumer",
             read_by=(f"{_DRIVER}:AIOKafkaConsumerThread._create_consumer",),
             source="c179c0bdb9755c3a"),
    Reliance(f"{_KAFKA_CONSUMER}._fetch_max_wait_ms", ATTRIBUTE,
             f"{_TRANSPORT}:ConsumerThread._create_worker_consumer",
             read_by=(f"{_KAFKA_CONSUMER}.start",)),
    Reliance(f"{_KAFKA_CONSUMER}._fetch_min_bytes", ATTRIBUTE,
             f"{_TRANSPORT}:ConsumerThread._create_worker_consumer",
             read_by=(f"{_KAFKA_CONSUMER}.start",)),
    Reliance(f"{_KAFKA_CONSUMER}._partition_assignment_strategy", ATTRIBUTE,
             f"{_TRANSPORT}:ConsumerThread._create_worker_consumer",
             read_by=(f"{_KAFKA_CONSUMER}.start",)),
    # runtime.transport: the consumer service on the worker's loop
    Reliance(f"{_THREAD}.start", "(self) -> None", f"{_TRANSPORT}:LoopConsumerThread.start",
             source="ecd8f1bcf3eadb5d"),
    Reliance(f"{_THREAD}._thread_started", ATTRIBUTE, f"{_TRANSPORT}:LoopConsumerThread.start",
             read_by=(f"{_THREAD}.maybe_start",)),
    Reliance(f"{_THREAD}._thread_running", ATTRIBUTE, f"{_TRANSPORT}:LoopConsumerThread.start",
             read_by=(f"{_THREAD}._serve", f"{_THREAD}.crash")),
    Reliance(f"{_THREAD}._keepalive2", "(self) -> None", f"{_TRANSPORT}:LoopConsumerThread.start"),
    Reliance(f"{_THREAD}._serve", "(self) -> None", f"{_TRANSPORT}:LoopConsumerThread.start",
             source="584d278fb3680da7"),
    Reliance(f"{_THREAD}._gather_remaining_tasks", "(self) -> None",
             f"{_TRANSPORT}:LoopConsumerThread._gather_remaining_tasks",
             read_by=(f"{_THREAD}._serve",), source="72a184791b6c5837"),
    Reliance("mode.threads:QueueServiceThread.call_thread",
             "(self, fun: Callable[..., collections.abc.Awaitable], *args: Any, **kwargs: Any)"
             " -> Any",
             f"{_TRANSPORT}:LoopConsumerThread.call_thread", source="d1304f73ca65376d"),
    Reliance("mode.threads:QueueServiceThread.cast_thread",
             "(self, fun: Callable[..., collections.abc.Awaitable], *args: Any, **kwargs: Any)"
             " -> None",
             f"{_TRANSPORT}:LoopConsumerThread.cast_thread", source="fbb45a2bc034ebe4"),
    Reliance(f"{_DRIVER}:Consumer._new_consumer_thread", "(self) -> 'AIOKafkaConsumerThread'",
             f"{_TRANSPORT}:Consumer._new_consumer_thread",
             read_by=("faust.transport.consumer:ThreadDelegateConsumer.__init__",),
             source="8fd0d41b15145615"),
    # runtime.transport: one flow wait per fetched batch
    Reliance(f"{_CONSUMER}._drain_messages",
             "(self, fetcher: mode.types.services.ServiceT) -> None",
             f"{_TRANSPORT}:Consumer._drain_messages",
             read_by=("faust.transport.consumer:Fetcher._fetcher",), source="8f35dd7a11144daa"),
    Reliance("mode.services:Service._stopped", ATTRIBUTE, f"{_TRANSPORT}:Consumer._drain_messages",
             read_by=("mode.services:Service.stop",)),
    # runtime.transport: a stopping worker's wait for its streams, copied with a bound
    Reliance(f"{_CONSUMER}.wait_empty", "(self) -> None", f"{_TRANSPORT}:Consumer.wait_empty",
             read_by=("faust.app.base:App._consumer_wait_empty",), source="53195dca246c0a86"),
    Reliance(f"{_CONSUMER}._wait_for_ack", "(self, timeout: float) -> None",
             f"{_TRANSPORT}:Consumer.wait_empty", read_by=(f"{_CONSUMER}.wait_empty",)),
    Reliance(f"{_CONSUMER}._clean_unacked_messages", "(self) -> None",
             f"{_TRANSPORT}:Consumer.wait_empty", read_by=(f"{_CONSUMER}.wait_empty",)),
    Reliance(f"{_CONSUMER}._unacked_messages", ATTRIBUTE, f"{_TRANSPORT}:Consumer.wait_empty",
             read_by=(f"{_CONSUMER}.wait_empty",)),
    Reliance(f"{_CONSUMER}.commit_and_end_transactions", "(self) -> None",
             f"{_TRANSPORT}:Consumer.wait_empty", read_by=(f"{_CONSUMER}.wait_empty",)),
    Reliance("faust.agents.manager:AgentManager.human_tracebacks", "(self) -> str",
             f"{_TRANSPORT}:Consumer.wait_empty"),
    Reliance(f"{_CONSUMER}._read_offset", ATTRIBUTE, f"{_TRANSPORT}:Consumer._deliver",
             read_by=(f"{_CONSUMER}.seek",)),
    Reliance(f"{_CONSUMER}._commit_every", ATTRIBUTE, f"{_TRANSPORT}:Consumer._deliver"),
    Reliance(f"{_CONSUMER}._n_acked", ATTRIBUTE, f"{_TRANSPORT}:Consumer._deliver",
             read_by=(f"{_CONSUMER}.ack",)),
    Reliance(f"{_CONSUMER}._add_gap",
             "(self, tp: faust.types.tuples.TP, offset_from: int, offset_to: int) -> None",
             f"{_TRANSPORT}:Consumer._deliver"),
    # runtime.app
    Reliance("faust.app.base:App._new_transport", "(self) -> faust.types.transports.TransportT",
             "screening.runtime.app:App._new_transport",
             read_by=("faust.app.base:App.transport",), source="11beddacb9fee5b0"),
    # runtime.topics
    Reliance("faust.transport.conductor:Conductor._resubscribe_sleep_lock_seconds", ATTRIBUTE,
             "screening.runtime.topics:add_topic_names",
             read_by=("faust.transport.conductor:Conductor._subscriber",)),
    Reliance("faust.transport.conductor:Conductor._flag_changes", "(self) -> None",
             "screening.runtime.topics:add_topic_names",
             read_by=("faust.transport.conductor:Conductor.add",), source="4f35ed53767d742e"),
    # runtime.streams: an agent's batches
    Reliance("faust.streams:Stream._py_aiter", "(self) -> AsyncIterator[+T_co]",
             "screening.runtime.streams:batches", source="125c81c2d38d6c76"),
    Reliance("faust.streams:Stream._on_message_in", ATTRIBUTE,
             "screening.runtime.streams:batches", read_by=("faust.streams:Stream._py_aiter",)),
    Reliance("faust.streams:Stream._processors", ATTRIBUTE, "screening.runtime.streams:batches",
             read_by=("faust.streams:Stream.add_processor", "faust.streams:Stream._py_aiter")),
    Reliance("faust.streams:Stream._channel_stop_iteration", "(self, channel: Any) -> None",
             "screening.runtime.streams:batches", read_by=("faust.streams:Stream._py_aiter",)),
    # runtime.producing
    Reliance(f"{_DRIVER}:Producer._ensure_producer",
             "(self) -> aiokafka.producer.producer.AIOKafkaProducer",
             "screening.runtime.producing:kafka_producer"),
    Reliance("aiokafka.producer.producer:AIOKafkaProducer._partition",
             "(self, topic, partition, key, value, serialized_key, serialized_value)",
             "screening.runtime.producing:default_partition",
             read_by=("aiokafka.producer.producer:AIOKafkaProducer.send",),
             source="94cd5b19c6f27cfb"),
    Reliance("faust.transport.consumer:TransactionManager._tps_to_transactional_ids",
             "(self, tps: Set[faust.types.tuples.TP]) -> Set[str]",
             "screening.runtime.producing:transactional_id",
             read_by=("faust.transport.consumer:TransactionManager.on_rebalance",)),
    Reliance(f"{_CONSUMER}._commit_fut", ATTRIBUTE, "screening.runtime.producing:commits_held",
             read_by=(f"{_CONSUMER}.commit", f"{_CONSUMER}.maybe_wait_for_commit_to_finish")),
    Reliance(f"{_CONSUMER}.commit",
             "(self, topics: Optional[AbstractSet[Union[str, faust.types.tuples.TP]]] = None,"
             " start_new_transaction: bool = True) -> bool",
             "screening.runtime.producing:commits_held", source="e43a7d03685f9206"),
    # runtime.clients
    Reliance(f"{_KAFKA_CONSUMER}._client", ATTRIBUTE,
             "screening.runtime.clients:refresh_metadata",
             read_by=(f"{_KAFKA_CONSUMER}.partitions_for_topic",)),
)

ADDED: tuple[Addition, ...] = (
    Addition(f"{_DRIVER}:AIOKafkaConsumerThread._serving",
             f"{_TRANSPORT}:LoopConsumerThread.start"),
    Addition(f"{_DRIVER}:Consumer._deliver", f"{_TRANSPORT}:Consumer._deliver"),
    Addition("faust.app.base:App.fetch_min_bytes", "screening.runtime.app:App"),
    Addition("faust.app.base:App.consumer_in_loop", "screening.runtime.app:App"),
    Addition("faust.app.base:App.stop_deadline_s", "screening.runtime.app:App"),
)


def resolve(path: str) -> tuple[Any, str]:
    """("module:Owner.name") -> (the owner: a class or the module, "name")."""
    module, _, qualname = path.partition(":")
    owner: Any = importlib.import_module(module)
    *outer, name = qualname.split(".")
    for part in outer:
        owner = getattr(owner, part)
    return owner, name


def _function(path: str) -> Any:
    owner, name = resolve(path)
    obj = inspect.getattr_static(owner, name)
    if isinstance(obj, property):
        return obj.fget
    if isinstance(obj, cached_property):
        return obj.func
    if isinstance(obj, staticmethod | classmethod):
        return obj.__func__
    fun = getattr(obj, "fun", None)  # mode's @Service.task keeps its function as `fun`
    if inspect.isfunction(fun):
        return fun
    return obj


def _source(obj: Any) -> str | None:
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return None


def source_digest(path: str) -> str:
    """The first 16 hex digits of the SHA-256 of an upstream function's source."""
    source = _source(_function(path)) or ""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def uses(path: str, name: str) -> bool:
    """Whether the upstream function at `path` mentions the attribute `name`."""
    source = _source(_function(path))
    return source is not None and any(
        isinstance(node, ast.Attribute) and node.attr == name
        for node in ast.walk(ast.parse(source)))


def defines(owner: Any, name: str) -> bool:
    """Whether a module, or a class or one of its upstream bases, has `name`: as an
    attribute of its own, an annotation, or assigned to `self.<name>` in its source."""
    if not isinstance(owner, type):
        return hasattr(owner, name)
    for klass in owner.__mro__:
        if klass is object:
            continue
        if name in vars(klass) or name in vars(klass).get("__annotations__", {}):
            return True
        source = _source(klass)
        if source is not None and any(
                isinstance(node, ast.Attribute) and node.attr == name
                and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                for node in ast.walk(ast.parse(source))):
            return True
    return False


def observed_signature(path: str) -> str | None:
    """The installed library's signature at `path`, ATTRIBUTE for data, None if missing."""
    owner, name = resolve(path)
    if not defines(owner, name):
        return None
    try:
        obj = _function(path)
    except AttributeError:  # set on instances only (in __init__ or later)
        return ATTRIBUTE
    if not callable(obj):
        return ATTRIBUTE
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ATTRIBUTE


def problems(reliance: Reliance) -> list[str]:
    """How the installed libraries differ from what `reliance` records (none: [])."""
    found = observed_signature(reliance.path)
    if found is None:
        return [f"{reliance.path} is gone (used by {reliance.used_by})"]
    out = []
    if found != reliance.signature:
        out.append(f"{reliance.path}: signature {found!r}, recorded {reliance.signature!r}"
                   f" (used by {reliance.used_by})")
    name = resolve(reliance.path)[1]
    out += [f"{reader} no longer uses {name} (relied on by {reliance.used_by})"
            for reader in reliance.read_by if not uses(reader, name)]
    if reliance.source and source_digest(reliance.path) != reliance.source:
        out.append(f"{reliance.path} changed upstream (source digest "
                   f"{source_digest(reliance.path)}, recorded {reliance.source}): re-read "
                   f"{reliance.used_by}, which copies or replaces it")
    return out


def differences() -> list[str]:
    """Everything recorded here that the installed libraries no longer match."""
    out = [problem for reliance in RELIES_ON for problem in problems(reliance)]
    for added in ADDED:
        owner, name = resolve(added.path)
        if defines(owner, name):
            out.append(f"{added.path} now exists upstream: {added.used_by} would shadow it")
    return out


if __name__ == "__main__":
    for line in differences() or ["screening.runtime matches the installed libraries"]:
        print(line)

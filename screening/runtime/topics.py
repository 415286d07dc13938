"""Topics added to a running agent's subscription."""

from __future__ import annotations

from typing import Any

# Seconds between a new site's topics and the consumer's resubscription (see below).
RESUBSCRIBE_AFTER_S = 1.0


def add_topic_names(app: Any, channel: Any, names: list[str]) -> None:
    """Adds topic names to a topic channel an agent reads, while the worker runs.

    Faust's own pattern subscription does not work (its aiokafka driver's `subscribe`
    says so), so a worker follows new sites' topics this way. Follows faust-streaming
    0.15.3: the conductor (`app.topics`, a `faust.transport.conductor.Conductor`) holds
    the agent's clones of the channel, each with its own `topics` list, and its private
    `_flag_changes` makes it resubscribe the consumer (a rebalance of the group) after
    its private `_resubscribe_sleep_lock_seconds`."""
    old = set(channel.topics)
    # The conductor waits this long before resubscribing (Faust: 45 s, so that agents
    # restarting together cause one rebalance); a new site's gates cannot wait that long.
    app.topics._resubscribe_sleep_lock_seconds = RESUBSCRIBE_AFTER_S
    for topic in [channel, *app.topics]:
        if set(topic.topics) & old:
            topic.topics = [*topic.topics, *(n for n in names if n not in topic.topics)]
    app.topics._flag_changes()

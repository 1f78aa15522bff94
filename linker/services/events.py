"""Event topics and subscriptions: `files.created`, `plan.*`, `*`.

A subscription matches a topic exactly, or, ending in `.*`, every topic below that
prefix (`plan.*` matches `plan.saved` and `plan.step.done`, not `plan` or `planner.x`);
`*` alone matches every topic.
"""

from __future__ import annotations

from collections.abc import Iterable


def topic_matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1]) and len(topic) > len(pattern) - 1
    return pattern == topic


def subscribed(patterns: Iterable[str], topic: str) -> bool:
    return any(topic_matches(p, topic) for p in patterns)

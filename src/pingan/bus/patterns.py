"""Event-type patterns in the NATS subject style, so one pattern means the same in both modes.

`incident.dispatched` matches itself; `*` matches exactly one dot-separated token
(`incident.*`); `>` as the last token matches one or more tokens (`incident.>`, `>`).
"""

from __future__ import annotations


def validate(pattern: str) -> str:
    """Return the pattern, or raise ValueError for an empty token or a `>` not at the end."""
    tokens = pattern.split(".")
    if any(not t for t in tokens):
        raise ValueError(f"empty token in event pattern {pattern!r}")
    if ">" in tokens[:-1]:
        raise ValueError(f"'>' must be the last token in {pattern!r}")
    return pattern


def matches(pattern: str, event_type: str) -> bool:
    """True when the event type falls under the pattern. O(tokens)."""
    want, have = pattern.split("."), event_type.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(have) == len(want)


def matches_any(patterns: tuple[str, ...], event_type: str) -> bool:
    return any(matches(p, event_type) for p in patterns)

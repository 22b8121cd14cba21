"""Where a use case's transaction ends: its own commit, or the caller's.

Every service function ends with `finish(session)`. Called from an HTTP request or the CLI
it commits; called from an event handler (inside `deferred_commit`) it only flushes, so the
handler's effect commits together with the bus's record that the event was applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

_DEFER = "pingan.defer_commit"


def finish(session: Session) -> None:
    if session.info.get(_DEFER):
        session.flush()
    else:
        session.commit()


@contextmanager
def deferred_commit(session: Session) -> Iterator[Session]:
    """Run service calls whose commit belongs to the caller."""
    before = session.info.get(_DEFER, False)
    session.info[_DEFER] = True
    try:
        yield session
    finally:
        session.info[_DEFER] = before

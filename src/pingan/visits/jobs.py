"""Timed jobs of video visits: calls left on past their end are ended, recordings past
their retention are purged."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.db.base import utcnow
from pingan.i18n import text
from pingan.jobs import timed
from pingan.visits import recordings, sessions

log = logging.getLogger(__name__)


@timed("visits.recordings_purge", every=lambda s: s.visits_purge_seconds)
def purge_recordings(session: Session) -> None:
    """Call recordings are kept `recording_retention_days` (rules.yaml), then their files go;
    the rows stay, marked purged, with their hashes."""
    purged = recordings.purge(session, runtime.current().settings.data_dir, now=utcnow())
    if purged:
        log.info("%s", text("visits.call.log.purged", n=purged))


@timed("visits.overdue_calls", every=lambda s: s.visits_overdue_seconds)
def overdue_calls(session: Session) -> None:
    """A call's room ends it at the booking's end; where that process stopped first (a
    restart), the call is ended here as time_up."""
    ended = sessions.end_overdue(session, now=utcnow())
    if ended:
        log.info("%s", text("visits.call.log.overdue", n=ended))

"""Timed jobs of video visits: one reminder per booking, no-shows once a slot has ended,
calls left on past their end ended, recordings past their retention purged."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.i18n import text
from pingan.jobs import timed
from pingan.trust.identity import adapters
from pingan.visits import booking, recordings, sessions

log = logging.getLogger(__name__)


@timed("visits.reminders", every=lambda s: s.visits_reminders_seconds)
def reminders(session: Session) -> None:
    """Confirmed bookings starting within the rules' `reminder_before_h` get one SMS through
    the identity service's configured sender (PINGAN_IDENTITY_SMS_SENDER)."""
    rt = runtime.current()
    sms = adapters.from_settings(rt.settings).sms
    sent = booking.send_reminders(session, rt.vault, sms, now=utcnow())
    if sent:
        log.info("%s", text("visits.log.reminders", n=sent))


@timed("visits.no_shows", every=lambda s: s.visits_no_shows_seconds)
def no_shows(session: Session) -> None:
    """A confirmed booking whose slot ended with no call started becomes a no-show; the
    visitor's third in the rules' window suspends booking."""
    marked = booking.mark_no_shows(session, Actor.system("visits-no-shows"), now=utcnow())
    if marked:
        log.info("%s", text("visits.log.no_shows", n=marked))


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

"""The video-visit timed jobs: one reminder per booking, and no-shows once a slot has ended."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.i18n import text
from pingan.jobs import timed
from pingan.trust.identity import adapters
from pingan.visits import booking

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

"""The anti-fraud desk's timed job: stops and freezes about to lapse are raised once."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan.fraud.alerts import raise_expiring
from pingan.i18n import text
from pingan.jobs import timed

log = logging.getLogger(__name__)


@timed("fraud.expiry", every=lambda s: s.fraud_expiry_seconds)
def expiry(session: Session) -> None:
    """A stop lasts 48 h and a freeze six months: 6 h before either ends with nothing sent
    to follow it up, the desk is told (live event "fraud.alert", GET /fraud/alerts)."""
    raised = raise_expiring(session)
    if raised:
        log.info("%s", text("fraud.log.expiring", n=raised))

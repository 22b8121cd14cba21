"""The video domain's timed job: one step of the camera rota."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.i18n import text
from pingan.jobs import timed
from pingan.video.patrol import run_step

log = logging.getLogger(__name__)


@timed("video.patrol", every=lambda s: s.video_patrol_seconds)
def patrol_step(session: Session) -> None:
    """The rota itself decides which cameras are due, so running it every minute is what
    keeps each camera within its interval."""
    step = run_step(session, Actor.system("video-patrol"), runtime.current().vault)
    if step.observations:
        log.info(
            "%s",
            text("video.log.patrol", cameras=len(step.observations), incidents=len(step.incidents)),
        )

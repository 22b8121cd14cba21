"""The deployment domain's timed job: units take their shift's planned posts."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.deployment.service import apply_current_plan
from pingan.jobs import timed

log = logging.getLogger(__name__)


@timed("deployment.apply_posts", every=lambda s: s.plan_posts_seconds)
def apply_posts(session: Session) -> None:
    """A plan is usually approved ahead of its shift: its posts apply when the shift begins."""
    moved = apply_current_plan(session, Actor.system("deployment"))
    if moved:
        log.info("按布警方案调整岗位 %d 个 / %d units moved to their planned posts", moved, moved)

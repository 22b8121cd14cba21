"""Login and sign-up throttles that slow guessing without locking the owner out.

A hard lock on a username lets anyone lock its owner out by guessing wrong, so failures are
counted per (username, source): a source that keeps failing on an account waits longer after
each failure (the delay doubles), and the owner from another source is not affected. An
account failing from many sources only makes every source that has already failed on it back
off from its first failure: a slowing delay, never a lock for a source that has not failed.
One source failing on many usernames is refused for the rest of the window, and sign-ups are
counted per source. Failures are stored, so the limits hold across processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pingan.auth.models import LoginAttempt, RegisterAttempt
from pingan.config import Settings
from pingan.errors import TooManyRequests
from pingan.i18n import msg

_MAX_DOUBLINGS = 30  # past the cap long before this; keeps timedelta arithmetic finite


@dataclass(frozen=True, slots=True)
class LoginLimits:
    max_failures: int  # per (username, source) before the delay starts
    max_failures_per_source: int  # per source, any username, before 429 for the window
    window: timedelta
    backoff: timedelta  # first delay; doubles with each further failure, capped at window
    account_slow_after: int  # account-wide failures after which delays start at once

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_source=settings.login_max_failures_per_ip,
            window=timedelta(seconds=settings.login_window_seconds),
            backoff=timedelta(seconds=settings.login_backoff_seconds),
            account_slow_after=settings.login_account_slow_after,
        )


@dataclass(frozen=True, slots=True)
class RegisterLimits:
    max_per_source: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RegisterLimits:
        return cls(
            max_per_source=settings.register_max_per_source,
            window=timedelta(seconds=settings.register_window_seconds),
        )


def backoff(failures: int, free: int, first: timedelta, cap: timedelta) -> timedelta:
    """How long after its latest failure a (username, source) pair waits: nothing for the
    first `free` failures, then `first`, doubling with each further failure, at most `cap`."""
    if failures < free:
        return timedelta(0)
    return min(cap, first * 2 ** min(failures - free, _MAX_DOUBLINGS))


def _seconds(delta: timedelta) -> int:
    """Retry-After in whole seconds, rounded up and never 0 (0 would invite a busy retry)."""
    return max(1, math.ceil(delta.total_seconds()))


def _failed_at(since: datetime, **where: str) -> Select[tuple[datetime]]:
    """The times of failed logins after a moment, matching the filters."""
    query = select(LoginAttempt.at).where(LoginAttempt.at > since, LoginAttempt.success.is_(False))
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return query


def _count_latest(session: Session, times: Select[tuple[datetime]]) -> tuple[int, datetime | None]:
    """How many attempt times a query selects, and the latest of them."""
    rows = times.subquery()
    count, latest = session.execute(select(func.count(), func.max(rows.c.at))).one()
    return count, latest


def _nth_newest(session: Session, times: Select[tuple[datetime]], n: int) -> datetime:
    """The n-th newest of the selected attempt times: once it leaves the window, fewer than n
    attempts remain counted, so it says when the limit lifts."""
    newest_first = times.order_by(times.selected_columns[0].desc())
    return session.execute(newest_first.offset(n - 1).limit(1)).scalar_one()


def _full_window_wait(session: Session, query: Select, limit: int, since: datetime) -> int | None:
    """Seconds until the oldest of the newest `limit` attempts leaves the window that began
    at `since` (the window slides with the clock), once `limit` are in it; None while fewer."""
    if _count_latest(session, query)[0] < limit:
        return None
    return _seconds(_nth_newest(session, query, limit) - since)


def check_login(
    session: Session, limits: LoginLimits, *, username: str, ip: str, now: datetime
) -> None:
    """Refuse with 429 and Retry-After while this source must wait before guessing again."""
    since = now - limits.window
    from_source = _failed_at(since, ip=ip)
    wait = _full_window_wait(session, from_source, limits.max_failures_per_source, since)
    if wait is not None:
        raise TooManyRequests(
            msg("auth.source_throttled", wait=wait),
            code="source_throttled",
            retry_after=wait,
        )
    pair, latest = _count_latest(session, _failed_at(since, username=username, ip=ip))
    if latest is None:
        return
    on_account, _ = _count_latest(session, _failed_at(since, username=username))
    free = limits.max_failures if on_account < limits.account_slow_after else 1
    resume = latest + backoff(pair, free, limits.backoff, limits.window)
    if now < resume:
        wait = _seconds(resume - now)
        raise TooManyRequests(
            msg("auth.login_throttled", wait=wait),
            code="login_throttled",
            retry_after=wait,
        )


def check_register(session: Session, limits: RegisterLimits, *, ip: str, now: datetime) -> None:
    """Count this sign-up try against its source; 429 with Retry-After once over the limit.

    Every try counts, refused ones too (a taken username is also an answer worth limiting).
    """
    since = now - limits.window
    query = select(RegisterAttempt.at).where(RegisterAttempt.ip == ip, RegisterAttempt.at > since)
    wait = _full_window_wait(session, query, limits.max_per_source, since)
    if wait is not None:
        raise TooManyRequests(
            msg("auth.register_throttled", wait=wait),
            code="register_throttled",
            retry_after=wait,
        )
    session.add(RegisterAttempt(ip=ip[:64], at=now))

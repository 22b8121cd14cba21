"""Reaching an assurance level, and reading the level an account (or a subject) holds now.

Every refusal is a 4xx with its reason code; what is refused stores no verification — only a
row in identity_attempts (for the failure limits in rules.yaml) and an audit record, both
committed before the refusal is raised. Audit details carry masked values only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import NoReturn, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, DomainError, Forbidden, NotFound, TooManyRequests
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.pii.vault import Vault
from pingan.trust.identity import register
from pingan.trust.identity.adapters import Adapters, FaceSubject, FaceUnavailable
from pingan.trust.identity.models import Attempt, OtpChallenge, RegisterPerson, Verification
from pingan.trust.identity.rules import rules
from pingan.trust.identity.subject import Subject, parse_subject, same_name

T = TypeVar("T")


class Level(IntEnum):
    NONE = 0
    L1 = 1  # real name 实名
    L2 = 2  # real person 实人
    L3 = 3  # in person with the document 实证


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


@dataclass(frozen=True, slots=True)
class Assurance:
    """The level held now and the verification that gives it (for later requests to store
    with themselves: level, method, verification id)."""

    level: Level
    verification_id: int | None = None
    method: str | None = None
    subject_key: str | None = None
    id_masked: str | None = None
    verified_at: datetime | None = None
    expires_at: datetime | None = None


# -- reading the level ----------------------------------------------------------------------
def _current(session: Session, at: datetime, **where: object) -> Assurance:
    """The highest unexpired verification whose register row is still normal."""
    query = (
        select(Verification)
        .join(RegisterPerson, RegisterPerson.id_key == Verification.subject_key)
        .where(Verification.expires_at > at, RegisterPerson.status == "normal")
        .order_by(Verification.level.desc(), Verification.verified_at.desc())
        .limit(1)
    )
    for column, value in where.items():
        query = query.where(getattr(Verification, column) == value)
    v = session.scalar(query)
    if v is None:
        return Assurance(Level.NONE)
    return Assurance(
        Level(v.level), v.id, v.method, v.subject_key, v.id_masked, v.verified_at, v.expires_at
    )


def assurance(session: Session, user_id: int, *, at: datetime) -> Assurance:
    """The level an account holds at `at` (NONE when nothing counts)."""
    return _current(session, at, user_id=user_id)


def assurance_of_subject(session: Session, subject_key: str, *, at: datetime) -> Assurance:
    """The level a person (by ID-number key) holds, whichever account or desk reached it."""
    return _current(session, at, subject_key=subject_key)


def require_level(session: Session, user_id: int, minimum: Level, *, at: datetime) -> Assurance:
    """The account's assurance, or 403 `assurance_too_low` naming the level needed."""
    held = assurance(session, user_id, at=at)
    if held.level < minimum:
        raise Forbidden(
            msg("trust.identity.too_low", need=minimum.name, have=held.level.name),
            code="assurance_too_low",
        )
    return held


# -- failures and their limits --------------------------------------------------------------
def _failures_since(session: Session, since: datetime, **where: object) -> list[datetime]:
    query = select(Attempt.at).where(Attempt.at > since).order_by(Attempt.at)
    for column, value in where.items():
        query = query.where(getattr(Attempt, column) == value)
    return list(session.scalars(query))


def _check_limits(session: Session, user_id: int | None, key: str | None, now: datetime) -> None:
    """429 `too_many_attempts` while an account or a subject is over its failure limit; the
    wait is until the oldest failure that keeps it over the limit leaves the window."""
    r = rules()
    since = now - r.failure_window
    for where, limit in (
        ({"user_id": user_id}, r.max_failures_per_account),
        ({"subject_key": key}, r.max_failures_per_subject),
    ):
        if next(iter(where.values())) is None:
            continue
        times = _failures_since(session, since, **where)
        if len(times) >= limit:
            wait = max(1, int((times[len(times) - limit] + r.failure_window - now).total_seconds()))
            raise TooManyRequests(
                msg("trust.identity.too_many_attempts", wait=wait),
                code="too_many_attempts",
                retry_after=wait,
            )


@dataclass
class Seen:
    """What a step has learnt of the subject so far, for the failure count and the audit."""

    key: str | None = None
    masked: str | None = None

    def of(self, key: str, masked: str) -> None:
        self.key, self.masked = key, masked


def _refuse(
    session: Session,
    actor: Actor,
    exc: DomainError,
    *,
    method: str,
    seen: Seen,
    user_id: int | None,
    now: datetime,
) -> NoReturn:
    """Drop anything half-done, count the failure, audit it, commit, then refuse."""
    session.rollback()
    session.add(Attempt(user_id=user_id, subject_key=seen.key, reason=exc.code[:40], at=now))
    detail = {"method": method, "reason": exc.code, "id": seen.masked}
    audit.record(session, actor, "identity.refused", "identity_verification", None, detail)
    session.commit()
    raise exc


def _guarded(
    session: Session,
    actor: Actor,
    step: Callable[[Seen], T],
    *,
    method: str,
    user_id: int | None,
    now: datetime,
) -> T:
    """Run one verification step and commit it; a refusal is counted and audited (429 itself
    is not)."""
    seen = Seen()
    try:
        done = step(seen)
        finish(session)
        return done
    except TooManyRequests:
        raise
    except DomainError as exc:
        _refuse(session, actor, exc, method=method, seen=seen, user_id=user_id, now=now)


# -- register match (L1, and the check an officer's L3 repeats) ----------------------------
def _matched(session: Session, vault: Vault, subject: Subject, name: str | None) -> RegisterPerson:
    person = register.find(session, subject.key)
    if person is None:
        raise NotFound(msg("trust.identity.not_in_register"), code="not_in_register")
    if person.status == "deceased":
        raise Conflict(msg("trust.identity.deceased"), code="deceased")
    if person.status != "normal":
        raise Conflict(msg("trust.identity.cancelled"), code="cancelled")
    if not same_name(name or "", vault.decrypt(person.name_enc)):
        raise Bad(msg("trust.identity.name_mismatch"), code="name_mismatch")
    return person


def _store(
    session: Session,
    actor: Actor,
    person: RegisterPerson,
    *,
    user_id: int | None,
    level: Level,
    method: str,
    now: datetime,
    **extra: object,
) -> Verification:
    v = Verification(
        user_id=user_id,
        subject_key=person.id_key,
        id_masked=person.id_masked,
        name_masked=person.name_masked,
        level=int(level),
        method=method,
        verified_at=now,
        expires_at=now + rules().valid_for[int(level)],
        **extra,
    )
    session.add(v)
    session.flush()
    audit.record(
        session,
        actor,
        "identity.verified",
        "identity_verification",
        v.id,
        {"level": level.name, "method": method, "id": person.id_masked, "user_id": user_id},
    )
    return v


def _account_subject(session: Session, user_id: int) -> str | None:
    """The subject an account is already bound to (by any verification), if any."""
    return session.scalar(
        select(Verification.subject_key).where(Verification.user_id == user_id).limit(1)
    )


def _one_subject(session: Session, user_id: int, key: str) -> None:
    bound = _account_subject(session, user_id)
    if bound is not None and bound != key:
        raise Conflict(msg("trust.identity.other_subject"), code="other_subject")


# -- L1: real name ---------------------------------------------------------------------------
def verify_real_name(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    id_number: str | None,
    name: str | None,
    now: datetime,
) -> Verification:
    """L1 for the caller's own account: a valid ID number whose register row is normal and
    bears the same name."""
    require(actor, "trust.identity_verify")
    _check_limits(session, actor.user_id, None, now)

    def step(seen: Seen) -> Verification:
        subject = parse_subject(vault, id_number, today=now.date())
        seen.of(subject.key, subject.masked)
        _check_limits(session, actor.user_id, subject.key, now)
        person = _matched(session, vault, subject, name)
        _one_subject(session, actor.user_id, subject.key)  # type: ignore[arg-type]
        return _store(
            session, actor, person, user_id=actor.user_id, level=Level.L1, method="id_name", now=now
        )

    return _guarded(session, actor, step, method="id_name", user_id=actor.user_id, now=now)


def _l1_person(session: Session, actor: Actor, seen: Seen, now: datetime) -> RegisterPerson:
    """The register row behind the caller's current real-name level (L2 builds on L1)."""
    held = assurance(session, actor.user_id, at=now)  # type: ignore[arg-type]
    if held.level < Level.L1 or held.subject_key is None:
        raise Forbidden(msg("trust.identity.needs_real_name"), code="needs_real_name")
    person = register.find(session, held.subject_key)
    assert person is not None  # the join in assurance() found it
    seen.of(person.id_key, person.id_masked)
    return person


# -- L2: real person, by face or by one-time code -------------------------------------------
def verify_face(
    session: Session,
    actor: Actor,
    vault: Vault,
    adapters: Adapters,
    *,
    image_ref: str | None,
    now: datetime,
) -> Verification:
    """L2 by a liveness/face check at the configured provider. The platform passes the
    provider's own image reference on and keeps only its result (no image)."""
    require(actor, "trust.identity_verify")
    _check_limits(session, actor.user_id, None, now)

    def step(seen: Seen) -> Verification:
        person = _l1_person(session, actor, seen, now)
        _check_limits(session, actor.user_id, person.id_key, now)
        if not image_ref or not image_ref.strip():
            raise Bad(msg("trust.identity.no_image_ref"), code="no_image_ref")
        who = FaceSubject(vault.decrypt(person.id_enc), vault.decrypt(person.name_enc))
        try:
            result = adapters.face.check(who, image_ref.strip())
        except FaceUnavailable:
            raise Unavailable(
                msg("trust.identity.face_unavailable"), code="face_unavailable"
            ) from None
        if not result.passed or result.score < rules().face_min_score:
            raise Bad(msg("trust.identity.liveness_failed"), code="liveness_failed")
        return _store(
            session,
            actor,
            person,
            user_id=actor.user_id,
            level=Level.L2,
            method="face",
            now=now,
            provider=adapters.face.name,
            provider_ref=result.provider_ref[:100],
            score=result.score,
        )

    return _guarded(session, actor, step, method="face", user_id=actor.user_id, now=now)


@dataclass(frozen=True, slots=True)
class OtpSent:
    sent_to: str  # masked
    expires_at: datetime


def send_otp(
    session: Session, actor: Actor, vault: Vault, adapters: Adapters, *, now: datetime
) -> OtpSent:
    """Send a one-time code to the phone the register holds for the caller's subject: the
    face-free way to L2. A new code replaces any earlier one."""
    require(actor, "trust.identity_verify")
    _check_limits(session, actor.user_id, None, now)
    r = rules()

    def step(seen: Seen) -> tuple[OtpSent, str, str]:
        person = _l1_person(session, actor, seen, now)
        if person.phone_enc is None:
            raise Conflict(msg("trust.identity.no_phone"), code="no_phone_on_register")
        sends = session.scalar(
            select(func.count())
            .select_from(OtpChallenge)
            .where(
                OtpChallenge.user_id == actor.user_id,
                OtpChallenge.sent_at > now - r.failure_window,
            )
        )
        if sends >= r.otp_max_sends:
            raise TooManyRequests(msg("trust.identity.too_many_codes"), code="too_many_codes")
        for old in session.scalars(
            select(OtpChallenge).where(
                OtpChallenge.user_id == actor.user_id, OtpChallenge.used_at.is_(None)
            )
        ):
            old.used_at = now  # superseded
        code = "".join(secrets.choice("0123456789") for _ in range(r.otp_digits))
        challenge = OtpChallenge(
            user_id=actor.user_id,
            subject_key=person.id_key,
            code_hash=_code_hash(vault, actor.user_id, code),  # type: ignore[arg-type]
            sent_to_masked=person.phone_masked or "",
            sent_at=now,
            expires_at=now + r.otp_ttl,
            tries=0,
        )
        session.add(challenge)
        session.flush()
        audit.record(
            session,
            actor,
            "identity.otp_sent",
            "identity_otp",
            challenge.id,
            {"to": person.phone_masked, "id": person.id_masked},
        )
        return OtpSent(person.phone_masked or "", challenge.expires_at), person.phone_enc, code

    sent, phone_enc, code = _guarded(
        session, actor, step, method="otp", user_id=actor.user_id, now=now
    )
    adapters.sms.send(vault.decrypt(phone_enc), code)  # once the code's hash is committed
    return sent


def _code_hash(vault: Vault, user_id: int, code: str) -> str:
    return vault.index(f"otp:{user_id}:{code}")


def verify_otp(
    session: Session, actor: Actor, vault: Vault, *, code: str, now: datetime
) -> Verification:
    """L2 from the one-time code: right, in time, within the tries allowed."""
    require(actor, "trust.identity_verify")
    _check_limits(session, actor.user_id, None, now)
    r = rules()
    challenge = session.scalar(
        select(OtpChallenge)
        .where(OtpChallenge.user_id == actor.user_id, OtpChallenge.used_at.is_(None))
        .order_by(OtpChallenge.sent_at.desc())
        .limit(1)
    )
    if challenge is not None:
        # a wrong code uses up a try even though the refusal rolls the request back
        challenge.tries += 1
        session.commit()

    def step(seen: Seen) -> Verification:
        person = _l1_person(session, actor, seen, now)
        if challenge is None or challenge.subject_key != person.id_key:
            raise Conflict(msg("trust.identity.otp_not_sent"), code="otp_not_sent")
        if challenge.expires_at <= now:
            raise Bad(msg("trust.identity.otp_expired"), code="otp_expired")
        if challenge.tries > r.otp_max_tries:
            raise Bad(msg("trust.identity.otp_used_up"), code="otp_expired")
        given = "".join(code.split())
        if not secrets.compare_digest(challenge.code_hash, _code_hash(vault, actor.user_id, given)):  # type: ignore[arg-type]
            raise Bad(msg("trust.identity.otp_wrong"), code="otp_wrong")
        challenge.used_at = now
        return _store(
            session,
            actor,
            person,
            user_id=actor.user_id,
            level=Level.L2,
            method="otp",
            now=now,
            provider=None,
        )

    return _guarded(session, actor, step, method="otp", user_id=actor.user_id, now=now)


# -- L3: in person with the document ---------------------------------------------------------
def verify_in_person(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    id_number: str | None,
    name: str | None,
    user_id: int | None,
    now: datetime,
    username: str | None = None,
) -> Verification:
    """An officer saw the person and their resident ID card: L3 for the person's account
    (named by id or by username; with no account, for the subject alone). Officers may not
    verify themselves."""
    require(actor, "trust.identity_in_person")

    def step(seen: Seen) -> Verification:
        nonlocal user_id
        if username is not None and username.strip():
            named = session.scalar(select(User.id).where(User.username == username.strip()))
            if named is None:
                raise NotFound(
                    msg("trust.identity.no_such_username", username=username.strip()),
                    code="no_such_account",
                )
            if user_id is not None and user_id != named:
                raise Bad(msg("trust.identity.account_mismatch"), code="account_mismatch")
            user_id = named
        if user_id is not None:
            if user_id == actor.user_id:
                raise Forbidden(msg("trust.identity.own_verification"), code="own_verification")
            if session.get(User, user_id) is None:
                raise NotFound(
                    msg("trust.identity.no_such_account", user_id=user_id), code="no_such_account"
                )
        subject = parse_subject(vault, id_number, today=now.date())
        seen.of(subject.key, subject.masked)
        person = _matched(session, vault, subject, name)
        if user_id is not None:
            _one_subject(session, user_id, subject.key)
        return _store(
            session,
            actor,
            person,
            user_id=user_id,
            level=Level.L3,
            method="in_person",
            now=now,
            officer_id=actor.user_id,
            officer_username=actor.username,
        )

    # refusals here count against the subject, not the officer's own account
    return _guarded(session, actor, step, method="in_person", user_id=None, now=now)

"""Use cases for accounts and sessions: create users, log in, resolve bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth import throttle
from pingan.auth.actor import Actor
from pingan.auth.models import AuthToken, LoginAttempt, User
from pingan.auth.passwords import (
    DUMMY_HASH,
    WeakPassword,
    check_strength,
    hash_password,
    verify_password,
)
from pingan.auth.policy import role_may
from pingan.auth.roles import Role
from pingan.db.base import utcnow
from pingan.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from pingan.i18n import msg
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault
from pingan.units.models import UnitBinding


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    token_ttl: timedelta
    limits: throttle.LoginLimits


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def require(actor: Actor, permission: str) -> None:
    """Refuse unless the actor's role holds the permission (system actors always may)."""
    if actor.is_system:
        return
    if actor.role is None or not role_may(actor.role, permission):
        raise Forbidden(msg("auth.role_not_permitted", role=actor.role, permission=permission))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_username(username: str) -> str:
    name = username.strip()
    if not 3 <= len(name) <= 64 or any(c.isspace() for c in name):
        raise ValidationFailed(msg("auth.bad_username"), code="bad_username")
    return name


def create_user(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    phone: str | None = None,
    unit_id: int | None = None,
) -> User:
    """Create an account of any role (admins, or the CLI acting as the system)."""
    require(actor, "user.write")
    return _add_user(
        session,
        actor,
        vault,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        phone=phone,
        unit_id=unit_id,
    )


def _add_user(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None,
    phone: str | None,
    unit_id: int | None,
) -> User:
    name = _check_username(username)
    try:
        check_strength(password)
    except WeakPassword as exc:
        raise ValidationFailed(str(exc), code="weak_password") from exc
    try:
        normalised_phone = normalise_phone(phone) if phone else None
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), code="bad_phone") from exc
    if session.execute(select(User.id).where(User.username == name)).first():
        raise Conflict(msg("auth.username_taken", name=name), code="username_taken")
    user = User(
        username=name,
        display_name=display_name or name,
        role=role.value,
        password_hash=hash_password(password),
        phone_enc=vault.encrypt(normalised_phone) if normalised_phone else None,
        phone_index=vault.index(normalised_phone) if normalised_phone else None,
        unit_id=unit_id,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    bound = unit_id is not None and role_may(role, "unit.position")
    if bound:  # the account's own unit: it may act for it from now on (see unit bindings)
        session.add(
            UnitBinding(
                unit_id=unit_id,
                user_id=user.id,
                valid_from=user.created_at,
                created_by=actor.username,
                created_at=user.created_at,
            )
        )
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        {
            "username": name,
            "role": role.value,
            "phone": mask_phone(normalised_phone) if normalised_phone else None,
            **({"bound_unit": unit_id} if bound else {}),
        },
    )
    session.commit()
    return user


def register_citizen(
    session: Session,
    vault: Vault,
    limits: throttle.RegisterLimits,
    *,
    username: str,
    password: str,
    phone: str,
    ip: str,
    now: datetime | None = None,
) -> User:
    """Self-service sign-up for the citizen app: always the citizen role, phone required.

    Throttled per source before anything is checked; the try is committed first, so a refused
    sign-up (taken username, weak password) still counts.
    """
    throttle.check_register(session, limits, ip=ip, now=now or utcnow())
    session.commit()
    return _add_user(
        session,
        Actor(None, f"register:{username[:40]}", Role.CITIZEN, ip),
        vault,
        username=username,
        password=password,
        role=Role.CITIZEN,
        display_name=None,
        phone=phone,
        unit_id=None,
    )


def _keeps_an_admin(session: Session, actor: Actor, user: User) -> None:
    """Refuse a deactivation that would lock the bureau out: one's own account (the caller
    would end their own session mid-task), or the last active admin (nobody could manage
    accounts again). The active admins are locked (PostgreSQL) so two admins deactivating
    each other at once cannot both pass; SQLite writers are serialised anyway."""
    if actor.user_id is not None and actor.user_id == user.id:
        raise Conflict(
            msg("auth.self_deactivation"),
            code="self_deactivation",
        )
    if user.role != Role.ADMIN.value:
        return
    admins = session.execute(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.active.is_(True))
        .with_for_update()
    ).scalars()
    if set(admins) <= {user.id}:
        raise Conflict(
            msg("auth.last_admin"),
            code="last_admin",
        )


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    require(actor, "user.write")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg("auth.no_such_user", user_id=user_id))
    if user.active and not active:
        _keeps_an_admin(session, actor, user)
    user.active = active
    if not active:
        _revoke_tokens(session, user_id)
    audit.record(session, actor, "user.activate" if active else "user.deactivate", "user", user_id)
    session.commit()
    return user


def set_language(session: Session, actor: Actor, language: str | None) -> User:
    """The caller's own answer language (any signed-in user; audited)."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(msg("auth.no_such_user", user_id=actor.user_id))
    before, user.language = user.language, language
    audit.record(session, actor, "user.language", "user", user.id, {"from": before, "to": language})
    session.commit()
    return user


def _revoke_tokens(session: Session, user_id: int) -> int:
    """Revoke every live bearer token of an account; how many were revoked."""
    tokens = session.execute(
        select(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked.is_(False))
    ).scalars()
    count = 0
    for token in tokens:
        token.revoked = True
        count += 1
    return count


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Give an account a new initial password (the password policy applies). Every session
    it holds ends: a token issued to whoever knew the old password is refused from now on."""
    require(actor, "user.write")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg("auth.no_such_user", user_id=user_id), code="user_not_found")
    try:
        check_strength(password)
    except WeakPassword as exc:
        raise ValidationFailed(str(exc), code="weak_password") from exc
    user.password_hash = hash_password(password)
    revoked = _revoke_tokens(session, user_id)
    audit.record(
        session, actor, "user.password_reset", "user", user_id, {"sessions_revoked": revoked}
    )
    session.commit()
    return user


def login(
    session: Session,
    policy: LoginPolicy,
    *,
    username: str,
    password: str,
    ip: str,
    now: datetime | None = None,
) -> IssuedToken:
    """Check the password and issue a short-lived bearer token.

    Failed attempts are stored and throttled per username and source (see auth.throttle):
    a source that keeps failing waits longer each time, even with the right password, while
    the owner logging in from elsewhere is not held up.
    """
    now = now or utcnow()
    throttle.check_login(session, policy.limits, username=username, ip=ip, now=now)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(username=username[:64], ip=ip, at=now, success=ok))
    who = Actor(user.id if user else None, username[:64], Role(user.role) if user else None, ip)
    if not ok or user is None:
        audit.record(session, who, "auth.login_failed", "user", user.id if user else None)
        session.commit()
        raise Unauthorized(msg("auth.bad_credentials"), code="bad_credentials")
    token = secrets.token_urlsafe(32)
    expires = now + policy.token_ttl
    session.add(
        AuthToken(
            token_hash=_token_hash(token),
            user_id=user.id,
            issued_at=now,
            expires_at=expires,
            revoked=False,
        )
    )
    audit.record(session, who, "auth.login", "user", user.id)
    session.commit()
    return IssuedToken(token=token, expires_at=expires, user=user)


def logout(session: Session, actor: Actor, token: str) -> None:
    row = session.execute(
        select(AuthToken).where(AuthToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is not None:
        row.revoked = True
        audit.record(session, actor, "auth.logout", "user", actor.user_id)
        session.commit()


def user_for_token(session: Session, token: str) -> User:
    """The active user behind a bearer token, or Unauthorized with the reason."""
    row = session.execute(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == _token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized(msg("auth.invalid_token"), code="invalid_token")
    tok, user = row
    if tok.revoked or not user.active:
        raise Unauthorized(msg("auth.token_revoked"), code="token_revoked")
    if tok.expires_at <= utcnow():
        raise Unauthorized(msg("auth.token_expired"), code="token_expired")
    return user


def list_users(
    session: Session, actor: Actor, *, limit: int, offset: int
) -> tuple[list[User], int]:
    require(actor, "user.read")
    total = session.execute(select(func.count()).select_from(User)).scalar_one()
    rows = session.execute(select(User).order_by(User.id).limit(limit).offset(offset)).scalars()
    return list(rows), total

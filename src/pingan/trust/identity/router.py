"""HTTP adapter: verify oneself (L1, L2), an officer's in-person check (L3), one's own level,
masked lists for officers and auditors, and the register import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.db.paging import page
from pingan.http.deps import ClockDep, SessionDep, SettingsDep, VaultDep, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset, Page, page_of
from pingan.trust.identity import adapters, register, service
from pingan.trust.identity.models import RegisterPerson, Verification
from pingan.trust.identity.schemas import (
    AssurancePublic,
    ImportResult,
    InPersonIn,
    MethodsOut,
    RegisterImportIn,
    RegisterPersonPublic,
    VerificationPublic,
    VerifyIn,
    VerifyOut,
)

router = APIRouter(prefix="/trust/identity", tags=["trust.identity.tag"])


def _adapters(request: Request, settings: SettingsDep) -> adapters.Adapters:
    """The configured providers, made once per app (a test double keeps its outbox)."""
    state = request.app.state
    if getattr(state, "identity_adapters", None) is None:
        state.identity_adapters = adapters.from_settings(settings)
    return state.identity_adapters


def _public(a: service.Assurance) -> AssurancePublic:
    return AssurancePublic(
        level=int(a.level),
        level_name=a.level.name,
        verification_id=a.verification_id,
        method=a.method,
        id_masked=a.id_masked,
        verified_at=a.verified_at,
        expires_at=a.expires_at,
    )


def _out(v: service.Verification) -> VerifyOut:
    level = service.Level(v.level)
    return VerifyOut(
        level=v.level, level_name=level.name, verification=VerificationPublic.model_validate(v)
    )


@router.post("/verify", summary="trust.identity.api.verify")
def verify(
    body: VerifyIn,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.identity_verify")],
) -> VerifyOut:
    now = clock()
    if body.method == "id_name":
        v = service.verify_real_name(
            session, actor, vault, id_number=body.id_number, name=body.name, now=now
        )
    elif body.method == "face":
        v = service.verify_face(
            session, actor, vault, _adapters(request, settings), image_ref=body.image_ref, now=now
        )
    elif body.code is None:
        sent = service.send_otp(session, actor, vault, _adapters(request, settings), now=now)
        held = service.assurance(session, actor.user_id, at=now)  # type: ignore[arg-type]
        return VerifyOut(
            level=int(held.level),
            level_name=held.level.name,
            otp_sent_to=sent.sent_to,
            otp_expires_at=sent.expires_at,
        )
    else:
        v = service.verify_otp(session, actor, vault, code=body.code, now=now)
    return _out(v)


@router.post("/in-person", summary="trust.identity.api.in_person")
def in_person(
    body: InPersonIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.identity_in_person")],
) -> VerifyOut:
    v = service.verify_in_person(
        session,
        actor,
        vault,
        id_number=body.id_number,
        name=body.name,
        user_id=body.user_id,
        username=body.username,
        now=clock(),
    )
    return _out(v)


@router.get("/me", summary="trust.identity.api.me")
def me(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.identity_read")],
) -> AssurancePublic:
    return _public(service.assurance(session, actor.user_id, at=clock()))  # type: ignore[arg-type]


@router.get("/methods", summary="trust.identity.api.methods")
def methods(
    request: Request,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("trust.identity_read")],
) -> MethodsOut:
    """What the verify page may offer: face only where a provider is configured, so a page
    never shows a face button that can only fail with face_unavailable."""
    configured = _adapters(request, settings)
    return MethodsOut(face=configured.face.name, otp=True, sms_sender=configured.sms.name)


@router.get("/verifications", summary="trust.identity.api.verifications")
def verifications(
    session: SessionDep,
    actor: Annotated[Actor, permit("trust.identity_list")],
    user_id: Annotated[Id | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[VerificationPublic]:
    query = select(Verification)
    if user_id is not None:
        query = query.where(Verification.user_id == user_id)
    rows, total = page(session, query, Verification.id.desc(), limit=limit, offset=offset)
    return page_of(VerificationPublic, rows, total, limit, offset)


@router.get("/register", summary="trust.identity.api.register")
def register_rows(
    session: SessionDep,
    actor: Annotated[Actor, permit("trust.identity_list")],
    status: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RegisterPersonPublic]:
    query = select(RegisterPerson)
    if status:
        query = query.where(RegisterPerson.status == status)
    rows, total = page(session, query, RegisterPerson.id, limit=limit, offset=offset)
    return page_of(RegisterPersonPublic, rows, total, limit, offset)


@router.post("/register", summary="trust.identity.api.register_import")
def import_register(
    body: RegisterImportIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.identity_register")],
) -> ImportResult:
    done = register.import_csv(session, actor, vault, body.csv, now=clock())
    return ImportResult(added=done.added, updated=done.updated)

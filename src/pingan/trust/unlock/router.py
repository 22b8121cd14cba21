"""HTTP adapter: filing, entitlement import, the resident's request, the witness, the filed
locksmith's phone API, and the police station's view — pages for each are built on these."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from pingan.auth.actor import Actor
from pingan.http.deps import ClockDep, SessionDep, SettingsDep, VaultDep, get_city, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset
from pingan.trust.signing import published_keys
from pingan.trust.unlock import entitlement, filing, record, service
from pingan.trust.unlock.models import Locksmith, UnlockRecord, UnlockRequest
from pingan.trust.unlock.schemas import (
    EntitlementImportIn,
    FilingAccount,
    FilingCandidates,
    FilingUnit,
    ImportResult,
    LocksmithBrief,
    LocksmithIn,
    LocksmithMe,
    LocksmithPublic,
    LocksmithStatusIn,
    LocksmithUnit,
    MyRequestPublic,
    OverrideIn,
    PhotoIn,
    PointIn,
    Progress,
    RecordIn,
    RecordPublic,
    RequestIn,
    RequestPublic,
    VerifyIn,
    VerifyOut,
    WitnessIn,
    WitnessList,
    WitnessRequestPublic,
)

router = APIRouter(prefix="/trust/unlock", tags=["trust.unlock.tag"])


def _photos(settings: SettingsDep) -> Path:
    return settings.data_dir / "unlock_photos"


def _out(req: UnlockRequest) -> RequestPublic:
    out = RequestPublic.model_validate(req)
    out.photos = [{"stage": p["stage"], "sha256": p["sha256"]} for p in req.photos]
    return out


def _progress(session: SessionDep, req: UnlockRequest) -> dict[str, Any]:
    found = service.progress(session, req)
    smith = found["locksmith"]
    return {**found, "locksmith": LocksmithBrief.model_validate(smith) if smith else None}


def _mine_out(session: SessionDep, req: UnlockRequest) -> MyRequestPublic:
    return MyRequestPublic(**_out(req).model_dump(), **_progress(session, req))


def _witness_out(
    session: SessionDep, req: UnlockRequest, distance: float | None = None
) -> WitnessRequestPublic:
    extra = {*Progress.model_fields, "distance_m"}
    own = {k: getattr(req, k) for k in WitnessRequestPublic.model_fields if k not in extra}
    distance_m = None if distance is None else round(distance)
    return WitnessRequestPublic(**own, **_progress(session, req), distance_m=distance_m)


def _record_out(session: SessionDep, rec: UnlockRecord) -> RecordPublic:
    req = service.get_request(session, rec.request_id)
    doc = json.loads(service.document(session, req)) if rec.seal else None
    return RecordPublic(
        request_id=rec.request_id,
        record_sha256=rec.record_sha256,
        parties=rec.parties,
        signed=[s["role"] for s in rec.signatures],
        filed_at=rec.filed_at,
        retain_until=rec.retain_until,
        document=doc,
    )


def _smiths_out(session: SessionDep, rows: list[Locksmith]) -> list[LocksmithPublic]:
    named = filing.names(session, rows)
    out = []
    for row in rows:
        one = LocksmithPublic.model_validate(row)
        one.username, one.call_sign = named[row.id]
        out.append(one)
    return out


# -- filing and tables (police) -----------------------------------------------------------------
@router.post("/locksmiths", status_code=201, summary="trust.unlock.api.file")
def file_locksmith(
    body: LocksmithIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_file")],
) -> LocksmithPublic:
    spec = filing.FilingSpec(**body.model_dump())
    return _smiths_out(session, [filing.file_locksmith(session, actor, spec, now=clock())])[0]


@router.post("/locksmiths/{locksmith_id}/status", summary="trust.unlock.api.locksmith_status")
def locksmith_status(
    locksmith_id: Id,
    body: LocksmithStatusIn,
    session: SessionDep,
    actor: Annotated[Actor, permit("trust.unlock_file")],
) -> LocksmithPublic:
    row = filing.set_status(session, actor, locksmith_id, body.status, body.reason)
    return _smiths_out(session, [row])[0]


@router.get("/locksmiths", summary="trust.unlock.api.locksmiths")
def locksmiths(
    session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_read")]
) -> list[LocksmithPublic]:
    return _smiths_out(session, filing.list_locksmiths(session, actor))


@router.get("/locksmiths/candidates", summary="trust.unlock.api.candidates")
def filing_candidates(
    session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_file")]
) -> FilingCandidates:
    """Locksmith accounts and locksmith units no filing holds yet, for the filing form."""
    accounts, vans = filing.candidates(session, actor)
    return FilingCandidates(
        accounts=[FilingAccount(id=u.id, username=u.username) for u in accounts],
        units=[FilingUnit(id=u.id, call_sign=u.call_sign) for u in vans],
    )


@router.post("/entitlements", summary="trust.unlock.api.entitlements")
def import_entitlements(
    body: EntitlementImportIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_register")],
) -> ImportResult:
    n = entitlement.import_csv(session, actor, vault, body.csv, now=clock())
    return ImportResult(imported=n)


# -- the resident -------------------------------------------------------------------------------
@router.post("/requests", status_code=201, summary="trust.unlock.api.request")
def create_request(
    body: RequestIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_request")],
) -> RequestPublic:
    spec = service.RequestSpec(**body.model_dump())
    return _out(service.create(session, actor, get_city(request), spec, now=clock()))


@router.get("/requests/mine", summary="trust.unlock.api.mine")
def my_requests(
    session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_request")]
) -> list[MyRequestPublic]:
    """The caller's requests, newest first, each with who was sent and the drafted record."""
    return [_mine_out(session, r) for r in service.my_requests(session, actor)]


@router.post("/requests/{request_id}/dispatch", summary="trust.unlock.api.dispatch")
def redispatch(
    request_id: Id,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_request")],
) -> RequestPublic:
    return _out(service.redispatch(session, actor, get_city(request), request_id, now=clock()))


@router.post("/requests/{request_id}/sign/requester", summary="trust.unlock.api.sign_requester")
def sign_requester(
    request_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_request")],
) -> RecordPublic:
    return _record_out(session, service.sign(session, actor, request_id, "requester", now=clock()))


@router.get("/requests/{request_id}/my-record", summary="trust.unlock.api.my_record")
def my_record(
    request_id: Id, session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_request")]
) -> RecordPublic:
    """The requester's own copy of the record (and its signatures once filed)."""
    return _record_out(session, service.requester_record(session, actor, request_id))


# -- the witness --------------------------------------------------------------------------------
@router.post("/requests/{request_id}/witness", summary="trust.unlock.api.witness")
def join_witness(
    request_id: Id,
    body: WitnessIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_witness")],
) -> RequestPublic:
    req = service.join_witness(
        session, actor, get_city(request), request_id, body.kind, now=clock()
    )
    return _out(req)


@router.get("/witness/requests", summary="trust.unlock.api.witness_list")
def witness_list(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_witness")],
) -> WitnessList:
    """Requests waiting for a witness, nearest the caller's unit first, and those the caller
    attends (with the drafted record to sign): the witness's page."""
    waiting, mine = service.witness_requests(session, actor, now=clock())
    return WitnessList(
        waiting=[_witness_out(session, r, d) for r, d in waiting],
        mine=[_witness_out(session, r) for r in mine],
    )


@router.post("/requests/{request_id}/sign/witness", summary="trust.unlock.api.sign_witness")
def sign_witness(
    request_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_witness")],
) -> RecordPublic:
    return _record_out(session, service.sign(session, actor, request_id, "witness", now=clock()))


# -- the filed locksmith's phone ----------------------------------------------------------------
@router.get("/locksmith/me", summary="trust.unlock.api.locksmith_me")
def locksmith_me(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> LocksmithMe:
    smith, jobs = service.locksmith_jobs(session, actor)
    if smith is None:
        return LocksmithMe(filing=None, unit=None, jobs=[])
    unit, bound = filing.own_unit(session, smith, at=clock())
    mine = (
        LocksmithUnit(
            id=unit.id,
            call_sign=unit.call_sign,
            status=unit.status,
            bound=bound,
            lon=unit.lon,
            lat=unit.lat,
            position_at=unit.position_at,
        )
        if unit
        else None
    )
    return LocksmithMe(
        filing=_smiths_out(session, [smith])[0], unit=mine, jobs=[_out(j) for j in jobs]
    )


@router.post("/jobs/{request_id}/accept", summary="trust.unlock.api.accept")
def accept(
    request_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RequestPublic:
    return _out(service.accept(session, actor, request_id, now=clock()))


@router.post("/jobs/{request_id}/decline", summary="trust.unlock.api.decline")
def decline(
    request_id: Id,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RequestPublic:
    return _out(service.decline(session, actor, get_city(request), request_id, now=clock()))


@router.post("/jobs/{request_id}/checkin", summary="trust.unlock.api.checkin")
def check_in(
    request_id: Id,
    body: PointIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RequestPublic:
    return _out(service.check_in(session, actor, request_id, body.lon, body.lat, now=clock()))


@router.post("/jobs/{request_id}/photos", summary="trust.unlock.api.photo")
def add_photo(
    request_id: Id,
    body: PhotoIn,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RequestPublic:
    req = service.add_photo(
        session, actor, _photos(settings), request_id, body.stage, body.photo_b64, now=clock()
    )
    return _out(req)


@router.post("/jobs/{request_id}/record", status_code=201, summary="trust.unlock.api.record")
def draft_record(
    request_id: Id,
    body: RecordIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RecordPublic:
    rec = service.draft_record(session, actor, request_id, body.method, body.fee_fen, now=clock())
    return _record_out(session, rec)


@router.post("/jobs/{request_id}/sign", summary="trust.unlock.api.sign_locksmith")
def sign_locksmith(
    request_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_locksmith")],
) -> RecordPublic:
    return _record_out(session, service.sign(session, actor, request_id, "locksmith", now=clock()))


# -- the police station -------------------------------------------------------------------------
@router.get("/requests", summary="trust.unlock.api.station_list")
def station_list(
    session: SessionDep,
    actor: Annotated[Actor, permit("trust.unlock_read")],
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[RequestPublic]:
    return [_out(r) for r in service.station_list(session, actor, status, limit, offset)]


@router.post("/requests/{request_id}/checkin-override", summary="trust.unlock.api.override")
def override_check_in(
    request_id: Id,
    body: OverrideIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("trust.unlock_override")],
) -> RequestPublic:
    req = service.override_check_in(
        session, actor, request_id, body.lon, body.lat, body.reason, now=clock()
    )
    return _out(req)


@router.get("/requests/{request_id}/record", summary="trust.unlock.api.get_record")
def get_record(
    request_id: Id, session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_read")]
) -> RecordPublic:
    req = service.get_request(session, request_id)
    return _record_out(session, service.record_of(session, req))


@router.post("/verify", summary="trust.unlock.api.verify")
def verify_document(
    body: VerifyIn, session: SessionDep, actor: Annotated[Actor, permit("trust.unlock_read")]
) -> VerifyOut:
    raw = record.canonical(body.document)
    result = record.check(raw, published_keys(session))
    return VerifyOut(ok=result.ok, reason=result.reason, where=result.where)

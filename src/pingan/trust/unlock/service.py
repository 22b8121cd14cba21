"""The unlock request from the resident's ask to the signed record filed to the station.

States: awaiting_witness → ready → dispatched → accepted → on_site → signing → filed.
A refusal is a 4xx with its reason code and stores nothing; every change is role-checked,
audited (masked values only) and, where the station or 110 must know, put on the bus.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.geo.city import City
from pingan.geo.coords import haversine_m
from pingan.geo.input import validated_point
from pingan.i18n import msg
from pingan.services import common
from pingan.trust import signing
from pingan.trust.identity.models import Verification
from pingan.trust.identity.service import Level, require_level
from pingan.trust.unlock import dispatch, entitlement, record, risk
from pingan.trust.unlock.filing import acting_locksmith
from pingan.trust.unlock.models import Locksmith, UnlockRecord, UnlockRequest
from pingan.trust.unlock.rules import rules
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus
from pingan.units.models import Unit

AWAITING_WITNESS, READY, DISPATCHED = "awaiting_witness", "ready", "dispatched"
ACCEPTED, ON_SITE, SIGNING, FILED = "accepted", "on_site", "signing", "filed"
METHODS = ("technical", "destructive")  # 技术开启 / 破坏性开启


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _state(req: UnlockRequest, *allowed: str) -> None:
    if req.status not in allowed:
        raise Conflict(msg("trust.unlock.bad_state", status=req.status), code="bad_state")


def get_request(session: Session, request_id: int) -> UnlockRequest:
    req = session.get(UnlockRequest, request_id)
    if req is None:
        raise NotFound(msg("trust.unlock.no_such_request"), code="no_such_request")
    return req


def _own(req: UnlockRequest, actor: Actor) -> None:
    if req.requester_id != actor.user_id:
        raise Forbidden(msg("trust.unlock.not_your_request"), code="not_your_request")


def _audit(session: Session, actor: Actor, action: str, req: UnlockRequest, **detail: Any) -> None:
    audit.record(session, actor, f"unlock.{action}", "unlock_request", req.id, detail or None)


# -- the request --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RequestSpec:
    lock_type: str
    target: str  # address code (标准地址库), or the plate for a vehicle
    lon: float
    lat: float
    address: str | None = None


def create(
    session: Session, actor: Actor, city: City | None, spec: RequestSpec, *, now: datetime
) -> UnlockRequest:
    """A resident at L2 or above asks; entitled by the bureau's tables, else a witness is
    required, or (where rules.yaml says so) the request is refused with its reason code."""
    require(actor, "trust.unlock_request")
    held = require_level(session, actor.user_id or 0, Level.L2, at=now)
    r = rules()
    lt = r.lock_types.get(spec.lock_type)
    if lt is None:
        raise Bad(
            msg("trust.unlock.unknown_lock_type", types=", ".join(r.lock_types)),
            code="unknown_lock_type",
        )
    target = entitlement.normalise_target(spec.lock_type, spec.target)
    if target is None:
        raise Bad(msg("trust.unlock.bad_target"), code="bad_target")
    point = validated_point(spec.lon, spec.lat)
    ents = entitlement.entitlements(session, held.subject_key or "", target, lt.entitled_by, at=now)
    if not ents and lt.otherwise == "refuse":
        raise Forbidden(msg(f"trust.unlock.refused.{lt.refuse_code}"), code=str(lt.refuse_code))
    flags = risk.flags(
        session,
        r,
        target=target,
        point=point,
        at=now,
        lock_type=spec.lock_type,
        entitlement_kinds={e.kind for e in ents},
    )
    if not ents:
        flags.insert(0, "not_entitled")
    needs_witness = not ents or any(r.flag_needs_witness(f) for f in flags)
    req = UnlockRequest(
        status=AWAITING_WITNESS if needs_witness else READY,
        requester_id=actor.user_id,
        subject_key=held.subject_key,
        id_masked=held.id_masked,
        level=int(held.level),
        level_method=held.method,
        verification_id=held.verification_id,
        lock_type=spec.lock_type,
        target=target,
        address=(spec.address or "").strip()[:200] or None,
        lon=point[0],
        lat=point[1],
        entitlement_kind=ents[0].kind if ents else None,
        entitlement_ref=ents[0].reference if ents else None,
        flags=flags,
        witness_required=needs_witness,
        photos=[],
        notified_110=lt.notify_110,
        declined_by=[],
        created_at=now,
    )
    session.add(req)
    session.flush()
    _audit(session, actor, "requested", req, id=req.id_masked, lock_type=req.lock_type, flags=flags)
    if lt.notify_110:
        outbox.publish(session, "unlock.notify_110", "unlock_request", req.id, _summary(req))
    if req.status == READY and city is not None:
        _dispatch(session, actor, city, req, now)
    finish(session)
    return req


def _summary(req: UnlockRequest) -> dict[str, Any]:
    """What the bus carries: no clear personal data."""
    return {
        "request_id": req.id,
        "lock_type": req.lock_type,
        "target": req.target,
        "lon": req.lon,
        "lat": req.lat,
        "flags": list(req.flags),
        "requester": req.id_masked,
    }


def join_witness(
    session: Session, actor: Actor, city: City | None, request_id: int, kind: str, *, now: datetime
) -> UnlockRequest:
    """A property manager, community worker or officer attends as witness."""
    require(actor, "trust.unlock_witness")
    req = get_request(session, request_id)
    allowed = rules().witness_kinds.get(kind)
    if allowed is None or actor.role not in allowed:
        raise Forbidden(
            msg("trust.unlock.witness_kind_not_allowed", kind=kind), code="witness_kind"
        )
    if req.requester_id == actor.user_id:
        raise Forbidden(msg("trust.unlock.own_request"), code="own_request")
    _state(req, AWAITING_WITNESS, READY, DISPATCHED, ACCEPTED, ON_SITE)
    if req.witness_id is not None:
        raise Conflict(msg("trust.unlock.witness_taken"), code="witness_taken")
    req.witness_id, req.witness_kind, req.witness_username = actor.user_id, kind, actor.username
    _audit(session, actor, "witness_joined", req, kind=kind)
    if req.status == AWAITING_WITNESS:
        req.status = READY
        if city is not None:
            _dispatch(session, actor, city, req, now)
    finish(session)
    return req


# -- dispatch -----------------------------------------------------------------------------------
def _dispatch(
    session: Session, actor: Actor, city: City, req: UnlockRequest, now: datetime
) -> bool:
    found = dispatch.nearest(session, city, (req.lon, req.lat), at=now, excluding=req.declined_by)
    if found is None:
        return False
    smith, pick = found
    req.status, req.locksmith_id, req.eta_s, req.dispatched_at = (
        DISPATCHED,
        smith.id,
        pick.eta_s,
        now,
    )
    _audit(
        session,
        actor,
        "dispatched",
        req,
        filing_number=smith.filing_number,
        eta_s=round(pick.eta_s),
    )
    return True


def redispatch(
    session: Session, actor: Actor, city: City, request_id: int, *, now: datetime
) -> UnlockRequest:
    """Try again for a ready request no locksmith was free for; 409 `no_locksmith` if none."""
    require(actor, "trust.unlock_request")
    req = get_request(session, request_id)
    _own(req, actor)
    _state(req, READY)
    if not _dispatch(session, actor, city, req, now):
        raise Conflict(msg("trust.unlock.no_locksmith"), code="no_locksmith")
    finish(session)
    return req


# -- the locksmith's side -----------------------------------------------------------------------
def _job(
    session: Session, actor: Actor, request_id: int, *, now: datetime
) -> tuple[UnlockRequest, Locksmith]:
    """The request, and the caller as its filed locksmith (403 for anyone else, forged or
    unfiled accounts included)."""
    require(actor, "trust.unlock_locksmith")
    req = get_request(session, request_id)
    smith = acting_locksmith(session, actor, at=now)
    if req.locksmith_id != smith.id:
        raise Forbidden(msg("trust.unlock.not_your_job"), code="not_your_job")
    return req, smith


def accept(session: Session, actor: Actor, request_id: int, *, now: datetime) -> UnlockRequest:
    req, smith = _job(session, actor, request_id, now=now)
    _state(req, DISPATCHED)
    req.status, req.accepted_at = ACCEPTED, now
    units.move_status(session, smith.unit_id, UnitStatus.EN_ROUTE)
    _audit(session, actor, "accepted", req)
    finish(session)
    return req


def decline(
    session: Session, actor: Actor, city: City | None, request_id: int, *, now: datetime
) -> UnlockRequest:
    """The locksmith turns the job down: free again, and the next nearest filed locksmith (not
    one who declined) is sent; with none free the request waits as `ready`."""
    req, smith = _job(session, actor, request_id, now=now)
    _state(req, DISPATCHED)
    units.move_status(session, smith.unit_id, UnitStatus.AVAILABLE)
    req.declined_by = [*req.declined_by, smith.id]
    req.status, req.locksmith_id, req.eta_s, req.dispatched_at = READY, None, None, None
    _audit(session, actor, "declined", req)
    if city is not None:
        _dispatch(session, actor, city, req, now)
    finish(session)
    return req


def _known_fix(session: Session, unit_id: int, now: datetime) -> tuple[float, float] | None:
    """The unit's last reported position, if fresh enough to check a claim against."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.lon is None or unit.lat is None or unit.position_at is None:
        return None
    if (now - unit.position_at).total_seconds() > rules().position_fresh_s:
        return None
    return unit.lon, unit.lat


def _inside(req: UnlockRequest, point: tuple[float, float]) -> float:
    distance = haversine_m(point[0], point[1], req.lon, req.lat)
    if distance > rules().geofence_m:
        raise Bad(
            msg(
                "trust.unlock.outside_geofence", distance=round(distance), limit=rules().geofence_m
            ),
            code="outside_geofence",
        )
    return distance


def check_in(
    session: Session, actor: Actor, request_id: int, lon: float, lat: float, *, now: datetime
) -> UnlockRequest:
    """Inside the geofence, and the claimed position agrees with the platform's fresh fix of
    the locksmith's unit; with no fresh fix, 409 `position_unknown` (an officer may override)."""
    req, smith = _job(session, actor, request_id, now=now)
    _state(req, ACCEPTED)
    claimed = validated_point(lon, lat)
    distance = _inside(req, claimed)
    known = _known_fix(session, smith.unit_id, now)
    if known is None:
        raise Conflict(msg("trust.unlock.position_unknown"), code="position_unknown")
    apart = haversine_m(claimed[0], claimed[1], known[0], known[1])
    if apart > rules().position_agree_m:
        raise Bad(
            msg("trust.unlock.position_mismatch", apart=round(apart)), code="position_mismatch"
        )
    _arrive(
        session,
        actor,
        req,
        smith,
        claimed,
        distance,
        now,
        confirmed_by="position",
        apart_m=round(apart, 1),
    )
    return req


def override_check_in(
    session: Session,
    actor: Actor,
    request_id: int,
    lon: float,
    lat: float,
    reason: str,
    *,
    now: datetime,
) -> UnlockRequest:
    """An officer accepts a check-in the platform's position does not confirm; recorded (and
    carried into the signed record) as an override, with who and why."""
    require(actor, "trust.unlock_override")
    req = get_request(session, request_id)
    _state(req, ACCEPTED)
    if not reason.strip() or len(reason) > 200:
        raise Bad(msg("trust.unlock.bad_reason"), code="bad_reason")
    claimed = validated_point(lon, lat)
    distance = _inside(req, claimed)
    smith = session.get(Locksmith, req.locksmith_id)
    assert smith is not None  # an accepted request has its locksmith
    _arrive(
        session,
        actor,
        req,
        smith,
        claimed,
        distance,
        now,
        confirmed_by="override",
        override={"by": actor.username, "reason": reason.strip()},
    )
    return req


def _arrive(
    session: Session,
    actor: Actor,
    req: UnlockRequest,
    smith: Locksmith,
    point: tuple[float, float],
    distance: float,
    now: datetime,
    **how: Any,
) -> None:
    req.checkin = {
        "at": _iso(now),
        "lon": round(point[0], 6),
        "lat": round(point[1], 6),
        "distance_m": round(distance, 1),
        **how,
    }
    req.status = ON_SITE
    units.move_status(session, smith.unit_id, UnitStatus.ON_SCENE)
    _audit(
        session,
        actor,
        "checked_in",
        req,
        **{k: v for k, v in req.checkin.items() if k not in ("lon", "lat")},
    )
    finish(session)


def add_photo(
    session: Session,
    actor: Actor,
    photo_dir: Path,
    request_id: int,
    stage: str,
    b64: str | None,
    *,
    now: datetime,
) -> UnlockRequest:
    req, _ = _job(session, actor, request_id, now=now)
    _state(req, ON_SITE)
    if stage not in ("before", "after"):
        raise Bad(msg("trust.unlock.bad_stage"), code="bad_stage")
    name = common.photo(photo_dir, b64)
    if name is None:
        raise Bad(msg("trust.unlock.no_photo"), code="no_photo")

    sha = hashlib.sha256((photo_dir / name).read_bytes()).hexdigest()
    req.photos = [*req.photos, {"stage": stage, "file": name, "sha256": sha}]
    _audit(session, actor, "photo", req, stage=stage, sha256=sha)
    finish(session)
    return req


# -- the record and its signatures --------------------------------------------------------------
def _people(req: UnlockRequest, smith: Locksmith) -> dict[str, dict[str, Any]]:
    people: dict[str, dict[str, Any]] = {
        "requester": {
            "user_id": req.requester_id,
            "id_masked": req.id_masked,
            "level": f"L{req.level}",
            "level_method": req.level_method,
        },
        "locksmith": {
            "filing_number": smith.filing_number,
            "company": smith.company,
            "certification": smith.certification,
            "name_masked": smith.name_masked,
            "user_id": smith.user_id,
        },
    }
    if req.witness_id is not None:
        people["witness"] = {
            "kind": req.witness_kind,
            "user_id": req.witness_id,
            "username": req.witness_username,
        }
    return people


def draft_record(
    session: Session, actor: Actor, request_id: int, method: str, fee_fen: int, *, now: datetime
) -> UnlockRecord:
    """The locksmith writes the record once the lock is open; from here it does not change."""
    req, smith = _job(session, actor, request_id, now=now)
    _state(req, ON_SITE)
    if method not in METHODS:
        raise Bad(msg("trust.unlock.bad_method", methods=", ".join(METHODS)), code="bad_method")
    if not 0 <= fee_fen <= 10_000_000:
        raise Bad(msg("trust.unlock.bad_fee"), code="bad_fee")
    stages = {p["stage"] for p in req.photos}
    missing = [s for s in rules().photos_required if s not in stages]
    if missing:
        raise Conflict(
            msg("trust.unlock.photos_missing", stages=", ".join(missing)), code="photos_missing"
        )
    if req.witness_required and req.witness_id is None:
        raise Conflict(msg("trust.unlock.witness_missing"), code="witness_missing")
    people = _people(req, smith)
    body = {
        "type": "pingan.unlock.record.v1",
        "record_no": f"UL{req.created_at:%Y%m%d}-{req.id:06d}",
        "request_id": req.id,
        "lock_type": req.lock_type,
        "target": req.target,
        "point": {"lon": round(req.lon, 6), "lat": round(req.lat, 6)},
        "requested_at": _iso(req.created_at),
        "entitlement": {"kind": req.entitlement_kind, "reference": req.entitlement_ref}
        if req.entitlement_kind
        else None,
        "flags": list(req.flags),
        "witness_required": req.witness_required,
        "notified_110": req.notified_110,
        "checkin": req.checkin,
        "photos": [{"stage": p["stage"], "sha256": p["sha256"]} for p in req.photos],
        "method": method,
        "fee_fen": fee_fen,
        "opened_at": _iso(now),
        "people": people,
        "parties": list(people),
        "retention_days": rules().retention_days,
    }
    raw = record.canonical(body)
    rec = UnlockRecord(
        request_id=req.id,
        record_json=raw.decode("utf-8"),
        record_sha256=record.digest(body),
        parties=list(people),
        signatures=[],
        seal=None,
        created_at=now,
    )
    session.add(rec)
    req.status = SIGNING
    session.flush()
    _audit(session, actor, "record_drafted", req, record_sha256=rec.record_sha256)
    finish(session)
    return rec


def record_of(session: Session, req: UnlockRequest) -> UnlockRecord:
    rec = session.scalar(select(UnlockRecord).where(UnlockRecord.request_id == req.id))
    if rec is None:
        raise NotFound(msg("trust.unlock.no_record"), code="no_record")
    return rec


def _fresh_verification(session: Session, req: UnlockRequest) -> Verification:
    """The requester re-verified on site: an L2+ verification of the same person made after
    the locksmith checked in (face or one-time code through the identity service, or an
    officer's in-person check)."""
    since = datetime.fromisoformat((req.checkin or {})["at"].replace("Z", "+00:00"))
    v = session.scalar(
        select(Verification)
        .where(
            Verification.user_id == req.requester_id,
            Verification.subject_key == req.subject_key,
            Verification.level >= int(Level.L2),
            Verification.verified_at > since,
        )
        .order_by(Verification.verified_at.desc())
        .limit(1)
    )
    if v is None:
        raise Conflict(msg("trust.unlock.reverify_needed"), code="reverify_needed")
    return v


def sign(
    session: Session, actor: Actor, request_id: int, role: str, *, now: datetime
) -> UnlockRecord:
    """One party signs the record; the last one's signature seals and files it."""
    if role == "locksmith":
        req, _ = _job(session, actor, request_id, now=now)
    else:
        require(actor, "trust.unlock_request" if role == "requester" else "trust.unlock_witness")
        req = get_request(session, request_id)
        party = req.requester_id if role == "requester" else req.witness_id
        if party != actor.user_id:
            raise Forbidden(msg("trust.unlock.not_a_party"), code="not_a_party")
    _state(req, SIGNING)
    rec = record_of(session, req)
    if role not in rec.parties:
        raise Forbidden(msg("trust.unlock.not_a_party"), code="not_a_party")
    if any(s["role"] == role for s in rec.signatures):
        raise Conflict(msg("trust.unlock.already_signed"), code="already_signed")
    body = record.canonical_load(rec.record_json)
    stmt = record.statement(rec.record_sha256, role, body["people"][role], _iso(now))
    if role == "requester":
        v = _fresh_verification(session, req)
        stmt["reverified"] = {
            "verification_id": v.id,
            "method": v.method,
            "at": _iso(v.verified_at),
        }
    sig = signing.sign(session, rules().algorithm, record.canonical(stmt))
    rec.signatures = [*rec.signatures, record.party_signature(stmt, sig)]
    _audit(session, actor, "signed", req, role=role, kid=sig.key_id)
    if {s["role"] for s in rec.signatures} == set(rec.parties):
        _file(session, actor, req, rec, body, now)
    finish(session)
    return rec


def _file(
    session: Session,
    actor: Actor,
    req: UnlockRequest,
    rec: UnlockRecord,
    body: dict[str, Any],
    now: datetime,
) -> None:
    """Seal and file to the police station: kept at least `retention_days`; the locksmith is
    free again."""
    order = {role: i for i, role in enumerate(rec.parties)}
    sigs = sorted(rec.signatures, key=lambda s: order[s["role"]])
    seal = signing.sign(session, rules().algorithm, record.seal_payload(body, sigs))
    rec.signatures, rec.seal = sigs, seal.as_dict()
    rec.filed_at, rec.retain_until = now, now + timedelta(days=rules().retention_days)
    req.status = FILED
    smith = session.get(Locksmith, req.locksmith_id)
    if smith is not None:
        units.move_status(session, smith.unit_id, UnitStatus.AVAILABLE)
    outbox.publish(
        session,
        "unlock.record_filed",
        "unlock_request",
        req.id,
        {
            **_summary(req),
            "record_sha256": rec.record_sha256,
            "retain_until": _iso(rec.retain_until),
        },
    )
    _audit(session, actor, "filed", req, record_sha256=rec.record_sha256, seal_kid=seal.key_id)


def requester_record(session: Session, actor: Actor, request_id: int) -> UnlockRecord:
    require(actor, "trust.unlock_request")
    req = get_request(session, request_id)
    _own(req, actor)
    return record_of(session, req)


def document(session: Session, req: UnlockRequest) -> bytes:
    """The filed document (JCS bytes) that `record.check` verifies with the key list."""
    rec = record_of(session, req)
    if rec.seal is None:
        raise Conflict(msg("trust.unlock.not_filed_yet"), code="not_filed_yet")
    body = record.canonical_load(rec.record_json)
    return record.canonical({"record": body, "signatures": rec.signatures, "seal": rec.seal})


# -- reading ------------------------------------------------------------------------------------
def station_list(
    session: Session, actor: Actor, status: str | None, limit: int, offset: int
) -> list[UnlockRequest]:
    require(actor, "trust.unlock_read")
    q = select(UnlockRequest).order_by(UnlockRequest.id.desc()).limit(limit).offset(offset)
    if status:
        q = q.where(UnlockRequest.status == status)
    return list(session.scalars(q))


def my_requests(session: Session, actor: Actor) -> list[UnlockRequest]:
    require(actor, "trust.unlock_request")
    return list(
        session.scalars(
            select(UnlockRequest)
            .where(UnlockRequest.requester_id == actor.user_id)
            .order_by(UnlockRequest.id.desc())
        )
    )


WITNESS_LIST = 20


def witness_requests(
    session: Session, actor: Actor, *, now: datetime
) -> tuple[list[tuple[UnlockRequest, float | None]], list[UnlockRequest]]:
    """For the witness's page: requests waiting for a witness (not the caller's own), nearest
    the unit the caller crews now first, newest first without one; and those the caller
    attends. Joining still goes by the request's number (`join_witness`)."""
    require(actor, "trust.unlock_witness")
    waiting = session.scalars(
        select(UnlockRequest)
        .where(
            UnlockRequest.status == AWAITING_WITNESS,
            UnlockRequest.witness_id.is_(None),
            UnlockRequest.requester_id != actor.user_id,
        )
        .order_by(UnlockRequest.id.desc())
        .limit(200)
    )
    here = _crewed_point(session, actor, now)
    rows = [
        (r, None if here is None else haversine_m(here[0], here[1], r.lon, r.lat)) for r in waiting
    ]
    if here is not None:
        rows.sort(key=lambda row: row[1] or 0.0)
    mine = session.scalars(
        select(UnlockRequest)
        .where(UnlockRequest.witness_id == actor.user_id)
        .order_by(UnlockRequest.id.desc())
        .limit(WITNESS_LIST)
    )
    return rows[:WITNESS_LIST], list(mine)


def _crewed_point(session: Session, actor: Actor, now: datetime) -> tuple[float, float] | None:
    """Where the first unit the caller crews now is: its last fix, else its post."""
    for unit_id in units.bound_unit_ids(session, actor.user_id or 0, now):
        unit = session.get(Unit, unit_id)
        if unit is not None and unit.lon is not None and unit.lat is not None:
            return unit.lon, unit.lat
        if unit is not None and unit.post_lon is not None and unit.post_lat is not None:
            return unit.post_lon, unit.post_lat
    return None


def progress(session: Session, req: UnlockRequest) -> dict[str, Any]:
    """Who was sent and the record as drafted (with who has signed, and its filing), for the
    requester's and the witness's pages; masked data only."""
    smith = session.get(Locksmith, req.locksmith_id) if req.locksmith_id else None
    rec = session.scalar(select(UnlockRecord).where(UnlockRecord.request_id == req.id))
    return {
        "locksmith": smith,
        "record": record.canonical_load(rec.record_json) if rec else None,
        "signed": [s["role"] for s in rec.signatures] if rec else [],
        "filed_at": rec.filed_at if rec else None,
        "retain_until": rec.retain_until if rec else None,
    }


def locksmith_jobs(session: Session, actor: Actor) -> tuple[Locksmith | None, list[UnlockRequest]]:
    """The caller's filing (None when unfiled) and its open jobs, for the locksmith's phone."""
    require(actor, "trust.unlock_locksmith")
    smith = session.scalar(select(Locksmith).where(Locksmith.user_id == actor.user_id))
    if smith is None:
        return None, []
    jobs = session.scalars(
        select(UnlockRequest)
        .where(UnlockRequest.locksmith_id == smith.id, UnlockRequest.status != FILED)
        .order_by(UnlockRequest.id)
    )
    return smith, list(jobs)

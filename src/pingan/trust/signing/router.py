"""HTTP adapter: the public key list, and the admin's rotation and revocation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pingan.auth.actor import Actor
from pingan.http.deps import SessionDep, permit
from pingan.trust.signing import service

router = APIRouter(prefix="/trust", tags=["trust.tag"])


class RotateIn(BaseModel):
    algorithm: str = Field(max_length=16, description="ed25519 | sm2")


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.get("/keys", summary="trust.api.keys")
def keys(session: SessionDep) -> dict[str, Any]:
    """Public, no sign-in: what a third party needs to check our signatures offline."""
    return service.published_keys(session)


@router.post("/keys/rotate", status_code=201, summary="trust.api.rotate")
def rotate(
    body: RotateIn, session: SessionDep, actor: Annotated[Actor, permit(service.PERMISSION)]
) -> dict[str, Any]:
    return service.published_entry(service.rotate(session, actor, body.algorithm))


@router.post("/keys/{key_id}/revoke", summary="trust.api.revoke")
def revoke(
    key_id: str,
    body: RevokeIn,
    session: SessionDep,
    actor: Annotated[Actor, permit(service.PERMISSION)],
) -> dict[str, Any]:
    return service.published_entry(service.revoke(session, actor, key_id, body.reason))

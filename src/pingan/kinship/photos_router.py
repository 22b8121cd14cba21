"""HTTP adapter of a family-search case's photos: the upload (multipart, JPEG or PNG, its own
body limit in the app) and the audited read of one photo. Each route declares exactly one
permission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import Response

from pingan.auth.actor import Actor
from pingan.http.deps import ClockDep, SessionDep, SettingsDep, VaultDep, audited_read, permit
from pingan.http.inputs import Id
from pingan.kinship import photos
from pingan.kinship.records_schemas import PhotoPublic

router = APIRouter(prefix="/kinship", tags=["kinship.records.tag"])
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post("/cases/{case_id}/photos", status_code=201, summary="kinship.photos.api.upload")
def upload_photo(
    case_id: Id,
    file: Annotated[UploadFile, File(description="kinship.photos.field.file")],
    session: SessionDep,
    settings: SettingsDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
    caption: Annotated[
        str | None, Form(max_length=photos.CAPTION_MAX, description="kinship.photos.field.caption")
    ] = None,
) -> PhotoPublic:
    """Add a JPEG or PNG photo to the case (the same photo twice stays one entry)."""
    data = file.file.read(photos.MAX_BYTES + 1)
    entry = photos.add_photo(
        session,
        actor,
        vault,
        photos.folder(settings.data_dir),
        case_id,
        data,
        caption=caption,
        now=clock(),
    )
    return PhotoPublic(**photos.shown(entry))


@router.get(
    "/cases/{case_id}/photos/{sha256}",
    summary="kinship.photos.api.read",
    response_class=Response,
    responses={200: {"content": {t: {} for t in sorted(photos.MEDIA_TYPES)}}},
)
@audited_read
def read_photo(
    case_id: Id,
    sha256: Digest,
    session: SessionDep,
    settings: SettingsDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("kinship.read")],
) -> Response:
    """One photo of the case, with its media type (the read is audited)."""
    where = photos.folder(settings.data_dir)
    data, media_type = photos.read_photo(session, actor, vault, where, case_id, sha256)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})

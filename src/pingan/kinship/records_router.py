"""HTTP adapter of the family search's records: cases (一人一档), donors, consent, the profile
import (multipart CSV, all or nothing) and the audited profile read. Each route declares
exactly one permission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.http.deps import ClockDep, SessionDep, VaultDep, audited_read, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset
from pingan.kinship import cases, donors, photos, profile_read, profiles_import
from pingan.kinship.cases import bad
from pingan.kinship.models import KinshipCase, KinshipPerson
from pingan.kinship.records_schemas import (
    CaseChange,
    CaseDetail,
    CaseIn,
    CaseList,
    CaseSummary,
    ConsentIn,
    ConsentPublic,
    ImportResult,
    PersonIn,
    PersonPublic,
    ProfileBrief,
    ProfilePublic,
    WithdrawIn,
)
from pingan.pii.vault import Vault

router = APIRouter(prefix="/kinship", tags=["kinship.records.tag"])
Kind = Annotated[str | None, Query(max_length=20)]
MAX_FILE = 5 * 1024 * 1024  # a laboratory's batch of profiles is a few hundred kilobytes


def _summaries(session: Session, rows: list[KinshipCase]) -> list[CaseSummary]:
    counted = cases.counts(session, [r.id for r in rows])
    out = []
    for row in rows:
        one = CaseSummary.model_validate(row, from_attributes=True)
        c = counted.get(row.id, cases.Counts())
        one.persons, one.profiles, one.open_candidates = c.persons, c.profiles, c.open_candidates
        out.append(one)
    return out


def persons_out(session: Session, rows: list[KinshipPerson]) -> list[PersonPublic]:
    ids = [p.id for p in rows]
    consents = donors.latest_consents(session, ids)
    profiles = donors.profiles_of(session, ids)
    out = []
    for p in rows:
        consent, profile = consents.get(p.id), profiles.get(p.id)
        brief = None
        if profile is not None:
            brief = ProfileBrief(
                id=profile.id,
                kit=profile.kit,
                loci=profile.loci,
                has_ystr=profile.ystr_enc is not None,
                has_mtdna=profile.mtdna_enc is not None,
                imported_at=profile.imported_at,
            )
        out.append(
            PersonPublic(
                id=p.id,
                case_id=p.case_id,
                sample_id=p.sample_id,
                relation=p.relation,
                sex=p.sex,
                birth_year=p.birth_year,
                name_masked=p.name_masked,
                id_masked=p.id_masked,
                consent=ConsentPublic.model_validate(consent) if consent else None,
                profile=brief,
            )
        )
    return out


def _detail(
    session: Session, actor: Actor, vault: Vault, case_id: int, *, audited: bool = False
) -> CaseDetail:
    """The case in full: read through the audited read for GET, as just written otherwise
    (the write's own audit record covers what its answer shows)."""
    if audited:
        details = cases.read_case(session, actor, vault, case_id)
        row = cases.get_case(session, case_id)
    else:
        row = cases.get_case(session, case_id)
        details = cases.details_of(vault, row)
    if cases.PHOTOS in details:
        details[cases.PHOTOS] = [photos.shown(p) for p in details[cases.PHOTOS]]
    summary = _summaries(session, [row])[0]
    persons = persons_out(session, donors.persons_of(session, row.id))
    return CaseDetail(
        **summary.model_dump(exclude={"persons"}),
        persons=persons,
        details=details,
        contact_masked=row.contact_masked,
    )


@router.get("/cases", summary="kinship.records.api.cases")
def case_list(
    session: SessionDep,
    actor: Annotated[Actor, permit("kinship.read")],
    side: Kind = None,
    status: Kind = None,
    q: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CaseList:
    rows, total = cases.list_cases(
        session, side=side, status=status, q=q, limit=limit, offset=offset
    )
    return CaseList(items=_summaries(session, rows), total=total)


@router.post("/cases", status_code=201, summary="kinship.records.api.create_case")
def create_case(
    body: CaseIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
) -> CaseDetail:
    data = body.model_dump()
    data["details"] = data["details"] or {}
    row = cases.create_case(session, actor, vault, cases.CaseSpec(**data), now=clock())
    return _detail(session, actor, vault, row.id)


@router.get("/cases/{case_id}", summary="kinship.records.api.case")
@audited_read
def case_detail(
    case_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("kinship.read")],
) -> CaseDetail:
    """A case with its donors and its sealed details (the read is audited)."""
    return _detail(session, actor, vault, case_id, audited=True)


@router.patch("/cases/{case_id}", summary="kinship.records.api.update_case")
def update_case(
    case_id: Id,
    body: CaseChange,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
) -> CaseDetail:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("details") is None:
        changes.pop("details", None)
    for key in ("sex", "status"):
        if key in changes and changes[key] is None:
            del changes[key]
    cases.update_case(session, actor, vault, case_id, changes, now=clock())
    return _detail(session, actor, vault, case_id)


@router.post("/cases/{case_id}/persons", status_code=201, summary="kinship.records.api.person")
def add_person(
    case_id: Id,
    body: PersonIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
) -> PersonPublic:
    spec = donors.PersonSpec(**body.model_dump())
    row = donors.add_person(session, actor, vault, case_id, spec, now=clock())
    return persons_out(session, [row])[0]


@router.post("/persons/{person_id}/consent", status_code=201, summary="kinship.records.api.consent")
def record_consent(
    person_id: Id,
    body: ConsentIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
) -> ConsentPublic:
    row = donors.record_consent(session, actor, person_id, **body.model_dump(), now=clock())
    return ConsentPublic.model_validate(row)


@router.post("/persons/{person_id}/consent/withdraw", summary="kinship.records.api.withdraw")
def withdraw_consent(
    person_id: Id,
    body: WithdrawIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.case")],
) -> ConsentPublic:
    row = donors.withdraw_consent(session, actor, person_id, reason=body.reason, now=clock())
    return ConsentPublic.model_validate(row)


@router.post("/profiles/import", status_code=201, summary="kinship.records.api.import")
def import_profiles(
    file: Annotated[UploadFile, File(description="kinship.records.field.file")],
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.profile")],
    kit: Annotated[str, Form(max_length=20, description="kinship.records.field.kit")] = "auto",
) -> ImportResult:
    """Import a laboratory's CSV (GeneMapper long or wide layout), all or nothing."""
    data = file.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise bad("file_too_large", limit=MAX_FILE // (1024 * 1024))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad("not_utf8") from None
    checked = profiles_import.read_profiles(session, text, kit=kit)
    done = profiles_import.import_profiles(session, actor, vault, checked, now=clock())
    return ImportResult(imported=done.added, sample_ids=done.sample_ids)


@router.get("/persons/{person_id}/profile", summary="kinship.records.api.profile")
@audited_read
def read_profile(
    person_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("kinship.profile_read")],
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> ProfilePublic:
    """One donor's genotypes: a reason is required and audited with the read."""
    out = profile_read.read_profile(session, actor, vault, person_id, reason=reason)
    return ProfilePublic(**out)

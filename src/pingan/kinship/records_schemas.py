"""API shapes of the family search's records: cases, donors, consent, profiles. People appear
by masked name and ID number; genotypes only in the audited profile read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import MULTILINE_FIELDS, Input

Side = Literal["adoptee", "family"]
Sex = Literal["M", "F", "U"]
Year = int | None
Relation = Literal["self", "parent", "child", "full_sibling", "half_sibling", "nephew_niece",
                   "uncle_aunt", "cousin", "grandchild"]  # fmt: skip


class DetailsIn(Input):
    """The sealed part of a case: transfer records, adoptive family, life story."""

    multiline_fields: ClassVar[frozenset[str]] = MULTILINE_FIELDS | {
        "transfer_records",
        "adoptive_family",
        "life_story",
    }
    transfer_records: list[str] = Field(default_factory=list, max_length=50)
    adoptive_family: str = Field(default="", max_length=500)
    life_story: str = Field(default="", max_length=5000)


class CaseIn(Input):
    side: Side
    name: str | None = Field(default=None, max_length=50)
    sex: Sex
    birth_year_min: Year = Field(default=None, ge=1900, le=2100)
    birth_year_max: Year = Field(default=None, ge=1900, le=2100)
    place: str = Field(default="", max_length=200)
    place_code: str = Field(default="", max_length=12)
    date_min: date | None = None
    date_max: date | None = None
    orphanage: str = Field(default="", max_length=200)
    details: DetailsIn | None = None
    contact: str | None = Field(default=None, max_length=100)


class CaseChange(Input):
    name: str | None = Field(default=None, max_length=50)
    sex: Sex | None = None
    birth_year_min: Year = Field(default=None, ge=1900, le=2100)
    birth_year_max: Year = Field(default=None, ge=1900, le=2100)
    place: str | None = Field(default=None, max_length=200)
    place_code: str | None = Field(default=None, max_length=12)
    date_min: date | None = None
    date_max: date | None = None
    orphanage: str | None = Field(default=None, max_length=200)
    details: DetailsIn | None = None
    contact: str | None = Field(default=None, max_length=100)
    status: Literal["open", "matched", "closed"] | None = None


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_no: str
    side: str
    status: str
    name_masked: str
    sex: str
    birth_year_min: int | None
    birth_year_max: int | None
    place: str
    place_code: str
    date_min: date | None
    date_max: date | None
    orphanage: str
    persons: int = 0
    profiles: int = 0
    open_candidates: int = 0
    created_at: datetime


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int


class PersonIn(Input):
    name: str = Field(min_length=1, max_length=50)
    sex: Sex
    relation: Relation
    birth_year: Year = Field(default=None, ge=1900, le=2100)
    id_number: str | None = Field(default=None, max_length=18)


class ConsentIn(Input):
    signed_on: date
    document_no: str = Field(min_length=1, max_length=60)
    scope: str = Field(default="family_search", max_length=30)


class WithdrawIn(Input):
    reason: str = Field(min_length=1, max_length=200)


class ConsentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    signed_on: date
    document_no: str
    scope: str
    withdrawn_at: datetime | None


class ProfileBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kit: str
    loci: int
    has_ystr: bool
    has_mtdna: bool
    imported_at: datetime


class PersonPublic(BaseModel):
    id: int
    case_id: int
    sample_id: str
    relation: str
    sex: str
    birth_year: int | None
    name_masked: str
    id_masked: str
    consent: ConsentPublic | None
    profile: ProfileBrief | None


class PhotoPublic(BaseModel):
    """A photo of a case as its view lists it; the image is read on its own (audited)."""

    sha256: str
    media_type: str
    caption: str
    added_at: datetime


class CaseDetail(CaseSummary):
    persons: list[PersonPublic] = []  # type: ignore[assignment]
    details: dict[str, Any] = {}
    contact_masked: str = ""


class ImportResult(BaseModel):
    imported: int
    sample_ids: list[str]


class ProfilePublic(BaseModel):
    sample_id: str
    kit: str
    genotypes: dict[str, list[str]]
    ystr: dict[str, str] | None
    mtdna: dict[str, Any] | None

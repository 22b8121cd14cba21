"""API shapes of the help services. Time and place are optional here so that their absence
is refused by the service with its own bilingual reason."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pingan.http.inputs import Input, Instant
from pingan.i18n.column import column_text
from pingan.services.plates import Match


class Body(Input):
    """Base of the citizen-service request bodies."""


class ItemCreate(Body):
    category: str = Field(max_length=40, description="services.field.category")
    description: str = Field(max_length=1000, description="services.field.description")
    colour: str | None = Field(default=None, max_length=20)
    brand: str | None = Field(default=None, max_length=40)
    identifiers: dict[str, str] = Field(
        default_factory=dict, max_length=3, description="imei / serial / id_number"
    )
    hidden_details: str | None = Field(
        default=None, max_length=1000, description="services.field.hidden_details"
    )
    lon: float | None = None
    lat: float | None = None
    at: Instant | None = Field(default=None, description="services.field.at")
    place: str | None = Field(default=None, max_length=200, description="services.field.item_place")
    area_code: str | None = Field(default=None, max_length=40)
    holder: str | None = Field(default=None, max_length=100, description="services.field.holder")
    storage: str | None = Field(default=None, max_length=200, description="services.field.storage")
    contact_phone: str | None = Field(default=None, max_length=20)
    photo_b64: str | None = Field(default=None, description="services.field.photo_b64")


class MatchPublic(BaseModel):
    item_id: int
    score: float
    by_identifier: bool
    distance_m: float
    gap_h: float
    reason_zh: str
    reason_en: str


class ItemPublic(BaseModel):
    """An item as staff and its own reporter see it: identifiers masked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    kind: str
    status: str
    category: str
    description: str
    colour: str | None
    brand: str | None
    identifiers_masked: dict[str, str]
    lon: float
    lat: float
    place: str | None
    area_code: str | None
    at: datetime
    holder: str | None
    storage: str | None
    photo_path: str | None
    contact_phone_masked: str | None
    created_at: datetime
    announced_at: datetime | None
    returned_at: datetime | None
    disposed_at: datetime | None
    disposal_note: str | None

    @field_validator("disposal_note", mode="before")
    @classmethod
    def _in_words(cls, value: object) -> object:
        """The note is stored as a message (code and values): said in the reader's language."""
        return column_text(value) if isinstance(value, str) else value


class ItemCreated(BaseModel):
    item: ItemPublic
    matches: list[MatchPublic]


class ListingPublic(BaseModel):
    """The public notice: nothing that proves ownership (no identifiers, brand, photo)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    category: str
    description: str
    colour: str | None
    place: str | None
    at: datetime
    storage: str | None
    status: str


class ClaimCreate(Body):
    claimant_name: str = Field(min_length=1, max_length=64)
    identifiers: dict[str, str] = Field(default_factory=dict, max_length=3)
    details: str | None = Field(default=None, max_length=1000)
    lost_item_id: int | None = None


class ClaimPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    lost_item_id: int | None
    claimant_name_masked: str
    proof: str
    status: str
    holder_confirmed_by: str | None
    holder_confirmed_at: datetime | None
    claimant_confirmed_at: datetime | None


class LifecyclePublic(BaseModel):
    announced: list[int]
    disposed: list[int]
    retokenised: int = 0


class MissingCreate(Body):
    kind: Literal["child", "elder", "visitor"]
    name: str = Field(max_length=64)
    age: int | None = Field(default=None, ge=0, le=130)
    description: str = Field(
        max_length=1000, description="services.field.missing_create.description"
    )
    clothing: str | None = Field(
        default=None, max_length=500, description="services.field.clothing"
    )
    lon: float | None = None
    lat: float | None = None
    last_seen_at: Instant | None = None
    area_code: str | None = Field(default=None, max_length=40)
    guardian_name: str = Field(min_length=1, max_length=64)
    guardian_phone: str = Field(max_length=20)
    guardian_id_number: str = Field(max_length=18)
    photo_b64: str | None = None


class MissingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    kind: str
    status: str
    name: str
    age: int | None
    description: str
    clothing: str | None
    photo_path: str | None
    lon: float
    lat: float
    last_seen_at: datetime
    area_code: str | None
    guardian_name_masked: str
    guardian_phone_masked: str
    guardian_id_masked: str
    profile_id: int | None
    incident_id: int | None
    radius_km: float
    created_at: datetime
    found_at: datetime | None
    closed_at: datetime | None


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    radius_km: float
    unit_ids: list[int]


class SightingCreate(Body):
    lon: float | None = None
    lat: float | None = None
    at: Instant | None = None
    note: str | None = Field(default=None, max_length=500)


class SightingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lon: float
    lat: float
    at: datetime
    note: str | None
    reported_by: str


class FoundPersonCreate(Body):
    kind: Literal["child", "elder", "visitor"]
    apparent_age: int | None = Field(default=None, ge=0, le=130)
    description: str = Field(max_length=1000)
    lon: float | None = None
    lat: float | None = None
    at: Instant | None = None


class PersonMatchPublic(BaseModel):
    report_id: int
    case_number: str
    score: float
    distance_m: float


class FoundPersonResult(BaseModel):
    found_person_id: int
    matches: list[PersonMatchPublic]


class MissingClose(Body):
    guardian_id_number: str = Field(max_length=18)
    found_person_id: int | None = None


class MissingRefuse(Body):
    found_person_id: int = Field(description="services.field.found_person_id")


class ProfileCreate(Body):
    kind: Literal["child", "elder", "visitor"]
    name: str = Field(max_length=64)
    age: int | None = Field(default=None, ge=0, le=130)
    description: str = Field(max_length=1000)
    habits: str | None = Field(default=None, max_length=1000, description="services.field.habits")
    guardian_name: str = Field(min_length=1, max_length=64)
    guardian_phone: str = Field(max_length=20)
    guardian_id_number: str = Field(max_length=18)
    photo_b64: str | None = None


class ProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    age: int | None
    guardian_name_masked: str
    guardian_phone_masked: str
    created_at: datetime


class ProfileReport(Body):
    lon: float | None = None
    lat: float | None = None
    last_seen_at: Instant | None = None
    clothing: str | None = Field(default=None, max_length=500)


class PlateReadCreate(Body):
    plate: str = Field(max_length=16)
    camera_id: str = Field(max_length=40)
    lon: float | None = None
    lat: float | None = None
    at: Instant | None = None
    confidence: float | None = None
    place: str | None = Field(default=None, max_length=200)


class PlateReadMessage(BaseModel):
    """One read on `pingan/v1/anpr/{camera_id}` (the topic names the camera). Fields not listed
    are ignored, as in the device protocol, so newer camera firmware keeps working."""

    model_config = ConfigDict(extra="ignore")

    plate: str = Field(min_length=1, max_length=16, description="services.field.plate")
    at: Instant = Field(description="services.field.plate_read_message.at")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    confidence: float | None = Field(
        default=None, ge=0, le=1, description="services.field.confidence"
    )
    place: str | None = Field(default=None, max_length=200, description="services.field.place")


class ReadsIngest(Body):
    reads: list[PlateReadCreate] = Field(min_length=1, max_length=1000)


class IngestResult(BaseModel):
    stored: int
    duplicates: int = Field(0, description="services.field.duplicates")


class OwnerCreate(Body):
    plate: str = Field(max_length=16)
    owner_id_number: str = Field(max_length=18)


class OwnerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    plate: str
    owner_id_masked: str
    registered_by: str


class CarFindRequest(Body):
    plate: str = Field(max_length=16)
    lon: float | None = Field(default=None, description="services.field.lon")
    lat: float | None = None
    owner_id_number: str | None = Field(default=None, max_length=18)
    reason: str | None = Field(default=None, max_length=500, description="services.field.reason")


class CarFindResult(BaseModel):
    plate_read: str
    exact: bool
    match: Match = Field(description="services.field.match")
    match_rule: str = Field(description="services.field.match_rule")
    camera_id: str
    place: str | None
    lon: float
    lat: float
    seen_at: datetime
    walk_eta_s: float | None
    walk_length_m: float | None
    walk_route: list[list[float]] | None


class TowCreate(Body):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=20)


class TowPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    phone: str
    active: bool


class BreakdownCreate(Body):
    lon: float | None = None
    lat: float | None = None
    vehicle: str = Field(max_length=200)
    problem: str = Field(max_length=500)
    plate: str | None = Field(default=None, max_length=16)
    phone: str | None = Field(default=None, max_length=20)
    area_code: str | None = Field(default=None, max_length=40)


class BreakdownDispatch(Body):
    to: Literal["police", "tow"]
    tow_service_id: int | None = None


class BreakdownPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    status: str
    plate: str | None
    vehicle: str
    problem: str
    lon: float
    lat: float
    area_code: str | None
    phone_masked: str | None
    assigned_to: str | None
    tow_service_id: int | None
    incident_id: int | None
    created_at: datetime
    dispatched_at: datetime | None
    cleared_at: datetime | None


class StatsPublic(BaseModel):
    since: datetime
    until: datetime
    area_code: str | None
    cars_found: int
    lost_reports: int
    found_items: int
    items_returned: int
    return_rate: float | None
    time_to_return_h_median: float | None
    missing_reported: int
    missing_found: int
    breakdowns_requested: int
    breakdowns_helped: int

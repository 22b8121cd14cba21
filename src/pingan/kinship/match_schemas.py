"""API shapes of the matching side: searches, candidates, reviews, reports and power.
Donors appear by case number and sample id only; genotypes only in the evidence, read with
a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pingan.http.inputs import Input

RelationCode = Literal[
    "parent_child", "full_siblings", "half_siblings", "avuncular", "grandparent",
    "first_cousins", "half_avuncular", "first_cousins_once_removed",
]  # fmt: skip


class SearchIn(Input):
    relations: list[RelationCode] | None = Field(default=None, max_length=8)
    frequencies: str | None = Field(default=None, max_length=40)


class ReviewIn(Input):
    decision: Literal["confirm", "reject"]
    note: str = Field(default="", max_length=500)


class NotifyIn(Input):
    note: str = Field(default="", max_length=500)


class PowerIn(Input):
    panel: Literal["globalfiler", "expanded"] = "globalfiler"
    n: int = Field(default=1000, ge=100, le=5000)


class Party(BaseModel):
    case_id: int
    case_no: str
    side: str
    sample_id: str
    relation_to_subject: str


class LineageCheck(BaseModel):
    status: str
    detail: dict[str, Any] = Field(default_factory=dict)


class ReviewPublic(BaseModel):
    reviewer: str
    role: str
    decision: str
    note: str
    at: datetime


class ReportRef(BaseModel):
    number: str
    sha256: str


class CandidatePublic(BaseModel):
    id: int
    relation: str
    log10_lr: float
    log10_lr_context: float
    log10_lr_total: float
    prior: float
    posterior: float
    loci_compared: int
    strong: bool
    lineage: dict[str, LineageCheck]
    # the DNA log10 LR of each other relation tested on the pair (None: excluded outright)
    alternatives: dict[str, float | None]
    status: str
    a: Party
    b: Party
    reviews: list[ReviewPublic]
    report: ReportRef | None
    notified_at: datetime | None
    created_at: datetime


class CandidatePage(BaseModel):
    items: list[CandidatePublic]
    total: int
    limit: int
    offset: int


class LocusEvidence(BaseModel):
    locus: str
    a: list[str]
    b: list[str]
    factor: float


class EvidencePublic(BaseModel):
    loci: list[LocusEvidence]
    context: dict[str, float]


class SearchRun(BaseModel):
    id: int
    sample_id: str
    compared: int
    candidates: int


class SearchOut(BaseModel):
    searches: list[SearchRun]
    candidates: list[CandidatePublic]


class ReportMade(BaseModel):
    number: str
    sha256: str
    key_id: str


class RelativePower(BaseModel):
    sample_id: str
    relation: str
    loci: int
    detection_rate: float
    false_positive_rate: float
    median_log10_true: float


class Advice(BaseModel):
    code: str
    text: str


class PowerOut(BaseModel):
    threshold_log10: float
    panel: str
    relatives: list[RelativePower]
    advice: Advice

"""Tables of the family search, 寻亲 (all named `kinship_*`).

A case (`KinshipCase`, 一人一档) is one side of a search: an adoptee looking for the birth
family (side `adoptee`), or a family looking for the child it lost (side `family`). Its
subject is the person searched for or searching: sex, a birth-year range, where and when the
child was received or lost, orphanage and transfer records, the adoptive family, photos and
the life story; these give the non-genetic evidence.

A person who gives a sample (`KinshipPerson`) belongs to one case with a relation to its
subject (`self` for the adoptee, or sibling, half-sibling, nephew/niece, cousin, parent…). A
sample is known by a pseudonymous id (`sample_id`) only. It is searched only while its
consent (`KinshipConsent`) stands; withdrawing the consent takes it out of every search.

A profile (`KinshipProfile`) holds the person's autosomal STR genotypes, with Y-STR and mtDNA
as optional lineage markers, all sealed with the vault (a DNA profile is personal data); its
kit and locus count are kept in clear for lists.

A search (`KinshipSearch`) compares one profile with every profile of the other side for
every plausible relation; each pair above the reporting floor is a candidate
(`KinshipCandidate`), reviewed by two analysts (`KinshipReview`) before a family is told, and
reported in a signed PDF (`KinshipReport`).

These tables are never joined with incident, fraud or detention data: nothing here holds a
foreign key into them, and the kinship package imports none of their models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class KinshipCase(Base):
    """One side of a family search, 一人一档: its subject and where the search stands."""

    __tablename__ = "kinship_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(30), unique=True)  # e.g. XQ-2026-0001
    side: Mapped[str] = mapped_column(String(10), index=True)  # adoptee / family
    status: Mapped[str] = mapped_column(
        String(20), index=True, default="open"
    )  # open / matched / closed
    # the subject: the adoptee, or the child the family lost
    name_enc: Mapped[str | None] = mapped_column(String(700))
    name_masked: Mapped[str] = mapped_column(String(20), default="")
    sex: Mapped[str] = mapped_column(String(1))  # M / F / U
    birth_year_min: Mapped[int | None] = mapped_column(Integer)
    birth_year_max: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(
        String(200), default=""
    )  # received (adoptee) / lost (family)
    place_code: Mapped[str] = mapped_column(
        String(12), default=""
    )  # GB/T 2260 division, may be empty
    date_min: Mapped[date | None] = mapped_column(Date)  # received / lost, as a range
    date_max: Mapped[date | None] = mapped_column(Date)
    orphanage: Mapped[str] = mapped_column(String(200), default="")
    # transfer records, adoptive family, photos (SHA-256 and type), life story: sealed JSON
    details_enc: Mapped[str | None] = mapped_column(Text)
    contact_enc: Mapped[str | None] = mapped_column(String(700))  # who to tell, sealed
    contact_masked: Mapped[str] = mapped_column(String(40), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KinshipPerson(Base):
    """A person who gives a sample, known to the search by a pseudonymous sample id."""

    __tablename__ = "kinship_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("kinship_cases.id"), index=True)
    sample_id: Mapped[str] = mapped_column(
        String(30), unique=True
    )  # pseudonymous, e.g. KS-7F3A9C21
    relation: Mapped[str] = mapped_column(
        String(20)
    )  # to the case's subject: self / full_sibling / …
    sex: Mapped[str] = mapped_column(String(1))  # M / F / U
    birth_year: Mapped[int | None] = mapped_column(Integer)
    name_enc: Mapped[str] = mapped_column(String(700))
    name_masked: Mapped[str] = mapped_column(String(20))
    id_enc: Mapped[str | None] = mapped_column(String(700))  # ID number, sealed, optional
    id_masked: Mapped[str] = mapped_column(String(20), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KinshipConsent(Base):
    """A donor's written consent to the family search; a withdrawn one stops every search."""

    __tablename__ = "kinship_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("kinship_persons.id"), index=True)
    scope: Mapped[str] = mapped_column(String(30), default="family_search")
    signed_on: Mapped[date] = mapped_column(Date)
    document_no: Mapped[str] = mapped_column(String(60))  # the signed form's number
    document_sha256: Mapped[str | None] = mapped_column(String(64))  # the scanned form, if kept
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class KinshipProfile(Base):
    """A person's DNA profile: STR genotypes and optional lineage markers, sealed."""

    __tablename__ = "kinship_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("kinship_persons.id"), unique=True)
    kit: Mapped[str] = mapped_column(String(40))  # globalfiler / identifiler / expanded / …
    loci: Mapped[int] = mapped_column(Integer)  # autosomal STR loci typed
    genotypes_enc: Mapped[str] = mapped_column(Text)  # {"D3S1358": ["15", "16"], …} sealed
    ystr_enc: Mapped[str | None] = mapped_column(Text)  # {"DYS391": "10", …} sealed
    mtdna_enc: Mapped[str | None] = mapped_column(Text)  # {"range": "16024-576", "variants": [...]}
    lab: Mapped[str] = mapped_column(String(100), default="")
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source_sha256: Mapped[str] = mapped_column(String(64))  # the imported file


class KinshipSearch(Base):
    """One run of a profile against the other side's database."""

    __tablename__ = "kinship_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("kinship_profiles.id"), index=True)
    relations: Mapped[list[str]] = mapped_column(JSON)
    frequencies: Mapped[str] = mapped_column(String(40))  # the frequency table's name
    theta: Mapped[float] = mapped_column(Float)
    compared: Mapped[int] = mapped_column(Integer)  # profiles compared
    candidates: Mapped[int] = mapped_column(Integer)
    run_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # threshold, prior, floor


class KinshipCandidate(Base):
    """A pair of profiles from the two sides, with its evidence for one relation."""

    __tablename__ = "kinship_candidates"
    __table_args__ = (
        Index("ix_kinship_candidates_pair", "profile_a", "profile_b", "relation", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("kinship_searches.id"), index=True)
    profile_a: Mapped[int] = mapped_column(
        ForeignKey("kinship_profiles.id"), index=True
    )  # searched
    profile_b: Mapped[int] = mapped_column(ForeignKey("kinship_profiles.id"), index=True)  # found
    relation: Mapped[str] = mapped_column(String(20))  # the hypothesis: full_siblings / …
    log10_lr: Mapped[float] = mapped_column(Float)  # the DNA likelihood ratio
    log10_lr_context: Mapped[float] = mapped_column(Float, default=0.0)  # non-genetic evidence
    prior: Mapped[float] = mapped_column(Float)
    posterior: Mapped[float] = mapped_column(Float)
    loci_compared: Mapped[int] = mapped_column(Integer)
    lineage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # y / mt: status and detail
    evidence: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # per-locus factors, context parts
    status: Mapped[str] = mapped_column(String(20), index=True, default="new")
    # new / confirmed (two reviews) / rejected / notified
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    notified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KinshipReview(Base):
    """One analyst's decision on a candidate; two distinct analysts confirm before a family
    is told."""

    __tablename__ = "kinship_reviews"
    __table_args__ = (Index("ix_kinship_reviews_once", "candidate_id", "reviewer_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("kinship_candidates.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(10))  # confirm / reject
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class KinshipReport(Base):
    """A signed PDF report of a candidate: its number, hash and signature."""

    __tablename__ = "kinship_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("kinship_candidates.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict[str, Any]] = mapped_column(JSON)  # key id, algorithm, value
    path: Mapped[str] = mapped_column(String(300))  # under the data directory
    made_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)

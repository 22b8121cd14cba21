"""Rows of the family search written straight into the store (cases, donors, consents, sealed
profiles, candidates), so the matching side is tested without the records' import routes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from pingan.kinship.models import (
    KinshipCandidate,
    KinshipCase,
    KinshipConsent,
    KinshipPerson,
    KinshipProfile,
    KinshipSearch,
)
from pingan.pii.vault import Vault

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PARAMS = {
    "report_floor_log10": 2.0,
    "strong_log10": 4.0,
    "theta": 0.01,
    "sources": {"strong_log10": "GB/T 37223-2018"},
}


def _seal(vault: Vault, value: Any) -> str | None:
    return (
        None
        if value is None
        else vault.encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))
    )


def case(s: Session, case_no: str, side: str, by: int, **subject: Any) -> KinshipCase:
    row = KinshipCase(
        case_no=case_no,
        side=side,
        status="open",
        sex=subject.pop("sex", "M"),
        name_masked="王*",
        created_by=by,
        created_at=AT,
        updated_at=AT,
        **subject,
    )
    s.add(row)
    s.flush()
    return row


def donor(
    s: Session,
    vault: Vault,
    case_row: KinshipCase,
    sample_id: str,
    relation: str,
    by: int,
    genotypes: dict[str, tuple[str, str]],
    *,
    sex: str = "M",
    consent: bool = True,
    withdrawn: bool = False,
    ystr: dict[str, str] | None = None,
    mtdna: dict[str, Any] | None = None,
) -> KinshipProfile:
    person = KinshipPerson(
        case_id=case_row.id,
        sample_id=sample_id,
        relation=relation,
        sex=sex,
        name_enc=vault.encrypt("王某某"),
        name_masked="王**",
        created_by=by,
        created_at=AT,
    )
    s.add(person)
    s.flush()
    if consent:
        s.add(
            KinshipConsent(
                person_id=person.id,
                signed_on=date(2026, 3, 1),
                document_no=f"TY-{sample_id}",
                recorded_by=by,
                recorded_at=AT,
                withdrawn_at=AT if withdrawn else None,
                withdrawn_by=by if withdrawn else None,
            )
        )
    sealed = {k: sorted(v) for k, v in genotypes.items()}
    profile = KinshipProfile(
        person_id=person.id,
        kit="globalfiler",
        loci=len(genotypes),
        genotypes_enc=_seal(vault, sealed),
        ystr_enc=_seal(vault, ystr),
        mtdna_enc=_seal(vault, mtdna),
        imported_by=by,
        imported_at=AT,
        source_sha256="0" * 64,
    )
    s.add(profile)
    s.flush()
    return profile


def candidate(
    s: Session,
    a: KinshipProfile,
    b: KinshipProfile,
    by: int,
    *,
    relation: str = "full_siblings",
    log10_lr: float = 6.0,
    context: float = 0.5,
    prior: float = 0.001,
    posterior: float = 0.9,
    factors: dict[str, float] | None = None,
) -> KinshipCandidate:
    search = KinshipSearch(
        profile_id=a.id,
        relations=[relation],
        frequencies="east_asia",
        theta=0.01,
        compared=1,
        candidates=1,
        run_by=by,
        run_at=AT,
        params=PARAMS,
    )
    s.add(search)
    s.flush()
    row = KinshipCandidate(
        search_id=search.id,
        profile_a=a.id,
        profile_b=b.id,
        relation=relation,
        log10_lr=log10_lr,
        log10_lr_context=context,
        prior=prior,
        posterior=posterior,
        loci_compared=len(factors or {}),
        lineage={
            "y": {"status": "match", "detail": {"loci": 17}},
            "mt": {"status": "not_tested", "detail": {}},
        },
        evidence={"loci": factors or {}, "context": {"sex": 0.3, "birth_year": 0.2}},
        created_at=AT,
        updated_at=AT,
    )
    s.add(row)
    s.flush()
    return row


def system_user(s: Session) -> int:
    """An account to stand as creator in service-level tests."""
    from pingan.auth.models import User

    user = User(
        username="kinship-test",
        display_name="test",
        role="analyst",
        password_hash="x",
        created_at=AT,
    )
    s.add(user)
    s.flush()
    return user.id

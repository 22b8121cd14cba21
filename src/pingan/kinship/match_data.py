"""What the matching side reads of the records: a profile's sealed markers, whether its donor's
consent stands, and the pseudonymous face of a profile (case number, side, sample id).

Only sample ids and case numbers leave this module in clear; genotypes are opened from the
vault by the caller that needs them and never stored unsealed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from pingan.kinship.models import KinshipCase, KinshipConsent, KinshipPerson, KinshipProfile
from pingan.pii.vault import Vault

Genotypes = dict[str, tuple[str, str]]


def _open(vault: Vault, token: str | None) -> Any:
    return None if token is None else json.loads(vault.decrypt(token))


def genotypes(vault: Vault, profile: KinshipProfile) -> Genotypes:
    """The profile's autosomal STR genotypes, {locus: (allele, allele)}."""
    return {
        locus: (pair[0], pair[1]) for locus, pair in _open(vault, profile.genotypes_enc).items()
    }


def ystr(vault: Vault, profile: KinshipProfile) -> dict[str, str] | None:
    return _open(vault, profile.ystr_enc)


def mtdna(vault: Vault, profile: KinshipProfile) -> dict[str, Any] | None:
    return _open(vault, profile.mtdna_enc)


def consent_stands():  # type: ignore[no-untyped-def]
    """SQL condition: the person (KinshipPerson in the query) has a consent not withdrawn."""
    return exists().where(
        KinshipConsent.person_id == KinshipPerson.id, KinshipConsent.withdrawn_at.is_(None)
    )


def searchable(session: Session, side: str | None = None, case_id: int | None = None):  # type: ignore[no-untyped-def]
    """(profile, person, case) rows whose donor's consent stands, of one side or one case."""
    query = (
        select(KinshipProfile, KinshipPerson, KinshipCase)
        .join(KinshipPerson, KinshipPerson.id == KinshipProfile.person_id)
        .join(KinshipCase, KinshipCase.id == KinshipPerson.case_id)
        .where(consent_stands())
        .order_by(KinshipProfile.id)
    )
    if side is not None:
        query = query.where(KinshipCase.side == side)
    if case_id is not None:
        query = query.where(KinshipCase.id == case_id)
    return list(session.execute(query).all())


def parties(session: Session, profile_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each profile's pseudonymous face: {case_id, case_no, side, sample_id,
    relation_to_subject}, by profile id."""
    ids = set(profile_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(KinshipProfile.id, KinshipCase, KinshipPerson)
        .join(KinshipPerson, KinshipPerson.id == KinshipProfile.person_id)
        .join(KinshipCase, KinshipCase.id == KinshipPerson.case_id)
        .where(KinshipProfile.id.in_(ids))
    ).all()
    return {
        pid: {
            "case_id": case.id,
            "case_no": case.case_no,
            "side": case.side,
            "sample_id": person.sample_id,
            "relation_to_subject": person.relation,
        }
        for pid, case, person in rows
    }


def case_by_no(session: Session, case_no: str) -> KinshipCase | None:
    return session.scalar(select(KinshipCase).where(KinshipCase.case_no == case_no))

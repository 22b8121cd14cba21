"""Reading one donor's DNA profile: kinship.profile_read, a stated reason, and an audit record
naming the reader, the sample and the reason (the issue's "every read of a profile is
audited with a reason")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import NotFound
from pingan.i18n import msg
from pingan.kinship.cases import bad
from pingan.kinship.donors import get_person
from pingan.kinship.models import KinshipProfile
from pingan.kinship.sealed import unseal
from pingan.pii.vault import Vault

MAX_REASON = 200


def check_reason(reason: str | None) -> str:
    """The reader's stated reason, required (422 reason_required)."""
    why = (reason or "").strip()
    if not why:
        raise bad("reason_required")
    return why[:MAX_REASON]


def read_profile(
    session: Session, actor: Actor, vault: Vault, person_id: int, *, reason: str | None
) -> dict[str, Any]:
    """The donor's genotypes, Y-STR haplotype and mtDNA, opened for this reader only."""
    require(actor, "kinship.profile_read")
    why = check_reason(reason)
    person = get_person(session, person_id)
    row = session.scalar(select(KinshipProfile).where(KinshipProfile.person_id == person.id))
    if row is None:
        raise NotFound(msg("kinship.records.no_profile"), code="profile_not_found")
    out = {
        "sample_id": person.sample_id,
        "kit": row.kit,
        "genotypes": unseal(vault, row.genotypes_enc),
        "ystr": unseal(vault, row.ystr_enc),
        "mtdna": unseal(vault, row.mtdna_enc),
    }
    audit.record(
        session,
        actor,
        "kinship.profile_read",
        "kinship_profile",
        row.id,
        {"sample_id": person.sample_id, "reason": why},
    )
    finish(session)
    return out
